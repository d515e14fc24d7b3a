package table

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/internal/bft"
	"github.com/bitcraps/bitcraps/internal/game"
	"github.com/bitcraps/bitcraps/internal/identity"
	"github.com/bitcraps/bitcraps/internal/ledger"
	"github.com/bitcraps/bitcraps/messages"
)

// Table statuses (TableView.Status).
const (
	statusWaiting = "waiting"
	statusPlaying = "playing"
	statusClosed  = "closed"
)

// record is a table as its host decides it: settings, seats, status and
// the signed ops that put money on it. The host's table actor is its only
// author (Version counts its changes); players keep the newest copy the
// host sent them, every node keeps the announced ones in its directory, and
// each node stores its copy in the consensus store to find its tables
// again after a restart.
type record struct {
	ID       string        `json:"id"`
	Host     string        `json:"host"`
	Settings settings      `json:"settings"`
	Status   string        `json:"status"`
	Seats    []seat        `json:"seats"`
	Ops      []ledger.Op   `json:"ops"` // the FundBank, each BuyIn, the CashOuts of freed seats, the CloseBank
	Genesis  *game.Genesis `json:"genesis,omitempty"`
	Version  uint64        `json:"version"`
	// CreatedAt is the host's clock when it created the table: the wait
	// timeout counts from it (closing.go).
	CreatedAt    time.Time `json:"created_at,omitzero"`
	ClosedReason string    `json:"closed_reason,omitempty"`
}

type seat struct {
	Player string `json:"player"`
	Chips  int64  `json:"chips"`
}

func (r *record) seated(p string) bool {
	for _, s := range r.Seats {
		if s.Player == p {
			return true
		}
	}
	return false
}

func (r *record) clone() *record {
	c := *r
	c.Seats = append([]seat(nil), r.Seats...)
	c.Ops = append([]ledger.Op(nil), r.Ops...)
	return &c
}

// genesisOf is the game at the start of play: the seats in join order with
// their buy-ins, and the bank.
func genesisOf(r *record) (*game.Genesis, error) {
	g := &game.Genesis{TableID: r.ID, Rules: r.Settings.Rules, Bank: r.Settings.Bankroll}
	for _, s := range r.Seats {
		k, err := keyOf(s.Player)
		if err != nil {
			return nil, err
		}
		g.Seats = append(g.Seats, game.SeatChips{Player: k, Chips: s.Chips})
	}
	if err := g.Validate(); err != nil {
		return nil, err
	}
	return g, nil
}

func keyOf(peer string) (bft.PublicKey, error) {
	pub, err := identity.ParsePeerID(peer)
	if err != nil {
		return bft.PublicKey{}, fmt.Errorf("player %q: %w", peer, err)
	}
	return bft.PublicKeyFrom(pub)
}

// Control messages between the table actors of one table, in FrameTable
// frames of consensus envelopes (the consensus rate class: joins and seat
// updates must not be throttled like announcements).
const (
	ctlJoin   = "join"   // player → host: Op is the player's signed BuyIn
	ctlTable  = "table"  // host → players: Record is the table now
	ctlRefuse = "refuse" // host → player: Reason says why the join failed
	// Leaving a waiting table (closing.go): the player asks, the host
	// answers with its record or refuses; the freed player hands the host
	// its signed cash-out for the record.
	ctlLeave        = "leave"         // player → host
	ctlLeaveRefused = "leave-refused" // host → player: Code and Reason say why
	ctlCashedOut    = "cashed-out"    // player → host: Op is its CashOut
	// Following a table (follower.go): a follower asks a player for the
	// rounds from From on; the player answers with Certificates and
	// Unseatings. The shooter of a round also broadcasts its certificate.
	ctlHistoryAsk = "history?"
	ctlHistory    = "history"
)

type control struct {
	Kind         string            `json:"kind"`
	Op           *ledger.Op        `json:"op,omitempty"`
	Record       *record           `json:"record,omitempty"`
	Reason       string            `json:"reason,omitempty"`
	Code         string            `json:"code,omitempty"`
	From         uint64            `json:"from,omitempty"`
	Certificates []bft.Certificate `json:"certificates,omitempty"`
	Unseatings   []game.Unseating  `json:"unseatings,omitempty"`
	// Dissolved, in a history answer: the answering player's node
	// dissolved the table at round DissolvedAt (follow_dissolve.go).
	Dissolved   bool   `json:"dissolved,omitempty"`
	DissolvedAt uint64 `json:"dissolved_at,omitempty"`
}

// announcement is a TABLE_ANNOUNCE payload: every table one host hosts.
type announcement struct {
	Tables []*record `json:"tables"`
}

// wire sends table traffic for one node: control messages, ledger ops and
// announcements, each a signed envelope handed to the mesh.
type wire struct {
	sys  *actor.ActorSystem
	mesh *actor.PID
	id   *identity.Identity
}

func (w wire) send(t messages.MessageType, to string, payload []byte) error {
	var recipient []byte
	if to != "" {
		var err error
		if recipient, err = hex.DecodeString(to); err != nil {
			return fmt.Errorf("recipient %q: %w", to, err)
		}
	}
	signer := messages.Signer{PublicKey: w.id.PublicKey, Sign: w.id.Sign}
	env, err := messages.NewEnvelopeTo(signer, recipient, t, payload, messages.DefaultTTL)
	if err != nil {
		return err
	}
	w.sys.Root.Send(w.mesh, &messages.RouteEnvelope{Envelope: env})
	return nil
}

// control sends c about table to one peer.
func (w wire) control(table, to string, c control) error {
	body, err := json.Marshal(c)
	if err != nil {
		return err
	}
	frame, err := messages.EncodeFrame(messages.FrameTable, table, body)
	if err != nil {
		return err
	}
	return w.send(messages.MessageType_MESSAGE_TYPE_CONSENSUS, to, frame)
}

// op broadcasts a ledger op that this node signed and applied, so that
// every ledger converges.
func (w wire) op(op ledger.Op) error {
	b, err := json.Marshal(op)
	if err != nil {
		return err
	}
	return w.send(messages.MessageType_MESSAGE_TYPE_LEDGER_OP, "", b)
}

func (w wire) announce(a announcement) error {
	b, err := json.Marshal(a)
	if err != nil {
		return err
	}
	return w.send(messages.MessageType_MESSAGE_TYPE_TABLE_ANNOUNCE, "", b)
}
