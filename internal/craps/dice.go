package craps

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
)

// Roll is one throw of two dice, each 1..6. Order is kept (D1 is the first
// die drawn) because hop bets and the history are about the pair itself.
type Roll struct{ D1, D2 uint8 }

// NewRoll validates two dice.
func NewRoll(d1, d2 int) (Roll, error) {
	r := Roll{uint8(d1), uint8(d2)}
	if d1 < 1 || d1 > 6 || d2 < 1 || d2 > 6 {
		return Roll{}, fmt.Errorf("dice %d and %d: %w", d1, d2, ErrInvalidRoll)
	}
	return r, nil
}

// Valid reports whether both dice are in 1..6.
func (r Roll) Valid() bool { return r.D1 >= 1 && r.D1 <= 6 && r.D2 >= 1 && r.D2 <= 6 }

// Total is the sum of the dice.
func (r Roll) Total() int { return int(r.D1) + int(r.D2) }

// IsDouble reports a pair (both dice equal): a "hard" total.
func (r Roll) IsDouble() bool { return r.D1 == r.D2 }

// low and high are the dice sorted, the unordered combination.
func (r Roll) low() uint8 { return min(r.D1, r.D2) }

func (r Roll) high() uint8 { return max(r.D1, r.D2) }

// String renders "3-4".
func (r Roll) String() string { return fmt.Sprintf("%d-%d", r.D1, r.D2) }

// allRolls is every ordered outcome of two dice, each with probability 1/36.
var allRolls = func() []Roll {
	rs := make([]Roll, 0, 36)
	for a := uint8(1); a <= 6; a++ {
		for b := uint8(1); b <= 6; b++ {
			rs = append(rs, Roll{a, b})
		}
	}
	return rs
}()

// AllRolls returns the 36 equally likely ordered outcomes of two dice.
func AllRolls() []Roll { return append([]Roll(nil), allRolls...) }

// diceDomain separates dice blocks from every other use of SHA-256 over the
// same seed (the seed is a hash of the players' reveals).
const diceDomain = "bitcraps/dice/v1"

// rejectFrom is the first byte value that is rejected: 252 = 42*6 is the
// largest multiple of 6 that fits in a byte, so b%6 is uniform on 0..251.
const rejectFrom = 252

// DiceStream turns a 32-byte seed into an endless sequence of fair dice.
//
// The algorithm, so that an independent verifier can reproduce it exactly:
// block i (i = 0, 1, 2, ...) is SHA-256(diceDomain || seed || uint64
// big-endian i); the bytes of block 0, then block 1, and so on are read in
// order; a byte b >= 252 is skipped, otherwise it yields the die b%6 + 1.
// Rejection (not modulo on a wider range) is what removes the bias.
type DiceStream struct {
	seed    [32]byte
	counter uint64
	block   [32]byte
	pos     int
}

// NewDiceStream starts a stream at block 0.
func NewDiceStream(seed [32]byte) *DiceStream {
	d := &DiceStream{seed: seed}
	d.refill()
	return d
}

func (d *DiceStream) refill() {
	var msg [len(diceDomain) + 32 + 8]byte
	copy(msg[:], diceDomain)
	copy(msg[len(diceDomain):], d.seed[:])
	binary.BigEndian.PutUint64(msg[len(diceDomain)+32:], d.counter)
	d.block = sha256.Sum256(msg[:])
	d.counter++
	d.pos = 0
}

// Die draws one fair die.
func (d *DiceStream) Die() uint8 {
	for {
		if d.pos == len(d.block) {
			d.refill()
		}
		b := d.block[d.pos]
		d.pos++
		if b < rejectFrom {
			return b%6 + 1
		}
	}
}

// Roll draws two dice.
func (d *DiceStream) Roll() Roll {
	a := d.Die()
	return Roll{a, d.Die()}
}

// DiceFromSeed is the table's dice: the first two dice of the seed's stream.
// The same seed always gives the same roll on every replica.
func DiceFromSeed(seed [32]byte) Roll { return NewDiceStream(seed).Roll() }
