package test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/internal/ledger"
	"github.com/bitcraps/bitcraps/messages"
)

// BenchmarkRoundLatency measures a round from the shooter's roll (the
// proposal) to its Settle op being durable in the ledger of every player,
// on in-process nodes over loopback TCP, one table, rounds one after
// another (one op is one round; -benchtime 1x is a single sample); each
// player has one bet in the round. Reports p50, p99 and mean in
// milliseconds, and where the round's time goes:
//
//   - cpu-ms/round: all CPU of the process (every node and the driver) per
//     round, from the CPU profiler; it includes placing the bets, before
//     the measured window, and the audit log's signed entries, off it.
//   - sig-cpu-ms/round: the part of it in Ed25519 sign and verify, all
//     nodes together (profile samples at 100 Hz: a run needs a few hundred
//     rounds; cpuprofile_bench_test.go), and sig-%cpu its share.
//   - sig-ms/round (estimate): sig-cpu-ms/round spread evenly over
//     min(players, GOMAXPROCS) cores, the least wall time it can take; the
//     nodes verify in parallel only as far as the cores allow.
//   - fsync-ms/round (estimate): the synced writes on one node's path, the
//     mean over nodes of (consensus persist + ledger commit time) per
//     round; nodes sync in parallel, each on its own path.
//   - other-ms/round (estimate): mean − sig − fsync: the network (loopback
//     TCP, Noise, framing), actor hops, encoding, and waiting for a core.
//     The estimates are rough: with one player it can come out slightly
//     negative.
//   - loopback-rtt-us: a bare one-byte TCP round trip on loopback, the
//     network's own part of each of the round's message hops.
//
// At the end every ledger must check out and agree (checkLedgers).
func BenchmarkRoundLatency(b *testing.B) {
	for _, n := range []int{1, 4, 7} {
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
	waitPlaying(b, nodes, []string{id})
	w := watchTable(b, nodes, id, roundWait)
	before := syncTotalsOf(b, nodes)
	cpu, cpuErr := startCPU()
	var took []time.Duration
	for b.Loop() {
		d, err := w.playRound(w.settledEverywhere() + 1)
		if err != nil {
			b.Fatal(err)
		}
		took = append(took, d)
	}
	shares, err := cpu.stop()
	checkLedgers(b, nodes)
	reportLatency(b, took)
	syncs := syncTotalsOf(b, nodes).minus(before)
	persistMean, persistsPerRound, fsyncPerRound := syncs.perRound(len(took))
	b.ReportMetric(persistMean, "persist-mean-ms")
	b.ReportMetric(persistsPerRound, "persists/round")
	b.ReportMetric(fsyncPerRound, "fsync-ms/round")
	if rtt, rttErr := loopbackRTT(1000); rttErr == nil {
		b.ReportMetric(float64(rtt.Nanoseconds())/1000, "loopback-rtt-us")
	}
	if err = errors.Join(cpuErr, err); err != nil {
		b.Logf("no CPU shares: %v", err)
		return
	}
	sig := reportCPU(b, shares, len(took))
	sigPath := sig / float64(min(n, runtime.GOMAXPROCS(0)))
	b.ReportMetric(sigPath, "sig-ms/round")
	b.ReportMetric(ms(mean(took))-sigPath-fsyncPerRound, "other-ms/round")
}

// waitPlaying waits until every node sees every table playing with a
// shooter.
func waitPlaying(b *testing.B, nodes []*peerNode, ids []string) {
	eventually(b, 60*time.Second, "tables playing everywhere", func() (bool, string) {
		for _, id := range ids {
			for _, p := range nodes {
				if v := p.table(id); v.Status != "playing" || v.Shooter == "" {
					return false, fmt.Sprintf("%s: table %s %s, shooter %q", p.name, id, v.Status, v.Shooter)
				}
			}
		}
		return true, ""
	})
}

// reportLatency reports p50, p99 and mean of took.
func reportLatency(b *testing.B, took []time.Duration) {
	if len(took) == 0 {
		b.Fatal("no round was played")
	}
	slices.Sort(took)
	b.ReportMetric(ms(took[len(took)/2]), "p50-ms")
	b.ReportMetric(ms(took[len(took)*99/100]), "p99-ms")
	b.ReportMetric(ms(mean(took)), "mean-ms")
}

// reportCPU reports the CPU per round, and its signature part, which it
// returns (milliseconds per round).
func reportCPU(b *testing.B, s cpuShares, rounds int) float64 {
	perRound := func(d time.Duration) float64 { return ms(d) / float64(rounds) }
	sig := perRound(s.sign + s.verify)
	b.ReportMetric(perRound(s.total), "cpu-ms/round")
	b.ReportMetric(sig, "sig-cpu-ms/round")
	if s.total > 0 {
		b.ReportMetric(100*float64(s.sign+s.verify)/float64(s.total), "sig-%cpu")
	}
	return sig
}

func mean(ds []time.Duration) time.Duration {
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	return sum / time.Duration(max(len(ds), 1))
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// checkLedgers proves that the benchmark's rounds neither created nor lost
// money: every node's ledger passes its full check (Σ wallets + Σ chips +
// Σ banks = Σ grants, no negative balance, the op log replays to the
// stored state), the grants are exactly one genesis grant per node, and
// every node holds the same ledger state.
func checkLedgers(b *testing.B, nodes []*peerNode) {
	eventually(b, 2*time.Minute, "every ledger checks out and agrees", func() (bool, string) {
		var first string
		for _, p := range nodes {
			rep := verifiedLedger(b, p)
			switch {
			case rep.TotalGrants != int64(len(nodes))*p.cfg.InitialBalance:
				b.Fatalf("%s: grants %d, want %d × %d", p.name, rep.TotalGrants, len(nodes), p.cfg.InitialBalance)
			case rep.TotalWallets+rep.TotalChips+rep.TotalBanks != rep.TotalGrants:
				b.Fatalf("%s: wallets %d + chips %d + banks %d ≠ grants %d", p.name, rep.TotalWallets, rep.TotalChips, rep.TotalBanks, rep.TotalGrants)
			case first == "":
				first = rep.StateHash
			case rep.StateHash != first:
				return false, fmt.Sprintf("%s ledger %s, %s ledger %s", nodes[0].name, first, p.name, rep.StateHash)
			}
		}
		return true, ""
	})
}

// verifiedLedger runs p's full ledger check, which fails the benchmark
// unless it passes. Unlike peerNode.verified it waits up to askWait: the
// check replays every op and verifies every certificate again, seconds
// after thousands of rounds.
func verifiedLedger(b *testing.B, p *peerNode) ledger.Report {
	r, err := askAs[*messages.LedgerVerifyResult](p, "ledger", &messages.LedgerVerifyRequest{})
	if err != nil {
		b.Fatal(err)
	}
	if r.Err != nil || !r.Report.OK {
		b.Fatalf("%s: ledger verify: err %v, report %+v", p.name, r.Err, r.Report)
	}
	return r.Report
}

// syncTotals are a node's synced-write counters, from /metrics.
type syncTotals struct {
	persistSum, persistCount float64 // consensus: one per Ready
	commitSum, commitCount   float64 // ledger: one per group commit
}

func syncTotalsOf(b *testing.B, nodes []*peerNode) nodeSyncs {
	return syncTotalsFrom(scrapeAll(b, nodes))
}

func syncTotalsFrom(scrapes []map[string]float64) nodeSyncs {
	out := make(nodeSyncs, len(scrapes))
	for i, m := range scrapes {
		out[i] = syncTotals{
			persistSum: m["bitcraps_consensus_persist_seconds_sum"], persistCount: m["bitcraps_consensus_persist_seconds_count"],
			commitSum: m["bitcraps_ledger_commit_duration_seconds_sum"], commitCount: m["bitcraps_ledger_commit_duration_seconds_count"],
		}
	}
	return out
}

// nodeSyncs are every node's syncTotals, or their growth over a run.
type nodeSyncs []syncTotals

func (s nodeSyncs) minus(before nodeSyncs) nodeSyncs {
	out := slices.Clone(s)
	for i := range out {
		out[i].persistSum -= before[i].persistSum
		out[i].persistCount -= before[i].persistCount
		out[i].commitSum -= before[i].commitSum
		out[i].commitCount -= before[i].commitCount
	}
	return out
}

// perRound averages over the nodes: the mean consensus persist (ms), the
// persists per round, and the synced-write time (persists and ledger
// commits, ms) per round.
func (s nodeSyncs) perRound(rounds int) (persistMean, persists, syncMS float64) {
	var sum, count, total float64
	for _, t := range s {
		sum += t.persistSum
		count += t.persistCount
		total += t.persistSum + t.commitSum
	}
	nodes, r := float64(len(s)), float64(max(rounds, 1))
	if count > 0 {
		persistMean = 1000 * sum / count
	}
	return persistMean, count / nodes / r, 1000 * total / nodes / r
}

// scrape reads a node's /metrics: series (name with labels) → value.
func scrape(b testing.TB, p *peerNode) map[string]float64 {
	b.Helper()
	resp, err := http.Get("http://" + p.n.HTTPAddr() + "/metrics")
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.Fatalf("%s: read /metrics: %v", p.name, err)
	}
	out := map[string]float64{}
	for _, line := range strings.Split(string(body), "\n") {
		if f := strings.Fields(line); len(f) == 2 && !strings.HasPrefix(line, "#") {
			if v, err := strconv.ParseFloat(f[1], 64); err == nil {
				out[f[0]] = v
			}
		}
	}
	return out
}

// tableSink hands one node's events of one table to a channel without
// ever blocking the table actor: an event that does not fit is counted.
type tableSink struct {
	node    int
	ch      chan<- sinkEvent
	dropped *atomic.Int64
}

// sinkEvent is a settled round (settled > 0) or the node's latest view.
type sinkEvent struct {
	node    int
	settled uint64
	view    liveView
}

// liveView is the part of a messages.TableView the drivers follow.
type liveView struct {
	Shooter     string `json:"shooter"`
	PendingBets int    `json:"pending_bets"`
}

func (s *tableSink) Receive(ctx actor.Context) {
	ev, ok := ctx.Message().(*messages.TableEvent)
	if !ok {
		return
	}
	e := sinkEvent{node: s.node}
	switch ev.Type {
	case messages.EventSettled:
		var d struct {
			Round uint64 `json:"round"`
		}
		if json.Unmarshal(ev.Data, &d) != nil || d.Round == 0 {
			return
		}
		e.settled = d.Round
	case messages.EventTable:
		if json.Unmarshal(ev.Data, &e.view) != nil {
			return
		}
	default:
		return
	}
	select {
	case s.ch <- e:
	default:
		s.dropped.Add(1)
	}
}

// roundWait bounds every wait of a round played alone: far above any
// such round seen here, so reaching it means the table is stuck.
const roundWait = 30 * time.Second

// tableWatch follows one table on every node through its events and plays
// rounds there. It is used by one goroutine at a time.
type tableWatch struct {
	nodes   []*peerNode
	id      string
	wait    time.Duration // bounds each wait of a round
	ch      chan sinkEvent
	dropped atomic.Int64
	events  int
	views   []liveView
	settled []uint64 // last round durable in each node's ledger
}

// watchTable subscribes to the table's events on every node and starts
// from each node's current view and ledger; wait bounds each wait of a
// round.
func watchTable(b *testing.B, nodes []*peerNode, id string, wait time.Duration) *tableWatch {
	w := &tableWatch{nodes: nodes, id: id, wait: wait, ch: make(chan sinkEvent, 4096),
		views: make([]liveView, len(nodes)), settled: make([]uint64, len(nodes))}
	for i, p := range nodes {
		sys := p.n.ActorSystem()
		pid := sys.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return &tableSink{node: i, ch: w.ch, dropped: &w.dropped} }))
		b.Cleanup(func() { _ = sys.Root.StopFuture(pid).Wait() })
		if ack := p.ask("games", &messages.SubscribeTable{TableID: id, Subscriber: pid}).(*messages.Ack); ack.Err != nil {
			b.Fatalf("%s: subscribe to %s: %v", p.name, id, ack.Err)
		}
		v := p.table(id)
		w.views[i] = liveView{Shooter: v.Shooter, PendingBets: v.PendingBets}
		w.settled[i] = p.ledgerTable(id).LastRound
	}
	return w
}

// until applies events until cond holds, for at most within.
func (w *tableWatch) until(within time.Duration, what string, cond func() bool) error {
	if cond() {
		return nil
	}
	timeout := time.NewTimer(within)
	defer timeout.Stop()
	for {
		select {
		case e := <-w.ch:
			w.events++
			if e.settled > 0 {
				w.settled[e.node] = max(w.settled[e.node], e.settled)
			} else {
				w.views[e.node] = e.view
			}
			if cond() {
				return nil
			}
		case <-timeout.C:
			return fmt.Errorf("table %s: %s: not within %v (%d events dropped): %w", w.id, what, within, w.dropped.Load(), errRoundTimeout)
		}
	}
}

var errRoundTimeout = errors.New("round not played in time")

func (w *tableWatch) settledEverywhere() uint64 { return slices.Min(w.settled) }

// shooterHolding is the index of the node whose own view says it is the
// shooter and holds at least bets bets, or -1.
func (w *tableWatch) shooterHolding(bets int) int {
	for i, v := range w.views {
		if v.Shooter == w.nodes[i].peerID() && v.PendingBets >= bets {
			return i
		}
	}
	return -1
}

// playRound has every player bet one CRAP on the field, the shooter roll
// once it holds the bets, and waits until round is durable in every
// node's ledger; it returns the time from the roll to then.
func (w *tableWatch) playRound(round uint64) (time.Duration, error) {
	accepted := 0
	for _, p := range w.nodes {
		br, err := askAs[*messages.BetReply](p, "games", &messages.PlaceBet{TableID: w.id, Type: "field", Amount: crap})
		switch {
		case err != nil:
			return 0, err
		case br.Err == nil:
			accepted++
		case !acceptableRefusal(br.Err):
			return 0, fmt.Errorf("table %s round %d: %s bet: %w", w.id, round, p.name, br.Err)
		}
	}
	start, err := w.roll(round, accepted)
	if err != nil {
		return 0, err
	}
	err = w.until(w.wait, fmt.Sprintf("round %d settled everywhere", round), func() bool { return w.settledEverywhere() >= round })
	return time.Since(start), err
}

// roll rolls at the shooter once it holds the bets and returns when it
// rolled. A view can be stale (a shooter that just sevened out): a roll
// refused as not the shooter's waits for the next event and tries again.
func (w *tableWatch) roll(round uint64, bets int) (time.Time, error) {
	for tries := 0; tries < 100; tries++ {
		s := -1
		if err := w.until(w.wait, fmt.Sprintf("round %d: the shooter holds %d bets", round, bets), func() bool {
			s = w.shooterHolding(bets)
			return s >= 0
		}); err != nil {
			return time.Time{}, err
		}
		start := time.Now()
		ack, err := askAs[*messages.Ack](w.nodes[s], "games", &messages.RollDice{TableID: w.id})
		var ue *messages.UserError
		switch {
		case err != nil:
			return time.Time{}, err
		case ack.Err == nil:
			return start, nil
		case !errors.As(ack.Err, &ue) || ue.Code != messages.CodeNotShooter:
			return time.Time{}, fmt.Errorf("table %s round %d: %s roll: %w", w.id, round, w.nodes[s].name, ack.Err)
		}
		seen := w.events
		if err := w.until(w.wait, "a newer view", func() bool { return w.events > seen }); err != nil {
			return time.Time{}, err
		}
	}
	return time.Time{}, fmt.Errorf("table %s round %d: no roll accepted in 100 tries: %w", w.id, round, errRoundTimeout)
}

// askWait bounds one request to a node's service under load: a request
// waits behind the node's other work, never minutes.
const askWait = time.Minute

// askAs asks a service of p and expects an answer of type R; unlike
// peerNode.ask it returns errors, so driver goroutines can use it.
func askAs[R any](p *peerNode, service string, msg any) (R, error) {
	var zero R
	res, err := p.n.ActorSystem().Root.RequestFuture(p.pid(service), msg, askWait).Result()
	if err != nil {
		return zero, fmt.Errorf("%s: ask %s %T: %w", p.name, service, msg, err)
	}
	r, ok := res.(R)
	if !ok {
		return zero, fmt.Errorf("%s: ask %s %T: answered %T", p.name, service, msg, res)
	}
	return r, nil
}
