package ledger

import (
	"errors"
	"path/filepath"
	"testing"
)

// openWith opens a fresh ledger under the money policy m.
func openWith(t *testing.T, m Money) *Ledger {
	t.Helper()
	return openAt(t, filepath.Join(t.TempDir(), "ledger"), Options{Money: &m})
}

// wantGrants checks the invariant (Verify) and the total of grants.
func wantGrants(t *testing.T, l *Ledger, total int64) Report {
	t.Helper()
	rep := verifyOK(t, l)
	if rep.TotalGrants != total {
		t.Fatalf("total grants %d, want %d", rep.TotalGrants, total)
	}
	return rep
}

func TestTreasuryAcceptsOnlyItsSignedGrants(t *testing.T) {
	treasury, impostor, alice := newPlayer("treasury"), newPlayer("impostor"), newPlayer("alice")
	l := openWith(t, Money{Treasury: treasury.id, PlayGrant: 1_000 * crap})

	valid := TreasuryGrant(treasury.priv, alice.id, 250*crap, 1)
	tampered := valid
	tampered.Amount = 250_000 * crap // the signature no longer covers it
	wrongKey := TreasuryGrant(impostor.priv, alice.id, 250*crap, 1)
	forgedName := wrongKey
	forgedName.Treasury = treasury.id // the impostor's signature under the treasury's name
	noSignature := valid
	noSignature.Signature = nil

	for _, tc := range []struct {
		name   string
		op     Op
		want   error
		reason string
	}{
		{"unsigned play-money grant", alice.grant(1_000 * crap), ErrGrantUnsigned, "unsigned"},
		{"treasury named, no signature", noSignature, ErrGrantUnsigned, "unsigned"},
		{"signed by another key", wrongKey, ErrGrantWrongTreasury, "wrong_treasury"},
		{"another key's signature under the treasury's name", forgedName, ErrBadSignature, "bad_signature"},
		{"tampered amount", tampered, ErrBadSignature, "bad_signature"},
	} {
		err := mustRefuse(t, l, tc.op, tc.want)
		if got := GrantRefusal(err); got != tc.reason {
			t.Errorf("%s: refusal counted as %q, want %q (%v)", tc.name, got, tc.reason, err)
		}
	}
	wantGrants(t, l, 0)

	mustApply(t, l, valid)
	wantBalance(t, l, WalletOf(alice.id), 250*crap)
	rep := wantGrants(t, l, 250*crap)
	if rep.Money != ModeTreasury || rep.TreasuryGrants[treasury.id] != 1 || rep.PlayMoneyGrants != 0 {
		t.Fatalf("report money %q, treasury grants %v, play-money grants %d", rep.Money, rep.TreasuryGrants, rep.PlayMoneyGrants)
	}
	if _, ok := (Money{Treasury: treasury.id, PlayGrant: crap}).GenesisGrant(alice.id); ok {
		t.Fatal("a treasury deployment derived a grant of its own")
	}
}

func TestTreasuryGrantIsIdempotentAndSerialsAddUp(t *testing.T) {
	treasury, alice := newPlayer("treasury"), newPlayer("alice")
	l := openWith(t, Money{Treasury: treasury.id})
	first := TreasuryGrant(treasury.priv, alice.id, 100*crap, 1)
	mustApply(t, l, first)
	hash := stateHash(t, l)
	a, err := apply(t, l, first)
	if err != nil || !a.Duplicate {
		t.Fatalf("second apply of one grant: %+v, %v; want a duplicate", a, err)
	}
	if stateHash(t, l) != hash {
		t.Fatal("a grant applied twice changed the ledger")
	}
	wantGrants(t, l, 100*crap)
	// Another serial is another grant: a top-up.
	mustApply(t, l, TreasuryGrant(treasury.priv, alice.id, 100*crap, 2))
	wantBalance(t, l, WalletOf(alice.id), 200*crap)
	wantGrants(t, l, 200*crap)

	grants, err := l.TreasuryGrants(10)
	if err != nil || len(grants) != 2 {
		t.Fatalf("TreasuryGrants: %d grants, %v; want 2", len(grants), err)
	}
	for _, g := range grants {
		if err := g.verifyTreasury(); err != nil {
			t.Fatalf("listed grant does not verify: %v", err)
		}
	}
}

func TestPlayMoneyGrantsAreDerivedAlikeAndTreasuryGrantsRefused(t *testing.T) {
	treasury, alice := newPlayer("treasury"), newPlayer("alice")
	policy := Money{PlayGrant: 1_000 * crap}
	// Two nodes of one deployment derive the very same op for alice.
	g1, ok1 := policy.GenesisGrant(alice.id)
	g2, ok2 := Money{PlayGrant: 1_000 * crap}.GenesisGrant(alice.id)
	if !ok1 || !ok2 || g1.ID() != g2.ID() {
		t.Fatalf("play-money grants differ across nodes: %+v %+v", g1, g2)
	}
	l := openWith(t, policy)
	mustApply(t, l, g1)
	if a, err := apply(t, l, g2); err != nil || !a.Duplicate {
		t.Fatalf("the same derived grant again: %+v %v; want a duplicate", a, err)
	}
	err := mustRefuse(t, l, TreasuryGrant(treasury.priv, alice.id, crap, 1), ErrGrantPlayMoney)
	if GrantRefusal(err) != "play_money" {
		t.Fatalf("refusal %q", GrantRefusal(err))
	}
	// A peer gossiping a bigger "grant" for a new identity is refused.
	bob := newPlayer("bob")
	mustRefuse(t, l, bob.grant(1_000_000*crap), ErrGrantPlayMoney)
	rep := wantGrants(t, l, 1_000*crap)
	if rep.Money != ModePlayMoney || rep.PlayMoneyGrants != 1 || len(rep.TreasuryGrants) != 0 {
		t.Fatalf("report money %q, play %d, treasury %v", rep.Money, rep.PlayMoneyGrants, rep.TreasuryGrants)
	}
}

// A store kept from play money and reopened under a treasury fails
// verification (the node halts on it at start); offline, with the
// deployment unknown, the same store verifies and the report says what
// grants it holds.
func TestVerifyNamesGrantsOutsideThePolicy(t *testing.T) {
	treasury, alice := newPlayer("treasury"), newPlayer("alice")
	dir := filepath.Join(t.TempDir(), "ledger")
	play := Money{PlayGrant: 10 * crap}
	l, err := Open(Options{Dir: dir, Money: &play})
	if err != nil {
		t.Fatal(err)
	}
	g, _ := play.GenesisGrant(alice.id)
	mustApply(t, l, g)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	l = openAt(t, dir, Options{Money: &Money{Treasury: treasury.id}})
	rep, err := l.Verify()
	if err != nil || rep.OK || len(rep.Problems) != 1 || rep.PlayMoneyGrants != 1 {
		t.Fatalf("verify under a treasury: ok %v, problems %q, %v", rep.OK, rep.Problems, err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	ro := openAt(t, dir, Options{ReadOnly: true})
	if rep := verifyOK(t, ro); rep.Money != "" || rep.PlayMoneyGrants != 1 || rep.TotalGrants != 10*crap {
		t.Fatalf("offline report: %+v", rep)
	}
}

func TestMoneyPolicyValidateNamesTheSetting(t *testing.T) {
	err := Money{Treasury: "not-a-key"}.Validate()
	if !errors.Is(err, ErrInvalidOp) || err == nil {
		t.Fatalf("bad treasury key: %v", err)
	}
	if err := (Money{PlayGrant: -1}).Validate(); err == nil {
		t.Fatal("negative play-money grant accepted")
	}
}
