package supervisor

import (
	"strconv"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/bitcraps/bitcraps/messages"
)

// pendingTimer is a timer the root is waiting on. A SupervisorTimer whose ID
// is not in rootActor.timers was cancelled (or belongs to an earlier
// incarnation of the root) and is ignored.
type pendingTimer struct {
	timer   *time.Timer
	kind    messages.SupervisorTimerKind
	service int // index into services; -1 for root-level timers
}

// schedule arms a timer whose firing is only a Send to the root: the root's
// state is never touched outside its mailbox.
func (a *rootActor) schedule(kind messages.SupervisorTimerKind, service int, d time.Duration) {
	id := a.h.timerSeq.Add(1)
	msg := &messages.SupervisorTimer{ID: id, Kind: kind}
	if service >= 0 {
		msg.Service = a.services[service].spec.Name
	}
	system, self := a.h.system, a.self
	t := time.AfterFunc(d, func() { system.Root.Send(self, msg) })
	a.timers[id] = &pendingTimer{timer: t, kind: kind, service: service}
}

// cancelTimers cancels the timers of the given kinds (all when none given).
func (a *rootActor) cancelTimers(kinds ...messages.SupervisorTimerKind) {
	for id, pt := range a.timers {
		if len(kinds) == 0 || containsKind(kinds, pt.kind) {
			pt.timer.Stop()
			delete(a.timers, id)
		}
	}
}

func (a *rootActor) cancelServiceTimer(kind messages.SupervisorTimerKind, service int) {
	for id, pt := range a.timers {
		if pt.kind == kind && pt.service == service {
			pt.timer.Stop()
			delete(a.timers, id)
		}
	}
}

func (a *rootActor) hasTimer(kind messages.SupervisorTimerKind, service int) bool {
	for _, pt := range a.timers {
		if pt.kind == kind && pt.service == service {
			return true
		}
	}
	return false
}

func containsKind(kinds []messages.SupervisorTimerKind, k messages.SupervisorTimerKind) bool {
	for _, x := range kinds {
		if x == k {
			return true
		}
	}
	return false
}

// onTimer consumes a fired timer. Stop timeouts mean the same in every
// state; the other kinds go to the state's handler (nil: ignored, because
// that state has nothing to start or recover).
func (a *rootActor) onTimer(ctx actor.Context, msg *messages.SupervisorTimer,
	handler func(actor.Context, messages.SupervisorTimerKind, int)) {
	pt, ok := a.timers[msg.ID]
	if !ok {
		return
	}
	delete(a.timers, msg.ID)
	if pt.kind == messages.TimerStopTimeout {
		a.stopTimedOut(ctx, pt.service)
		return
	}
	if handler != nil {
		handler(ctx, pt.kind, pt.service)
	}
}

// startTimer handles timers during ServicesStarting.
func (a *rootActor) startTimer(ctx actor.Context, kind messages.SupervisorTimerKind, i int) {
	switch kind {
	case messages.TimerStartTimeout:
		s := a.services[i]
		if i != a.awaiting || s.reported {
			return
		}
		a.setStatus(s, messages.Unavailable, "no health report within "+a.h.opts.StartTimeout.String(), true)
		a.publish(nil)
		if a.failCritical(ctx) {
			return
		}
		a.startIndex = i + 1
		a.startNext(ctx)
	case messages.TimerRespawn:
		// Services the sequence has not reached yet are spawned in order.
		if i < a.startIndex {
			a.respawn(ctx, i)
		}
	}
}

// servingTimer handles timers in Running and Degraded.
func (a *rootActor) servingTimer(ctx actor.Context, kind messages.SupervisorTimerKind, i int) {
	if kind == messages.TimerRespawn {
		a.respawn(ctx, i)
	}
}

// errorTimer handles timers in Error.
func (a *rootActor) errorTimer(ctx actor.Context, kind messages.SupervisorTimerKind, _ int) {
	if kind != messages.TimerRecover || a.halted || a.anyAlive() {
		return
	}
	a.recoverAttempts++
	_ = a.transition(ctx, Initializing, "automatic recovery attempt "+strconv.Itoa(a.recoverAttempts))
}

// maybeScheduleRecovery arms the recovery from an Error that a critical
// service caused, once every service is gone (names must be free to spawn
// again). Not after an emergency stop or an explicit request.
func (a *rootActor) maybeScheduleRecovery() {
	if a.machine.State() != Error || a.halted || a.anyAlive() || a.hasTimer(messages.TimerRecover, -1) {
		return
	}
	a.schedule(messages.TimerRecover, -1, backoff(a.recoverAttempts+1, a.h.opts.Backoff, a.h.opts.MaxBackoff))
}
