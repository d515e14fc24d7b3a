package ledger

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

const crap = 1_000_000

// table sets up a funded table "t1" hosted by host, with alice and bob
// granted 1,000 CRAP each and bought in for 100 CRAP each.
func table(t *testing.T) (l *Ledger, host, alice, bob player) {
	l = openTemp(t)
	host, alice, bob = newPlayer("host"), newPlayer("alice"), newPlayer("bob")
	mustApply(t, l,
		host.grant(10_000*crap), alice.grant(1_000*crap), bob.grant(1_000*crap),
		host.fundBank("t1", 5_000*crap, 1),
		alice.buyIn("t1", 100*crap, 1), bob.buyIn("t1", 100*crap, 1),
	)
	return l, host, alice, bob
}

func TestGrantCreatesMoneyOnce(t *testing.T) {
	l := openTemp(t)
	alice := newPlayer("alice")
	mustApply(t, l, alice.grant(1_000*crap))
	wantBalance(t, l, WalletOf(alice.id), 1_000*crap)
	rep := verifyOK(t, l)
	if rep.TotalGrants != 1_000*crap || rep.TotalWallets != 1_000*crap {
		t.Fatalf("grants %d wallets %d, want both %d", rep.TotalGrants, rep.TotalWallets, 1_000*crap)
	}
	err := mustRefuse(t, l, alice.grant(2_000*crap), ErrConflictingOp)
	if !strings.Contains(err.Error(), "genesis grant") {
		t.Fatalf("error %q does not say why", err)
	}
}

func TestBuyInMovesWalletToChips(t *testing.T) {
	l, _, alice, _ := table(t)
	wantBalance(t, l, WalletOf(alice.id), 900*crap)
	wantBalance(t, l, ChipsOf("t1", alice.id), 100*crap)
	h, err := l.Holdings(alice.id)
	if err != nil || h.Wallet != 900*crap || h.Chips["t1"] != 100*crap || len(h.Chips) != 1 {
		t.Fatalf("holdings %+v, %v", h, err)
	}
	mustRefuse(t, l, alice.buyIn("nowhere", crap, 2), ErrUnknownTable)
	verifyOK(t, l)
}

func TestCashOutMovesChipsToWallet(t *testing.T) {
	l, _, alice, _ := table(t)
	mustApply(t, l, alice.cashOut("t1", 40*crap, 2))
	wantBalance(t, l, WalletOf(alice.id), 940*crap)
	wantBalance(t, l, ChipsOf("t1", alice.id), 60*crap)
	verifyOK(t, l)
}

func TestFundBankOnlyByHost(t *testing.T) {
	l, host, alice, _ := table(t)
	mustApply(t, l, host.fundBank("t1", 1_000*crap, 2))
	wantBalance(t, l, BankOf("t1"), 6_000*crap)
	wantBalance(t, l, WalletOf(host.id), 4_000*crap)
	mustRefuse(t, l, alice.fundBank("t1", crap, 2), ErrNotHost)
	info, found, err := l.Table("t1")
	if err != nil || !found || info.Host != host.id || info.Bank != 6_000*crap || info.Closed {
		t.Fatalf("table %+v found=%v err=%v", info, found, err)
	}
	verifyOK(t, l)
}

func TestCloseBankReturnsBankAndClosesTable(t *testing.T) {
	l, host, alice, bob := table(t)
	mustRefuse(t, l, alice.closeBank("t1", 2), ErrNotHost)
	mustApply(t, l, host.closeBank("t1", 2))
	wantBalance(t, l, BankOf("t1"), 0)
	wantBalance(t, l, WalletOf(host.id), 10_000*crap)
	mustRefuse(t, l, host.fundBank("t1", crap, 3), ErrTableClosed)
	mustRefuse(t, l, settleOp("t1", 1, Outcome{alice.id, crap}), ErrTableClosed)
	mustApply(t, l, alice.cashOut("t1", 100*crap, 2)) // players can still leave
	// A buy-in that crossed the closing applies (replicas may see the two
	// in either order) and can only go back to the wallet.
	mustApply(t, l, bob.buyIn("t1", crap, 2))
	mustRefuse(t, l, settleOp("t1", 2, Outcome{bob.id, crap}), ErrTableClosed)
	mustApply(t, l, bob.cashOut("t1", 101*crap, 3))
	wantBalance(t, l, ChipsOf("t1", bob.id), 0)
	verifyOK(t, l)
}

// A buy-in and the host's closing of its table cross on the network:
// replicas that apply them in either order reach one state.
func TestBuyInAndCloseBankCommute(t *testing.T) {
	l1, host, _, bob := table(t)
	l2, _, _, _ := table(t)
	buy, closing := bob.buyIn("t1", 7*crap, 2), host.closeBank("t1", 2)
	mustApply(t, l1, buy, closing)
	mustApply(t, l2, closing, buy)
	h1, err1 := l1.StateHash()
	h2, err2 := l2.StateHash()
	if err1 != nil || err2 != nil || h1 != h2 {
		t.Fatalf("state hashes %s (%v) and %s (%v), want one", h1, err1, h2, err2)
	}
	verifyOK(t, l1)
	verifyOK(t, l2)
}

func TestSettleMovesChipsAndBank(t *testing.T) {
	l, _, alice, bob := table(t)
	mustApply(t, l, settleOp("t1", 1, Outcome{bob.id, -30 * crap}, Outcome{alice.id, 50 * crap}))
	wantBalance(t, l, ChipsOf("t1", alice.id), 150*crap)
	wantBalance(t, l, ChipsOf("t1", bob.id), 70*crap)
	wantBalance(t, l, BankOf("t1"), 5_000*crap-20*crap)
	info, _, _ := l.Table("t1")
	if info.LastRound != 1 {
		t.Fatalf("last round %d, want 1", info.LastRound)
	}
	// The same result listed in another order is the same op.
	a, err := apply(t, l, settleOp("t1", 1, Outcome{alice.id, 50 * crap}, Outcome{bob.id, -30 * crap}))
	if err != nil || !a.Duplicate {
		t.Fatalf("reordered settlement: %+v, %v; want a duplicate", a, err)
	}
	mustRefuse(t, l, settleOp("t1", 1, Outcome{alice.id, crap}), ErrConflictingOp)
	mustRefuse(t, l, settleOp("t1", 2, Outcome{bob.id, -71 * crap}), ErrInsufficientFunds)
	mustRefuse(t, l, settleOp("t1", 2, Outcome{alice.id, 5_000 * crap}), ErrInsufficientFunds)
	mustRefuse(t, l, settleOp("t1", 2, Outcome{newPlayer("carol").id, crap}), ErrUnknownAccount)
	mustRefuse(t, l, settleOp("nowhere", 1, Outcome{alice.id, crap}), ErrUnknownTable)
	verifyOK(t, l)
}

type rejectRound struct{ round uint64 }

func (r rejectRound) VerifyCertificate(op Op) error {
	if op.Round == r.round {
		return errors.New("quorum too small")
	}
	return nil
}

func TestSettleChecksCertificate(t *testing.T) {
	l := openAt(t, t.TempDir()+"/ledger", Options{Certificates: rejectRound{round: 2}})
	host, alice := newPlayer("host"), newPlayer("alice")
	mustApply(t, l, host.grant(100*crap), alice.grant(100*crap), host.fundBank("t1", 50*crap, 1), alice.buyIn("t1", 10*crap, 1))
	mustApply(t, l, settleOp("t1", 1, Outcome{alice.id, crap}))
	err := mustRefuse(t, l, settleOp("t1", 2, Outcome{alice.id, crap}), ErrBadCertificate)
	if !strings.Contains(err.Error(), "quorum too small") {
		t.Fatalf("error %q hides the verifier's reason", err)
	}
}

func TestApplyingTwiceIsANoOp(t *testing.T) {
	l, host, alice, bob := table(t)
	ops := []Op{
		host.grant(10_000 * crap), alice.buyIn("t1", 100*crap, 1),
		settleOp("t1", 1, Outcome{alice.id, 5 * crap}, Outcome{bob.id, -5 * crap}),
		alice.cashOut("t1", crap, 2), host.fundBank("t1", crap, 2), host.closeBank("t1", 3),
	}
	for _, op := range ops {
		first, err := apply(t, l, op)
		if err != nil {
			t.Fatalf("%s: %v", op.Kind, err)
		}
		h := stateHash(t, l)
		again, err := apply(t, l, op)
		if err != nil || !again.Duplicate || again.ID != first.ID || again.Index != first.Index {
			t.Fatalf("%s applied twice: %+v, %v; want a duplicate of %+v", op.Kind, again, err, first)
		}
		if h2 := stateHash(t, l); h2 != h {
			t.Fatalf("%s applied twice changed the state hash", op.Kind)
		}
	}
	verifyOK(t, l)
}

// One round's result under another quorum's certificate is the same
// settlement: a no-op, never a second payment.
func TestSameSettlementUnderAnotherCertificateIsADuplicate(t *testing.T) {
	l, _, alice, _ := table(t)
	s := settleOp("t1", 1, Outcome{alice.id, crap})
	mustApply(t, l, s)
	other := s
	other.Certificate = []byte("another quorum")
	if other.ID() != s.ID() {
		t.Fatal("the certificate must not be part of the id")
	}
	a, err := apply(t, l, other)
	if err != nil || !a.Duplicate {
		t.Fatalf("another certificate of the same settlement: %+v, %v; want a duplicate", a, err)
	}
	wantBalance(t, l, ChipsOf("t1", alice.id), 100*crap+crap)
	verifyOK(t, l)
}

func TestNegativeBalancesAreRefused(t *testing.T) {
	l, _, alice, _ := table(t)
	err := mustRefuse(t, l, alice.buyIn("t1", 901*crap, 2), ErrInsufficientFunds)
	for _, want := range []string{WalletOf(alice.id).String(), fmt.Sprint(900 * crap), fmt.Sprint(901 * crap)} {
		if !strings.Contains(err.Error(), want) {
			t.Fatalf("error %q lacks %q", err, want)
		}
	}
	mustRefuse(t, l, alice.cashOut("t1", 101*crap, 2), ErrInsufficientFunds)
	// A refused op does not use up its sequence number.
	if next, err := l.NextSeq(alice.id); err != nil || next != 2 {
		t.Fatalf("next seq %d, %v; want 2", next, err)
	}
	mustApply(t, l, alice.buyIn("t1", 900*crap, 2))
	wantBalance(t, l, WalletOf(alice.id), 0)
	verifyOK(t, l)
}

func TestEquivocationFreezesTheOwner(t *testing.T) {
	l, _, alice, _ := table(t)
	first := alice.buyIn("t1", 10*crap, 2)
	mustApply(t, l, first)
	second := alice.cashOut("t1", 10*crap, 2)
	err := mustRefuse(t, l, second, ErrEquivocation)
	if !strings.Contains(err.Error(), "frozen") || !strings.Contains(err.Error(), string(alice.id)) {
		t.Fatalf("error %q does not say who is frozen", err)
	}
	if frozen, err := l.Frozen(alice.id); err != nil || !frozen {
		t.Fatalf("frozen = %v, %v", frozen, err)
	}
	ev, err := l.Evidence()
	if err != nil || len(ev) != 1 {
		t.Fatalf("evidence %+v, %v; want one", ev, err)
	}
	if ev[0].Owner != alice.id || ev[0].Seq != 2 || ev[0].First.ID() != first.ID() || ev[0].Second.ID() != second.ID() {
		t.Fatalf("evidence %+v does not hold the two ops", ev[0])
	}
	mustRefuse(t, l, alice.cashOut("t1", crap, 3), ErrFrozen)
	if a, err := apply(t, l, first); err != nil || !a.Duplicate {
		t.Fatalf("re-applying an applied op of a frozen owner: %+v, %v", a, err)
	}
	// Certified results still settle a frozen player's chips: the quorum,
	// not the owner, authorised them.
	mustApply(t, l, settleOp("t1", 1, Outcome{alice.id, -crap}))
	rep := verifyOK(t, l)
	if rep.Evidence != 1 {
		t.Fatalf("report counts %d evidence, want 1", rep.Evidence)
	}
}

func TestSignedOpsAreCheckedForSeqAndSignature(t *testing.T) {
	l, _, alice, bob := table(t)
	mustRefuse(t, l, alice.buyIn("t1", crap, 3), ErrSequenceGap)
	forged := bob.buyIn("t1", crap, 2)
	forged.Owner = alice.id // bob's signature on alice's account
	mustRefuse(t, l, forged, ErrBadSignature)
	tampered := alice.buyIn("t1", crap, 2)
	tampered.Amount = 2 * crap
	mustRefuse(t, l, tampered, ErrBadSignature)
}

func TestMalformedOpsNameTheField(t *testing.T) {
	l := openTemp(t)
	alice := newPlayer("alice")
	cases := []struct {
		op    Op
		field string
	}{
		{Op{Kind: 99}, "kind"},
		{Op{Kind: KindGrant, Owner: "ABC", Amount: 1}, "owner"},
		{Op{Kind: KindGrant, Owner: alice.id}, "amount"},
		{Op{Kind: KindGrant, Owner: alice.id, Amount: MaxAmount + 1}, "amount"},
		{Op{Kind: KindGrant, Owner: alice.id, Amount: 1, Table: "t1"}, "table"},
		{Op{Kind: KindBuyIn, Owner: alice.id, Table: "t/1", Amount: 1, Seq: 1}, "table"},
		{Op{Kind: KindBuyIn, Owner: alice.id, Table: "t1", Amount: 1}, "seq"},
		{Op{Kind: KindBuyIn, Owner: alice.id, Table: "t1", Amount: 1, Seq: 1}, "signature"},
		{alice.closeBank("t1", 1), ""},
		{Op{Kind: KindSettle, Table: "t1", Outcomes: []Outcome{{alice.id, 1}}, Certificate: []byte("c")}, "round"},
		{Op{Kind: KindSettle, Table: "t1", Round: 1, Certificate: []byte("c")}, "outcomes"},
		{Op{Kind: KindSettle, Table: "t1", Round: 1, Outcomes: []Outcome{{alice.id, 1}}}, "certificate"},
		{Op{Kind: KindSettle, Table: "t1", Round: 1, Outcomes: []Outcome{{alice.id, 1}, {alice.id, 2}}, Certificate: []byte("c")}, "appears twice"},
		{Op{Kind: KindSettle, Table: "t1", Round: 1, Outcomes: []Outcome{{alice.id, 1}}, Certificate: []byte("c"), Amount: 5}, "amount"},
	}
	for _, c := range cases {
		_, err := apply(t, l, c.op)
		if c.field == "" {
			if errors.Is(err, ErrInvalidOp) {
				t.Errorf("%+v: refused as malformed: %v", c.op, err)
			}
			continue
		}
		if !errors.Is(err, ErrInvalidOp) || !strings.Contains(err.Error(), c.field) {
			t.Errorf("%+v: got %v, want ErrInvalidOp naming %q", c.op, err, c.field)
		}
	}
}

func TestStatePersistsAcrossReopen(t *testing.T) {
	dir := t.TempDir() + "/ledger"
	l, err := Open(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	alice, host := newPlayer("alice"), newPlayer("host")
	mustApply(t, l, alice.grant(10*crap), host.grant(10*crap), host.fundBank("t1", crap, 1), alice.buyIn("t1", crap, 1))
	h := stateHash(t, l)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Balance(WalletOf(alice.id)); !errors.Is(err, ErrClosed) {
		t.Fatalf("read after close: %v, want ErrClosed", err)
	}
	l2 := openAt(t, dir, Options{})
	if h2 := stateHash(t, l2); h2 != h {
		t.Fatalf("state hash %s after reopen, want %s", h2, h)
	}
	if next, _ := l2.NextSeq(alice.id); next != 2 {
		t.Fatalf("next seq %d after reopen, want 2", next)
	}
	verifyOK(t, l2)
}

func TestHaltRefusesWrites(t *testing.T) {
	l, _, alice, _ := table(t)
	l.Halt("test says so")
	_, err := apply(t, l, alice.buyIn("t1", crap, 2))
	if !errors.Is(err, ErrHalted) || !strings.Contains(err.Error(), "test says so") {
		t.Fatalf("write after halt: %v", err)
	}
	if _, err := l.Balance(WalletOf(alice.id)); err != nil {
		t.Fatalf("reads must go on after a halt: %v", err)
	}
}

func TestOnAppliedSeesEveryNewOpInLogOrder(t *testing.T) {
	var seen []uint64
	var evidence []Evidence
	l := openAt(t, t.TempDir()+"/ledger", Options{
		OnApplied:  func(a Applied) { seen = append(seen, a.Index) },
		OnEvidence: func(e Evidence) { evidence = append(evidence, e) },
	})
	alice, host := newPlayer("alice"), newPlayer("host")
	mustApply(t, l, alice.grant(10*crap), alice.grant(10*crap), host.grant(10*crap), host.fundBank("t1", crap, 1))
	_, _ = apply(t, l, host.fundBank("t1", 2*crap, 1))
	if len(seen) != 3 || seen[0] != 0 || seen[1] != 1 || seen[2] != 2 {
		t.Fatalf("OnApplied saw indexes %v, want [0 1 2] (no duplicate)", seen)
	}
	if len(evidence) != 1 || evidence[0].Index != 3 {
		t.Fatalf("OnEvidence saw %+v, want one at index 3", evidence)
	}
}
