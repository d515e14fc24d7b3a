package ble

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

func seedFor(t *testing.T, seed uint64) uint64 {
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("seed %d", seed)
		}
	})
	return seed
}

// linkPair connects two in-memory radios and returns both ends' frame
// connections.
func linkPair(t *testing.T, air *MemoryAir, mtu int, cfg reassembly) (a, b *frameConn, sa, sb *fragmentStats) {
	t.Helper()
	ra, rb := air.NewRadio("aa:01", mtu), air.NewRadio("aa:02", mtu)
	accepted := make(chan Link, 1)
	ctx := t.Context()
	go rb.Advertise(ctx, NamePrefix+"02", func(l Link) { accepted <- l })
	var central Link
	deadline := time.Now().Add(5 * time.Second)
	for central == nil {
		l, err := ra.Dial(ctx, "aa:02")
		switch {
		case err == nil:
			central = l
		case errors.Is(err, ErrNotAdvertising) && time.Now().Before(deadline):
			time.Sleep(time.Millisecond) // polling until the advertiser is up
		default:
			t.Fatalf("dial: %v", err)
		}
	}
	peripheral := <-accepted
	sa, sb = &fragmentStats{}, &fragmentStats{}
	a = newFrameConn(central, cfg, 1000, time.Now, sa)
	b = newFrameConn(peripheral, cfg, 5000, time.Now, sb)
	t.Cleanup(func() { _ = central.Close() })
	return a, b, sa, sb
}

func randomMessages(r *rand.Rand, n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		m := make([]byte, 1+r.IntN(2000))
		for j := range m {
			m[j] = byte(r.UintN(256))
		}
		out[i] = m
	}
	return out
}

// readAll reads n messages or fails at the deadline.
func readAll(t *testing.T, c *frameConn, n int) ([][]byte, error) {
	t.Helper()
	type res struct {
		m   []byte
		err error
	}
	var got [][]byte
	for len(got) < n {
		ch := make(chan res, 1)
		go func() { m, err := c.ReadMessage(); ch <- res{append([]byte(nil), m...), err} }()
		select {
		case r := <-ch:
			if r.err != nil {
				return got, r.err
			}
			got = append(got, r.m)
		case <-time.After(20 * time.Second):
			t.Fatalf("read %d of %d messages before the deadline", len(got), n)
		}
	}
	return got, nil
}

func TestFragmentsSurviveDuplicationAndReordering(t *testing.T) {
	seed := seedFor(t, 7)
	air := NewMemoryAir(seed)
	air.SetFaults(Faults{Duplicate: 0.1, Reorder: 0.2})
	a, b, _, sb := linkPair(t, air, 23, reassembly{Timeout: 2 * time.Second, MaxMessage: 1 << 16, MaxEarly: 64})
	msgs := randomMessages(rand.New(rand.NewPCG(seed, 1)), 60)
	go func() {
		for _, m := range msgs {
			if err := a.WriteMessage(m); err != nil {
				return
			}
		}
	}()
	got, err := readAll(t, b, len(msgs))
	if err != nil {
		t.Fatalf("after %d messages: %v", len(got), err)
	}
	for i := range msgs {
		if !bytes.Equal(got[i], msgs[i]) {
			t.Fatalf("message %d differs (%d vs %d bytes)", i, len(got[i]), len(msgs[i]))
		}
	}
	stats, counts := air.Stats(), sb.Snapshot()
	if stats.Duplicated == 0 || stats.Reordered == 0 || counts.Duplicate == 0 {
		t.Fatalf("faults not exercised: air %+v, receiver %+v", stats, counts)
	}
	// Nothing arrives twice: one more message is the next one read.
	go a.WriteMessage([]byte("last"))
	if last, err := readAll(t, b, 1); err != nil || string(last[0]) != "last" {
		t.Fatalf("after the batch got %q, %v; want exactly \"last\"", last, err)
	}
}

func TestReorderedMessagesAreReleasedInOrder(t *testing.T) {
	// Messages that complete out of order (whole messages overtaking each
	// other) come out in the sender's order.
	seed := seedFor(t, 11)
	air := NewMemoryAir(seed)
	air.SetFaults(Faults{Reorder: 0.5})
	a, b, _, sb := linkPair(t, air, 185, reassembly{Timeout: 2 * time.Second, MaxMessage: 1 << 16, MaxEarly: 64})
	var msgs [][]byte
	for i := range 200 {
		msgs = append(msgs, []byte(fmt.Sprintf("short message %03d", i))) // one fragment each
	}
	go func() {
		for _, m := range msgs {
			_ = a.WriteMessage(m)
		}
	}()
	got, err := readAll(t, b, len(msgs))
	if err != nil {
		t.Fatal(err)
	}
	for i := range msgs {
		if !bytes.Equal(got[i], msgs[i]) {
			t.Fatalf("position %d: got %q, want %q", i, got[i], msgs[i])
		}
	}
	if sb.Snapshot().OutOfOrderHeld == 0 {
		t.Fatal("no message was ever held for order; the test did not reorder")
	}
}

func TestLossTimesOutAndDropsTheLink(t *testing.T) {
	seed := seedFor(t, 13)
	air := NewMemoryAir(seed)
	a, b, _, sb := linkPair(t, air, 23, reassembly{Timeout: 300 * time.Millisecond, MaxMessage: 1 << 16, MaxEarly: 8})
	if err := a.WriteMessage([]byte("before the loss, intact")); err != nil {
		t.Fatal(err)
	}
	if got, err := readAll(t, b, 1); err != nil || string(got[0]) != "before the loss, intact" {
		t.Fatalf("got %q, %v", got, err)
	}
	air.SetFaults(Faults{Loss: 0.3})
	go func() {
		for range 20 {
			if a.WriteMessage(bytes.Repeat([]byte("x"), 300)) != nil {
				return
			}
		}
	}()
	_, err := readAll(t, b, 20)
	if !errors.Is(err, ErrMessageLost) && !errors.Is(err, ErrLinkClosed) {
		t.Fatalf("err %v, want the link dropped for a lost message", err)
	}
	c := sb.Snapshot()
	if c.TimedOut == 0 && c.Lost == 0 {
		t.Fatalf("counts %+v: neither a timeout nor a loss recorded", c)
	}
	select {
	case <-b.link.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the link stayed up after a lost message")
	}
}

func TestMalformedFragmentsAreDroppedNotFatal(t *testing.T) {
	air := NewMemoryAir(seedFor(t, 17))
	a, b, _, sb := linkPair(t, air, 23, reassembly{Timeout: time.Second, MaxMessage: 1 << 16, MaxEarly: 8})
	if err := a.link.Send([]byte{9, 9, 9}); err != nil { // garbage straight on the link
		t.Fatal(err)
	}
	go a.WriteMessage([]byte("still fine"))
	if got, err := readAll(t, b, 1); err != nil || string(got[0]) != "still fine" {
		t.Fatalf("got %q, %v", got, err)
	}
	if sb.Snapshot().Rejected != 1 {
		t.Fatalf("rejected %d, want 1", sb.Snapshot().Rejected)
	}
}

func TestSeparatedRadiosCannotSeeOrDialEachOther(t *testing.T) {
	air := NewMemoryAir(seedFor(t, 19))
	a, b, c := air.NewRadio("aa:01", 185), air.NewRadio("aa:02", 185), air.NewRadio("aa:03", 185)
	air.Separate("aa:01", "aa:02")
	for _, r := range []*MemoryRadio{b, c} {
		go r.Advertise(t.Context(), NamePrefix+r.addr, func(l Link) {})
	}
	seen := map[string]bool{}
	deadline := time.Now().Add(5 * time.Second)
	for !seen["aa:03"] {
		if time.Now().After(deadline) {
			t.Fatal("the radio in range was never seen")
		}
		for _, ad := range air.adverts(a.addr) {
			seen[ad.Addr] = true
		}
		time.Sleep(time.Millisecond) // polling until c advertises
	}
	if seen["aa:02"] {
		t.Fatal("a separated radio's advertisement was seen")
	}
	if _, err := a.Dial(t.Context(), "aa:02"); !errors.Is(err, ErrNotAdvertising) {
		t.Fatalf("dial across the separation: %v, want ErrNotAdvertising", err)
	}
}
