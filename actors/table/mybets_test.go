package table

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/messages"
)

// recorder is a subscriber that keeps every event it gets.
type recorder struct {
	mu     sync.Mutex
	events []*messages.TableEvent
}

func (r *recorder) Receive(ctx actor.Context) {
	if ev, ok := ctx.Message().(*messages.TableEvent); ok {
		r.mu.Lock()
		r.events = append(r.events, ev)
		r.mu.Unlock()
	}
}

// kinds lists the events received, "type" or "type(history)".
func (r *recorder) kinds() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, ev := range r.events {
		k := ev.Type
		if ev.History {
			k += "(history)"
		}
		out = append(out, k)
	}
	return out
}

func (n *node) subscribe(t *testing.T, table string) *recorder {
	t.Helper()
	r := &recorder{}
	pid := n.sys.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return r }))
	if ack := n.ask("games", &messages.SubscribeTable{TableID: table, Subscriber: pid}).(*messages.Ack); ack.Err != nil {
		t.Fatalf("subscribe: %v", ack.Err)
	}
	return r
}

// A bet and a take-down wait for the roll in the table view, with what they
// are; the round takes them (its list of rounds decodes them and gives each
// bet's outcome); a subscriber that comes later gets the table's story so
// far, marked as history (issue 11, items 6, 7 and 9).
func TestWaitingBetsTakeDownsAndHistory(t *testing.T) {
	n := startNode(t, 21, nil)
	v := createTable(t, n, soloTable())
	roll := func(round uint64) *messages.TableView {
		t.Helper()
		if ack := n.ask("games", &messages.RollDice{TableID: v.ID}).(*messages.Ack); ack.Err != nil {
			t.Fatalf("roll %d: %v", round, ack.Err)
		}
		var tv *messages.TableView
		eventually(t, 10*time.Second, "round certified and settled", func() (bool, string) {
			tv = n.table(v.ID)
			r := n.ask("ledger", &messages.LedgerTableRequest{Table: v.ID}).(*messages.LedgerTable)
			return tv.Round == round && r.Info.LastRound == round, fmt.Sprintf("table round %d, ledger round %d", tv.Round, r.Info.LastRound)
		})
		checkMoney(t, n, tv)
		return tv
	}
	br := n.ask("games", &messages.PlaceBet{TableID: v.ID, Type: "place", Number: 6, Amount: 6 * crap}).(*messages.BetReply)
	if br.Err != nil {
		t.Fatal(br.Err)
	}
	want := messages.WaitingBet{ID: br.BetID, Type: "place", Number: 6, Amount: 6 * crap, Round: 1}
	if tv := n.table(v.ID); !slices.Equal(tv.WaitingBets, []messages.WaitingBet{want}) {
		t.Fatalf("waiting bets after a place 6: %+v, want %+v", tv.WaitingBets, want)
	}
	tv := roll(1)
	if len(tv.WaitingBets) != 0 || len(tv.Players[0].Bets) != 1 || tv.Players[0].Bets[0].Type != "place" {
		t.Fatalf("after round 1: waiting %+v, on the layout %+v", tv.WaitingBets, tv.Players[0].Bets)
	}

	// Place 6 is off on the come-out: whatever the dice, it is still up.
	br = n.ask("games", &messages.PlaceBet{TableID: v.ID, Type: "place", Number: 6, TakeDown: true}).(*messages.BetReply)
	if br.Err != nil {
		t.Fatalf("take down place 6: %v", br.Err)
	}
	if tv := n.table(v.ID); len(tv.WaitingBets) != 1 || !tv.WaitingBets[0].TakeDown || tv.WaitingBets[0].ID != br.BetID {
		t.Fatalf("waiting after the take-down: %+v", tv.WaitingBets)
	}
	tv = roll(2)
	if len(tv.WaitingBets) != 0 || len(tv.Players[0].Bets) != 0 || tv.Players[0].Chips != 200*crap {
		t.Fatalf("after the take-down: waiting %+v, on the layout %+v, chips %d", tv.WaitingBets, tv.Players[0].Bets, tv.Players[0].Chips)
	}

	rl := n.ask("games", &messages.ListRounds{TableID: v.ID}).(*messages.RoundList)
	if rl.Err != nil || len(rl.Items) != 2 {
		t.Fatalf("rounds: %+v, err %v", rl.Items, rl.Err)
	}
	me := string(n.id.PeerID())
	wantBets := [][]messages.RoundBet{
		{{Player: me, Kind: "bet", Type: "place", Number: 6, Amount: 6 * crap}},
		{{Player: me, Kind: "takedown", Type: "place", Number: 6}},
	}
	wantResults := [][]string{{"placed", "stays"}, {"taken_down"}}
	for i, r := range rl.Items {
		var results []string
		for _, o := range r.Outcomes {
			results = append(results, o.Result)
		}
		// The shooter's roll requests ride in the rounds too (game.KindRoll):
		// not what this test is about.
		bets := slices.DeleteFunc(slices.Clone(r.Bets), func(b messages.RoundBet) bool { return b.Kind == "roll" })
		if !slices.Equal(bets, wantBets[i]) || !slices.Equal(results, wantResults[i]) {
			t.Errorf("round %d: bets %+v, outcomes %v; want %+v, %v", r.Round, bets, results, wantBets[i], wantResults[i])
		}
	}

	rec := n.subscribe(t, v.ID)
	// The story, oldest first, before anything new: the host sat down, the
	// table began to play, then each round's bet, roll and settlement (and
	// a phase event when a roll set a point).
	story := []string{"seat", "lifecycle", "bet", "roll", "settlement", "bet", "roll", "settlement"}
	eventually(t, 5*time.Second, "history replayed", func() (bool, string) {
		var history []string
		live := false
		for _, k := range rec.kinds() {
			kind, replayed := strings.CutSuffix(k, "(history)")
			switch {
			case !replayed:
				live = true
			case live:
				return false, fmt.Sprintf("history after a live event: %v", rec.kinds())
			case kind != "phase":
				history = append(history, kind)
			}
		}
		return slices.Equal(history, story), fmt.Sprint(rec.kinds())
	})
	for _, ev := range rec.events {
		var data map[string]any
		if err := json.Unmarshal(ev.Data, &data); err != nil || ev.At == 0 {
			t.Errorf("history event %s: data %s (%v), at %d", ev.Type, ev.Data, err, ev.At)
		}
	}
}

// A bet that missed its round and that the next round refused reaches its
// player: the table view lists it with the reason, and subscribers get a
// bet_dropped event saying what the bet was (issue 11, item 6).
func TestRefusedBetReachesThePlayer(t *testing.T) {
	n := startNode(t, 22, nil)
	v := createTable(t, n, soloTable())
	br := n.ask("games", &messages.PlaceBet{TableID: v.ID, Type: "field", Amount: 3 * crap}).(*messages.BetReply)
	if br.Err != nil {
		t.Fatal(br.Err)
	}
	rec := n.subscribe(t, v.ID)
	// What the consensus instance reports when the round after the bet's
	// own refuses it (actors/consensus, carry.go).
	tablePID := actor.NewPID(n.sys.Address(), "root/games/table/"+v.ID)
	n.sys.Root.Send(tablePID, &messages.ConsensusBetCarried{TableID: v.ID, BetID: br.BetID, Err: errors.New("3 on field below the minimum 5")})
	var tv *messages.TableView
	eventually(t, 5*time.Second, "the refusal in the table view", func() (bool, string) {
		tv = n.table(v.ID)
		return len(tv.RefusedBets) == 1, fmt.Sprintf("%+v", tv.RefusedBets)
	})
	r := tv.RefusedBets[0]
	if r.ID != br.BetID || r.Type != "field" || r.Amount != 3*crap || len(tv.WaitingBets) != 0 ||
		r.Reason != "it reached the shooter after the roll, and the next round refused it: 3 on field below the minimum 5" {
		t.Fatalf("refused %+v, waiting %+v", r, tv.WaitingBets)
	}
	eventually(t, 5*time.Second, "a bet_dropped event", func() (bool, string) {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		for _, ev := range rec.events {
			var d struct {
				ID, Type, Reason string
				Amount           int64
			}
			if ev.Type == messages.EventBetDropped && !ev.History && json.Unmarshal(ev.Data, &d) == nil {
				return d.ID == br.BetID && d.Type == "field" && d.Amount == 3*crap && d.Reason == r.Reason, string(ev.Data)
			}
		}
		return false, "none yet"
	})
	n.verifyLedger()
}
