package browser

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"math/rand/v2"

	"github.com/bitcraps/bitcraps/internal/bft"
	"github.com/bitcraps/bitcraps/internal/craps"
)

// A certificate built here is checked with bft.VerifyCertificate before the
// browser sees it, so the page's verifier is compared with the real one and
// not with this file's idea of the format.

// roundRow is one row of GET /api/v1/tables/{id}/rounds as the page reads it.
type roundRow struct {
	Round       uint64           `json:"round"`
	Dice        []int            `json:"dice"`
	StateHash   string           `json:"state_hash"`
	Certificate *bft.Certificate `json:"certificate"`
}

type player struct {
	pub  bft.PublicKey
	priv ed25519.PrivateKey
}

func players(rng *rand.Rand, n int) []player {
	out := make([]player, n)
	for i := range out {
		var seed [ed25519.SeedSize]byte
		fill(rng, seed[:])
		priv := ed25519.NewKeyFromSeed(seed[:])
		copy(out[i].pub[:], priv.Public().(ed25519.PublicKey))
		out[i].priv = priv
	}
	return out
}

func fill(rng *rand.Rand, b []byte) {
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
}

func seatsOf(ps []player) []bft.PublicKey {
	keys := make([]bft.PublicKey, len(ps))
	for i, p := range ps {
		keys[i] = p.pub
	}
	return keys
}

// signedBytes is str(tag) ‖ u8(kind) ‖ str(table) ‖ u64(round) ‖ u64(view) ‖
// key(signer) ‖ fields, as internal/bft/signing.go documents.
func signedBytes(kind uint8, table string, round, view uint64, signer bft.PublicKey, fields ...[]byte) []byte {
	var b []byte
	str := func(s string) { b = binary.BigEndian.AppendUint32(b, uint32(len(s))); b = append(b, s...) }
	str("bitcraps/bft/v1")
	b = append(b, kind)
	str(table)
	b = binary.BigEndian.AppendUint64(b, round)
	b = binary.BigEndian.AppendUint64(b, view)
	b = append(b, signer[:]...)
	for _, f := range fields {
		b = append(b, f...)
	}
	return b
}

func lengthPrefixed(p []byte) []byte {
	return append(binary.BigEndian.AppendUint32(nil, uint32(len(p))), p...)
}

const (
	kindBet        = 1
	kindCommitment = 2
	kindReveal     = 5
	kindConfirm    = 6
)

// certSpec says how to build one round.
type certSpec struct {
	table    string
	round    uint64
	seats    []player
	betsBy   []int // seat indexes that place one bet each, in seat order
	confirms int   // how many seats confirm, from the first
	withhold []int // seat indexes that withhold their reveal: a void round
}

func buildRound(rng *rand.Rand, s certSpec) roundRow {
	body := bft.Body{Kind: bft.BodyRoll, Seats: seatsOf(s.seats)}
	fill(rng, body.Prev[:])
	for _, i := range s.betsBy {
		p := s.seats[i]
		payload := []byte(`{"type":"pass","amount":5000000}`)
		sig := ed25519.Sign(p.priv, signedBytes(kindBet, s.table, s.round, 1, p.pub, lengthPrefixed(payload)))
		body.Bets = append(body.Bets, bft.Bet{Bettor: p.pub, Round: s.round, Seq: 1, Payload: payload, Sig: sig})
	}
	var reveals []bft.Reveal
	for _, p := range s.seats {
		var secret bft.Hash
		fill(rng, secret[:])
		c := bft.CommitmentOf(s.table, s.round, p.pub, secret)
		body.Commitments = append(body.Commitments, bft.Commitment{Player: p.pub, Round: s.round, Hash: c,
			Sig: ed25519.Sign(p.priv, signedBytes(kindCommitment, s.table, s.round, 0, p.pub, c[:]))})
		reveals = append(reveals, bft.Reveal{Player: p.pub, Round: s.round, Secret: secret,
			Sig: ed25519.Sign(p.priv, signedBytes(kindReveal, s.table, s.round, 0, p.pub, secret[:]))})
	}
	cert := bft.Certificate{TableID: s.table, Round: s.round, Body: body}
	row := roundRow{Round: s.round}
	if len(s.withhold) > 0 {
		cert.Body.Kind = bft.BodyVoid
		for _, i := range s.withhold {
			cert.Body.Withholders = append(cert.Body.Withholders, s.seats[i].pub)
		}
	} else {
		cert.Reveals = reveals
		cert.Seed = bft.SeedOf(s.table, s.round, reveals)
		roll := craps.DiceFromSeed(cert.Seed)
		row.Dice = []int{int(roll.D1), int(roll.D2)}
	}
	cert.StateHash = sha256.Sum256(append(cert.Body.Prev[:], byte(s.round)))
	confirmCert(&cert, s.seats[:s.confirms])
	row.StateHash = cert.StateHash.String()
	row.Certificate = &cert
	return row
}

// confirmCert (re)signs the confirms of the given seats over the current
// body and state hash.
func confirmCert(cert *bft.Certificate, by []player) {
	bodyHash := cert.BodyHash()
	cert.Confirms = nil
	for _, p := range by {
		sig := ed25519.Sign(p.priv, signedBytes(kindConfirm, cert.TableID, cert.Round, cert.View, p.pub, bodyHash[:], cert.StateHash[:]))
		cert.Confirms = append(cert.Confirms, bft.Vote{Kind: bft.VoteConfirm, Voter: p.pub, Round: cert.Round,
			View: cert.View, Body: bodyHash, State: cert.StateHash, Sig: sig})
	}
}

// clone deep-copies a row through its JSON form so a tampering stays local.
func (r roundRow) clone() roundRow {
	c := r
	cert := *r.Certificate
	cert.Body.Bets = append([]bft.Bet(nil), cert.Body.Bets...)
	for i := range cert.Body.Bets {
		cert.Body.Bets[i].Payload = append([]byte(nil), cert.Body.Bets[i].Payload...)
	}
	cert.Reveals = append([]bft.Reveal(nil), cert.Reveals...)
	cert.Confirms = append([]bft.Vote(nil), cert.Confirms...)
	for i := range cert.Confirms {
		cert.Confirms[i].Sig = append([]byte(nil), cert.Confirms[i].Sig...)
	}
	c.Certificate = &cert
	c.Dice = append([]int(nil), r.Dice...)
	return c
}
