package browser

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/bitcraps/bitcraps/internal/bft"
	"github.com/bitcraps/bitcraps/internal/craps"
	"github.com/bitcraps/bitcraps/internal/web"
	"github.com/chromedp/chromedp"
)

// verifierPage opens the web table served by web.Handler alone (no node:
// its API calls fail, which these tests do not need) and waits for the
// certificate checks to load.
func verifierPage(t *testing.T) *page {
	t.Helper()
	srv := httptest.NewServer(web.Handler())
	t.Cleanup(srv.Close)
	p := newPage(t, 1000, 800)
	p.do("open the web table", chromedp.Navigate(srv.URL+"/"))
	p.waitFor("the page's certificate checks load", `typeof window.bitcraps?.verifyRound === "function"`, 30*time.Second)
	return p
}

func seededRand(t *testing.T) *rand.Rand {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d (to replay, fix it in seededRand)", seed)
	return rand.New(rand.NewPCG(seed, 0x62697463))
}

type verdict struct {
	Status string `json:"status"`
	Checks []struct {
		Name   string `json:"name"`
		OK     *bool  `json:"ok"`
		Detail string `json:"detail"`
	} `json:"checks"`
}

func (v verdict) failed(name string) bool {
	for _, c := range v.Checks {
		if c.Name == name && c.OK != nil && !*c.OK {
			return true
		}
	}
	return false
}

func verifyInPage(t *testing.T, p *page, table string, row roundRow) verdict {
	t.Helper()
	rowJSON, err := json.Marshal(row)
	if err != nil {
		t.Fatal(err)
	}
	tableJSON, _ := json.Marshal(table)
	return eval[verdict](p, "verifyRound", fmt.Sprintf("window.bitcraps.verifyRound(%s, %s)", tableJSON, rowJSON))
}

// The page's verdict on real certificates and on tampered ones agrees with
// bft.VerifyCertificate, and its dice are the export's dice.
func TestCertificateChecksInBrowser(t *testing.T) {
	rng := seededRand(t)
	p := verifierPage(t)
	const table = "t-browser"
	one, four := players(rng, 1), players(rng, 4)

	solo := buildRound(rng, certSpec{table: table, round: 1, seats: one, betsBy: []int{0}, confirms: 1})
	full := buildRound(rng, certSpec{table: table, round: 7, seats: four, betsBy: []int{0, 2, 3}, confirms: 3})
	void := buildRound(rng, certSpec{table: table, round: 8, seats: four, confirms: 3, withhold: []int{3}})

	otherDice := full.clone()
	otherDice.Dice = []int{otherDice.Dice[0]%6 + 1, otherDice.Dice[1]}
	badSecret := full.clone()
	badSecret.Certificate.Reveals[1].Secret[0] ^= 1
	badSig := full.clone()
	badSig.Certificate.Confirms[2].Sig[5] ^= 1
	noQuorum := full.clone()
	noQuorum.Certificate.Confirms = noQuorum.Certificate.Confirms[:2]
	betSwapped := full.clone()
	betSwapped.Certificate.Body.Bets[0].Payload[2] ^= 1
	otherState := full.clone()
	otherState.StateHash = hex.EncodeToString(make([]byte, 32))

	cases := []struct {
		name    string
		row     roundRow
		goValid bool   // what bft.VerifyCertificate says of the certificate
		status  string // what the page says of the row
		failed  string // the check the page must report as failed
	}{
		{"one seat", solo, true, "verified", ""},
		{"four seats, three confirms", full, true, "verified", ""},
		{"void round", void, true, "verified", ""},
		{"dice not from the seed", otherDice, true, "failed", "dice come from the seed"},
		{"secret does not open its commitment", badSecret, false, "failed", "reveals open the commitments"},
		{"confirm signature forged", badSig, false, "failed", "signatures (Ed25519)"},
		{"two confirms of four seats", noQuorum, false, "failed", "quorum of confirms"},
		{"bet changed after the confirms", betSwapped, false, "failed", "quorum of confirms"},
		{"export state hash differs", otherState, true, "failed", "state hash is the certified one"},
	}
	for _, c := range cases {
		seats := c.row.Certificate.Body.Seats
		if err := bft.VerifyCertificate(seats, c.row.Certificate); (err == nil) != c.goValid {
			t.Fatalf("%s: bft.VerifyCertificate = %v, want valid=%v (the test's certificate builder is wrong)", c.name, err, c.goValid)
		}
		v := verifyInPage(t, p, table, c.row)
		if v.Status != c.status || (c.failed != "" && !v.failed(c.failed)) {
			t.Errorf("%s: page says %+v, want status %q with %q failed", c.name, v, c.status, c.failed)
		}
	}
	if v := verifyInPage(t, p, "another-table", full); v.Status != "failed" || !v.failed("form") {
		t.Errorf("certificate of %q shown for another table: page says %+v, want the form check failed", table, v)
	}
}

// The page's dice derivation is the rules engine's, including seeds whose
// first bytes are rejected (>= 252) by the unbiased sampling.
func TestDiceDerivationMatchesEngine(t *testing.T) {
	rng := seededRand(t)
	p := verifierPage(t)
	const plain, withRejection = 200, 40
	var seeds []string
	var want [][2]int
	nPlain, nRejected := 0, 0
	for tries := 0; nPlain < plain || nRejected < withRejection; tries++ {
		if tries > 100_000 {
			t.Fatalf("found only %d seeds with a rejected byte in %d tries", nRejected, tries)
		}
		var seed [32]byte
		fill(rng, seed[:])
		b := blockZero(seed)
		rejects := b[0] >= 252 || b[1] >= 252
		switch {
		case rejects && nRejected < withRejection:
			nRejected++
		case !rejects && nPlain < plain:
			nPlain++
		default:
			continue
		}
		r := craps.DiceFromSeed(seed)
		seeds = append(seeds, hex.EncodeToString(seed[:]))
		want = append(want, [2]int{int(r.D1), int(r.D2)})
	}
	seedsJSON, _ := json.Marshal(seeds)
	got := eval[[][2]int](p, "diceFromSeed", fmt.Sprintf("Promise.all(%s.map((s) => window.bitcraps.diceFromSeed(s)))", seedsJSON))
	if len(got) != len(want) {
		t.Fatalf("page returned %d rolls for %d seeds", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("seed %s: page rolls %v, engine rolls %v", seeds[i], got[i], want[i])
		}
	}
}

// blockZero is the first dice block of a seed (internal/craps/dice.go), used
// only to pick seeds that exercise rejection.
func blockZero(seed [32]byte) [32]byte {
	msg := append([]byte("bitcraps/dice/v1"), seed[:]...)
	return sha256.Sum256(binary.BigEndian.AppendUint64(msg, 0))
}
