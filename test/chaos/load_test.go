//go:build chaos

package chaos

import (
	"net/http"
	"sync"
	"time"
)

// load is the load client: one goroutine per node that reads its tables
// and bets 1 CRAP on the field at each table it sits at, once a round,
// through the HTTP API, as a player's app would.
type load struct {
	c    *cluster
	done chan struct{}
	wg   sync.WaitGroup

	mu sync.Mutex
	// requests and answered count every API request, and those answered
	// (any status below 500 in time: a refusal such as table_paused is an
	// answer); the *Up pair counts only requests to nodes under no fault.
	requests, answered, requestsUp, answeredUp int
	acked                                      []ackedBet
}

// ackedBet is a bet the API acknowledged (202 with its id).
type ackedBet struct {
	node, table int
	id          string
}

func startLoad(c *cluster) *load {
	l := &load{c: c, done: make(chan struct{})}
	for i := range c.Len() {
		l.wg.Go(func() { l.play(i) })
	}
	return l
}

func (l *load) play(i int) {
	last := map[int]uint64{}
	for {
		select {
		case <-l.done:
			return
		case <-time.After(200 * time.Millisecond): // the client's pace
		}
		var list []any
		status, err := l.call(i, http.MethodGet, "/api/v1/tables", nil, &list)
		if err != nil || status >= 500 {
			continue
		}
		for _, k := range tablesOf(i) {
			v, ok := l.c.view(i, k)
			l.count(i, ok)
			if !ok || v.Lifecycle != "playing" || (last[k] != 0 && v.Round == last[k]) {
				continue
			}
			var ans struct {
				BetID string `json:"bet_id"`
			}
			status, err := l.call(i, http.MethodPost, "/api/v1/tables/"+l.c.table[k]+"/bets",
				map[string]any{"type": "field", "amount": crap}, &ans)
			if err == nil && status == http.StatusAccepted {
				last[k] = v.Round
				l.mu.Lock()
				l.acked = append(l.acked, ackedBet{node: i, table: k, id: ans.BetID})
				l.mu.Unlock()
			}
		}
	}
}

// call is one counted API request to node i.
func (l *load) call(i int, method, path string, body, v any) (int, error) {
	status, err := l.c.Node(i).TryJSON(2*time.Second, method, path, body, v)
	l.count(i, err == nil && status < 500)
	return status, err
}

func (l *load) count(i int, answered bool) {
	up := !l.c.isDown(i)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.requests++
	if up {
		l.requestsUp++
	}
	if answered {
		l.answered++
		if up {
			l.answeredUp++
		}
	}
}

func (l *load) stop() {
	close(l.done)
	l.wg.Wait()
}

// availability is the share of requests answered, overall and to nodes
// under no fault, in percent.
func (l *load) availability() (all, up float64, requests int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return 100 * float64(l.answered) / float64(max(l.requests, 1)),
		100 * float64(l.answeredUp) / float64(max(l.requestsUp, 1)), l.requests
}
