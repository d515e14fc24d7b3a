package plugins

import (
	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/internal/config"
)

// budgets is a one-for-one strategy whose restart budget is each plugin's
// own (config.PluginSpec.MaxRestarts within Within): protoactor puts one
// strategy on the parent, and operators budget plugins one by one.
type budgets map[string]actor.SupervisorStrategy

func newBudgets(specs []config.PluginSpec) budgets {
	b := budgets{}
	for _, s := range specs {
		b[s.Name] = actor.NewOneForOneStrategy(s.MaxRestarts, s.Within, actor.DefaultDecider)
	}
	return b
}

func (b budgets) HandleFailure(system *actor.ActorSystem, sup actor.Supervisor, child *actor.PID,
	rs *actor.RestartStatistics, reason interface{}, message interface{}) {
	s, ok := b[childName(child)]
	if !ok {
		s = actor.NewOneForOneStrategy(0, 0, actor.DefaultDecider)
	}
	s.HandleFailure(system, sup, child, rs, reason, message)
}

// childName is a child's name under the service (root/plugins/NAME).
func childName(pid *actor.PID) string {
	id := pid.GetId()
	for i := len(id) - 1; i >= 0; i-- {
		if id[i] == '/' {
			return id[i+1:]
		}
	}
	return id
}
