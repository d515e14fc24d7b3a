package harness

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bitcraps/bitcraps/messages"
)

// StartCluster starts size node processes joined by gossip to the first
// (args are extra flags for each), waits until each has a transport
// connection to every other, and returns them with their peer IDs.
func StartCluster(t testing.TB, size int, args ...string) ([]*Node, []string) {
	t.Helper()
	nodes, ids := LaunchCluster(t, size, args...)
	deadline := time.Now().Add(60 * time.Second)
	for i, n := range nodes {
		for {
			var peers []messages.PeerInfo
			n.GetJSON(t, "/api/v1/peers", &peers)
			connected := 0
			for _, p := range peers {
				if p.State == messages.PeerAlive && strings.Contains(p.Transport, "tcp") {
					connected++
				}
			}
			if connected == size-1 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("node %d: %d of %d peers connected: %+v", i, connected, size-1, peers)
			}
			time.Sleep(100 * time.Millisecond) // polling interval, bounded by the deadline
		}
	}
	return nodes, ids
}

// LaunchCluster starts size node processes joined by gossip to the first,
// waits until each is ready, and returns them with their peer IDs.
func LaunchCluster(t testing.TB, size int, args ...string) ([]*Node, []string) {
	t.Helper()
	first := StartNode(t, NodeSpec{Args: args})
	first.WaitReady(t, 60*time.Second)
	nodes := []*Node{first}
	for range size - 1 {
		n := StartNode(t, NodeSpec{Args: args, Join: []string{fmt.Sprintf("127.0.0.1:%d", first.Spec.GossipPort)}})
		n.WaitReady(t, 60*time.Second)
		nodes = append(nodes, n)
	}
	ids := make([]string, size)
	for i, n := range nodes {
		var h struct {
			PeerID string `json:"peer_id"`
		}
		n.GetJSON(t, "/health", &h)
		ids[i] = h.PeerID
	}
	return nodes, ids
}
