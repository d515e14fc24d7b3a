package main

import (
	"fmt"
	"io"

	"github.com/bitcraps/bitcraps/messages"
)

// writeOwnBets adds to `table show` the player's bets that are not on the
// layout: those waiting for the roll, and those a later round refused,
// with the reason (issue 11, item 6).
func writeOwnBets(w io.Writer, t messages.TableView) {
	for _, b := range t.WaitingBets {
		fmt.Fprintf(w, "waiting for the roll\t%s (bet %s)\n", ownBetText(b), b.ID)
	}
	for _, r := range t.RefusedBets {
		fmt.Fprintf(w, "refused\t%s (bet %s): %s\n", ownBetText(r.WaitingBet), r.ID, r.Reason)
	}
}

func ownBetText(b messages.WaitingBet) string {
	switch {
	case b.Type == "":
		return "a bet"
	case b.TakeDown && b.Number != 0:
		return fmt.Sprintf("take down %s %d", b.Type, b.Number)
	case b.TakeDown:
		return "take down " + b.Type
	}
	return betText(b.Type, b.Number, b.Amount)
}
