package game

import (
	"fmt"

	"github.com/bitcraps/bitcraps/internal/bft"
)

// KeepRounds is how many rounds of states an App keeps: states older than
// the newest round it computed minus KeepRounds are pruned. 16 rounds: the
// previous state of the round being certified and of a round being settled
// are always among the newest two, and a table actor that lags a few rounds
// behind its consensus core (Settlement after a burst of certificates) still
// finds them; older states are rebuilt by Replay from the certified log.
const KeepRounds = 16

// maxStates bounds the states kept whatever the rounds: a Byzantine leader
// can make a node compute one candidate state per view, and views per round
// are bounded by bft's MaxViewsAhead, so this is never reached honestly.
const maxStates = 1024

// App is the craps table as a bft.Application. It keeps every state it
// computed, keyed by state hash, for the last KeepRounds rounds. It is not
// safe for concurrent use.
type App struct {
	genesis     bft.Hash
	table       string
	states      map[bft.Hash]state
	newestRound uint64
}

var _ bft.Application = (*App)(nil)

// NewApp starts an application at the genesis state.
func NewApp(g Genesis) (*App, error) {
	st, err := genesisState(g)
	if err != nil {
		return nil, err
	}
	a := &App{table: g.TableID, states: make(map[bft.Hash]state)}
	a.genesis = a.store(st)
	return a, nil
}

// GenesisHash is the hash of the genesis state (GenesisHash of the Genesis).
func (a *App) GenesisHash() bft.Hash { return a.genesis }

// Has reports whether the application holds the state h.
func (a *App) Has(h bft.Hash) bool {
	_, ok := a.states[h]
	return ok
}

// Round is the number of the last round applied to reach state h (0 for
// genesis).
func (a *App) Round(h bft.Hash) (uint64, error) {
	st, err := a.state(h)
	return st.round, err
}

// Ended reports that state h is a table a certified round dissolved (false
// for a state the application does not hold).
func (a *App) Ended(h bft.Hash) bool {
	st, ok := a.states[h]
	return ok && st.ended
}

// Seats is the seat order at state h as bft keys: the bft Config.Players of
// the round after the one that produced h (bft.NextSeats of its certificate,
// without the round's leavers).
func (a *App) Seats(h bft.Hash) ([]bft.PublicKey, error) {
	st, err := a.state(h)
	if err != nil {
		return nil, err
	}
	return st.players()
}

// ValidateBets says whether bets can all be applied, in order, on state prev
// (step 3 of "A table round"). The error names the first bad bet (index,
// bettor, sequence) and wraps the reason.
func (a *App) ValidateBets(prev bft.Hash, bets []bft.Bet) error {
	st, err := a.state(prev)
	if err != nil {
		return err
	}
	_, err = placeAll(st, bets)
	return err
}

// Apply applies bets on prev, rolls craps.DiceFromSeed(seed) and settles it
// (step 5). It returns the new state hash and keeps the new state.
func (a *App) Apply(prev bft.Hash, bets []bft.Bet, seed bft.Hash) (bft.Hash, error) {
	st, err := a.state(prev)
	if err != nil {
		return bft.Hash{}, err
	}
	next, _, err := roll(st, bets, seed)
	if err != nil {
		return bft.Hash{}, err
	}
	return a.store(next), nil
}

// Void settles a void round (step 4): the withholders' bets lost to the
// bank, everyone else's refunded, the withholders unseated; no dice.
func (a *App) Void(prev bft.Hash, bets []bft.Bet, withholders []bft.PublicKey) (bft.Hash, error) {
	st, err := a.state(prev)
	if err != nil {
		return bft.Hash{}, err
	}
	next, _, err := void(st, bets, withholders)
	if err != nil {
		return bft.Hash{}, err
	}
	return a.store(next), nil
}

func (a *App) state(h bft.Hash) (state, error) {
	st, ok := a.states[h]
	if !ok {
		return state{}, fmt.Errorf("table %s state %s: %w", a.table, h.String()[:16], ErrUnknownState)
	}
	return st, nil
}

// store keeps st and prunes states more than KeepRounds rounds older than
// the newest.
func (a *App) store(st state) bft.Hash {
	h := st.hash()
	a.states[h] = st
	if st.round > a.newestRound {
		a.newestRound = st.round
	}
	a.prune()
	return h
}

func (a *App) prune() {
	keepFrom := uint64(0)
	if a.newestRound > KeepRounds {
		keepFrom = a.newestRound - KeepRounds
	}
	if len(a.states) > maxStates && a.newestRound > 0 {
		// A flood of candidates: keep only the newest round and the one
		// it builds on.
		keepFrom = a.newestRound - 1
	}
	for h, st := range a.states {
		if st.round < keepFrom {
			delete(a.states, h)
		}
	}
}
