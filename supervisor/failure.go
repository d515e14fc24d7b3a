package supervisor

import (
	"fmt"
	"log/slog"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/bitcraps/bitcraps/messages"
)

var _ actor.SupervisorStrategy = (*rootActor)(nil)

// HandleFailure is the root's one-for-one strategy. protoactor calls it on
// the root's mailbox goroutine (it is a system message of the root), so it
// may use the root's state. rs is the failing child's own statistics, kept
// across restarts, so the budget is per child: MaxRestarts within Within.
func (a *rootActor) HandleFailure(system *actor.ActorSystem, sup actor.Supervisor, child *actor.PID,
	rs *actor.RestartStatistics, reason any, _ any) {
	i := a.indexOfPID(child)
	if i < 0 || a.services[i].wantStop || !a.restartsAllowed() {
		// Not ours to keep alive: unknown, already being stopped, or the
		// node is not serving.
		decide(system, sup, child, reason, actor.StopDirective)
		return
	}
	s := a.services[i]
	rs.Fail()
	if s.spec.MaxRestarts == 0 || rs.NumberOfFailures(s.spec.Within) > s.spec.MaxRestarts {
		rs.Reset()
		s.exhausted = true
		s.exhaustedReason = fmt.Sprintf("restart budget exhausted (%d restarts within %s); last failure: %v",
			s.spec.MaxRestarts, s.spec.Within, reason)
		a.setStatus(s, messages.Unavailable, s.exhaustedReason, true)
		a.log.Error("service restart budget exhausted; stopping it", slog.String("service", s.spec.Name), slog.Any("failure", reason))
		decide(system, sup, child, reason, actor.StopDirective)
		a.publish(nil)
		return
	}
	s.restarts++
	a.h.metrics.countRestart(s.spec.Name)
	a.log.Warn("service failed; restarting it", slog.String("service", s.spec.Name), slog.Any("failure", reason), slog.Int("restarts", s.restarts))
	a.audit(AuditServiceRestart, a.serviceEvent(s, fmt.Sprint(reason)))
	decide(system, sup, child, reason, actor.RestartDirective)
	a.publish(nil)
}

func (a *rootActor) restartsAllowed() bool {
	switch a.machine.State() {
	case ServicesStarting, Running, Degraded:
		return true
	}
	return false
}

// decide applies a directive and publishes it on the event stream as
// protoactor's own strategies do, so event-stream subscribers still see it.
func decide(system *actor.ActorSystem, sup actor.Supervisor, child *actor.PID, reason any, d actor.Directive) {
	system.EventStream.Publish(&actor.SupervisorEvent{Child: child, Reason: reason, Directive: d})
	if d == actor.RestartDirective {
		sup.RestartChildren(child)
		return
	}
	sup.StopChildren(child)
}
