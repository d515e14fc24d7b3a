package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/bitcraps/bitcraps/internal/tracing"
)

// Health is what the node tells the health routes.
type Health interface {
	// Report is the /health document.
	Report() HealthReport
	// StartupDone is true once the start sequence has finished (whatever
	// its outcome), for the startup probe.
	StartupDone() bool
	// Ready is true when the node can serve players: Running or Degraded.
	Ready() bool
	// Alive is nil while the node's actor system answers (a bounded ping
	// of its root), for the liveness probe: a wedged node is restarted.
	Alive() error
}

// Options are the node's parts the API serves. A nil part means its routes
// are not mounted: the API never answers for a capability the node lacks.
type Options struct {
	Health   Health
	Gatherer prometheus.Gatherer
	// AuditVerify answers /api/v1/audit/verify.
	AuditVerify AuditVerifier
	// Token, when set, is required as a bearer token by every mutating
	// route (the node sets it whenever HTTP binds a non-loopback address).
	Token string
	// AllowedHosts are host names, beside localhost and the address a
	// connection arrives on, that requests may name in Host.
	AllowedHosts []string
	Logger       *slog.Logger
	// AccessLog writes one INFO line per request (accesslog.go).
	AccessLog bool
	// Services are the actors behind the player routes (peers, balance,
	// tables, ledger verify); nil leaves those routes unmounted.
	Services *Services
	// Web is the web table, served for every path no API route claims;
	// nil answers those with the JSON 404.
	Web http.Handler
	// Registerer receives the API's own metrics; nil counts nothing.
	Registerer prometheus.Registerer
	// StreamIdle ends an event stream that delivered no event for this
	// long (the node's session timeout); zero means 30 minutes.
	StreamIdle time.Duration
	// Faults, when set (--fault-injection), mounts the fault-injection
	// routes under /debug/faults (faults.go).
	Faults Faults
	// Backups, when set, serves POST /api/v1/backups (backups.go).
	Backups Backups
	// Plugins, when set, mounts /api/v1/plugins and the plugins' routes
	// (plugins.go).
	Plugins Plugins
}

// Server is the HTTP server of one node.
type Server struct {
	opts    Options
	mux     *routeMux
	srv     *http.Server
	ln      net.Listener
	metrics *Metrics
	// closing is closed when Shutdown begins, so long-lived streams (SSE)
	// end instead of holding the shutdown until its deadline.
	closing chan struct{}
	// streams bounds concurrent event streams; each holds a subscriber
	// actor and a goroutine.
	streams chan struct{}
	// heartbeat is the event streams' keep-alive period.
	heartbeat time.Duration
	limits    limits
	conns     *connLimiter // set by Listen
}

// maxHeaderBytes bounds request headers: no legitimate client needs more,
// and it caps memory per connection.
const maxHeaderBytes = 16 << 10

// New builds the server and its routes; Serve starts it.
func New(opts Options) *Server {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{opts: opts, mux: newRouteMux(), metrics: NewMetrics(opts.Registerer),
		closing: make(chan struct{}), streams: make(chan struct{}, maxStreams), heartbeat: heartbeatEvery,
		limits: defaultLimits(opts.StreamIdle)}
	if s.opts.Services != nil {
		s.opts.Services = s.opts.Services.withDefaults()
	}
	s.routes()
	var handler http.Handler = s.withDeadlines(guardCrossSite(opts.AllowedHosts, requireToken(opts.Token, refuseUncleanPaths(s.mux))))
	if opts.AccessLog {
		handler = accessLog(opts.Logger, handler)
	}
	handler = tracing.HTTP(handler) // outermost: the access log names the trace
	s.srv = &http.Server{
		Handler:        handler,
		MaxHeaderBytes: maxHeaderBytes,
		ErrorLog:       slog.NewLogLogger(opts.Logger.Handler(), slog.LevelWarn),
	}
	s.srv.RegisterOnShutdown(func() { close(s.closing) })
	return s
}

// Handler exposes the routes with their guards, for tests with httptest.
func (s *Server) Handler() http.Handler { return s.srv.Handler }

func (s *Server) routes() {
	if s.opts.Health != nil {
		s.mountHealth()
	}
	if s.opts.AuditVerify != nil {
		s.mountAudit()
	}
	if s.opts.Gatherer != nil {
		s.mux.Handle("GET /metrics", promhttp.HandlerFor(s.opts.Gatherer, promhttp.HandlerOpts{}))
	}
	if s.opts.Services != nil {
		s.mountPlayer()
	}
	if s.opts.Faults != nil {
		s.mountFaults()
	}
	if s.opts.Backups != nil {
		s.mountBackups()
	}
	if s.opts.Plugins != nil {
		s.mountPlugins()
	}
	s.mountOpenAPI()
	if s.opts.Web != nil {
		s.mux.Handle("/", s.opts.Web)
		return
	}
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, notFound(fmt.Sprintf("no route for %s %s", r.Method, r.URL.Path)))
	})
}

// Listen binds addr so that a bad address fails the node's start with a
// clear error instead of a background log line.
func (s *Server) Listen(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("http listen on %q (--http / BITCRAPS_HTTP_ADDR): %w", addr, err)
	}
	s.ln = ln
	s.conns = newConnLimiter(ln, s.limits.maxConns, s.metrics)
	return nil
}

// Addr is the bound address (useful with port 0).
func (s *Server) Addr() string {
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// Serve runs until Shutdown; it returns nil on a clean shutdown.
func (s *Server) Serve() error {
	if s.ln == nil {
		return errors.New("api: Serve before Listen")
	}
	s.srv.ReadHeaderTimeout, s.srv.IdleTimeout = s.limits.header, s.limits.idle
	s.srv.ConnState = s.conns.track
	if err := s.srv.Serve(s.conns); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("http serve: %w", err)
	}
	return nil
}

// Close releases the listener of a server that never served (a node
// whose start failed after Listen); a serving one stops with Shutdown.
func (s *Server) Close() {
	if s.ln != nil {
		_ = s.ln.Close()
	}
}

// Shutdown stops accepting and waits for in-flight requests until ctx ends.
func (s *Server) Shutdown(ctx context.Context) error {
	if err := s.srv.Shutdown(ctx); err != nil {
		return fmt.Errorf("http shutdown: %w", err)
	}
	return nil
}
