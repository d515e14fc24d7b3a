//go:build chaos

package chaos

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/bitcraps/bitcraps/internal/bft"
	"github.com/bitcraps/bitcraps/internal/game"
	"github.com/bitcraps/bitcraps/messages"
)

// rounds is node i's certified rounds of table k.
func (c *cluster) rounds(i, k int) ([]messages.RoundView, error) {
	var rs []messages.RoundView
	status, err := c.Node(i).TryJSON(20*time.Second, http.MethodGet, "/api/v1/tables/"+c.table[k]+"/rounds", nil, &rs)
	if err == nil && status != http.StatusOK {
		err = fmt.Errorf("status %d", status)
	}
	return rs, err
}

// sameRounds checks that every node that sat at table k certified the same
// state after each round they hold, and waits until its current players
// hold the same rounds (a returning node may still be catching up); it
// returns them.
func (c *cluster) sameRounds(k int, within time.Duration) []messages.RoundView {
	c.t.Helper()
	deadline := time.Now().Add(within)
	for {
		seated := c.seated(k)
		held := map[int][]messages.RoundView{}
		var want []messages.RoundView
		for _, i := range tables[k].seats() {
			got, err := c.rounds(i, k)
			if err != nil {
				c.t.Fatalf("node %d: rounds of table %d: %v", i, k, err)
			}
			held[i] = got
			if len(got) > len(want) {
				want = got
			}
		}
		complete, counts := true, ""
		for _, i := range tables[k].seats() {
			got := held[i]
			for r := range got {
				if got[r].Round != want[r].Round || got[r].StateHash != want[r].StateHash {
					c.t.Fatalf("table %d: round %d certified to %s by one player, node %d certified round %d to %s",
						k, want[r].Round, want[r].StateHash, i, got[r].Round, got[r].StateHash)
				}
			}
			if slices.Contains(seated, i) {
				complete = complete && len(got) == len(want)
			}
			counts += fmt.Sprintf(" node %d: %d", i, len(got))
		}
		if complete {
			return want
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("table %d: the players still hold different rounds after %v:%s", k, within, counts)
		}
		time.Sleep(200 * time.Millisecond) // polling interval, bounded by the deadline
	}
}

// settleAcked waits until each table's current players certified the
// round of the last bet acknowledged there (a round holding a bet rolls
// when its bet window closes, after the load stops too), so that every
// acknowledged bet had its round.
func (c *cluster) settleAcked(acked []ackedBet, within time.Duration) {
	c.t.Helper()
	last := map[int]uint64{}
	for _, a := range acked {
		var round uint64
		if _, err := fmt.Sscanf(a.id, "%d-", &round); err == nil && round > last[a.table] {
			last[a.table] = round
		}
	}
	deadline := time.Now().Add(within)
	for k, r := range last {
		for c.round(k) < r {
			if time.Now().After(deadline) {
				c.t.Fatalf("table %d: round %d, the last acknowledged bet's, not certified within %v", k, r, within)
			}
			time.Sleep(100 * time.Millisecond) // polling interval, bounded by the deadline
		}
	}
}

// betKey names a bet as the API's bet id does: round-bettor8-seq.
func betKey(round uint64, bettor bft.PublicKey, seq uint64) string {
	return fmt.Sprintf("%d-%s-%d", round, bettor.Short(), seq)
}

// betFate says what became of every acknowledged bet: certified in its
// round, carried into a later round (a certified bet of the same player
// that nobody acknowledged under that id), in a voided round, or lost.
type betFate struct {
	certified, carried, voided int
	lost                       []string
}

func fateOf(acked []ackedBet, rounds map[int][]messages.RoundView) (betFate, error) {
	var fate betFate
	certified := map[int]map[string]bool{}
	void := map[int]map[uint64]bool{}
	for k, rs := range rounds {
		certified[k], void[k] = map[string]bool{}, map[uint64]bool{}
		for _, r := range rs {
			var cert bft.Certificate
			if err := json.Unmarshal(r.Certificate, &cert); err != nil {
				return fate, fmt.Errorf("table %d round %d: certificate: %w", k, r.Round, err)
			}
			void[k][r.Round] = r.Void
			for _, b := range cert.Body.Bets {
				if p, err := game.DecodePayload(b.Payload); err != nil || p.Kind != game.KindBet {
					continue
				}
				certified[k][betKey(b.Round, b.Bettor, b.Seq)] = true
			}
		}
	}
	ackedIDs := map[string]bool{}
	for _, a := range acked {
		ackedIDs[a.id] = true
	}
	// unclaimed are the certified bets nobody acknowledged under their id:
	// each may stand for one carried bet.
	unclaimed := map[int]map[string]bool{}
	for k, ids := range certified {
		unclaimed[k] = map[string]bool{}
		for id := range ids {
			if !ackedIDs[id] {
				unclaimed[k][id] = true
			}
		}
	}
	for _, a := range acked {
		var round, seq uint64
		var bettor string
		if _, err := fmt.Sscanf(strings.ReplaceAll(a.id, "-", " "), "%d %s %d", &round, &bettor, &seq); err != nil {
			return fate, fmt.Errorf("bet id %q: %w", a.id, err)
		}
		switch {
		case certified[a.table][a.id]:
			fate.certified++
		case void[a.table][round]:
			fate.voided++
		case claimCarried(unclaimed[a.table], bettor, round):
			fate.carried++
		default:
			fate.lost = append(fate.lost, fmt.Sprintf("table %d node %d bet %s", a.table, a.node, a.id))
		}
	}
	return fate, nil
}

// claimCarried takes, from the unclaimed certified bets, one of bettor's
// in a later round: that is how a carried bet looks (a node that was
// killed carries its bet only once it has caught up, maybe many rounds on).
func claimCarried(unclaimed map[string]bool, bettor string, round uint64) bool {
	for id := range unclaimed {
		var r, seq uint64
		var who string
		if _, err := fmt.Sscanf(strings.ReplaceAll(id, "-", " "), "%d %s %d", &r, &who, &seq); err != nil {
			continue
		}
		if who == bettor && r > round {
			delete(unclaimed, id)
			return true
		}
	}
	return false
}
