package craps

import (
	"crypto/sha256"
	"encoding/binary"
	"testing"
)

// referenceDice re-implements the documented DiceStream algorithm from its
// comment, independently of the code, as a verifier would.
func referenceDice(seed [32]byte, n int) []uint8 {
	var dice []uint8
	for block := uint64(0); len(dice) < n; block++ {
		msg := append([]byte("bitcraps/dice/v1"), seed[:]...)
		msg = binary.BigEndian.AppendUint64(msg, block)
		sum := sha256.Sum256(msg)
		for _, b := range sum {
			if b < 252 && len(dice) < n {
				dice = append(dice, b%6+1)
			}
		}
	}
	return dice
}

func seedOf(i uint64, label string) [32]byte {
	return sha256.Sum256(binary.BigEndian.AppendUint64([]byte(label), i))
}

func TestDiceStreamMatchesTheDocumentedAlgorithm(t *testing.T) {
	for i := uint64(0); i < 2000; i++ {
		seed := seedOf(i, "reference")
		want := referenceDice(seed, 70) // crosses at least two blocks
		d := NewDiceStream(seed)
		for k, w := range want {
			if got := d.Die(); got != w {
				t.Fatalf("seed %x die %d: %d, want %d", seed[:8], k, got, w)
			}
		}
		if r := DiceFromSeed(seed); r != (Roll{want[0], want[1]}) {
			t.Fatalf("seed %x: DiceFromSeed %s, want %d-%d", seed[:8], r, want[0], want[1])
		}
	}
}

// TestDiceGoldenVector pins the algorithm: changing it would make replicas
// of different versions disagree about certified rolls.
func TestDiceGoldenVector(t *testing.T) {
	for _, c := range []struct {
		seed [32]byte
		want Roll
	}{
		{[32]byte{}, Roll{6, 4}},
		{sha256.Sum256([]byte("bitcraps")), Roll{3, 4}},
	} {
		if got := DiceFromSeed(c.seed); got != c.want {
			t.Fatalf("seed %x: %s, want %s", c.seed[:8], got, c.want)
		}
	}
}

// TestDiceRejectsHighBytes: a first byte of 252..255 is skipped, not
// folded into a die (folding would bias 1-4 over 5-6).
func TestDiceRejectsHighBytes(t *testing.T) {
	found := 0
	for i := uint64(0); i < 100_000 && found < 20; i++ {
		seed := seedOf(i, "reject")
		msg := append([]byte(diceDomain), seed[:]...)
		block := sha256.Sum256(binary.BigEndian.AppendUint64(msg, 0))
		if block[0] < rejectFrom || block[1] >= rejectFrom {
			continue
		}
		found++
		if got := NewDiceStream(seed).Die(); got != block[1]%6+1 {
			t.Fatalf("seed %x: first byte %d not skipped: die %d, want %d", seed[:8], block[0], got, block[1]%6+1)
		}
	}
	if found < 20 {
		t.Fatalf("found only %d seeds with a rejected first byte", found)
	}
}

// TestDiceFairness: chi-squared over 100,000 seeds, on the 36 ordered
// outcomes, on each die's faces and on the totals. Critical values are for
// a 0.1% false-alarm rate; the seeds are fixed, so the test is
// reproducible.
func TestDiceFairness(t *testing.T) {
	const n = 100_000
	var pairs [7][7]float64
	var first, second [7]float64
	var totals [13]float64
	for i := uint64(0); i < n; i++ {
		r := DiceFromSeed(seedOf(i, "chi-squared"))
		pairs[r.D1][r.D2]++
		first[r.D1]++
		second[r.D2]++
		totals[r.Total()]++
	}
	chiPairs := 0.0
	for a := 1; a <= 6; a++ {
		for b := 1; b <= 6; b++ {
			chiPairs += sq(pairs[a][b]-n/36.0) / (n / 36.0)
		}
	}
	chiFirst, chiSecond := 0.0, 0.0
	for f := 1; f <= 6; f++ {
		chiFirst += sq(first[f]-n/6.0) / (n / 6.0)
		chiSecond += sq(second[f]-n/6.0) / (n / 6.0)
	}
	chiTotals := 0.0
	for s := 2; s <= 12; s++ {
		e := n * float64(ways(s)) / 36
		chiTotals += sq(totals[s]-e) / e
	}
	for _, c := range []struct {
		name     string
		chi, max float64
	}{
		{"36 pairs (35 df)", chiPairs, 66.619},
		{"first die (5 df)", chiFirst, 20.515},
		{"second die (5 df)", chiSecond, 20.515},
		{"totals (10 df)", chiTotals, 29.588},
	} {
		t.Logf("%s: chi-squared %.2f (critical %.2f)", c.name, c.chi, c.max)
		if c.chi > c.max {
			t.Errorf("%s: chi-squared %.2f above %.2f: dice look biased", c.name, c.chi, c.max)
		}
	}
}

func sq(x float64) float64 { return x * x }

func TestNewRoll(t *testing.T) {
	if r, err := NewRoll(3, 4); err != nil || r.Total() != 7 || r.IsDouble() || r.String() != "3-4" {
		t.Fatalf("NewRoll(3, 4) = %v, %v", r, err)
	}
	for _, d := range [][2]int{{0, 1}, {7, 1}, {1, 0}, {1, 7}} {
		_, err := NewRoll(d[0], d[1])
		wantErr(t, err, ErrInvalidRoll)
	}
	_, _, err := Apply(newTable(t, DefaultRules()), Roll{0, 9})
	wantErr(t, err, ErrInvalidRoll)
	if len(AllRolls()) != 36 {
		t.Fatal("AllRolls is not 36 rolls")
	}
}

func BenchmarkDiceFromSeed(b *testing.B) {
	seed := sha256.Sum256([]byte("bench"))
	for i := 0; i < b.N; i++ {
		seed[0] = byte(i)
		_ = DiceFromSeed(seed)
	}
}
