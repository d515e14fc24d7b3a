//go:build chaos

package chaos

import (
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/bitcraps/bitcraps/messages"
	"github.com/bitcraps/bitcraps/test/harness"
)

const crap = 1_000_000

// tableSpec is one table of the run: its host and the other players, who
// join it (also while it plays).
type tableSpec struct {
	host    int
	joiners []int
}

// tables: two of 2 seats (they pause while a player is away) and two of 4
// (min_players 2: they play on with three), every node at two or three.
var tables = []tableSpec{
	{host: 0, joiners: []int{1}},
	{host: 2, joiners: []int{3}},
	{host: 1, joiners: []int{2, 3, 4}},
	{host: 3, joiners: []int{4, 0, 1}},
}

func (s tableSpec) seats() []int { return append([]int{s.host}, s.joiners...) }

// cluster is the five node processes; a node killed and restarted is
// replaced in place, and a node under a fault is marked down so that the
// load's availability can be told with and without it.
type cluster struct {
	t *testing.T
	*harness.Nodes
	mu    sync.Mutex // guards down
	ids   []string
	down  []bool
	table []string // ids of the tables, in the order of tables
}

func startCluster(t *testing.T) *cluster {
	nodes, ids := harness.StartCluster(t, 5, "--fault-injection")
	c := &cluster{t: t, Nodes: harness.NewNodes(nodes), ids: ids, down: make([]bool, len(nodes))}
	for _, s := range tables {
		var v messages.TableView
		body := map[string]any{"min_players": 2, "max_players": len(s.seats()), "bankroll": 300 * crap,
			"min_bet": crap, "max_bet": 20 * crap, "buy_in": 100 * crap, "bet_window": "1s"}
		if status := nodes[s.host].DoJSON(t, http.MethodPost, "/api/v1/tables", body, &v); status != http.StatusCreated && status != http.StatusOK {
			t.Fatalf("create a table on node %d: status %d", s.host, status)
		}
		c.table = append(c.table, v.ID)
	}
	for k, s := range tables {
		for _, i := range s.joiners {
			c.join(i, c.table[k])
		}
	}
	return c
}

// join seats node i at the table, waiting for the table's announcement to
// reach it first.
func (c *cluster) join(i int, id string) {
	c.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		var v messages.TableView
		status, err := c.Node(i).TryJSON(40*time.Second, http.MethodPost, "/api/v1/tables/"+id+"/join", map[string]any{"buy_in": 100 * crap}, &v)
		if err == nil && status == http.StatusOK {
			return
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("node %d: join %s: status %d, %v", i, id, status, err)
		}
		time.Sleep(200 * time.Millisecond) // polling interval, bounded by the deadline
	}
}

func (c *cluster) setDown(i int, down bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.down[i] = down
}

func (c *cluster) isDown(i int) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.down[i]
}

// gossipAddrs are the gossip addresses of every node but i.
func (c *cluster) gossipAddrs(i int) []string {
	var out []string
	for j := range c.Len() {
		if j != i {
			out = append(out, fmt.Sprintf("127.0.0.1:%d", c.Node(j).Spec.GossipPort))
		}
	}
	return out
}

// view is node i's view of table k; ok is false when it did not answer.
func (c *cluster) view(i, k int) (messages.TableView, bool) {
	var v messages.TableView
	status, err := c.Node(i).TryJSON(2*time.Second, http.MethodGet, "/api/v1/tables/"+c.table[k], nil, &v)
	return v, err == nil && status == http.StatusOK
}

// round is the lowest round table k's current players have all certified
// (0 if one does not answer). A player unseated is no longer waited for.
func (c *cluster) round(k int) uint64 {
	low, seated := uint64(0), c.seated(k)
	for n, i := range seated {
		v, ok := c.view(i, k)
		if !ok {
			return 0
		}
		if n == 0 || v.Round < low {
			low = v.Round
		}
	}
	return low
}

// seated lists the nodes seated at table k by its newest certified state
// that any of its players shows.
func (c *cluster) seated(k int) []int {
	var newest messages.TableView
	for _, i := range tables[k].seats() {
		if v, ok := c.view(i, k); ok && v.Round >= newest.Round {
			newest = v
		}
	}
	var out []int
	for _, i := range tables[k].seats() {
		if slices.ContainsFunc(newest.Players, func(p messages.PlayerView) bool { return p.PeerID == c.ids[i] }) {
			out = append(out, i)
		}
	}
	return out
}

// highest is the highest round any player of table k shows.
func (c *cluster) highest(k int) uint64 {
	high := uint64(0)
	for _, i := range tables[k].seats() {
		if v, ok := c.view(i, k); ok && v.Round > high {
			high = v.Round
		}
	}
	return high
}

// tablesOf lists the tables node i sits at.
func tablesOf(i int) []int {
	var out []int
	for k, s := range tables {
		for _, p := range s.seats() {
			if p == i {
				out = append(out, k)
			}
		}
	}
	return out
}

func (c *cluster) String() string {
	out := ""
	for k := range tables {
		out += fmt.Sprintf(" table %d at %d;", k, c.highest(k))
	}
	return out
}
