package messages

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/internal/game"
)

// Requests to the "games" service (the game manager), sent with
// Request/RequestFuture and answered with ctx.Respond. The HTTP API and the
// CLI reach tables only through these.

// CreateTable asks this node to host a new table, funding its bank from
// the host's wallet. Answered with *TableReply.
type CreateTable struct {
	MinPlayers int   `json:"min_players"`
	MaxPlayers int   `json:"max_players"`
	Bankroll   int64 `json:"bankroll"` // micro-CRAP moved from the host wallet to the bank
	MinBet     int64 `json:"min_bet"`
	MaxBet     int64 `json:"max_bet"`
	// OddsMultiple "3-4-5" (default) or a flat multiple such as "2" or "10".
	OddsMultiple string `json:"odds_multiple,omitempty"`
	// Field12Pays is 2 or 3 (default 3): the field's payout on a 12, to 1.
	Field12Pays int `json:"field_12_pays,omitempty"`
	// BetWindow: how long a round takes bets, from its first bet, before
	// the dice roll without the shooter; zero means the node's default
	// (--bet-window). A round nobody bets in never rolls.
	BetWindow time.Duration `json:"bet_window,omitempty"`
	// BuyIn, when positive, seats the host as the table's first player
	// with this many micro-CRAP moved from its wallet to chips.
	BuyIn int64 `json:"buy_in,omitempty"`
}

// ListTables asks for every table this node knows (hosted, joined, or
// announced by peers). Answered with *TableList.
type ListTables struct{}

// GetTable asks for one table. Answered with *TableReply.
type GetTable struct{ TableID string }

// JoinTable seats this node's player at a table with a buy-in moved from
// its wallet to chips. Answered with *TableReply.
type JoinTable struct {
	TableID string
	BuyIn   int64
}

// PlaceBet places this node's player's bet in the current round.
// Answered with *BetReply.
type PlaceBet struct {
	TableID string
	Type    string // craps wire name, e.g. "pass", "place", "hard"
	Number  int    // for bets that need one (place 6, hard 8, ...); 0 otherwise
	Amount  int64
	// TakeDown asks for the player's open wagers on Type/Number back
	// instead (Amount is 0): it rides in the round like a bet.
	TakeDown bool
}

// RollDice asks the table to close betting and roll now; only the shooter
// may. Answered with *Ack.
type RollDice struct{ TableID string }

// LeaveTable cashes this node's player out: at a waiting table as soon as
// the host frees the seat, at a playing one at the next round boundary.
// Answered with *Ack.
type LeaveTable struct{ TableID string }

// CancelTable ends a table this node hosts: a waiting one at any time, a
// playing one once no player is left. The bank goes back to the host and
// every buy-in still at the table to its owner. Answered with *TableReply
// (the closed table).
type CancelTable struct{ TableID string }

// ListRounds asks for a table's certified rounds, oldest first.
// Answered with *RoundList.
type ListRounds struct{ TableID string }

// ExportTable asks for a table's audit file: its genesis and every
// certified round, in the format `bitcraps verify` reads (game.Export).
// Only a node that sat at the table has it. Answered with *TableExport.
type ExportTable struct{ TableID string }

// TableExport answers ExportTable.
type TableExport struct {
	Export game.Export
	Err    error
}

// SubscribeTable registers Subscriber for *TableEvent of one table until
// UnsubscribeTable or the subscriber stops. Answered with *Ack.
type SubscribeTable struct {
	TableID    string
	Subscriber *actor.PID
}

// UnsubscribeTable removes a subscriber. Fire and forget.
type UnsubscribeTable struct {
	TableID    string
	Subscriber *actor.PID
}

// Replies.

// TableReply answers CreateTable, GetTable, JoinTable and CancelTable.
type TableReply struct {
	Table *TableView
	Err   error
}

// TableList answers ListTables.
type TableList struct {
	Items []TableView
	Err   error
}

// BetReply answers PlaceBet.
type BetReply struct {
	BetID string
	Err   error
}

// Ack answers requests with nothing to return but an error.
type Ack struct{ Err error }

// RoundList answers ListRounds.
type RoundList struct {
	Items []RoundView
	Err   error
}

// Views: the JSON the API returns as is.

// TableView is GET /api/v1/tables/{id}.
type TableView struct {
	ID         string       `json:"id"`
	Host       string       `json:"host"`
	Phase      string       `json:"phase"` // "come_out" or "point"
	Point      int          `json:"point"` // 0 on the come-out
	Round      uint64       `json:"round"` // last certified round
	Shooter    string       `json:"shooter"`
	Players    []PlayerView `json:"players"`
	Bank       int64        `json:"bank"`
	MinPlayers int          `json:"min_players"`
	MaxPlayers int          `json:"max_players"`
	MinBet     int64        `json:"min_bet"`
	MaxBet     int64        `json:"max_bet"`
	Status     string       `json:"status"` // "waiting" (for players), "playing", "closed"
	LastDice   [2]int       `json:"last_dice"`
	// NextShooter takes the dice at the Shooter's seven-out: the next seat
	// (the Shooter keeps them through naturals, craps and points made).
	NextShooter string `json:"next_shooter"`
	// StateHash is the certified state after Round ("" before play).
	StateHash string `json:"state_hash"`
	// ClosedReason says why a closed table ended (cancelled by its host,
	// not filled in time, no players left).
	ClosedReason string `json:"closed_reason,omitempty"`
	// Seated: this node's player sits at the table.
	Seated bool `json:"seated"`
	// Role is what this node is at the table: RoleSeated, or RoleWatching
	// when its player does not sit there (it shows the state it checked
	// from the table's certificates, as current as Sync says).
	Role string `json:"role"`
	// Sync says how current the certified state shown is (SyncXxx); empty
	// before play starts. While it is catching up, Behind counts the
	// certified rounds this node has heard of and not yet checked.
	Sync string `json:"sync,omitempty"`
	// Joinable: this node's player can join the table now (it waits for
	// players or plays, has a free seat, and this node's player does not
	// sit there).
	Joinable bool `json:"joinable"`
	// PendingBets counts the bets of the round being played that this
	// node holds (the shooter proposes what it holds when it rolls).
	PendingBets int `json:"pending_bets"`
	// Problem says why the table cannot go on, when it cannot.
	Problem string `json:"problem,omitempty"`
	// Lifecycle is the table's mode on this node: "playing", "paused"
	// (PausedReason says why: nobody rolls until it resumes), "catching_up"
	// (Behind certified rounds to fetch before it bets or votes again),
	// "dissolving" (paused past the seat grace at 4+ seats: the players
	// present are certifying its dissolution) or "dissolved"; empty when this node does not play the table. Absent
	// lists the seats not heard from for a few seconds: they are still
	// seated (a seat is unseated only after the seat grace, at 4+ seats).
	Lifecycle    string   `json:"lifecycle,omitempty"`
	PausedReason string   `json:"paused_reason,omitempty"`
	Absent       []string `json:"absent,omitempty"`
	Behind       uint64   `json:"behind,omitempty"`
	// Evidence counts the Byzantine acts this node saw at the table
	// (equivocation, a reveal that does not open its commitment, a wrong
	// state hash, a bad signature); each is also an "evidence" event.
	Evidence int `json:"evidence"`
	// WaitingBets and RefusedBets are this node's player's own bets not on
	// the layout (mybets.go).
	WaitingBets []WaitingBet `json:"waiting_bets,omitempty"`
	RefusedBets []RefusedBet `json:"refused_bets,omitempty"`
}

// Roles of this node at a table (TableView.Role).
const (
	RoleSeated   = "seated"
	RoleWatching = "watching"
)

// How current a table view is (TableView.Sync).
const (
	// SyncLive: the view holds the newest certified round this node has
	// heard of, and the table's players answered recently.
	SyncLive = "live"
	// SyncCatchingUp: certified rounds this node has heard of are still
	// being fetched and checked (TableView.Behind of them).
	SyncCatchingUp = "catching_up"
	// SyncStale: no player of the table has answered for a while; the view
	// may be behind by rounds this node has not heard of.
	SyncStale = "stale"
)

// PlayerView is one seated player.
type PlayerView struct {
	PeerID string    `json:"peer_id"`
	Chips  int64     `json:"chips"`
	Bets   []BetView `json:"bets"`
}

// BetView is one open bet.
type BetView struct {
	ID     string `json:"id"`
	Type   string `json:"type"`
	Number int    `json:"number,omitempty"`
	Amount int64  `json:"amount"`
}

// RoundView is one certified round in GET .../rounds and the export.
type RoundView struct {
	Round       uint64          `json:"round"`
	Dice        [2]int          `json:"dice"`
	Void        bool            `json:"void"`
	StateHash   string          `json:"state_hash"`
	Certificate json.RawMessage `json:"certificate"`
	// Bets and Outcomes say what the round did, decoded (mybets.go).
	Bets     []RoundBet   `json:"bets"`
	Outcomes []game.Event `json:"outcomes,omitempty"`
}

// TableEvent is one live event of a table, streamed to subscribers and
// over server-sent events. Type is one of the EventXxx names; Data is its
// JSON payload.
type TableEvent struct {
	TableID string          `json:"table_id"`
	Type    string          `json:"type"`
	Data    json.RawMessage `json:"data"`
	// At is when the node emitted the event (Unix milliseconds); History
	// marks an event replayed to a new subscriber from the table's recent
	// past, not one that just happened.
	At      int64 `json:"at,omitempty"`
	History bool  `json:"history,omitempty"`
}

// Table event types.
const (
	EventBet        = "bet"         // BetView plus "player"
	EventRoll       = "roll"        // {"round","dice":[d1,d2],"phase","point"}
	EventSettlement = "settlement"  // {"round","outcomes":[{"player","bet","result","amount"}]}
	EventPhase      = "phase"       // {"phase","point"}
	EventSeat       = "seat"        // {"player","seated":bool,"chips"}
	EventTable      = "table"       // the whole TableView, after any change
	EventSettled    = "settled"     // {"round","state_hash"}: the round's Settle op is durable in this node's ledger
	EventEvidence   = "evidence"    // {"kind","offender","round","view"}: a Byzantine act seen by this node
	EventBetCarried = "bet_carried" // {"id","new_id","round"}: a bet that missed its round, placed in the next
	EventBetDropped = "bet_dropped" // {"id","reason"}: a bet that missed its round and the next one refused
	EventLifecycle  = "lifecycle"   // {"mode","reason","absent","behind"}: the table paused, resumed, is catching up or dissolved
)

// UserError is an error a player can act on; Code is stable for clients
// and decides the HTTP status (see CodeXxx). Message is written for people
// (amounts in CRAP); Detail, when set, carries the numbers behind it for
// programs (amounts in micro-CRAP), beside the message in the API's answer.
type UserError struct {
	Code    string
	Message string
	Detail  *ErrorDetail
}

// ErrorDetail is what a refusal was about, in the API's units.
type ErrorDetail struct {
	Table string `json:"table,omitempty"`
	// Bet is the bet id ("pass", "place_6").
	Bet string `json:"bet,omitempty"`
	// Amount is what was asked for, in micro-CRAP.
	Amount *int64 `json:"amount,omitempty"`
	// Limit is the bound it broke (table minimum or maximum, the most odds
	// allowed, the bank), in micro-CRAP.
	Limit *int64 `json:"limit,omitempty"`
	// Held is what the player holds where the amount was to come from
	// (chips at the table, the wallet), in micro-CRAP.
	Held *int64 `json:"held,omitempty"`
}

func (e *UserError) Error() string { return e.Message }

// Errorf builds a UserError with a formatted message.
func Errorf(code, format string, args ...any) *UserError {
	return &UserError{Code: code, Message: fmt.Sprintf(format, args...)}
}

// User error codes.
const (
	CodeBadRequest          = "bad_request"          // 400
	CodeUnknownTable        = "unknown_table"        // 404
	CodeInsufficientBalance = "insufficient_balance" // 409
	CodeTableFull           = "table_full"           // 409
	CodeBetNotAllowed       = "bet_not_allowed"      // 409
	CodeBankCannotCover     = "bank_cannot_cover"    // 409
	CodeNotShooter          = "not_shooter"          // 409
	CodeNotSeated           = "not_seated"           // 409
	CodeTooManyGames        = "too_many_games"       // 409
	CodeTableInPlay         = "table_in_play"        // 409: joins are taken before play starts
	CodeTableClosed         = "table_closed"         // 409: the table was cancelled or closed
	CodeNotHost             = "not_host"             // 403: only the table's host may do this
	CodeNotStarted          = "not_started"          // 409: the table has not started play (nothing to export)
	CodeHostUnreachable     = "host_unreachable"     // 504: the host did not answer a join in time
	CodeNotInitialized      = "not_initialized"      // 503
	CodeRateLimited         = "rate_limited"         // 429
	CodeTablePaused         = "table_paused"         // 409: absent players; the table resumes when they are back
)
