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

	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	playRound(t, players, id, 6, rand.New(rand.NewPCG(seed, 6)), seed)
	sameTableMoney(t, nodes, ids, id, 6)
	if rep := observer.verified(); !rep.OK {
		t.Fatalf("observer's ledger: %+v", rep)
	}
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
