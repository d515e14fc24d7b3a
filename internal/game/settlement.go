package game

import (
	"fmt"

	"github.com/bitcraps/bitcraps/internal/bft"
)

// Settlement is what a certified round did to the table's money: the
// ledger's Settle op (Outcomes, the bank moving by BankDelta), the leavers
// to cash out, and the per-bet events for the live feed. It is derived
// deterministically from the certificate and the state it builds on, so
// every node derives the same one.
type Settlement struct {
	TableID string `json:"table_id"`
	Round   uint64 `json:"round"`
	Void    bool   `json:"void"`
	// Dissolved: the round dissolved the table (a dissolve payload): no
	// dice, nothing moved; the ledger's Dissolve op at this round pays out.
	Dissolved bool     `json:"dissolved,omitempty"`
	Dice      [2]int   `json:"dice"` // zero in a void round
	Prev      bft.Hash `json:"prev_state_hash"`
	StateHash bft.Hash `json:"state_hash"`
	// Outcomes has one entry per player seated when the round started
	// (leavers and withholders included), sorted by player, zero deltas
	// included, so every certified round makes a valid Settle op. Delta is
	// the change of the player's ledger chips (chips in hand + stakes).
	Outcomes []PlayerDelta `json:"outcomes"`
	// BankDelta is the bank's change: -Σ Outcomes[i].Delta.
	BankDelta int64 `json:"bank_delta"`
	// Leavers were unseated by this round, in seat order: they cash out
	// Chips (their whole ledger chips at the table after this round).
	Leavers []Leaver `json:"leavers,omitempty"`
	// Joiners were seated by this round (join payloads), in order: they
	// play from the next round. Their chips are already at the table in
	// the ledger (their BuyIn op), so they move nothing here.
	Joiners []SeatChips `json:"joiners,omitempty"`
	// Events are the round's per-bet results in the order they happened: the
	// payloads in bft order (placed, taken down, a leaver's wagers returned;
	// in a void round refunded or forfeited), then the roll's outcome of
	// every wager open at the roll, or in a void round the withholders'
	// wagers returned or forfeited as they are unseated.
	Events []Event `json:"events"`
}

// PlayerDelta is one player's net result: ledger.Outcome{Player, Delta}.
type PlayerDelta struct {
	Player string `json:"player"` // peer ID (lowercase hex)
	Delta  int64  `json:"delta"`  // micro-CRAP; > 0: bank → chips
}

// LeaveReason says why a player was unseated.
type LeaveReason string

// Leave reasons.
const (
	// LeftTable: the player's "leave" payload.
	LeftTable LeaveReason = "leave"
	// Withheld: the player withheld its reveal and the round was void.
	Withheld LeaveReason = "withheld"
	// Silent: the others unseated the player by an unseat payload.
	Silent LeaveReason = "silent"
)

// Leaver is a player unseated by a round.
type Leaver struct {
	Player string      `json:"player"`
	Chips  int64       `json:"chips"`
	Reason LeaveReason `json:"reason"`
}

// Event results, beyond craps's win/lose/push/stays/returned.
const (
	ResultPlaced    = "placed"     // a bet payload placed on the layout
	ResultTakenDown = "taken_down" // returned by a take-down payload
	ResultRefunded  = "refunded"   // a payload of a void round, not applied
	ResultForfeited = "forfeited"  // lost to the bank without a roll (void, unseating)
	ResultReturned  = "returned"   // returned when the player was unseated
)

// Event is one bet's result in a round, for the live feed.
type Event struct {
	Player string `json:"player"`
	Bet    string `json:"bet"`              // craps bet id: "place_6", "come_8", "pass"
	Type   string `json:"type"`             // craps kind id: "place"
	Number int    `json:"number,omitempty"` // the bet's number
	Wager  uint64 `json:"wager,omitempty"`  // craps wager sequence, once placed
	// Result: "win", "lose", "push", "stays" (after the roll), or one of
	// the ResultXxx values.
	Result string `json:"result"`
	Stake  int64  `json:"stake"`
	// Amount is the event's effect on the player's ledger chips: the win
	// on a win, minus the stake on a loss or forfeit, zero otherwise.
	Amount int64 `json:"amount"`
}

// Settlement derives the settlement of a certified round. The application
// must hold the state the round builds on (cert.Body.Prev): the table actor
// asks right after certification; after a restart it uses Replay. It checks
// that replaying the round gives the certified state hash, and keeps the
// new state. It does not check signatures (bft did, or Verify does).
func (a *App) Settlement(cert *bft.Certificate) (Settlement, error) {
	return a.Replay(cert)
}

// Replay applies a certified round on the state it names (cert.Body.Prev),
// checks the result against cert.StateHash, keeps the new state and returns
// the round's settlement. A table actor rebuilds its application after a
// restart by replaying its certified log from NewApp's genesis.
func (a *App) Replay(cert *bft.Certificate) (Settlement, error) {
	if cert.TableID != a.table {
		return Settlement{}, fmt.Errorf("certificate of table %q at table %q: %w", cert.TableID, a.table, ErrStateMismatch)
	}
	prev, err := a.state(cert.Body.Prev)
	if err != nil {
		return Settlement{}, fmt.Errorf("round %d: previous state: %w", cert.Round, err)
	}
	if want := prev.round + 1; cert.Round != want {
		return Settlement{}, fmt.Errorf("round %d builds on the state after round %d: %w", cert.Round, prev.round, ErrStateMismatch)
	}
	var next state
	var s Settlement
	if cert.Void() {
		next, s, err = void(prev, cert.Body.Bets, cert.Body.Withholders)
	} else {
		next, s, err = roll(prev, cert.Body.Bets, cert.Seed)
	}
	if err != nil {
		return Settlement{}, fmt.Errorf("round %d: %w", cert.Round, err)
	}
	h := next.hash()
	if h != cert.StateHash {
		return Settlement{}, fmt.Errorf("round %d: certified state %s, replay gives %s: %w", cert.Round, cert.StateHash, h, ErrStateMismatch)
	}
	a.store(next)
	s.Prev, s.StateHash = cert.Body.Prev, h
	return s, nil
}
