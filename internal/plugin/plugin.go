package plugin

import (
	"context"
	"net/http"

	"github.com/bitcraps/bitcraps/messages"
)

// Plugin is what a plugin binary implements; Serve runs it. Methods are
// called from gRPC goroutines: HandleHTTP may run concurrently with the
// others, HandleEvent is called for one event at a time, in order.
type Plugin interface {
	// Info names the plugin, declares its settings and the events it wants.
	Info() *messages.PluginInfo
	// Init gives the plugin its context, before Start.
	Init(ctx context.Context, env Env) error
	// Start begins the plugin's own work (a goroutine of its own: Start
	// returns at once).
	Start(ctx context.Context) error
	// Stop ends it; the node kills the process soon after.
	Stop(ctx context.Context) error
	HandleEvent(ctx context.Context, ev *messages.PluginEvent) error
	HandleHTTP(ctx context.Context, req *messages.PluginHTTPRequest) (*messages.PluginHTTPResponse, error)
}

// Env is what Init hands a plugin.
type Env struct {
	// PeerID is the node's identity, its player at every table.
	PeerID string
	// Settings are the operator's values of the settings Info declared.
	Settings map[string]string
	// Rights are the rights the operator granted (RightRead, ...).
	Rights []string
	// Node is the node's API, within those rights.
	Node *Node
}

// Base gives a plugin the methods it does not need: no events, no HTTP
// routes, nothing to start or stop.
type Base struct{}

func (Base) Start(context.Context) error { return nil }
func (Base) Stop(context.Context) error  { return nil }
func (Base) HandleEvent(context.Context, *messages.PluginEvent) error {
	return nil
}
func (Base) HandleHTTP(context.Context, *messages.PluginHTTPRequest) (*messages.PluginHTTPResponse, error) {
	return &messages.PluginHTTPResponse{Status: http.StatusNotFound,
		Body: []byte(`{"error":{"code":"not_found","message":"this plugin serves no HTTP routes"}}`)}, nil
}
