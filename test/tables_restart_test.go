package test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/bitcraps/bitcraps/messages"
)

// restarts waits until the named service restarted once more than before
// and the node is Running again.
func restarted(t *testing.T, p *peerNode, service string, before int) {
	t.Helper()
	eventually(t, 20*time.Second, service+" restarted", func() (bool, string) {
		rep := p.n.Root().Health()
		s, _ := rep.Service(service)
		return s.Restarts > before && rep.State.String() == "Running", fmt.Sprintf("state %s, %s restarts %d", rep.State, service, s.Restarts)
	})
}

func restarts(p *peerNode, service string) int {
	s, _ := p.n.Root().Health().Service(service)
	return s.Restarts
}

// A crash of the games service (every table actor with it) or of the
// consensus service (every instance) loses nothing: each rebuilds from the
// consensus store and the ledger, and the table plays on.
func TestTablesSurviveServiceCrashes(t *testing.T) {
	cfg := nodeConfig(t)
	cfg.FaultInjection = true
	nodes := startClusterFrom(t, cfg, 2)
	id := create(t, nodes[0], scriptedTable(2, 2, 100*crap)).ID
	join(t, nodes[1], id, 100*crap)
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 3))
	round := uint64(0)
	play := func(k int) {
		for range k {
			round++
			playRound(t, nodes, id, round, rng, seed)
		}
	}
	eventually(t, 20*time.Second, "play starts", func() (bool, string) {
		v := nodes[1].table(id)
		return v.Status == "playing" && v.Shooter != "", v.Status
	})
	play(5)
	for _, service := range []string{"games", "consensus", "games"} {
		before := restarts(nodes[0], service)
		if err := nodes[0].n.Root().Inject(service); err != nil {
			t.Fatal(err)
		}
		restarted(t, nodes[0], service, before)
		eventually(t, 20*time.Second, "table rebuilt after "+service+" crash", func() (bool, string) {
			r := nodes[0].ask("games", &messages.GetTable{TableID: id}).(*messages.TableReply)
			if r.Err != nil {
				return false, r.Err.Error()
			}
			v := r.Table
			return v.Round == round && v.Seated && v.Status == "playing", fmt.Sprintf("round %d seated %v status %s problem %q", v.Round, v.Seated, v.Status, v.Problem)
		})
		play(5)
	}
	sameEverywhere(t, nodes, id, int(round))
}

// A node stopped and started again on its data dir resumes its table.
func TestTableSurvivesNodeRestart(t *testing.T) {
	cfg := nodeConfig(t)
	n := startPeer(t, "A", cfg)
	id := create(t, n, scriptedTable(1, 1, 100*crap)).ID
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 4))
	for r := uint64(1); r <= 5; r++ {
		playRound(t, []*peerNode{n}, id, r, rng, seed)
	}
	before := n.table(id)
	n.stop()
	n = startPeer(t, "A", cfg)
	eventually(t, 20*time.Second, "table back", func() (bool, string) {
		r := n.ask("games", &messages.GetTable{TableID: id}).(*messages.TableReply)
		if r.Err != nil {
			return false, r.Err.Error()
		}
		return r.Table.Round == 5 && r.Table.StateHash == before.StateHash && r.Table.Shooter != "", fmt.Sprintf("%+v", r.Table)
	})
	for r := uint64(6); r <= 10; r++ {
		playRound(t, []*peerNode{n}, id, r, rng, seed)
	}
	n.verified()
}
