package ledger

import (
	"strings"
	"testing"
)

func dissolveOp(table string, round uint64, bank int64, payouts ...Outcome) Op {
	return Op{Kind: KindDissolve, Table: table, Round: round, Amount: bank, Outcomes: payouts}
}

// settledTable is table() after round 1: alice won 50, bob lost 30, so
// alice holds 150 chips, bob 70 and the bank 4,980 CRAP.
func settledTable(t *testing.T) (l *Ledger, host, alice, bob player) {
	l, host, alice, bob = table(t)
	mustApply(t, l, settleOp("t1", 1, Outcome{alice.id, 50 * crap}, Outcome{bob.id, -30 * crap}))
	return l, host, alice, bob
}

func TestDissolveMovesChipsAndBankToWallets(t *testing.T) {
	l, host, alice, bob := settledTable(t)
	// Alice's open wagers are worth 10 more than their stakes, bob's 15
	// less: the bank pays the 10 and keeps the 15.
	op := dissolveOp("t1", 1, 4_985*crap, Outcome{alice.id, 160 * crap}, Outcome{bob.id, 55 * crap})
	mustApply(t, l, op)
	wantBalance(t, l, WalletOf(alice.id), 900*crap+160*crap)
	wantBalance(t, l, WalletOf(bob.id), 900*crap+55*crap)
	wantBalance(t, l, WalletOf(host.id), 5_000*crap+4_985*crap)
	for _, a := range []Account{ChipsOf("t1", alice.id), ChipsOf("t1", bob.id), BankOf("t1")} {
		wantBalance(t, l, a, 0)
	}
	info, _, err := l.Table("t1")
	if err != nil || !info.Dissolved || info.DissolvedRound != 1 || !info.Closed || info.Bank != 0 {
		t.Fatalf("table %+v, %v", info, err)
	}
	verifyOK(t, l)

	// Idempotent by id, as every op.
	if a, err := apply(t, l, op); err != nil || !a.Duplicate {
		t.Fatalf("the same dissolution again: %+v, %v; want a duplicate", a, err)
	}
	// The table is over: the caller re-derives the dissolution from a
	// later certificate instead of settling it.
	mustRefuse(t, l, settleOp("t1", 2, Outcome{alice.id, crap}), ErrTableDissolved)
	mustRefuse(t, l, host.fundBank("t1", crap, 2), ErrTableDissolved)
	mustRefuse(t, l, host.closeBank("t1", 2), ErrTableDissolved)
	mustRefuse(t, l, alice.cashOut("t1", crap, 2), ErrInsufficientFunds) // paid out already
	// A buy-in that crossed the dissolution is taken, as at a closed table
	// (replicas may see the two in either order), and can only go back.
	if _, err := apply(t, l, alice.buyIn("t1", crap, 2)); err != nil {
		t.Fatalf("a buy-in crossing the dissolution: %v", err)
	}
	if _, err := apply(t, l, alice.cashOut("t1", crap, 3)); err != nil {
		t.Fatalf("cashing that buy-in out: %v", err)
	}
	verifyOK(t, l)
}

func TestDissolveRefusesWhatDoesNotAddUp(t *testing.T) {
	l, _, alice, bob := settledTable(t)
	carol := newPlayer("carol")
	err := mustRefuse(t, l, dissolveOp("t1", 1, 4_985*crap, Outcome{alice.id, 160 * crap}, Outcome{bob.id, 55*crap + 1}), ErrNotConserved)
	// Named: the table and both sums, in micro-CRAP.
	for _, want := range []string{`"t1"`, "5200000001", "5200000000"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("refusal %q does not name %s", err, want)
		}
	}
	mustRefuse(t, l, dissolveOp("t1", 1, 0, Outcome{alice.id, -crap}), ErrInvalidOp)
	mustRefuse(t, l, dissolveOp("t1", 1, -crap), ErrInvalidOp)
	mustRefuse(t, l, Op{Kind: KindDissolve, Owner: alice.id, Table: "t1", Amount: 4_980 * crap}, ErrInvalidOp)
	mustRefuse(t, l, dissolveOp("t1", 1, 4_980*crap, Outcome{carol.id, 0}), ErrUnknownAccount)
	mustRefuse(t, l, dissolveOp("nowhere", 1, 0), ErrUnknownTable)
	// Settled through round 1: the state of round 0 is gone.
	mustRefuse(t, l, dissolveOp("t1", 0, 4_980*crap, Outcome{alice.id, 150 * crap}, Outcome{bob.id, 70 * crap}), ErrSuperseded)
	// A table its host closed is not dissolved.
	other := newPlayer("other host")
	mustApply(t, l, other.grant(crap), other.fundBank("t2", crap, 1), other.closeBank("t2", 2))
	mustRefuse(t, l, dissolveOp("t2", 0, 0), ErrTableClosed)
	verifyOK(t, l)
}

// TestDissolveLeavesUnnamedChipsForTheirCashOut: a player the dissolution
// does not name (a leaver whose cash-out has not arrived) keeps its chips
// and may still cash them out; the conservation covers the named ones.
func TestDissolveLeavesUnnamedChipsForTheirCashOut(t *testing.T) {
	l, _, alice, bob := settledTable(t)
	mustApply(t, l, dissolveOp("t1", 1, 4_980*crap, Outcome{alice.id, 150 * crap}))
	wantBalance(t, l, ChipsOf("t1", bob.id), 70*crap)
	mustApply(t, l, bob.cashOut("t1", 70*crap, 2))
	wantBalance(t, l, WalletOf(bob.id), 970*crap)
	verifyOK(t, l)
}

// TestDissolveAtALaterRoundReplacesTheEarlier: a node dissolved at round 1
// learns round 2's certificate and dissolves again there; every wallet
// moves by the difference, and the ledger replays to the same state.
func TestDissolveAtALaterRoundReplacesTheEarlier(t *testing.T) {
	l, host, alice, bob := settledTable(t)
	carol := newPlayer("carol")
	mustApply(t, l, carol.grant(100*crap), carol.buyIn("t1", 40*crap, 1)) // joins in round 2
	at1 := dissolveOp("t1", 1, 4_985*crap, Outcome{alice.id, 160 * crap}, Outcome{bob.id, 55 * crap})
	mustApply(t, l, at1)
	wantBalance(t, l, ChipsOf("t1", carol.id), 40*crap)
	// Round 2: alice's wagers lost 100, bob's won 20; carol sat down.
	at2 := dissolveOp("t1", 2, 5_065*crap, Outcome{alice.id, 60 * crap}, Outcome{bob.id, 75 * crap}, Outcome{carol.id, 40 * crap})
	mustApply(t, l, at2)
	wantBalance(t, l, WalletOf(alice.id), 900*crap+60*crap)
	wantBalance(t, l, WalletOf(bob.id), 900*crap+75*crap)
	wantBalance(t, l, WalletOf(carol.id), 100*crap)
	wantBalance(t, l, WalletOf(host.id), 5_000*crap+5_065*crap)
	wantBalance(t, l, ChipsOf("t1", carol.id), 0)
	if info, _, _ := l.Table("t1"); info.DissolvedRound != 2 {
		t.Fatalf("dissolved at round %d, want 2", info.DissolvedRound)
	}
	rep := verifyOK(t, l)
	if rep.ReplayStateHash != rep.StateHash {
		t.Fatalf("replay %s, store %s", rep.ReplayStateHash, rep.StateHash)
	}

	// The earlier round no longer applies: the same op is a duplicate,
	// another one for a passed round is refused.
	if a, err := apply(t, l, at1); err != nil || !a.Duplicate {
		t.Fatalf("round 1's dissolution again: %+v, %v; want a duplicate", a, err)
	}
	mustRefuse(t, l, dissolveOp("t1", 1, 5_200*crap), ErrSuperseded)
	mustRefuse(t, l, dissolveOp("t1", 2, 5_200*crap), ErrConflictingOp)
	// Round 3 would take 100 back from bob, who spent his wallet first.
	mustApply(t, l, host.fundBank("t9", crap, 2), bob.buyIn("t9", 950*crap, 2))
	err := mustRefuse(t, l, dissolveOp("t1", 3, 5_065*crap+100*crap, Outcome{alice.id, 60 * crap}, Outcome{bob.id, 75*crap - 100*crap}), ErrInvalidOp)
	if !strings.Contains(err.Error(), "outcomes[1].delta") {
		t.Fatalf("refusal %q does not name the negative payout", err)
	}
	err = mustRefuse(t, l, dissolveOp("t1", 3, 5_040*crap, Outcome{alice.id, 160 * crap}, Outcome{bob.id, 0}), ErrInsufficientFunds)
	if !strings.Contains(err.Error(), "round 2 by round 3") || !strings.Contains(err.Error(), string(bob.id)) {
		t.Fatalf("refusal %q does not say which dissolution and wallet", err)
	}
	verifyOK(t, l)
}

// TestDissolveNetsTheHostsTwoShares: a host that also plays at its table
// is checked once, on the net of its payout and the bank's: here its
// wagers turn out worth 50 more and the bank 50 less, with its wallet
// empty, which moves nothing.
func TestDissolveNetsTheHostsTwoShares(t *testing.T) {
	l, host, alice, _ := table(t)
	mustApply(t, l, host.buyIn("t1", 100*crap, 2))
	mustApply(t, l, dissolveOp("t1", 0, 5_000*crap, Outcome{alice.id, 100 * crap}, Outcome{host.id, 100 * crap}))
	wantBalance(t, l, WalletOf(host.id), 10_000*crap)
	mustApply(t, l, host.fundBank("t9", 10_000*crap, 3))
	mustApply(t, l, dissolveOp("t1", 1, 4_950*crap, Outcome{alice.id, 100 * crap}, Outcome{host.id, 150 * crap}))
	wantBalance(t, l, WalletOf(host.id), 0)
	verifyOK(t, l)
}
