package transport

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/actors/transport/tcp"
	"github.com/bitcraps/bitcraps/internal/link"
)

// ServiceName is the name under the root supervisor and in health reports.
const ServiceName = "transport"

// Options configure the transport service.
type Options struct {
	// TCP configures the tcp child; nil runs without it (mobile mode).
	TCP *tcp.Options
	// BLE returns fresh props for the ble child (actors/transport/ble);
	// nil runs without it. The child must send *messages.ServiceHealth with
	// Service "ble" to its parent when it starts and whenever it changes:
	// Unavailable when BLE is absent and that is allowed (mode auto),
	// Degraded when it is absent but was asked for (mode on).
	BLE func() *actor.Props
	// Subscriber receives FrameReceived and Peer* events; the mesh may
	// instead (or later) send *messages.SubscribeTransport.
	Subscriber *actor.PID
	// MaxRestarts within Within is each child's restart budget.
	MaxRestarts int
	Within      time.Duration
	// ListTimeout bounds how long ListConnections waits for a child.
	ListTimeout time.Duration
	Metrics     *link.Metrics
	Logger      *slog.Logger
}

// Defaults, each with its reason.
const (
	// The design's budget for services: a crash loop stops after 10 tries
	// in 30 s instead of spinning, while occasional faults are absorbed.
	DefaultMaxRestarts = 10
	DefaultWithin      = 30 * time.Second
	// Children answer from memory in microseconds; a second means one is
	// stuck, and a partial answer is better than none.
	DefaultListTimeout = time.Second
)

// ErrNoTransport: neither tcp nor ble is configured.
var ErrNoTransport = errors.New("transport: neither tcp nor ble configured")

// NewProps validates opts once and returns the factory the supervisor's
// ChildSpec.Props wants (fresh props on every call).
func NewProps(opts Options) (func() *actor.Props, error) {
	if opts.TCP == nil && opts.BLE == nil {
		return nil, ErrNoTransport
	}
	opts = opts.withDefaults()
	var tcpProps func() *actor.Props
	if opts.TCP != nil {
		t := *opts.TCP
		t.Events = nil // events go through this actor, which tracks routes from them
		if t.Metrics == nil {
			t.Metrics = opts.Metrics
		}
		if t.Logger == nil {
			t.Logger = opts.Logger
		}
		if _, err := tcp.Props(t); err != nil {
			return nil, fmt.Errorf("transport: %w", err)
		}
		tcpProps = func() *actor.Props { p, _ := tcp.Props(t); return p }
	}
	return func() *actor.Props {
		strategy := actor.NewOneForOneStrategy(opts.MaxRestarts, opts.Within, actor.DefaultDecider)
		return actor.PropsFromProducer(func() actor.Actor {
			return &Actor{opts: opts, tcpProps: tcpProps}
		}, actor.WithSupervisor(strategy))
	}, nil
}

func (o Options) withDefaults() Options {
	if o.MaxRestarts <= 0 {
		o.MaxRestarts = DefaultMaxRestarts
	}
	if o.Within <= 0 {
		o.Within = DefaultWithin
	}
	if o.ListTimeout <= 0 {
		o.ListTimeout = DefaultListTimeout
	}
	if o.Metrics == nil {
		o.Metrics = link.NewMetrics(nil)
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}
