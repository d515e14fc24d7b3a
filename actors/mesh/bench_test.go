package mesh

import (
	"fmt"
	"testing"
	"time"

	"github.com/bitcraps/bitcraps/internal/identity"
)

// BenchmarkConvergence measures how long size in-process members (testing
// profile, real memberlist on loopback) take from the first spawn until
// every one of them has counted all size as members. All but the first join
// through the first. On a starved machine a member may later be suspected
// and refuted (memberlist's failure detector misfires when probes wait for
// CPU); the time reported is when each had seen the whole cluster.
func BenchmarkConvergence(b *testing.B) {
	for _, size := range []int{20, 50} {
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			ids := make([]*identity.Identity, size)
			for i := range ids {
				ids[i] = newIdentity(b, uint64(1000+i))
			}
			var total time.Duration
			for b.Loop() {
				total += convergeOnce(b, ids)
			}
			b.ReportMetric(total.Seconds()/float64(b.N), "s/converge")
		})
	}
}

func convergeOnce(b *testing.B, ids []*identity.Identity) time.Duration {
	sys := quietSystem(b)
	start := time.Now()
	first := startNode(b, sys, crashStop(testOptions(ids[0])))
	nodes := []*node{first}
	seed := first.peers().Self.GossipAddr
	for _, id := range ids[1:] {
		nodes = append(nodes, startNode(b, sys, crashStop(testOptions(id, seed))))
	}
	saw := make([]bool, len(nodes))
	left := len(nodes)
	deadline := time.Now().Add(2 * time.Minute)
	for left > 0 {
		for i, n := range nodes {
			if !saw[i] && n.peers().Self.Members == len(nodes) {
				saw[i] = true
				left--
			}
		}
		if left == 0 {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("%d of %d members never saw the whole cluster in 2 minutes", left, len(ids))
		}
		time.Sleep(50 * time.Millisecond) // polling interval: cheap next to seconds of convergence
	}
	elapsed := time.Since(start)
	b.StopTimer()
	for _, n := range nodes {
		n.stop()
	}
	b.StartTimer()
	return elapsed
}

func crashStop(o Options) Options {
	o.skipLeave = true // teardown speed only; convergence is what is measured
	return o
}
