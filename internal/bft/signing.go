package bft

import (
	"crypto/ed25519"
	"crypto/sha256"
)

// Signed bytes. Every signature covers
//
//	str(domainTag) ‖ u8(kind) ‖ str(tableID) ‖ u64(round) ‖ u64(view) ‖ key(signer) ‖ fields
//
// where str and lists are u32-length-prefixed, integers big-endian, keys and
// hashes raw 32 bytes (encoding.go). The domain tag keeps these signatures
// from ever being valid for anything else the same key signs (identity
// proofs, ledger ops); the table ID keeps a vote at one table from counting
// at another. (kind, round, view) is the slot the double-sign guard protects.
// The fields per kind:
//
//	bet         view = seq;  bytes(payload)
//	commitment  view = 0;    hash(H(secret ‖ round ‖ player))
//	proposal                 hash(body hash)
//	commit                   hash(body hash)
//	reveal      view = 0;    hash(secret)
//	confirm                  hash(body hash) ‖ hash(state hash)
//	view change view = target; u8(has lock) [‖ u64(lock view) ‖ hash(lock body hash)] ‖ keys(revealers)
const domainTag = "bitcraps/bft/v1"

// Signed kinds: the first byte after the tag, and the first part of a slot.
const (
	kindBet        uint8 = 1
	kindCommitment uint8 = 2
	kindProposal   uint8 = 3
	kindCommit     uint8 = 4
	kindReveal     uint8 = 5
	kindConfirm    uint8 = 6
	kindViewChange uint8 = 7
)

// slot is what one player may sign at most once: one message per (kind,
// round, view). For bets the view position holds the bet's sequence number.
type slot struct {
	kind  uint8
	round uint64
	view  uint64
}

// signedPayload is what every signed message offers the guard, the
// signature checks and the evidence.
type signedPayload interface {
	slot() slot
	signedBytes(table string) []byte
	signer() PublicKey
	signature() []byte
}

func (b *Bet) signer() PublicKey         { return b.Bettor }
func (b *Bet) signature() []byte         { return b.Sig }
func (c *Commitment) signer() PublicKey  { return c.Player }
func (c *Commitment) signature() []byte  { return c.Sig }
func (r *Reveal) signer() PublicKey      { return r.Player }
func (r *Reveal) signature() []byte      { return r.Sig }
func (v *Vote) signer() PublicKey        { return v.Voter }
func (v *Vote) signature() []byte        { return v.Sig }
func (p *Proposal) signer() PublicKey    { return p.Leader }
func (p *Proposal) signature() []byte    { return p.Sig }
func (vc *ViewChange) signer() PublicKey { return vc.Player }
func (vc *ViewChange) signature() []byte { return vc.Sig }

// signed is the message's signed payload, nil for a certificate or a lock
// (a quorum signed those, piece by piece).
func (m Message) signed() signedPayload {
	switch m.Type() {
	case MsgBet:
		return m.Bet
	case MsgCommitment:
		return m.Commitment
	case MsgProposal:
		return m.Proposal
	case MsgVote:
		return m.Vote
	case MsgReveal:
		return m.Reveal
	case MsgViewChange:
		return m.ViewChange
	}
	return nil
}

func signedHeader(kind uint8, table string, round, view uint64, signer PublicKey) *encoder {
	e := &encoder{buf: make([]byte, 0, 160)}
	e.str(domainTag)
	e.u8(kind)
	e.str(table)
	e.u64(round)
	e.u64(view)
	e.key(signer)
	return e
}

func (b *Bet) slot() slot { return slot{kindBet, b.Round, b.Seq} }

func (b *Bet) signedBytes(table string) []byte {
	e := signedHeader(kindBet, table, b.Round, b.Seq, b.Bettor)
	e.bytes(b.Payload)
	return e.buf
}

func (c *Commitment) slot() slot { return slot{kindCommitment, c.Round, 0} }

func (c *Commitment) signedBytes(table string) []byte {
	e := signedHeader(kindCommitment, table, c.Round, 0, c.Player)
	e.hash(c.Hash)
	return e.buf
}

func (r *Reveal) slot() slot { return slot{kindReveal, r.Round, 0} }

func (r *Reveal) signedBytes(table string) []byte {
	e := signedHeader(kindReveal, table, r.Round, 0, r.Player)
	e.hash(r.Secret)
	return e.buf
}

func (v *Vote) signKind() uint8 {
	if v.Kind == VoteConfirm {
		return kindConfirm
	}
	return kindCommit
}

func (v *Vote) slot() slot { return slot{v.signKind(), v.Round, v.View} }

func (v *Vote) signedBytes(table string) []byte {
	e := signedHeader(v.signKind(), table, v.Round, v.View, v.Voter)
	e.hash(v.Body)
	if v.Kind == VoteConfirm {
		e.hash(v.State)
	}
	return e.buf
}

func (p *Proposal) slot() slot { return slot{kindProposal, p.Round, p.View} }

func (p *Proposal) signedBytes(table string) []byte {
	e := signedHeader(kindProposal, table, p.Round, p.View, p.Leader)
	e.hash(BodyHash(table, p.Round, &p.Body))
	return e.buf
}

func (vc *ViewChange) slot() slot { return slot{kindViewChange, vc.Round, vc.View} }

func (vc *ViewChange) signedBytes(table string) []byte {
	e := signedHeader(kindViewChange, table, vc.Round, vc.View, vc.Player)
	e.flag(vc.Lock != nil)
	if vc.Lock != nil {
		e.u64(vc.Lock.View)
		e.hash(BodyHash(table, vc.Round, &vc.Lock.Body))
	}
	e.keys(vc.Revealers())
	return e.buf
}

// verifySig checks an Ed25519 signature by signer over msg.
func verifySig(signer PublicKey, msg, sig []byte) bool {
	return len(sig) == ed25519.SignatureSize && ed25519.Verify(signer[:], msg, sig)
}

// BodyHash identifies a body at a table and round: the SHA-256 of a tag, the
// table, the round and the body's canonical encoding (signatures included).
func BodyHash(table string, round uint64, b *Body) Hash {
	e := &encoder{buf: make([]byte, 0, 512)}
	e.str(domainTag + "/body")
	e.str(table)
	e.u64(round)
	encodeBody(e, b)
	return sha256.Sum256(e.buf)
}

// CommitmentOf is H(secret ‖ round ‖ player), with a tag and the table ID in
// front so a commitment means nothing anywhere else.
func CommitmentOf(table string, round uint64, player PublicKey, secret Hash) Hash {
	e := &encoder{buf: make([]byte, 0, 128)}
	e.str(domainTag + "/commitment")
	e.str(table)
	e.u64(round)
	e.key(player)
	e.hash(secret)
	return sha256.Sum256(e.buf)
}

// SeedOf is the dice seed: the hash of every committed player's secret in
// canonical (seat) order. reveals must already be in that order. The body is
// deliberately left out: the leader chooses the body, and must not be able to
// grind it against secrets that leaked.
func SeedOf(table string, round uint64, reveals []Reveal) Hash {
	e := &encoder{buf: make([]byte, 0, 64+64*len(reveals))}
	e.str(domainTag + "/seed")
	e.str(table)
	e.u64(round)
	e.count(len(reveals))
	for _, r := range reveals {
		e.key(r.Player)
		e.hash(r.Secret)
	}
	return sha256.Sum256(e.buf)
}
