package game

import (
	"strconv"

	"github.com/bitcraps/bitcraps/internal/bft"
	"github.com/bitcraps/bitcraps/internal/craps"
)

// View is the table at one state, shaped like messages.TableView (which
// this pure package cannot import): the table actor copies it field by
// field, adding what only it knows (host, status, limits).
type View struct {
	TableID   string       `json:"id"`
	Round     uint64       `json:"round"` // last round applied
	Phase     string       `json:"phase"` // "come_out" or "point"
	Point     int          `json:"point"` // 0 on the come-out
	Players   []PlayerView `json:"players"`
	Bank      int64        `json:"bank"`
	LastDice  [2]int       `json:"last_dice"` // zero before the first roll
	StateHash bft.Hash     `json:"state_hash"`
	// Shooter holds the dice for the next round; NextShooter takes them
	// at its seven-out (shooter.go). Peer IDs, "" at an empty table.
	Shooter     string `json:"shooter"`
	NextShooter string `json:"next_shooter"`
}

// PlayerView is one seated player, like messages.PlayerView.
type PlayerView struct {
	PeerID string `json:"peer_id"`
	// Chips are in hand (not on the layout); the ledger's chips are
	// Chips + the sum of Bets[i].Amount.
	Chips int64     `json:"chips"`
	Bets  []BetView `json:"bets"`
}

// BetView is one open wager, like messages.BetView.
type BetView struct {
	ID     string `json:"id"`   // the craps wager sequence number, in decimal
	Type   string `json:"type"` // craps kind id: "place"
	Number int    `json:"number,omitempty"`
	Amount int64  `json:"amount"` // the stake
}

// View returns the table at state h.
func (a *App) View(h bft.Hash) (View, error) {
	st, err := a.state(h)
	if err != nil {
		return View{}, err
	}
	cs := st.craps
	v := View{TableID: st.table, Round: st.round, Phase: phaseName(cs.Phase()), Point: int(cs.Point()),
		Bank: cs.Bank(), StateHash: h, Players: []PlayerView{}, Shooter: cs.Shooter(), NextShooter: cs.NextShooter()}
	if r := cs.LastRoll(); r.Valid() {
		v.LastDice = [2]int{int(r.D1), int(r.D2)}
	}
	for _, p := range cs.Players() {
		pv := PlayerView{PeerID: p.ID, Chips: p.Chips, Bets: []BetView{}}
		for _, w := range cs.WagersOf(p.ID) {
			pv.Bets = append(pv.Bets, BetView{ID: strconv.FormatUint(w.Seq, 10), Type: w.Bet.Kind.ID(),
				Number: int(w.Bet.Number), Amount: w.Stake})
		}
		v.Players = append(v.Players, pv)
	}
	return v, nil
}

func phaseName(p craps.Phase) string {
	if p == craps.Point {
		return "point"
	}
	return "come_out"
}
