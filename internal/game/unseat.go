package game

import (
	"bytes"
	"crypto/ed25519"
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/bitcraps/bitcraps/internal/bft"
)

// Unseating silent players. With 2 or 3 seats every round needs every
// player, so one silent player stalls the table and the core cannot unseat
// it (that would need the quorum it lacks). The remaining players do it
// among themselves at the round boundary, by unanimity: each signs an
// UnseatVote for the same (table, round, previous state, players), and the
// votes of every remaining player together are the Unseating that proves
// it. From that round on the table's seats are the game's seats without
// every player unseated so far. The unseated players' chips and open
// wagers stay in the game (they settle as the dice fall); only their seats
// in consensus go.
//
// Safety is the voters' business (actors/consensus votes only while it
// holds no lock in the round and then plays nothing of the old seating);
// this file is what anyone checks afterwards: an auditor replaying an
// export, and a node that follows a table it does not sit at (Chain).

// UnseatVote is one remaining player's signed agreement to unseat Excluded
// from round Round on, building on state Prev.
type UnseatVote struct {
	Table    string          `json:"table"`
	Round    uint64          `json:"round"`
	Prev     bft.Hash        `json:"prev"`
	Excluded []bft.PublicKey `json:"excluded"` // sorted, no repeats
	Voter    bft.PublicKey   `json:"voter"`
	Sig      []byte          `json:"sig"`
}

// Unseating is an applied unseating: the votes of every remaining player.
type Unseating struct {
	Round    uint64          `json:"round"`
	Prev     bft.Hash        `json:"prev"`
	Excluded []bft.PublicKey `json:"excluded"`
	Votes    []UnseatVote    `json:"votes"`
}

// unseatDomain separates unseat votes from everything else a player key
// signs.
const unseatDomain = "bitcraps/game/unseat/v1\x00"

// NewUnseatVote is voter's vote (unsigned: SignedBytes is what to sign).
func NewUnseatVote(table string, round uint64, prev bft.Hash, excluded []bft.PublicKey, voter bft.PublicKey) UnseatVote {
	return UnseatVote{Table: table, Round: round, Prev: prev, Excluded: SortedKeys(excluded), Voter: voter}
}

// SignedBytes is what the voter signs.
func (v *UnseatVote) SignedBytes() []byte {
	b := []byte(unseatDomain)
	b = binary.BigEndian.AppendUint32(b, uint32(len(v.Table)))
	b = append(b, v.Table...)
	b = binary.BigEndian.AppendUint64(b, v.Round)
	b = append(b, v.Prev[:]...)
	b = binary.BigEndian.AppendUint32(b, uint32(len(v.Excluded)))
	for _, k := range v.Excluded {
		b = append(b, k[:]...)
	}
	return append(b, v.Voter[:]...)
}

// VerifySignature checks the vote's signature by its voter.
func (v *UnseatVote) VerifySignature() error {
	if !ed25519.Verify(v.Voter[:], v.SignedBytes(), v.Sig) {
		return fmt.Errorf("unseat vote of %s: %w", v.Voter.Short(), ErrBadUnseating)
	}
	return nil
}

// Agrees reports whether two votes unseat the same players at the same
// boundary of the same table.
func (v *UnseatVote) Agrees(o *UnseatVote) bool {
	return v.Table == o.Table && v.Round == o.Round && v.Prev == o.Prev && slices.Equal(v.Excluded, o.Excluded)
}

// Verify checks that u unseats some of seats, leaves at least one, and
// carries exactly one valid, agreeing vote from every remaining seat of
// table.
func (u *Unseating) Verify(table string, seats []bft.PublicKey) error {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("unseating at round %d: %s: %w", u.Round, fmt.Sprintf(format, args...), ErrBadUnseating)
	}
	if len(u.Excluded) == 0 || !slices.Equal(u.Excluded, SortedKeys(u.Excluded)) {
		return fail("the unseated players must be listed sorted, once each, and not be empty")
	}
	for _, k := range u.Excluded {
		if !slices.Contains(seats, k) {
			return fail("%s is not seated", k.Short())
		}
	}
	remaining := SeatsWithout(seats, u.Excluded)
	if !MayUnseat(len(seats), len(remaining)) {
		return fail("%d of %d seats may not unseat the others", len(remaining), len(seats))
	}
	if len(u.Votes) != len(remaining) {
		return fail("%d votes for %d remaining players", len(u.Votes), len(remaining))
	}
	want := UnseatVote{Table: table, Round: u.Round, Prev: u.Prev, Excluded: u.Excluded}
	for i := range u.Votes {
		v := &u.Votes[i]
		switch {
		case !slices.Contains(remaining, v.Voter):
			return fail("vote %d is by %s, not a remaining player", i, v.Voter.Short())
		case slices.ContainsFunc(u.Votes[:i], func(o UnseatVote) bool { return o.Voter == v.Voter }):
			return fail("%s voted twice", v.Voter.Short())
		case !v.Agrees(&want):
			return fail("the vote of %s is for another table, round, state or players", v.Voter.Short())
		}
		if err := v.VerifySignature(); err != nil {
			return fmt.Errorf("unseating at round %d: %w", u.Round, err)
		}
	}
	return nil
}

// MayUnseat says whether remaining of seats players may unseat the others:
// a majority of the seats, so that the two sides of a partition can never
// both play on. Two seats are the exception: neither side is a majority,
// and a table of two must be able to unseat a crashed player, at the price
// of a fork if the two were merely cut apart.
func MayUnseat(seats, remaining int) bool {
	if seats == 2 {
		return remaining == 1
	}
	return remaining > 0 && 2*remaining > seats
}

// SortedKeys is ks sorted, without repeats (a new slice).
func SortedKeys(ks []bft.PublicKey) []bft.PublicKey {
	out := slices.Clone(ks)
	slices.SortFunc(out, func(a, b bft.PublicKey) int { return bytes.Compare(a[:], b[:]) })
	return slices.Compact(out)
}

// SeatsWithout is seats in order without the players in gone (a new slice).
func SeatsWithout(seats, gone []bft.PublicKey) []bft.PublicKey {
	return slices.DeleteFunc(slices.Clone(seats), func(k bft.PublicKey) bool { return slices.Contains(gone, k) })
}
