//go:build chaos

package chaos

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/bitcraps/bitcraps/internal/bft"
	"github.com/bitcraps/bitcraps/messages"
	"github.com/bitcraps/bitcraps/test/harness"
)

// report checks the end state and prints the run's numbers; the checks
// that fail the run come after everything is printed.
func report(t *testing.T, seed uint64, c *cluster, l *load, faults []fault, certified uint64, played time.Duration) {
	all, up, requests := l.availability()
	t.Logf("CHAOS ran %v with %d faults", played.Round(time.Second), len(faults))
	t.Logf("CHAOS API availability: %.2f%% of %d requests answered (%.2f%% to nodes under no fault)", all, requests, up)
	t.Logf("CHAOS rounds certified: %d in %v = %.2f rounds/s over %d tables", certified, played.Round(time.Second),
		float64(certified)/played.Seconds(), len(tables))
	var recoveries []time.Duration
	stuck := 0
	for _, f := range faults {
		if f.recovered {
			recoveries = append(recoveries, f.recovery)
		} else {
			stuck++
		}
	}
	if len(recoveries) > 0 {
		slices.Sort(recoveries)
		t.Logf("CHAOS recovery: median %v, max %v over %d faults; %d not recovered within 60s",
			recoveries[len(recoveries)/2].Round(time.Millisecond), recoveries[len(recoveries)-1].Round(time.Millisecond), len(recoveries), stuck)
	}
	unseated, dissolved := 0, 0
	for k, s := range tables {
		seated := c.seated(k)
		for _, i := range s.seats() {
			if !slices.Contains(seated, i) {
				unseated++
				t.Logf("CHAOS unseated: node %d (%.8s) from table %d (%s)", i, c.ids[i], k, c.table[k])
			}
		}
		for _, i := range s.seats() {
			if v, _ := c.view(i, k); v.Lifecycle == "dissolved" {
				dissolved++
				break
			}
		}
	}
	t.Logf("CHAOS unseatings %d, dissolutions %d", unseated, dissolved)

	c.settleAcked(l.acked, 60*time.Second)
	rounds := map[int][]messages.RoundView{}
	for k := range tables {
		rounds[k] = c.sameRounds(k, 60*time.Second)
	}
	t.Logf("CHAOS every player of each table holds the same certified rounds (%s)", roundCounts(rounds))
	hash := harness.SameLedgers(t, c.Snapshot(), 60*time.Second)
	t.Logf("CHAOS every node's ledger verifies to state hash %s", hash)
	for k := range tables {
		for _, v := range voids(t, rounds[k]) {
			t.Logf("CHAOS table %d: %s", k, v)
		}
	}
	fate, err := fateOf(l.acked, rounds)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("CHAOS acknowledged bets: %d certified, %d carried to a later round, %d in voided rounds, %d lost",
		fate.certified, fate.carried, fate.voided, len(fate.lost))
	if len(fate.lost) > 0 {
		t.Errorf("seed %d: %d acknowledged bets lost: %v", seed, len(fate.lost), fate.lost)
	}
	if unseated+dissolved > 0 {
		t.Errorf("seed %d: %d unseatings and %d dissolutions, although every fault was shorter than the 15 s seat grace", seed, unseated, dissolved)
	}
	if stuck > 0 {
		t.Errorf("seed %d: %d faults after which a table did not certify again within 60s", seed, stuck)
	}
}

func roundCounts(rounds map[int][]messages.RoundView) string {
	out := ""
	for k := range tables {
		out += fmt.Sprintf("table %d: %d; ", k, len(rounds[k]))
	}
	return out
}

// voids describes the voided rounds and whose reveal each lacked (the
// withholders, who are unseated by it).
func voids(t *testing.T, rounds []messages.RoundView) []string {
	var out []string
	for _, r := range rounds {
		if !r.Void {
			continue
		}
		var cert bft.Certificate
		if err := json.Unmarshal(r.Certificate, &cert); err != nil {
			t.Fatalf("round %d: certificate: %v", r.Round, err)
		}
		who := ""
		for _, k := range cert.Body.Withholders {
			who += " " + k.Short()
		}
		out = append(out, fmt.Sprintf("round %d voided, withholders%s", r.Round, who))
	}
	return out
}
