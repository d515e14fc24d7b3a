package plugins

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/internal/config"
	"github.com/bitcraps/bitcraps/internal/plugin"
	"github.com/bitcraps/bitcraps/messages"
)

// Timings of one plugin, each with its reason.
const (
	// Ten seconds for Init and Start: they only hand over settings and
	// start the plugin's own goroutines.
	startTimeout = 10 * time.Second
	// Two seconds for Stop before the process is killed: a plugin that
	// needs longer is losing work it should have saved already.
	stopTimeout = 2 * time.Second
	// Five seconds per event: past it the plugin is wedged and its queue
	// fills (drops are counted), instead of one event holding the rest.
	eventTimeout = 5 * time.Second
	// The process is checked for an exit five times a second: a crash is
	// restarted within a fraction of a second.
	exitPoll = 200 * time.Millisecond
)

// launched: the process is up (or could not be started).
type launched struct {
	proc *plugin.Process
	info *messages.PluginInfo
	err  error
}

// ready: Init and Start returned.
type ready struct{ err error }

// exited: the plugin process ended without being asked to.
type exited struct{ proc *plugin.Process }

// errRefused marks a plugin that must not be started again as it is (a
// wrong binary, undeclared settings): it is not a crash.
var errRefused = errors.New("plugin refused")

// runner is one plugin's actor: it starts the process, feeds it events and
// crashes (to be restarted by its budget) when the process exits.
type runner struct {
	spec  config.PluginSpec
	opts  Options
	mesh  plugin.MeshSend
	log   *slog.Logger
	proc  *plugin.Process
	info  *messages.PluginInfo
	queue chan *messages.PluginEvent
	// seq numbers the events offered; dropped counts those the full queue
	// refused (shared with the directory).
	seq     uint64
	dropped atomic.Uint64
	stop    context.CancelFunc
}

func newRunner(spec config.PluginSpec, opts Options, mesh plugin.MeshSend) *runner {
	return &runner{spec: spec, opts: opts, mesh: mesh, log: opts.Logger.With("plugin", spec.Name)}
}

func (r *runner) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		r.start(ctx)
	case *launched:
		r.launched(ctx, m)
	case *ready:
		r.ready(ctx, m)
	case *exited:
		if m.proc == r.proc { // not a previous incarnation's process
			panic(fmt.Sprintf("plugin %s: its process exited", r.spec.Name))
		}
	case *messages.PluginEvent:
		r.offer(m)
	case *actor.Stopping:
		r.shutdown(StateStopped)
	case *actor.Restarting:
		r.shutdown(StateRestarting)
	}
}

func (r *runner) start(ctx actor.Context) {
	r.opts.Directory.update(r.spec.Name, func(e *entry) {
		e.status.Restarts, e.starts = e.starts, e.starts+1
		e.status.State, e.status.Reason, e.conn = StateStarting, "", nil
	})
	self, system, spec := ctx.Self(), ctx.ActorSystem(), r.spec
	log := r.log
	go func() {
		proc, err := plugin.Launch(spec.Path, spec.SHA256, log)
		msg := &launched{proc: proc, err: err}
		if err == nil {
			cctx, cancel := context.WithTimeout(context.Background(), startTimeout)
			msg.info, msg.err = proc.Info(cctx)
			cancel()
			if msg.err != nil {
				proc.Kill()
				msg.proc = nil
			}
		}
		system.Root.Send(self, msg)
	}()
}

func (r *runner) launched(ctx actor.Context, m *launched) {
	if errors.Is(m.err, plugin.ErrChecksum) {
		r.refuse(ctx, m.err.Error())
		return
	}
	if m.err != nil {
		panic(fmt.Sprintf("plugin %s: %v", r.spec.Name, m.err))
	}
	r.proc, r.info = m.proc, m.info
	if err := r.checkSettings(); err != nil {
		r.proc.Kill()
		r.proc = nil
		r.refuse(ctx, err.Error())
		return
	}
	r.opts.Directory.update(r.spec.Name, func(e *entry) { e.status.Version = m.info.Version })
	self, system, proc := ctx.Self(), ctx.ActorSystem(), r.proc
	peer, settings, rights, api, mesh := r.opts.PeerID, r.spec.Settings, r.spec.Rights, r.opts.API, r.mesh
	go func() {
		cctx, cancel := context.WithTimeout(context.Background(), startTimeout)
		defer cancel()
		err := proc.Init(cctx, peer, settings, rights, api, mesh)
		if err == nil {
			err = proc.Start(cctx)
		}
		system.Root.Send(self, &ready{err: err})
	}()
}

// checkSettings refuses settings the plugin did not declare and missing
// required ones: a typo in the plugins file must not go unnoticed.
func (r *runner) checkSettings() error {
	declared := map[string]bool{}
	for _, s := range r.info.Settings {
		declared[s.Name] = true
		if _, ok := r.spec.Settings[s.Name]; s.Required && !ok {
			return fmt.Errorf("%w: setting %q is required (%s)", errRefused, s.Name, s.Meaning)
		}
	}
	for name := range r.spec.Settings {
		if !declared[name] {
			return fmt.Errorf("%w: %s %s declares no setting %q", errRefused, r.info.Name, r.info.Version, name)
		}
	}
	return nil
}

func (r *runner) ready(ctx actor.Context, m *ready) {
	if m.err != nil {
		panic(fmt.Sprintf("plugin %s: init and start: %v", r.spec.Name, m.err))
	}
	r.queue = make(chan *messages.PluginEvent, r.opts.QueueSize)
	run, stop := context.WithCancel(context.Background())
	r.stop = stop
	go r.pump(run, r.proc.Conn, r.queue)
	self, system, proc := ctx.Self(), ctx.ActorSystem(), r.proc
	go watchExit(run, proc, func() { system.Root.Send(self, &exited{proc: proc}) })
	r.opts.Directory.update(r.spec.Name, func(e *entry) {
		e.status.State, e.conn = StateRunning, proc.Conn
	})
	r.log.Info("plugin running", "version", r.info.Version, "events", r.info.Events)
}

func (r *runner) refuse(ctx actor.Context, reason string) {
	r.log.Error("plugin refused", "reason", reason)
	r.opts.Directory.update(r.spec.Name, func(e *entry) {
		e.status.State, e.status.Reason = StateRefused, reason
	})
	ctx.Send(ctx.Parent(), &refused{name: r.spec.Name, reason: reason})
}

// offer queues an event the plugin wants, or counts it dropped.
func (r *runner) offer(ev *messages.PluginEvent) {
	if r.queue == nil || r.info == nil || !slices.Contains(r.info.Events, ev.Type) {
		return
	}
	r.seq++
	out := &messages.PluginEvent{Seq: r.seq, Type: ev.Type, TableId: ev.TableId, Data: ev.Data}
	select {
	case r.queue <- out:
	default:
		n := r.dropped.Add(1)
		r.opts.Directory.update(r.spec.Name, func(e *entry) { e.status.EventsDropped = n })
	}
}

// pump delivers queued events one at a time, in order.
func (r *runner) pump(ctx context.Context, conn *plugin.Conn, queue <-chan *messages.PluginEvent) {
	for {
		select {
		case <-ctx.Done():
			return
		case ev := <-queue:
			ev.Dropped = r.dropped.Load()
			cctx, cancel := context.WithTimeout(ctx, eventTimeout)
			if err := conn.HandleEvent(cctx, ev); err != nil && ctx.Err() == nil {
				r.log.Warn("plugin event", "type", ev.Type, "seq", ev.Seq, "err", err)
			}
			cancel()
		}
	}
}

func watchExit(ctx context.Context, proc *plugin.Process, onExit func()) {
	t := time.NewTicker(exitPoll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if proc.Exited() {
				onExit()
				return
			}
		}
	}
}

// shutdown stops the plugin (Stop, then the process) when the actor stops
// or restarts. It waits for the process: a restart must not leave the old
// one running beside the new.
func (r *runner) shutdown(state string) {
	if r.stop != nil {
		r.stop()
	}
	if r.proc != nil {
		if !r.proc.Exited() {
			ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
			_ = r.proc.Stop(ctx)
			cancel()
		}
		r.proc.Kill()
		r.proc = nil
	}
	r.opts.Directory.update(r.spec.Name, func(e *entry) {
		if e.status.State != StateRefused {
			e.status.State, e.conn = state, nil
		}
	})
}
