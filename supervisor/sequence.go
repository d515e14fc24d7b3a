package supervisor

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/bitcraps/bitcraps/messages"
)

// startNext spawns the next service of the start sequence and waits for its
// first health report (or StartTimeout) before the one after: services
// start in dependency order, each one up before the next begins.
func (a *rootActor) startNext(ctx actor.Context) {
	a.cancelTimers(messages.TimerStartTimeout)
	a.awaiting = -1
	for a.startIndex < len(a.services) {
		i := a.startIndex
		if a.services[i].pid != nil {
			a.startIndex++
			continue
		}
		if err := a.spawn(ctx, i); err != nil {
			a.startIndex++
			a.serviceDown(ctx, i)
			if a.machine.State() != ServicesStarting {
				return
			}
			continue
		}
		a.awaiting = i
		a.schedule(messages.TimerStartTimeout, i, a.h.opts.StartTimeout)
		return
	}
	if a.transition(ctx, Running, "every service started") == nil {
		a.reconcile(ctx)
	}
}

// spawn starts service i under the root with the supervisor's middleware.
// A failure (including a panicking Props or producer) is returned and
// recorded, never propagated as a panic of the root.
func (a *rootActor) spawn(ctx actor.Context, i int) (err error) {
	s := a.services[i]
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("spawn %s: panic: %v", s.spec.Name, r)
		}
		if err != nil {
			a.setStatus(s, messages.Unavailable, err.Error(), true)
			a.log.Error("spawn failed", slog.String("service", s.spec.Name), slog.Any("error", err))
			a.publish(nil)
		}
	}()
	props := s.spec.Props()
	if props == nil {
		return fmt.Errorf("spawn %s: Props returned nil", s.spec.Name)
	}
	instrument(props, a.h.metrics.processedCounter(s.spec.Name), a.h.opts.FaultInjection)
	pid, err := ctx.SpawnNamed(props, s.spec.Name)
	if err != nil {
		return fmt.Errorf("spawn %s: %w", s.spec.Name, err)
	}
	s.pid, s.exhausted, s.wantStop, s.reported = pid, false, false, false
	if s.started {
		s.restarts++
		a.h.metrics.countRestart(s.spec.Name)
	}
	s.started = true
	a.setStatus(s, messages.Unavailable, reasonAwaiting, false)
	a.log.Info("service started", slog.String("service", s.spec.Name), slog.Int("restarts", s.restarts))
	a.audit(AuditServiceStart, a.serviceEvent(s, "spawned"))
	a.publish(nil)
	return nil
}

// respawn brings back a service that went down, after its back-off.
func (a *rootActor) respawn(ctx actor.Context, i int) {
	if a.services[i].pid != nil {
		return
	}
	if err := a.spawn(ctx, i); err != nil {
		a.serviceDown(ctx, i)
	}
}

// serviceDown reacts to a service that stopped without being asked to
// (budget exhausted, stopped itself, failed to spawn): a critical one puts
// the node in Error; any other is spawned again after a back-off.
func (a *rootActor) serviceDown(ctx actor.Context, i int) {
	s := a.services[i]
	s.downs++
	if s.spec.Critical {
		_ = a.transition(ctx, Error, fmt.Sprintf("critical service %s is down: %s", s.spec.Name, s.reason))
		return
	}
	d := backoff(s.downs, a.h.opts.Backoff, a.h.opts.MaxBackoff)
	a.log.Info("service will be spawned again", slog.String("service", s.spec.Name), slog.Duration("after", d))
	a.schedule(messages.TimerRespawn, i, d)
	if a.machine.State() == ServicesStarting && i == a.awaiting {
		a.startIndex = i + 1
		a.startNext(ctx)
		return
	}
	a.reconcile(ctx)
}

// ensureRespawns makes sure every service that is not running will be
// brought back while the node serves.
func (a *rootActor) ensureRespawns() {
	for i, s := range a.services {
		if s.pid == nil && !a.hasTimer(messages.TimerRespawn, i) {
			a.schedule(messages.TimerRespawn, i, backoff(max(s.downs, 1), a.h.opts.Backoff, a.h.opts.MaxBackoff))
		}
	}
}

// beginStopAll queues every running service, last started first, and stops
// them one at a time: each is gone (Terminated) before the next is asked,
// as StopFuture(...).Wait() would do, without blocking the mailbox.
func (a *rootActor) beginStopAll(ctx actor.Context, reason string) {
	a.stopReason = reason
	a.stopQueue = a.stopQueue[:0]
	for i := len(a.services) - 1; i >= 0; i-- {
		if a.services[i].pid != nil && i != a.stopCurrent {
			a.stopQueue = append(a.stopQueue, i)
		}
	}
	if a.stopCurrent < 0 {
		a.stopNext(ctx)
	}
}

func (a *rootActor) stopNext(ctx actor.Context) {
	a.stopCurrent = -1
	for len(a.stopQueue) > 0 {
		i := a.stopQueue[0]
		a.stopQueue = a.stopQueue[1:]
		s := a.services[i]
		if s.pid == nil || s.wantStop {
			continue
		}
		s.wantStop = true
		a.stopCurrent = i
		a.log.Info("stopping service", slog.String("service", s.spec.Name), slog.String("reason", a.stopReason))
		ctx.Stop(s.pid)
		a.schedule(messages.TimerStopTimeout, i, a.h.opts.StopTimeout)
		return
	}
}

// stopTimedOut gives up waiting for a stuck service so the ones before it
// (the ledger last) still stop.
func (a *rootActor) stopTimedOut(ctx actor.Context, i int) {
	s := a.services[i]
	if i != a.stopCurrent || s.pid == nil {
		return
	}
	a.setStatus(s, messages.Critical, "did not stop within "+a.h.opts.StopTimeout.String(), true)
	a.log.Error("service did not stop in time", slog.String("service", s.spec.Name), slog.Duration("timeout", a.h.opts.StopTimeout))
	a.stopNext(ctx)
	a.publish(nil)
}

func (a *rootActor) finishStoppingIfDone(ctx actor.Context) {
	if a.machine.State() != Stopping || a.stopCurrent >= 0 {
		return
	}
	var stuck []string
	for _, s := range a.services {
		if s.pid != nil {
			stuck = append(stuck, s.spec.Name)
		}
	}
	reason := "every service stopped"
	if len(stuck) > 0 {
		reason = "stop sequence finished; did not stop in time: " + strings.Join(stuck, ", ")
	}
	_ = a.transition(ctx, Stopped, reason)
}

// onTerminated records that a child is gone. unexpected: nobody asked it to
// stop (budget exhausted, or it stopped itself).
func (a *rootActor) onTerminated(ctx actor.Context, who *actor.PID) (i int, unexpected bool) {
	i = a.indexOfPID(who)
	if i < 0 {
		return -1, false
	}
	s := a.services[i]
	wanted := s.wantStop
	s.pid, s.wantStop = nil, false
	switch {
	case wanted:
		// Stopped on purpose: not a failure, so not "settled" as one.
		a.setStatus(s, messages.Unavailable, a.stopReason, false)
	case s.exhausted:
		a.setStatus(s, messages.Unavailable, s.exhaustedReason, true)
	default:
		a.setStatus(s, messages.Unavailable, "stopped unexpectedly", true)
	}
	a.log.Info("service terminated", slog.String("service", s.spec.Name), slog.String("reason", s.reason))
	a.audit(AuditServiceStop, a.serviceEvent(s, s.reason))
	if i == a.stopCurrent {
		a.cancelServiceTimer(messages.TimerStopTimeout, i)
		a.stopNext(ctx)
	}
	a.publish(nil)
	return i, !wanted
}

func (a *rootActor) serviceEvent(s *service, reason string) ServiceEvent {
	return ServiceEvent{Service: s.spec.Name, Reason: reason, Restarts: s.restarts, At: time.Now()}
}

func (a *rootActor) anyAlive() bool {
	for _, s := range a.services {
		if s.pid != nil {
			return true
		}
	}
	return false
}

func (a *rootActor) indexOfPID(pid *actor.PID) int {
	for i, s := range a.services {
		if s.pid != nil && pid != nil && s.pid.Id == pid.Id {
			return i
		}
	}
	return -1
}

func (a *rootActor) indexOfName(name string) int {
	for i, s := range a.services {
		if s.spec.Name == name {
			return i
		}
	}
	return -1
}
