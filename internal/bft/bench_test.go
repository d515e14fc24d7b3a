package bft

import (
	"crypto/ed25519"
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkRound measures one certified round at n = 1, 4, 7 in the pure core
// with real Ed25519: every player bets once per round, every message goes
// through the wire codec, the network is perfect and instant. It reports
// ns per round (for all n players together, on one core), the process CPU
// time per round (cpu-ns/round: the honest figure on a busy machine) and the
// signatures made and verified per round.
func BenchmarkRound(b *testing.B) {
	for _, n := range []int{1, 4, 7} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) { benchRounds(b, n) })
	}
}

type benchEnvelope struct {
	to   int
	data []byte
}

func benchRounds(b *testing.B, n int) {
	var players []PublicKey
	var privs []ed25519.PrivateKey
	for i := 0; i < n; i++ {
		seed := make([]byte, 32)
		seed[0] = byte(i + 1)
		priv := ed25519.NewKeyFromSeed(seed)
		pub, _ := PublicKeyFrom(priv.Public().(ed25519.PublicKey))
		players, privs = append(players, pub), append(privs, priv)
	}
	nodes := make([]*Node, n)
	index := make(map[PublicKey]int)
	for i := range nodes {
		app, genesis := newToyApp(players, 1<<40, 1<<50)
		var es [32]byte
		es[0] = byte(i)
		node, err := NewNode(Config{TableID: "bench", Self: players[i], Signer: ed25519Signer(privs[i]), Players: players,
			App: app, Entropy: rand.NewChaCha8(es), GenesisStateHash: genesis, BetWindowTicks: 1})
		if err != nil {
			b.Fatal(err)
		}
		nodes[i], index[players[i]] = node, i
	}
	var queue []benchEnvelope
	betRound := make([]uint64, n)
	flush := func(i int) {
		for nodes[i].HasReady() {
			rd := nodes[i].Ready()
			for _, m := range rd.Messages {
				data, err := m.MarshalBinary()
				if err != nil {
					b.Fatal(err)
				}
				if m.To != (PublicKey{}) {
					queue = append(queue, benchEnvelope{index[m.To], data})
					continue
				}
				for j := range nodes {
					if j != i {
						queue = append(queue, benchEnvelope{j, data})
					}
				}
			}
			nodes[i].Advance(rd)
		}
	}
	bet := func(i int) {
		if r := nodes[i].round; betRound[i] != r {
			betRound[i] = r
			if _, err := nodes[i].SubmitBet(toyBet(1, i%2 == 0)); err != nil {
				b.Fatal(err)
			}
		}
	}
	minRound := func() uint64 {
		m := nodes[0].round
		for _, nd := range nodes {
			m = min(m, nd.round)
		}
		return m
	}
	for i := range nodes {
		flush(i)
	}
	start := minRound()
	var signs, verifies uint64
	for _, nd := range nodes {
		signs -= nd.stats.SignaturesMade
		verifies -= nd.stats.SignaturesVerified
	}
	b.ResetTimer()
	cpu := cpuNanos()
	for minRound() < start+uint64(b.N) {
		for i := range nodes {
			bet(i)
			flush(i)
		}
		for len(queue) > 0 {
			env := queue[0]
			queue = queue[1:]
			m, err := UnmarshalMessage(env.data)
			if err != nil {
				b.Fatal(err)
			}
			_ = nodes[env.to].Step(m)
			flush(env.to)
		}
		for i := range nodes {
			nodes[i].Tick()
			flush(i)
		}
	}
	b.StopTimer()
	cpu = cpuNanos() - cpu
	for _, nd := range nodes {
		signs += nd.stats.SignaturesMade
		verifies += nd.stats.SignaturesVerified
	}
	b.ReportMetric(float64(signs)/float64(b.N), "signs/round")
	b.ReportMetric(float64(verifies)/float64(b.N), "verifies/round")
	b.ReportMetric(float64(cpu)/float64(b.N), "cpu-ns/round")
}
