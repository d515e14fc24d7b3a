package test

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/bitcraps/bitcraps/internal/bft"
	"github.com/bitcraps/bitcraps/internal/identity"
	"github.com/bitcraps/bitcraps/internal/ledger"
	"github.com/bitcraps/bitcraps/messages"
	"github.com/bitcraps/bitcraps/test/harness"
)

// A node that does not sit at a table settles the table's rounds from
// their certificates alone, checked against the table's seats and replayed:
// it ends with the players' ledger. A Settle op gossiped to it is never
// applied, and neither is a certificate minted by keys that are not the
// table's seats — before the fix, either one claimed the round's slot in
// the observer's ledger and moved the bank's money there.
func TestObserverSettlesOnlyWhatTheTableCertified(t *testing.T) {
	nodes := startCluster(t, 3)
	players, observer := nodes[:2], nodes[2]
	id := playTable(t, players, 5)
	ids := []string{players[0].peerID(), players[1].peerID()}
	sameTableMoney(t, nodes, ids, id, 5)

	// A forger's own quorum certifies "round 6" of the table, paying
	// player A from the bank.
	prev := players[0].table(id).StateHash
	cert := mintCertificate(t, id, 6, prev)
	raw, err := cert.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	forged := ledger.Op{Kind: ledger.KindSettle, Table: id, Round: 6, Certificate: raw,
		Outcomes: []ledger.Outcome{{Player: identity.PeerID(players[0].peerID()), Delta: 50 * crap}}}
	gossip(t, observer, players[0], messages.MessageType_MESSAGE_TYPE_LEDGER_OP, forged)
	frame, err := messages.EncodeFrame(messages.FrameTable, id, mustJSON(t, map[string]any{
		"kind": "history", "from": 6, "certificates": []bft.Certificate{cert}}))
	if err != nil {
		t.Fatal(err)
	}
	deliver(observer, players[0], messages.MessageType_MESSAGE_TYPE_CONSENSUS, frame)
	eventually(t, 20*time.Second, "the observer refuses both", func() (bool, string) {
		g := followed(t, observer, "settle_gossip", "refused")
		c := followed(t, observer, "certificate", "refused")
		return g >= 1 && c >= 1, fmt.Sprintf("settle gossip refused %v, certificates refused %v", g, c)
	})
	if got := observer.ledgerTable(id).LastRound; got != 5 {
		t.Fatalf("observer's ledger at round %d after the forgeries, want 5", got)
	}
	// Nor can a forger make the observer say it is behind: a "round 9"
	// its quorum certified does not verify against the table's seats.
	frame, err = messages.EncodeFrame(messages.FrameTable, id, mustJSON(t, map[string]any{
		"kind": "history", "from": 9, "certificates": []bft.Certificate{mintCertificate(t, id, 9, prev)}}))
	if err != nil {
		t.Fatal(err)
	}
	deliver(observer, players[0], messages.MessageType_MESSAGE_TYPE_CONSENSUS, frame)

	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	playRound(t, players, id, 6, rand.New(rand.NewPCG(seed, 6)), seed)
	sameTableMoney(t, nodes, ids, id, 6)
	// Round 6 reached the observer after the forged round 9 (one mailbox).
	if v := observer.table(id); v.Round != 6 || v.Behind != 0 {
		t.Fatalf("observer after a forged round 9: round %d, %d rounds behind (sync %s), want round 6 and none behind", v.Round, v.Behind, v.Sync)
	}
	if rep := observer.verified(); !rep.OK {
		t.Fatalf("observer's ledger: %+v", rep)
	}
}

// A node that does not sit at a table shows it live from the chain it
// follows: the view, the rounds, the CLI and the event stream of the
// observer say what the players' say of the same certified round, and that
// the observer watches.
func TestObserverWatchesTheTableLive(t *testing.T) {
	nodes := startCluster(t, 3)
	players, observer := nodes[:2], nodes[2]
	v := openTable(t, players)
	id := v.ID
	watch := apiOf(t, observer)
	eventually(t, 20*time.Second, "the observer knows the table", func() (bool, string) {
		r := observer.ask("games", &messages.GetTable{TableID: id}).(*messages.TableReply)
		return r.Err == nil, fmt.Sprint(r.Err)
	})
	events := watch.subscribe(id)

	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 16))
	const rounds = 4
	for r := uint64(1); r <= rounds; r++ {
		playRound(t, players, id, r, rng, seed)
	}
	roll := decodeRoll(t, events.next(t, messages.EventRoll))
	if roll.TableID != id || roll.Round < 1 || roll.Round > rounds {
		t.Fatalf("seed %d: the observer's stream gave roll %+v, want a round of %s up to %d", seed, roll, id, rounds)
	}
	seen := sameView(t, observer, players[0], id, rounds)
	if got := watch.table(id); got.Round != seen.Round || got.Role != messages.RoleWatching || got.Sync != messages.SyncLive ||
		got.Joinable || got.Seated {
		t.Fatalf("seed %d: GET on the observer %+v, want round %d watched live, not joinable", seed, got, seen.Round)
	}
	watched := func(sync string) float64 {
		return metricValue(t, observer, fmt.Sprintf(`bitcraps_games_watched_tables{sync=%q}`, sync))
	}
	eventually(t, 10*time.Second, "the observer's metrics count one table watched live", func() (bool, string) {
		return watched(messages.SyncLive) == 1, fmt.Sprintf("live %v, stale %v", watched(messages.SyncLive), watched(messages.SyncStale))
	})

	var mine, theirs []messages.RoundView
	watch.ok("GET", "/api/v1/tables/"+id+"/rounds", nil, 200, &mine)
	apiOf(t, players[0]).ok("GET", "/api/v1/tables/"+id+"/rounds", nil, 200, &theirs)
	if len(mine) != rounds || len(theirs) < rounds {
		t.Fatalf("seed %d: rounds listed: observer %d, player %d; want %d", seed, len(mine), len(theirs), rounds)
	}
	for i, r := range mine {
		p := theirs[i]
		if r.Round != p.Round || r.Dice != p.Dice || r.StateHash != p.StateHash || len(r.Certificate) == 0 {
			t.Fatalf("seed %d: observer's round %+v, the player's %+v", seed, r, p)
		}
		if r.Round == roll.Round && r.Dice != roll.Dice {
			t.Fatalf("seed %d: round %d streamed dice %v, listed %v", seed, r.Round, roll.Dice, r.Dice)
		}
	}

	// The CLI reaches the in-process observer by its URL, as it would a process.
	cliNode := &harness.Node{URL: watch.base}
	out := cli(t, cliNode, "table", "show", id)
	mustMatch(t, "table show on the observer", out, fmt.Sprintf(`round\s+%d\n`, rounds), `you\s+watching, live`)
	mustContain(t, "table show on the observer", out, players[0].peerID(), players[1].peerID())

	// A node that arrives later catches up from the players' history.
	late := startPeer(t, "D", nodeConfig(t, players[0].gossipAddr()))
	waitConnected(t, append(nodes, late))
	// The host announces to a new peer within its announcement budget
	// (one every 15 s once a burst of 4 is spent): allow a few of those.
	eventually(t, 60*time.Second, "the host's announcement reaches D", func() (bool, string) {
		r := late.ask("games", &messages.GetTable{TableID: id}).(*messages.TableReply)
		return r.Err == nil, fmt.Sprint(r.Err)
	})
	sameView(t, late, players[0], id, rounds)

	// With every player gone, the observer says its view is stale.
	for _, p := range players {
		p.stop()
	}
	eventually(t, 60*time.Second, "the observer says the table is stale", func() (bool, string) {
		got := observer.table(id)
		return got.Sync == messages.SyncStale && got.Round == rounds, fmt.Sprintf("round %d sync %s", got.Round, got.Sync)
	})
	mustMatch(t, "table show of a stale table", cli(t, cliNode, "table", "show", id), `you\s+watching, stale`)
	eventually(t, 10*time.Second, "the observer's metrics count one stale table", func() (bool, string) {
		return watched(messages.SyncStale) == 1 && watched(messages.SyncLive) == 0,
			fmt.Sprintf("live %v, stale %v", watched(messages.SyncLive), watched(messages.SyncStale))
	})
}

// sameView waits until watcher shows round of table id and then requires
// it to show what player does of it: phase, point, dice, bank, state
// hash, and every player's chips and bets. The players must not roll
// meanwhile. It returns the watcher's view.
func sameView(t *testing.T, watcher, player *peerNode, id string, round uint64) *messages.TableView {
	t.Helper()
	var got *messages.TableView
	eventually(t, 30*time.Second, fmt.Sprintf("%s shows round %d", watcher.name, round), func() (bool, string) {
		r := watcher.ask("games", &messages.GetTable{TableID: id}).(*messages.TableReply)
		if r.Err != nil {
			return false, r.Err.Error() // not announced to it yet
		}
		got = r.Table
		return got.Round >= round && got.Sync == messages.SyncLive, fmt.Sprintf("round %d, sync %s (%d behind)", got.Round, got.Sync, got.Behind)
	})
	want := player.table(id)
	if got.Role != messages.RoleWatching || want.Role != messages.RoleSeated {
		t.Fatalf("roles: %s is %q, %s is %q; want watching and seated", watcher.name, got.Role, player.name, want.Role)
	}
	if got.Round != want.Round || got.Phase != want.Phase || got.Point != want.Point || got.LastDice != want.LastDice ||
		got.Bank != want.Bank || got.StateHash != want.StateHash || got.Status != want.Status || len(got.Players) != len(want.Players) {
		t.Fatalf("%s shows round %d %s point %d dice %v bank %d state %s (%d players); %s shows round %d %s point %d dice %v bank %d state %s (%d players)",
			watcher.name, got.Round, got.Phase, got.Point, got.LastDice, got.Bank, got.StateHash, len(got.Players),
			player.name, want.Round, want.Phase, want.Point, want.LastDice, want.Bank, want.StateHash, len(want.Players))
	}
	for i, p := range got.Players {
		w := want.Players[i]
		if p.PeerID != w.PeerID || p.Chips != w.Chips || fmt.Sprint(p.Bets) != fmt.Sprint(w.Bets) {
			t.Fatalf("round %d player %d: %s shows %+v, %s shows %+v", got.Round, i, watcher.name, p, player.name, w)
		}
	}
	return got
}

// sameTableMoney waits until every node settled round of table id and
// then holds the same bank and the same chips for each player. (Whole
// ledger state hashes differ between a player and an observer: every node
// grants the identities it has seen, and nobody has seen the observer.)
func sameTableMoney(t *testing.T, nodes []*peerNode, players []string, id string, round uint64) {
	t.Helper()
	money := func(p *peerNode) string {
		info := p.ledgerTable(id)
		out := fmt.Sprintf("round %d bank %d", info.LastRound, info.Bank)
		for _, pl := range players {
			acct := ledger.ChipsOf(id, identity.PeerID(pl))
			b := p.ask("ledger", &messages.LedgerBalanceRequest{Account: acct}).(*messages.LedgerBalance)
			out += fmt.Sprintf(" %s %d", pl[:8], b.Balance)
		}
		return out
	}
	eventually(t, 30*time.Second, fmt.Sprintf("round %d settled alike everywhere", round), func() (bool, string) {
		want := money(nodes[0])
		for _, p := range nodes {
			if got := money(p); got != want || p.ledgerTable(id).LastRound != round {
				return false, fmt.Sprintf("%s: %s; %s: %s", nodes[0].name, want, p.name, got)
			}
		}
		return true, ""
	})
}

// mintCertificate is a valid bft certificate of one seat, a key that is
// not at the table, for round of table on state prev.
func mintCertificate(t *testing.T, table string, round uint64, prevHex string) bft.Certificate {
	t.Helper()
	prevBytes, err := hexHash(prevHex)
	if err != nil {
		t.Fatal(err)
	}
	seed := sha256.Sum256([]byte("forger"))
	priv := ed25519.NewKeyFromSeed(seed[:])
	me, _ := bft.PublicKeyFrom(priv.Public().(ed25519.PublicKey))
	node, err := bft.NewNode(bft.Config{TableID: table, Self: me, Signer: forgerSigner(priv), Players: []bft.PublicKey{me},
		App: anyApp{}, FirstRound: round, GenesisStateHash: prevBytes, Entropy: rand.NewChaCha8([32]byte{6})})
	if err != nil {
		t.Fatal(err)
	}
	if err := node.Propose(); err != nil {
		t.Fatal(err)
	}
	for node.HasReady() {
		rd := node.Ready()
		node.Advance(rd)
		if len(rd.Certified) > 0 {
			return rd.Certified[0]
		}
	}
	t.Fatal("the forger's round was not certified")
	return bft.Certificate{}
}

func hexHash(s string) (bft.Hash, error) {
	var h bft.Hash
	if err := h.UnmarshalText([]byte(s)); err != nil {
		return h, fmt.Errorf("state hash %q: %w", s, err)
	}
	return h, nil
}

type forgerSigner ed25519.PrivateKey

func (s forgerSigner) Sign(msg []byte) []byte { return ed25519.Sign(ed25519.PrivateKey(s), msg) }

// anyApp certifies anything: the forger's game has no rules.
type anyApp struct{}

func (anyApp) ValidateBets(bft.Hash, []bft.Bet) error { return nil }
func (anyApp) Apply(prev bft.Hash, _ []bft.Bet, seed bft.Hash) (bft.Hash, error) {
	return sha256.Sum256(append(prev[:], seed[:]...)), nil
}
func (anyApp) Void(prev bft.Hash, _ []bft.Bet, _ []bft.PublicKey) (bft.Hash, error) {
	return sha256.Sum256(prev[:]), nil
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// gossip hands to's games service a JSON payload as the mesh would after
// its own checks, as if from sent it.
func gossip(t *testing.T, to, from *peerNode, typ messages.MessageType, v any) {
	deliver(to, from, typ, mustJSON(t, v))
}

func deliver(to, from *peerNode, typ messages.MessageType, payload []byte) {
	pub, _ := identity.ParsePeerID(from.peerID())
	env := &messages.Envelope{Sender: pub, Type: typ, Payload: payload}
	to.n.ActorSystem().Root.Send(to.pid("games"), &messages.MeshDelivery{From: from.peerID(), Envelope: env})
}

// followed reads bitcraps_games_followed_total{kind, result} from p's
// /metrics (0 when the series does not exist yet).
func followed(t *testing.T, p *peerNode, kind, result string) float64 {
	return metricValue(t, p, fmt.Sprintf(`bitcraps_games_followed_total{kind=%q,result=%q}`, kind, result))
}

// metricValue reads one series (name with its labels, as /metrics prints
// it) from p's /metrics; 0 when it does not exist yet.
func metricValue(t *testing.T, p *peerNode, series string) float64 {
	t.Helper()
	return scrape(t, p)[series]
}
