package ledger

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/bitcraps/bitcraps/internal/identity"
)

// player is a test identity that signs its own ops.
type player struct {
	priv ed25519.PrivateKey
	id   identity.PeerID
}

func newPlayer(seed string) player {
	s := sha256.Sum256([]byte(seed))
	priv := ed25519.NewKeyFromSeed(s[:])
	return player{priv: priv, id: identity.PeerIDOf(priv.Public().(ed25519.PublicKey))}
}

func (p player) signed(op Op) Op {
	op.Owner = p.id
	op.Sign(p.priv)
	return op
}

func (p player) grant(amount int64) Op { return Op{Kind: KindGrant, Owner: p.id, Amount: amount} }

func (p player) buyIn(table string, amount int64, seq uint64) Op {
	return p.signed(Op{Kind: KindBuyIn, Table: table, Amount: amount, Seq: seq})
}

func (p player) cashOut(table string, amount int64, seq uint64) Op {
	return p.signed(Op{Kind: KindCashOut, Table: table, Amount: amount, Seq: seq})
}

func (p player) fundBank(table string, amount int64, seq uint64) Op {
	return p.signed(Op{Kind: KindFundBank, Table: table, Amount: amount, Seq: seq})
}

func (p player) closeBank(table string, seq uint64) Op {
	return p.signed(Op{Kind: KindCloseBank, Table: table, Seq: seq})
}

func settleOp(table string, round uint64, outcomes ...Outcome) Op {
	return Op{Kind: KindSettle, Table: table, Round: round, Outcomes: outcomes, Certificate: []byte("cert")}
}

func openTemp(t testing.TB) *Ledger {
	t.Helper()
	return openAt(t, filepath.Join(t.TempDir(), "ledger"), Options{})
}

func openAt(t testing.TB, dir string, opts Options) *Ledger {
	t.Helper()
	opts.Dir = dir
	l, err := Open(opts)
	if err != nil {
		t.Fatalf("open ledger at %s: %v", dir, err)
	}
	t.Cleanup(func() {
		if err := l.Close(); err != nil {
			t.Errorf("close ledger: %v", err)
		}
	})
	return l
}

func apply(t testing.TB, l *Ledger, op Op) (Applied, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return l.Apply(ctx, op)
}

func mustApply(t testing.TB, l *Ledger, ops ...Op) {
	t.Helper()
	for _, op := range ops {
		if _, err := apply(t, l, op); err != nil {
			t.Fatalf("apply %s: %v", op.Kind, err)
		}
	}
}

func mustRefuse(t testing.TB, l *Ledger, op Op, want error) error {
	t.Helper()
	before := stateHash(t, l)
	_, err := apply(t, l, op)
	if !errors.Is(err, want) {
		t.Fatalf("apply %s: got error %v, want %v", op.Kind, err, want)
	}
	if after := stateHash(t, l); after != before && !errors.Is(want, ErrEquivocation) {
		t.Fatalf("refused %s op changed the state hash %s → %s", op.Kind, before, after)
	}
	return err
}

func balance(t testing.TB, l *Ledger, a Account) int64 {
	t.Helper()
	b, err := l.Balance(a)
	if err != nil {
		t.Fatalf("balance of %s: %v", a, err)
	}
	return b
}

func wantBalance(t testing.TB, l *Ledger, a Account, want int64) {
	t.Helper()
	if got := balance(t, l, a); got != want {
		t.Fatalf("%s = %d, want %d", a, got, want)
	}
}

func stateHash(t testing.TB, l *Ledger) string {
	t.Helper()
	h, err := l.StateHash()
	if err != nil {
		t.Fatalf("state hash: %v", err)
	}
	return h
}

// verifyOK runs Verify and fails the test on any problem.
func verifyOK(t testing.TB, l *Ledger) Report {
	t.Helper()
	rep, err := l.Verify()
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if !rep.OK {
		t.Fatalf("verify found problems: %q", rep.Problems)
	}
	return rep
}

func quietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
