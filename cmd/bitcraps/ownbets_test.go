package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/bitcraps/bitcraps/messages"
)

// `table show` lists the player's bets waiting for the roll, and a bet a
// later round refused with the reason (issue 11, item 6).
func TestTableShowListsWaitingAndRefusedBets(t *testing.T) {
	v := messages.TableView{ID: "3f2a9c0d1e2b4a5f", Status: "playing", Seated: true, PendingBets: 2,
		WaitingBets: []messages.WaitingBet{
			{ID: "4-ab12cd34-7", Type: "pass_odds", Amount: 10_000_000, Round: 4},
			{ID: "4-ab12cd34-8", Type: "lay", Number: 4, TakeDown: true, Round: 4},
		},
		RefusedBets: []messages.RefusedBet{{WaitingBet: messages.WaitingBet{ID: "3-ab12cd34-5", Type: "come", Amount: 5_000_000, Round: 4},
			Reason: "come is not allowed on the come-out"}},
	}
	var out bytes.Buffer
	if err := writeTable(&out, v); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, want := range []string{
		"waiting for the roll  pass_odds: 10 CRAP (bet 4-ab12cd34-7)",
		"waiting for the roll  take down lay 4 (bet 4-ab12cd34-8)",
		"refused               come: 5 CRAP (bet 3-ab12cd34-5): come is not allowed on the come-out",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("table show lacks %q:\n%s", want, text)
		}
	}
}
