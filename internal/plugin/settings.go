package plugin

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// Settings are a plugin's settings as Init receives them, with readers
// that fall back to a default and name the setting in their errors.
type Settings map[string]string

// Duration reads a positive duration ("200ms").
func (s Settings) Duration(name string, def time.Duration) (time.Duration, error) {
	if s[name] == "" {
		return def, nil
	}
	d, err := time.ParseDuration(s[name])
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("setting %s: want a positive duration, got %q", name, s[name])
	}
	return d, nil
}

// Int reads a whole number from lo to hi.
func (s Settings) Int(name string, def, lo, hi int) (int, error) {
	if s[name] == "" {
		return def, nil
	}
	v, err := strconv.Atoi(s[name])
	if err != nil || v < lo || v > hi {
		return 0, fmt.Errorf("setting %s: want a whole number from %d to %d, got %q", name, lo, hi, s[name])
	}
	return v, nil
}

// Worker is a plugin's own goroutine, from Start to Stop.
type Worker struct {
	cancel context.CancelFunc
	done   chan struct{}
}

// Go starts run; its context ends at Halt.
func (w *Worker) Go(run func(ctx context.Context)) {
	ctx, cancel := context.WithCancel(context.Background())
	w.cancel, w.done = cancel, make(chan struct{})
	go func() {
		defer close(w.done)
		run(ctx)
	}()
}

// Halt ends the goroutine and waits for it (nothing if it never started).
func (w *Worker) Halt() {
	if w.cancel != nil {
		w.cancel()
		<-w.done
	}
}
