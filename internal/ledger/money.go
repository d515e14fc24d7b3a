package ledger

import (
	"crypto/ed25519"
	"errors"
	"fmt"

	"github.com/bitcraps/bitcraps/internal/identity"
)

// Money is a deployment's money policy: who may create money (DESIGN.md,
// "Money"). It is the one place that decides which grants a node accepts,
// so every node of a deployment — given the same policy — holds the same
// grants for the same identity.
//
// With a Treasury, only grants signed by the treasury's key create money:
// the treasury signs them (`bitcraps treasury grant`), any node accepts
// them, and they are replicated like every other ledger op; a node grants
// nothing on its own. Without one, the node runs in play-money mode: each
// identity's grant is derived by every node alike from the identity and
// PlayGrant (GenesisGrant), so CRAP is free — and the node says so.
type Money struct {
	// Treasury is the treasury's public key; empty means play money.
	Treasury identity.PeerID
	// PlayGrant is the play-money grant of each identity (micro-CRAP; 0
	// grants nothing). All nodes of a deployment must share it: a grant
	// of another amount for the same identity conflicts. Unused under a
	// treasury.
	PlayGrant int64
	// anyMode accepts the grants of both modes (signatures still
	// checked): for reading a store whose deployment is not known (the
	// offline `ledger verify`).
	anyMode bool
}

// AnyMoney is the policy for verifying a store of an unknown deployment:
// treasury grants must verify under the key they name, and play-money
// grants are accepted as they are (Report counts both).
func AnyMoney() Money { return Money{anyMode: true} }

// The modes Money.Mode reports (status, /api/v1/status, the web page).
const (
	ModeTreasury  = "treasury"
	ModePlayMoney = "play_money"
)

// Mode is ModeTreasury or ModePlayMoney.
func (m Money) Mode() string {
	if m.Treasury != "" {
		return ModeTreasury
	}
	return ModePlayMoney
}

// Validate checks the policy's own fields; the message names the setting.
func (m Money) Validate() error {
	if m.Treasury != "" {
		if _, err := identity.ParsePeerID(string(m.Treasury)); err != nil {
			return fmt.Errorf("%w: treasury key: %w", ErrInvalidOp, err)
		}
	}
	if m.PlayGrant < 0 || m.PlayGrant > MaxAmount {
		return fmt.Errorf("%w: play-money grant %d: want 0..%d micro-CRAP", ErrInvalidOp, m.PlayGrant, MaxAmount)
	}
	return nil
}

// GenesisGrant is the grant every node gives peer on its own, the same
// op on every node: the play-money grant. Under a treasury (or with a
// PlayGrant of 0) there is none, and ok is false.
func (m Money) GenesisGrant(peer identity.PeerID) (op Op, ok bool) {
	if m.Treasury != "" || m.anyMode || m.PlayGrant == 0 {
		return Op{}, false
	}
	return Op{Kind: KindGrant, Owner: peer, Amount: m.PlayGrant}, true
}

// TreasuryGrant is a grant of amount to peer signed by the treasury's
// key. serial tells apart two grants of one amount to one identity (a
// grant's id is the hash of its content: the same serial twice is the
// same grant, applied once).
func TreasuryGrant(key ed25519.PrivateKey, peer identity.PeerID, amount int64, serial uint64) Op {
	op := Op{Kind: KindGrant, Owner: peer, Amount: amount, Seq: serial,
		Treasury: identity.PeerIDOf(key.Public().(ed25519.PublicKey))}
	op.Sign(key)
	return op
}

// Why a grant is refused; GrantRefusal names them for metrics.
var (
	// ErrGrantUnsigned: under a treasury, a grant with no signature.
	ErrGrantUnsigned = errors.New("ledger: grant not signed by the treasury")
	// ErrGrantWrongTreasury: a grant signed by a key that is not the
	// deployment's treasury.
	ErrGrantWrongTreasury = errors.New("ledger: grant signed by another key than the treasury's")
	// ErrGrantPlayMoney: a treasury grant at a play-money node, or a
	// play-money grant of another amount than this deployment's.
	ErrGrantPlayMoney = errors.New("ledger: grant does not match play-money mode")
)

// GrantRefusal is the metrics label of a refused grant's error: unsigned,
// wrong_treasury, bad_signature, play_money, conflict or invalid; "" for
// nil.
func GrantRefusal(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrGrantUnsigned):
		return "unsigned"
	case errors.Is(err, ErrGrantWrongTreasury):
		return "wrong_treasury"
	case errors.Is(err, ErrBadSignature):
		return "bad_signature"
	case errors.Is(err, ErrGrantPlayMoney):
		return "play_money"
	case errors.Is(err, ErrConflictingOp):
		return "conflict"
	}
	return "invalid"
}

// admitGrant is the policy's check of a well-formed grant: the signature
// of a treasury grant always, and under a known policy its mode, its key
// and (play money) its amount.
func (m Money) admitGrant(op Op) error {
	if op.Treasury != "" {
		if err := op.verifyTreasury(); err != nil {
			return err
		}
	}
	switch {
	case m.anyMode:
		return nil
	case m.Treasury == "" && op.Treasury != "":
		return fmt.Errorf("%w: this node runs play money (no --treasury-key) and takes no treasury grants; grant %s by %s",
			ErrGrantPlayMoney, op.ID(), op.Treasury.Short())
	case m.Treasury == "" && op.Amount != m.PlayGrant:
		return fmt.Errorf("%w: play-money grant of %d micro-CRAP to %s, this deployment grants %d (--initial-balance must match on every node)",
			ErrGrantPlayMoney, op.Amount, op.Owner.Short(), m.PlayGrant)
	case m.Treasury != "" && op.Treasury == "":
		return fmt.Errorf("%w: grant of %d micro-CRAP to %s (--treasury-key %s)", ErrGrantUnsigned, op.Amount, op.Owner.Short(), m.Treasury.Short())
	case m.Treasury != "" && op.Treasury != m.Treasury:
		return fmt.Errorf("%w: grant %s signed by %s, the treasury is %s", ErrGrantWrongTreasury, op.ID(), op.Treasury.Short(), m.Treasury.Short())
	}
	return nil
}

// verifyTreasury checks a treasury grant's signature under the key it names.
func (op Op) verifyTreasury() error {
	ok, err := op.signedBy("treasury", op.Treasury)
	if err == nil && !ok {
		err = fmt.Errorf("%w: grant of %d micro-CRAP to %s, serial %d, by treasury %s", ErrBadSignature,
			op.Amount, op.Owner.Short(), op.Seq, op.Treasury.Short())
	}
	return err
}

// TreasuryGrantOp reports whether op is a grant signed by a treasury.
func (op Op) TreasuryGrantOp() bool { return op.Kind == KindGrant && op.Treasury != "" }
