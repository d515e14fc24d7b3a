package supervisor

import (
	"fmt"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/bitcraps/bitcraps/messages"
	"github.com/prometheus/client_golang/prometheus"
)

// instrument adds the supervisor's receiver middleware to a child's props.
// Being middleware, it works for any child without the child knowing.
func instrument(props *actor.Props, processed prometheus.Counter, faults bool) *actor.Props {
	mw := []actor.ReceiverMiddleware{countingMiddleware(processed)}
	if faults {
		mw = append(mw, faultMiddleware)
	}
	return props.Configure(actor.WithReceiverMiddleware(mw...))
}

// countingMiddleware counts every message an actor receives (nil: no-op).
func countingMiddleware(processed prometheus.Counter) actor.ReceiverMiddleware {
	return func(next actor.ReceiverFunc) actor.ReceiverFunc {
		return func(c actor.ReceiverContext, env *actor.MessageEnvelope) {
			if processed != nil {
				processed.Inc()
			}
			next(c, env)
		}
	}
}

// faultMiddleware turns *messages.InjectPanic into a panic. It is installed
// only when fault injection is on, so the message is harmless otherwise.
func faultMiddleware(next actor.ReceiverFunc) actor.ReceiverFunc {
	return func(c actor.ReceiverContext, env *actor.MessageEnvelope) {
		if p, ok := env.Message.(*messages.InjectPanic); ok {
			panic(fmt.Errorf("%w: %s", ErrInjectedPanic, p.Reason))
		}
		next(c, env)
	}
}
