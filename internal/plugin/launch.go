package plugin

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os/exec"
	"slices"

	hclog "github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/bitcraps/bitcraps/messages"
)

// ErrChecksum: the binary at a plugin's path is not the one the operator
// pinned; it was not started.
var ErrChecksum = errors.New("plugin binary does not match its pinned sha256")

// Process is one running plugin binary, seen from the node.
type Process struct {
	client *goplugin.Client
	*Conn
}

// Launch starts the binary at path if its SHA-256 is sum, and connects to
// it. Output the plugin writes to stderr goes to log.
func Launch(path string, sum []byte, log *slog.Logger) (*Process, error) {
	client := goplugin.NewClient(&goplugin.ClientConfig{
		HandshakeConfig:  Handshake,
		Plugins:          goplugin.PluginSet{dispenseName: &bridge{}},
		Cmd:              exec.Command(path),
		SecureConfig:     &goplugin.SecureConfig{Checksum: sum, Hash: sha256.New()},
		AllowedProtocols: []goplugin.Protocol{goplugin.ProtocolGRPC},
		// mTLS on the local socket: another local user cannot talk to the
		// plugin, nor impersonate the node to it.
		AutoMTLS: true,
		Logger: hclog.New(&hclog.LoggerOptions{Name: "plugin", Level: hclog.Info,
			Output: logWriter{log}, DisableTime: true}),
	})
	rpc, err := client.Client()
	if err != nil {
		client.Kill()
		if errors.Is(err, goplugin.ErrChecksumsDoNotMatch) {
			return nil, fmt.Errorf("%w: %s", ErrChecksum, path)
		}
		return nil, fmt.Errorf("start plugin %s: %w", path, err)
	}
	raw, err := rpc.Dispense(dispenseName)
	if err != nil {
		client.Kill()
		return nil, fmt.Errorf("connect to plugin %s: %w", path, err)
	}
	return &Process{client: client, Conn: raw.(*Conn)}, nil
}

// Exited says whether the plugin process has ended.
func (p *Process) Exited() bool { return p.client.Exited() }

// Kill ends the process (gracefully first, as go-plugin does) and waits.
func (p *Process) Kill() { p.client.Kill() }

// Pid is the plugin process's id, 0 once it has exited.
func (p *Process) Pid() int {
	if rc := p.client.ReattachConfig(); rc != nil {
		return rc.Pid
	}
	return 0
}

// logWriter turns the plugin's stderr lines (relayed by go-plugin) into
// log records.
type logWriter struct{ log *slog.Logger }

func (w logWriter) Write(b []byte) (int, error) {
	w.log.Info(string(trimNewline(b)))
	return len(b), nil
}

func trimNewline(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}

var _ io.Writer = logWriter{}

// Conn is the node's client of one plugin.
type Conn struct {
	c      messages.PluginClient
	broker *goplugin.GRPCBroker
}

// API answers a plugin's call of the node's API: the status and JSON body
// the HTTP API would answer.
type API func(ctx context.Context, method, path string, body []byte) (status int, answer []byte)

// MeshSend carries a plugin's message to a table's other players (signed
// by the node, to their plugin of the same name).
type MeshSend func(ctx context.Context, table string, body []byte) error

func (c *Conn) Info(ctx context.Context) (*messages.PluginInfo, error) {
	return c.c.Info(ctx, &messages.PluginInfoRequest{})
}

// Init serves api and mesh to the plugin, limited to rights, and
// initialises it.
func (c *Conn) Init(ctx context.Context, peerID string, settings map[string]string, rights []string, api API, mesh MeshSend) error {
	id := c.broker.NextId()
	go c.broker.AcceptAndServe(id, func(opts []grpc.ServerOption) *grpc.Server {
		s := grpc.NewServer(opts...)
		messages.RegisterPluginNodeServer(s, &nodeServer{rights: rights, api: api, mesh: mesh})
		return s
	})
	_, err := c.c.Init(ctx, &messages.PluginInitRequest{PeerId: peerID, Settings: settings,
		NodeBrokerId: id, Rights: rights})
	return err
}

func (c *Conn) Start(ctx context.Context) error { _, err := c.c.Start(ctx, empty); return err }
func (c *Conn) Stop(ctx context.Context) error  { _, err := c.c.Stop(ctx, empty); return err }

func (c *Conn) HandleEvent(ctx context.Context, ev *messages.PluginEvent) error {
	_, err := c.c.HandleEvent(ctx, ev)
	return err
}

func (c *Conn) HandleHTTP(ctx context.Context, r *messages.PluginHTTPRequest) (*messages.PluginHTTPResponse, error) {
	return c.c.HandleHTTP(ctx, r)
}

// nodeServer is the node's API as served to one plugin.
type nodeServer struct {
	messages.UnimplementedPluginNodeServer
	rights []string
	api    API
	mesh   MeshSend
}

func (s *nodeServer) Call(ctx context.Context, r *messages.PluginAPIRequest) (*messages.PluginAPIResponse, error) {
	if err := Allowed(s.rights, r.Method, r.Path); err != nil {
		body := fmt.Appendf(nil, `{"error":{"code":"forbidden","message":%q}}`, err.Error())
		return &messages.PluginAPIResponse{Status: 403, Body: body}, nil
	}
	status, body := s.api(ctx, r.Method, r.Path, r.Body)
	return &messages.PluginAPIResponse{Status: int32(status), Body: body}, nil
}

func (s *nodeServer) Send(ctx context.Context, r *messages.PluginSendRequest) (*messages.PluginEmpty, error) {
	if !slices.Contains(s.rights, RightMesh) {
		return nil, status.Errorf(codes.PermissionDenied, "sending over the mesh needs the %q right, which the operator did not grant this plugin", RightMesh)
	}
	if len(r.Body) > MaxMeshBody {
		return nil, status.Errorf(codes.InvalidArgument, "message of %d bytes, above the %d a plugin message may carry", len(r.Body), MaxMeshBody)
	}
	if err := s.mesh(ctx, r.TableId, r.Body); err != nil {
		return nil, status.Error(codes.FailedPrecondition, err.Error())
	}
	return empty, nil
}
