package tcp_test

import (
	"encoding/binary"
	"slices"
	"testing"
	"time"

	"github.com/bitcraps/bitcraps/messages"
)

// Each benchmark iteration moves a fixed batch, so `make bench`
// (-benchtime 1x) still measures enough messages for percentiles.
const (
	benchMessages = 2000
	benchPayload  = 256 // a signed bet or consensus vote is this order of size
	benchWindow   = 128 // in flight at once: below the 256-envelope send queue
)

func benchPair(b *testing.B) (a, c *node, envs []*messages.Envelope) {
	b.Helper()
	sys := newSystem(b)
	r := seeded(b, 7)
	a = startNode(b, sys, newIdentity(b, r, testDifficulty), r, "127.0.0.1:0")
	c = startNode(b, sys, newIdentity(b, r, testDifficulty), r, "127.0.0.1:0")
	a.send(c, c.addr, a.envelope("warm up"))
	c.waitFrame(func(*messages.FrameReceived) bool { return true })
	payload := make([]byte, benchPayload)
	for i := range benchMessages {
		binary.BigEndian.PutUint64(payload, uint64(i))
		env, err := messages.NewEnvelope(a.signer(), messages.MessageType_MESSAGE_TYPE_DATA, slices.Clone(payload), 1)
		if err != nil {
			b.Fatalf("NewEnvelope: %v", err)
		}
		envs = append(envs, env)
	}
	return a, c, envs
}

// nextFrame waits (bounded) for the next frame at n.
func nextFrame(b *testing.B, n *node) {
	select {
	case <-time.After(waitLimit):
		b.Fatalf("frame lost: none within %v", waitLimit)
	case m := <-n.events:
		if _, ok := m.(*messages.FrameReceived); !ok {
			nextFrame(b, n)
		}
	}
}

// BenchmarkLatency: one envelope at a time from SendEnvelope at A to
// FrameReceived at B's subscriber: actor hops, encode, Noise encrypt,
// loopback TCP, decrypt, decode and Ed25519 verify.
func BenchmarkLatency(b *testing.B) {
	a, c, envs := benchPair(b)
	lat := make([]time.Duration, 0, b.N*benchMessages)
	b.ResetTimer()
	for range b.N {
		for _, env := range envs {
			start := time.Now()
			a.send(c, "", env)
			nextFrame(b, c)
			lat = append(lat, time.Since(start))
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}

// BenchmarkThroughput: envelopes per second A→B with a window of
// benchWindow in flight.
func BenchmarkThroughput(b *testing.B) {
	a, c, envs := benchPair(b)
	var elapsed time.Duration
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		sent, got := 0, 0
		for got < len(envs) {
			for sent < len(envs) && sent-got < benchWindow {
				a.send(c, "", envs[sent])
				sent++
			}
			nextFrame(b, c)
			got++
		}
		elapsed += time.Since(start)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N*len(envs))/elapsed.Seconds(), "msgs/s")
	b.ReportMetric(float64(b.N*len(envs)*benchPayload)/elapsed.Seconds()/1e6, "payload-MB/s")
}
