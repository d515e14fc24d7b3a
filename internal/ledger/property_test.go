package ledger

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
)

// sentinels a model answer can be.
var allSentinels = []error{
	ErrInvalidOp, ErrBadSignature, ErrBadCertificate, ErrInsufficientFunds, ErrFrozen, ErrEquivocation,
	ErrConflictingOp, ErrSequenceGap, ErrUnknownTable, ErrTableClosed, ErrNotHost, ErrUnknownAccount, ErrOverflow,
	ErrTableDissolved, ErrSuperseded, ErrNotConserved,
}

func sentinelOf(err error) error {
	for _, s := range allSentinels {
		if errors.Is(err, s) {
			return s
		}
	}
	return err
}

// checkModel is the cheap invariant, run after every op: Σ balances = Σ
// grants and nothing negative.
func checkModel(t *testing.T, l *Ledger, m *model, ctx string) {
	t.Helper()
	var sum int64
	for a, want := range m.bal {
		got := balance(t, l, a)
		if got != want {
			t.Fatalf("%s: %s = %d, model says %d", ctx, a, got, want)
		}
		if got < 0 {
			t.Fatalf("%s: %s is negative: %d", ctx, a, got)
		}
		sum += got
	}
	if sum != m.grants {
		t.Fatalf("%s: Σ balances %d ≠ Σ grants %d", ctx, sum, m.grants)
	}
}

// TestRandomOpSequencesKeepTheInvariant drives the ledger with seeded
// random op streams (valid and not) and checks every answer against the
// model, the invariant after every op, a full Verify every 10 ops, and that
// replaying from empty gives the same state hash.
func TestRandomOpSequencesKeepTheInvariant(t *testing.T) {
	for seed := uint64(1); seed <= 4; seed++ {
		t.Run(fmt.Sprint("seed=", seed), func(t *testing.T) {
			runSequence(t, seed, 250)
		})
	}
}

func runSequence(t *testing.T, seed uint64, n int) {
	l := openTemp(t)
	m := newModel()
	g := newOpGen(seed, m)
	var accepted []Op
	var answers []error
	for i := range n {
		op := g.next()
		ctx := fmt.Sprintf("seed %d op %d (%s)", seed, i, op.Kind)
		wantDup, want := m.step(op)
		a, err := apply(t, l, op)
		if sentinelOf(err) != want || (err == nil && a.Duplicate != wantDup) {
			t.Fatalf("%s: ledger says (dup=%v, %v), model says (dup=%v, %v)", ctx, a.Duplicate, err, wantDup, want)
		}
		answers = append(answers, sentinelOf(err))
		if err == nil && !a.Duplicate {
			accepted = append(accepted, op)
		}
		checkModel(t, l, m, ctx)
		if i%10 == 9 {
			verifyOK(t, l)
		}
	}
	rep := verifyOK(t, l)
	if rep.StateHash != rep.ReplayStateHash {
		t.Fatalf("seed %d: replay hash %s ≠ state hash %s", seed, rep.ReplayStateHash, rep.StateHash)
	}
	replayAll(t, seed, g.history, answers, rep.StateHash)
	replayAccepted(t, seed, accepted, rep.StateHash)
}

// replayAll feeds the whole stream to a fresh ledger: same answers, same
// hash (the ledger is deterministic).
func replayAll(t *testing.T, seed uint64, ops []Op, answers []error, hash string) {
	l := openTemp(t)
	for i, op := range ops {
		_, err := apply(t, l, op)
		if sentinelOf(err) != answers[i] {
			t.Fatalf("seed %d replay op %d: %v, first time %v", seed, i, err, answers[i])
		}
	}
	if h := stateHash(t, l); h != hash {
		t.Fatalf("seed %d: full replay hash %s ≠ %s", seed, h, hash)
	}
}

// replayAccepted applies only the accepted ops from empty: same hash.
func replayAccepted(t *testing.T, seed uint64, ops []Op, hash string) {
	l := openTemp(t)
	for i, op := range ops {
		if _, err := apply(t, l, op); err != nil {
			t.Fatalf("seed %d: accepted op %d refused on replay: %v", seed, i, err)
		}
	}
	if h := stateHash(t, l); h != hash {
		t.Fatalf("seed %d: replay of accepted ops hash %s ≠ %s", seed, h, hash)
	}
	verifyOK(t, l)
}

// TestConcurrentWritersKeepTheInvariant has writers race on shared tables
// (each signing as its own players, so their seqs stay their own).
func TestConcurrentWritersKeepTheInvariant(t *testing.T) {
	l := openTemp(t)
	const writers, perWriter = 8, 60
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g := newOpGen(uint64(100+w), newModel())
			for range perWriter {
				op := g.next()
				_, err := l.Apply(context.Background(), op)
				if errors.Is(err, ErrBusy) || errors.Is(err, ErrHalted) || isInternal(err) {
					t.Errorf("writer %d: %v", w, err)
					return
				}
				if err == nil {
					g.m.step(op) // keep the writer's seqs roughly right
				}
			}
		}()
	}
	wg.Wait()
	verifyOK(t, l)
}
