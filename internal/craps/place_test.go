package craps

import (
	"strings"
	"testing"
)

func TestParseBet(t *testing.T) {
	for _, c := range []struct {
		name   string
		number int
		want   Bet
	}{
		{"pass", 0, Bet{Kind: KindPass}},
		{"Don't Pass", 0, Bet{Kind: KindDontPass}},
		{"place", 6, Bet{KindPlace, 6}},
		{"place_6", 0, Bet{KindPlace, 6}},
		{"place_6", 6, Bet{KindPlace, 6}},
		{"Place-To-Lose", 4, Bet{KindPlaceToLose, 4}},
		{"hard_8", 0, Bet{KindHard, 8}},
		{"hop", 25, Bet{KindHop, 25}},
		{"hop", 52, Bet{KindHop, 25}},
		{"hop_5_2", 0, Bet{KindHop, 25}},
		{"hop_3_3", 0, Bet{KindHop, 33}},
		{"yes_6", 0, Bet{KindYes, 6}},
		{"next", 11, Bet{KindNext, 11}},
		{"next_7", 0, Bet{KindNext, 7}},
		{"dont_come_odds", 9, Bet{KindDontComeOdds, 9}},
		{"pass_odds", 0, Bet{Kind: KindPassOdds}},
		{"c_and_e", 0, Bet{Kind: KindCAndE}},
		{"different_doubles", 0, Bet{Kind: KindDifferentDoubles}},
	} {
		got, err := ParseBet(c.name, c.number)
		if err != nil || got != c.want {
			t.Errorf("ParseBet(%q, %d) = %v, %v; want %v", c.name, c.number, got, err, c.want)
		}
	}
	for _, c := range []struct {
		name   string
		number int
		says   string
	}{
		{"roulette", 0, "roulette"},
		{"place", 7, "4,5,6,8,9,10"},
		{"place", 0, "needs a number"},
		{"pass", 6, "takes no number"},
		{"place_6", 8, "id says 6"},
		{"hard_5", 0, "4,6,8,10"},
		{"hop", 17, "11,12"},
		{"yes_7", 0, "yes needs a number"},
		{"place_x", 0, "malformed"},
		{"place", -1, "number -1"},
	} {
		_, err := ParseBet(c.name, c.number)
		wantErr(t, err, ErrUnknownBet)
		if !strings.Contains(err.Error(), c.says) {
			t.Errorf("ParseBet(%q, %d) error %q does not say %q", c.name, c.number, err, c.says)
		}
	}
}

// TestEveryBetIDRoundTrips: every id printed by `bitcraps rules` parses back.
func TestEveryBetIDRoundTrips(t *testing.T) {
	seen := map[string]bool{}
	for _, b := range AllBets() {
		id := b.ID()
		if seen[id] {
			t.Fatalf("duplicate id %s", id)
		}
		seen[id] = true
		got, err := ParseBet(id, 0)
		if err != nil || got != b {
			t.Fatalf("ParseBet(%q) = %v, %v; want %v", id, got, err, b)
		}
	}
	if len(seen) != 129 {
		t.Fatalf("%d bets in the catalog, want 129", len(seen))
	}
}

func TestPlacementErrors(t *testing.T) {
	rules := DefaultRules() // min 1 CRAP, max 1,000 CRAP, 3-4-5x
	fresh := func() State { return newTable(t, rules) }
	atPoint := func(p uint8) State { return tableAt(t, rules, p) }

	t.Run("unknown bet", func(t *testing.T) {
		_, _, err := PlaceBet(fresh(), alice, Bet{Kind: 99}, crap)
		wantErr(t, err, ErrUnknownBet)
		_, _, err = PlaceBet(fresh(), alice, Bet{KindPlace, 7}, crap)
		wantErr(t, err, ErrUnknownBet)
	})
	t.Run("not allowed in phase names the phase", func(t *testing.T) {
		_, _, err := PlaceBet(atPoint(6), alice, Bet{Kind: KindPass}, crap)
		wantErr(t, err, ErrNotAllowedInPhase)
		if !strings.Contains(err.Error(), "point phase (point 6)") {
			t.Fatalf("error %q does not name the phase", err)
		}
		_, _, err = PlaceBet(fresh(), alice, Bet{Kind: KindCome}, crap)
		wantErr(t, err, ErrNotAllowedInPhase)
		if !strings.Contains(err.Error(), "come-out phase") {
			t.Fatalf("error %q does not name the phase", err)
		}
		_, _, err = PlaceBet(atPoint(4), alice, Bet{Kind: KindFire}, crap)
		wantErr(t, err, ErrNotAllowedInPhase)
	})
	t.Run("below minimum", func(t *testing.T) {
		_, _, err := PlaceBet(fresh(), alice, Bet{Kind: KindField}, crap-1)
		wantErr(t, err, ErrBelowMinimum)
	})
	t.Run("above maximum, per spot", func(t *testing.T) {
		_, _, err := PlaceBet(fresh(), alice, Bet{Kind: KindField}, 1000*crap+1)
		wantErr(t, err, ErrAboveMaximum)
		s, _ := mustPlace(t, fresh(), alice, Bet{KindPlace, 6}, 600*crap)
		_, _, err = PlaceBet(s, alice, Bet{KindPlace, 6}, 401*crap)
		wantErr(t, err, ErrAboveMaximum)
		s, _ = mustPlace(t, s, alice, Bet{KindPlace, 6}, 400*crap)  // exactly the maximum
		s, _ = mustPlace(t, s, alice, Bet{KindPlace, 8}, 1000*crap) // another spot
		mustPlace(t, s, bob, Bet{KindPlace, 6}, 1000*crap)          // another player
	})
	t.Run("invalid stake", func(t *testing.T) {
		_, _, err := PlaceBet(fresh(), alice, Bet{Kind: KindField}, 0)
		wantErr(t, err, ErrInvalidAmount)
		_, _, err = PlaceBet(fresh(), alice, Bet{Kind: KindField}, -5)
		wantErr(t, err, ErrInvalidAmount)
	})
	t.Run("not seated", func(t *testing.T) {
		_, _, err := PlaceBet(fresh(), "carol", Bet{Kind: KindField}, crap)
		wantErr(t, err, ErrNotSeated)
	})
	t.Run("insufficient chips", func(t *testing.T) {
		s, err := NewState(rules, bigBank)
		if err != nil {
			t.Fatal(err)
		}
		s, _ = Seat(s, alice, 5*crap)
		_, _, err = PlaceBet(s, alice, Bet{Kind: KindField}, 6*crap)
		wantErr(t, err, ErrInsufficientChips)
	})
	t.Run("odds without a line bet", func(t *testing.T) {
		_, _, err := PlaceBet(atPoint(6), alice, Bet{Kind: KindPassOdds}, crap)
		wantErr(t, err, ErrOddsWithoutLineBet)
		_, _, err = PlaceBet(atPoint(6), alice, Bet{KindComeOdds, 8}, crap)
		wantErr(t, err, ErrOddsWithoutLineBet)
		// Bob's line bet does not back alice's odds.
		s := fresh()
		s, _ = mustPlace(t, s, bob, Bet{Kind: KindPass}, 10*crap)
		s, _ = mustApply(t, s, rollOf(6))
		_, _, err = PlaceBet(s, alice, Bet{Kind: KindPassOdds}, crap)
		wantErr(t, err, ErrOddsWithoutLineBet)
	})
	t.Run("odds multiple 3-4-5x and lay 6x", func(t *testing.T) {
		for _, c := range []struct {
			point    uint8
			take     Micros // most take odds behind 10 flat
			lay      Micros // most lay odds behind 10 flat
			lineKind BetKind
		}{{4, 30, 60, 0}, {5, 40, 60, 0}, {6, 50, 60, 0}, {8, 50, 60, 0}, {9, 40, 60, 0}, {10, 30, 60, 0}} {
			s := fresh()
			s, _ = mustPlace(t, s, alice, Bet{Kind: KindPass}, 10*crap)
			s, _ = mustPlace(t, s, bob, Bet{Kind: KindDontPass}, 10*crap)
			s, _ = mustApply(t, s, rollOf(int(c.point)))
			if _, _, err := PlaceBet(s, alice, Bet{Kind: KindPassOdds}, c.take*crap+1); err == nil {
				t.Fatalf("point %d: took odds above %d", c.point, c.take)
			} else {
				wantErr(t, err, ErrOddsTooHigh)
			}
			s2, _ := mustPlace(t, s, alice, Bet{Kind: KindPassOdds}, c.take*crap-crap)
			_, _, err := PlaceBet(s2, alice, Bet{Kind: KindPassOdds}, 2*crap) // the sum counts
			wantErr(t, err, ErrOddsTooHigh)
			mustPlace(t, s2, alice, Bet{Kind: KindPassOdds}, crap)
			_, _, err = PlaceBet(s, bob, Bet{Kind: KindDontPassOdds}, c.lay*crap+1)
			wantErr(t, err, ErrOddsTooHigh)
			mustPlace(t, s, bob, Bet{Kind: KindDontPassOdds}, c.lay*crap)
		}
	})
	t.Run("odds may go below the minimum", func(t *testing.T) {
		s := fresh()
		s, _ = mustPlace(t, s, alice, Bet{Kind: KindPass}, 10*crap)
		s, _ = mustApply(t, s, rollOf(6))
		mustPlace(t, s, alice, Bet{Kind: KindPassOdds}, 1)
	})
	t.Run("bank cannot cover", func(t *testing.T) {
		s, err := NewState(rules, 100*crap)
		if err != nil {
			t.Fatal(err)
		}
		s, _ = Seat(s, alice, 1000*crap)
		s, _ = mustPlace(t, s, alice, Bet{Kind: KindAces}, 3*crap)   // worst case 90
		_, _, err = PlaceBet(s, alice, Bet{Kind: KindField}, 6*crap) // worst case 90 + 18
		wantErr(t, err, ErrBankCannotCover)
		mustPlace(t, s, alice, Bet{Kind: KindField}, 3*crap)      // 90 + 9 fits
		_, _, err = PlaceBet(s, alice, Bet{Kind: KindFire}, crap) // 999:1
		wantErr(t, err, ErrBankCannotCover)
	})
	t.Run("too many wagers", func(t *testing.T) {
		r := rules
		r.MaxWagersPerPlayer = 2
		s := newTable(t, r)
		s, _ = mustPlace(t, s, alice, Bet{Kind: KindField}, crap)
		s, _ = mustPlace(t, s, alice, Bet{Kind: KindField}, crap)
		_, _, err := PlaceBet(s, alice, Bet{Kind: KindField}, crap)
		wantErr(t, err, ErrTooManyWagers)
	})
}

func TestPlaceBetsIsAtomic(t *testing.T) {
	s := newTable(t, DefaultRules())
	hash := s.Hash()
	_, _, err := PlaceBets(s, []Order{
		{Player: alice, Bet: Bet{Kind: KindPass}, Stake: 5 * crap},
		{Player: bob, Bet: Bet{Kind: KindCome}, Stake: 5 * crap}, // not on the come-out
	})
	wantErr(t, err, ErrNotAllowedInPhase)
	if !strings.Contains(err.Error(), "order 1") {
		t.Fatalf("error %q does not name the order", err)
	}
	if s.Hash() != hash || len(s.Wagers()) != 0 {
		t.Fatal("a failed PlaceBets changed the state")
	}
	ns, ws, err := PlaceBets(s, []Order{
		{Player: alice, Bet: Bet{Kind: KindPass}, Stake: 5 * crap},
		{Player: bob, Bet: Bet{Kind: KindDontPass}, Stake: 7 * crap},
	})
	if err != nil || len(ws) != 2 || ws[0].Seq != 1 || ws[1].Seq != 2 {
		t.Fatalf("PlaceBets: %v %+v", err, ws)
	}
	if c, _ := ns.Chips(bob); c != 1_000_000*crap-7*crap {
		t.Fatalf("bob has %d chips", c)
	}
	if totalMoney(ns) != totalMoney(s) {
		t.Fatal("placing bets changed the money at the table")
	}
}

func TestTakeDown(t *testing.T) {
	s := newTable(t, DefaultRules())
	s, pass := mustPlace(t, s, alice, Bet{Kind: KindPass}, 10*crap)
	s, dp := mustPlace(t, s, bob, Bet{Kind: KindDontPass}, 10*crap)
	// Before the point both may come down.
	if _, _, err := TakeDown(s, alice, pass.Seq); err != nil {
		t.Fatalf("pass before the point: %v", err)
	}
	s, _ = mustApply(t, s, rollOf(8))
	_, _, err := TakeDown(s, alice, pass.Seq)
	wantErr(t, err, ErrContractBet)
	if !strings.Contains(err.Error(), "point 8") {
		t.Fatalf("error %q does not name the point", err)
	}
	s, odds := mustPlace(t, s, bob, Bet{Kind: KindDontPassOdds}, 12*crap)
	_, _, err = TakeDown(s, bob, dp.Seq)
	wantErr(t, err, ErrOddsAttached)
	_, _, err = TakeDown(s, alice, dp.Seq) // not alice's
	wantErr(t, err, ErrNoSuchWager)
	s, o, err := TakeDown(s, bob, odds.Seq)
	if err != nil || o.Result != Returned || o.ChipsDelta() != 12*crap {
		t.Fatalf("odds take-down: %v %+v", err, o)
	}
	before := totalMoney(s)
	s, _, err = TakeDown(s, bob, dp.Seq)
	if err != nil {
		t.Fatalf("don't pass without odds: %v", err)
	}
	if totalMoney(s) != before || len(s.WagersOf(bob)) != 0 {
		t.Fatal("take-down lost money or left the wager")
	}
}

func TestRulesValidate(t *testing.T) {
	if err := DefaultRules().Validate(); err != nil {
		t.Fatalf("default rules: %v", err)
	}
	for _, c := range []struct {
		name   string
		mutate func(*Rules)
	}{
		{"min bet", func(r *Rules) { r.MinBet = 0 }},
		{"max bet", func(r *Rules) { r.MaxBet = r.MinBet - 1 }},
		{"max bet", func(r *Rules) { r.MaxBet = MaxBetLimit + 1 }},
		{"max odds", func(r *Rules) { r.MaxOdds.SixEight = 0 }},
		{"field twelve", func(r *Rules) { r.FieldTwelvePays = 4 }},
		{"max players", func(r *Rules) { r.MaxPlayers = 0 }},
		{"max wagers", func(r *Rules) { r.MaxWagersPerPlayer = 5000 }},
	} {
		name, mutate := c.name, c.mutate
		r := DefaultRules()
		mutate(&r)
		err := r.Validate()
		wantErr(t, err, ErrInvalidRules)
		if !strings.Contains(err.Error(), name) {
			t.Errorf("%s: error %q does not name the setting", name, err)
		}
		if _, err := NewState(r, 0); err == nil {
			t.Errorf("%s: NewState accepted invalid rules", name)
		}
	}
}

func TestSeatsAndChips(t *testing.T) {
	r := DefaultRules()
	r.MaxPlayers = 2
	s := newTable(t, r)
	_, err := Seat(s, "carol", crap)
	wantErr(t, err, ErrTableFull)
	_, err = Seat(s, alice, crap)
	wantErr(t, err, ErrAlreadySeated)
	_, err = Seat(s, "", crap)
	wantErr(t, err, ErrInvalidPlayer)
	s2, err := AddChips(s, alice, 5*crap)
	if c, _ := s2.Chips(alice); err != nil || c != 1_000_005*crap {
		t.Fatalf("add chips: %v, %d", err, c)
	}
	_, err = CashOut(s, alice, 1_000_001*crap)
	wantErr(t, err, ErrInsufficientChips)
	s3, err := CashOut(s, alice, crap)
	if c, _ := s3.Chips(alice); err != nil || c != 999_999*crap {
		t.Fatalf("cash out: %v, %d", err, c)
	}
	s4, _ := mustPlace(t, s, alice, Bet{Kind: KindAces}, 10*crap) // liability 300
	_, err = WithdrawBank(s4, bigBank-299*crap)
	wantErr(t, err, ErrBankCannotCover)
	if _, err = WithdrawBank(s4, bigBank-300*crap); err != nil {
		t.Fatalf("withdraw down to the liability: %v", err)
	}
	if s5, err := FundBank(s, crap); err != nil || s5.Bank() != bigBank+crap {
		t.Fatalf("fund bank: %v", err)
	}
}

func TestExposure(t *testing.T) {
	s := newTable(t, DefaultRules())
	s, _ = mustPlace(t, s, alice, Bet{Kind: KindPass}, 10*crap)
	s, _ = mustPlace(t, s, bob, Bet{Kind: KindDontPass}, 10*crap)
	s, _ = mustPlace(t, s, alice, Bet{Kind: KindAny7}, 2*crap)
	if got := Liability(s); got != 28*crap {
		t.Fatalf("liability %d, want 28 CRAP (10 + 10 + 8)", got)
	}
	// Next roll worst case: a 7 pays pass 10 and any 7 8, collects don't pass 10.
	if got := RoundExposure(s); got != 8*crap {
		t.Fatalf("round exposure %d, want 8 CRAP", got)
	}
}

func TestMoneyAtTheTableCannotOverflow(t *testing.T) {
	s, err := NewState(DefaultRules(), 1<<62)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Seat(s, alice, 1<<62)
	wantErr(t, err, ErrInvalidAmount)
	s, err = Seat(s, alice, 1<<61)
	if err != nil {
		t.Fatal(err)
	}
	_, err = AddChips(s, alice, 1<<61)
	wantErr(t, err, ErrInvalidAmount)
	_, err = FundBank(s, 1<<61)
	wantErr(t, err, ErrInvalidAmount)
}
