package table

import (
	"fmt"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/messages"
)

// Manager is the "games" child of the root supervisor: the parent of one
// actor per table this node sits at.
type Manager struct {
	tables map[string]*actor.PID
}

// Props builds the manager; each (re)start gets a fresh Manager.
func Props() *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor {
		return &Manager{tables: map[string]*actor.PID{}}
	})
}

// Receive reports health after start.
func (m *Manager) Receive(ctx actor.Context) {
	switch ctx.Message().(type) {
	case *actor.Started:
		ctx.Send(ctx.Parent(), &messages.ServiceHealth{
			Service: "games",
			Status:  messages.Healthy,
			Reason:  fmt.Sprintf("%d tables", len(m.tables)),
		})
	}
}
