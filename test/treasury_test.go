package test

import (
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bitcraps/bitcraps/internal/identity"
	"github.com/bitcraps/bitcraps/internal/ledger"
	"github.com/bitcraps/bitcraps/messages"
	"github.com/bitcraps/bitcraps/test/harness"
)

// Issue 12, item 7: money only from the treasury. Real nodes in this
// process (own ledgers, mesh and transport on loopback), the treasury key
// made and grants signed by the real CLI.

var treasuryKeyLine = regexp.MustCompile(`(?m)^([0-9a-f]{64})$`)

// treasuryKeygen runs `bitcraps treasury keygen` and returns the key
// file's path and the public key it printed.
func treasuryKeygen(t *testing.T) (string, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "treasury.key")
	out, code := harness.RunCLI(t, "treasury", "keygen", "--out", path)
	m := treasuryKeyLine.FindStringSubmatch(out)
	if code != 0 || m == nil {
		t.Fatalf("treasury keygen: exit %d:\n%s", code, out)
	}
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file %s: %v, mode %v; want 0600", path, err, info.Mode())
	}
	if out, code := harness.RunCLI(t, "treasury", "keygen", "--out", path); code == 0 || !strings.Contains(out, "never overwritten") {
		t.Fatalf("keygen over an existing key: exit %d:\n%s", code, out)
	}
	return path, m[1]
}

// signedGrant runs `bitcraps treasury grant --print` and returns the grant.
func signedGrant(t *testing.T, key, peer, amount string, serial int) ledger.Op {
	t.Helper()
	out, code := harness.RunCLI(t, "treasury", "grant", peer, amount, "--key", key, "--serial", fmt.Sprint(serial), "--print")
	var op ledger.Op
	if code != 0 || json.Unmarshal([]byte(out), &op) != nil {
		t.Fatalf("treasury grant --print: exit %d:\n%s", code, out)
	}
	return op
}

// grantsAt is one node's view of the grants: the invariant must hold
// (verified fails the test otherwise).
func grantsAt(p *peerNode, peer identity.PeerID) (ledger.Report, int64) {
	p.t.Helper()
	rep := p.verified()
	h := p.ask("ledger", &messages.LedgerHoldingsRequest{Peer: peer}).(*messages.LedgerHoldings)
	if h.Err != nil {
		p.t.Fatalf("%s: holdings of %s: %v", p.name, peer.Short(), h.Err)
	}
	return rep, h.Holdings.Wallet
}

// wantSameGrants waits until every node holds total grants, peer's
// wallet holds wallet, and all ledgers hash alike.
func wantSameGrants(t *testing.T, nodes []*peerNode, peer identity.PeerID, total, wallet int64) {
	t.Helper()
	eventually(t, 30*time.Second, "every node holds the same grants", func() (bool, string) {
		hashes := map[string]bool{}
		for _, n := range nodes {
			rep, w := grantsAt(n, peer)
			if rep.TotalGrants != total || w != wallet {
				return false, fmt.Sprintf("%s: total grants %d (want %d), wallet of %s %d (want %d)",
					n.name, rep.TotalGrants, total, peer.Short(), w, wallet)
			}
			hashes[rep.StateHash] = true
		}
		return len(hashes) == 1, fmt.Sprintf("state hashes %v", hashes)
	})
}

func refusedGrants(t *testing.T, p *peerNode, reason string) float64 {
	return scrape(t, p)[`bitcraps_ledger_grants_refused_total{reason="`+reason+`"}`]
}

func TestTreasuryGrantsAreSignedReplicatedAndIdempotent(t *testing.T) {
	keyFile, treasury := treasuryKeygen(t)
	cfgA := nodeConfig(t)
	cfgA.TreasuryKey = treasury
	nodes := []*peerNode{startPeer(t, "A", cfgA)}
	for _, name := range []string{"B", "C"} {
		cfg := nodeConfig(t, nodes[0].gossipAddr())
		cfg.TreasuryKey = treasury
		nodes = append(nodes, startPeer(t, name, cfg))
	}
	waitConnected(t, nodes)
	a, b, c := nodes[0], nodes[1], nodes[2]

	// Nobody has money a treasury did not grant.
	var status struct {
		Money struct{ Mode, Treasury, Notice string }
	}
	apiOf(t, b).ok("GET", "/api/v1/status", nil, 200, &status)
	if status.Money.Mode != ledger.ModeTreasury || status.Money.Treasury != treasury {
		t.Fatalf("status money %+v, want treasury mode with key %s", status.Money, treasury)
	}
	wantSameGrants(t, nodes, identity.PeerID(c.peerID()), 0, 0)

	// Refused on every node: no, a wrong, and a tampered signature.
	impostor := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	wrong := ledger.TreasuryGrant(impostor, identity.PeerID(c.peerID()), 1_000*crap, 1)
	tampered := signedGrant(t, keyFile, c.peerID(), "1", 1)
	tampered.Amount = 1_000_000 * crap
	unsigned := ledger.Op{Kind: ledger.KindGrant, Owner: identity.PeerID(c.peerID()), Amount: 1_000 * crap}
	for _, n := range nodes {
		for reason, op := range map[string]ledger.Op{"unsigned": unsigned, "wrong_treasury": wrong, "bad_signature": tampered} {
			before := refusedGrants(t, n, reason)
			apiOf(t, n).refused("POST", "/api/v1/ledger/grants", op, 403, messages.CodeGrantRefused)
			if after := refusedGrants(t, n, reason); after != before+1 {
				t.Fatalf("%s: %s refusals %v → %v, want one more", n.name, reason, before, after)
			}
		}
	}
	// A forged grant flooded over the mesh (as a hostile peer would) is
	// refused and counted by every node that receives it.
	forger := ed25519.NewKeyFromSeed([]byte(strings.Repeat("f", ed25519.SeedSize)))
	payload, err := json.Marshal(unsigned)
	if err != nil {
		t.Fatal(err)
	}
	env, err := messages.NewEnvelope(messages.KeySigner(forger), messages.MessageType_MESSAGE_TYPE_LEDGER_OP, payload, messages.DefaultTTL)
	if err != nil {
		t.Fatal(err)
	}
	before := []float64{refusedGrants(t, b, "unsigned"), refusedGrants(t, c, "unsigned")}
	a.n.ActorSystem().Root.Send(a.pid("mesh"), &messages.RouteEnvelope{Envelope: env})
	eventually(t, 30*time.Second, "the flooded forgery is refused by B and C", func() (bool, string) {
		nb, nc := refusedGrants(t, b, "unsigned"), refusedGrants(t, c, "unsigned")
		return nb > before[0] && nc > before[1], fmt.Sprintf("B %v → %v, C %v → %v", before[0], nb, before[1], nc)
	})
	wantSameGrants(t, nodes, identity.PeerID(c.peerID()), 0, 0)

	// A valid grant, submitted to B by the CLI, reaches every node.
	out, code := harness.RunCLI(t, "treasury", "grant", c.peerID(), "250", "--key", keyFile, "--node", "http://"+b.n.HTTPAddr())
	if code != 0 || !strings.Contains(out, "granted 250 CRAP") {
		t.Fatalf("treasury grant: exit %d:\n%s", code, out)
	}
	wantSameGrants(t, nodes, identity.PeerID(c.peerID()), 250*crap, 250*crap)

	// Idempotent: one grant (serial 7) handed to every node, twice, counts once.
	g := signedGrant(t, keyFile, c.peerID(), "5.5", 7)
	for round := range 2 {
		for _, n := range nodes {
			var ans struct{ Duplicate bool }
			apiOf(t, n).ok("POST", "/api/v1/ledger/grants", g, 200, &ans)
			if round == 1 && !ans.Duplicate {
				t.Fatalf("%s: the grant again was not a duplicate", n.name)
			}
		}
	}
	wantSameGrants(t, nodes, identity.PeerID(c.peerID()), 255_500_000, 255_500_000)

	// A node that joins later is handed every grant when it connects.
	cfgD := nodeConfig(t, a.gossipAddr())
	cfgD.TreasuryKey = treasury
	nodes = append(nodes, startPeer(t, "D", cfgD))
	waitConnected(t, nodes)
	wantSameGrants(t, nodes, identity.PeerID(c.peerID()), 255_500_000, 255_500_000)
	if rep := nodes[3].verified(); rep.TreasuryGrants[identity.PeerID(treasury)] != 2 || rep.PlayMoneyGrants != 0 || rep.Money != ledger.ModeTreasury {
		t.Fatalf("D's report: %+v", rep)
	}
	// `ledger verify` online and offline (a stopped node's data dir) sees
	// the treasury's two grants and nothing else.
	signed := "0 play-money grants, 2 signed by treasury " + treasury
	out, code = harness.RunCLI(t, "ledger", "verify", "--node", "http://"+b.n.HTTPAddr())
	if code != 0 || !strings.Contains(out, "ledger OK") || !strings.Contains(out, "treasury: "+signed) {
		t.Fatalf("ledger verify: exit %d:\n%s", code, out)
	}
	nodes[3].stop()
	out, code = harness.RunCLI(t, "ledger", "verify", "--data", cfgD.DataDir)
	if code != 0 || !strings.Contains(out, "ledger OK") || !strings.Contains(out, "(offline): "+signed) {
		t.Fatalf("ledger verify --data: exit %d:\n%s", code, out)
	}
}

func TestPlayMoneyModeIsSaidPlainlyAndGrantsAlike(t *testing.T) {
	nodes := startCluster(t, 2)
	a, b := nodes[0], nodes[1]
	var status struct {
		Money struct {
			Mode      string
			PlayGrant int64 `json:"play_grant"`
			Notice    string
		}
	}
	apiOf(t, a).ok("GET", "/api/v1/status", nil, 200, &status)
	if status.Money.Mode != ledger.ModePlayMoney || status.Money.PlayGrant != a.cfg.InitialBalance ||
		!strings.Contains(status.Money.Notice, "Play money") {
		t.Fatalf("status money %+v, want play money said plainly", status.Money)
	}
	out, code := harness.RunCLI(t, "status", "--node", "http://"+a.n.HTTPAddr())
	if code != 0 || !strings.Contains(out, "Play money: no treasury is set") {
		t.Fatalf("bitcraps status: exit %d:\n%s", code, out)
	}
	// Each node holds the same play-money grant for each identity.
	for _, p := range nodes {
		wantSameGrants(t, nodes, identity.PeerID(p.peerID()), 2*a.cfg.InitialBalance, a.cfg.InitialBalance)
	}
	// A treasury grant means nothing here.
	keyFile, _ := treasuryKeygen(t)
	g := signedGrant(t, keyFile, b.peerID(), "100", 1)
	before := refusedGrants(t, a, "play_money")
	apiOf(t, a).refused("POST", "/api/v1/ledger/grants", g, 403, messages.CodeGrantRefused)
	if after := refusedGrants(t, a, "play_money"); after != before+1 {
		t.Fatalf("play_money refusals %v → %v", before, after)
	}
	wantSameGrants(t, nodes, identity.PeerID(b.peerID()), 2*a.cfg.InitialBalance, a.cfg.InitialBalance)
}
