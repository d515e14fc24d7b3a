package browser

import (
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/bitcraps/bitcraps/test/harness"
	"github.com/chromedp/chromedp"
)

// nodeEnv points the end-to-end test at a node that is already running (for
// example `make run`) instead of starting one; unset, the test starts its
// own `bitcraps node` process.
const nodeEnv = "BITCRAPS_BROWSER_NODE"

// maxRolls bounds the rolls spent waiting for the pass-line bet to resolve:
// a pass-line decision takes about 3.4 rolls on average, and the chance of
// none in 60 rolls is below 1e-9.
const maxRolls = 60

// Waits are generous: a consensus round on a loaded 2-core machine under
// -race can take seconds, and a wait only costs time when something is wrong.
const (
	pageWait  = 30 * time.Second
	roundWait = 60 * time.Second
)

func nodeURL(t *testing.T) string {
	t.Helper()
	if u := os.Getenv(nodeEnv); u != "" {
		t.Logf("using the node at %s (%s)", u, nodeEnv)
		return strings.TrimRight(u, "/")
	}
	n := harness.StartNode(t, harness.NodeSpec{})
	n.WaitReady(t, 60*time.Second)
	return n.URL
}

// requireWebTable fails fast, with the fix, when the node does not serve the
// page at "/" (web.Handler not mounted).
func requireWebTable(t *testing.T, base string) {
	t.Helper()
	resp, err := http.Get(base + "/")
	if err != nil {
		t.Fatalf("GET %s/: %v", base, err)
	}
	resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != http.StatusOK || !strings.HasPrefix(ct, "text/html") {
		t.Fatalf("GET %s/ = %d %q: the node does not serve the web table; mount web.Handler() (internal/web) at \"/\" in internal/api", base, resp.StatusCode, ct)
	}
}

// pageState is what the test reads back after each roll.
type pageState struct {
	Round     string `json:"round"`
	Dice      []int  `json:"dice"`
	Result    string `json:"result"`
	Chips     string `json:"chips"`
	PassChips string `json:"pass_chips"`
	Wallet    string `json:"wallet"`
}

const readState = `(() => {
  const q = (s) => document.querySelector(s);
  return {
    round: q("#round").textContent,
    dice: [...document.querySelectorAll('#dice .die')].map((d) => Number(d.dataset.value)),
    result: q("#roll-result").textContent,
    chips: q('[data-testid="my-chips"]').dataset.micros ?? "",
    pass_chips: q('[data-testid="chips-pass"] .chip-mine')?.dataset.micros ?? "",
    wallet: q('[data-testid="wallet"]').dataset.micros ?? "",
  };
})()`

// The issue 7 flow, by clicks only: open the lobby, create a table, join,
// put 5 CRAP on the pass line by clicking it, roll until the bet is decided,
// and see the dice, the chips change, the live feed and a verified round.
func TestWebTableEndToEnd(t *testing.T) {
	base := nodeURL(t)
	requireWebTable(t, base)
	p := newPage(t, 1280, 900)

	p.do("open the lobby", chromedp.Navigate(base+"/#/"))
	p.waitFor("the lobby shows", `document.body.dataset.ready === "true" && !document.getElementById("lobby").hidden && document.querySelector('[data-testid="wallet"]').dataset.micros !== undefined`, pageWait)
	p.do("remember the wallet", chromedp.Evaluate[chromedp.Void](`window.wallet0 = Number(document.querySelector('[data-testid="wallet"]').dataset.micros)`))
	// No treasury: the page says the CRAP are play money (issue 12).
	p.waitFor("the play-money notice shows", `!document.querySelector('[data-testid="money-notice"]').hidden && document.querySelector('[data-testid="money-notice"]').textContent.startsWith("Play money")`, pageWait)

	// A ten-minute bet window: the shooter rolls only when the test clicks,
	// so every round is one the test asked for.
	p.do("create a table with the form, sitting down with 50 CRAP",
		chromedp.SetValue(sel("create-min-players"), "1"),
		chromedp.SetValue(sel("create-max-players"), "4"),
		chromedp.SetValue(sel("create-bankroll"), "200"),
		chromedp.SetValue(sel("create-min-bet"), "1"),
		chromedp.SetValue(sel("create-max-bet"), "50"),
		chromedp.SetValue(sel("create-buy-in"), "50"),
		chromedp.SetValue(sel("create-bet-window"), "10m"),
		chromedp.Click(sel("create-submit")))
	p.waitFor("the new table opens", `location.hash.startsWith("#/table/") && !document.getElementById("table-view").hidden && document.getElementById("phase").textContent !== ""`, pageWait)
	tableID := eval[string](p, "read the table id", `document.getElementById("table-id").textContent`)
	t.Logf("table %s", tableID)

	// The host sits down with the create form's buy-in; a node that does
	// not seat the host on create shows the Join form instead.
	if eval[bool](p, "is the join form shown", `!document.getElementById("join-form").hidden`) {
		p.do("join with 50 CRAP", chromedp.SetValue(sel("buy-in"), "50"), chromedp.Click(sel("join-button")))
	}
	p.waitFor("seated with 50 CRAP of chips", `!document.getElementById("seated").hidden && document.querySelector('[data-testid="my-chips"]').dataset.micros === "50000000"`, roundWait)
	p.waitFor("the wallet drops by the 200 CRAP bank and the 50 CRAP buy-in", `document.querySelector('[data-testid="wallet"]').dataset.micros === String(wallet0 - 250000000)`, pageWait)

	p.do("click the pass line with a 5 CRAP chip", chromedp.SetValue(sel("bet-amount"), "5"), chromedp.Click(sel("bet-pass")))
	p.waitFor("the pass-line bet shows on the felt", `document.querySelector('[data-testid="chips-pass"] .chip-mine')?.dataset.micros === "5000000"`, roundWait)

	st := rollUntilPassDecided(t, p)
	t.Logf("pass line decided: round %s, dice %v, %q, chips %s micro-CRAP", st.Round, st.Dice, st.Result, st.Chips)
	if len(st.Dice) != 2 || st.Result == "" || st.Wallet == "" {
		t.Fatalf("after the roll the page shows dice %v, result %q, wallet %q", st.Dice, st.Result, st.Wallet)
	}

	p.waitFor("the event stream delivered a roll to the live feed", `document.querySelector('#feed li[data-type="roll"]') !== null`, pageWait)
	p.waitFor("the newest round is verified in the browser", `document.querySelector('#rounds [data-testid^="verified-"]')?.dataset.state === "verified"`, pageWait)
	p.screenshot("web-table.png")

	p.do("open the newest round's certificate", chromedp.Click(chromedp.CSS(`#rounds [data-testid^="certificate-"]`)))
	p.waitFor("the certificate dialog verifies", `document.getElementById("cert-dialog").open && document.getElementById("cert-status").dataset.state === "verified"`, pageWait)
	p.screenshot("web-table-certificate.png")
	p.do("close the certificate", chromedp.Click(chromedp.ID("cert-close")))

	p.do("resize to a phone", chromedp.EmulateViewport(390, 844))
	p.waitFor("the table fits a phone's width", `document.documentElement.scrollWidth <= window.innerWidth`, pageWait)
	p.screenshot("web-table-phone.png")
}

// rollUntilPassDecided clicks Roll until the pass-line bet leaves the felt,
// then waits for the chips to show its result: the 50 CRAP buy-in plus or
// minus the 5 CRAP bet (the ledger counts chips on the layout as yours, so
// nothing else moves them). It returns the page at that moment.
func rollUntilPassDecided(t *testing.T, p *page) pageState {
	t.Helper()
	for roll := 1; roll <= maxRolls; roll++ {
		p.waitFor("the Roll button is ready (the only seat is the shooter)", `(() => { const b = document.getElementById("roll-button"); return !b.hidden && !b.disabled; })()`, roundWait)
		before := eval[pageState](p, "read the table", readState)
		diceRound := eval[string](p, "read the dice round", `document.getElementById("dice").dataset.round ?? ""`)
		p.do(fmt.Sprintf("click Roll (roll %d)", roll), chromedp.Click(sel("roll-button")))
		p.waitFor(fmt.Sprintf("roll %d shows its dice and the next round", roll), fmt.Sprintf(
			`document.getElementById("dice").dataset.round !== %q && document.getElementById("round").textContent !== %q && `+
				`/^[1-6]$/.test(document.querySelector('[data-testid="die-1"]')?.dataset.value) && `+
				`/^[1-6]$/.test(document.querySelector('[data-testid="die-2"]')?.dataset.value) && !document.getElementById("roll-button").disabled`,
			diceRound, before.Round), roundWait)
		if st := eval[pageState](p, "read the table", readState); st.PassChips != "" {
			continue // a point was set: the bet stays on the line
		}
		p.waitFor("the chips show the pass line's result (45 or 55 CRAP)",
			`["45000000", "55000000"].includes(document.querySelector('[data-testid="my-chips"]').dataset.micros)`, roundWait)
		return eval[pageState](p, "read the table", readState)
	}
	t.Fatalf("the pass-line bet was not decided in %d rolls", maxRolls)
	return pageState{}
}
