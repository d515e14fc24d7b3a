package plugin

import (
	"context"
	"errors"

	goplugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/bitcraps/bitcraps/messages"
)

// bridge is the go-plugin glue: in the plugin process it serves impl over
// gRPC; in the node it hands out a *Conn.
type bridge struct {
	goplugin.NetRPCUnsupportedPlugin
	impl Plugin
}

func (b *bridge) GRPCServer(broker *goplugin.GRPCBroker, s *grpc.Server) error {
	messages.RegisterPluginServer(s, &server{impl: b.impl, broker: broker})
	return nil
}

func (b *bridge) GRPCClient(_ context.Context, broker *goplugin.GRPCBroker, cc *grpc.ClientConn) (any, error) {
	return &Conn{c: messages.NewPluginClient(cc), broker: broker}, nil
}

// server runs in the plugin process and calls the plugin's methods.
type server struct {
	messages.UnimplementedPluginServer
	impl   Plugin
	broker *goplugin.GRPCBroker
}

var empty = &messages.PluginEmpty{}

func (s *server) Info(context.Context, *messages.PluginInfoRequest) (*messages.PluginInfo, error) {
	return s.impl.Info(), nil
}

func (s *server) Init(ctx context.Context, r *messages.PluginInitRequest) (*messages.PluginEmpty, error) {
	cc, err := s.broker.Dial(r.NodeBrokerId)
	if err != nil {
		return nil, err
	}
	env := Env{PeerID: r.PeerId, Settings: r.Settings, Rights: r.Rights,
		Node: &Node{c: messages.NewPluginNodeClient(cc)}}
	return empty, s.impl.Init(ctx, env)
}

func (s *server) Start(ctx context.Context, _ *messages.PluginEmpty) (*messages.PluginEmpty, error) {
	return empty, s.impl.Start(ctx)
}

func (s *server) Stop(ctx context.Context, _ *messages.PluginEmpty) (*messages.PluginEmpty, error) {
	return empty, s.impl.Stop(ctx)
}

func (s *server) HandleEvent(ctx context.Context, ev *messages.PluginEvent) (*messages.PluginEmpty, error) {
	return empty, s.impl.HandleEvent(ctx, ev)
}

func (s *server) HandleHTTP(ctx context.Context, r *messages.PluginHTTPRequest) (*messages.PluginHTTPResponse, error) {
	resp, err := s.impl.HandleHTTP(ctx, r)
	if err == nil && resp == nil {
		err = errors.New("HandleHTTP returned no response")
	}
	return resp, err
}

// Serve runs p as a plugin until the node ends the process. A plugin
// binary's main calls it and nothing else; run by hand, the binary says it
// is a plugin and exits.
func Serve(p Plugin) {
	goplugin.Serve(&goplugin.ServeConfig{
		HandshakeConfig: Handshake,
		Plugins:         goplugin.PluginSet{dispenseName: &bridge{impl: p}},
		GRPCServer:      goplugin.DefaultGRPCServer,
	})
}
