package node

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/bitcraps/bitcraps/actors/plugins"
	"github.com/bitcraps/bitcraps/internal/api"
	"github.com/bitcraps/bitcraps/internal/audit"
	"github.com/bitcraps/bitcraps/internal/config"
	"github.com/bitcraps/bitcraps/internal/identity"
	"github.com/bitcraps/bitcraps/internal/logging"
	"github.com/bitcraps/bitcraps/internal/tracing"
	"github.com/bitcraps/bitcraps/supervisor"
)

// Options are what a node needs beyond its configuration.
type Options struct {
	Config  config.Config
	Version string
	// Logger receives the node's logs. Nil discards.
	Logger *slog.Logger
	// Rand is the entropy for keys; nil means crypto/rand.
	Rand io.Reader
	// Progress, when set, is told about long waits (identity generation).
	Progress func(msg string)
}

// Node is one running bitcraps node.
type Node struct {
	cfg      config.Config
	version  string
	log      *slog.Logger
	id       *identity.Identity
	started  time.Time
	registry *prometheus.Registry
	audit    *auditSink
	system   *actor.ActorSystem
	root     *supervisor.Root
	api      *api.Server
	apiToken string
	plugins  *plugins.Directory
	serveEnd chan struct{} // closed when the HTTP server has ended
	serveErr error         // why it ended; read after serveEnd is closed
	stopping logging.Stopping
	// stopTracing flushes and stops the span exporter (a no-op when
	// tracing is off).
	stopTracing func(context.Context) error
}

// Start builds and starts a node. It returns once the HTTP server listens
// and the supervisor has begun its start sequence; WaitReady waits for the
// services. On error everything already started is stopped again.
func Start(ctx context.Context, opts Options) (n *Node, err error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Rand == nil {
		opts.Rand = rand.Reader
	}
	n = &Node{cfg: opts.Config, version: opts.Version, log: opts.Logger, started: time.Now(),
		registry: prometheus.NewRegistry(), serveEnd: make(chan struct{}), plugins: plugins.NewDirectory()}
	started := n // the error returns below set n to nil
	defer func() {
		if err != nil {
			started.teardown(context.Background())
		}
	}()
	if err := os.MkdirAll(n.cfg.DataDir, 0o700); err != nil {
		return nil, dataDirError(n.cfg.DataDir, err)
	}
	metrics := newMetrics(n.registry)
	if n.id, err = loadIdentity(ctx, opts, metrics); err != nil {
		return nil, err
	}
	n.log = n.log.With("node", n.id.PeerID().Short()) // `peer` is for the remote one
	if n.stopTracing, err = tracing.Start(ctx, n.cfg.OTLPEndpoint, n.version, n.id.PeerID().Short()); err != nil {
		return nil, err
	}
	if n.audit, err = openAudit(n.cfg.DataDir, n.id, n.log, n.registry); err != nil {
		return nil, dataDirError(n.cfg.DataDir, err)
	}
	n.audit.record(audit.KindConfigLoaded, n.cfg.Redacted())
	n.reportRestore()
	metrics.buildInfo.WithLabelValues(n.version, string(n.id.PeerID())).Set(1)
	// The API listens first (so its port is known to the mesh metadata and a
	// taken port fails fast) but serves only once the supervisor exists.
	if err := n.listenAPI(); err != nil {
		return nil, err
	}
	if err := checkListeners(n.cfg); err != nil {
		return nil, err
	}
	if err := n.startServices(); err != nil {
		return nil, err
	}
	n.serveAPI()
	return n, nil
}

func (n *Node) startServices() error {
	n.system = actor.NewActorSystemWithConfig(actor.Configure(actor.WithLoggerFactory(
		func(*actor.ActorSystem) *slog.Logger {
			return slog.New(logging.QuietDeadLetters(n.log.Handler(), &n.stopping)).With("component", "actor")
		})))
	root, err := supervisor.Start(n.system, supervisor.Options{
		Children:       n.services(),
		Logger:         n.log.With("component", "supervisor"),
		Registerer:     n.registry,
		FaultInjection: n.cfg.FaultInjection,
		Audit:          n.auditHook,
	})
	if err != nil {
		return fmt.Errorf("start supervisor: %w", err)
	}
	n.root = root
	return nil
}

func (n *Node) listenAPI() error {
	token, generated, err := apiToken(n.cfg.HTTPAddr, n.cfg.APIToken, n.cfg.DataDir, n.log)
	if err != nil {
		return err
	}
	n.apiToken = token
	if generated {
		n.log.Warn("HTTP binds a non-loopback address: mutating routes need this bearer token (saved in the data dir)",
			"token", token, "file", filepath.Join(n.cfg.DataDir, tokenFile))
	}
	n.api = api.New(n.apiBackends(api.Options{
		Health:       healthView{n},
		Gatherer:     n.registry,
		AuditVerify:  func() any { return audit.VerifyReport(audit.Path(n.cfg.DataDir), n.id.PublicKey) },
		Token:        token,
		AllowedHosts: n.cfg.HTTPAllowedHosts,
		StreamIdle:   n.cfg.SessionTimeout,
		Logger:       n.log.With("component", "http"),
		AccessLog:    n.cfg.AccessLog,
	}))
	if err := n.api.Listen(n.cfg.HTTPAddr); err != nil {
		return httpListenError(n.cfg.HTTPAddr, err)
	}
	return nil
}

func (n *Node) serveAPI() {
	go func() {
		n.serveErr = n.api.Serve()
		close(n.serveEnd)
	}()
	n.log.Info("http listening", "addr", n.api.Addr())
}

// readyPoll is how often WaitReady looks at the state: fast enough that a
// test or a CLI notices at once, slow enough to cost nothing.
const readyPoll = 10 * time.Millisecond

// WaitReady waits until the node serves (Running or Degraded) or ctx ends.
// A node that lands in Error instead is reported as an error with the reason.
func (n *Node) WaitReady(ctx context.Context) error {
	for {
		rep := n.root.Health()
		switch rep.State {
		case supervisor.Running, supervisor.Degraded:
			return nil
		case supervisor.Error:
			return fmt.Errorf("node in Error: %s", rep.Reason)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for ready (state %s): %w", rep.State, ctx.Err())
		case <-time.After(readyPoll):
		}
	}
}

// Stop runs the stop sequence: services in reverse start order, then the
// HTTP server, the audit trail and the actor system.
func (n *Node) Stop(ctx context.Context) error {
	return n.teardown(ctx)
}

func (n *Node) teardown(ctx context.Context) error {
	n.stopping.Store(true)
	var errs []error
	defer func() {
		if n.stopTracing != nil {
			if err := n.stopTracing(ctx); err != nil {
				n.log.Warn("traces not flushed", "err", err)
			}
		}
	}()
	if n.root != nil {
		if err := n.root.Stop(ctx); err != nil {
			errs = append(errs, fmt.Errorf("stop services: %w", err))
		}
	}
	if n.api != nil && n.root == nil {
		n.api.Close() // bound but never served: a start that failed
	}
	if n.api != nil && n.root != nil {
		if err := n.api.Shutdown(ctx); err != nil {
			errs = append(errs, err)
		}
		<-n.serveEnd
		if n.serveErr != nil {
			errs = append(errs, n.serveErr)
		}
	}
	if n.system != nil {
		n.system.Shutdown()
	}
	if n.audit != nil {
		if err := n.audit.close(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// PeerID is this node's identity.
func (n *Node) PeerID() identity.PeerID { return n.id.PeerID() }

// HTTPAddr is the address the API listens on.
func (n *Node) HTTPAddr() string { return n.api.Addr() }

// Root is the supervisor handle, for tests and fault injection.
func (n *Node) Root() *supervisor.Root { return n.root }

// Served is closed when the HTTP server has ended; ServeErr says why.
func (n *Node) Served() <-chan struct{} { return n.serveEnd }

// ServeErr is the HTTP server's error, valid once Served is closed.
func (n *Node) ServeErr() error { return n.serveErr }
