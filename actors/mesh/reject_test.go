package mesh

import (
	"errors"
	"testing"
	"time"

	"github.com/hashicorp/memberlist"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/bitcraps/bitcraps/internal/config"
	"github.com/bitcraps/bitcraps/internal/identity"
)

// rawMeta is a memberlist delegate advertising fixed metadata, for
// impostors that do not run our actor.
type rawMeta struct{ meta []byte }

func (r rawMeta) NodeMeta(int) []byte             { return r.meta }
func (r rawMeta) NotifyMsg([]byte)                {}
func (r rawMeta) GetBroadcasts(int, int) [][]byte { return nil }
func (r rawMeta) LocalState(bool) []byte          { return nil }
func (r rawMeta) MergeRemoteState([]byte, bool)   {}

func TestMembersWithoutValidIdentityAreRefused(t *testing.T) {
	reg := prometheus.NewRegistry()
	metrics, err := NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	opts := testOptions(newIdentity(t, 110))
	opts.Metrics = metrics
	seed := startNode(t, quietSystem(t), opts)
	addr := seed.peers().Self.GossipAddr

	weak := newIdentity(t, 111)
	weak.Nonce++ // almost surely below the difficulty now
	for identity.VerifyPoW(weak.PublicKey, weak.Nonce, testDifficulty) == nil {
		weak.Nonce++
	}
	other := newIdentity(t, 112)
	impostors := map[string]struct {
		name string
		meta NodeMeta
	}{
		"pow":           {string(weak.PeerID()), NodeMeta{PublicKey: weak.PublicKey, PoWNonce: weak.Nonce}},
		"name_mismatch": {string(other.PeerID()), NodeMeta{PublicKey: weak.PublicKey, PoWNonce: weak.Nonce}},
	}
	for reason, imp := range impostors {
		c := memberlistConfig(config.ProfileTesting)
		c.Name, c.BindAddr, c.BindPort = imp.name, "127.0.0.1", 0
		c.Delegate = rawMeta{meta: imp.meta.Encode()}
		c.Logger = memberlistLogger(testLogger())
		ml, err := memberlist.Create(c)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = ml.Shutdown() })
		if _, err := ml.Join([]string{addr}); err != nil {
			t.Fatalf("%s: impostor's join failed at the socket level: %v", reason, err)
		}
		eventually(t, 5*time.Second, reason+" rejection counted", func() (bool, string) {
			return counterValue(t, reg, "bitcraps_mesh_members_rejected_total", reason) > 0, ""
		})
		if s := seed.stateOf(imp.name); s != "" {
			t.Fatalf("%s impostor is in the peer table as %q", reason, s)
		}
	}
}

func TestVerifyMeta(t *testing.T) {
	id := newIdentity(t, 120)
	name := string(id.PeerID())
	good := NodeMeta{PublicKey: id.PublicKey, PoWNonce: id.Nonce, MeshPort: 9000, HTTPPort: 8080}
	m, err := VerifyMeta(name, good.Encode(), identity.VerifyPoW, testDifficulty)
	if err != nil || m.MeshPort != 9000 || m.HTTPPort != 8080 || m.Leaving {
		t.Fatalf("good meta: %+v, %v", m, err)
	}
	if _, err := VerifyMeta(name, good.Encode()[:10], identity.VerifyPoW, testDifficulty); !errors.Is(err, ErrBadMeta) {
		t.Fatalf("short meta: %v, want ErrBadMeta", err)
	}
	if _, err := VerifyMeta(string(newIdentity(t, 121).PeerID()), good.Encode(), identity.VerifyPoW, testDifficulty); !errors.Is(err, ErrNameMismatch) {
		t.Fatalf("wrong name: %v, want ErrNameMismatch", err)
	}
	if _, err := VerifyMeta(name, good.Encode(), identity.VerifyPoW, 40); !errors.Is(err, identity.ErrPoWInvalid) {
		t.Fatalf("harder cluster: %v, want ErrPoWInvalid", err)
	}
}

// counterValue reads a counter from reg, summed over its series with label.
func counterValue(t *testing.T, reg *prometheus.Registry, name, label string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	sum := 0.0 // over every series with the label value (one per transport)
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetValue() == label {
					sum += m.GetCounter().GetValue()
				}
			}
		}
	}
	return sum
}
