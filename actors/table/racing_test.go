package table

import (
	"sync"
	"testing"
	"time"

	"github.com/bitcraps/bitcraps/messages"
)

// Bets racing for the same chips: exactly those that fit are placed, and
// every loser is told insufficient_balance (409 at the API), never a bad
// request (issue 12, item 10).
func TestRacingBetsLoseWithInsufficientBalance(t *testing.T) {
	n := startNode(t, 3, nil)
	v := createTable(t, n, &messages.CreateTable{MinPlayers: 1, MaxPlayers: 1, Bankroll: 100 * crap, MinBet: crap,
		MaxBet: 50 * crap, BetWindow: time.Hour, BuyIn: 10 * crap})
	const racers, stake, fit = 8, 4 * crap, 2 // 10 CRAP of chips hold two bets of 4
	errs := make(chan error, racers)
	var wg sync.WaitGroup
	for range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- n.ask("games", &messages.PlaceBet{TableID: v.ID, Type: "field", Amount: stake}).(*messages.BetReply).Err
		}()
	}
	wg.Wait()
	close(errs)
	placed := 0
	for err := range errs {
		if err == nil {
			placed++
			continue
		}
		wantUserError(t, "a losing racer", err, messages.CodeInsufficientBalance, "CRAP in chips; you hold")
	}
	if placed != fit {
		t.Fatalf("%d of %d racing bets placed, want %d", placed, racers, fit)
	}
	n.verifyLedger()
}
