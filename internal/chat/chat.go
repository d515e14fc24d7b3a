package chat

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/bitcraps/bitcraps/internal/plugin"
	"github.com/bitcraps/bitcraps/messages"
)

// Version is the chat plugin's version.
const Version = "1.0.0"

// Limits, each with its reason.
const (
	// 500 characters: a chat line, not a document; it rides one envelope
	// to every player.
	maxText = 500
	// The last 200 lines are kept (per node, all tables): enough to catch
	// up on a conversation, bounded memory.
	defaultHistory = 200
	maxHistory     = 10_000
)

// Line is one chat line, as GET /messages lists it.
type Line struct {
	TableID string    `json:"table_id"`
	From    string    `json:"from"`
	Text    string    `json:"text"`
	At      time.Time `json:"at"`
	// Mine: this node's player said it.
	Mine bool `json:"mine"`
}

// Chat is the plugin.
type Chat struct {
	plugin.Base
	node    *plugin.Node
	me      string
	history int
	mu      sync.Mutex
	lines   []Line
}

// New is a chat waiting for Init.
func New() *Chat { return &Chat{} }

func (c *Chat) Info() *messages.PluginInfo {
	return &messages.PluginInfo{Name: "chat", Version: Version, Events: []string{"mesh_message"},
		Settings: []*messages.PluginSetting{{Name: "history", Meaning: "chat lines kept for GET /messages (default 200)"}}}
}

func (c *Chat) Init(_ context.Context, env plugin.Env) error {
	c.node, c.me = env.Node, env.PeerID
	var err error
	c.history, err = plugin.Settings(env.Settings).Int("history", defaultHistory, 1, maxHistory)
	return err
}

// body is what one chat line carries over the mesh.
type body struct {
	Text string `json:"text"`
}

// HandleEvent records a line from another player of the table (its node
// has checked the signature; the body and the seat are checked here).
func (c *Chat) HandleEvent(ctx context.Context, ev *messages.PluginEvent) error {
	if ev.Type != "mesh_message" {
		return nil
	}
	var m struct {
		TableID    string `json:"table_id"`
		From       string `json:"from"`
		Body       string `json:"body"`
		SentUnixMs int64  `json:"sent_unix_ms"`
	}
	var b body
	if err := json.Unmarshal(ev.Data, &m); err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(m.Body), &b); err != nil || checkText(b.Text) != nil {
		return fmt.Errorf("chat line from %s: not a chat body", m.From)
	}
	if !c.seated(ctx, m.TableID, m.From) {
		return fmt.Errorf("chat line from %s: not a player at table %s", m.From, m.TableID)
	}
	c.add(Line{TableID: m.TableID, From: m.From, Text: b.Text, At: time.UnixMilli(m.SentUnixMs).UTC()})
	return nil
}

// seated: only the table's players talk at it (a signed line from anyone
// else is dropped).
func (c *Chat) seated(ctx context.Context, table, player string) bool {
	var t messages.TableView
	if err := c.node.Call(ctx, http.MethodGet, "/api/v1/tables/"+url.PathEscape(table), nil, &t); err != nil {
		return false
	}
	for _, p := range t.Players {
		if p.PeerID == player {
			return true
		}
	}
	return false
}

func checkText(s string) error {
	if s == "" || !utf8.ValidString(s) || utf8.RuneCountInString(s) > maxText {
		return fmt.Errorf("text: want 1 to %d characters of UTF-8", maxText)
	}
	return nil
}

func (c *Chat) add(l Line) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lines = append(c.lines, l)
	if over := len(c.lines) - c.history; over > 0 {
		c.lines = append(c.lines[:0], c.lines[over:]...)
	}
}

// HandleHTTP: POST /messages {"table_id","text"} says a line at a table;
// GET /messages[?table=ID] lists the lines kept.
func (c *Chat) HandleHTTP(ctx context.Context, r *messages.PluginHTTPRequest) (*messages.PluginHTTPResponse, error) {
	switch {
	case r.Path == "/messages" && r.Method == http.MethodPost:
		return c.say(ctx, r)
	case r.Path == "/messages" && r.Method == http.MethodGet:
		q, _ := url.ParseQuery(r.Query)
		c.mu.Lock()
		out := []Line{}
		for _, l := range c.lines {
			if t := q.Get("table"); t == "" || t == l.TableID {
				out = append(out, l)
			}
		}
		c.mu.Unlock()
		return reply(http.StatusOK, out)
	}
	return c.Base.HandleHTTP(ctx, r)
}

func (c *Chat) say(ctx context.Context, r *messages.PluginHTTPRequest) (*messages.PluginHTTPResponse, error) {
	var in struct {
		TableID string `json:"table_id"`
		Text    string `json:"text"`
	}
	if err := json.Unmarshal(r.Body, &in); err != nil {
		return failure(http.StatusBadRequest, "bad_request", "body: want {\"table_id\",\"text\"}: "+err.Error())
	}
	if err := checkText(in.Text); err != nil {
		return failure(http.StatusBadRequest, "bad_request", err.Error())
	}
	raw, _ := json.Marshal(body{Text: in.Text})
	if err := c.node.Send(ctx, in.TableID, raw); err != nil {
		return failure(http.StatusConflict, "not_sent", err.Error())
	}
	l := Line{TableID: in.TableID, From: c.me, Text: in.Text, At: time.Now().UTC(), Mine: true}
	c.add(l)
	return reply(http.StatusAccepted, l)
}

func reply(status int, v any) (*messages.PluginHTTPResponse, error) {
	raw, err := json.Marshal(v)
	return &messages.PluginHTTPResponse{Status: int32(status), Body: raw}, err
}

func failure(status int, code, msg string) (*messages.PluginHTTPResponse, error) {
	return reply(status, map[string]any{"error": map[string]string{"code": code, "message": msg}})
}
