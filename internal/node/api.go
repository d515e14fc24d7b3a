package node

import (
	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/internal/api"
	"github.com/bitcraps/bitcraps/internal/web"
)

// apiBackends completes the API's options with the player routes' backends
// (the node's actors), the web table and the API's metrics. The actor
// system does not exist yet when the server is built (the API binds first),
// so every backend is looked up per request; requests are served only
// after the services have started.
func (n *Node) apiBackends(opts api.Options) api.Options {
	opts.Services = &api.Services{
		System:  func() *actor.ActorSystem { return n.system },
		Service: n.sibling,
		Player:  n.id.PeerID(),
		Serving: healthView{n}.Ready,
	}
	opts.Backups = nodeBackups{n}
	opts.Web = web.Handler()
	opts.Plugins = n.plugins
	opts.Registerer = n.registry
	if n.cfg.FaultInjection {
		opts.Faults = faults{n}
	}
	return opts
}
