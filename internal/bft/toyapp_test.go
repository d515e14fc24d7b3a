package bft

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
)

// toyApp is a deterministic dice game standing in for internal/craps: each
// bet is (amount, even|odd) on the sum of two dice, paid 1:1 by the bank.
// Its state is a chip ledger (chips per player + bank), so the simulator can
// check the money invariant after every certified round.
type toyApp struct {
	states map[Hash]*toyState
	maxBet int64
}

type toyState struct {
	round uint64
	chips map[PublicKey]int64
	bank  int64
}

var errToy = errors.New("toy game")

func newToyApp(players []PublicKey, chips, bank int64) (*toyApp, Hash) {
	s := &toyState{chips: make(map[PublicKey]int64), bank: bank}
	for _, p := range players {
		s.chips[p] = chips
	}
	a := &toyApp{states: make(map[Hash]*toyState), maxBet: chips / 4}
	h := s.hash()
	a.states[h] = s
	return a, h
}

func (s *toyState) hash() Hash {
	keys := make([]PublicKey, 0, len(s.chips))
	for k := range s.chips {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return string(keys[i][:]) < string(keys[j][:]) })
	e := &encoder{}
	e.str("toy")
	e.u64(s.round)
	e.u64(uint64(s.bank))
	for _, k := range keys {
		e.key(k)
		e.u64(uint64(s.chips[k]))
	}
	return sha256.Sum256(e.buf)
}

func (s *toyState) clone() *toyState {
	c := &toyState{round: s.round, chips: make(map[PublicKey]int64, len(s.chips)), bank: s.bank}
	for k, v := range s.chips {
		c.chips[k] = v
	}
	return c
}

func (s *toyState) total() int64 {
	t := s.bank
	for _, v := range s.chips {
		t += v
	}
	return t
}

func toyBet(amount int64, odd bool) []byte {
	p := binary.BigEndian.AppendUint64(nil, uint64(amount))
	return append(p, boolByte(odd))
}

func decodeToyBet(p []byte) (int64, bool, error) {
	if len(p) != 9 || p[8] > 1 {
		return 0, false, fmt.Errorf("payload of %d bytes: %w", len(p), errToy)
	}
	return int64(binary.BigEndian.Uint64(p)), p[8] == 1, nil
}

func (a *toyApp) state(h Hash) (*toyState, error) {
	s, ok := a.states[h]
	if !ok {
		return nil, fmt.Errorf("unknown state %s: %w", h.String()[:8], errToy)
	}
	return s, nil
}

func (a *toyApp) ValidateBets(prev Hash, bets []Bet) error {
	s, err := a.state(prev)
	if err != nil {
		return err
	}
	used := make(map[PublicKey]int64)
	var exposure int64
	for _, b := range bets {
		amount, _, err := decodeToyBet(b.Payload)
		if err != nil {
			return err
		}
		if amount < 1 || amount > a.maxBet {
			return fmt.Errorf("amount %d outside 1..%d: %w", amount, a.maxBet, errToy)
		}
		if used[b.Bettor]+amount > s.chips[b.Bettor] {
			return fmt.Errorf("%s has %d chips, bets %d: %w", b.Bettor.Short(), s.chips[b.Bettor], used[b.Bettor]+amount, errToy)
		}
		used[b.Bettor] += amount
		exposure += amount
	}
	if exposure > s.bank {
		return fmt.Errorf("bank %d cannot cover %d: %w", s.bank, exposure, errToy)
	}
	return nil
}

// toyDice draws two fair dice from the seed by rejection sampling.
func toyDice(seed Hash) (int, int) {
	var dice []int
	for len(dice) < 2 {
		for _, b := range seed {
			if b < 252 && len(dice) < 2 {
				dice = append(dice, int(b%6)+1)
			}
		}
		seed = sha256.Sum256(seed[:])
	}
	return dice[0], dice[1]
}

func (a *toyApp) Apply(prev Hash, bets []Bet, seed Hash) (Hash, error) {
	if err := a.ValidateBets(prev, bets); err != nil {
		return Hash{}, err
	}
	s := a.states[prev].clone()
	d1, d2 := toyDice(seed)
	odd := (d1+d2)%2 == 1
	for _, b := range bets {
		amount, betOdd, _ := decodeToyBet(b.Payload)
		if betOdd == odd {
			s.chips[b.Bettor] += amount
			s.bank -= amount
		} else {
			s.chips[b.Bettor] -= amount
			s.bank += amount
		}
	}
	return a.store(s), nil
}

func (a *toyApp) Void(prev Hash, bets []Bet, withholders []PublicKey) (Hash, error) {
	if err := a.ValidateBets(prev, bets); err != nil {
		return Hash{}, err
	}
	s := a.states[prev].clone()
	for _, b := range bets {
		if containsKey(withholders, b.Bettor) {
			amount, _, _ := decodeToyBet(b.Payload)
			s.chips[b.Bettor] -= amount
			s.bank += amount
		}
	}
	return a.store(s), nil
}

func (a *toyApp) store(s *toyState) Hash {
	s.round++
	h := s.hash()
	a.states[h] = s
	return h
}

// commit drops the states of earlier rounds and the other candidates of
// this one; later states (already computed) stay.
func (a *toyApp) commit(h Hash) {
	s, ok := a.states[h]
	if !ok {
		return
	}
	for k, o := range a.states {
		if o.round < s.round || (o.round == s.round && k != h) {
			delete(a.states, k)
		}
	}
}

// replay rebuilds the application from certificates, as the actor will from
// the ledger after a restart.
func (a *toyApp) replay(prev Hash, certs []*Certificate) (Hash, error) {
	for _, c := range certs {
		var h Hash
		var err error
		if c.Void() {
			h, err = a.Void(prev, c.Body.Bets, c.Body.Withholders)
		} else {
			h, err = a.Apply(prev, c.Body.Bets, c.Seed)
		}
		if err != nil {
			return prev, err
		}
		if h != c.StateHash {
			return prev, fmt.Errorf("replay round %d: state %s, certified %s: %w", c.Round, h, c.StateHash, errToy)
		}
		a.commit(h)
		prev = h
	}
	return prev, nil
}
