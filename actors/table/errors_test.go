package table

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bitcraps/bitcraps/internal/identity"
	"github.com/bitcraps/bitcraps/internal/ledger"
	"github.com/bitcraps/bitcraps/messages"
)

// wantUserError checks that err is a UserError with code whose message
// contains every fragment.
func wantUserError(t *testing.T, what string, err error, code string, fragments ...string) {
	t.Helper()
	var ue *messages.UserError
	if !errors.As(err, &ue) || ue.Code != code {
		t.Fatalf("%s: got %v (%T), want user error %s", what, err, err, code)
	}
	for _, f := range fragments {
		if !strings.Contains(ue.Message, f) {
			t.Fatalf("%s: message %q lacks %q", what, ue.Message, f)
		}
	}
}

func TestUserErrors(t *testing.T) {
	var running atomic.Bool
	running.Store(true)
	n := startNode(t, 3, func(o *Options) {
		o.Running = running.Load
		o.MaxGames = 10
	})
	games := func(msg any) any { return n.ask("games", msg) }

	t.Run("insufficient balance to create", func(t *testing.T) {
		req := soloTable()
		req.Bankroll = 2000 * crap
		err := games(req).(*messages.TableReply).Err
		wantUserError(t, "create", err, messages.CodeInsufficientBalance, "the wallet holds 1000 CRAP, 2200 CRAP needed")
	})
	t.Run("bad settings name the setting", func(t *testing.T) {
		req := soloTable()
		req.MinPlayers, req.MaxPlayers = 3, 2
		wantUserError(t, "create", games(req).(*messages.TableReply).Err, messages.CodeBadRequest, "max_players")
		req = soloTable()
		req.OddsMultiple = "3-x-5"
		wantUserError(t, "create", games(req).(*messages.TableReply).Err, messages.CodeBadRequest, "odds_multiple")
	})
	t.Run("unknown table", func(t *testing.T) {
		wantUserError(t, "get", games(&messages.GetTable{TableID: "0011223344556677"}).(*messages.TableReply).Err,
			messages.CodeUnknownTable, "0011223344556677")
		wantUserError(t, "join", games(&messages.JoinTable{TableID: "0011223344556677", BuyIn: crap}).(*messages.TableReply).Err,
			messages.CodeUnknownTable)
		wantUserError(t, "bet", games(&messages.PlaceBet{TableID: "0011223344556677", Type: "pass", Amount: crap}).(*messages.BetReply).Err,
			messages.CodeUnknownTable)
	})

	v := createTable(t, n, soloTable())
	t.Run("bet not allowed now names the phase", func(t *testing.T) {
		err := games(&messages.PlaceBet{TableID: v.ID, Type: "come", Amount: crap}).(*messages.BetReply).Err
		wantUserError(t, "come on the come-out", err, messages.CodeBetNotAllowed,
			"table "+v.ID+": bet of 1 CRAP on come is not allowed now: come is placed only while a point is on, and the table is on the come-out")
	})
	t.Run("insufficient chips name chips and amount", func(t *testing.T) {
		poor := createTable(t, n, &messages.CreateTable{MinPlayers: 1, MaxPlayers: 1, Bankroll: 100 * crap, MinBet: crap,
			MaxBet: 50 * crap, BetWindow: time.Hour, BuyIn: 10 * crap})
		err := games(&messages.PlaceBet{TableID: poor.ID, Type: "pass", Amount: 20 * crap}).(*messages.BetReply).Err
		wantUserError(t, "pass 20 with 10 in chips", err, messages.CodeInsufficientBalance,
			"table "+poor.ID+": bet of 20 CRAP on pass needs 20 CRAP in chips; you hold 10 CRAP")
	})
	t.Run("not shooter is not the case alone; roll works", func(t *testing.T) {
		if ack := games(&messages.RollDice{TableID: v.ID}).(*messages.Ack); ack.Err != nil {
			t.Fatal(ack.Err)
		}
	})
	t.Run("bank cannot cover", func(t *testing.T) {
		small := createTable(t, n, &messages.CreateTable{MinPlayers: 1, MaxPlayers: 1, Bankroll: 2 * crap, MinBet: crap,
			MaxBet: 50 * crap, BetWindow: time.Hour, BuyIn: 50 * crap})
		err := games(&messages.PlaceBet{TableID: small.ID, Type: "field", Amount: 10 * crap}).(*messages.BetReply).Err
		wantUserError(t, "field 10 on a bank of 2", err, messages.CodeBankCannotCover,
			"table "+small.ID+": bet of 10 CRAP on field is more than the bank can cover", "the bank holds 2 CRAP")
	})
	t.Run("table full", func(t *testing.T) {
		// A table of another host, announced full.
		host := newIdentity(t, 99)
		rec := &record{ID: "feedfacefeedface", Host: string(host.PeerID()), Status: statusPlaying, Version: 1,
			Settings: settings{MinPlayers: 1, MaxPlayers: 1}, Seats: []seat{{Player: string(host.PeerID()), Chips: crap}}}
		announce(t, n, host, rec)
		eventually(t, 5*time.Second, "announced table listed", func() (bool, string) {
			return games(&messages.GetTable{TableID: rec.ID}).(*messages.TableReply).Err == nil, ""
		})
		err := games(&messages.JoinTable{TableID: rec.ID, BuyIn: crap}).(*messages.TableReply).Err
		wantUserError(t, "join", err, messages.CodeTableFull, "1 of 1")
		err = games(&messages.PlaceBet{TableID: rec.ID, Type: "pass", Amount: crap}).(*messages.BetReply).Err
		wantUserError(t, "bet where not seated", err, messages.CodeNotSeated)
	})
	t.Run("not initialized", func(t *testing.T) {
		running.Store(false)
		defer running.Store(true)
		wantUserError(t, "create", games(soloTable()).(*messages.TableReply).Err, messages.CodeNotInitialized)
		wantUserError(t, "bet", games(&messages.PlaceBet{TableID: v.ID, Type: "pass", Amount: crap}).(*messages.BetReply).Err,
			messages.CodeNotInitialized)
		if r := games(&messages.GetTable{TableID: v.ID}).(*messages.TableReply); r.Err != nil {
			t.Fatalf("reads work while not running: %v", r.Err)
		}
	})
	if h := n.holdings(); h.Wallet < 0 {
		t.Fatalf("wallet %d", h.Wallet)
	}
	n.verifyLedger()
}

func TestRateLimited(t *testing.T) {
	n := startNode(t, 4, func(o *Options) { o.RequestRate, o.RequestBurst = 0.001, 3 })
	v := createTable(t, n, soloTable())
	var last error
	for range 3 {
		last = n.ask("games", &messages.PlaceBet{TableID: v.ID, Type: "field", Amount: crap}).(*messages.BetReply).Err
	}
	wantUserError(t, "fourth request in a burst of 3", last, messages.CodeRateLimited, "burst 3")
}

func TestTooManyGames(t *testing.T) {
	n := startNode(t, 5, func(o *Options) { o.MaxGames = 1 })
	createTable(t, n, soloTable())
	err := n.ask("games", soloTable()).(*messages.TableReply).Err
	wantUserError(t, "second table", err, messages.CodeTooManyGames, "--max-games 1")
}

// A join the host never answers: host_unreachable after the join timeout,
// and leaving takes the buy-in back.
func TestUnansweredJoinIsRefundedOnLeave(t *testing.T) {
	n := startNode(t, 7, func(o *Options) { o.JoinTimeout = 300 * time.Millisecond })
	host := newIdentity(t, 98)
	fund := ledger.Op{Kind: ledger.KindFundBank, Owner: host.PeerID(), Table: "feedface00000001", Amount: 10 * crap, Seq: 1}
	fund.Sign(host.PrivateKey)
	rec := &record{ID: fund.Table, Host: string(host.PeerID()), Status: statusWaiting, Version: 1, Ops: []ledger.Op{fund},
		Settings: settings{MinPlayers: 2, MaxPlayers: 2, Bankroll: 10 * crap}}
	announce(t, n, host, rec)
	eventually(t, 5*time.Second, "the host's bank is in our ledger", func() (bool, string) {
		r := n.ask("ledger", &messages.LedgerTableRequest{Table: rec.ID}).(*messages.LedgerTable)
		return r.Found, fmt.Sprint(r.Err)
	})
	err := n.ask("games", &messages.JoinTable{TableID: rec.ID, BuyIn: 30 * crap}).(*messages.TableReply).Err
	wantUserError(t, "join", err, messages.CodeHostUnreachable, "leave to take it back")
	if h := n.holdings(); h.Wallet != initialBalance-30*crap || h.Chips[rec.ID] != 30*crap {
		t.Fatalf("after the join: %+v", h)
	}
	if ack := n.ask("games", &messages.LeaveTable{TableID: rec.ID}).(*messages.Ack); ack.Err != nil {
		t.Fatal(ack.Err)
	}
	eventually(t, 5*time.Second, "buy-in back", func() (bool, string) {
		h := n.holdings()
		return h.Wallet == initialBalance && h.Chips[rec.ID] == 0, fmt.Sprintf("%+v", h)
	})
	n.verifyLedger()
}

// announce hands n's games service host's announcement of recs, as the
// mesh would deliver it.
func announce(t *testing.T, n *node, host *identity.Identity, recs ...*record) {
	t.Helper()
	raw, _ := json.Marshal(announcement{Tables: recs})
	env, err := messages.NewEnvelope(messages.Signer{PublicKey: host.PublicKey, Sign: host.Sign},
		messages.MessageType_MESSAGE_TYPE_TABLE_ANNOUNCE, raw, messages.DefaultTTL)
	if err != nil {
		t.Fatal(err)
	}
	n.sys.Root.Send(n.pid("games"), &messages.MeshDelivery{From: string(host.PeerID()), Envelope: env})
}
