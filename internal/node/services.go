package node

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/actors/consensus"
	"github.com/bitcraps/bitcraps/actors/table"
	"github.com/bitcraps/bitcraps/supervisor"
)

// Restart budget of every service: 10 restarts in 30 s absorbs a burst of
// transient failures (a peer sending garbage, a disk hiccup) while a
// service that crashes in a loop is stopped within seconds.
const (
	maxRestarts   = 10
	restartWindow = 30 * time.Second
)

// services declares the supervision tree's services in start order
// (DESIGN.md "Supervision tree"): each depends only on those before it.
func (n *Node) services() []supervisor.ChildSpec {
	spec := func(name string, critical bool, props func() *actor.Props) supervisor.ChildSpec {
		return supervisor.ChildSpec{Name: name, Critical: critical, Props: props,
			MaxRestarts: maxRestarts, Within: restartWindow}
	}
	return []supervisor.ChildSpec{
		spec("consensus", false, consensus.Props),
		spec("games", false, table.Props),
	}
}
