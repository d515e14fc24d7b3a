package supervisor

import (
	"errors"
	"fmt"
)

// AppState is the application state of a node. The root supervisor's
// behavior is this state machine: it has one receive method per state.
type AppState int32

const (
	Uninitialized AppState = iota
	Initializing
	ServicesStarting
	Running
	Degraded
	Stopping
	Stopped
	Error
)

// numStates bounds the valid AppState values: [0, numStates).
const numStates = int(Error) + 1

var (
	// ErrIllegalTransition: the requested transition is not one of the
	// legal ones; the state did not change.
	ErrIllegalTransition = errors.New("illegal application state transition")
	// ErrUnknownState: a state name that is not one of the AppStates.
	ErrUnknownState = errors.New("unknown application state")
)

var stateNames = [numStates]string{
	Uninitialized:    "Uninitialized",
	Initializing:     "Initializing",
	ServicesStarting: "ServicesStarting",
	Running:          "Running",
	Degraded:         "Degraded",
	Stopping:         "Stopping",
	Stopped:          "Stopped",
	Error:            "Error",
}

// String is the name used in logs, metrics labels and /health.
func (s AppState) String() string {
	if s.valid() {
		return stateNames[s]
	}
	return fmt.Sprintf("AppState(%d)", int32(s))
}

// MarshalText makes AppState a readable name in JSON.
func (s AppState) MarshalText() ([]byte, error) {
	if !s.valid() {
		return nil, fmt.Errorf("marshal %s: %w", s, ErrUnknownState)
	}
	return []byte(s.String()), nil
}

// UnmarshalText accepts the names String returns.
func (s *AppState) UnmarshalText(b []byte) error {
	v, err := ParseAppState(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

func (s AppState) valid() bool { return s >= 0 && int(s) < numStates }

// ParseAppState returns the state with the given name (as String prints it).
func ParseAppState(name string) (AppState, error) {
	for i, n := range stateNames {
		if n == name {
			return AppState(i), nil
		}
	}
	return 0, fmt.Errorf("state %q: %w", name, ErrUnknownState)
}

// AllStates lists every state in declaration order.
func AllStates() []AppState {
	out := make([]AppState, numStates)
	for i := range out {
		out[i] = AppState(i)
	}
	return out
}

// legal holds every legal transition except "→ Error", which is legal from
// every other state. ServicesStarting → Stopping is legal so that a signal
// arriving while services start stops them cleanly instead of being lost.
var legal = map[AppState][]AppState{
	Uninitialized:    {Initializing},
	Initializing:     {ServicesStarting},
	ServicesStarting: {Running, Stopping},
	Running:          {Degraded, Stopping},
	Degraded:         {Running, Stopping},
	Stopping:         {Stopped},
	Error:            {Initializing},
}

// CanTransition reports whether from → to is legal. Error → Error is not:
// a transition changes the state.
func CanTransition(from, to AppState) bool {
	if !from.valid() || !to.valid() {
		return false
	}
	if to == Error {
		return from != Error
	}
	for _, t := range legal[from] {
		if t == to {
			return true
		}
	}
	return false
}

// Machine is the pure application state machine: no actors, clocks or
// goroutines. It is not safe for concurrent use; the root actor owns it.
type Machine struct {
	state       AppState
	transitions uint64
}

// NewMachine returns a machine in Uninitialized.
func NewMachine() *Machine { return &Machine{state: Uninitialized} }

// State is the current state.
func (m *Machine) State() AppState { return m.state }

// Transitions counts the legal transitions applied so far.
func (m *Machine) Transitions() uint64 { return m.transitions }

// Transition moves to the given state if that is legal; otherwise it returns
// an error wrapping ErrIllegalTransition and leaves the state unchanged.
func (m *Machine) Transition(to AppState) error {
	if !CanTransition(m.state, to) {
		return fmt.Errorf("%w: %s -> %s", ErrIllegalTransition, m.state, to)
	}
	m.state = to
	m.transitions++
	return nil
}
