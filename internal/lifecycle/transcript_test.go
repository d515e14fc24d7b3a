package lifecycle

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"

	"github.com/bitcraps/bitcraps/internal/bft"
)

// TestTranscripts replays testdata/*.txt: the lifecycle as documentation.
// Players are single letters. Commands:
//
//	new self=A seats=A,B,C,D [host=B] [min=N] [absent=N] [grace=N] [heartbeat=N] [ask=N] [round=N] [dissolved=R]
//	tick [n=N] [hear=B,C]         tick N times (default 1); B and C are heard
//	                              before every tick (live players resending)
//	heard from=B [round=R]        a message from B naming round R
//	heard-dissolved from=B round=R  B's presence: it dissolved the table at R
//	certified round=R seats=A,B   round R certified; the next round's seats
//	certified-end round=R         round R certified and dissolved the table
//	nothing-newer from=B          B had no rounds past ours
//	spoke                         this node sent consensus messages
//	may-unseat who=D              this node's judgement of unseating D
//	may-void who=D locked=N       of voiding D's missing reveal, the lock known N ticks
//	may-dissolve                  of a proposal that dissolves the table
//	status
//
// After each command every Ready is printed as "t=<tick> <what>" and
// advanced. Regenerate with: go test ./internal/lifecycle -run Transcripts -rewrite
func TestTranscripts(t *testing.T) {
	datadriven.Walk(t, "testdata", func(t *testing.T, path string) {
		var h harness
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			return h.run(t, d)
		})
	})
}

type harness struct {
	tbl *Table
	out strings.Builder
}

func key(name string) bft.PublicKey {
	var k bft.PublicKey
	copy(k[:], name)
	return k
}

func name(k bft.PublicKey) string { return strings.TrimRight(string(k[:]), "\x00") }

func names(ks []bft.PublicKey) string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = name(k)
	}
	return strings.Join(out, ",")
}

func keys(list string) []bft.PublicKey {
	var out []bft.PublicKey
	if list == "" {
		return nil
	}
	for _, n := range strings.Split(list, ",") {
		out = append(out, key(n))
	}
	return out
}

func (h *harness) run(t *testing.T, d *datadriven.TestData) string {
	h.out.Reset()
	arg := func(k string) (string, bool) {
		if !d.HasArg(k) {
			return "", false
		}
		var v string
		d.ScanArgs(t, k, &v)
		return v, true
	}
	num := func(k string, def uint64) uint64 {
		if !d.HasArg(k) {
			return def
		}
		var v uint64
		d.ScanArgs(t, k, &v)
		return v
	}
	switch d.Cmd {
	case "new":
		self, _ := arg("self")
		seats, _ := arg("seats")
		cfg := Config{Self: key(self), MinPlayers: int(num("min", 1)), AbsentTicks: num("absent", 3),
			GraceTicks: num("grace", 10), HeartbeatTicks: num("heartbeat", 2), AskEveryTicks: num("ask", 2)}
		if host, ok := arg("host"); ok {
			cfg.Host = key(host)
		}
		st := State{Round: num("round", 1), Seats: keys(seats)}
		if d.HasArg("dissolved") {
			st.Dissolved = &Dissolve{Round: num("dissolved", 0)}
		}
		tbl, err := New(cfg, st)
		if err != nil {
			return err.Error()
		}
		h.tbl = tbl
		h.status()
		h.drain()
	case "tick":
		hear, _ := arg("hear")
		for range num("n", 1) {
			for _, k := range keys(hear) {
				h.tbl.Heard(k, 0)
			}
			h.tbl.Tick()
			h.drain()
		}
	case "heard":
		from, _ := arg("from")
		h.tbl.Heard(key(from), num("round", 0))
		h.drain()
	case "heard-dissolved":
		from, _ := arg("from")
		h.tbl.HeardDissolved(key(from), num("round", 0))
		h.drain()
	case "certified":
		seats, _ := arg("seats")
		h.tbl.Certified(num("round", 0), keys(seats))
		h.drain()
	case "certified-end":
		h.tbl.CertifiedEnd(num("round", 0))
		h.drain()
	case "nothing-newer":
		from, _ := arg("from")
		h.tbl.NothingNewer(key(from))
		h.drain()
	case "spoke":
		h.tbl.Spoke()
	case "may-void":
		who, _ := arg("who")
		fmt.Fprintf(&h.out, "%v\n", h.tbl.MayVoid(key(who), num("locked", 0)))
	case "may-dissolve":
		fmt.Fprintf(&h.out, "%v\n", h.tbl.MayDissolve())
	case "may-unseat":
		who, _ := arg("who")
		fmt.Fprintf(&h.out, "%v\n", h.tbl.MayUnseat(key(who)))
	case "status":
		h.status()
	default:
		t.Fatalf("%s: unknown command %q", d.Pos, d.Cmd)
	}
	if h.out.Len() == 0 {
		return "ok"
	}
	return h.out.String()
}

func (h *harness) drain() {
	for h.tbl.HasReady() {
		rd := h.tbl.Ready()
		at := fmt.Sprintf("t=%d", h.tbl.now)
		if rd.Mode != 0 {
			st := h.tbl.Status()
			line := at + " mode " + rd.Mode.String()
			if st.Reason != "" {
				line += ": " + st.Reason
			}
			fmt.Fprintln(&h.out, line)
		}
		if rd.Dissolve != nil {
			fmt.Fprintf(&h.out, "%s dissolve at round %d (persist first)\n", at, rd.Dissolve.Round)
		}
		if rd.Heartbeat && h.tbl.dissolved != nil {
			fmt.Fprintf(&h.out, "%s heartbeat: dissolved at round %d\n", at, h.tbl.dissolved.Round)
		} else if rd.Heartbeat {
			fmt.Fprintf(&h.out, "%s heartbeat round %d\n", at, h.tbl.round)
		}
		if a := rd.AskRounds; a != nil {
			fmt.Fprintf(&h.out, "%s ask %s for rounds from %d\n", at, name(a.To), a.From)
		}
		if len(rd.Unseat) > 0 {
			fmt.Fprintf(&h.out, "%s unseat %s\n", at, names(rd.Unseat))
		}
		if rd.SubmitDissolve {
			fmt.Fprintf(&h.out, "%s submit the dissolve payload in round %d\n", at, h.tbl.round)
		}
		h.tbl.Advance(rd)
	}
}

func (h *harness) status() {
	st := h.tbl.Status()
	fmt.Fprintf(&h.out, "%s round=%d", st.Mode, st.Round)
	if st.Reason != "" {
		fmt.Fprintf(&h.out, " reason=%q", st.Reason)
	}
	if len(st.Absent) > 0 {
		fmt.Fprintf(&h.out, " absent=%s", names(st.Absent))
	}
	if st.Behind > 0 {
		fmt.Fprintf(&h.out, " behind=%d", st.Behind)
	}
	if st.Mode == Paused || st.Mode == Dissolving {
		fmt.Fprintf(&h.out, " paused_ticks=%d", st.PausedTicks)
	}
	if st.Mode == Dissolved {
		fmt.Fprintf(&h.out, " dissolved_at=%d", st.DissolvedAt)
	}
	h.out.WriteString("\n")
}
