package test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bitcraps/bitcraps/actors/plugins"
	"github.com/bitcraps/bitcraps/internal/bot"
	"github.com/bitcraps/bitcraps/internal/chat"
	"github.com/bitcraps/bitcraps/internal/notifier"
	"github.com/bitcraps/bitcraps/internal/plugin"
	"github.com/bitcraps/bitcraps/messages"
	"github.com/bitcraps/bitcraps/test/harness"
	"google.golang.org/protobuf/proto"
)

// Plugins through the real plugin path: binaries built from this tree,
// started by a node from its plugins file (pinned by sha256) over
// go-plugin's gRPC, supervised by the plugins service.

// pluginStatus is one plugin's line of GET /api/v1/plugins.
func (a *playerAPI) pluginStatus(name string) plugins.Status {
	a.t.Helper()
	var list []plugins.Status
	a.ok("GET", "/api/v1/plugins", nil, 200, &list)
	for _, s := range list {
		if s.Name == name {
			return s
		}
	}
	a.t.Fatalf("GET /api/v1/plugins lists no %q: %+v", name, list)
	return plugins.Status{}
}

// waitPlugin waits until the plugin is in state with restarts restarts.
func (a *playerAPI) waitPlugin(name, state string, restarts int) plugins.Status {
	a.t.Helper()
	var st plugins.Status
	eventually(a.t, 30*time.Second, fmt.Sprintf("plugin %s %s after %d restarts", name, state, restarts), func() (bool, string) {
		st = a.pluginStatus(name)
		return st.State == state && st.Restarts == restarts, fmt.Sprintf("%+v", st)
	})
	return st
}

func (a *playerAPI) nodeState() string {
	a.t.Helper()
	var h struct{ State string }
	a.ok("GET", "/health", nil, 200, &h)
	return h.State
}

func flakyNode(t *testing.T, sum string, maxRestarts int) (*playerAPI, string) {
	t.Helper()
	path, good := harness.PluginBinary(t, "test/plugins/flaky")
	starts := filepath.Join(t.TempDir(), "starts")
	// watcher is a second copy that never crashes: it sees the node's
	// state transitions while flaky fails.
	_, specs := harness.PluginsFile(t, harness.PluginEntry{Name: "flaky", Path: path, SHA256: sum,
		Settings: map[string]string{"starts": starts}, MaxRestarts: &maxRestarts, Within: "1m"},
		harness.PluginEntry{Name: "watcher", Path: path, SHA256: good,
			Settings: map[string]string{"starts": filepath.Join(t.TempDir(), "watcher")}})
	cfg := nodeConfig(t)
	cfg.Plugins = specs
	return apiOf(t, startPeer(t, "A", cfg)), starts
}

func startsIn(t *testing.T, file string) int {
	t.Helper()
	raw, err := os.ReadFile(file)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return strings.Count(string(raw), "started pid")
}

// A plugin that panics or exits is started again within its budget while
// the node stays Running; one more crash past the budget stops it for good
// and the node reports Degraded (it still serves).
func TestPluginCrashIsRestartedWithinItsBudget(t *testing.T) {
	_, sum := harness.PluginBinary(t, "test/plugins/flaky")
	a, starts := flakyNode(t, sum, 2)
	a.waitPlugin("flaky", plugins.StateRunning, 0)

	if got, _ := a.call("POST", "/api/v1/plugins/flaky/panic", nil); got != 502 {
		t.Fatalf("a plugin route that panics answered %d, want 502", got)
	}
	a.waitPlugin("flaky", plugins.StateRunning, 1)
	if s := a.nodeState(); s != "Running" {
		t.Fatalf("node state %s after a plugin panic, want Running", s)
	}
	a.call("POST", "/api/v1/plugins/flaky/exit", nil)
	a.waitPlugin("flaky", plugins.StateRunning, 2)
	if s := a.nodeState(); s != "Running" {
		t.Fatalf("node state %s after a plugin exit, want Running", s)
	}
	if n := startsIn(t, starts); n != 3 {
		t.Fatalf("the plugin was started %d times, want 3 (first start and two restarts)", n)
	}
	a.call("POST", "/api/v1/plugins/flaky/panic", nil)
	st := a.waitPlugin("flaky", plugins.StateFailed, 2)
	if !strings.Contains(st.Reason, "more than 2 times") {
		t.Fatalf("failed plugin's reason %q does not name its budget", st.Reason)
	}
	eventually(t, 10*time.Second, "node Degraded with the plugin named", func() (bool, string) {
		var h struct {
			State    string
			Services []struct{ Name, Status, Reason string }
		}
		a.ok("GET", "/health", nil, 200, &h)
		for _, s := range h.Services {
			if s.Name == plugins.ServiceName {
				return h.State == "Degraded" && s.Status == "Degraded" && strings.Contains(s.Reason, "flaky failed"), fmt.Sprintf("%+v", h)
			}
		}
		return false, fmt.Sprintf("%+v", h)
	})
	a.ok("GET", "/health/ready", nil, 200, nil)
	eventually(t, 10*time.Second, "the watcher told of Running → Degraded", func() (bool, string) {
		var events []struct {
			Type string `json:"type"`
			Data []byte `json:"data"`
		}
		a.ok("GET", "/api/v1/plugins/watcher/events", nil, 200, &events)
		for _, ev := range events {
			var st struct{ From, To string }
			if ev.Type == plugins.EventNodeState && json.Unmarshal(ev.Data, &st) == nil && st.From == "Running" && st.To == "Degraded" {
				return true, ""
			}
		}
		return false, fmt.Sprintf("%+v", events)
	})
	if st := a.pluginStatus("watcher"); st.State != plugins.StateRunning || st.Restarts != 0 {
		t.Fatalf("watcher %+v: another plugin's crashes must not touch it", st)
	}
	if n := startsIn(t, starts); n != 3 {
		t.Fatalf("the plugin was started %d times, want no start past its budget", n)
	}
	a.refused("GET", "/api/v1/plugins/flaky/events", nil, 503, "unavailable")
}

// A binary whose SHA-256 is not the pinned one is never started.
func TestPluginWithTheWrongChecksumIsRefused(t *testing.T) {
	_, sum := harness.PluginBinary(t, "test/plugins/flaky")
	a, starts := flakyNode(t, harness.Wrong(sum), 2)
	st := a.waitPlugin("flaky", plugins.StateRefused, 0)
	if !strings.Contains(st.Reason, "sha256") {
		t.Fatalf("refusal reason %q does not say the checksum differs", st.Reason)
	}
	if n := startsIn(t, starts); n != 0 {
		t.Fatalf("a plugin with the wrong checksum started %d times", n)
	}
	var h struct {
		Services []struct{ Name, Status, Reason string }
	}
	a.ok("GET", "/health", nil, 200, &h)
	for _, s := range h.Services {
		if s.Name == plugins.ServiceName && (s.Status != "Degraded" || !strings.Contains(s.Reason, "flaky refused")) {
			t.Fatalf("plugins service reports %+v, want Degraded naming the refused plugin", s)
		}
	}
}

// The bot plugin sits at a table with two human players (driven through
// the API by this test) and plays 20 rounds of pass line with odds: it
// bets every come-out and backs its point, and rolls when it is the
// shooter; every ledger checks out and all agree.
func TestBotPlaysTwentyRoundsWithTwoHumans(t *testing.T) {
	const rounds = 20
	path, sum := harness.PluginBinary(t, "cmd/bitcraps-bot")
	_, specs := harness.PluginsFile(t, harness.PluginEntry{Name: "bot", Path: path, SHA256: sum,
		Rights: []string{"read", "play"}, Settings: map[string]string{"strategy": bot.PassOdds, "unit": "2",
			"buy_in": "100", "shooter_pause": "50ms", "poll": "50ms"}})
	botCfg := nodeConfig(t)
	botCfg.Plugins = specs
	nodes := startClusterFrom(t, botCfg, 3)
	botNode, host, guest := apiOf(t, nodes[0]), apiOf(t, nodes[1]), apiOf(t, nodes[2])
	botNode.waitPlugin("bot", plugins.StateRunning, 0)

	id := host.create(map[string]any{"min_players": 3, "max_players": 3, "bankroll": 500 * crap,
		"min_bet": crap, "max_bet": 20 * crap, "buy_in": 100 * crap, "bet_window": "30s"}).ID
	eventually(t, 30*time.Second, "the guest sees table "+id, func() (bool, string) {
		var list []messages.TableView
		guest.ok("GET", "/api/v1/tables", nil, 200, &list)
		return len(list) > 0, ""
	})
	guest.ok("POST", "/api/v1/tables/"+id+"/join", map[string]any{"buy_in": 100 * crap}, 200, nil)
	eventually(t, 30*time.Second, "the bot sits at "+id, func() (bool, string) {
		var stats bot.Stats
		botNode.ok("GET", "/api/v1/plugins/bot/status", nil, 200, &stats)
		return len(host.table(id).Players) == 3, fmt.Sprintf("bot %+v", stats)
	})
	v := host.waitPlaying(id)
	if len(v.Players) != 3 {
		t.Fatalf("table plays with %d players, want the two humans and the bot", len(v.Players))
	}

	humans := []*playerAPI{host, guest}
	betOn := map[*playerAPI]uint64{}
	var rolledAt, roundAt time.Time
	seen := v.Round
	deadline := time.Now().Add(3 * time.Minute)
	for v.Round < rounds {
		if time.Now().After(deadline) {
			t.Fatalf("round %d of %d after 3 minutes: %+v\nbot: %+v", v.Round, rounds, v, botNode.pluginStatus("bot"))
		}
		for _, h := range humans {
			if betOn[h] == v.Round+1 {
				continue
			}
			betOn[h] = v.Round + 1
			if v.Phase == "come_out" && !seatHas(v, h.p.peerID(), "pass") {
				h.call("POST", "/api/v1/tables/"+id+"/bets", map[string]any{"type": "pass", "amount": crap})
			}
		}
		for _, h := range humans {
			// A human shooter gives the others 300 ms to bet, then asks for
			// the roll, again every half second until the round is played.
			if v.Shooter == h.p.peerID() && time.Since(roundAt) > 300*time.Millisecond &&
				time.Since(rolledAt) > 500*time.Millisecond {
				h.call("POST", "/api/v1/tables/"+id+"/roll", nil)
				rolledAt = time.Now()
			}
		}
		time.Sleep(50 * time.Millisecond) // polling interval, bounded by the deadline
		if v = host.table(id); v.Round != seen {
			seen, roundAt = v.Round, time.Now()
		}
	}

	var stats bot.Stats
	botNode.ok("GET", "/api/v1/plugins/bot/status", nil, 200, &stats)
	t.Logf("%d rounds in %s; bot %+v", v.Round, time.Since(deadline.Add(-3*time.Minute)).Round(time.Millisecond), stats)
	if stats.Table != id || stats.Strategy != bot.PassOdds || stats.Bets < rounds/3 || stats.Round < rounds-1 {
		t.Fatalf("bot stats %+v after %d rounds: want it at table %s, betting pass with odds", stats, v.Round, id)
	}
	if st := botNode.pluginStatus("bot"); st.Restarts != 0 || st.Version != bot.Version {
		t.Fatalf("bot plugin %+v: want version %s and no restart", st, bot.Version)
	}
	checkInvariant(t, nodes)
}

func seatHas(v messages.TableView, player, typ string) bool {
	for _, p := range v.Players {
		if p.PeerID == player {
			for _, b := range p.Bets {
				if b.Type == typ {
					return true
				}
			}
		}
	}
	return false
}

// checkInvariant: every node's ledger passes its full check, Σ wallets +
// Σ chips + Σ banks = Σ grants, and all nodes agree.
func checkInvariant(t *testing.T, nodes []*peerNode) {
	t.Helper()
	var want int64
	for _, p := range nodes {
		want += p.cfg.InitialBalance
	}
	eventually(t, 30*time.Second, "every ledger at one state, invariant holding", func() (bool, string) {
		hashes := map[string]bool{}
		var detail []string
		for _, p := range nodes {
			rep := p.verified()
			if rep.TotalGrants != want || rep.TotalWallets+rep.TotalChips+rep.TotalBanks != rep.TotalGrants {
				t.Fatalf("%s: wallets %d + chips %d + banks %d, grants %d (want %d)", p.name,
					rep.TotalWallets, rep.TotalChips, rep.TotalBanks, rep.TotalGrants, want)
			}
			hashes[rep.StateHash] = true
			raw, _ := json.Marshal(rep)
			detail = append(detail, string(raw))
		}
		return len(hashes) == 1, strings.Join(detail, "\n")
	})
}

// slowReceiver is a webhook on loopback that holds its first request
// until released and answers every fifth request 503 (so the notifier
// retries); it records the notifications it accepted, in arrival order.
type slowReceiver struct {
	srv      *httptest.Server
	arrived  chan struct{} // closed when the first request arrives
	release  chan struct{}
	mu       sync.Mutex
	requests int
	got      []notifier.Notification
}

func newSlowReceiver(t *testing.T) *slowReceiver {
	r := &slowReceiver{arrived: make(chan struct{}), release: make(chan struct{})}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.requests++
		k := r.requests
		r.mu.Unlock()
		if k == 1 {
			close(r.arrived)
			<-r.release
		}
		if k%5 == 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		var n notifier.Notification
		if err := json.NewDecoder(req.Body).Decode(&n); err != nil {
			t.Errorf("notification body: %v", err)
		}
		r.mu.Lock()
		r.got = append(r.got, n)
		r.mu.Unlock()
	}))
	t.Cleanup(r.srv.Close)
	t.Cleanup(func() {
		select {
		case <-r.release:
		default:
			close(r.release)
		}
	})
	return r
}

func (r *slowReceiver) notifications() []notifier.Notification {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got)
}

// The notifier POSTs a table's events in order; while the receiver is
// stuck its queue of 4 fills and later events are dropped, counted and
// visible as gaps in seq; a 503 is retried, never delivered twice.
func TestNotifierDeliversInOrderAndCountsDrops(t *testing.T) {
	recv := newSlowReceiver(t)
	path, sum := harness.PluginBinary(t, "cmd/bitcraps-notifier")
	_, specs := harness.PluginsFile(t, harness.PluginEntry{Name: "notifier", Path: path, SHA256: sum,
		Settings: map[string]string{"url": recv.srv.URL + "/hook", "events": "bet,roll,settlement",
			"queue": "4", "retries": "3", "backoff": "10ms"}})
	cfg := nodeConfig(t)
	cfg.Plugins = specs
	p := startPeer(t, "A", cfg)
	a := apiOf(t, p)
	a.waitPlugin("notifier", plugins.StateRunning, 0)
	id := a.create(map[string]any{"min_players": 1, "max_players": 1, "bankroll": 200 * crap,
		"min_bet": crap, "max_bet": 10 * crap, "buy_in": 100 * crap, "bet_window": "30s"}).ID
	a.waitPlaying(id)

	round := func() {
		v := a.table(id)
		typ := "field"
		if v.Phase == "come_out" && !seatHas(v, p.peerID(), "pass") {
			typ = "pass"
		}
		a.ok("POST", "/api/v1/tables/"+id+"/bets", map[string]any{"type": typ, "amount": crap}, 202, nil)
		a.ok("POST", "/api/v1/tables/"+id+"/roll", nil, 202, nil)
		eventually(t, 20*time.Second, fmt.Sprintf("round %d played", v.Round+1), func() (bool, string) {
			got := a.table(id)
			return got.Round > v.Round, fmt.Sprintf("%+v", got)
		})
	}
	for stuck := false; !stuck; { // until the plugins service has subscribed and the first POST hangs
		round()
		select {
		case <-recv.arrived:
			stuck = true
		default:
		}
	}
	for range 6 { // about 18 events against a queue of 4
		round()
	}
	close(recv.release)

	var st notifier.Stats
	eventually(t, 30*time.Second, "the notifier's queue drained", func() (bool, string) {
		a.ok("GET", "/api/v1/plugins/notifier/status", nil, 200, &st)
		return st.Queued == 0 && st.Sent+st.Failed+st.Dropped == st.Accepted && uint64(len(recv.notifications())) == st.Sent,
			fmt.Sprintf("%+v", st)
	})
	got := recv.notifications()
	if st.Dropped == 0 || st.Retries == 0 || st.Failed != 0 || st.NodeDropped != 0 {
		t.Fatalf("notifier %+v: want drops from the full queue, retries of the 503s, no failure and no drop in the node", st)
	}
	var last notifier.Notification
	for i, n := range got {
		if n.Seq <= last.Seq || n.Dropped < last.Dropped || n.TableID != id || !slices.Contains([]string{"bet", "roll", "settlement"}, n.Type) {
			t.Fatalf("notification %d %+v after %+v: want increasing seq, non-decreasing drops, only bet, roll and settlement of %s", i, n, last, id)
		}
		last = n
	}
	if missing := st.Accepted - uint64(len(got)); missing != st.Dropped {
		t.Fatalf("%d events accepted, %d delivered: %d missing, but %d counted dropped", st.Accepted, len(got), missing, st.Dropped)
	}
	checkInvariant(t, []*peerNode{p})
}

// chatNode starts a node with the chat plugin (rights read and mesh).
func chatNode(t *testing.T, name string, join ...string) *peerNode {
	t.Helper()
	path, sum := harness.PluginBinary(t, "cmd/bitcraps-chat")
	_, specs := harness.PluginsFile(t, harness.PluginEntry{Name: "chat", Path: path, SHA256: sum,
		Rights: []string{"read", "mesh"}})
	cfg := nodeConfig(t, join...)
	cfg.Plugins = specs
	return startPeer(t, name, cfg)
}

func chatLines(a *playerAPI, table string) []chat.Line {
	a.t.Helper()
	var lines []chat.Line
	a.ok("GET", "/api/v1/plugins/chat/messages?table="+table, nil, 200, &lines)
	return lines
}

// Chat lines are signed by the sending player and carried over the mesh
// to the table's other player; a line whose signature is not its claimed
// sender's is dropped (and counted) by the receiving node.
func TestChatCarriesSignedLinesAndDropsForgedOnes(t *testing.T) {
	pa := chatNode(t, "A")
	pb := chatNode(t, "B", pa.gossipAddr())
	waitConnected(t, []*peerNode{pa, pb})
	a, b := apiOf(t, pa), apiOf(t, pb)
	a.waitPlugin("chat", plugins.StateRunning, 0)
	b.waitPlugin("chat", plugins.StateRunning, 0)
	id := a.create(map[string]any{"min_players": 2, "max_players": 2, "bankroll": 100 * crap,
		"min_bet": crap, "max_bet": 10 * crap, "buy_in": 50 * crap, "bet_window": "30s"}).ID
	eventually(t, 30*time.Second, "B sees table "+id, func() (bool, string) {
		var list []messages.TableView
		b.ok("GET", "/api/v1/tables", nil, 200, &list)
		return len(list) > 0, ""
	})
	b.ok("POST", "/api/v1/tables/"+id+"/join", map[string]any{"buy_in": 50 * crap}, 200, nil)
	a.waitPlaying(id)
	b.waitPlaying(id)

	// A forged line: it claims to be A's, but another key signed it.
	forger := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{15}, ed25519.SeedSize))
	fromA, _ := hex.DecodeString(pa.peerID())
	forged := &messages.PluginMeshMessage{Plugin: "chat", TableId: id, Body: []byte(`{"text":"B owes me 100 CRAP"}`),
		SentUnixMs: time.Now().UnixMilli()}
	plugin.SignMeshMessage(forged, messages.KeySigner(forger))
	forged.From = fromA
	payload, _ := proto.Marshal(forged)
	env, err := messages.NewEnvelopeTo(messages.KeySigner(forger), ed25519.PublicKey(fromA), messages.MessageType_MESSAGE_TYPE_DATA, payload, 1)
	if err != nil {
		t.Fatal(err)
	}
	pb.n.ActorSystem().Root.Send(pb.pid(plugins.ServiceName), &messages.MeshDelivery{From: pa.peerID(), Transport: "tcp", Envelope: env})

	var said chat.Line
	a.ok("POST", "/api/v1/plugins/chat/messages", map[string]any{"table_id": id, "text": "good luck, B"}, 202, &said)
	if !said.Mine || said.From != pa.peerID() {
		t.Fatalf("A's own line %+v: want it marked as A's", said)
	}
	eventually(t, 30*time.Second, "A's line at B", func() (bool, string) {
		lines := chatLines(b, id)
		return len(lines) == 1 && lines[0].From == pa.peerID() && lines[0].Text == "good luck, B" && !lines[0].Mine, fmt.Sprintf("%+v", lines)
	})
	if st := b.pluginStatus("chat"); st.ForgedDropped != 1 {
		t.Fatalf("B's chat status %+v: want the forged line counted dropped", st)
	}
	b.ok("POST", "/api/v1/plugins/chat/messages", map[string]any{"table_id": id, "text": "thanks"}, 202, nil)
	eventually(t, 30*time.Second, "B's answer at A", func() (bool, string) {
		lines := chatLines(a, id)
		return len(lines) == 2 && lines[1].From == pb.peerID() && lines[1].Text == "thanks", fmt.Sprintf("%+v", lines)
	})
	a.refused("POST", "/api/v1/plugins/chat/messages", map[string]any{"table_id": "nosuchtable", "text": "hi"}, 409, "not_sent")
	checkInvariant(t, []*peerNode{pa, pb})
}
