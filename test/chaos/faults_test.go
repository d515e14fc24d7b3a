//go:build chaos

package chaos

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"syscall"
	"time"
)

// fault is one fault of the schedule and how the tables came back from it.
type fault struct {
	kind    string // kill, stop, panic, drop
	node    int
	peer    int    // drop: the other end of the link
	service string // panic: the service that panics
	length  time.Duration
	at      time.Duration // since the run began
	// recovery is the time from the fault's end until every table of the
	// nodes it hit certified, on all its players, a round past the
	// highest any of them showed when it ended.
	recovery  time.Duration
	recovered bool
}

func (f fault) String() string {
	what := fmt.Sprintf("%-5s node %d", f.kind, f.node)
	switch f.kind {
	case "drop":
		what += fmt.Sprintf("<->%d", f.peer)
	case "panic":
		what += " " + f.service
	}
	rec := "NOT RECOVERED within 60s"
	if f.recovered {
		rec = "recovered in " + f.recovery.Round(time.Millisecond).String()
	}
	return fmt.Sprintf("t=%5.1fs %-26s for %-6s %s", f.at.Seconds(), what, f.length.Round(100*time.Millisecond), rec)
}

// services that a panic may hit, each restarted by the node's supervisor.
var services = []string{"games", "consensus", "mesh", "transport", "ledger"}

// schedule draws the next fault.
func schedule(rng *rand.Rand, nodes int) fault {
	f := fault{kind: []string{"kill", "stop", "panic", "drop"}[rng.IntN(4)], node: rng.IntN(nodes)}
	between := func(lo, hi time.Duration) time.Duration { return lo + time.Duration(rng.Int64N(int64(hi-lo))) }
	switch f.kind {
	case "kill": // down for this long before it restarts: inside the 15 s seat grace
		f.length = between(time.Second, 6*time.Second)
	case "stop":
		f.length = between(2*time.Second, 10*time.Second)
	case "drop":
		f.peer = (f.node + 1 + rng.IntN(nodes-1)) % nodes
		f.length = between(3*time.Second, 10*time.Second)
	case "panic":
		f.service = services[rng.IntN(len(services))]
	}
	return f
}

// inject does the fault and returns when it is over.
func (c *cluster) inject(f fault) {
	c.t.Helper()
	n := c.Node(f.node)
	switch f.kind {
	case "kill":
		c.setDown(f.node, true)
		n.Kill()
		wait(f.length)
		// Like a deployed node, it restarts with a join list: the first
		// node started with none, and the others marked it dead.
		n.Spec.Join = c.gossipAddrs(f.node)
		back := n.Restart(c.t)
		back.WaitReady(c.t, 60*time.Second)
		c.Set(f.node, back)
		c.setDown(f.node, false)
	case "stop":
		c.setDown(f.node, true)
		n.Send(c.t, syscall.SIGSTOP)
		wait(f.length)
		n.Send(c.t, syscall.SIGCONT)
		c.setDown(f.node, false)
	case "panic":
		if status, err := n.TryJSON(5*time.Second, http.MethodPost, "/debug/faults/panic", map[string]string{"service": f.service}, nil); err != nil || status != http.StatusAccepted {
			c.t.Fatalf("panic %s on node %d: status %d, %v", f.service, f.node, status, err)
		}
	case "drop":
		body := map[string]string{"peer": c.ids[f.peer], "for": f.length.String()}
		if status, err := n.TryJSON(5*time.Second, http.MethodPost, "/debug/faults/drop", body, nil); err != nil || status != http.StatusAccepted {
			c.t.Fatalf("drop the link %d<->%d: status %d, %v", f.node, f.peer, status, err)
		}
		wait(f.length)
	}
}

// recover waits until every table of the nodes f hit moved past where it
// was when f ended, and records how long that took.
func (c *cluster) recover(f *fault, within time.Duration) {
	ended := time.Now()
	hit := tablesOf(f.node)
	if f.kind == "drop" {
		for _, k := range tablesOf(f.peer) {
			if !slices.Contains(hit, k) {
				hit = append(hit, k)
			}
		}
	}
	target := map[int]uint64{}
	for _, k := range hit {
		target[k] = c.highest(k)
	}
	for time.Since(ended) < within {
		moved := true
		for _, k := range hit {
			if c.round(k) <= target[k] {
				moved = false
				break
			}
		}
		if moved {
			f.recovery, f.recovered = time.Since(ended), true
			return
		}
		time.Sleep(50 * time.Millisecond) // polling interval, bounded by within
	}
}

// wait lets a fault last: the length of a fault is part of the schedule,
// not a wait for something to happen.
func wait(d time.Duration) { <-time.After(d) }
