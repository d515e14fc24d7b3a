package logging

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync/atomic"
)

// New is the node's logger: JSON when json is set (log shippers), text
// otherwise (people), at debug level when debug is set. Durations print as
// strings.
func New(w io.Writer, json, debug bool) *slog.Logger {
	opts := &slog.HandlerOptions{Level: slog.LevelInfo, ReplaceAttr: durationsAsStrings}
	if debug {
		opts.Level = slog.LevelDebug
	}
	if json {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// durationsAsStrings writes a time.Duration as "1.5s": the JSON handler
// would write integer nanoseconds, which no reader takes for a duration.
func durationsAsStrings(_ []string, a slog.Attr) slog.Attr {
	if a.Value.Kind() == slog.KindDuration {
		return slog.String(a.Key, a.Value.Duration().String())
	}
	return a
}

// Stopping is set once a node begins to stop.
type Stopping struct{ atomic.Bool }

// QuietDeadLetters wraps h so that protoactor's "[DeadLetter]" lines drop
// to debug once stopping is set: while the tree stops, timers and
// in-flight replies reach actors already gone, and those lines say nothing
// an operator can act on. Before that they stay at their level: a dead
// letter in normal operation can be a bug.
func QuietDeadLetters(h slog.Handler, stopping *Stopping) slog.Handler {
	return &deadLetters{Handler: h, stopping: stopping}
}

type deadLetters struct {
	slog.Handler
	stopping *Stopping
}

func (d *deadLetters) Handle(ctx context.Context, r slog.Record) error {
	if d.stopping.Load() && strings.HasPrefix(r.Message, "[DeadLetter]") && r.Level > slog.LevelDebug {
		r.Level = slog.LevelDebug
	}
	if !d.Handler.Enabled(ctx, r.Level) {
		return nil
	}
	return d.Handler.Handle(ctx, r)
}

func (d *deadLetters) WithAttrs(as []slog.Attr) slog.Handler {
	return &deadLetters{Handler: d.Handler.WithAttrs(as), stopping: d.stopping}
}

func (d *deadLetters) WithGroup(name string) slog.Handler {
	return &deadLetters{Handler: d.Handler.WithGroup(name), stopping: d.stopping}
}
