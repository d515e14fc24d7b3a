package game

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"

	"github.com/bitcraps/bitcraps/internal/bft"
)

// TestShooterTranscripts replays testdata/shooter/*.txt: who holds the dice,
// round after round, as documentation (shooter.go). Players are capital
// letters. Commands:
//
//	new seats=A,B,C             a table; every seat has 100 CRAP
//	roll total=N [ask=A] [place6=A] [leave=B] [unseat=C by=A] [join=D by=A]
//	                            a certified roll round with those payloads
//	                            (place6: A bets 6 CRAP on place 6), its dice
//	                            totalling N
//	void withholders=B [ask=A]  a certified void round
//	ask by=B                    may B ask for the roll now?
//	to-bet [acted=A,B]          the seats the shooter waits for
//
// Every command that certifies a round prints the dice and where they are.
// Regenerate with: go test ./internal/game -run ShooterTranscripts -rewrite
func TestShooterTranscripts(t *testing.T) {
	datadriven.Walk(t, "testdata/shooter", func(t *testing.T, path string) {
		var h shooterHarness
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			return h.run(t, d)
		})
	})
}

type shooterHarness struct {
	app   *App
	h     bft.Hash
	round uint64
	names map[bft.PublicKey]string
}

func (h *shooterHarness) key(name string) bft.PublicKey {
	k, _ := testKey(name[0], 'S')
	h.names[k] = name
	return k
}

func (h *shooterHarness) name(k bft.PublicKey) string {
	if k == (bft.PublicKey{}) {
		return "-"
	}
	if n, ok := h.names[k]; ok {
		return n
	}
	return k.Short()
}

func (h *shooterHarness) run(t *testing.T, d *datadriven.TestData) string {
	arg := func(k string) string {
		var v string
		if d.HasArg(k) {
			d.ScanArgs(t, k, &v)
		}
		return v
	}
	switch d.Cmd {
	case "new":
		h.names = make(map[bft.PublicKey]string)
		g := Genesis{TableID: testTable, Rules: testGenesis(0, 0, 0).Rules, Bank: 10_000 * crap}
		for _, n := range strings.Split(arg("seats"), ",") {
			g.Seats = append(g.Seats, SeatChips{Player: h.key(n), Chips: 100 * crap})
		}
		h.app, h.h = newTestApp(t, g)
		h.round = 0
		return h.where()
	case "roll", "void":
		bets := newBets(h.round + 1)
		if a := arg("ask"); a != "" {
			bets.raw(h.key(a), EncodeRoll())
		}
		if p := arg("place6"); p != "" {
			bets.bet(t, h.key(p), "place", 6, 6*crap)
		}
		if l := arg("leave"); l != "" {
			bets.leave(h.key(l))
		}
		if u := arg("unseat"); u != "" {
			bets.raw(h.key(arg("by")), EncodeUnseat(h.key(u)))
		}
		if j := arg("join"); j != "" {
			bets.raw(h.key(arg("by")), EncodeJoin(h.key(j), 100*crap))
		}
		var next bft.Hash
		var err error
		what := "void"
		if d.Cmd == "roll" {
			var total int
			d.ScanArgs(t, "total", &total)
			next, err = h.app.Apply(h.h, bets.bets, seedFor(t, total))
			what = fmt.Sprintf("rolled %d", total)
		} else {
			var ws []bft.PublicKey
			for _, n := range strings.Split(arg("withholders"), ",") {
				ws = append(ws, h.key(n))
			}
			next, err = h.app.Void(h.h, bets.bets, ws)
		}
		if err != nil {
			return "refused: " + errorName(err)
		}
		h.h, h.round = next, h.round+1
		v, err := h.app.View(h.h)
		if err != nil {
			t.Fatal(err)
		}
		phase := "come-out"
		if v.Point != 0 {
			phase = fmt.Sprintf("point %d", v.Point)
		}
		return fmt.Sprintf("round %d %s, %s; %s", h.round, what, phase, h.where())
	case "ask":
		bets := newBets(h.round+1).raw(h.key(arg("by")), EncodeRoll())
		if err := h.app.ValidateBets(h.h, bets.bets); err != nil {
			return "refused: " + errorName(err)
		}
		return "ok"
	case "to-bet":
		acted := map[bft.PublicKey]bool{}
		if a := arg("acted"); a != "" {
			for _, n := range strings.Split(a, ",") {
				acted[h.key(n)] = true
			}
		}
		ks, err := h.app.ToBet(h.h, func(k bft.PublicKey) bool { return acted[k] })
		if err != nil {
			t.Fatal(err)
		}
		out := make([]string, len(ks))
		for i, k := range ks {
			out[i] = h.name(k)
		}
		return "waiting for [" + strings.Join(out, ",") + "]"
	default:
		t.Fatalf("%s: unknown command %q", d.Pos, d.Cmd)
	}
	return ""
}

// where says who shoots and who is next, and checks that the view agrees.
func (h *shooterHarness) where() string {
	s, n, err := h.app.Shooter(h.h)
	if err != nil {
		return err.Error()
	}
	v, err := h.app.View(h.h)
	want, wantNext := "", ""
	if s != (bft.PublicKey{}) {
		want, wantNext = s.String(), n.String()
	}
	if err != nil || v.Shooter != want || v.NextShooter != wantNext {
		return fmt.Sprintf("view disagrees: %+v, err %v", v, err)
	}
	return fmt.Sprintf("shooter %s, next %s", h.name(s), h.name(n))
}

// errorName is the sentinel an error wraps, for a stable transcript.
func errorName(err error) string {
	for _, s := range []error{ErrNotShooter, ErrLeaving, ErrNotSeated, ErrWrongRound} {
		if errors.Is(err, s) {
			return s.Error()
		}
	}
	return err.Error()
}
