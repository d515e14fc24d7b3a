package game

import (
	"strconv"
	"testing"
)

// BenchmarkCertifiedRound: one certified craps round (bets, commitments,
// proposal, commits, reveals, confirms with real Ed25519, the craps App
// validating, applying and settling, the ledger model settling) for n
// players in the pure simulator: no actors, disks or sockets, every message
// marshalled and unmarshalled, one tick of latency per hop. ns/op is per
// certified round at one player; the rest is the protocol's cost.
func BenchmarkCertifiedRound(b *testing.B) {
	for _, n := range []int{1, 4, 7} {
		b.Run("n="+strconv.Itoa(n), func(b *testing.B) {
			s := newSim(b, 1, simOptions{n: n, byz: map[int]byzKind{}, betP: 0.3, leaveOdds: 1 << 30, maxTicks: 1 << 62})
			p := s.players[0]
			b.ResetTimer()
			for uint64(len(p.certs)) < uint64(b.N) && !s.failed {
				s.step()
			}
			b.StopTimer()
			st := p.node.Status().Stats
			b.ReportMetric(float64(s.bets)/float64(b.N), "bets/round")
			b.ReportMetric(float64(st.SignaturesVerified)/float64(b.N), "verifies/round/player")
			b.ReportMetric(float64(s.now)/float64(b.N), "ticks/round")
		})
	}
}
