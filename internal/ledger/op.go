package ledger

import (
	"cmp"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"

	"github.com/bitcraps/bitcraps/internal/identity"
)

// Kind is what an op does.
type Kind uint8

// The only ways money moves (DESIGN.md, "Money").
const (
	// KindGrant creates money: a treasury's signed grant, or the
	// play-money grant of an identity, once (money.go).
	KindGrant Kind = 1 + iota
	// KindBuyIn moves Amount from the owner's wallet to its chips at Table.
	KindBuyIn
	// KindCashOut moves Amount from the owner's chips at Table to its wallet.
	KindCashOut
	// KindFundBank moves Amount from the host's wallet to Table's bank; the
	// first one creates the table with the owner as host.
	KindFundBank
	// KindCloseBank moves the whole bank back to the host and closes the
	// table to funding and settlements (players can still cash out; a
	// buy-in that crossed the closing still applies, see knownTable).
	KindCloseBank
	// KindSettle applies a certified round result: chips ⇄ bank per outcome.
	KindSettle
	// KindDissolve ends a table at a certified state (game.Dissolution):
	// each listed player's chips go to its wallet as its payout, the bank
	// to the host as Amount. A later round's Dissolve of the same table
	// replaces it (dissolve.go).
	KindDissolve
)

var kindNames = map[Kind]string{
	KindGrant: "grant", KindBuyIn: "buy_in", KindCashOut: "cash_out",
	KindFundBank: "fund_bank", KindCloseBank: "close_bank", KindSettle: "settle",
	KindDissolve: "dissolve",
}

// Kinds lists every kind, for the metrics labels present from the start.
func Kinds() []Kind {
	return []Kind{KindGrant, KindBuyIn, KindCashOut, KindFundBank, KindCloseBank, KindSettle, KindDissolve}
}

// String is the kind's name in JSON, logs and metrics labels.
func (k Kind) String() string {
	if n, ok := kindNames[k]; ok {
		return n
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// MarshalText writes the kind's name.
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText reads a kind's name.
func (k *Kind) UnmarshalText(b []byte) error {
	for kk, n := range kindNames {
		if n == string(b) {
			*k = kk
			return nil
		}
	}
	return fmt.Errorf("%w: kind %q", ErrInvalidOp, b)
}

func (k Kind) signed() bool {
	return k == KindBuyIn || k == KindCashOut || k == KindFundBank || k == KindCloseBank
}

// Derived reports the kinds each node derives on its own from a table's
// chain, which it checked itself (Settle from a certificate, Dissolve from
// a certified state): they carry no owner signature, so a node must never
// accept one from another node (gossip), only from its own table actor.
func (k Kind) Derived() bool { return k == KindSettle || k == KindDissolve }

// Outcome is one player's net result in a settled round: Delta > 0 moves
// chips from the bank to the player, Delta < 0 from the player to the bank.
type Outcome struct {
	Player identity.PeerID `json:"player"`
	Delta  int64           `json:"delta"`
}

// Op is one money movement. Which fields a kind uses:
//
//	Grant:     Owner, Amount (play money); + Seq (a serial), Treasury,
//	           Signature (the treasury's) for a treasury grant
//	BuyIn:     Owner, Table, Amount, Seq, Signature
//	CashOut:   Owner, Table, Amount, Seq, Signature
//	FundBank:  Owner (the host), Table, Amount, Seq, Signature
//	CloseBank: Owner (the host), Table, Seq, Signature
//	Settle:    Table, Round, Outcomes, Certificate
//	Dissolve:  Table, Round, Outcomes (Delta: the payout to the player's
//	           wallet, ≥ 0), Amount (the bank's payout to the host, ≥ 0)
//
// Unused fields must be zero, so an op has one encoding and one id. Amounts
// are micro-CRAP. Seq counts the owner's signed ops from 1 with no gaps.
// Sign with op.Signature = id.Sign(op.SigningBytes()).
type Op struct {
	Kind        Kind            `json:"kind"`
	Owner       identity.PeerID `json:"owner,omitempty"`
	Table       string          `json:"table,omitempty"`
	Amount      int64           `json:"amount,omitempty"`
	Seq         uint64          `json:"seq,omitempty"`
	Round       uint64          `json:"round,omitempty"`
	Outcomes    []Outcome       `json:"outcomes,omitempty"`
	Certificate []byte          `json:"certificate,omitempty"`
	Signature   []byte          `json:"signature,omitempty"`
	// Treasury is the key that signed a treasury grant (money.go).
	Treasury identity.PeerID `json:"treasury,omitempty"`
}

// Limits on one op; each keeps a stored op and its processing small.
const (
	// MaxAmount is 10^9 CRAP: far above any real stake, and so far below
	// int64's range that no sum of accepted amounts can wrap before the
	// total-grants check refuses it.
	MaxAmount int64 = 1_000_000_000 * 1_000_000
	// MaxOutcomes bounds a settlement: a craps table seats far fewer.
	MaxOutcomes = 64
	// MaxCertificateBytes bounds a certificate: a quorum of 64 signed
	// commits is about 6 KiB; ten times that is room for any format.
	MaxCertificateBytes = 64 << 10
)

// OpID is the SHA-256 of an op's signed content (signature and certificate
// excluded): the idempotency key.
type OpID [sha256.Size]byte

// String is the lowercase hex form.
func (id OpID) String() string { return hex.EncodeToString(id[:]) }

// MarshalText writes the hex form.
func (id OpID) MarshalText() ([]byte, error) { return []byte(id.String()), nil }

// UnmarshalText reads the hex form.
func (id *OpID) UnmarshalText(b []byte) error {
	p, err := ParseOpID(string(b))
	if err != nil {
		return err
	}
	*id = p
	return nil
}

// ParseOpID parses the hex form of an op id.
func ParseOpID(s string) (OpID, error) {
	var id OpID
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(id) {
		return id, fmt.Errorf("%w: op id %q: want %d hex digits", ErrInvalidOp, s, 2*len(id))
	}
	copy(id[:], b)
	return id, nil
}

// signingDomain separates ledger signatures from every other thing a node
// key signs.
const signingDomain = "bitcraps/ledger/op/v1\x00"

// SigningBytes is what the owner signs (and what the id hashes).
func (op Op) SigningBytes() []byte {
	return appendBody([]byte(signingDomain), op.normalized())
}

// ID is the op's idempotency key.
func (op Op) ID() OpID { return sha256.Sum256(op.SigningBytes()) }

// Sign sets the signature with the owner's private key.
func (op *Op) Sign(priv ed25519.PrivateKey) {
	op.Signature = ed25519.Sign(priv, op.SigningBytes())
}

// normalized returns op with outcomes sorted by player, so that one result
// has one id whatever order its outcomes were listed in.
func (op Op) normalized() Op {
	if len(op.Outcomes) > 1 && !slices.IsSortedFunc(op.Outcomes, byPlayer) {
		op.Outcomes = slices.Clone(op.Outcomes)
		slices.SortFunc(op.Outcomes, byPlayer)
	}
	return op
}

func byPlayer(a, b Outcome) int { return cmp.Compare(a.Player, b.Player) }

// validate checks an op's shape: the fields its kind uses are valid and the
// rest are zero. It does not look at the ledger state or the signature.
func (op Op) validate() error {
	if _, ok := kindNames[op.Kind]; !ok {
		return fmt.Errorf("%w: kind %d", ErrInvalidOp, op.Kind)
	}
	if err := op.validateUsed(); err != nil {
		return fmt.Errorf("%s op: %w", op.Kind, err)
	}
	if err := op.validateUnused(); err != nil {
		return fmt.Errorf("%s op: %w", op.Kind, err)
	}
	return nil
}

func (op Op) validateUsed() error {
	if !op.Kind.Derived() {
		if err := validPeer("owner", op.Owner); err != nil {
			return err
		}
	}
	if op.Kind != KindGrant {
		if err := validTable(op.Table); err != nil {
			return err
		}
	}
	if op.Kind == KindDissolve {
		return op.validateDissolve()
	}
	if op.Kind != KindSettle && op.Kind != KindCloseBank {
		if op.Amount <= 0 || op.Amount > MaxAmount {
			return fmt.Errorf("%w: amount %d: want 1..%d micro-CRAP", ErrInvalidOp, op.Amount, MaxAmount)
		}
	}
	if op.TreasuryGrantOp() && len(op.Signature) == 0 {
		return fmt.Errorf("%w: grant names treasury %s but carries no signature", ErrGrantUnsigned, op.Treasury.Short())
	}
	if op.Kind.signed() || op.TreasuryGrantOp() {
		if op.Seq == 0 {
			return fmt.Errorf("%w: seq: must start at 1", ErrInvalidOp)
		}
		if len(op.Signature) != ed25519.SignatureSize {
			return fmt.Errorf("%w: signature: %d bytes, want %d", ErrInvalidOp, len(op.Signature), ed25519.SignatureSize)
		}
	}
	if op.Kind == KindSettle {
		return op.validateSettle()
	}
	if op.TreasuryGrantOp() {
		return validPeer("treasury", op.Treasury)
	}
	return nil
}

func (op Op) validateSettle() error {
	if op.Round == 0 {
		return fmt.Errorf("%w: round: must start at 1", ErrInvalidOp)
	}
	if len(op.Outcomes) == 0 || len(op.Outcomes) > MaxOutcomes {
		return fmt.Errorf("%w: outcomes: %d, want 1..%d", ErrInvalidOp, len(op.Outcomes), MaxOutcomes)
	}
	if len(op.Certificate) == 0 || len(op.Certificate) > MaxCertificateBytes {
		return fmt.Errorf("%w: certificate: %d bytes, want 1..%d", ErrInvalidOp, len(op.Certificate), MaxCertificateBytes)
	}
	return op.validateOutcomes(-MaxAmount)
}

// validateOutcomes checks each outcome's player, once each, and its delta
// within minDelta..MaxAmount.
func (op Op) validateOutcomes(minDelta int64) error {
	seen := make(map[identity.PeerID]bool, len(op.Outcomes))
	for i, o := range op.Outcomes {
		if err := validPeer(fmt.Sprintf("outcomes[%d].player", i), o.Player); err != nil {
			return err
		}
		if seen[o.Player] {
			return fmt.Errorf("%w: outcomes[%d].player %s appears twice", ErrInvalidOp, i, o.Player)
		}
		seen[o.Player] = true
		if o.Delta < minDelta || o.Delta > MaxAmount {
			return fmt.Errorf("%w: outcomes[%d].delta %d: want %d..%d", ErrInvalidOp, i, o.Delta, minDelta, MaxAmount)
		}
	}
	return nil
}

// validateDissolve: payouts and the bank's payout are never negative (a
// dissolution only empties the table), and a table that nobody sits at
// any more may list no player.
func (op Op) validateDissolve() error {
	if op.Amount < 0 || op.Amount > MaxAmount {
		return fmt.Errorf("%w: amount (the bank's payout) %d: want 0..%d micro-CRAP", ErrInvalidOp, op.Amount, MaxAmount)
	}
	if len(op.Outcomes) > MaxOutcomes {
		return fmt.Errorf("%w: outcomes: %d, want at most %d", ErrInvalidOp, len(op.Outcomes), MaxOutcomes)
	}
	return op.validateOutcomes(0)
}

func (op Op) validateUnused() error {
	bad := func(field string) error {
		return fmt.Errorf("%w: %s must be empty for this kind", ErrInvalidOp, field)
	}
	switch {
	case op.Kind.Derived() && op.Owner != "":
		return bad("owner")
	case op.Kind == KindGrant && op.Table != "":
		return bad("table")
	case (op.Kind == KindSettle || op.Kind == KindCloseBank) && op.Amount != 0:
		return bad("amount")
	case op.Kind != KindGrant && op.Treasury != "":
		return bad("treasury")
	case !op.Kind.signed() && !op.TreasuryGrantOp() && op.Seq != 0:
		return bad("seq")
	case !op.Kind.signed() && !op.TreasuryGrantOp() && len(op.Signature) != 0:
		return bad("signature")
	case !op.Kind.Derived() && op.Round != 0:
		return bad("round")
	case !op.Kind.Derived() && len(op.Outcomes) != 0:
		return bad("outcomes")
	case op.Kind != KindSettle && len(op.Certificate) != 0:
		return bad("certificate")
	}
	return nil
}

// verifySignature checks an owner-signed op's signature.
func (op Op) verifySignature() error {
	ok, err := op.signedBy("owner", op.Owner)
	if err == nil && !ok {
		err = fmt.Errorf("%w: %s op seq %d by %s", ErrBadSignature, op.Kind, op.Seq, op.Owner)
	}
	return err
}

// signedBy reports whether key (the op's field named field) signed op.
func (op Op) signedBy(field string, key identity.PeerID) (bool, error) {
	pub, err := identity.ParsePeerID(string(key))
	if err != nil {
		return false, fmt.Errorf("%w: %s: %w", ErrInvalidOp, field, err)
	}
	return ed25519.Verify(pub, op.SigningBytes(), op.Signature), nil
}
