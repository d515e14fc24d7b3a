package game

import (
	"fmt"

	"github.com/bitcraps/bitcraps/internal/bft"
	"github.com/bitcraps/bitcraps/internal/craps"
)

// SeatChips is one seat at the start of play: the player and the chips it
// bought in (the sum of its BuyIn ops for the table).
type SeatChips struct {
	Player bft.PublicKey `json:"player"` // peer ID in JSON
	Chips  int64         `json:"chips"`  // micro-CRAP
}

// Genesis is the table when play starts: what the host broadcasts with the
// start, and what an export begins with. Seats are in seat order, which is
// the bft Players order of round 1.
type Genesis struct {
	TableID string      `json:"table_id"`
	Rules   craps.Rules `json:"rules"`
	Seats   []SeatChips `json:"seats"`
	Bank    int64       `json:"bank"` // micro-CRAP, the host's FundBank
}

// maxTableIDBytes matches bft's limit: the table ID is in every signature.
const maxTableIDBytes = 256

// MaxSeats is the most players a table may start with: bft seats at most
// 64, and the ledger's Settle op takes at most 64 outcomes (one per seat).
const MaxSeats = 64

// Validate reports the first unusable field, naming it.
func (g Genesis) Validate() error {
	_, err := genesisState(g)
	return err
}

// Players is the seat order as bft keys: the bft Config.Players of round 1.
func (g Genesis) Players() []bft.PublicKey {
	out := make([]bft.PublicKey, len(g.Seats))
	for i, s := range g.Seats {
		out[i] = s.Player
	}
	return out
}

// GenesisHash is the state hash of the table at the start of play: the bft
// Config.GenesisStateHash, and the previous state hash of round 1.
func GenesisHash(g Genesis) (bft.Hash, error) {
	st, err := genesisState(g)
	if err != nil {
		return bft.Hash{}, err
	}
	return st.hash(), nil
}

func genesisState(g Genesis) (state, error) {
	switch {
	case g.TableID == "" || len(g.TableID) > maxTableIDBytes:
		return state{}, fmt.Errorf("genesis table ID %q: want 1..%d bytes: %w", g.TableID, maxTableIDBytes, ErrBadGenesis)
	case len(g.Seats) == 0 || len(g.Seats) > MaxSeats:
		return state{}, fmt.Errorf("genesis of table %s: %d seats, want 1..%d: %w", g.TableID, len(g.Seats), MaxSeats, ErrBadGenesis)
	case g.Bank < 0:
		return state{}, fmt.Errorf("genesis of table %s: bank %d: %w", g.TableID, g.Bank, ErrBadGenesis)
	}
	cs, err := craps.NewState(g.Rules, g.Bank)
	if err != nil {
		return state{}, fmt.Errorf("genesis of table %s: rules: %w: %w", g.TableID, ErrBadGenesis, err)
	}
	for i, s := range g.Seats {
		if s.Player == (bft.PublicKey{}) {
			return state{}, fmt.Errorf("genesis of table %s: seat %d has no player: %w", g.TableID, i, ErrBadGenesis)
		}
		if cs, err = craps.Seat(cs, s.Player.String(), s.Chips); err != nil {
			return state{}, fmt.Errorf("genesis of table %s: seat %d (%s): %w: %w", g.TableID, i, s.Player.Short(), ErrBadGenesis, err)
		}
	}
	return state{table: g.TableID, craps: cs}, nil
}
