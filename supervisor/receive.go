package supervisor

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/bitcraps/bitcraps/messages"
)

// One receive method per application state. Each handles what is special
// about its state and hands the rest to receiveCommon. Transition requests
// are judged by the Machine, so every state refuses exactly the transitions
// the Machine refuses.

func (a *rootActor) receiveUninitialized(ctx actor.Context) {
	switch ctx.Message().(type) {
	case *actor.Started:
		a.self = ctx.Self()
		a.publish(nil)
		if a.h.incarnations.Load() > 1 {
			// protoactor restarted the root after a panic and stopped its
			// children first: what they were doing is lost, so recover
			// through Error rather than pretend nothing happened.
			_ = a.transition(ctx, Error, "root supervisor restarted after a panic; its services were stopped")
		}
	default:
		a.receiveCommon(ctx)
	}
}

func (a *rootActor) receiveInitializing(ctx actor.Context) {
	switch msg := ctx.Message().(type) {
	case *messages.SupervisorStop:
		a.stopPending = true
		a.reply(ctx, nil)
	case *actor.Terminated:
		a.onTerminated(ctx, msg.Who)
		a.startIfClear(ctx)
	default:
		a.receiveCommon(ctx)
	}
}

func (a *rootActor) receiveServicesStarting(ctx actor.Context) {
	switch msg := ctx.Message().(type) {
	case *messages.ServiceHealth:
		if i, ok := a.recordHealth(msg); ok && !a.failCritical(ctx) && i == a.awaiting {
			a.startIndex = i + 1
			a.startNext(ctx)
		}
	case *actor.Terminated:
		a.onTerminatedWhileServing(ctx, msg.Who)
	case *messages.SupervisorTimer:
		a.onTimer(ctx, msg, a.startTimer)
	default:
		a.receiveCommon(ctx)
	}
}

func (a *rootActor) receiveRunning(ctx actor.Context) { a.receiveServing(ctx) }

func (a *rootActor) receiveDegraded(ctx actor.Context) { a.receiveServing(ctx) }

// receiveServing is shared by Running and Degraded, which differ only in
// the state the health of the services maps to.
func (a *rootActor) receiveServing(ctx actor.Context) {
	switch msg := ctx.Message().(type) {
	case *messages.ServiceHealth:
		if _, ok := a.recordHealth(msg); ok {
			a.reconcile(ctx)
		}
	case *actor.Terminated:
		a.onTerminatedWhileServing(ctx, msg.Who)
	case *messages.SupervisorTimer:
		a.onTimer(ctx, msg, a.servingTimer)
	default:
		a.receiveCommon(ctx)
	}
}

// onTerminatedWhileServing: while services start or serve, a service that
// stopped on its own (or by its budget) must be replaced.
func (a *rootActor) onTerminatedWhileServing(ctx actor.Context, who *actor.PID) {
	if i, unexpected := a.onTerminated(ctx, who); unexpected {
		a.serviceDown(ctx, i)
	}
}

func (a *rootActor) receiveStopping(ctx actor.Context) {
	switch msg := ctx.Message().(type) {
	case *messages.SupervisorStop:
		a.reply(ctx, nil)
	case *actor.Terminated:
		a.onTerminated(ctx, msg.Who)
		a.finishStoppingIfDone(ctx)
	case *messages.SupervisorTimer:
		a.onTimer(ctx, msg, nil)
		a.finishStoppingIfDone(ctx)
	default:
		a.receiveCommon(ctx)
	}
}

func (a *rootActor) receiveStopped(ctx actor.Context) {
	switch ctx.Message().(type) {
	case *messages.SupervisorStop:
		a.reply(ctx, nil)
	default:
		a.receiveCommon(ctx)
	}
}

func (a *rootActor) receiveError(ctx actor.Context) {
	switch msg := ctx.Message().(type) {
	case *messages.SupervisorStop:
		// Error → Stopping is illegal; the services are being stopped
		// anyway, so only make sure nothing brings them back.
		a.halted = true
		a.cancelTimers(messages.TimerRecover)
		a.reply(ctx, fmt.Errorf("stop refused, services are stopped but the state stays Error: %w: %s -> %s",
			ErrIllegalTransition, Error, Stopping))
	case *actor.Terminated:
		a.onTerminated(ctx, msg.Who)
		a.maybeScheduleRecovery()
	case *messages.SupervisorTimer:
		a.onTimer(ctx, msg, a.errorTimer)
		a.maybeScheduleRecovery()
	default:
		a.receiveCommon(ctx)
	}
}

// receiveRetired is the behavior of an incarnation being replaced.
func (a *rootActor) receiveRetired(actor.Context) {}

// receiveCommon handles what every state handles alike.
func (a *rootActor) receiveCommon(ctx actor.Context) {
	switch msg := ctx.Message().(type) {
	case *messages.SupervisorTransition:
		a.reply(ctx, a.requestTransition(ctx, msg.To))
	case *messages.SupervisorStop:
		a.reply(ctx, a.transition(ctx, Stopping, "stop requested"))
	case *messages.SupervisorEmergencyStop:
		a.reply(ctx, a.emergencyStop(ctx, msg.Reason))
	case *messages.SupervisorInject:
		a.reply(ctx, a.inject(ctx, msg))
	case *messages.SupervisorPing:
		a.reply(ctx, nil)
	case *messages.ServiceHealth:
		a.recordHealth(msg)
	case *actor.Terminated:
		a.onTerminated(ctx, msg.Who)
	case *messages.SupervisorTimer:
		a.onTimer(ctx, msg, nil)
	case *actor.Stopping:
		// The root actor itself is being stopped (Stop, or a system
		// shutdown): no timer may fire into a dead mailbox.
		a.cancelTimers()
	case *actor.Restarting:
		// protoactor restarts the root after a panic of its own: this
		// incarnation is finished. It ignores what arrives before the new
		// one starts (its children's Terminated), which then recovers
		// through Error.
		a.cancelTimers()
		a.behavior.Become(a.receiveRetired)
	case *actor.Started, *actor.Stopped:
	default:
		a.log.Warn("unexpected message", slog.String("state", a.machine.State().String()), slog.String("type", fmt.Sprintf("%T", msg)))
	}
}

func (a *rootActor) requestTransition(ctx actor.Context, name string) error {
	to, err := ParseAppState(name)
	if err != nil {
		return fmt.Errorf("requested transition: %w", err)
	}
	if to == Error && CanTransition(a.machine.State(), Error) {
		a.halted = true
	}
	return a.transition(ctx, to, "requested")
}

func (a *rootActor) emergencyStop(ctx actor.Context, reason string) error {
	a.audit(AuditEmergencyStop, EmergencyStopEvent{From: a.machine.State(), Reason: reason, At: time.Now()})
	a.log.Warn("emergency stop", slog.String("reason", reason), slog.String("from", a.machine.State().String()))
	a.halted = true
	if a.machine.State() == Error {
		a.cancelTimers(messages.TimerRecover)
		return nil
	}
	return a.transition(ctx, Error, "emergency stop: "+reason)
}

func (a *rootActor) inject(ctx actor.Context, msg *messages.SupervisorInject) error {
	if !a.h.opts.FaultInjection {
		return fmt.Errorf("inject into %q: %w", msg.Service, ErrFaultInjectionDisabled)
	}
	i := a.indexOfName(msg.Service)
	if i < 0 {
		return fmt.Errorf("inject into %q: %w", msg.Service, ErrUnknownService)
	}
	s := a.services[i]
	if s.pid == nil {
		return fmt.Errorf("inject into %q: %w", msg.Service, ErrServiceNotRunning)
	}
	a.log.Warn("injecting a panic", slog.String("service", msg.Service))
	ctx.Send(s.pid, &messages.InjectPanic{Reason: msg.Reason})
	return nil
}
