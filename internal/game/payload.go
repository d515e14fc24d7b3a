package game

import (
	"encoding/binary"
	"fmt"

	"github.com/bitcraps/bitcraps/internal/bft"
	"github.com/bitcraps/bitcraps/internal/craps"
)

// PayloadKind says what a bet payload asks for.
type PayloadKind string

// Payload kinds.
const (
	// KindBet places a bet: BetType, Number (where the bet needs one), Amount.
	KindBet PayloadKind = "bet"
	// KindTakeDown returns the player's open wagers on BetType/Number.
	KindTakeDown PayloadKind = "takedown"
	// KindLeave unseats the player in this round (see doc.go, "Leaving").
	KindLeave PayloadKind = "leave"
	// KindUnseat unseats another player, Target, that went silent (see
	// doc.go, "Unseating a silent player").
	KindUnseat PayloadKind = "unseat"
	// KindJoin seats Target, who bought in Amount chips, while the table
	// plays: a seated player (the host) submits it; Target sits from the
	// next round (see doc.go, "Joining mid-game").
	KindJoin PayloadKind = "join"
	// KindRoll is the shooter asking for the dice to be rolled (see
	// shooter.go): only the shooter of the state it builds on may sign one,
	// once per round; it moves nothing.
	KindRoll PayloadKind = "roll"
	// KindDissolve ends the table at the state the round builds on: at 4+
	// seats a table paused past the grace while a quorum is present is
	// dissolved by a certified round, so every replica ends it at the same
	// state (see doc.go, "Dissolving a table"). Nothing else of the round
	// it is in applies (refunded), and no dice are rolled.
	KindDissolve PayloadKind = "dissolve"
)

// Payload is what a player signs into bft.Bet.Payload.
type Payload struct {
	Kind PayloadKind `json:"kind"`
	// BetType is the craps wire name as the HTTP API sends it ("pass",
	// "place", "hard", "hop", or a full id such as "place_6").
	BetType string `json:"type,omitempty"`
	// Number is the bet's number where it needs one (place 6, hop 25).
	Number int `json:"number,omitempty"`
	// Amount is the stake in micro-CRAP (bets), or the chips a joiner
	// bought in (joins).
	Amount int64 `json:"amount,omitempty"`
	// Target is the player an unseat payload unseats, or a join seats.
	Target bft.PublicKey `json:"target,omitzero"`
}

// PayloadVersion is the first byte of every encoded payload.
const PayloadVersion = 1

// MaxStake bounds Amount: craps.MaxBetLimit is the largest stake any table
// may allow, so anything above it can only be garbage.
const MaxStake = craps.MaxBetLimit

// The canonical binary encoding, version 1 (big-endian):
//
//	bet:       0x01 0x01 u8(craps.BetKind) u8(number) u64(amount)   12 bytes
//	takedown:  0x01 0x02 u8(craps.BetKind) u8(number)                4 bytes
//	leave:     0x01 0x03                                             2 bytes
//	unseat:    0x01 0x04 [32]byte(target key)                       34 bytes
//	join:      0x01 0x05 [32]byte(joiner key) u64(chips)            42 bytes
//	roll:      0x01 0x06                                             2 bytes
//	dissolve:  0x01 0x07                                             2 bytes
//
// The bet is stored as the craps wire id (kind, number), normalised by
// craps.ParseBet, so one bet has exactly one encoding ("Place-6", "place_6"
// and ("place", 6) all encode alike) and decoding refuses any other form.
const (
	tagBet      = 1
	tagTakeDown = 2
	tagLeave    = 3
	tagUnseat   = 4
	tagJoin     = 5
	tagRoll     = 6
	tagDissolve = 7
)

// MaxJoinChips bounds a joiner's chips: the ledger's amounts are int64
// micro-CRAP, and a table never holds more than this many (10^12 CRAP).
const MaxJoinChips = 1_000_000_000_000 * 1_000_000

// EncodePayload checks p and returns its canonical encoding.
func EncodePayload(p Payload) ([]byte, error) {
	switch p.Kind {
	case KindBet:
		bet, err := parseBet(p)
		if err != nil {
			return nil, err
		}
		if p.Amount < 1 || p.Amount > MaxStake {
			return nil, fmt.Errorf("bet %s amount %d: want 1..%d micro-CRAP: %w", bet.ID(), p.Amount, MaxStake, ErrBadPayload)
		}
		b := []byte{PayloadVersion, tagBet, byte(bet.Kind), bet.Number}
		return binary.BigEndian.AppendUint64(b, uint64(p.Amount)), nil
	case KindTakeDown:
		bet, err := parseBet(p)
		if err != nil {
			return nil, err
		}
		if p.Amount != 0 {
			return nil, fmt.Errorf("takedown %s with amount %d: a take-down returns whole wagers: %w", bet.ID(), p.Amount, ErrBadPayload)
		}
		return []byte{PayloadVersion, tagTakeDown, byte(bet.Kind), bet.Number}, nil
	case KindLeave, KindDissolve:
		if p.BetType != "" || p.Number != 0 || p.Amount != 0 || p.Target != (bft.PublicKey{}) {
			return nil, fmt.Errorf("%s with a bet type, number, amount or target: %w", p.Kind, ErrBadPayload)
		}
		if p.Kind == KindDissolve {
			return EncodeDissolve(), nil
		}
		return EncodeLeave(), nil
	case KindUnseat:
		if p.BetType != "" || p.Number != 0 || p.Amount != 0 || p.Target == (bft.PublicKey{}) {
			return nil, fmt.Errorf("unseat without a target, or with a bet type, number or amount: %w", ErrBadPayload)
		}
		return EncodeUnseat(p.Target), nil
	case KindJoin:
		if p.BetType != "" || p.Number != 0 || p.Target == (bft.PublicKey{}) || p.Amount < 1 || p.Amount > MaxJoinChips {
			return nil, fmt.Errorf("join of %s with %d chips: want a joiner, 1..%d chips, no bet: %w", p.Target.Short(), p.Amount, int64(MaxJoinChips), ErrBadPayload)
		}
		return EncodeJoin(p.Target, p.Amount), nil
	case KindRoll:
		if p.BetType != "" || p.Number != 0 || p.Amount != 0 || p.Target != (bft.PublicKey{}) {
			return nil, fmt.Errorf("roll with a bet type, number, amount or target: %w", ErrBadPayload)
		}
		return EncodeRoll(), nil
	}
	return nil, fmt.Errorf("payload kind %q: want bet, takedown, leave, unseat, join, roll or dissolve: %w", p.Kind, ErrBadPayload)
}

// EncodeBet is EncodePayload of a bet.
func EncodeBet(betType string, number int, amount int64) ([]byte, error) {
	return EncodePayload(Payload{Kind: KindBet, BetType: betType, Number: number, Amount: amount})
}

// EncodeTakeDown is EncodePayload of a take-down.
func EncodeTakeDown(betType string, number int) ([]byte, error) {
	return EncodePayload(Payload{Kind: KindTakeDown, BetType: betType, Number: number})
}

// EncodeLeave is the payload of a leave.
func EncodeLeave() []byte { return []byte{PayloadVersion, tagLeave} }

// EncodeDissolve is the payload that dissolves the table.
func EncodeDissolve() []byte { return []byte{PayloadVersion, tagDissolve} }

// EncodeRoll is the payload of the shooter's request to roll.
func EncodeRoll() []byte { return []byte{PayloadVersion, tagRoll} }

// EncodeUnseat is the payload that unseats target.
func EncodeUnseat(target bft.PublicKey) []byte {
	return append([]byte{PayloadVersion, tagUnseat}, target[:]...)
}

// EncodeJoin is the payload that seats joiner with chips (micro-CRAP).
func EncodeJoin(joiner bft.PublicKey, chips int64) []byte {
	b := append([]byte{PayloadVersion, tagJoin}, joiner[:]...)
	return binary.BigEndian.AppendUint64(b, uint64(chips))
}

// DecodePayload reads a canonical encoding. BetType comes back as the craps
// kind id ("place") and Number as the bet's number (6). It never panics.
func DecodePayload(b []byte) (Payload, error) {
	if len(b) < 2 {
		return Payload{}, fmt.Errorf("payload of %d bytes: %w", len(b), ErrBadPayload)
	}
	if b[0] != PayloadVersion {
		return Payload{}, fmt.Errorf("payload version %d, want %d: %w", b[0], PayloadVersion, ErrBadPayload)
	}
	want := encodedLen(b[1])
	if want == 0 {
		return Payload{}, fmt.Errorf("payload kind tag %d: %w", b[1], ErrBadPayload)
	}
	if len(b) != want {
		return Payload{}, fmt.Errorf("payload kind tag %d of %d bytes, want %d: %w", b[1], len(b), want, ErrBadPayload)
	}
	switch b[1] {
	case tagLeave:
		return Payload{Kind: KindLeave}, nil
	case tagDissolve:
		return Payload{Kind: KindDissolve}, nil
	case tagRoll:
		return Payload{Kind: KindRoll}, nil
	case tagUnseat:
		p := Payload{Kind: KindUnseat, Target: bft.PublicKey(b[2:])}
		if p.Target == (bft.PublicKey{}) {
			return Payload{}, fmt.Errorf("unseat of the zero key: %w", ErrBadPayload)
		}
		return p, nil
	case tagJoin:
		p := Payload{Kind: KindJoin, Target: bft.PublicKey(b[2:34]), Amount: int64(binary.BigEndian.Uint64(b[34:]))}
		if p.Target == (bft.PublicKey{}) || p.Amount < 1 || p.Amount > MaxJoinChips {
			return Payload{}, fmt.Errorf("join of %s with %d chips: %w", p.Target.Short(), p.Amount, ErrBadPayload)
		}
		return p, nil
	}
	bet, err := decodeBet(b[2], b[3])
	if err != nil {
		return Payload{}, err
	}
	p := Payload{Kind: KindTakeDown, BetType: bet.Kind.ID(), Number: int(bet.Number)}
	if b[1] == tagBet {
		p.Kind = KindBet
		p.Amount = int64(binary.BigEndian.Uint64(b[4:]))
		if p.Amount < 1 || p.Amount > MaxStake {
			return Payload{}, fmt.Errorf("bet %s amount %d: want 1..%d micro-CRAP: %w", bet.ID(), p.Amount, MaxStake, ErrBadPayload)
		}
	}
	return p, nil
}

// encodedLen is the length of a payload of the given kind tag (0: unknown).
func encodedLen(tag byte) int {
	switch tag {
	case tagBet:
		return 12
	case tagTakeDown:
		return 4
	case tagLeave, tagRoll, tagDissolve:
		return 2
	case tagUnseat:
		return 34
	case tagJoin:
		return 42
	}
	return 0
}

// Bet is the payload's craps bet (bets and take-downs).
func (p Payload) Bet() (craps.Bet, error) { return parseBet(p) }

func parseBet(p Payload) (craps.Bet, error) {
	bet, err := craps.ParseBet(p.BetType, p.Number)
	if err != nil {
		return craps.Bet{}, fmt.Errorf("%s payload: %w: %w", p.Kind, ErrBadPayload, err)
	}
	return bet, nil
}

// decodeBet accepts only the canonical (kind, number) of a bet.
func decodeBet(kind, number byte) (craps.Bet, error) {
	k := craps.BetKind(kind)
	if !k.Known() {
		return craps.Bet{}, fmt.Errorf("bet kind %d: %w", kind, ErrBadPayload)
	}
	bet, err := craps.ParseBet(k.ID(), int(number))
	if err != nil {
		return craps.Bet{}, fmt.Errorf("bet %s number %d: %w: %w", k.ID(), number, ErrBadPayload, err)
	}
	if bet != (craps.Bet{Kind: k, Number: number}) {
		return craps.Bet{}, fmt.Errorf("bet %s number %d is not canonical (%s): %w", k.ID(), number, bet.ID(), ErrBadPayload)
	}
	return bet, nil
}
