package consensus

import (
	"errors"
	"log/slog"
	"math/rand/v2"
	"testing"

	"github.com/bitcraps/bitcraps/internal/bft"
	"github.com/bitcraps/bitcraps/internal/craps"
	"github.com/bitcraps/bitcraps/internal/game"
	"github.com/bitcraps/bitcraps/internal/identity"
	"github.com/bitcraps/bitcraps/internal/ledger"
)

// soloRounds plays rounds of a one-seat table through the bft core and
// returns every Ready's records and the certificates.
func soloRounds(t *testing.T, rounds int) (*identity.Identity, [][]bft.Record, []bft.Certificate) {
	t.Helper()
	id, err := identity.Generate(rand.NewChaCha8([32]byte{42}), 4)
	if err != nil {
		t.Fatal(err)
	}
	me, _ := bft.PublicKeyFrom(id.PublicKey)
	g := game.Genesis{TableID: "t1", Rules: craps.DefaultRules(), Seats: []game.SeatChips{{Player: me, Chips: 100 * craps.MicrosPerCRAP}},
		Bank: 1000 * craps.MicrosPerCRAP}
	app, err := game.NewApp(g)
	if err != nil {
		t.Fatal(err)
	}
	node, err := bft.NewNode(bft.Config{TableID: "t1", Self: me, Signer: id, Players: []bft.PublicKey{me}, App: app,
		Entropy: rand.NewChaCha8([32]byte{7}), GenesisStateHash: app.GenesisHash()})
	if err != nil {
		t.Fatal(err)
	}
	var readies [][]bft.Record
	var certs []bft.Certificate
	for len(certs) < rounds {
		if err := node.Propose(); err != nil {
			t.Fatal(err)
		}
		rd := node.Ready()
		readies = append(readies, rd.Persist)
		certs = append(certs, rd.Certified...)
		node.Advance(rd)
	}
	return id, readies, certs
}

func openTestStore(t *testing.T) (*Store, string) {
	t.Helper()
	dir := t.TempDir()
	s, err := OpenStore(dir, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s, dir
}

func TestStoreKeepsCertificatesAndDropsSettledRecords(t *testing.T) {
	_, readies, certs := soloRounds(t, 3)
	s, dir := openTestStore(t)
	for _, recs := range readies {
		if err := s.Persist("t1", recs); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Certificates("t1", 1, 0)
	if err != nil || len(got) != len(certs) {
		t.Fatalf("certificates: %d (err %v), want %d", len(got), err, len(certs))
	}
	for i := range got {
		if got[i].Round != certs[i].Round || got[i].StateHash != certs[i].StateHash {
			t.Fatalf("certificate %d: round %d hash %s, want round %d hash %s", i, got[i].Round, got[i].StateHash, certs[i].Round, certs[i].StateHash)
		}
	}
	if from2, _ := s.Certificates("t1", 2, 0); len(from2) != len(certs)-1 {
		t.Fatalf("certificates from round 2: %d", len(from2))
	}
	if two, _ := s.Certificates("t1", 2, 2); len(two) != 2 || two[0].Round != 2 || two[1].Round != 3 {
		t.Fatalf("two certificates from round 2: %d", len(two))
	}
	recs, err := s.Records("t1")
	if err != nil {
		t.Fatal(err)
	}
	last := certs[len(certs)-1].Round
	sawCert := false
	for _, r := range recs {
		switch {
		case r.Kind == bft.RecordCertificate:
			sawCert = r.Round == last
		case r.Round <= last:
			t.Fatalf("record of kind %d for settled round %d kept (last certified %d)", r.Kind, r.Round, last)
		}
	}
	if !sawCert {
		t.Fatalf("Records lacks the latest certificate: %+v", recs)
	}
	if other, _ := s.Records("t2"); len(other) != 0 {
		t.Fatalf("another table's records: %d", len(other))
	}
	// Reopened, the store has the same.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2, err := OpenStore(dir, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if again, _ := s2.Certificates("t1", 1, 0); len(again) != len(certs) {
		t.Fatalf("after reopen: %d certificates", len(again))
	}
}

func TestStoreSpecsMetasAndClose(t *testing.T) {
	s, _ := openTestStore(t)
	if _, found, err := s.Spec("t1"); found || err != nil {
		t.Fatalf("missing spec: found %v err %v", found, err)
	}
	for _, put := range []func(string, []byte) error{s.PutSpec, s.PutMeta} {
		if err := put("t1", []byte("one")); err != nil {
			t.Fatal(err)
		}
		if err := put("t10", []byte("ten")); err != nil {
			t.Fatal(err)
		}
	}
	if v, found, err := s.Spec("t1"); !found || err != nil || string(v) != "one" {
		t.Fatalf("spec t1: %q %v %v", v, found, err)
	}
	metas, err := s.Metas()
	if err != nil || len(metas) != 2 || string(metas["t1"]) != "one" || string(metas["t10"]) != "ten" {
		t.Fatalf("metas: %v (err %v)", metas, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Persist("t1", []bft.Record{{Kind: bft.RecordSecret, Round: 1}}); !errors.Is(err, ErrStoreClosed) {
		t.Fatalf("persist after close: %v", err)
	}
}

func TestCertificateVerifierChecksTheSettlementsCertificate(t *testing.T) {
	id, _, certs := soloRounds(t, 1)
	raw, err := certs[0].MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	op := ledger.Op{Kind: ledger.KindSettle, Table: "t1", Round: 1, Certificate: raw,
		Outcomes: []ledger.Outcome{{Player: id.PeerID(), Delta: 0}}}
	v := CertificateVerifier{}
	if err := v.VerifyCertificate(op); err != nil {
		t.Fatalf("valid: %v", err)
	}
	wrongRound := op
	wrongRound.Round = 2
	if err := v.VerifyCertificate(wrongRound); !errors.Is(err, bft.ErrInvalidCertificate) {
		t.Fatalf("other round: %v", err)
	}
	forged := certs[0]
	forged.StateHash[0] ^= 1
	raw, _ = forged.MarshalBinary()
	op.Certificate = raw
	if err := v.VerifyCertificate(op); err == nil {
		t.Fatal("a certificate with another state hash verified")
	}
	op.Certificate = []byte("garbage")
	if err := v.VerifyCertificate(op); err == nil {
		t.Fatal("garbage verified")
	}
}
