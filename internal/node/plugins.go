package node

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/actors/mesh"
	"github.com/bitcraps/bitcraps/actors/plugins"
	"github.com/bitcraps/bitcraps/actors/table"
	"github.com/bitcraps/bitcraps/messages"
	"github.com/bitcraps/bitcraps/supervisor"
)

func (n *Node) pluginsProps() (func() *actor.Props, error) {
	return plugins.NewProps(plugins.Options{
		Specs: n.cfg.Plugins, PeerID: string(n.id.PeerID()), API: n.pluginAPI,
		Games: n.sibling(table.ServiceName), Directory: n.plugins,
		Mesh: n.sibling(mesh.ServiceName), Signer: messages.Signer{PublicKey: n.id.PublicKey, Sign: n.id.Sign},
		Logger: n.log.With("service", plugins.ServiceName),
	})
}

// pluginAPI runs a plugin's API call through the node's own HTTP handler,
// in process, as the node's operator (internal/plugin has already checked
// the plugin's rights): a plugin gets exactly the API's answers, limits
// and validation, and needs neither the token nor the network.
func (n *Node) pluginAPI(ctx context.Context, method, path string, body []byte) (int, []byte) {
	req := httptest.NewRequestWithContext(ctx, method, path, bytes.NewReader(body))
	// As the CLI on this machine would call it: localhost, JSON, no Origin
	// (the cross-site guards let exactly that through).
	req.Host, req.RemoteAddr = "localhost", "127.0.0.1:0"
	req.Header.Set("Content-Type", "application/json")
	if n.apiToken != "" {
		req.Header.Set("Authorization", "Bearer "+n.apiToken)
	}
	rec := httptest.NewRecorder()
	n.api.Handler().ServeHTTP(rec, req)
	if rec.Code == 0 {
		rec.Code = http.StatusOK
	}
	return rec.Code, rec.Body.Bytes()
}

// auditHook records the supervisor's audit events and tells the plugins
// about the node's state transitions. It runs in the root actor: the send
// does not block.
func (n *Node) auditHook(kind string, detail any) {
	n.audit.hook(kind, detail)
	if t, ok := detail.(supervisor.Transition); ok && kind == supervisor.AuditTransition && n.system != nil {
		n.system.Root.Send(n.sibling(plugins.ServiceName),
			&plugins.NodeState{From: t.From.String(), To: t.To.String(), Reason: t.Reason})
	}
}
