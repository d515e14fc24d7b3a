package mesh

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bitcraps/bitcraps/messages"
)

func startCluster(t *testing.T, size int, seedBase uint64) []*node {
	t.Helper()
	sys := quietSystem(t)
	first := startNode(t, sys, testOptions(newIdentity(t, seedBase)))
	seed := first.peers().Self.GossipAddr
	nodes := []*node{first}
	for i := 1; i < size; i++ {
		opts := testOptions(newIdentity(t, seedBase+uint64(i)), seed)
		opts.MeshPort = 9000 + i
		nodes = append(nodes, startNode(t, sys, opts))
	}
	return nodes
}

func TestClustersConverge(t *testing.T) {
	for _, size := range []int{3, 5} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			nodes := startCluster(t, size, uint64(size*100))
			eventually(t, 20*time.Second, "all members see all", func() (bool, string) { return allSeeAll(nodes) })
			for _, n := range nodes {
				eventually(t, 5*time.Second, "member count", func() (bool, string) {
					got := n.peers()
					return got.Self.Members == size && got.Self.Joined && len(got.Items) == size-1,
						fmt.Sprintf("self %+v with %d rows, want %d members, joined", got.Self, len(got.Items), size)
				})
			}
		})
	}
}

func TestPeerTableContents(t *testing.T) {
	nodes := startCluster(t, 2, 7)
	eventually(t, 10*time.Second, "two members see each other", func() (bool, string) { return allSeeAll(nodes) })
	a, b := nodes[0], nodes[1]
	bAddr := b.peers().Self.GossipAddr
	eventually(t, 10*time.Second, "a probe of b completes", func() (bool, string) {
		row := a.peers().Items[0]
		return row.RTTMillis > 0, fmt.Sprintf("%+v", row)
	})
	row := a.peers().Items[0]
	want := []string{bAddr, "127.0.0.1:9001"}
	if row.PeerID != b.peerID() || row.State != messages.PeerAlive || !slices.Equal(row.Addresses, want) ||
		row.Transport != "gossip" || row.HTTPPort != 8080 || row.MeshPort != 9001 || row.LastSeen.IsZero() {
		t.Fatalf("row %+v; want b alive at %v over gossip with ports 9001/8080", row, want)
	}
	if h := a.waitHealth(5*time.Second, func(h messages.ServiceHealth) bool { return true }); h.Service != ServiceName || h.Status != messages.Healthy {
		t.Fatalf("health %+v, want mesh Healthy", h)
	}
}

func TestStoppedMemberIsDetectedAndRejoins(t *testing.T) {
	nodes := startCluster(t, 3, 30)
	eventually(t, 20*time.Second, "converged", func() (bool, string) { return allSeeAll(nodes) })
	gone := nodes[2]
	gone.stop()
	for _, n := range nodes[:2] {
		eventually(t, 20*time.Second, "graceful stop seen", func() (bool, string) {
			s := n.stateOf(gone.peerID())
			return s == messages.PeerLeft, s
		})
	}
	back := startNode(t, nodes[0].sys, testOptions(gone.id, nodes[0].peers().Self.GossipAddr))
	all := []*node{nodes[0], nodes[1], back}
	eventually(t, 20*time.Second, "rejoined member seen alive by all", func() (bool, string) { return allSeeAll(all) })
}

func TestCrashedMemberIsDeclaredDead(t *testing.T) {
	sys := quietSystem(t)
	a := startNode(t, sys, testOptions(newIdentity(t, 50)))
	seed := a.peers().Self.GossipAddr
	b := startNode(t, sys, testOptions(newIdentity(t, 51), seed))
	crashOpts := testOptions(newIdentity(t, 52), seed)
	crashOpts.skipLeave = true
	c := startNode(t, sys, crashOpts)
	eventually(t, 20*time.Second, "converged", func() (bool, string) { return allSeeAll([]*node{a, b, c}) })
	c.stop()
	for _, n := range []*node{a, b} {
		eventually(t, 30*time.Second, "crash detected", func() (bool, string) {
			s := n.stateOf(c.peerID())
			return s == messages.PeerDead, s
		})
	}
}

func TestJoinRetriesUntilNameResolves(t *testing.T) {
	sys := quietSystem(t)
	seed := startNode(t, sys, testOptions(newIdentity(t, 60)))
	_, port, _ := net.SplitHostPort(seed.peers().Self.GossipAddr)
	var lookups atomic.Int32
	opts := testOptions(newIdentity(t, 61), "seeds.bitcraps.test:"+port)
	opts.LookupHost = func(_ context.Context, host string) ([]string, error) {
		if host != "seeds.bitcraps.test" {
			return nil, fmt.Errorf("unexpected host %q", host)
		}
		if lookups.Add(1) < 3 {
			return nil, errors.New("no such host (yet)")
		}
		return []string{"127.0.0.1"}, nil
	}
	joiner := startNode(t, sys, opts)
	joiner.waitHealth(10*time.Second, func(h messages.ServiceHealth) bool {
		return h.Status == messages.Degraded && strings.Contains(h.Reason, "no such host")
	})
	joiner.waitHealth(10*time.Second, func(h messages.ServiceHealth) bool { return h.Status == messages.Healthy })
	eventually(t, 10*time.Second, "joined via DNS", func() (bool, string) { return allSeeAll([]*node{seed, joiner}) })
	if n := lookups.Load(); n < 3 {
		t.Fatalf("%d lookups, want at least 3 (two failures, then success)", n)
	}
}

func TestResolveJoinExpandsNamesAndSkipsSelf(t *testing.T) {
	lookup := func(_ context.Context, host string) ([]string, error) {
		return map[string][]string{"seeds": {"10.0.0.1", "10.0.0.2", "10.0.0.3"}}[host], nil
	}
	got, err := resolveJoin(context.Background(), []string{"seeds:7946", "10.0.0.9:7000"}, "10.0.0.2:7946", lookup)
	want := []string{"10.0.0.1:7946", "10.0.0.3:7946", "10.0.0.9:7000"}
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("got %v, %v; want %v", got, err, want)
	}
	if _, err := resolveJoin(context.Background(), []string{"10.0.0.2:7946"}, "10.0.0.2:7946", lookup); err == nil {
		t.Fatal("a join list of only this node must be an error, not a join with itself")
	}
}

func TestGossipKeyMismatchIsRefused(t *testing.T) {
	sys := quietSystem(t)
	key1, key2 := []byte("0123456789abcdef"), []byte("fedcba9876543210")
	seedOpts := testOptions(newIdentity(t, 70))
	seedOpts.GossipKey = key1
	seed := startNode(t, sys, seedOpts)
	addr := seed.peers().Self.GossipAddr

	wrong := testOptions(newIdentity(t, 71), addr)
	wrong.GossipKey = key2
	w := startNode(t, sys, wrong)
	w.waitHealth(10*time.Second, func(h messages.ServiceHealth) bool {
		return h.Status == messages.Degraded && strings.Contains(h.Reason, "attempts")
	})

	right := testOptions(newIdentity(t, 72), addr)
	right.GossipKey = key1
	r := startNode(t, sys, right)
	eventually(t, 10*time.Second, "same key joins", func() (bool, string) { return allSeeAll([]*node{seed, r}) })
	if s := seed.stateOf(w.peerID()); s != "" {
		t.Fatalf("node with the wrong key is in the table as %q", s)
	}
}

func TestGossipPortInUseIsCritical(t *testing.T) {
	sys := quietSystem(t)
	a := startNode(t, sys, testOptions(newIdentity(t, 80)))
	_, port, _ := net.SplitHostPort(a.peers().Self.GossipAddr)
	opts := testOptions(newIdentity(t, 81))
	fmt.Sscan(port, &opts.GossipPort)
	b := startNode(t, sys, opts)
	h := b.waitHealth(5*time.Second, func(h messages.ServiceHealth) bool { return h.Status == messages.Critical })
	if !strings.Contains(h.Reason, "gossip not running") {
		t.Fatalf("reason %q does not say gossip is not running", h.Reason)
	}
}

func TestGossipOffIsHealthyAndHonest(t *testing.T) {
	opts := testOptions(newIdentity(t, 90))
	opts.Gossip = false
	n := startNode(t, quietSystem(t), opts)
	h := n.waitHealth(5*time.Second, func(messages.ServiceHealth) bool { return true })
	if h.Status != messages.Healthy || !strings.Contains(h.Reason, "gossip off") {
		t.Fatalf("health %+v, want Healthy saying gossip is off", h)
	}
	if self := n.peers().Self; self.GossipAddr != "" || self.Members != 1 {
		t.Fatalf("self %+v, want no gossip address and one member", self)
	}
}

func TestOptionsNameTheBadSetting(t *testing.T) {
	good := testOptions(newIdentity(t, 1))
	for field, mutate := range map[string]func(*Options){
		"Identity":      func(o *Options) { o.Identity = nil },
		"PoWDifficulty": func(o *Options) { o.PoWDifficulty = 65 },
		"Profile":       func(o *Options) { o.Profile = "fast" },
		"BindAddr":      func(o *Options) { o.BindAddr = "localhost" },
		"GossipKey":     func(o *Options) { o.GossipKey = []byte("short") },
		"Join entry":    func(o *Options) { o.Join = []string{"no-port"} },
		"GossipPort":    func(o *Options) { o.GossipPort = 70000 },
	} {
		o := good
		mutate(&o)
		_, err := Props(o)
		if !errors.Is(err, ErrOptions) || !strings.Contains(err.Error(), field) {
			t.Errorf("%s: err %v, want ErrOptions naming %s", field, err, field)
		}
	}
}
