package craps

import (
	"encoding/hex"
	"testing"
)

// scenario is a fixed little game: seats, bets of several kinds, a point,
// a travelled come bet and bonus progress.
func scenario(t testing.TB) State {
	s := newTable(t, DefaultRules())
	s, _ = mustPlace(t, s, alice, Bet{Kind: KindPass}, 10*crap)
	s, _ = mustPlace(t, s, bob, Bet{Kind: KindFire}, 2*crap)
	s, _ = mustPlace(t, s, bob, Bet{Kind: KindBonusAll}, 3*crap)
	s, _ = mustApply(t, s, roll(4, 2))
	s, _ = mustPlace(t, s, alice, Bet{Kind: KindPassOdds}, 50*crap)
	s, _ = mustPlace(t, s, bob, Bet{Kind: KindCome}, 5*crap)
	s, _ = mustApply(t, s, roll(5, 5))
	s, _ = mustPlace(t, s, bob, Bet{KindComeOdds, 10}, 15*crap)
	s, _ = mustPlace(t, s, alice, Bet{KindHop, 25}, crap)
	return s
}

// TestStateHashGolden pins the canonical encoding: a change here means
// replicas running different versions would sign different hashes.
func TestStateHashGolden(t *testing.T) {
	h := scenario(t).Hash()
	const want = "55f4c0bc125e5fa769f02ce15bbc382eca3f160c64630f9d97d3936a4d2d247c"
	if got := hex.EncodeToString(h[:]); got != want {
		t.Fatalf("scenario hash %s, want %s", got, want)
	}
}

func TestEncodingRoundTrip(t *testing.T) {
	s := scenario(t)
	enc, _ := s.MarshalBinary()
	var d State
	if err := d.UnmarshalBinary(enc); err != nil {
		t.Fatal(err)
	}
	enc2, _ := d.MarshalBinary()
	if string(enc) != string(enc2) || d.Hash() != s.Hash() {
		t.Fatal("round trip changed the encoding")
	}
	if d.Phase() != Point || d.Point() != 6 || len(d.Wagers()) != 7 || d.Shooter() != alice || d.Rolls() != 2 {
		t.Fatalf("decoded %+v", d)
	}
	// A decoded state plays on exactly like the original.
	a, _ := mustApply(t, s, roll(3, 3))
	b, _ := mustApply(t, d, roll(3, 3))
	if a.Hash() != b.Hash() {
		t.Fatal("decoded state settles differently")
	}
}

func TestEncodingRejectsDamage(t *testing.T) {
	s := scenario(t)
	enc, _ := s.MarshalBinary()
	for n := 0; n < len(enc); n++ {
		var d State
		if err := d.UnmarshalBinary(enc[:n]); err == nil {
			t.Fatalf("accepted a truncation to %d of %d bytes", n, len(enc))
		}
	}
	var d State
	wantErr(t, d.UnmarshalBinary(append(enc, 0)), ErrBadEncoding)
	bad := append([]byte(nil), enc...)
	bad[4] = 2 // version
	wantErr(t, d.UnmarshalBinary(bad), ErrBadEncoding)

	for name, mutate := range map[string]func(*State){
		"point on the come-out":    func(s *State) { s.phase, s.point = ComeOut, 6 },
		"point 7":                  func(s *State) { s.point = 7 },
		"bank below liability":     func(s *State) { s.bank = Liability(*s) - 1 },
		"wager of a stranger":      func(s *State) { s.wagers[0].Player = "mallory" },
		"wagers out of order":      func(s *State) { s.wagers[0].Seq, s.wagers[1].Seq = s.wagers[1].Seq, s.wagers[0].Seq },
		"seq from the future":      func(s *State) { s.wagers[len(s.wagers)-1].Seq = s.nextSeq },
		"unknown bet kind":         func(s *State) { s.wagers[0].Bet.Kind = 200 },
		"place on 7":               func(s *State) { s.wagers[len(s.wagers)-1].Bet = Bet{KindPlace, 7} },
		"zero stake":               func(s *State) { s.wagers[0].Stake = 0 },
		"shooter not seated":       func(s *State) { s.shooter = "mallory" },
		"duplicate player":         func(s *State) { s.seats[1].ID = s.seats[0].ID },
		"negative chips":           func(s *State) { s.seats[0].Chips = -1 },
		"invalid rules":            func(s *State) { s.rules.FieldTwelvePays = 9 },
		"last roll without a roll": func(s *State) { s.rolls = 0 },
	} {
		m := s.clone()
		mutate(&m)
		enc, _ := m.MarshalBinary()
		var d State
		if err := d.UnmarshalBinary(enc); err == nil {
			t.Errorf("%s: accepted", name)
		} else {
			wantErr(t, err, ErrBadEncoding)
		}
	}
}

func TestApplyDoesNotChangeItsInput(t *testing.T) {
	s := scenario(t)
	h := s.Hash()
	for _, r := range allRolls {
		if _, _, err := Apply(s, r); err != nil {
			t.Fatal(err)
		}
		if _, _, err := PlaceBet(s, alice, Bet{Kind: KindField}, crap); err != nil {
			t.Fatal(err)
		}
	}
	if s.Hash() != h {
		t.Fatal("Apply or PlaceBet changed the state it was given")
	}
}

func BenchmarkApply(b *testing.B) {
	s := scenario(b)
	dice := NewDiceStream([32]byte{1})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_, _, _ = Apply(s, dice.Roll())
	}
}
