package api

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/bitcraps/bitcraps/internal/ledger"
)

// Every amount a request carries is refused above the ledger's maximum,
// with 400 naming the field, before any actor sees it: a larger amount can
// only wrap a sum downstream (issue 12, item 2). The maximum itself passes.
func TestAmountsAboveTheLedgerMaximumAreRefused(t *testing.T) {
	f := newFakeServices(t)
	f.setAnswer(tableAnswers)
	_, ts := newFakeServer(t, f, "")
	tables, one := "/api/v1/tables", "/api/v1/tables/"+testTable
	bodies := []struct{ path, field, body string }{
		{tables, "bankroll", `{"bankroll":%d}`},
		{tables, "min_bet", `{"bankroll":5,"min_bet":%d}`},
		{tables, "max_bet", `{"bankroll":5,"max_bet":%d}`},
		{tables, "buy_in", `{"bankroll":5,"buy_in":%d}`},
		{one + "/join", "buy_in", `{"buy_in":%d}`},
		{one + "/bets", "amount", `{"type":"pass","amount":%d}`},
	}
	for _, b := range bodies {
		for _, v := range []int64{ledger.MaxAmount + 1, math.MaxInt64} {
			status, body := call(t, ts, "POST", b.path, fmt.Sprintf(b.body, v))
			if status != 400 {
				t.Errorf("%s %s=%d: status %d, want 400 (%s)", b.path, b.field, v, status, body)
				continue
			}
			if _, msg := errorOf(t, body); !strings.Contains(msg, "field "+b.field) || !strings.Contains(msg, "maximum") {
				t.Errorf("%s %s=%d: message %q does not name the field and the maximum", b.path, b.field, v, msg)
			}
		}
	}
	if got := f.requests(); len(got) != 0 {
		t.Fatalf("amounts above the maximum reached the services: %#v", got)
	}
	for _, b := range bodies {
		if status, body := call(t, ts, "POST", b.path, fmt.Sprintf(b.body, ledger.MaxAmount)); status >= 300 {
			t.Errorf("%s %s at the maximum: status %d (%s)", b.path, b.field, status, body)
		}
	}
}
