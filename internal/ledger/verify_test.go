package ledger

import (
	"strings"
	"testing"

	"github.com/cockroachdb/pebble/v2"
)

// tamper builds a small ledger, closes it, changes its store with raw
// pebble, and returns Verify's report on the result.
func tamper(t *testing.T, change func(db *pebble.DB, alice player)) Report {
	t.Helper()
	dir := t.TempDir() + "/ledger"
	l, err := Open(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	host, alice := newPlayer("host"), newPlayer("alice")
	mustApply(t, l, host.grant(100*crap), alice.grant(100*crap), host.fundBank("t1", 50*crap, 1),
		alice.buyIn("t1", 10*crap, 1), settleOp("t1", 1, Outcome{alice.id, 2 * crap}))
	verifyOK(t, l)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := pebble.Open(dir, &pebble.Options{Logger: pebbleLogger{quietLogger()}})
	if err != nil {
		t.Fatal(err)
	}
	change(db, alice)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	l2 := openAt(t, dir, Options{})
	rep, err := l2.Verify()
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK || len(rep.Problems) == 0 {
		t.Fatalf("tampered store passes Verify: %+v", rep)
	}
	lastQuick, err = l2.CheckBalances()
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// lastQuick is CheckBalances' report on the last tampered store.
var lastQuick Report

func wantProblem(t *testing.T, rep Report, substr string) {
	t.Helper()
	for _, p := range rep.Problems {
		if strings.Contains(p, substr) {
			return
		}
	}
	t.Fatalf("no problem mentions %q: %q", substr, rep.Problems)
}

func TestVerifyDetectsAChangedBalance(t *testing.T) {
	rep := tamper(t, func(db *pebble.DB, alice player) {
		if err := db.Set(WalletOf(alice.id).key(), encodeI64(91*crap), pebble.Sync); err != nil {
			t.Fatal(err)
		}
	})
	wantProblem(t, rep, "Σ grants")
	wantProblem(t, rep, WalletOf(newPlayer("alice").id).String()+" differs")
	if lastQuick.OK {
		t.Fatal("CheckBalances passes a changed balance")
	}
	if rep.StateHash == rep.ReplayStateHash {
		t.Fatal("state hash and replay hash agree on a changed balance")
	}
}

func TestVerifyDetectsANegativeBalance(t *testing.T) {
	rep := tamper(t, func(db *pebble.DB, alice player) {
		b := db.NewBatch()
		_ = b.Set(WalletOf(alice.id).key(), encodeI64(-5), nil)
		_ = b.Set(ChipsOf("t1", alice.id).key(), encodeI64(102*crap+5), nil)
		if err := b.Commit(pebble.Sync); err != nil {
			t.Fatal(err)
		}
	})
	wantProblem(t, rep, "is negative")
}

func TestVerifyDetectsARemovedLogEntry(t *testing.T) {
	rep := tamper(t, func(db *pebble.DB, _ player) {
		if err := db.Delete(logKey(2), pebble.Sync); err != nil {
			t.Fatal(err)
		}
	})
	wantProblem(t, rep, "where entry 2 was expected")
}

func TestVerifyDetectsAForgedLogEntry(t *testing.T) {
	rep := tamper(t, func(db *pebble.DB, _ player) {
		v, closer, err := db.Get(logKey(3))
		if err != nil {
			t.Fatal(err)
		}
		e, err := decodeEntry(v)
		closer.Close()
		if err != nil {
			t.Fatal(err)
		}
		e.op.Amount++ // signature no longer matches
		if err := db.Set(logKey(3), encodeOpEntry(e.op), pebble.Sync); err != nil {
			t.Fatal(err)
		}
	})
	wantProblem(t, rep, "entry 3 does not replay")
	wantProblem(t, rep, "bad signature")
}

func TestVerifyDetectsMoneyNoOpExplains(t *testing.T) {
	rep := tamper(t, func(db *pebble.DB, _ player) {
		mallory := newPlayer("mallory")
		b := db.NewBatch()
		_ = b.Set(WalletOf(mallory.id).key(), encodeI64(crap), nil)
		_ = b.Set([]byte(keyGrants), encodeI64(201*crap), nil) // keep the sums right
		if err := b.Commit(pebble.Sync); err != nil {
			t.Fatal(err)
		}
	})
	wantProblem(t, rep, "which no op explains")
}

func TestCheckBalancesAgreesWithVerify(t *testing.T) {
	l, _, alice, _ := table(t)
	mustApply(t, l, alice.cashOut("t1", crap, 2))
	full := verifyOK(t, l)
	quick, err := l.CheckBalances()
	if err != nil || !quick.OK {
		t.Fatalf("CheckBalances: %+v, %v", quick, err)
	}
	if quick.StateHash != full.StateHash || quick.TotalGrants != full.TotalGrants || quick.Ops != full.Ops || quick.Accounts != full.Accounts {
		t.Fatalf("CheckBalances %+v disagrees with Verify %+v", quick, full)
	}
}

func TestVerifyDetectsAMissingDerivedKey(t *testing.T) {
	rep := tamper(t, func(db *pebble.DB, alice player) {
		if err := db.Delete(seqKey(alice.id), pebble.Sync); err != nil {
			t.Fatal(err)
		}
	})
	wantProblem(t, rep, "but the store does not")
	if !lastQuick.OK {
		t.Fatalf("CheckBalances flags a store whose balances are intact: %q", lastQuick.Problems)
	}
}
