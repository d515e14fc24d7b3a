package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/bitcraps/bitcraps/internal/config"
	"github.com/bitcraps/bitcraps/internal/plugin"
	"github.com/bitcraps/bitcraps/messages"
)

// Version is the bot plugin's version, as `bitcraps plugins list` shows it.
const Version = "1.0.0"

// Defaults, each with its reason.
const (
	// The bot looks at its table five times a second (and at once when a
	// roll event arrives): a round follows the last one without delay, at
	// the cost of a local API call.
	defaultPoll = 200 * time.Millisecond
	// As shooter it waits this long after betting before it asks for the
	// roll, so the other players' bets placed on the same round are in.
	defaultShooterPause = 700 * time.Millisecond
)

// settings the bot declares (Info), with their meaning.
var settings = []*messages.PluginSetting{
	{Name: "table", Meaning: "id of the table to play at (default: the first table this node's player can join, or sits at)"},
	{Name: "strategy", Meaning: "pass-odds (default), dont-pass, place-6-8 or martingale"},
	{Name: "unit", Meaning: "base stake in CRAP (default 1)"},
	{Name: "stop_loss", Meaning: "martingale only: stop betting once this many CRAP below the first chips"},
	{Name: "buy_in", Meaning: "CRAP to sit down with if the node's player is not seated yet (default: wait to be seated)"},
	{Name: "rounds", Meaning: "stop after this many certified rounds of the table (default: play on)"},
	{Name: "poll", Meaning: "how often the table is looked at (default 200ms)"},
	{Name: "shooter_pause", Meaning: "as shooter, wait this long after betting before the roll (default 700ms)"},
}

// Player is the bot plugin.
type Player struct {
	plugin.Base
	node             *plugin.Node
	me, table        string
	strategy         Strategy
	strategyName     string
	buyIn            int64
	rounds           uint64
	poll, pause      time.Duration
	wake             chan struct{}
	worker           plugin.Worker
	betRound, rolled uint64
	started, joined  bool
	betAt            time.Time

	mu    sync.Mutex
	stats Stats
}

// Stats is what GET /api/v1/plugins/NAME/status answers.
type Stats struct {
	Table     string `json:"table"`
	Strategy  string `json:"strategy"`
	Round     uint64 `json:"round"`
	Bets      int    `json:"bets"`
	Rolls     int    `json:"rolls"`
	Refused   int    `json:"refused"`
	Stopped   string `json:"stopped,omitempty"`
	LastError string `json:"last_error,omitempty"`
	Paused    bool   `json:"paused"`
}

// New is a bot waiting for Init.
func New() *Player { return &Player{wake: make(chan struct{}, 1)} }

func (p *Player) Info() *messages.PluginInfo {
	return &messages.PluginInfo{Name: "bot", Version: Version, Settings: settings,
		Events: []string{messages.EventRoll, messages.EventSettled, "node_state"}}
}

func (p *Player) Init(_ context.Context, env plugin.Env) error {
	s := env.Settings
	p.node, p.me, p.table = env.Node, env.PeerID, s["table"]
	if url.PathEscape(p.table) != p.table {
		return fmt.Errorf("setting table: %q is not a table id", p.table)
	}
	p.strategyName = orDefault(s["strategy"], PassOdds)
	unit, err := crapSetting(s, "unit", config.MicrosPerCRAP)
	if err != nil {
		return err
	}
	stopLoss, err := crapSetting(s, "stop_loss", 0)
	if err != nil {
		return err
	}
	if p.buyIn, err = crapSetting(s, "buy_in", 0); err != nil {
		return err
	}
	if p.strategy, err = NewStrategy(p.strategyName, unit, stopLoss); err != nil {
		return fmt.Errorf("setting strategy: %w", err)
	}
	if r := s["rounds"]; r != "" {
		if p.rounds, err = strconv.ParseUint(r, 10, 64); err != nil {
			return fmt.Errorf("setting rounds: %q is not a count", r)
		}
	}
	if p.poll, err = plugin.Settings(s).Duration("poll", defaultPoll); err != nil {
		return err
	}
	if p.pause, err = plugin.Settings(s).Duration("shooter_pause", defaultShooterPause); err != nil {
		return err
	}
	p.stats = Stats{Table: p.table, Strategy: p.strategyName}
	return nil
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func crapSetting(s map[string]string, name string, def int64) (int64, error) {
	if s[name] == "" {
		return def, nil
	}
	v, err := config.ParseCRAP(s[name])
	if err != nil {
		return 0, fmt.Errorf("setting %s: %w", name, err)
	}
	return v, nil
}

// Start plays on a goroutine of its own until Stop.
func (p *Player) Start(context.Context) error {
	p.worker.Go(p.run)
	return nil
}

func (p *Player) Stop(context.Context) error {
	p.worker.Halt()
	return nil
}

// HandleEvent wakes the loop on a roll (the next round's bets go in at
// once) and pauses play while the node is not serving.
func (p *Player) HandleEvent(_ context.Context, ev *messages.PluginEvent) error {
	if ev.Type == "node_state" {
		var st struct{ To string }
		if json.Unmarshal(ev.Data, &st) == nil {
			p.update(func(s *Stats) { s.Paused = st.To != "Running" && st.To != "Degraded" })
		}
	}
	select {
	case p.wake <- struct{}{}:
	default:
	}
	return nil
}

// HandleHTTP serves GET /status.
func (p *Player) HandleHTTP(_ context.Context, r *messages.PluginHTTPRequest) (*messages.PluginHTTPResponse, error) {
	if r.Method != http.MethodGet || r.Path != "/status" {
		return p.Base.HandleHTTP(context.Background(), r)
	}
	p.mu.Lock()
	body, err := json.Marshal(p.stats)
	p.mu.Unlock()
	return &messages.PluginHTTPResponse{Status: http.StatusOK, Body: body}, err
}

func (p *Player) update(f func(s *Stats)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	f(&p.stats)
}

func (p *Player) run(ctx context.Context) {
	t := time.NewTicker(p.poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-p.wake:
		}
		if err := p.step(ctx); err != nil && ctx.Err() == nil {
			p.update(func(s *Stats) { s.LastError = err.Error() })
		}
	}
}

// step looks at the table once: sit down if asked to, place this round's
// bets once, and as shooter ask for the roll.
func (p *Player) step(ctx context.Context) error {
	p.mu.Lock()
	paused, stopped := p.stats.Paused, p.stats.Stopped != ""
	p.mu.Unlock()
	if paused {
		return nil
	}
	if p.table == "" {
		if err := p.pickTable(ctx); err != nil || p.table == "" {
			return err
		}
	}
	path := "/api/v1/tables/" + p.table
	var t messages.TableView
	if err := p.node.Call(ctx, http.MethodGet, path, nil, &t); err != nil {
		return err
	}
	p.update(func(s *Stats) { s.Round = t.Round })
	if p.rounds > 0 && t.Round >= p.rounds {
		p.update(func(s *Stats) { s.Stopped = fmt.Sprintf("played the %d rounds asked for", p.rounds) })
		return nil
	}
	if !t.Seated {
		if p.buyIn > 0 && !p.joined && (t.Status == "waiting" || t.Joinable) {
			p.joined = true
			return p.node.Call(ctx, http.MethodPost, path+"/join", map[string]int64{"buy_in": p.buyIn}, nil)
		}
		return nil
	}
	if t.Status != "playing" || t.Shooter == "" {
		return nil
	}
	if !p.started || t.Round != p.betRound {
		p.started, p.betRound, p.betAt = true, t.Round, time.Now()
		if !stopped {
			p.bet(ctx, path, &t)
		}
	}
	if t.Shooter == p.me && t.Round == p.betRound && p.rolled != t.Round+1 && time.Since(p.betAt) >= p.pause {
		if err := p.node.Call(ctx, http.MethodPost, path+"/roll", nil, nil); err != nil {
			return err
		}
		p.rolled = t.Round + 1
		p.update(func(s *Stats) { s.Rolls++ })
	}
	return nil
}

// pickTable takes the first table this node's player sits at or can join
// (and, without a buy_in, only one it sits at).
func (p *Player) pickTable(ctx context.Context) error {
	var list []messages.TableView
	if err := p.node.Call(ctx, http.MethodGet, "/api/v1/tables", nil, &list); err != nil {
		return err
	}
	for _, t := range list {
		if t.Status != "closed" && (t.Seated || (p.buyIn > 0 && t.Joinable)) {
			p.table = t.ID
			p.update(func(s *Stats) { s.Table = t.ID })
			return nil
		}
	}
	return nil
}

func (p *Player) bet(ctx context.Context, path string, t *messages.TableView) {
	seat := Seat{Phase: t.Phase, Point: t.Point, MinBet: t.MinBet, MaxBet: t.MaxBet}
	for _, pl := range t.Players {
		if pl.PeerID == p.me {
			seat.Chips, seat.Bets = pl.Chips, pl.Bets
		}
	}
	bets := p.strategy.Next(seat)
	if why := p.strategy.Stopped(); why != "" {
		p.update(func(s *Stats) { s.Stopped = why })
	}
	for _, b := range bets {
		err := p.node.Call(ctx, http.MethodPost, path+"/bets", b, nil)
		p.update(func(s *Stats) {
			if err != nil {
				s.Refused++
				if !errors.Is(err, context.Canceled) {
					s.LastError = err.Error()
				}
				return
			}
			s.Bets++
		})
	}
}
