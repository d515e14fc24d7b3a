package notifier

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/bitcraps/bitcraps/internal/plugin"
	"github.com/bitcraps/bitcraps/messages"
)

// Version is the notifier plugin's version.
const Version = "1.0.0"

// Defaults, each with its reason.
const (
	// 100 events: a minute of a busy table's rolls and settlements while
	// the receiver is briefly down; past it events are dropped, counted.
	defaultQueue = 100
	// Three retries with a doubling pause from 200 ms ride out a receiver
	// restart of about a second and a half; then the event is given up
	// (counted as failed) so one bad event cannot stall the rest.
	defaultRetries = 3
	defaultBackoff = 200 * time.Millisecond
	// Five seconds per POST: a webhook answers in milliseconds; longer is
	// a receiver that is down.
	defaultTimeout = 5 * time.Second
	// A queue of more than 10,000 events is a mistake in the settings.
	maxQueue = 10_000
)

// EventTypes are the events the notifier can forward: the table events and
// the node's state transitions.
var EventTypes = []string{messages.EventBet, messages.EventRoll, messages.EventSettlement, messages.EventSettled,
	messages.EventPhase, messages.EventSeat, messages.EventLifecycle, messages.EventEvidence, "node_state"}

var defaultEvents = []string{messages.EventBet, messages.EventRoll, messages.EventSettlement, messages.EventSeat, "node_state"}

// Notification is the JSON body of one POST.
type Notification struct {
	// Seq numbers the events the notifier accepted, dropped ones
	// included: a gap in Seq is events lost to a full queue.
	Seq     uint64          `json:"seq"`
	Type    string          `json:"type"`
	TableID string          `json:"table_id,omitempty"`
	Data    json.RawMessage `json:"data"`
	// Dropped counts the events dropped so far (by the notifier's queue,
	// and before it by the node's queue for this plugin).
	Dropped uint64 `json:"dropped"`
	Node    string `json:"node"`
}

// Stats is GET /api/v1/plugins/NAME/status.
type Stats struct {
	URL      string   `json:"url"`
	Events   []string `json:"events"`
	Accepted uint64   `json:"accepted"`
	Sent     uint64   `json:"sent"`
	Retries  uint64   `json:"retries"`
	Failed   uint64   `json:"failed"`
	Dropped  uint64   `json:"dropped"`
	Queued   int      `json:"queued"`
	// NodeDropped: events the node dropped before they reached the plugin.
	NodeDropped uint64 `json:"node_dropped"`
	LastError   string `json:"last_error,omitempty"`
}

// Notifier is the plugin.
type Notifier struct {
	plugin.Base
	node    string
	url     string
	events  []string
	retries int
	backoff time.Duration
	client  *http.Client
	queue   chan Notification
	worker  plugin.Worker

	mu    sync.Mutex
	stats Stats
	seq   uint64
}

// New is a notifier waiting for Init.
func New() *Notifier { return &Notifier{} }

func (n *Notifier) Info() *messages.PluginInfo {
	return &messages.PluginInfo{Name: "notifier", Version: Version, Events: EventTypes,
		Settings: []*messages.PluginSetting{
			{Name: "url", Meaning: "http:// or https:// URL each event is POSTed to", Required: true},
			{Name: "events", Meaning: "comma-separated event types to send (default bet,roll,settlement,seat,node_state); any of " + strings.Join(EventTypes, ",")},
			{Name: "queue", Meaning: "events held while the receiver is slow, past which they are dropped (default 100)"},
			{Name: "retries", Meaning: "retries of a failed POST before the event is given up (default 3)"},
			{Name: "backoff", Meaning: "pause before the first retry, doubling (default 200ms)"},
			{Name: "timeout", Meaning: "bound of one POST (default 5s)"},
		}}
}

func (n *Notifier) Init(_ context.Context, env plugin.Env) error {
	s := plugin.Settings(env.Settings)
	u, err := url.Parse(s["url"])
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("setting url: want an http:// or https:// URL, got %q", s["url"])
	}
	n.url, n.node = u.String(), env.PeerID
	n.events = defaultEvents
	if e := s["events"]; e != "" {
		n.events = strings.Split(e, ",")
		for _, typ := range n.events {
			if !slices.Contains(EventTypes, typ) {
				return fmt.Errorf("setting events: %q is not one of %s", typ, strings.Join(EventTypes, ","))
			}
		}
	}
	size, err := s.Int("queue", defaultQueue, 1, maxQueue)
	if err != nil {
		return err
	}
	if n.retries, err = s.Int("retries", defaultRetries, 0, 100); err != nil {
		return err
	}
	if n.backoff, err = s.Duration("backoff", defaultBackoff); err != nil {
		return err
	}
	timeout, err := s.Duration("timeout", defaultTimeout)
	if err != nil {
		return err
	}
	n.client = &http.Client{Timeout: timeout}
	n.queue = make(chan Notification, size)
	n.stats = Stats{URL: n.url, Events: n.events}
	return nil
}

func (n *Notifier) Start(context.Context) error {
	n.worker.Go(n.send)
	return nil
}

func (n *Notifier) Stop(context.Context) error {
	n.worker.Halt()
	return nil
}

// HandleEvent queues an event it was told to send, or drops it (counted)
// when the queue is full: it never waits for the receiver.
func (n *Notifier) HandleEvent(_ context.Context, ev *messages.PluginEvent) error {
	if !slices.Contains(n.events, ev.Type) {
		return nil
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	n.seq++
	n.stats.Accepted++
	n.stats.NodeDropped = ev.Dropped
	data := json.RawMessage(ev.Data)
	if len(data) == 0 {
		data = json.RawMessage("null")
	}
	note := Notification{Seq: n.seq, Type: ev.Type, TableID: ev.TableId, Data: data, Node: n.node}
	select {
	case n.queue <- note:
	default:
		n.stats.Dropped++
	}
	return nil
}

// HandleHTTP serves GET /status.
func (n *Notifier) HandleHTTP(ctx context.Context, r *messages.PluginHTTPRequest) (*messages.PluginHTTPResponse, error) {
	if r.Method != http.MethodGet || r.Path != "/status" {
		return n.Base.HandleHTTP(ctx, r)
	}
	n.mu.Lock()
	st := n.stats
	st.Queued = len(n.queue)
	n.mu.Unlock()
	body, err := json.Marshal(st)
	return &messages.PluginHTTPResponse{Status: http.StatusOK, Body: body}, err
}

// send POSTs queued events one at a time, in order.
func (n *Notifier) send(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case note := <-n.queue:
			n.mu.Lock()
			note.Dropped = n.stats.Dropped + n.stats.NodeDropped
			n.mu.Unlock()
			n.deliver(ctx, note)
		}
	}
}

// deliver POSTs one event, retrying with a doubling pause.
func (n *Notifier) deliver(ctx context.Context, note Notification) {
	body, _ := json.Marshal(note)
	pause := n.backoff
	for attempt := 0; ; attempt++ {
		err := n.post(ctx, body)
		n.mu.Lock()
		switch {
		case err == nil:
			n.stats.Sent++
		case attempt < n.retries && ctx.Err() == nil:
			n.stats.Retries++
			n.stats.LastError = err.Error()
		default:
			n.stats.Failed++
			n.stats.LastError = err.Error()
		}
		n.mu.Unlock()
		if err == nil || attempt >= n.retries || ctx.Err() != nil {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(pause):
		}
		pause *= 2
	}
}

func (n *Notifier) post(ctx context.Context, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "bitcraps-notifier/"+Version)
	resp, err := n.client.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("POST %s: %s", n.url, resp.Status)
	}
	return nil
}
