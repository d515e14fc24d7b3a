package craps

import (
	"fmt"
	"slices"
)

// Phase is the table's phase.
type Phase uint8

const (
	// ComeOut: no point is on; the next roll is a come-out roll.
	ComeOut Phase = 1
	// Point: a point is on.
	Point Phase = 2
)

// String renders "come-out" or "point".
func (p Phase) String() string {
	switch p {
	case ComeOut:
		return "come-out"
	case Point:
		return "point"
	}
	return fmt.Sprintf("phase(%d)", uint8(p))
}

// Player is a seated player and the chips they have at the table (not on bets).
type Player struct {
	ID    string
	Chips Micros
}

// Wager is an open bet on the table.
type Wager struct {
	// Seq numbers wagers in the order they were placed; it never repeats
	// within a table, so it identifies the wager in outcomes and take-downs.
	Seq    uint64
	Player string
	// Bet is where the wager is now (a Come bet's Number is its point once
	// it has travelled).
	Bet   Bet
	Stake Micros
	// Progress is the bonus bets' history since placement (kind-specific
	// bits or counts; see bonus.go). Zero for other bets.
	Progress uint32
	// Rolls counts the rolls this wager has seen.
	Rolls uint32
}

// maxPlayerIDLen bounds a player id: a peer id is 64 hex characters; the
// slack is for test names.
const maxPlayerIDLen = 128

// State is a craps table: rules, phase and point, shooter, bank, seats and
// open wagers. It is a value: every function returns a new State and never
// changes its argument, so a caller can keep the old one (for a void round)
// at no risk. Its canonical encoding (MarshalBinary) and Hash are identical
// on every replica that applied the same operations.
type State struct {
	rules    Rules
	phase    Phase
	point    uint8
	rolls    uint64
	nextSeq  uint64
	bank     Micros
	shooter  string
	lastRoll Roll
	seats    []Player // in seating order; the shooter passes along it
	wagers   []Wager  // in Seq order
}

// NewState opens a table with validated rules and a funded bank.
func NewState(rules Rules, bank Micros) (State, error) {
	if err := rules.Validate(); err != nil {
		return State{}, err
	}
	if bank < 0 {
		return State{}, fmt.Errorf("bank %d: %w", bank, ErrInvalidAmount)
	}
	return State{rules: rules, phase: ComeOut, nextSeq: 1, bank: bank}, nil
}

// Rules are the table settings.
func (s State) Rules() Rules { return s.rules }

// Phase is the table phase.
func (s State) Phase() Phase { return s.phase }

// Point is the point, or 0 on the come-out.
func (s State) Point() uint8 { return s.point }

// Rolls is the number of rolls applied since the table opened.
func (s State) Rolls() uint64 { return s.rolls }

// Bank is the bank's balance (not counting stakes on the table).
func (s State) Bank() Micros { return s.bank }

// Shooter is the player who rolls next, or "" at an empty table.
func (s State) Shooter() string { return s.shooter }

// NextShooter is the player who takes the dice at the shooter's seven-out:
// the next seat in seating order (the shooter itself when alone), or "" at
// an empty table.
func (s State) NextShooter() string {
	i := s.seatIndex(s.shooter)
	if i < 0 {
		return ""
	}
	return s.seats[(i+1)%len(s.seats)].ID
}

// LastRoll is the most recent roll (zero before the first).
func (s State) LastRoll() Roll { return s.lastRoll }

// Players lists the seated players in seating order (a copy).
func (s State) Players() []Player { return slices.Clone(s.seats) }

// Wagers lists the open wagers in Seq order (a copy).
func (s State) Wagers() []Wager { return slices.Clone(s.wagers) }

// WagersOf lists one player's open wagers in Seq order.
func (s State) WagersOf(player string) []Wager {
	var ws []Wager
	for _, w := range s.wagers {
		if w.Player == player {
			ws = append(ws, w)
		}
	}
	return ws
}

// Chips is a seated player's chips; ok is false if not seated.
func (s State) Chips(player string) (chips Micros, ok bool) {
	if i := s.seatIndex(player); i >= 0 {
		return s.seats[i].Chips, true
	}
	return 0, false
}

// OnTable is the total staked on open wagers.
func (s State) OnTable() Micros {
	var sum Micros
	for _, w := range s.wagers {
		sum += w.Stake
	}
	return sum
}

func (s State) seatIndex(player string) int {
	for i, st := range s.seats {
		if st.ID == player {
			return i
		}
	}
	return -1
}

// seatFinder finds seats by player id. Tables are usually small enough
// for a scan; a map (for lookups only) pays off from a few dozen seats.
type seatFinder struct {
	seats []Player
	byID  map[string]int
}

func newSeatFinder(seats []Player) seatFinder {
	f := seatFinder{seats: seats}
	if len(seats) > 16 {
		f.byID = make(map[string]int, len(seats))
		for i, p := range seats {
			f.byID[p.ID] = i
		}
	}
	return f
}

func (f seatFinder) find(id string) int {
	if f.byID != nil {
		if i, ok := f.byID[id]; ok {
			return i
		}
		return -1
	}
	for i, p := range f.seats {
		if p.ID == id {
			return i
		}
	}
	return -1
}

// clone copies the slices so the result can be changed freely.
func (s State) clone() State {
	s.seats = slices.Clone(s.seats)
	s.wagers = slices.Clone(s.wagers)
	return s
}

// Seat sits a player down with chips (a buy-in). The first player seated
// becomes the shooter.
func Seat(s State, player string, chips Micros) (State, error) {
	if player == "" || len(player) > maxPlayerIDLen {
		return s, fmt.Errorf("player id of %d bytes (1..%d allowed): %w", len(player), maxPlayerIDLen, ErrInvalidPlayer)
	}
	if chips < 0 {
		return s, fmt.Errorf("buy-in %d for %s: %w", chips, player, ErrInvalidAmount)
	}
	if s.seatIndex(player) >= 0 {
		return s, fmt.Errorf("seat %s: %w", player, ErrAlreadySeated)
	}
	if err := roomFor(s, chips); err != nil {
		return s, fmt.Errorf("seat %s with %d: %w", player, chips, err)
	}
	if len(s.seats) >= s.rules.MaxPlayers {
		return s, fmt.Errorf("seat %s: all %d seats taken: %w", player, s.rules.MaxPlayers, ErrTableFull)
	}
	ns := s.clone()
	ns.seats = append(ns.seats, Player{ID: player, Chips: chips})
	if ns.shooter == "" {
		ns.shooter = player
	}
	return ns, nil
}

// AddChips adds a further buy-in to a seated player.
func AddChips(s State, player string, amount Micros) (State, error) {
	i := s.seatIndex(player)
	if i < 0 {
		return s, fmt.Errorf("add chips for %s: %w", player, ErrNotSeated)
	}
	if amount <= 0 || roomFor(s, amount) != nil {
		return s, fmt.Errorf("add chips %d for %s: %w", amount, player, ErrInvalidAmount)
	}
	ns := s.clone()
	ns.seats[i].Chips += amount
	return ns, nil
}

// CashOut removes chips from a seated player (to go back to the wallet).
func CashOut(s State, player string, amount Micros) (State, error) {
	i := s.seatIndex(player)
	if i < 0 {
		return s, fmt.Errorf("cash out for %s: %w", player, ErrNotSeated)
	}
	if amount <= 0 {
		return s, fmt.Errorf("cash out %d for %s: %w", amount, player, ErrInvalidAmount)
	}
	if amount > s.seats[i].Chips {
		return s, fmt.Errorf("cash out %d for %s with %d chips: %w", amount, player, s.seats[i].Chips, ErrInsufficientChips)
	}
	ns := s.clone()
	ns.seats[i].Chips -= amount
	return ns, nil
}

// FundBank adds to the bank (the host's funding).
func FundBank(s State, amount Micros) (State, error) {
	if amount <= 0 || roomFor(s, amount) != nil {
		return s, fmt.Errorf("fund bank with %d: %w", amount, ErrInvalidAmount)
	}
	ns := s.clone()
	ns.bank += amount
	return ns, nil
}

// roomFor checks that amount more money at the table keeps the total (and
// so every balance, whatever the dice do) inside an int64.
func roomFor(s State, amount Micros) error {
	total, ok := moneyAtTable(s)
	if _, fits := addChecked(total, amount); !ok || !fits || amount < 0 {
		return fmt.Errorf("%d more would overflow the money at the table: %w", amount, ErrInvalidAmount)
	}
	return nil
}

// WithdrawBank takes money out of the bank, keeping enough to cover the
// worst case of the open wagers.
func WithdrawBank(s State, amount Micros) (State, error) {
	if amount <= 0 || amount > s.bank {
		return s, fmt.Errorf("withdraw %d from a bank of %d: %w", amount, s.bank, ErrInvalidAmount)
	}
	if need := Liability(s); s.bank-amount < need {
		return s, fmt.Errorf("withdraw %d leaves %d, below the worst case %d: %w", amount, s.bank-amount, need, ErrBankCannotCover)
	}
	ns := s.clone()
	ns.bank -= amount
	return ns, nil
}

// Unseat removes a player. Wagers that may be taken down are returned to
// the player's chips (Result Returned); contract wagers that may not be
// taken down are forfeited to the bank (Result Lose), because a player who
// leaves gives up their action. It returns the chips to pay back to the
// player's wallet. If the shooter leaves, the dice pass to the next seat
// and the point (if any) stays on.
func Unseat(s State, player string) (State, Micros, []Outcome, error) {
	i := s.seatIndex(player)
	if i < 0 {
		return s, 0, nil, fmt.Errorf("unseat %s: %w", player, ErrNotSeated)
	}
	ns := s.clone()
	var outs []Outcome
	kept := ns.wagers[:0]
	for _, w := range ns.wagers {
		if w.Player != player {
			kept = append(kept, w)
			continue
		}
		if contractError(s, w) == nil {
			ns.seats[i].Chips += w.Stake
			outs = append(outs, outcomeOf(w, Returned, 0))
		} else {
			ns.bank += w.Stake
			outs = append(outs, outcomeOf(w, Lose, 0))
		}
	}
	ns.wagers = kept
	chips := ns.seats[i].Chips
	if ns.shooter == player {
		ns.shooter = nextShooter(ns.seats, i)
	}
	ns.seats = slices.Delete(ns.seats, i, i+1)
	return ns, chips, outs, nil
}

// nextShooter is the player after seat i, or "" if i is the only seat.
func nextShooter(seats []Player, i int) string {
	if len(seats) <= 1 {
		return ""
	}
	return seats[(i+1)%len(seats)].ID
}
