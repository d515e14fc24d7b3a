package game

import (
	"crypto/ed25519"
	"encoding/binary"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bitcraps/bitcraps/internal/bft"
)

// scenarioExport plays a fixed table: 4 players on a clean network, one of
// whom withholds from round 3 (so round 3 is void and it is unseated), with
// bets flowing; it returns the export of the first 8 rounds and the keys.
func scenarioExport(t *testing.T) (Export, map[bft.PublicKey]ed25519.PrivateKey) {
	t.Helper()
	s := newSim(t, 4242, simOptions{n: 4, byz: map[int]byzKind{3: byzWithhold}, withholdAt: 3,
		goalRounds: 8, maxTicks: 3000, betP: 0.4, leaveOdds: 1 << 30})
	s.run()
	if s.failed {
		t.FailNow()
	}
	e := s.export()
	if len(e.Certificates) < 8 || !e.Certificates[2].Void() {
		t.Fatalf("scenario: %d rounds, round 3 void=%v; want ≥ 8 and a void round 3", len(e.Certificates), len(e.Certificates) > 2 && e.Certificates[2].Void())
	}
	e.Certificates = e.Certificates[:8]
	keys := make(map[bft.PublicKey]ed25519.PrivateKey)
	for _, p := range s.players {
		keys[p.key] = p.priv
	}
	return e, keys
}

// clone deep-copies an export through its JSON, as a tamperer would edit it.
func clone(t *testing.T, e Export) Export {
	t.Helper()
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	out, err := DecodeExport(b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestVerifyHonestExport(t *testing.T) {
	e, _ := scenarioExport(t)
	rep := Verify(clone(t, e))
	if !rep.OK || rep.Rounds != 8 || rep.FirstBad != nil || rep.StateHash != e.Certificates[7].StateHash {
		t.Fatalf("report %+v", rep)
	}
	for i, c := range rep.Checks {
		wantSeats := 4
		if i >= 3 {
			wantSeats = 3 // the withholder is gone after the void round 3
		}
		if c.Round != uint64(i+1) || c.Seats != wantSeats || c.Void != (i == 2) {
			t.Errorf("check %d: %+v", i, c)
		}
		if !c.Void && (c.Dice[0] < 1 || c.Dice[1] > 6) {
			t.Errorf("round %d: dice %v", c.Round, c.Dice)
		}
	}
	if l := rep.Checks[2].Leavers; len(l) != 1 || l[0].Reason != Withheld {
		t.Errorf("void round leavers %+v", l)
	}
}

// Every way of tampering with an export is caught, naming the round.
func TestVerifyNamesTheTamperedRound(t *testing.T) {
	e, keys := scenarioExport(t)
	const k = 5 // the round we tamper with (index k-1)
	cases := []struct {
		name   string
		tamper func(e *Export)
		round  uint64
		says   string
	}{
		{"flipped reveal", func(e *Export) { e.Certificates[k-1].Reveals[0].Secret[0] ^= 1 }, k, "reveal"},
		{"flipped seed", func(e *Export) { e.Certificates[k-1].Seed[0] ^= 1 }, k, "seed"},
		{"removed round", func(e *Export) {
			e.Certificates = append(e.Certificates[:k-1], e.Certificates[k:]...)
		}, k, "missing"},
		{"swapped rounds", func(e *Export) {
			e.Certificates[k-1], e.Certificates[k] = e.Certificates[k], e.Certificates[k-1]
		}, k, "round"},
		{"changed state hash", func(e *Export) { e.Certificates[k-1].StateHash[0] ^= 1 }, k, "another outcome"},
		{"changed previous state", func(e *Export) { e.Certificates[k-1].Body.Prev[0] ^= 1 }, k, "previous state hash"},
		{"changed bet", func(e *Export) { betOf(t, e, k).Payload[len(betOf(t, e, k).Payload)-1] ^= 1 }, k, "signature"},
		{"dropped confirms", func(e *Export) { e.Certificates[k-1].Confirms = e.Certificates[k-1].Confirms[:1] }, k, "quorum"},
		{"another table", func(e *Export) { e.Certificates[k-1].TableID = "elsewhere" }, k, "table"},
		{"changed genesis chips", func(e *Export) { e.Genesis.Seats[0].Chips++ }, 1, "previous state hash"},
		{"the withholder kept its seat", func(e *Export) { e.Certificates[3].Body.Seats = e.Certificates[2].Body.Seats }, 4, "seats"},
		{"a quorum signs a wrong state", func(e *Export) { resignWrongState(t, e, k, keys) }, k, "replay gives"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bad := clone(t, e)
			c.tamper(&bad)
			rep := Verify(clone(t, bad))
			if rep.OK || rep.FirstBad == nil {
				t.Fatalf("tampered export verified: %+v", rep)
			}
			if rep.FirstBad.Round != c.round || !strings.Contains(rep.FirstBad.Reason, c.says) {
				t.Fatalf("first bad %+v, want round %d saying %q", rep.FirstBad, c.round, c.says)
			}
			if rep.Rounds != int(c.round)-1 || (c.round > 1 && rep.StateHash != e.Certificates[c.round-2].StateHash) {
				t.Errorf("report before the bad round: %d rounds, state %s", rep.Rounds, rep.StateHash)
			}
		})
	}
	if rep := Verify(Export{Version: 2, Genesis: e.Genesis}); rep.OK || rep.FirstBad.Round != 0 {
		t.Errorf("version 2 export: %+v", rep)
	}
	if _, err := DecodeExport([]byte(`{"version":2}`)); err == nil {
		t.Errorf("DecodeExport accepted version 2")
	}
	if _, err := DecodeExport([]byte(`{"version":1,"certificates":[{"seed":"zz"}]}`)); err == nil {
		t.Errorf("DecodeExport accepted a bad hash")
	}
}

// betOf is the first bet of round k (the scenario bets in every round).
func betOf(t *testing.T, e *Export, k int) *bft.Bet {
	t.Helper()
	bets := e.Certificates[k-1].Body.Bets
	if len(bets) == 0 {
		t.Fatalf("round %d has no bets", k)
	}
	return &bets[0]
}

// resignWrongState makes every seated player sign a confirm of round k with
// a wrong state hash: a certificate that bft.VerifyCertificate accepts (more
// than f players lied), which only the replay can catch. The confirm's
// signed bytes follow internal/bft/signing.go's documented layout.
func resignWrongState(t *testing.T, e *Export, k int, keys map[bft.PublicKey]ed25519.PrivateKey) {
	t.Helper()
	c := &e.Certificates[k-1]
	c.StateHash[0] ^= 1
	body := c.BodyHash()
	c.Confirms = c.Confirms[:0]
	for _, p := range c.Body.Seats {
		v := bft.Vote{Kind: bft.VoteConfirm, Voter: p, Round: c.Round, View: c.View, Body: body, State: c.StateHash}
		v.Sig = ed25519.Sign(keys[p], confirmSignedBytes(c.TableID, &v))
		c.Confirms = append(c.Confirms, v)
	}
	if err := bft.VerifyCertificate(c.Body.Seats, c); err != nil {
		t.Fatalf("re-signed certificate does not verify (has bft's signed-bytes layout changed?): %v", err)
	}
}

func confirmSignedBytes(table string, v *bft.Vote) []byte {
	str := func(b []byte, s string) []byte {
		return append(binary.BigEndian.AppendUint32(b, uint32(len(s))), s...)
	}
	b := str(nil, "bitcraps/bft/v1")
	b = append(b, 6) // confirm
	b = str(b, table)
	b = binary.BigEndian.AppendUint64(b, v.Round)
	b = binary.BigEndian.AppendUint64(b, v.View)
	b = append(b, v.Voter[:]...)
	b = append(b, v.Body[:]...)
	return append(b, v.State[:]...)
}

var update = flag.Bool("update", false, "rewrite testdata/export.json from the scenario")

// An export written by this version keeps verifying: testdata/export.json
// (the scenario's 8 rounds, one void) is a file `bitcraps verify` must
// accept forever, or old games could no longer be audited. Rewrite it with
// go test -run TestExportFileStillVerifies -update ./internal/game/ only
// for a deliberate format change (and bump ExportVersion then).
func TestExportFileStillVerifies(t *testing.T) {
	path := filepath.Join("testdata", "export.json")
	if *update {
		e, _ := scenarioExport(t)
		e.Info = json.RawMessage(`{"note":"internal/game scenario: 4 players, player 4 withholds from round 3"}`)
		b, err := json.MarshalIndent(e, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	e, err := DecodeExport(b)
	if err != nil {
		t.Fatal(err)
	}
	if rep := Verify(e); !rep.OK || rep.Rounds != 8 {
		t.Fatalf("%s: %+v", path, rep.FirstBad)
	}
}

// A dissolved table's export carries what it paid out; Verify re-derives
// it from the replayed state and names a changed payout.
func TestVerifyChecksTheDissolution(t *testing.T) {
	e, _ := scenarioExport(t)
	chain, err := NewChain(e.Genesis)
	if err != nil {
		t.Fatal(err)
	}
	for i := range e.Certificates {
		if _, err := chain.Certify(&e.Certificates[i]); err != nil {
			t.Fatal(err)
		}
	}
	d, err := chain.Dissolution()
	if err != nil {
		t.Fatal(err)
	}
	e.Dissolution = &d
	if rep := Verify(clone(t, e)); !rep.OK || !rep.Dissolved {
		t.Fatalf("honest dissolution: %+v", rep.FirstBad)
	}
	richer := clone(t, e)
	richer.Dissolution.Payouts[0].Amount++
	richer.Dissolution.BankPayout--
	if rep := Verify(richer); rep.OK || rep.FirstBad == nil || rep.FirstBad.Round != 8 || !strings.Contains(rep.FirstBad.Reason, "the rule pays") {
		t.Fatalf("a payout raised by one micro-CRAP: %+v", rep.FirstBad)
	}
	early := clone(t, e)
	early.Certificates = early.Certificates[:7]
	if rep := Verify(early); rep.OK || rep.FirstBad == nil || !strings.Contains(rep.FirstBad.Reason, "last certified round is 7") {
		t.Fatalf("a dissolution past the last certificate: %+v", rep.FirstBad)
	}
}
