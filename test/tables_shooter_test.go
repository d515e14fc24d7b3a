package test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/bitcraps/bitcraps/messages"
)

// The shooter as in a casino, and the pace of a table of people (issue 11),
// on three real nodes: the dice stay with one player until a seven-out,
// then go to the next seat, whatever bft's leader rotation does, and every
// node says who shoots and who is next; the shooter's request rolls at once
// only when every present player has bet.

// byPeer finds the node of a peer ID.
func byPeer(t *testing.T, nodes []*peerNode, peer string) *peerNode {
	t.Helper()
	for _, p := range nodes {
		if p.peerID() == peer {
			return p
		}
	}
	t.Fatalf("peer %q is not one of the nodes", peer)
	return nil
}

// sameShooter checks that every node names one shooter and next shooter
// after round, and returns them.
func sameShooter(t *testing.T, nodes []*peerNode, id string, round uint64) (shooter, next string) {
	t.Helper()
	eventually(t, 20*time.Second, fmt.Sprintf("every node shows round %d's shooter", round), func() (bool, string) {
		v0 := nodes[0].table(id)
		for _, p := range nodes {
			v := p.table(id)
			if v.Round != round || v.Shooter != v0.Shooter || v.NextShooter != v0.NextShooter || v.Shooter == "" || v.NextShooter == "" {
				return false, fmt.Sprintf("%s: round %d shooter %.8s next %.8s; %s: shooter %.8s next %.8s",
					p.name, v.Round, v.Shooter, v.NextShooter, nodes[0].name, v0.Shooter, v0.NextShooter)
			}
		}
		shooter, next = v0.Shooter, v0.NextShooter
		return true, ""
	})
	return shooter, next
}

func TestShooterWaitsForEveryPresentPlayerThenKeepsTheDiceUntilASevenOut(t *testing.T) {
	nodes := startCluster(t, 3)
	v := openTable(t, nodes)
	id := v.ID
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 11))

	// The host sits first and shoots first; the next seat is the first
	// joiner.
	shooter, next := sameShooter(t, nodes, id, 0)
	if shooter != nodes[0].peerID() || next != nodes[1].peerID() {
		t.Fatalf("at the start: shooter %.8s next %.8s, want %s then %s", shooter, next, nodes[0].name, nodes[1].name)
	}

	// Round 1: the shooter bets and asks at once; the others have not bet,
	// so the dice wait (the window is an hour) while every node holds the
	// request...
	s := byPeer(t, nodes, shooter)
	if br := s.ask("games", &messages.PlaceBet{TableID: id, Type: "pass", Amount: crap}).(*messages.BetReply); br.Err != nil {
		t.Fatal(br.Err)
	}
	if ack := s.ask("games", &messages.RollDice{TableID: id}).(*messages.Ack); ack.Err != nil {
		t.Fatalf("the shooter's roll: %v", ack.Err)
	}
	eventually(t, 20*time.Second, "every node holds the shooter's bet", func() (bool, string) {
		for _, p := range nodes {
			if pv := p.table(id); pv.PendingBets < 1 {
				return false, fmt.Sprintf("%s holds %d bets", p.name, pv.PendingBets)
			}
		}
		return true, ""
	})
	for range 10 {
		for _, p := range nodes {
			if r := p.table(id).Round; r != 0 {
				t.Fatalf("%s certified round %d before every present player bet", p.name, r)
			}
		}
		time.Sleep(50 * time.Millisecond) // watching for a roll that must not come
	}
	// ... and a non-shooter may not hurry them.
	other := byPeer(t, nodes, next)
	wantRefusal(t, "a roll by the next shooter", other.ask("games", &messages.RollDice{TableID: id}).(*messages.Ack).Err,
		messages.CodeNotShooter, shooter[:8])
	// Once the other two bet, the held request rolls at once.
	for _, p := range nodes {
		if p != s {
			if br := p.ask("games", &messages.PlaceBet{TableID: id, Type: "field", Amount: crap}).(*messages.BetReply); br.Err != nil {
				t.Fatalf("%s bets: %v", p.name, br.Err)
			}
		}
	}
	eventually(t, 20*time.Second, "round 1 rolls once everyone bet", func() (bool, string) {
		for _, p := range nodes {
			if r := p.table(id).Round; r < 1 {
				return false, fmt.Sprintf("%s at round %d", p.name, r)
			}
		}
		return true, ""
	})

	// Then round after round: the dice move only at a seven-out, and only
	// to the next seat.
	phase := "come_out"
	sevenOuts := 0
	prev := v
	prev.Shooter, prev.NextShooter, prev.Phase = shooter, next, phase
	for round := uint64(1); round <= 80 && sevenOuts < 2; round++ {
		if round > 1 {
			playRound(t, nodes, id, round, rng, seed)
		}
		now := nodes[0].table(id)
		shooter, next = sameShooter(t, nodes, id, round)
		sevenOut := prev.Phase == "point" && now.LastDice[0]+now.LastDice[1] == 7
		switch {
		case sevenOut && (shooter != prev.NextShooter || next == prev.NextShooter):
			t.Fatalf("seed %d round %d: seven-out, the dice went from %.8s to %.8s (next %.8s), want %.8s",
				seed, round, prev.Shooter, shooter, next, prev.NextShooter)
		case !sevenOut && (shooter != prev.Shooter || next != prev.NextShooter):
			t.Fatalf("seed %d round %d: %v on %s, the dice went from %.8s to %.8s, want them kept",
				seed, round, now.LastDice, prev.Phase, prev.Shooter, shooter)
		}
		if sevenOut {
			sevenOuts++
			t.Logf("round %d: seven-out, %.8s shoots, %.8s is next", round, shooter, next)
		}
		prev = nodes[0].table(id)
	}
	if sevenOuts < 2 {
		t.Fatalf("seed %d: %d seven-outs in 80 rounds", seed, sevenOuts)
	}
	sameEverywhere(t, nodes, id, int(prev.Round))
}
