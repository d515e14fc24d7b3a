package consensus

import (
	"fmt"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/messages"
)

// Service is the "consensus" child of the root supervisor. It hosts one
// child per table instance; with none hosted it has nothing that can fail.
type Service struct {
	instances map[string]*actor.PID
}

// Props builds the service; each (re)start gets a fresh Service.
func Props() *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor {
		return &Service{instances: map[string]*actor.PID{}}
	})
}

// Receive reports health after start; table instances arrive with the
// table protocol.
func (s *Service) Receive(ctx actor.Context) {
	switch ctx.Message().(type) {
	case *actor.Started:
		ctx.Send(ctx.Parent(), &messages.ServiceHealth{
			Service: "consensus",
			Status:  messages.Healthy,
			Reason:  fmt.Sprintf("%d table instances", len(s.instances)),
		})
	}
}
