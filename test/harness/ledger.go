package harness

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"
)

// LedgerReport is a node's GET /api/v1/ledger/verify answer, the report
// `bitcraps ledger verify --json` prints.
type LedgerReport struct {
	OK        bool     `json:"ok"`
	StateHash string   `json:"state_hash"`
	Ops       uint64   `json:"ops"`
	Accounts  int      `json:"accounts"`
	Wallets   int64    `json:"total_wallets"`
	Chips     int64    `json:"total_chips"`
	Banks     int64    `json:"total_banks"`
	Problems  []string `json:"problems"`
}

// SameLedgers asks every node's ledger verify at once until all pass and
// agree on the state hash, and returns it. Tables that keep rolling may
// settle a round between two answers, so a split snapshot is retried; a
// ledger that fails its check, or hashes still apart after within, fail
// the test with every node's report.
func SameLedgers(t testing.TB, nodes []*Node, within time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		reps := make([]LedgerReport, len(nodes))
		errs := make([]error, len(nodes))
		var wg sync.WaitGroup
		for i, n := range nodes {
			wg.Go(func() {
				_, errs[i] = n.TryJSON(30*time.Second, http.MethodGet, "/api/v1/ledger/verify", nil, &reps[i])
			})
		}
		wg.Wait()
		hashes := map[string]bool{}
		for i, rep := range reps {
			if errs[i] != nil || !rep.OK {
				t.Fatalf("node %d: ledger verify: %+v %v", i, rep, errs[i])
			}
			hashes[rep.StateHash] = true
		}
		if len(hashes) == 1 {
			return reps[0].StateHash
		}
		if time.Now().After(deadline) {
			got := ""
			for i, rep := range reps {
				got += fmt.Sprintf("\n  node %d: %+v", i, rep)
			}
			t.Fatalf("ledger state hashes still differ after %v:%s", within, got)
		}
		time.Sleep(100 * time.Millisecond) // polling interval, bounded by the deadline
	}
}
