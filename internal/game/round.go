package game

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/bitcraps/bitcraps/internal/bft"
	"github.com/bitcraps/bitcraps/internal/craps"
)

// round is a round being applied: the evolving state and what happened.
type round struct {
	prev    state
	st      state
	events  []Event
	leavers []Leaver
	joiners []SeatChips
}

// decoded is one bet of the round with its payload read.
type decoded struct {
	index   int
	bet     *bft.Bet
	player  string
	payload Payload
	craps   craps.Bet // bets and take-downs
}

func (d decoded) String() string {
	return fmt.Sprintf("bet %d (%s seq %d, %s)", d.index, d.bet.Bettor.Short(), d.bet.Seq, d.payload.Kind)
}

// decodeAll reads every payload and checks what needs no table: the round
// number, the bettor's seat, and that a leaver has nothing else in the
// round but its roll request.
func decodeAll(st state, bets []bft.Bet) ([]decoded, error) {
	if st.ended {
		return nil, fmt.Errorf("table %s after round %d: %w", st.table, st.round, ErrTableEnded)
	}
	out := make([]decoded, len(bets))
	leaves := make(map[bft.PublicKey]int)
	joins := make(map[bft.PublicKey]bool)
	rolls := 0
	for i := range bets {
		b := &bets[i]
		d := decoded{index: i, bet: b, player: b.Bettor.String()}
		p, err := DecodePayload(b.Payload)
		if err != nil {
			return nil, fmt.Errorf("bet %d (%s seq %d): %w", i, b.Bettor.Short(), b.Seq, err)
		}
		d.payload = p
		if p.Kind == KindBet || p.Kind == KindTakeDown {
			d.craps, _ = p.Bet() // DecodePayload checked it
		}
		switch {
		case b.Round != st.round+1:
			return nil, fmt.Errorf("%s is for round %d, the table is at round %d: %w", d, b.Round, st.round+1, ErrWrongRound)
		case !st.seated(b.Bettor):
			return nil, fmt.Errorf("%s: %w", d, ErrNotSeated)
		}
		out[i] = d
	}
	if dissolves(out) {
		return out, nil // nothing else applies (placeAll): nothing else to check
	}
	for i := range out {
		d, b, p := out[i], out[i].bet, out[i].payload
		switch {
		case p.Kind == KindUnseat && (p.Target == b.Bettor || !st.seated(p.Target)):
			return nil, fmt.Errorf("%s: unseat %s, who is not another seated player: %w", d, p.Target.Short(), ErrNotSeated)
		case p.Kind == KindJoin && (st.seated(p.Target) || joins[p.Target]):
			return nil, fmt.Errorf("%s: %s is seated already, or joins twice in this round: %w", d, p.Target.Short(), craps.ErrAlreadySeated)
		case p.Kind == KindRoll:
			if err := mayAskRoll(st, b.Bettor, rolls); err != nil {
				return nil, fmt.Errorf("%s: %w", d, err)
			}
			rolls++
		}
		switch p.Kind {
		case KindLeave:
			leaves[b.Bettor]++
		case KindUnseat:
			leaves[p.Target]++
		case KindJoin:
			joins[p.Target] = true
		}
	}
	for _, d := range out {
		n := leaves[d.bet.Bettor]
		if d.payload.Kind == KindUnseat && leaves[d.payload.Target] > 1 {
			return nil, fmt.Errorf("%s: %s leaves or is unseated more than once in this round: %w", d, d.payload.Target.Short(), ErrLeaving)
		}
		if n > 1 || (n == 1 && d.payload.Kind != KindLeave && d.payload.Kind != KindRoll) {
			return nil, fmt.Errorf("%s: the player leaves or is unseated in this round and can have nothing else in it: %w", d, ErrLeaving)
		}
	}
	return out, nil
}

// placeAll applies a round's payloads, in order, on st.
func placeAll(st state, bets []bft.Bet) (*round, error) {
	ds, err := decodeAll(st, bets)
	if err != nil {
		return nil, err
	}
	r := &round{prev: st, st: st}
	if dissolves(ds) {
		// The table ends at st: every other payload of the round is
		// refunded, that is, not applied.
		r.st.ended = true
		for _, d := range ds {
			if d.payload.Kind != KindDissolve {
				_ = r.voidPayload(d, false) // a refund only notes the event
			}
		}
		return r, nil
	}
	for _, d := range ds {
		if err := r.apply(d); err != nil {
			return nil, fmt.Errorf("%s: %w", d, err)
		}
	}
	return r, nil
}

// dissolves: the round carries a dissolve payload.
func dissolves(ds []decoded) bool {
	return slices.ContainsFunc(ds, func(d decoded) bool { return d.payload.Kind == KindDissolve })
}

func (r *round) apply(d decoded) error {
	switch d.payload.Kind {
	case KindBet:
		return r.place(d)
	case KindTakeDown:
		return r.takeDown(d)
	case KindUnseat:
		return r.unseat(d.payload.Target.String(), Silent)
	case KindJoin:
		return r.join(d.payload.Target, d.payload.Amount)
	case KindRoll:
		return nil // it only asked for the dice: nothing moves
	}
	return r.leave(d)
}

func (r *round) place(d decoded) error {
	cs, w, err := craps.PlaceBet(r.st.craps, d.player, d.craps, d.payload.Amount)
	if err != nil {
		return err
	}
	r.st.craps = cs
	r.events = append(r.events, wagerEvent(w, ResultPlaced, 0))
	return nil
}

// takeDown returns every open wager of the player on the payload's bet.
func (r *round) takeDown(d decoded) error {
	n := 0
	for _, w := range r.st.craps.WagersOf(d.player) {
		if w.Bet.Kind != d.craps.Kind || (d.craps.Number != 0 && w.Bet.Number != d.craps.Number) {
			continue
		}
		cs, _, err := craps.TakeDown(r.st.craps, d.player, w.Seq)
		if err != nil {
			return err
		}
		r.st.craps = cs
		r.events = append(r.events, wagerEvent(w, ResultTakenDown, 0))
		n++
	}
	if n == 0 {
		return fmt.Errorf("%s: %w", d.craps.ID(), ErrNothingToTakeDown)
	}
	return nil
}

// leave unseats the player, returning its wagers, unless one is a contract.
func (r *round) leave(d decoded) error {
	for _, w := range r.st.craps.WagersOf(d.player) {
		if _, _, err := craps.TakeDown(r.st.craps, d.player, w.Seq); errors.Is(err, craps.ErrContractBet) {
			return fmt.Errorf("wager %d (%s %d): wait until it resolves: %w: %w", w.Seq, w.Bet.Name(), w.Stake, ErrCannotLeave, err)
		}
	}
	return r.unseat(d.player, LeftTable)
}

// join seats a player with the chips it bought in (its BuyIn op already
// moved them in the ledger): it plays from the next round.
func (r *round) join(player bft.PublicKey, chips int64) error {
	cs, err := craps.Seat(r.st.craps, player.String(), chips)
	if err != nil {
		return err
	}
	r.st.craps = cs
	r.joiners = append(r.joiners, SeatChips{Player: player, Chips: chips})
	return nil
}

// unseat removes a player: craps.Unseat returns what may be taken down and
// forfeits contracts to the bank.
func (r *round) unseat(player string, why LeaveReason) error {
	cs, chips, outs, err := craps.Unseat(r.st.craps, player)
	if err != nil {
		return err
	}
	r.st.craps = cs
	for _, o := range outs {
		if o.Result == craps.Lose {
			r.events = append(r.events, outcomeEvent(o, ResultForfeited, -o.Stake))
		} else {
			r.events = append(r.events, outcomeEvent(o, ResultReturned, 0))
		}
	}
	r.leavers = append(r.leavers, Leaver{Player: player, Chips: chips, Reason: why})
	return nil
}

// roll is a roll round: the payloads, then the dice.
func roll(st state, bets []bft.Bet, seed bft.Hash) (state, Settlement, error) {
	r, err := placeAll(st, bets)
	if err != nil {
		return state{}, Settlement{}, err
	}
	if r.st.ended { // dissolved: no dice, nothing moves (the ledger's Dissolve op pays out)
		s, err := r.finish()
		s.Dissolved = true
		return r.st, s, err
	}
	dice := craps.DiceFromSeed(seed)
	cs, outs, err := craps.Apply(r.st.craps, dice)
	if err != nil {
		return state{}, Settlement{}, fmt.Errorf("roll %s: %w", dice, err)
	}
	r.st.craps = cs
	for _, o := range outs {
		r.events = append(r.events, outcomeEvent(o, o.Result.String(), rollAmount(o)))
	}
	s, err := r.finish()
	if err != nil {
		return state{}, Settlement{}, err
	}
	s.Dice = [2]int{int(dice.D1), int(dice.D2)}
	return r.st, s, nil
}

// rollAmount is an outcome's effect on the player's ledger chips.
func rollAmount(o craps.Outcome) int64 {
	switch o.Result {
	case craps.Win:
		return o.Win
	case craps.Lose:
		return -o.Stake
	}
	return 0
}

// void is a void round: the withholders' bets are lost to the bank, the
// rest refunded, the withholders unseated.
func void(st state, bets []bft.Bet, withholders []bft.PublicKey) (state, Settlement, error) {
	if _, err := placeAll(st, bets); err != nil {
		return state{}, Settlement{}, err
	}
	ds, _ := decodeAll(st, bets) // placeAll decoded them
	if len(withholders) == 0 {
		return state{}, Settlement{}, fmt.Errorf("void round with no withholder: %w", ErrStateMismatch)
	}
	for _, w := range withholders {
		if !st.seated(w) {
			return state{}, Settlement{}, fmt.Errorf("withholder %s: %w", w.Short(), ErrNotSeated)
		}
	}
	r := &round{prev: st, st: st}
	for _, d := range ds {
		if err := r.voidPayload(d, slices.Contains(withholders, d.bet.Bettor)); err != nil {
			return state{}, Settlement{}, fmt.Errorf("%s: %w", d, err)
		}
	}
	for _, w := range withholders {
		if err := r.unseat(w.String(), Withheld); err != nil {
			return state{}, Settlement{}, err
		}
	}
	s, err := r.finish()
	if err != nil {
		return state{}, Settlement{}, err
	}
	s.Void = true
	return r.st, s, nil
}

// voidPayload: a withholder's bet goes straight to the bank (its take-downs
// stand: unseating would return those wagers anyway); anyone else's payload
// is refunded, that is, not applied.
func (r *round) voidPayload(d decoded, withholder bool) error {
	if d.payload.Kind == KindRoll {
		return nil // nothing to refund or forfeit
	}
	ev := Event{Player: d.player, Type: d.craps.Kind.ID(), Number: int(d.craps.Number), Bet: d.craps.ID(), Stake: d.payload.Amount}
	if d.payload.Kind == KindLeave || d.payload.Kind == KindUnseat || d.payload.Kind == KindJoin || d.payload.Kind == KindDissolve {
		ev.Type, ev.Number, ev.Bet = "", 0, string(d.payload.Kind)
	}
	switch {
	case !withholder:
		ev.Result = ResultRefunded
	case d.payload.Kind == KindBet:
		cs, err := craps.CashOut(r.st.craps, d.player, d.payload.Amount)
		if err == nil {
			cs, err = craps.FundBank(cs, d.payload.Amount)
		}
		if err != nil {
			return err
		}
		r.st.craps = cs
		ev.Result, ev.Amount = ResultForfeited, -d.payload.Amount
	case d.payload.Kind == KindTakeDown:
		return r.takeDown(d)
	default:
		return nil // a withholder's leave or unseat: it is unseated anyway
	}
	r.events = append(r.events, ev)
	return nil
}

// finish closes the round: one more round applied, and the settlement,
// after checking that no money was created or lost.
func (r *round) finish() (Settlement, error) {
	r.st.round = r.prev.round + 1
	s := Settlement{TableID: r.st.table, Round: r.st.round, Leavers: r.leavers, Joiners: r.joiners, Events: r.events}
	deltas := make(map[string]int64)
	for _, e := range r.events {
		deltas[e.Player] += e.Amount
	}
	var sum int64
	for _, p := range r.prev.craps.Players() {
		s.Outcomes = append(s.Outcomes, PlayerDelta{Player: p.ID, Delta: deltas[p.ID]})
		sum += deltas[p.ID]
	}
	slices.SortFunc(s.Outcomes, func(a, b PlayerDelta) int { return strings.Compare(a.Player, b.Player) })
	s.BankDelta = r.st.craps.Bank() - r.prev.craps.Bank()
	joined := joinedChips(r.joiners)
	if sum+s.BankDelta != 0 || total(r.prev.craps)+joined != total(r.st.craps)+leftChips(r.leavers) {
		return Settlement{}, fmt.Errorf("round %d: players %+d, bank %+d, chips before %d (+%d joined) after %d: %w",
			s.Round, sum, s.BankDelta, total(r.prev.craps), joined, total(r.st.craps)+leftChips(r.leavers), ErrInvariant)
	}
	return s, nil
}

// total is the money at the table: bank, chips in hand and stakes.
func total(cs craps.State) int64 {
	t := cs.Bank() + cs.OnTable()
	for _, p := range cs.Players() {
		t += p.Chips
	}
	return t
}

func joinedChips(js []SeatChips) int64 {
	var t int64
	for _, j := range js {
		t += j.Chips
	}
	return t
}

func leftChips(ls []Leaver) int64 {
	var t int64
	for _, l := range ls {
		t += l.Chips
	}
	return t
}

func wagerEvent(w craps.Wager, result string, amount int64) Event {
	return Event{Player: w.Player, Bet: w.Bet.ID(), Type: w.Bet.Kind.ID(), Number: int(w.Bet.Number),
		Wager: w.Seq, Result: result, Stake: w.Stake, Amount: amount}
}

func outcomeEvent(o craps.Outcome, result string, amount int64) Event {
	return Event{Player: o.Player, Bet: o.Bet.ID(), Type: o.Bet.Kind.ID(), Number: int(o.Bet.Number),
		Wager: o.Seq, Result: result, Stake: o.Stake, Amount: amount}
}

// players is the seat order as bft keys.
func (s state) players() ([]bft.PublicKey, error) {
	ps := s.craps.Players()
	out := make([]bft.PublicKey, len(ps))
	for i, p := range ps {
		if err := out[i].UnmarshalText([]byte(p.ID)); err != nil {
			return nil, fmt.Errorf("seat %d: %w: %w", i, ErrInvariant, err)
		}
	}
	return out, nil
}
