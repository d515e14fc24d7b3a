package plugins

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/internal/config"
	"github.com/bitcraps/bitcraps/internal/plugin"
	"github.com/bitcraps/bitcraps/messages"
)

// ServiceName is the plugins service's name under the root supervisor.
const ServiceName = "plugins"

// EventNodeState is the type of a node state transition event; its data
// is {"from","to","reason"}.
const EventNodeState = "node_state"

// Defaults, each with its reason.
const (
	// 256 events per plugin: several rounds of a full table (about one
	// event per player and bet per round) while the plugin is busy; past
	// it the plugin loses events, counted, instead of holding memory.
	DefaultQueueSize = 256
	// One second: how soon a table this node sits at or hosts starts
	// feeding plugins its events.
	DefaultSubscribeEvery = time.Second
)

// Options configure the plugins service.
type Options struct {
	Specs  []config.PluginSpec
	PeerID string
	// API answers plugins' calls of the node's API (before their rights
	// are checked by internal/plugin).
	API plugin.API
	// Games is the games service, whose table events plugins receive.
	Games *actor.PID
	// Mesh carries plugin messages between players; Signer signs them as
	// this node's player.
	Mesh      *actor.PID
	Signer    messages.Signer
	Directory *Directory
	Logger    *slog.Logger
	// QueueSize bounds each plugin's event queue (DefaultQueueSize).
	QueueSize int
	// SubscribeEvery is how often the service looks for new tables
	// (DefaultSubscribeEvery).
	SubscribeEvery time.Duration
}

// NodeState tells the service about a node state transition (sent by the
// node from its supervisor's audit hook).
type NodeState struct {
	From, To, Reason string
}

// refused: a child will not run its plugin (checksum, settings).
type refused struct{ name, reason string }

// subscribeTick: time to look for new tables.
type subscribeTick struct{}

// NewProps checks opts and returns the service's props producer.
func NewProps(opts Options) (func() *actor.Props, error) {
	if opts.Directory == nil || opts.API == nil {
		return nil, errors.New("plugins: Options.Directory and Options.API are required")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.QueueSize <= 0 {
		opts.QueueSize = DefaultQueueSize
	}
	if opts.SubscribeEvery <= 0 {
		opts.SubscribeEvery = DefaultSubscribeEvery
	}
	return func() *actor.Props {
		return actor.PropsFromProducer(func() actor.Actor { return &host{opts: opts, problems: map[string]string{}} },
			actor.WithSupervisor(newBudgets(opts.Specs)))
	}, nil
}

// host is the service actor: the plugins' parent, their event source and
// the one that reports their health.
type host struct {
	opts     Options
	children []*actor.PID
	// problems are the plugins refused or past their budget, with why.
	problems map[string]string
	stopping bool
	timer    *time.Timer
}

func (h *host) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		h.start(ctx)
	case *subscribeTick:
		h.subscribe(ctx)
	case *messages.TableList:
		h.subscribeAll(ctx, m)
	case *messages.MeshDelivery:
		h.delivered(ctx, m)
	case *messages.TableEvent:
		h.fanOut(ctx, &messages.PluginEvent{Type: m.Type, TableId: m.TableID, Data: m.Data})
	case *NodeState:
		data, _ := json.Marshal(map[string]string{"from": m.From, "to": m.To, "reason": m.Reason})
		h.fanOut(ctx, &messages.PluginEvent{Type: EventNodeState, Data: data})
	case *refused:
		h.problems[m.name] = "refused: " + m.reason
		h.report(ctx)
	case *actor.Terminated:
		h.terminated(ctx, m)
	case *actor.Stopping:
		h.stopping = true
		if h.timer != nil {
			h.timer.Stop()
		}
	}
}

func (h *host) start(ctx actor.Context) {
	for _, spec := range h.opts.Specs {
		mesh := h.opts.meshSend(ctx.ActorSystem(), spec.Name)
		props := actor.PropsFromProducer(func() actor.Actor { return newRunner(spec, h.opts, mesh) })
		pid, err := ctx.SpawnNamed(props, spec.Name)
		if err != nil {
			h.problems[spec.Name] = fmt.Sprintf("not started: %v", err)
			continue
		}
		h.children = append(h.children, pid)
	}
	h.report(ctx)
	if len(h.opts.Specs) > 0 && h.opts.Games != nil {
		ctx.Send(ctx.Self(), &subscribeTick{})
	}
}

// subscribe asks the games service for its tables; subscribeAll then
// subscribes to those this node sits at or hosts (subscribing is
// idempotent, and repeating it survives a restart of the games service).
func (h *host) subscribe(ctx actor.Context) {
	ctx.Request(h.opts.Games, &messages.ListTables{})
	if h.opts.Mesh != nil { // again each time: a restarted mesh forgot us
		ctx.Request(h.opts.Mesh, &messages.SubscribeMesh{Subscriber: ctx.Self(),
			Types: []messages.MessageType{messages.MessageType_MESSAGE_TYPE_DATA}})
	}
	sys, self := ctx.ActorSystem(), ctx.Self()
	h.timer = time.AfterFunc(h.opts.SubscribeEvery, func() { sys.Root.Send(self, &subscribeTick{}) })
}

func (h *host) subscribeAll(ctx actor.Context, list *messages.TableList) {
	for _, t := range list.Items {
		if t.Status == "closed" || (!t.Seated && t.Host != h.opts.PeerID) {
			continue
		}
		ctx.Request(h.opts.Games, &messages.SubscribeTable{TableID: t.ID, Subscriber: ctx.Self()})
	}
}

func (h *host) fanOut(ctx actor.Context, ev *messages.PluginEvent) {
	for _, c := range h.children {
		ctx.Send(c, ev)
	}
}

// terminated: a plugin past its budget was stopped by the strategy.
func (h *host) terminated(ctx actor.Context, m *actor.Terminated) {
	name := childName(m.Who)
	for i, c := range h.children {
		if c.Equal(m.Who) {
			h.children = append(h.children[:i], h.children[i+1:]...)
			break
		}
	}
	if h.stopping {
		return
	}
	if st, ok := h.opts.Directory.Get(name); ok && st.State != StateRefused {
		reason := fmt.Sprintf("crashed more than %d times within its budget; stopped until the node restarts", budgetOf(h.opts.Specs, name))
		h.opts.Directory.update(name, func(e *entry) { e.status.State, e.status.Reason, e.conn = StateFailed, reason, nil })
		h.problems[name] = "failed: " + reason
	}
	h.report(ctx)
}

func budgetOf(specs []config.PluginSpec, name string) int {
	for _, s := range specs {
		if s.Name == name {
			return s.MaxRestarts
		}
	}
	return 0
}

// report tells the root: Healthy while every plugin runs or is restarted
// within its budget, Degraded (the node serves; a plugin does not) once
// one is refused or failed.
func (h *host) report(ctx actor.Context) {
	hs := &messages.ServiceHealth{Service: ServiceName, Status: messages.Healthy,
		Reason: fmt.Sprintf("%d plugins", len(h.opts.Specs))}
	if len(h.problems) > 0 {
		var parts []string
		for _, name := range slices.Sorted(maps.Keys(h.problems)) {
			parts = append(parts, name+" "+h.problems[name])
		}
		hs.Status, hs.Reason = messages.Degraded, strings.Join(parts, "; ")
	}
	ctx.Send(ctx.Parent(), hs)
}
