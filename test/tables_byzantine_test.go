package test

import (
	"encoding/binary"
	"fmt"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/bitcraps/bitcraps/actors/consensus"
	"github.com/bitcraps/bitcraps/internal/bft"
	"github.com/bitcraps/bitcraps/messages"
)

// Byzantine players on real nodes: fault injection rewrites a node's
// outgoing consensus messages (its table actor, ledger and mesh stay
// honest). The honest nodes must keep certifying rounds with identical
// state hashes, keep identical ledgers, and keep the ledger invariant.

// Re-signing a rewritten message needs bft's signed bytes (internal/bft
// signing.go): str(tag) ‖ u8(kind) ‖ str(table) ‖ u64(round) ‖ u64(view) ‖
// key(signer) ‖ fields.
func signedHeader(kind uint8, table string, round, view uint64, signer bft.PublicKey) []byte {
	str := func(b []byte, s string) []byte { return append(binary.BigEndian.AppendUint32(b, uint32(len(s))), s...) }
	b := str(nil, "bitcraps/bft/v1")
	b = append(b, kind)
	b = str(b, table)
	b = binary.BigEndian.AppendUint64(b, round)
	b = binary.BigEndian.AppendUint64(b, view)
	return append(b, signer[:]...)
}

func proposalBytes(table string, p *bft.Proposal) []byte {
	h := bft.BodyHash(table, p.Round, &p.Body)
	return append(signedHeader(3, table, p.Round, p.View, p.Leader), h[:]...)
}

func voteBytes(table string, v *bft.Vote) []byte {
	kind := uint8(4)
	if v.Kind == bft.VoteConfirm {
		kind = 6
	}
	b := append(signedHeader(kind, table, v.Round, v.View, v.Voter), v.Body[:]...)
	if v.Kind == bft.VoteConfirm {
		b = append(b, v.State[:]...)
	}
	return b
}

func revealBytes(table string, r *bft.Reveal) []byte {
	return append(signedHeader(5, table, r.Round, 0, r.Player), r.Secret[:]...)
}

// Behaviours of "A table round"'s Byzantine players.
var behaviours = map[string]consensus.Byzantine{
	// silent: sends nothing at all.
	"silent": func(string, bft.Message, func([]byte) []byte) []bft.Message { return nil },
	// withhold: commits, but never reveals (step 4: the round is void).
	"withhold": func(_ string, m bft.Message, _ func([]byte) []byte) []bft.Message {
		if m.Reveal != nil {
			return nil
		}
		return []bft.Message{m}
	},
	// fake reveal: reveals a secret that does not open its commitment.
	"fake-reveal": func(table string, m bft.Message, sign func([]byte) []byte) []bft.Message {
		if m.Reveal == nil {
			return []bft.Message{m}
		}
		r := *m.Reveal
		r.Secret[0] ^= 0xff
		r.Sig = sign(revealBytes(table, &r))
		return []bft.Message{{To: m.To, Reveal: &r}}
	},
	// wrong state: confirms the round with a state hash of its own.
	"wrong-state": func(table string, m bft.Message, sign func([]byte) []byte) []bft.Message {
		if m.Vote == nil || m.Vote.Kind != bft.VoteConfirm {
			return []bft.Message{m}
		}
		v := *m.Vote
		v.State[0] ^= 0xff
		v.Sig = sign(voteBytes(table, &v))
		return []bft.Message{{To: m.To, Vote: &v}}
	},
	// equivocate: as leader, proposes two different bodies to two halves
	// of the table; as a voter, signs a second commit for another body.
	"equivocate": func(table string, m bft.Message, sign func([]byte) []byte) []bft.Message {
		if p := m.Proposal; p != nil && m.To == (bft.PublicKey{}) {
			alt := *p
			switch {
			case len(p.Body.Bets) > 0:
				alt.Body.Bets = nil
			case len(p.Body.Commitments) > bft.Quorum(len(p.Body.Seats)):
				alt.Body.Commitments = p.Body.Commitments[:len(p.Body.Commitments)-1]
			default:
				return []bft.Message{m}
			}
			alt.Sig = sign(proposalBytes(table, &alt))
			var out []bft.Message
			for i, k := range p.Body.Seats {
				if k == p.Leader {
					continue
				}
				if i%2 == 0 {
					out = append(out, bft.Message{To: k, Proposal: p})
				} else {
					out = append(out, bft.Message{To: k, Proposal: &alt})
				}
			}
			return out
		}
		if v := m.Vote; v != nil && v.Kind == bft.VoteCommit {
			alt := *v
			alt.Body[0] ^= 0xff
			alt.Sig = sign(voteBytes(table, &alt))
			return []bft.Message{m, {To: m.To, Vote: &alt}}
		}
		return []bft.Message{m}
	},
}

// byzantineRounds: 30 in `make test`, where the seeded simulators of
// internal/bft, internal/game and internal/lifecycle cover the protocol
// over thousands of seeds; `make byzantine` plays the hundred
// (BYZANTINE_ROUNDS=<n> any other number).
func byzantineRounds() uint64 {
	if n, err := strconv.Atoi(os.Getenv("BYZANTINE_ROUNDS")); err == nil && n > 0 {
		return uint64(n)
	}
	return 30
}

func TestByzantineFourNodesOneBad(t *testing.T) {
	for _, name := range []string{"silent", "withhold", "fake-reveal", "wrong-state", "equivocate"} {
		t.Run(name, func(t *testing.T) { byzantineTable(t, 4, []string{name}) })
	}
}

func TestByzantineSevenNodesTwoBad(t *testing.T) {
	t.Run("equivocate+wrong-state", func(t *testing.T) { byzantineTable(t, 7, []string{"equivocate", "wrong-state"}) })
	t.Run("withhold+silent", func(t *testing.T) { byzantineTable(t, 7, []string{"withhold", "silent"}) })
}

func byzantineTable(t *testing.T, size int, bad []string) {
	first := nodeConfig(t)
	first.FaultInjection = true
	nodes := []*peerNode{startPeer(t, "A", first)}
	for i := 1; i < size; i++ {
		c := nodeConfig(t, nodes[0].gossipAddr())
		c.FaultInjection = true
		nodes = append(nodes, startPeer(t, string(rune('A'+i)), c))
	}
	honest, byz := nodes[:size-len(bad)], nodes[size-len(bad):]
	// The table needs only its honest players present (min_players): with
	// every seat required, one silent player would pause it, by the table's
	// own rule. It starts with them; the others join mid-game.
	req := scriptedTable(len(honest), size, 100*crap)
	req.Bankroll, req.BetWindow = 800*crap, 300*time.Millisecond
	id := create(t, nodes[0], req).ID
	for _, p := range nodes[1:] {
		join(t, p, id, 100*crap)
	}
	eventually(t, 30*time.Second, "play starts with every seat", func() (bool, string) {
		for _, p := range nodes {
			if v := p.table(id); len(v.Players) != size {
				return false, fmt.Sprintf("%s: %d players", p.name, len(v.Players))
			}
		}
		for _, p := range nodes {
			if v := p.table(id); v.Status != "playing" || v.Shooter == "" {
				return false, p.name + " " + v.Status
			}
		}
		return true, ""
	})
	for i, p := range byz {
		ack := p.ask("consensus", &consensus.InjectByzantine{Behavior: behaviours[bad[i]]}).(*messages.ConsensusAck)
		if ack.Err != nil {
			t.Fatal(ack.Err)
		}
	}
	rounds := byzantineRounds()
	// 15 s a round: three times what seven nodes under -race take on two
	// busy cores, so only a table that stopped playing runs out of time.
	deadline := time.Now().Add(time.Duration(rounds) * 15 * time.Second)
	for {
		done := true
		for _, p := range honest {
			if p.ledgerTable(id).LastRound < rounds {
				done = false
			}
		}
		if done {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("honest nodes did not settle %d rounds in time: %s", rounds, progress(honest, id))
		}
		for _, p := range nodes { // a field bet now and then, Byzantine players' too
			_ = p.ask("games", &messages.PlaceBet{TableID: id, Type: "field", Amount: crap}).(*messages.BetReply)
		}
		time.Sleep(200 * time.Millisecond) // pacing the bets, not synchronisation
	}
	sameEverywhere(t, honest, id, int(rounds))
	for _, p := range byz {
		p.verified()
	}
	evidence := 0
	for _, p := range honest {
		evidence += p.table(id).Evidence
	}
	t.Logf("%v: %d rounds, evidence seen by honest nodes: %d; %s", bad, rounds, evidence, progress(honest, id))
	if slices.Contains(bad, "fake-reveal") && evidence == 0 {
		t.Fatal("no honest node kept evidence of the fake reveal")
	}
	// A withholder the table unseated was voided (it is never absent: it
	// keeps voting), and every honest node counted the reveal it withheld.
	if i := slices.Index(bad, "withhold"); i >= 0 && !slices.ContainsFunc(honest[0].table(id).Players,
		func(pv messages.PlayerView) bool { return pv.PeerID == byz[i].peerID() }) {
		for _, p := range honest {
			if metricValue(t, p, "bitcraps_consensus_withheld_reveals_total") == 0 {
				t.Fatalf("%s: the withholder was voided, but bitcraps_consensus_withheld_reveals_total is 0", p.name)
			}
		}
	}
}

func progress(nodes []*peerNode, id string) string {
	s := ""
	for _, p := range nodes {
		v := p.table(id)
		s += fmt.Sprintf("%s: round %d, %d players, problem %q; ", p.name, v.Round, len(v.Players), v.Problem)
	}
	return s
}

// sameLedgers samples every node's last settled round and ledger state
// hash together and checks that every node shares a round with the first
// one at which their ledgers are the same (a grant of a newly met peer may
// make one differ for a moment; only a difference that never goes away
// fails). Rounds may keep coming (auto-rolling
// tables), so each node must share at least one round with the first one
// within the sampling time; a quiet table shares one at once. Every ledger
// also passes its full check.
func sameLedgers(t *testing.T, nodes []*peerNode, id string) {
	t.Helper()
	seen := make([]map[uint64]string, len(nodes))
	for i := range seen {
		seen[i] = map[uint64]string{}
	}
	deadline := time.Now().Add(60 * time.Second)
	mismatch := "none"
	for {
		for i, p := range nodes {
			before := p.ledgerTable(id).LastRound
			h := p.ask("ledger", &messages.LedgerStateHashRequest{}).(*messages.LedgerStateHash)
			if h.Err == nil && p.ledgerTable(id).LastRound == before {
				seen[i][before] = h.Hash
			}
		}
		matched := 1
		for i := 1; i < len(nodes); i++ {
			shared := false
			for r, h := range seen[i] {
				if h0, ok := seen[0][r]; ok {
					if h0 != h {
						// Genesis grants of newly met peers arrive on their
						// own time: sample that round again, and fail only
						// if no common round ever agrees.
						mismatch = fmt.Sprintf("round %d settled: ledger state %s on %s, %s on %s", r, h0, nodes[0].name, h, nodes[i].name)
						delete(seen[0], r)
						delete(seen[i], r)
						continue
					}
					shared = true
				}
			}
			if shared {
				matched++
			}
		}
		if matched == len(nodes) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("nodes never settled a common round alike while sampled: %v; last difference: %s", seen, mismatch)
		}
		time.Sleep(10 * time.Millisecond) // sampling interval, bounded by the deadline
	}
	for _, p := range nodes {
		p.verified()
	}
}
