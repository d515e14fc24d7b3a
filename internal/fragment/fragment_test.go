package fragment

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

var t0 = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

func seeded(t *testing.T, seed uint64) *rand.Rand {
	t.Helper()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("seed %d", seed)
		}
	})
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

func randomMessage(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.UintN(256))
	}
	return b
}

func TestSplitFitsMTU(t *testing.T) {
	r := seeded(t, 1)
	for _, mtu := range []int{HeaderSize + ATTOverhead + 1, 23, 185, 247, 512} {
		for _, n := range []int{0, 1, 10, 11, 1000, 4097} {
			msg := randomMessage(r, n)
			frags, err := NewSplitter(7).Split(msg, mtu)
			if err != nil {
				t.Fatalf("split %d bytes at mtu %d: %v", n, mtu, err)
			}
			ra := NewReassembler(Config{})
			var got []byte
			for i, f := range frags {
				if len(f) > mtu-ATTOverhead {
					t.Fatalf("fragment %d is %d bytes, over mtu %d", i, len(f), mtu)
				}
				out, m, err := ra.Add("p", f, t0)
				if err != nil {
					t.Fatalf("add: %v", err)
				}
				if out == Complete {
					got = m
				}
			}
			if !bytes.Equal(got, msg) || got == nil {
				t.Fatalf("mtu %d len %d: reassembled %d bytes, want %d", mtu, n, len(got), len(msg))
			}
		}
	}
}

func TestSplitRejectsTinyMTUAndHugeMessages(t *testing.T) {
	if _, err := NewSplitter(0).Split([]byte("x"), HeaderSize+ATTOverhead); !errors.Is(err, ErrMTU) {
		t.Fatalf("tiny mtu: err = %v, want ErrMTU", err)
	}
	huge := make([]byte, MaxFragments+1)
	if _, err := NewSplitter(0).Split(huge, HeaderSize+ATTOverhead+1); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("huge message: err = %v, want ErrTooLarge", err)
	}
}

func TestParseRejectsMalformed(t *testing.T) {
	cases := map[string][]byte{
		"short":       {Version, 0, 0},
		"version":     {9, 0, 0, 0, 1, 0, 0, 0, 1},
		"zero count":  {Version, 0, 0, 0, 1, 0, 0, 0, 0},
		"index>count": {Version, 0, 0, 0, 1, 0, 2, 0, 2},
	}
	for name, b := range cases {
		ra := NewReassembler(Config{})
		out, _, err := ra.Add("p", b, t0)
		if out != Rejected || err == nil {
			t.Errorf("%s: outcome %v err %v, want Rejected with error", name, out, err)
		}
	}
}

func TestDuplicatesAndReorderDeliverOnce(t *testing.T) {
	r := seeded(t, 42)
	msg := randomMessage(r, 500)
	frags, err := NewSplitter(100).Split(msg, 23)
	if err != nil {
		t.Fatal(err)
	}
	stream := append(append([][]byte{}, frags...), frags...) // every fragment twice
	r.Shuffle(len(stream), func(i, j int) { stream[i], stream[j] = stream[j], stream[i] })
	ra := NewReassembler(Config{})
	delivered := 0
	for _, f := range stream {
		out, m, err := ra.Add("p", f, t0)
		if err != nil {
			t.Fatal(err)
		}
		if out == Complete {
			delivered++
			if !bytes.Equal(m, msg) {
				t.Fatal("reassembled message differs")
			}
		}
	}
	if delivered != 1 {
		t.Fatalf("delivered %d times, want exactly once", delivered)
	}
	if got := ra.Stats().Duplicates; got != uint64(len(frags)) {
		t.Fatalf("duplicates counted %d, want %d", got, len(frags))
	}
}

func TestTimeoutDropsIncompleteMessage(t *testing.T) {
	ra := NewReassembler(Config{Timeout: time.Second})
	frags, _ := NewSplitter(1).Split(make([]byte, 100), 23)
	for _, f := range frags[1:] {
		ra.Add("p", f, t0)
	}
	if n := ra.Expire(t0.Add(999 * time.Millisecond)); n != 0 {
		t.Fatalf("expired %d before the timeout", n)
	}
	if n := ra.Expire(t0.Add(time.Second)); n != 1 || ra.Pending() != 0 {
		t.Fatalf("expired %d, pending %d; want 1 and 0", n, ra.Pending())
	}
	// The late first fragment starts a new partial that cannot complete.
	if out, _, _ := ra.Add("p", frags[0], t0.Add(2*time.Second)); out != Incomplete {
		t.Fatalf("late fragment outcome %v, want Incomplete", out)
	}
}

func TestPeersAreSeparate(t *testing.T) {
	ra := NewReassembler(Config{})
	fa, _ := NewSplitter(5).Split([]byte("from a, quite a long message"), 23)
	fb, _ := NewSplitter(5).Split([]byte("from b, another long message"), 23)
	for i := range fa {
		outA, ma, _ := ra.Add("a", fa[i], t0)
		outB, mb, _ := ra.Add("b", fb[i], t0)
		if i == len(fa)-1 {
			if outA != Complete || outB != Complete || string(ma) == string(mb) {
				t.Fatalf("same message ID from two peers got mixed: %q %q", ma, mb)
			}
		}
	}
}

func TestLimitsBoundMemory(t *testing.T) {
	ra := NewReassembler(Config{MaxMessageBytes: 50, MaxPendingPerPeer: 2})
	big, _ := NewSplitter(1).Split(make([]byte, 60), 23)
	var err error
	for _, f := range big {
		if _, _, err = ra.Add("p", f, t0); err != nil {
			break
		}
	}
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("oversized message: err = %v, want ErrTooLarge", err)
	}
	s := NewSplitter(10)
	for i := range 5 {
		frags, _ := s.Split(make([]byte, 30), 23)
		ra.Add("p", frags[0], t0.Add(time.Duration(i)*time.Millisecond))
	}
	if ra.Pending() != 2 || ra.Stats().Evicted != 3 {
		t.Fatalf("pending %d evicted %d, want 2 and 3", ra.Pending(), ra.Stats().Evicted)
	}
}

func TestForgetClearsPeer(t *testing.T) {
	ra := NewReassembler(Config{})
	frags, _ := NewSplitter(1).Split(make([]byte, 100), 23)
	ra.Add("p", frags[0], t0)
	ra.Add("q", frags[0], t0)
	ra.Forget("p")
	if ra.Pending() != 1 {
		t.Fatalf("pending %d after forgetting p, want 1", ra.Pending())
	}
}

func TestSequencerRestoresOrder(t *testing.T) {
	s := NewSequencer(8)
	var got []string
	push := func(id uint32, m string) {
		for _, out := range s.Push(id, []byte(m), t0) {
			got = append(got, string(out))
		}
	}
	push(10, "a")
	push(12, "c")
	push(13, "d")
	if len(got) != 1 || s.Held() != 2 {
		t.Fatalf("got %v held %d; want [a] and two held", got, s.Held())
	}
	push(11, "b")
	push(11, "b") // late duplicate
	if fmt.Sprint(got) != "[a b c d]" {
		t.Fatalf("got %v, want [a b c d]", got)
	}
}

func TestSequencerDetectsLoss(t *testing.T) {
	s := NewSequencer(8)
	s.Push(1, []byte("a"), t0)
	s.Push(3, []byte("c"), t0)
	if s.Stalled(t0.Add(time.Second-1), time.Second) {
		t.Fatal("stalled before the timeout")
	}
	if !s.Stalled(t0.Add(time.Second), time.Second) {
		t.Fatal("a gap older than the timeout is not reported")
	}
	full := NewSequencer(2)
	full.Push(1, nil, t0)
	full.Push(5, nil, t0)
	full.Push(6, nil, t0)
	if !full.Stalled(t0, time.Hour) {
		t.Fatal("a full hold is not reported")
	}
}

func TestSequencerWrapsAround(t *testing.T) {
	s := NewSequencer(4)
	s.Push(^uint32(0), []byte("x"), t0)
	if out := s.Push(0, []byte("y"), t0); len(out) != 1 {
		t.Fatalf("id 0 after max uint32: %d released, want 1", len(out))
	}
}
