package test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/bitcraps/bitcraps/test/harness"
)

// Three `bitcraps node` processes joined by --join: `bitcraps peers` on
// each lists the other two as alive.
func TestThreeNodeProcessesSeeEachOther(t *testing.T) {
	nodes, ids := harness.LaunchCluster(t, 3)

	deadline := time.Now().Add(60 * time.Second)
	for i, n := range nodes {
		for {
			missing := alivePeersMissing(t, n, ids, i)
			if len(missing) == 0 {
				break
			}
			if time.Now().After(deadline) {
				out, _ := n.CLI(t, "peers")
				t.Fatalf("node %d does not list %v as alive:\n%s", i, missing, out)
			}
			time.Sleep(100 * time.Millisecond) // polling interval, bounded by the deadline
		}
		out, code := n.CLI(t, "peers")
		if code != 0 {
			t.Fatalf("bitcraps peers on node %d: exit %d\n%s", i, code, out)
		}
		for j, id := range ids {
			if j != i && !strings.Contains(out, id[:16]) {
				t.Fatalf("bitcraps peers on node %d lacks %s:\n%s", i, id, out)
			}
		}
	}
}

// alivePeersMissing asks `bitcraps peers --json` which of the other nodes'
// ids are not (yet) listed as alive.
func alivePeersMissing(t *testing.T, n *harness.Node, ids []string, self int) []string {
	t.Helper()
	out, code := n.CLI(t, "peers", "--json")
	if code != 0 {
		t.Fatalf("bitcraps peers --json: exit %d\n%s", code, out)
	}
	var peers []struct {
		PeerID string `json:"peer_id"`
		State  string `json:"state"`
	}
	if err := json.Unmarshal([]byte(out), &peers); err != nil {
		t.Fatalf("peers --json: %v\n%s", err, out)
	}
	alive := map[string]bool{}
	for _, p := range peers {
		alive[p.PeerID] = p.State == "alive"
	}
	var missing []string
	for j, id := range ids {
		if j != self && !alive[id] {
			missing = append(missing, id)
		}
	}
	return missing
}
