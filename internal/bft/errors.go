package bft

import "errors"

// Sentinel errors. Every error the package returns wraps one of these, with
// context naming the input that was wrong.
var (
	// ErrMalformed: a message, record or certificate does not decode or is
	// structurally wrong (missing fields, wrong sizes, duplicates, bad order).
	ErrMalformed = errors.New("bft: malformed")
	// ErrBadSignature: a signature does not verify for the key that claims it.
	ErrBadSignature = errors.New("bft: bad signature")
	// ErrNotSeated: the signer (or the local player) is not seated this round.
	ErrNotSeated = errors.New("bft: not seated")
	// ErrWrongTable: a certificate names another table.
	ErrWrongTable = errors.New("bft: wrong table")
	// ErrNotLeader: the message or call needs the leader of (round, view).
	ErrNotLeader = errors.New("bft: not the leader")
	// ErrInvalidProposal: a proposal breaks the protocol (wrong previous
	// state, wrong seats, bets the application rejects, unjustified view).
	ErrInvalidProposal = errors.New("bft: invalid proposal")
	// ErrInvalidCertificate: a certificate does not prove what it claims.
	ErrInvalidCertificate = errors.New("bft: invalid certificate")
	// ErrLimit: a bounded queue or list is full; the input was dropped.
	ErrLimit = errors.New("bft: limit reached")
	// ErrConfig: the configuration is unusable.
	ErrConfig = errors.New("bft: bad config")
	// ErrApplication: the application failed to validate or apply a round.
	ErrApplication = errors.New("bft: application error")
	// ErrDiverged: this node's application computed a state hash different
	// from the certified one; the local state must be rebuilt.
	ErrDiverged = errors.New("bft: local state diverged from the certified state")
	// errAlreadySigned: the guard refused to sign a second, different message
	// for one slot. Internal: callers treat it as "do not vote".
	errAlreadySigned = errors.New("bft: slot already signed differently")
)

// errSignedBefore: the same message was already signed and sent; nothing new
// to send now (the resend timer repeats it).
var errSignedBefore = errors.New("bft: already signed and sent")
