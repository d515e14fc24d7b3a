package browser

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/bitcraps/bitcraps/test/harness"
	"github.com/chromedp/chromedp"
)

// A node that does not sit at a table that plays shows it as watching: the
// round its chain checked, the players, no Join form, a green dot once it
// holds the newest round it heard of, and the rolls as they are certified.
func TestWatchingPageShowsTheCertifiedRound(t *testing.T) {
	host := harness.StartNode(t, harness.NodeSpec{})
	host.WaitReady(t, 60*time.Second)
	join := []string{fmt.Sprintf("127.0.0.1:%d", host.Spec.GossipPort)}
	guest := harness.StartNode(t, harness.NodeSpec{Join: join})
	watcher := harness.StartNode(t, harness.NodeSpec{Join: join})
	guest.WaitReady(t, 60*time.Second)
	watcher.WaitReady(t, 60*time.Second)

	// A one-second bet window: the players bet, nobody asks for the roll,
	// and each round rolls a second after its first bet, so the table
	// keeps playing while the page watches (a round nobody bets in never
	// rolls).
	var table struct {
		ID string `json:"id"`
	}
	if code := host.DoJSON(t, http.MethodPost, "/api/v1/tables", map[string]any{"min_players": 2, "max_players": 2,
		"bankroll": 200_000_000, "min_bet": 1_000_000, "max_bet": 20_000_000, "buy_in": 50_000_000, "bet_window": "1s"}, &table); code != http.StatusCreated {
		t.Fatalf("create table: status %d", code)
	}
	deadline := time.Now().Add(pageWait)
	for code := 0; code != http.StatusOK; {
		if time.Now().After(deadline) {
			t.Fatalf("the guest could not join table %s within %s (last status %d)", table.ID, pageWait, code)
		}
		time.Sleep(100 * time.Millisecond) // polling interval, bounded by the deadline: the announcement travels by gossip
		code = guest.DoJSON(t, http.MethodPost, "/api/v1/tables/"+table.ID+"/join", map[string]any{"buy_in": 50_000_000}, nil)
	}

	done := make(chan struct{})
	var bettors sync.WaitGroup
	t.Cleanup(func() { close(done); bettors.Wait() })
	for _, n := range []*harness.Node{host, guest} {
		bettors.Go(func() {
			for {
				select {
				case <-done:
					return
				case <-time.After(300 * time.Millisecond): // a player's pace, not synchronisation
				}
				_, _ = n.TryJSON(2*time.Second, http.MethodPost, "/api/v1/tables/"+table.ID+"/bets",
					map[string]any{"type": "field", "amount": 1_000_000}, nil)
			}
		})
	}

	// The watching node must know rounds certified before the page opens, so
	// that the page's event stream starts with them (history).
	for deadline, round := time.Now().Add(roundWait), 0; round < 2; {
		if time.Now().After(deadline) {
			t.Fatalf("the watching node followed %d rounds of table %s within %s, want 2", round, table.ID, roundWait)
		}
		time.Sleep(100 * time.Millisecond) // polling interval, bounded by the deadline: the watcher follows by gossip and history requests
		var v struct {
			Round int `json:"round"`
		}
		if watcher.DoJSON(t, http.MethodGet, "/api/v1/tables/"+table.ID, nil, &v) == http.StatusOK {
			round = v.Round
		}
	}
	p := newPage(t, 1280, 900)
	p.do("open the table on the watching node", chromedp.Navigate(watcher.URL+"/#/table/"+table.ID))
	p.waitFor("the page shows a certified round", `Number(document.getElementById("round").textContent) >= 2`, roundWait)
	// History first: the feed keeps the newest 100 events, and at this pace
	// (two bettors, a roll as soon as both have bet) live events push the
	// history out within half a minute.
	p.waitFor("the live feed shows rolls certified before the page opened (history)", `document.querySelector('#feed li[data-type="roll"][data-history="true"]') !== null`, pageWait)
	p.waitFor("the page says watching, live", `document.getElementById("table-role").textContent === "watching" && `+
		`document.getElementById("stream-status").dataset.state === "live" && document.getElementById("stream-status").textContent === "watching · live"`, pageWait)
	if eval[bool](p, "is the join form shown", `!document.getElementById("join-form").hidden`) {
		t.Fatal("the page offers to join a table that plays with every seat taken")
	}
	if n := eval[int](p, "count the players", `document.querySelectorAll('#players > li').length`); n != 2 {
		t.Fatalf("the watching page lists %d players, want 2", n)
	}
	p.waitFor("a round is listed with its dice", `document.querySelector('#rounds [data-testid^="round-"] .round-dice') !== null`, pageWait)
	p.waitFor("the event stream brings the next roll to the live feed", `document.querySelector('#feed li[data-type="roll"][data-history="false"]') !== null`, roundWait)
	p.screenshot("web-table-watching.png")

	// The guest sits at the table: while another seat shoots, its page shows
	// no Roll button (issue 11, item 2: a CSS display rule once showed it
	// to every seat), and whenever the page shows the button, the guest is
	// the shooter.
	p.do("open the table on the guest's node", chromedp.Navigate(guest.URL+"/#/table/"+table.ID))
	p.waitFor("the guest is seated and someone else shoots", `(() => {
  const me = document.getElementById("peer-id").dataset.peerId;
  const shooter = [...document.querySelectorAll('#players .badge.shooter')].map((b) => b.closest("li").dataset.testid);
  return !document.getElementById("seated").hidden && shooter.length === 1 && shooter[0] !== "player-" + me;
})()`, roundWait)
	shown := eval[string](p, "read the Roll button and the shooter at one instant", `(() => {
  const b = document.getElementById("roll-button");
  const me = document.getElementById("peer-id").dataset.peerId;
  const shooting = document.querySelector('[data-testid="player-' + me + '"] .badge.shooter') !== null;
  return getComputedStyle(b).display + " " + (b.offsetParent !== null) + " shooting=" + shooting;
})()`)
	if shown != "none false shooting=false" {
		t.Errorf("the guest's Roll button while another seat shoots: %q, want it not displayed", shown)
	}
	p.screenshot("web-table-not-shooter.png")
	ledgerHolds(t, host, guest, watcher)
}
