package table

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/internal/bft"
	"github.com/bitcraps/bitcraps/internal/craps"
	"github.com/bitcraps/bitcraps/internal/game"
	"github.com/bitcraps/bitcraps/internal/identity"
	"github.com/bitcraps/bitcraps/messages"
)

// historySpy stands in for the mesh and records when each history request
// leaves, by recipient.
type historySpy struct {
	mu   sync.Mutex
	asks map[string][]time.Time
}

func (s *historySpy) Receive(ctx actor.Context) {
	m, ok := ctx.Message().(*messages.RouteEnvelope)
	if !ok || m.Envelope.GetType() != messages.MessageType_MESSAGE_TYPE_CONSENSUS {
		return
	}
	_, _, body, err := messages.DecodeFrame(m.Envelope.GetPayload())
	var c control
	if err != nil || json.Unmarshal(body, &c) != nil || c.Kind != ctlHistoryAsk {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	to := hex.EncodeToString(m.Envelope.GetRecipient())
	s.asks[to] = append(s.asks[to], time.Now())
}

func (s *historySpy) times(peer string) []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Time(nil), s.asks[peer]...)
}

// A peer announcing many tables whose genesis names one victim as the only
// seat cannot make this node's followers flood the victim with history
// requests: they leave at most historyAskBurst at once, then
// historyAsksPerSecond (issue 12, item 6).
func TestHistoryRequestsAreRateLimitedPerTarget(t *testing.T) {
	n := startNode(t, 8, nil)
	spy := spyOnMesh(t, n)
	host, victim := newIdentity(t, 81), newIdentity(t, 82)
	start := time.Now()
	announce(t, n, host, playingTables(host, victim, 0, 50)...)
	const observed = historyAskBurst + 3
	eventually(t, 10*time.Second, "history requests to the victim", func() (bool, string) {
		got := len(spy.times(string(victim.PeerID())))
		return got >= observed, fmt.Sprintf("%d requests", got)
	})
	for k, at := range spy.times(string(victim.PeerID())) {
		// The k-th request (from 0) may leave once k-burst+1 tokens have refilled.
		earliest := time.Duration(k-historyAskBurst+1) * time.Second / historyAsksPerSecond
		if elapsed := at.Sub(start); k >= historyAskBurst && elapsed < earliest-50*time.Millisecond {
			t.Fatalf("history request %d to the victim after %v, before the limit allows (%v)", k, elapsed, earliest)
		}
	}
}

// spyOnMesh stands a historySpy in for n's mesh (root/mesh).
func spyOnMesh(t *testing.T, n *node) *historySpy {
	t.Helper()
	spy := &historySpy{asks: map[string][]time.Time{}}
	if _, err := n.sys.Root.SpawnNamed(actor.PropsFromProducer(func() actor.Actor { return spy }), "root/mesh"); err != nil {
		t.Fatal(err)
	}
	return spy
}

// playingTables are count tables of host, from number first on, each
// playing from a genesis whose only seat is seat: a follower asks seat
// for their history, and they never certify a round.
func playingTables(host, seat *identity.Identity, first, count int) []*record {
	var recs []*record
	for i := first; i < first+count; i++ {
		id := fmt.Sprintf("5ca1ab1e%08x", i)
		g := &game.Genesis{TableID: id, Rules: craps.DefaultRules(), Bank: 100 * crap,
			Seats: []game.SeatChips{{Player: bft.PublicKey(seat.PublicKey[:]), Chips: crap}}}
		recs = append(recs, &record{ID: id, Host: string(host.PeerID()), Status: statusPlaying, Version: 1,
			Settings: settings{MinPlayers: 1, MaxPlayers: 1, Bankroll: 100 * crap}, Genesis: g})
	}
	return recs
}
