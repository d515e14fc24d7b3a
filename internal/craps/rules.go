package craps

import "fmt"

// OddsMultiple is the most a player may take in odds behind a Pass or Come
// bet, as a multiple of the flat bet, by point. Lay odds behind Don't Pass
// and Don't Come are capped so that their win does not exceed the same
// multiple of the flat bet (at 3-4-5x that is a lay of 6x on every point,
// the casino convention).
type OddsMultiple struct {
	FourTen  uint8 // points 4 and 10
	FiveNine uint8 // points 5 and 9
	SixEight uint8 // points 6 and 8
}

// For returns the multiple for a point.
func (o OddsMultiple) For(point uint8) int64 {
	switch point {
	case 4, 10:
		return int64(o.FourTen)
	case 5, 9:
		return int64(o.FiveNine)
	case 6, 8:
		return int64(o.SixEight)
	}
	return 0
}

// String renders "3-4-5x".
func (o OddsMultiple) String() string {
	return fmt.Sprintf("%d-%d-%dx", o.FourTen, o.FiveNine, o.SixEight)
}

// Rules are a table's settings. They are part of the state (and its hash),
// so every replica settles under the same rules.
type Rules struct {
	// MinBet is the smallest stake on any bet except odds (casinos let odds
	// go below the minimum because they carry no house edge).
	MinBet Micros
	// MaxBet is the most one player may have on one spot of the layout.
	// Odds are capped by MaxOdds instead.
	MaxBet Micros
	// MaxOdds caps odds bets.
	MaxOdds OddsMultiple
	// FieldTwelvePays is the Field payout on 12, 2 or 3 (to 1).
	FieldTwelvePays uint8
	// WorkingOnComeOut turns on Place, Buy and Hardway bets and the odds on
	// Come bets during come-out rolls. Off is the casino convention.
	WorkingOnComeOut bool
	// MaxPlayers is the number of seats.
	MaxPlayers int
	// MaxWagersPerPlayer bounds one player's open wagers (and so the
	// size of the state and of every settlement).
	MaxWagersPerPlayer int
}

// Limits on rules. They keep every single product (a stake times a payout
// ratio) far inside an int64; sums of amounts are overflow-checked as well.
const (
	// MaxBetLimit is the largest allowed MaxBet: 10 million CRAP.
	MaxBetLimit     Micros = 10_000_000 * MicrosPerCRAP
	maxOddsMultiple        = 100
	maxPlayersLimit        = 255
	maxWagersLimit         = 4096
)

// DefaultRules are the settings of a table created without overrides.
func DefaultRules() Rules {
	return Rules{
		// 1 CRAP: large enough that rounding a payout down (at most one
		// micro-unit) costs a player at most one millionth of the stake.
		MinBet: 1 * MicrosPerCRAP,
		// 1,000 CRAP: a 1000:1 spread like a casino's $5-$5,000 table.
		MaxBet: 1_000 * MicrosPerCRAP,
		// 3-4-5x: the most common odds offer; full odds then win 6x the
		// flat bet on every point, which keeps the bank's worst case simple.
		MaxOdds: OddsMultiple{FourTen: 3, FiveNine: 4, SixEight: 5},
		// 3:1 on 12 is the common Field (house edge 2.778%; 2:1 gives 5.556%).
		FieldTwelvePays: 3,
		// Off on the come-out is what players expect from a casino.
		WorkingOnComeOut: false,
		// 16 seats: a full casino table has 14-16 player positions.
		MaxPlayers: 16,
		// 64 wagers: every number covered several ways with room to spare,
		// while a settlement stays a few kilobytes.
		MaxWagersPerPlayer: 64,
	}
}

// Validate reports the first setting out of range, naming it.
func (r Rules) Validate() error {
	switch {
	case r.MinBet < 1:
		return fmt.Errorf("min bet %d micro-CRAP must be at least 1: %w", r.MinBet, ErrInvalidRules)
	case r.MaxBet < r.MinBet:
		return fmt.Errorf("max bet %d below min bet %d: %w", r.MaxBet, r.MinBet, ErrInvalidRules)
	case r.MaxBet > MaxBetLimit:
		return fmt.Errorf("max bet %d above the limit %d: %w", r.MaxBet, MaxBetLimit, ErrInvalidRules)
	case !oddsInRange(r.MaxOdds):
		return fmt.Errorf("max odds %s: each multiple must be 1..%d: %w", r.MaxOdds, maxOddsMultiple, ErrInvalidRules)
	case r.FieldTwelvePays != 2 && r.FieldTwelvePays != 3:
		return fmt.Errorf("field twelve pays %d:1, must be 2 or 3: %w", r.FieldTwelvePays, ErrInvalidRules)
	case r.MaxPlayers < 1 || r.MaxPlayers > maxPlayersLimit:
		return fmt.Errorf("max players %d must be 1..%d: %w", r.MaxPlayers, maxPlayersLimit, ErrInvalidRules)
	case r.MaxWagersPerPlayer < 1 || r.MaxWagersPerPlayer > maxWagersLimit:
		return fmt.Errorf("max wagers per player %d must be 1..%d: %w", r.MaxWagersPerPlayer, maxWagersLimit, ErrInvalidRules)
	}
	return nil
}

func oddsInRange(o OddsMultiple) bool {
	for _, m := range []uint8{o.FourTen, o.FiveNine, o.SixEight} {
		if m < 1 || m > maxOddsMultiple {
			return false
		}
	}
	return true
}
