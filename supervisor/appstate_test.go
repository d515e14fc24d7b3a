package supervisor

import (
	"encoding/json"
	"errors"
	"flag"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

var seedFlag = flag.Uint64("seed", 0, "seed for the randomized tests (0: time-based)")

// testSeed returns the seed and prints it if the test fails, so a failure
// can be replayed with -seed.
func testSeed(t *testing.T) uint64 {
	t.Helper()
	seed := *seedFlag
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("replay with: go test ./supervisor -run '^%s$' -seed %d", t.Name(), seed)
		}
	})
	return seed
}

// oracle is DESIGN.md's list of legal transitions, written out by hand
// independently of the implementation's table.
var oracle = map[string]bool{
	"Uninitialized>Initializing":    true,
	"Initializing>ServicesStarting": true,
	"ServicesStarting>Running":      true,
	"ServicesStarting>Stopping":     true, // a signal during start
	"Running>Degraded":              true,
	"Degraded>Running":              true,
	"Running>Stopping":              true,
	"Degraded>Stopping":             true,
	"Stopping>Stopped":              true,
	"Uninitialized>Error":           true,
	"Initializing>Error":            true,
	"ServicesStarting>Error":        true,
	"Running>Error":                 true,
	"Degraded>Error":                true,
	"Stopping>Error":                true,
	"Stopped>Error":                 true,
	"Error>Initializing":            true,
}

func oracleLegal(from, to AppState) bool { return oracle[from.String()+">"+to.String()] }

// candidates includes two values that are no state at all.
var candidates = append(AllStates(), AppState(-1), AppState(numStates))

func TestCanTransitionMatchesOracleExhaustively(t *testing.T) {
	legalCount := 0
	for _, from := range candidates {
		for _, to := range candidates {
			if got, want := CanTransition(from, to), oracleLegal(from, to); got != want {
				t.Errorf("CanTransition(%s, %s) = %v, want %v", from, to, got, want)
			}
			if CanTransition(from, to) {
				legalCount++
			}
		}
	}
	if legalCount != len(oracle) {
		t.Errorf("%d legal transitions, the design lists %d", legalCount, len(oracle))
	}
}

// Property: for random sequences of requested states, legal requests are
// applied, illegal ones are refused with ErrIllegalTransition naming both
// states and leave the state unchanged, and the counter equals the number
// of legal moves.
func TestMachinePropertyRandomSequences(t *testing.T) {
	seed := testSeed(t)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	visited := map[AppState]bool{}
	for seq := 0; seq < 500; seq++ {
		m := NewMachine()
		legalMoves := uint64(0)
		for step := 0; step < 60; step++ {
			// Bias towards legal moves so deep states are reached.
			to := candidates[rng.IntN(len(candidates))]
			if next := legalFrom(m.State()); len(next) > 0 && rng.IntN(3) > 0 {
				to = next[rng.IntN(len(next))]
			}
			from := m.State()
			err := m.Transition(to)
			if oracleLegal(from, to) {
				if err != nil {
					t.Fatalf("seq %d step %d: legal %s -> %s refused: %v", seq, step, from, to, err)
				}
				legalMoves++
				if m.State() != to {
					t.Fatalf("seq %d step %d: state %s after %s -> %s", seq, step, m.State(), from, to)
				}
			} else {
				if !errors.Is(err, ErrIllegalTransition) {
					t.Fatalf("seq %d step %d: illegal %s -> %s: err %v", seq, step, from, to, err)
				}
				if !strings.Contains(err.Error(), from.String()) || !strings.Contains(err.Error(), to.String()) {
					t.Fatalf("error %q does not name %s and %s", err, from, to)
				}
				if m.State() != from {
					t.Fatalf("seq %d step %d: illegal %s -> %s changed state to %s", seq, step, from, to, m.State())
				}
			}
			if m.Transitions() != legalMoves {
				t.Fatalf("seq %d step %d: counter %d, legal moves %d", seq, step, m.Transitions(), legalMoves)
			}
			visited[m.State()] = true
		}
	}
	if len(visited) != numStates {
		t.Fatalf("the random walk visited only %d of %d states: the property was not exercised", len(visited), numStates)
	}
}

func legalFrom(s AppState) []AppState {
	var out []AppState
	for _, to := range AllStates() {
		if oracleLegal(s, to) {
			out = append(out, to)
		}
	}
	return out
}

func TestStateNamesRoundTrip(t *testing.T) {
	for _, s := range AllStates() {
		got, err := ParseAppState(s.String())
		if err != nil || got != s {
			t.Errorf("ParseAppState(%q) = %v, %v", s.String(), got, err)
		}
		b, err := json.Marshal(s)
		if err != nil || string(b) != `"`+s.String()+`"` {
			t.Errorf("json.Marshal(%s) = %s, %v", s, b, err)
		}
		var back AppState
		if err := json.Unmarshal(b, &back); err != nil || back != s {
			t.Errorf("json.Unmarshal(%s) = %v, %v", b, back, err)
		}
	}
	if _, err := ParseAppState("running"); !errors.Is(err, ErrUnknownState) {
		t.Errorf("ParseAppState(running) err = %v, want ErrUnknownState (names are exact)", err)
	}
	if _, err := json.Marshal(AppState(42)); err == nil {
		t.Error("marshalling AppState(42) succeeded")
	}
}

func TestBackoffDoublesUpToMax(t *testing.T) {
	cases := []struct {
		n    int
		want time.Duration
	}{{1, time.Second}, {2, 2 * time.Second}, {3, 4 * time.Second}, {6, 30 * time.Second}, {100, 30 * time.Second}}
	for _, c := range cases {
		if got := backoff(c.n, time.Second, 30*time.Second); got != c.want {
			t.Errorf("backoff(%d) = %s, want %s", c.n, got, c.want)
		}
	}
}
