package game

import (
	"encoding/json"
	"fmt"

	"github.com/bitcraps/bitcraps/internal/bft"
)

// ExportVersion is the export format's version (see doc.go).
const ExportVersion = 1

// Export is the audit file of one table: its genesis and every certified
// round, in order. Info is free-form table information (host, announced
// settings); Verify does not check it.
type Export struct {
	Version      int               `json:"version"`
	Info         json.RawMessage   `json:"info,omitempty"`
	Genesis      Genesis           `json:"genesis"`
	Certificates []bft.Certificate `json:"certificates"`
	// Unseatings are the silent players unseated by the others' votes, in
	// round order; each applies before the certificate of its round.
	Unseatings []Unseating `json:"unseatings,omitempty"`
	// Dissolution, when the table was dissolved, is what it paid out at its
	// last certificate; Verify re-derives it from the replayed state.
	Dissolution *Dissolution `json:"dissolution,omitempty"`
}

// DecodeExport reads an export's JSON.
func DecodeExport(data []byte) (Export, error) {
	var e Export
	if err := json.Unmarshal(data, &e); err != nil {
		return Export{}, fmt.Errorf("decode export: %w: %w", ErrBadExport, err)
	}
	if e.Version != ExportVersion {
		return Export{}, fmt.Errorf("export version %d, want %d: %w", e.Version, ExportVersion, ErrBadExport)
	}
	return e, nil
}

// Report is Verify's verdict.
type Report struct {
	OK bool `json:"ok"`
	// Rounds is the number of rounds that checked out.
	Rounds int `json:"rounds"`
	// StateHash is the state the replay reached after the last good round
	// (the genesis hash if none).
	StateHash bft.Hash `json:"state_hash"`
	// FirstBad names the first round that does not check out.
	FirstBad *BadRound    `json:"first_bad,omitempty"`
	Checks   []RoundCheck `json:"rounds_checked"`
	// Dissolved: the export's dissolution is the one the rule gives at its
	// last certified round.
	Dissolved bool `json:"dissolved,omitempty"`
}

// verifyDissolution says why d is not the dissolution the chain's state
// gives ("" if it is): it must be at the last certified round, paying what
// the rule pays.
func verifyDissolution(chain *Chain, d *Dissolution) string {
	last := chain.Next() - 1
	if d.Round != last {
		return fmt.Sprintf("dissolution at round %d, but the export's last certified round is %d", d.Round, last)
	}
	want, err := chain.Dissolution()
	if err != nil {
		return fmt.Sprintf("dissolution at round %d: %v", d.Round, err)
	}
	got, _ := json.Marshal(d)
	exp, _ := json.Marshal(want)
	if string(got) != string(exp) {
		return fmt.Sprintf("dissolution at round %d pays %s; the rule pays %s", d.Round, got, exp)
	}
	return ""
}

// BadRound is a round that failed verification and why.
type BadRound struct {
	Round  uint64 `json:"round"`
	Reason string `json:"reason"`
}

// RoundCheck summarises one round that checked out.
type RoundCheck struct {
	Round     uint64   `json:"round"`
	View      uint64   `json:"view"`
	Void      bool     `json:"void"`
	Dice      [2]int   `json:"dice"`
	Seats     int      `json:"seats"`
	Confirms  int      `json:"confirms"`
	Bets      int      `json:"bets"`
	StateHash bft.Hash `json:"state_hash"`
	Leavers   []Leaver `json:"leavers,omitempty"`
}

// Verify re-checks an export from its genesis (see doc.go, "Export
// format"): a Chain takes each certificate in order, after the unseatings
// of its round. It never trusts a certified state hash it could not
// re-derive.
func Verify(e Export) Report {
	rep := Report{}
	bad := func(round uint64, format string, args ...any) Report {
		rep.FirstBad = &BadRound{Round: round, Reason: fmt.Sprintf(format, args...)}
		return rep
	}
	if e.Version != ExportVersion {
		return bad(0, "export version %d, want %d", e.Version, ExportVersion)
	}
	chain, err := NewChain(e.Genesis)
	if err != nil {
		return bad(0, "genesis: %v", err)
	}
	rep.StateHash = chain.StateHash()
	unseatings := e.Unseatings
	unseat := func() error {
		for len(unseatings) > 0 && unseatings[0].Round <= chain.Next() {
			if err := chain.Unseat(&unseatings[0]); err != nil {
				return err
			}
			unseatings = unseatings[1:]
		}
		return nil
	}
	for i := range e.Certificates {
		c := &e.Certificates[i]
		want := chain.Next()
		if err := unseat(); err != nil {
			return bad(want, "%v", err)
		}
		seats := len(chain.Seats())
		s, err := chain.Certify(c)
		if err != nil {
			return bad(want, "%v", err)
		}
		rep.Rounds++
		rep.StateHash = s.StateHash
		rep.Checks = append(rep.Checks, RoundCheck{Round: c.Round, View: c.View, Void: c.Void(), Dice: s.Dice, Seats: seats,
			Confirms: len(c.Confirms), Bets: len(c.Body.Bets), StateHash: s.StateHash, Leavers: s.Leavers})
	}
	if err := unseat(); err != nil {
		return bad(chain.Next(), "%v", err)
	}
	if len(unseatings) > 0 {
		return bad(unseatings[0].Round, "unseating at round %d, but the export ends before round %d", unseatings[0].Round, chain.Next())
	}
	if chain.Ended() && e.Dissolution == nil {
		return bad(chain.Next()-1, "round %d dissolved the table, but the export carries no dissolution", chain.Next()-1)
	}
	if d := e.Dissolution; d != nil {
		if reason := verifyDissolution(chain, d); reason != "" {
			return bad(d.Round, "%s", reason)
		}
		rep.Dissolved = true
	}
	rep.OK = true
	return rep
}
