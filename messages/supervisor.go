package messages

// InjectPanic makes a service actor panic. Only the root supervisor's fault
// injection middleware (installed on every child when fault injection is
// configured, off by default) acts on it: the child itself never sees it.
// Tests use it to prove restarts on the real tree.
type InjectPanic struct {
	Reason string
}

// SupervisorTransition asks the root supervisor to move the application
// state machine to the state named To (an AppState name such as "Running").
// The answer is a SupervisorReply; an illegal transition changes nothing.
type SupervisorTransition struct {
	To string
}

// SupervisorStop asks the root supervisor to stop every service in reverse
// start order and then reach Stopped. Answered with a SupervisorReply as soon
// as the stop is under way (or refused).
type SupervisorStop struct{}

// SupervisorEmergencyStop moves the root supervisor to Error at once and
// stops every service; the node stays in Error until an operator asks for
// Initializing. Answered with a SupervisorReply.
type SupervisorEmergencyStop struct {
	Reason string
}

// SupervisorInject asks the root supervisor to send InjectPanic to the
// service named Service. Answered with a SupervisorReply.
type SupervisorInject struct {
	Service string
	Reason  string
}

// SupervisorPing asks the root supervisor to answer at once, in any state:
// the liveness probe's proof that the actor system still delivers and the
// root still works through its mailbox. Answered with a SupervisorReply.
type SupervisorPing struct{}

// SupervisorReply answers every Supervisor* request. Err is nil on success.
type SupervisorReply struct {
	Err error
}

// SupervisorTimerKind says what a SupervisorTimer is for.
type SupervisorTimerKind int

const (
	// TimerStartTimeout: a service did not report its health in time
	// during the start sequence.
	TimerStartTimeout SupervisorTimerKind = iota + 1
	// TimerStopTimeout: a service did not terminate in time during a stop
	// sequence.
	TimerStopTimeout
	// TimerRespawn: the back-off after a service went down has elapsed.
	TimerRespawn
	// TimerRecover: the back-off after an Error caused by a critical
	// service has elapsed.
	TimerRecover
)

// SupervisorTimer is sent by the root supervisor to itself when one of its
// timers fires. Internal to the supervisor: no other actor sends it. ID
// identifies the timer so a stale one (cancelled, or from an earlier
// incarnation of the root) is ignored.
type SupervisorTimer struct {
	ID      uint64
	Kind    SupervisorTimerKind
	Service string
}
