package test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/messages"
)

// settledSink receives a table's events on one node and reports when each
// round's Settle op became durable in that node's ledger.
type settledSink struct{ ch chan uint64 }

func (s *settledSink) Receive(ctx actor.Context) {
	ev, ok := ctx.Message().(*messages.TableEvent)
	if !ok || ev.Type != messages.EventSettled {
		return
	}
	var d struct {
		Round uint64 `json:"round"`
	}
	if json.Unmarshal(ev.Data, &d) == nil {
		s.ch <- d.Round
	}
}

func subscribeSettled(tb testing.TB, p *peerNode, id string) chan uint64 {
	tb.Helper()
	ch := make(chan uint64, 1024)
	sys := p.n.ActorSystem()
	pid := sys.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return &settledSink{ch: ch} }))
	tb.Cleanup(func() { _ = sys.Root.StopFuture(pid).Wait() })
	if ack := p.ask("games", &messages.SubscribeTable{TableID: id, Subscriber: pid}).(*messages.Ack); ack.Err != nil {
		tb.Fatal(ack.Err)
	}
	return ch
}

// BenchmarkRoundLatency measures a round from the shooter's roll (the
// proposal) to its Settle op being durable in the ledger of every player,
// on in-process nodes over loopback TCP; each player has one bet in the
// round. Reports p50 and p99 in milliseconds.
func BenchmarkRoundLatency(b *testing.B) {
	for _, n := range []int{1, 4} {
		b.Run(fmt.Sprintf("players=%d", n), func(b *testing.B) { benchRounds(b, n) })
	}
}

func benchRounds(b *testing.B, n int) {
	nodes := startCluster(b, n)
	host := nodes[0]
	r := host.ask("games", scriptedTable(n, n, 500*crap)).(*messages.TableReply)
	if r.Err != nil {
		b.Fatal(r.Err)
	}
	id := r.Table.ID
	for _, p := range nodes[1:] {
		eventually(b, 20*time.Second, "announced", func() (bool, string) {
			return p.ask("games", &messages.GetTable{TableID: id}).(*messages.TableReply).Err == nil, ""
		})
		if jr := p.ask("games", &messages.JoinTable{TableID: id, BuyIn: 500 * crap}).(*messages.TableReply); jr.Err != nil {
			b.Fatal(jr.Err)
		}
	}
	sinks := make([]chan uint64, n)
	for i, p := range nodes {
		sinks[i] = subscribeSettled(b, p, id)
	}
	eventually(b, 20*time.Second, "playing", func() (bool, string) {
		for _, p := range nodes {
			if v := p.table(id); v.Shooter == "" {
				return false, p.name
			}
		}
		return true, ""
	})
	var took []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		round := uint64(i + 1)
		for _, p := range nodes {
			if br := p.ask("games", &messages.PlaceBet{TableID: id, Type: "field", Amount: crap}).(*messages.BetReply); br.Err != nil {
				b.Fatalf("round %d bet: %v", round, br.Err)
			}
		}
		shooter := waitShooter(b, nodes, id, n)
		start := time.Now()
		if ack := shooter.ask("games", &messages.RollDice{TableID: id}).(*messages.Ack); ack.Err != nil {
			b.Fatalf("round %d roll: %v", round, ack.Err)
		}
		for _, s := range sinks {
			waitRound(b, s, round)
		}
		took = append(took, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(took)
	b.ReportMetric(ms(took[len(took)/2]), "p50-ms")
	b.ReportMetric(ms(took[len(took)*99/100]), "p99-ms")
	// The share of the time spent in synced consensus writes: the mean
	// persist times the persists per round on the first node.
	sum, count := metricSumCount(b, host, "bitcraps_consensus_persist_seconds")
	rounds, _ := metricSumCount(b, host, "bitcraps_consensus_rounds_certified_total")
	if count > 0 && rounds > 0 {
		b.ReportMetric(1000*sum/count, "persist-mean-ms")
		b.ReportMetric(count/rounds, "persists/round")
	}
}

// metricSumCount reads a histogram's _sum and _count (or a counter's value,
// as sum) from the node's /metrics.
func metricSumCount(b *testing.B, p *peerNode, name string) (sum, count float64) {
	resp, err := http.Get("http://" + p.n.HTTPAddr() + "/metrics")
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(body), "\n") {
		f := strings.Fields(line)
		if len(f) != 2 {
			continue
		}
		v, _ := strconv.ParseFloat(f[1], 64)
		switch f[0] {
		case name + "_sum", name:
			sum = v
		case name + "_count":
			count = v
		}
	}
	return sum, count
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// waitShooter returns the shooter's node once it holds every player's bet.
func waitShooter(b *testing.B, nodes []*peerNode, id string, bets int) *peerNode {
	var shooter *peerNode
	eventually(b, 10*time.Second, "shooter holds the bets", func() (bool, string) {
		v := nodes[0].table(id)
		for _, p := range nodes {
			if p.peerID() == v.Shooter {
				if pv := p.table(id); pv.Shooter == p.peerID() && pv.PendingBets >= bets {
					shooter = p
					return true, ""
				}
			}
		}
		return false, "shooter " + v.Shooter
	})
	return shooter
}

var errRoundTimeout = errors.New("round not settled in time")

func waitRound(b *testing.B, ch chan uint64, round uint64) {
	timeout := time.After(20 * time.Second)
	for {
		select {
		case r := <-ch:
			if r >= round {
				return
			}
		case <-timeout:
			b.Fatalf("round %d: %v", round, errRoundTimeout)
		}
	}
}
