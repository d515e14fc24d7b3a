package table

import (
	"fmt"
	"testing"
	"time"

	"github.com/bitcraps/bitcraps/actors/consensus"
	"github.com/bitcraps/bitcraps/messages"
)

// Pacing from the player's side (issue 11, actors/consensus pacing.go), on a
// node whose consensus clock the test drives: no timer ticks the table, the
// test sends consensus.Tick and waits until the instance has nothing left
// to persist before it looks, so "nothing happened" is a fact, not a guess.

const pacingTick = 5 * time.Millisecond

// pacingWindow is the table's bet window in ticks.
const pacingWindow = 40

func startManualNode(t *testing.T, seed uint64) *node {
	return startNodeWith(t, seed, nil, func(o *consensus.Options) { o.ManualTicks, o.TickInterval = true, pacingTick })
}

// tick advances the table's clock one tick at a time, waiting after each
// until the instance is idle (every Ready persisted and advanced), as a
// real clock would let it be; it returns the last certified round.
func (n *node) tick(id string, ticks int) uint64 {
	n.t.Helper()
	d := n.idle(id, 0)
	for range ticks {
		d = n.idle(id, 1)
	}
	return d.Certified
}

// idle sends ticks, then asks (without ticking) until nothing is in flight.
func (n *node) idle(id string, ticks int) *consensus.TickDone {
	n.t.Helper()
	d := n.ask("consensus", &consensus.Tick{TableID: id, N: ticks}).(*consensus.TickDone)
	for i := 0; d.Err == nil && d.Busy; i++ {
		if i > 100_000 {
			n.t.Fatalf("table %s never idle: %+v", id, d)
		}
		d = n.ask("consensus", &consensus.Tick{TableID: id}).(*consensus.TickDone)
	}
	if d.Err != nil {
		n.t.Fatalf("tick table %s: %v", id, d.Err)
	}
	return d
}

func pacedTable() *messages.CreateTable {
	req := soloTable()
	req.BetWindow = pacingWindow * pacingTick
	return req
}

// settled waits until the table actor and the ledger show round r.
func settled(t *testing.T, n *node, id string, r uint64) *messages.TableView {
	t.Helper()
	var v *messages.TableView
	eventually(t, 5*time.Second, fmt.Sprintf("round %d settled", r), func() (bool, string) {
		v = n.table(id)
		lr := n.ask("ledger", &messages.LedgerTableRequest{Table: id}).(*messages.LedgerTable)
		return v.Round == r && lr.Info.LastRound == r, fmt.Sprintf("table round %d, ledger round %d", v.Round, lr.Info.LastRound)
	})
	return v
}

func placeBet(t *testing.T, n *node, id, typ string, amount int64) {
	t.Helper()
	if br := n.ask("games", &messages.PlaceBet{TableID: id, Type: typ, Amount: amount}).(*messages.BetReply); br.Err != nil {
		t.Fatalf("bet %s %d: %v", typ, amount, br.Err)
	}
}

func TestPacingAnEmptyRoundNeverRolls(t *testing.T) {
	n := startManualNode(t, 31)
	v := createTable(t, n, pacedTable())
	// Fifty bet windows of nobody betting: no round.
	if got := n.tick(v.ID, 50*pacingWindow); got != 0 {
		t.Fatalf("after %d ticks with no bet: round %d certified, want none", 50*pacingWindow, got)
	}
	if tv := n.table(v.ID); tv.Round != 0 || tv.Shooter != string(n.id.PeerID()) || tv.NextShooter != string(n.id.PeerID()) {
		t.Fatalf("idle table: round %d, shooter %q, next %q", tv.Round, tv.Shooter, tv.NextShooter)
	}
	n.verifyLedger()
}

func TestPacingTheFirstBetOpensTheWindow(t *testing.T) {
	n := startManualNode(t, 32)
	v := createTable(t, n, pacedTable())
	n.tick(v.ID, 3*pacingWindow) // idle: the window does not run
	placeBet(t, n, v.ID, "field", 2*crap)
	if got := n.tick(v.ID, pacingWindow-1); got != 0 {
		t.Fatalf("%d ticks after the first bet, within the window: round %d certified", pacingWindow-1, got)
	}
	if got := n.tick(v.ID, 1); got != 1 {
		t.Fatalf("the window closed: round %d certified, want 1", got)
	}
	tv := settled(t, n, v.ID, 1)
	checkMoney(t, n, tv)
	// The next round is idle again until someone bets.
	if got := n.tick(v.ID, 10*pacingWindow); got != 1 {
		t.Fatalf("idle round 2 rolled: round %d certified", got)
	}
	placeBet(t, n, v.ID, "field", crap)
	n.tick(v.ID, pacingWindow/2)
	placeBet(t, n, v.ID, "field", crap) // a later bet does not restart the window
	if got := n.tick(v.ID, pacingWindow-pacingWindow/2); got != 2 {
		t.Fatalf("round 2's window closed: round %d certified, want 2", got)
	}
	checkMoney(t, n, settled(t, n, v.ID, 2))
}

func TestPacingTheShooterRollsAtOnceWhenEveryoneBet(t *testing.T) {
	n := startManualNode(t, 33)
	v := createTable(t, n, pacedTable())
	for r := uint64(1); r <= 5; r++ {
		// The only seat has bet: the shooter's request rolls without a
		// single tick of the clock.
		placeBet(t, n, v.ID, "field", crap)
		if ack := n.ask("games", &messages.RollDice{TableID: v.ID}).(*messages.Ack); ack.Err != nil {
			t.Fatalf("round %d: roll: %v", r, ack.Err)
		}
		if got := n.tick(v.ID, 0); got != r {
			t.Fatalf("round %d: the shooter asked and everyone bet, yet round %d is the last certified", r, got)
		}
		tv := settled(t, n, v.ID, r)
		checkMoney(t, n, tv)
		if tv.Shooter != string(n.id.PeerID()) {
			t.Fatalf("round %d: a lone player keeps the dice, shooter %q", r, tv.Shooter)
		}
	}
}
