package craps

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"slices"
)

// The canonical encoding of a State: big-endian integers, strings as a
// uint16 length and bytes, players in seating order, wagers in Seq order.
// No maps, no clocks, nothing but the state, so it is byte-identical on
// every replica. Layout (version 1):
//
//	"BCST" 0x01
//	rules:  min_bet i64, max_bet i64, odds 4/10 u8, odds 5/9 u8, odds 6/8 u8,
//	        field_twelve u8, working_on_come_out u8, max_players u16, max_wagers u16
//	table:  phase u8, point u8, rolls u64, next_seq u64, bank i64,
//	        last_roll d1 u8 d2 u8, shooter str
//	players: count u16, then id str, chips i64
//	wagers:  count u32, then seq u64, player str, kind u8, number u8,
//	         stake i64, progress u32, rolls u32
const encodingMagic = "BCST\x01"

// MarshalBinary is the canonical encoding. It never fails.
func (s State) MarshalBinary() ([]byte, error) {
	b := make([]byte, 0, 64+len(s.seats)*80+len(s.wagers)*100)
	b = append(b, encodingMagic...)
	r := s.rules
	b = binary.BigEndian.AppendUint64(b, uint64(r.MinBet))
	b = binary.BigEndian.AppendUint64(b, uint64(r.MaxBet))
	b = append(b, r.MaxOdds.FourTen, r.MaxOdds.FiveNine, r.MaxOdds.SixEight, r.FieldTwelvePays, boolByte(r.WorkingOnComeOut))
	b = binary.BigEndian.AppendUint16(b, uint16(r.MaxPlayers))
	b = binary.BigEndian.AppendUint16(b, uint16(r.MaxWagersPerPlayer))
	b = append(b, byte(s.phase), s.point)
	b = binary.BigEndian.AppendUint64(b, s.rolls)
	b = binary.BigEndian.AppendUint64(b, s.nextSeq)
	b = binary.BigEndian.AppendUint64(b, uint64(s.bank))
	b = append(b, s.lastRoll.D1, s.lastRoll.D2)
	b = appendString(b, s.shooter)
	b = binary.BigEndian.AppendUint16(b, uint16(len(s.seats)))
	for _, p := range s.seats {
		b = appendString(b, p.ID)
		b = binary.BigEndian.AppendUint64(b, uint64(p.Chips))
	}
	b = binary.BigEndian.AppendUint32(b, uint32(len(s.wagers)))
	for _, w := range s.wagers {
		b = binary.BigEndian.AppendUint64(b, w.Seq)
		b = appendString(b, w.Player)
		b = append(b, byte(w.Bet.Kind), w.Bet.Number)
		b = binary.BigEndian.AppendUint64(b, uint64(w.Stake))
		b = binary.BigEndian.AppendUint32(b, w.Progress)
		b = binary.BigEndian.AppendUint32(b, w.Rolls)
	}
	return b, nil
}

// Hash is SHA-256 of the canonical encoding: the state hash players sign.
func (s State) Hash() [32]byte {
	b, _ := s.MarshalBinary()
	return sha256.Sum256(b)
}

func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}

func appendString(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint16(b, uint16(len(s)))
	return append(b, s...)
}

// UnmarshalBinary decodes a canonical encoding and checks every invariant
// a replica relies on (valid rules, phase and point, seated owners,
// increasing Seq, known bets, a bank covering the liability), so a forged
// or corrupted state is refused rather than settled.
func (s *State) UnmarshalBinary(data []byte) error {
	d := decoder{b: data}
	if string(d.bytes(len(encodingMagic))) != encodingMagic {
		return fmt.Errorf("magic/version: %w", ErrBadEncoding)
	}
	var ns State
	ns.rules = d.rules()
	ns.phase, ns.point = Phase(d.u8()), d.u8()
	ns.rolls, ns.nextSeq, ns.bank = d.u64(), d.u64(), int64(d.u64())
	ns.lastRoll = Roll{d.u8(), d.u8()}
	ns.shooter = d.str()
	for n := d.u16(); n > 0 && d.err == nil; n-- {
		ns.seats = append(ns.seats, Player{ID: d.str(), Chips: int64(d.u64())})
	}
	for n := d.u32(); n > 0 && d.err == nil; n-- {
		w := Wager{Seq: d.u64(), Player: d.str()}
		w.Bet = Bet{Kind: BetKind(d.u8()), Number: d.u8()}
		w.Stake, w.Progress, w.Rolls = int64(d.u64()), d.u32(), d.u32()
		ns.wagers = append(ns.wagers, w)
	}
	if d.err == nil && len(d.b) != 0 {
		d.err = fmt.Errorf("%d trailing bytes", len(d.b))
	}
	if d.err != nil {
		return fmt.Errorf("%v: %w", d.err, ErrBadEncoding)
	}
	if err := ns.check(); err != nil {
		return fmt.Errorf("%v: %w", err, ErrBadEncoding)
	}
	*s = ns
	return nil
}

// check verifies the invariants of a decoded state.
func (s State) check() error {
	if err := s.rules.Validate(); err != nil {
		return err
	}
	if err := s.checkTable(); err != nil {
		return err
	}
	if err := s.checkPlayers(); err != nil {
		return err
	}
	if err := s.checkWagers(); err != nil {
		return err
	}
	if need := Liability(s); s.bank < need {
		return fmt.Errorf("bank %d below the liability %d", s.bank, need)
	}
	if _, ok := moneyAtTable(s); !ok {
		return fmt.Errorf("money at the table overflows")
	}
	return nil
}

func (s State) checkTable() error {
	switch {
	case s.phase == ComeOut && s.point != 0, s.phase == Point && !isPointNumber(int(s.point)),
		s.phase != ComeOut && s.phase != Point:
		return fmt.Errorf("phase %s with point %d", s.phase, s.point)
	case s.rolls == 0 && s.lastRoll != Roll{}, s.rolls > 0 && !s.lastRoll.Valid():
		return fmt.Errorf("last roll %s after %d rolls", s.lastRoll, s.rolls)
	case s.bank < 0:
		return fmt.Errorf("bank %d", s.bank)
	case s.nextSeq == 0:
		return fmt.Errorf("next seq 0")
	}
	return nil
}

func (s State) checkPlayers() error {
	if len(s.seats) > s.rules.MaxPlayers {
		return fmt.Errorf("%d players for %d seats", len(s.seats), s.rules.MaxPlayers)
	}
	for i, p := range s.seats {
		if p.ID == "" || len(p.ID) > maxPlayerIDLen || p.Chips < 0 || s.seatIndex(p.ID) != i {
			return fmt.Errorf("player %d (%q, %d chips)", i, p.ID, p.Chips)
		}
	}
	if (s.shooter == "") != (len(s.seats) == 0) || (s.shooter != "" && s.seatIndex(s.shooter) < 0) {
		return fmt.Errorf("shooter %q", s.shooter)
	}
	return nil
}

func (s State) checkWagers() error {
	counts := make([]int, len(s.seats))
	for i, w := range s.wagers {
		p := s.seatIndex(w.Player)
		switch {
		case p < 0:
			return fmt.Errorf("wager %d of unseated %q", w.Seq, w.Player)
		case w.Seq >= s.nextSeq || (i > 0 && w.Seq <= s.wagers[i-1].Seq):
			return fmt.Errorf("wager seq %d out of order", w.Seq)
		case w.Stake <= 0:
			return fmt.Errorf("wager %d stake %d", w.Seq, w.Stake)
		case !wagerBetValid(w.Bet):
			return fmt.Errorf("wager %d bet %s", w.Seq, w.Bet.ID())
		}
		counts[p]++
		if counts[p] > s.rules.MaxWagersPerPlayer {
			return fmt.Errorf("player %q has %d wagers", w.Player, counts[p])
		}
	}
	return nil
}

// wagerBetValid accepts the numbers a wager can carry once on the table:
// line bets and Muggsy gain a point, Pass and Don't Pass odds carry one.
func wagerBetValid(b Bet) bool {
	switch b.Kind {
	case KindPass, KindDontPass, KindCome, KindDontCome, KindMuggsy:
		return b.Number == 0 || isPointNumber(int(b.Number))
	case KindPassOdds, KindDontPassOdds:
		return isPointNumber(int(b.Number))
	}
	return b.validate() == nil
}

// decoder reads big-endian fields, remembering the first error.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) bytes(n int) []byte {
	if d.err != nil {
		return nil
	}
	if len(d.b) < n {
		d.err = fmt.Errorf("truncated: need %d bytes, have %d", n, len(d.b))
		return nil
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

func (d *decoder) u8() uint8 {
	if v := d.bytes(1); v != nil {
		return v[0]
	}
	return 0
}

func (d *decoder) u16() uint16 {
	if v := d.bytes(2); v != nil {
		return binary.BigEndian.Uint16(v)
	}
	return 0
}

func (d *decoder) u32() uint32 {
	if v := d.bytes(4); v != nil {
		return binary.BigEndian.Uint32(v)
	}
	return 0
}

func (d *decoder) u64() uint64 {
	if v := d.bytes(8); v != nil {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

func (d *decoder) str() string { return string(slices.Clone(d.bytes(int(d.u16())))) }

func (d *decoder) rules() Rules {
	var r Rules
	r.MinBet, r.MaxBet = int64(d.u64()), int64(d.u64())
	r.MaxOdds = OddsMultiple{FourTen: d.u8(), FiveNine: d.u8(), SixEight: d.u8()}
	r.FieldTwelvePays = d.u8()
	switch d.u8() {
	case 0:
	case 1:
		r.WorkingOnComeOut = true
	default:
		if d.err == nil {
			d.err = fmt.Errorf("working_on_come_out flag not 0 or 1")
		}
	}
	r.MaxPlayers, r.MaxWagersPerPlayer = int(d.u16()), int(d.u16())
	return r
}
