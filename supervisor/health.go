package supervisor

import (
	"fmt"
	"log/slog"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/bitcraps/bitcraps/messages"
)

// How service health maps to the node's state (the only place it is
// decided):
//   - a critical service that is Critical or Unavailable → Error;
//   - any service not Healthy (including one that has not reported since it
//     was started) → Degraded;
//   - every service Healthy → Running.
//
// So Running means "everything works", and Degraded, like Running, still
// serves.
func desiredState(services []*service) (AppState, string) {
	for _, s := range services {
		if s.spec.Critical && s.failing() {
			return Error, fmt.Sprintf("critical service %s is %s: %s", s.spec.Name, s.status, s.reason)
		}
	}
	for _, s := range services {
		if !s.settled || s.status != messages.Healthy {
			return Degraded, fmt.Sprintf("service %s is %s: %s", s.spec.Name, s.status, s.reason)
		}
	}
	return Running, "every service is healthy"
}

// failing: the service's own report, or what happened to it, says it is
// Critical or Unavailable (not merely "started, has not reported yet").
func (s *service) failing() bool {
	return s.settled && s.status >= messages.Critical
}

// reconcile moves Running ⇄ Degraded (or to Error) to match the services.
func (a *rootActor) reconcile(ctx actor.Context) {
	cur := a.machine.State()
	if cur != Running && cur != Degraded {
		return
	}
	if want, why := desiredState(a.services); want != cur {
		_ = a.transition(ctx, want, why)
	}
}

// failCritical moves to Error if a critical service is failing.
func (a *rootActor) failCritical(ctx actor.Context) bool {
	if want, why := desiredState(a.services); want == Error {
		return a.transition(ctx, Error, why) == nil
	}
	return false
}

// recordHealth stores a *messages.ServiceHealth. ok is false when the
// report is ignored: an unknown service, a service that is not running (a
// report still queued from an incarnation that is gone), or one that is
// being stopped (its report would hide why).
func (a *rootActor) recordHealth(msg *messages.ServiceHealth) (i int, ok bool) {
	i = a.indexOfName(msg.Service)
	if i < 0 {
		a.log.Warn("health report from an unknown service", slog.String("service", msg.Service))
		return -1, false
	}
	s := a.services[i]
	if s.pid == nil || s.exhausted || s.wantStop {
		return i, false
	}
	st, reason := msg.Status, msg.Reason
	if st < messages.Healthy || st > messages.Unavailable {
		st, reason = messages.Critical, fmt.Sprintf("reported unknown status %d: %s", msg.Status, msg.Reason)
	}
	if st != s.status || reason != s.reason || !s.reported {
		a.log.Info("service health", slog.String("service", s.spec.Name), slog.String("status", st.String()), slog.String("reason", reason))
	}
	s.reported = true
	if st == messages.Healthy {
		s.downs = 0
	}
	a.setStatus(s, st, reason, true)
	a.publish(nil)
	return i, true
}

func (a *rootActor) setStatus(s *service, st messages.HealthStatus, reason string, settled bool) {
	s.status, s.reason, s.settled = st, reason, settled
	a.h.metrics.setServiceHealth(s.spec.Name, st)
}
