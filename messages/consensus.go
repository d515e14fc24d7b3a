package messages

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/internal/bft"
	"github.com/bitcraps/bitcraps/internal/game"
)

// Between a table actor (actors/table) and the "consensus" service
// (actors/consensus), which runs one BFT instance per table this node sits
// at. Requests are sent with Request/RequestFuture and answered with
// ctx.Respond; deliveries (CertifiedRound, ConsensusStatus,
// ConsensusEvidence) are sent to the table actor named in ConsensusStart.

// ErrNoInstance means this node runs no consensus for the table.
var ErrNoInstance = errors.New("consensus: no instance for the table")

// ErrTablePaused answers a bet or a roll while the table may not play: it
// is paused (absent players), this node is catching up, or the table is
// dissolved. The error says which.
var ErrTablePaused = errors.New("the table may not play now")

// ConsensusStart asks the service to run the table's instance, or to keep
// running it and deliver to Table from now on (a restarted table actor
// sends it again). Answered with *ConsensusAck.
type ConsensusStart struct {
	Genesis game.Genesis
	// BetWindowTicks is how many ticks a round takes bets, from its first
	// bet, before the leader rolls without the shooter (actors/consensus
	// pacing.go); 0 takes bft's default.
	BetWindowTicks int
	// Table receives the instance's deliveries.
	Table *actor.PID
	// FromRound asks for the certified rounds from this one on to be
	// delivered again (the first round the local ledger has not settled);
	// 0 asks for none.
	FromRound uint64
	// MinPlayers: the table pauses while fewer are present (its setting).
	MinPlayers int
	// Host is the peer ID of the bank's owner: while it is seated and
	// absent the table pauses.
	Host string
}

// ConsensusStop ends the table's instance (the player left the table) and
// keeps its history. Answered with *ConsensusAck.
type ConsensusStop struct{ TableID string }

// ConsensusBet signs and sends the local player's bet payload (game
// encoding) in the current round. Answered with *ConsensusBetReply.
type ConsensusBet struct {
	TableID string
	Payload []byte
}

// ConsensusBetReply answers ConsensusBet. Err wraps the game's reason.
type ConsensusBetReply struct {
	BetID string
	Round uint64
	Err   error
}

// ConsensusRoll is the shooter's request to roll: the instance signs a roll
// payload for the round's leader, which rolls at once when every present
// player has bet, else when the bet window closes. Answered with
// *ConsensusAck; an error wrapping game.ErrNotShooter when this node's
// player does not hold the dice.
type ConsensusRoll struct{ TableID string }

// ConsensusAck answers requests with nothing to return but an error.
type ConsensusAck struct{ Err error }

// ConsensusRounds asks for the table's certificates from round From on
// (at most Limit; 0: all), read from the consensus store, with the
// unseatings of those rounds. Answered with *ConsensusRoundList.
type ConsensusRounds struct {
	TableID string
	From    uint64
	Limit   int
}

// ConsensusRoundList answers ConsensusRounds, oldest first.
type ConsensusRoundList struct {
	Certificates []bft.Certificate
	// Unseatings of rounds From..(last certificate + 1), in order.
	Unseatings []game.Unseating
	Err        error
}

// ConsensusSaveTable stores the games manager's record of a table (synced)
// in the consensus store, so that a restarted manager finds its tables.
// Answered with *ConsensusAck.
type ConsensusSaveTable struct {
	TableID string
	Record  []byte
}

// ConsensusLoadTables asks for every stored table record. Answered with
// *ConsensusTables.
type ConsensusLoadTables struct{}

// ConsensusTables answers ConsensusLoadTables: records by table ID.
type ConsensusTables struct {
	Records map[string][]byte
	Err     error
}

// CertifiedRound is delivered to the table actor once a round's
// certificate is durable in the consensus store.
type CertifiedRound struct {
	TableID     string
	Certificate bft.Certificate
	Settlement  game.Settlement
	View        game.View
	// CertifiedAt is when this node's certificate became durable (zero for
	// a round read back from disk): the settlement's latency is timed from it.
	CertifiedAt time.Time
	// Latency is the round's time from this node's first signature on its
	// proposal to its certificate (zero when this node did not see it play).
	Latency time.Duration
}

// ConsensusBetCarried tells the table actor what became of one of the
// local player's bets that missed its round (it reached the shooter after
// the roll): carried into round Round as NewBetID, or dropped with Err when
// that round refuses it (the phase changed, the chips are gone).
type ConsensusBetCarried struct {
	TableID  string
	BetID    string
	NewBetID string
	Round    uint64
	Err      error
}

// ConsensusStatus is delivered to the table actor whenever the round, the
// view, the shooter or the seating of its instance changes.
type ConsensusStatus struct {
	TableID string
	// Round is the round being played (not yet certified).
	Round   uint64
	View    uint64
	Shooter string
	Seats   []string
	// Shooter holds the dice (the game's rule, not bft's leader);
	// NextShooter takes them at the shooter's seven-out.
	NextShooter string
	// Seated: the local player plays this round.
	Seated bool
	// PendingBets counts the valid bets of Round this instance holds: the
	// shooter proposes them when it rolls.
	PendingBets int
	// Failure is set when the instance cannot go on (a certified round
	// that does not replay); the table shows it.
	Failure string
	// Lifecycle is the table's mode here (internal/lifecycle): "playing",
	// "paused", "catching_up", "dissolving" (paused past the seat grace at
	// 4+ seats: voting for the round that dissolves it) or "dissolved";
	// PausedReason says why it pauses; Absent lists the seats not heard from; Behind counts the
	// certified rounds others are known to be ahead while catching up.
	Lifecycle    string
	PausedReason string
	Absent       []string
	Behind       uint64
}

// ConsensusDissolved tells the table actor that the table is dissolved at
// the certified state of Dissolution.Round (0: genesis): chips, wagers at
// their exact value and the bank are paid out as Dissolution says (game's
// rule), by the ledger's Dissolve op. Delivered again, with a later round,
// when a certificate of a later round arrives afterwards.
type ConsensusDissolved struct {
	TableID     string
	Dissolution game.Dissolution
}

// ConsensusEvidence is a Byzantine act the instance saw, for the table's
// history.
type ConsensusEvidence struct {
	TableID  string
	Evidence bft.Evidence
}

// Frames: the payload of a MESSAGE_TYPE_CONSENSUS envelope is
//
//	u8(FrameVersion) ‖ u8(kind) ‖ u64(nonce) ‖ u8(len(table)) ‖ table ‖ body
//
// so that one envelope type carries both BFT traffic (for the consensus
// service) and table control messages (for the games manager), in the
// consensus rate-limit class, without a wire type per message. The nonce
// makes a resent message a new envelope: the mesh drops an envelope whose
// ID it has seen, and the consensus core resends byte-identical messages
// exactly when an earlier copy may have been lost.
const (
	FrameVersion byte = 1
	// FrameBFT: body is a bft.Message (MarshalBinary).
	FrameBFT byte = 1
	// FrameTable: body is a table control message (JSON, actors/table).
	FrameTable byte = 2
	// 3 was a signed vote to unseat silent players by unanimity; it is
	// retired (absence pauses a table instead) and never reused. 4–6 are
	// the lifecycle's frames (lifecycle.go).
	// maxFrameTable bounds the table ID (bft's own limit is larger, but a
	// table ID is 16 hex digits).
	maxFrameTable = 255
)

// ErrBadFrame is wrapped by DecodeFrame's errors.
var ErrBadFrame = errors.New("malformed consensus frame")

// EncodeFrame builds a consensus envelope payload.
func EncodeFrame(kind byte, table string, body []byte) ([]byte, error) {
	if table == "" || len(table) > maxFrameTable {
		return nil, fmt.Errorf("frame table %q: want 1..%d bytes: %w", table, maxFrameTable, ErrBadFrame)
	}
	out := make([]byte, 0, frameHeader+len(table)+len(body))
	out = append(out, FrameVersion, kind)
	out = binary.BigEndian.AppendUint64(out, frameNonce.Add(1))
	out = append(out, byte(len(table)))
	out = append(out, table...)
	return append(out, body...), nil
}

// DecodeFrame splits a consensus envelope payload. body aliases p.
func DecodeFrame(p []byte) (kind byte, table string, body []byte, err error) {
	if len(p) < frameHeader || p[0] != FrameVersion {
		return 0, "", nil, fmt.Errorf("frame of %d bytes: %w", len(p), ErrBadFrame)
	}
	n := int(p[frameHeader-1])
	if n == 0 || len(p) < frameHeader+n {
		return 0, "", nil, fmt.Errorf("frame table of %d bytes in %d: %w", n, len(p), ErrBadFrame)
	}
	return p[1], string(p[frameHeader : frameHeader+n]), p[frameHeader+n:], nil
}

// frameHeader is the bytes before the table ID.
const frameHeader = 1 + 1 + 8 + 1

// frameNonce starts at a random value, so that two runs of a node never
// repeat a frame (and an envelope ID) either.
var frameNonce = func() *atomic.Uint64 {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand never fails on supported platforms
	n := new(atomic.Uint64)
	n.Store(binary.BigEndian.Uint64(b[:]))
	return n
}()
