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
// format"). It never trusts a certified state hash it could not re-derive.
func Verify(e Export) Report {
	rep := Report{}
	bad := func(round uint64, format string, args ...any) Report {
		rep.FirstBad = &BadRound{Round: round, Reason: fmt.Sprintf(format, args...)}
		return rep
	}
	if e.Version != ExportVersion {
		return bad(0, "export version %d, want %d", e.Version, ExportVersion)
	}
	app, err := NewApp(e.Genesis)
	if err != nil {
		return bad(0, "genesis: %v", err)
	}
	prev := app.GenesisHash()
	rep.StateHash = prev
	seats := e.Genesis.Players()
	for i := range e.Certificates {
		c := &e.Certificates[i]
		want := uint64(i) + 1
		check, next, err := verifyRound(app, seats, prev, want, c)
		if err != nil {
			return bad(want, "%v", err)
		}
		rep.Rounds++
		rep.StateHash = next
		rep.Checks = append(rep.Checks, check)
		prev = next
		if seats, err = app.Seats(next); err != nil {
			return bad(want, "seats after the round: %v", err)
		}
	}
	rep.OK = true
	return rep
}

// verifyRound checks certificate c as round want, built on prev, for seats.
func verifyRound(app *App, seats []bft.PublicKey, prev bft.Hash, want uint64, c *bft.Certificate) (RoundCheck, bft.Hash, error) {
	switch {
	case c.TableID != app.table:
		return RoundCheck{}, bft.Hash{}, fmt.Errorf("certificate of table %q in the export of table %q", c.TableID, app.table)
	case c.Round != want:
		return RoundCheck{}, bft.Hash{}, fmt.Errorf("certificate of round %d where round %d should be (a round is missing or out of order)", c.Round, want)
	case c.Body.Prev != prev:
		return RoundCheck{}, bft.Hash{}, fmt.Errorf("previous state hash %s, but the replay of the rounds before is at %s", c.Body.Prev, prev)
	}
	if err := bft.VerifyCertificate(seats, c); err != nil {
		return RoundCheck{}, bft.Hash{}, err
	}
	s, err := app.Replay(c)
	if err != nil {
		return RoundCheck{}, bft.Hash{}, err
	}
	return RoundCheck{Round: c.Round, View: c.View, Void: c.Void(), Dice: s.Dice, Seats: len(seats),
		Confirms: len(c.Confirms), Bets: len(c.Body.Bets), StateHash: s.StateHash, Leavers: s.Leavers}, s.StateHash, nil
}
