package ble

import (
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/bitcraps/bitcraps/internal/config"
	"github.com/bitcraps/bitcraps/internal/link"
	"github.com/bitcraps/bitcraps/internal/metric"
)

// Options configure the ble actor. Zero values take the defaults below.
type Options struct {
	// Mode is the configured BLE mode: auto, on or off.
	Mode config.BLEMode
	// Mobile says BLE is the node's only transport (mobile mode): without
	// an adapter the node is Degraded, not merely without BLE.
	Mobile bool
	// OpenRadio opens the radio; nil is OpenHCI (go-ble on Linux). Tests
	// pass a MemoryAir radio.
	OpenRadio func() (Radio, error)
	// Local is this node's identity; Difficulty the PoW peers must carry.
	Local      link.Local
	Difficulty int
	// MaxConnections bounds open plus handshaking links.
	MaxConnections int
	// SendQueue is each peer's queue of envelopes waiting to be written.
	SendQueue        int
	HandshakeTimeout time.Duration
	DialTimeout      time.Duration
	// Reassembly is how long an incomplete message may wait for fragments.
	Reassembly time.Duration
	// RetryRadio is how long to wait before reopening a radio that failed
	// (not one that is absent).
	RetryRadio time.Duration
	// Events receives FrameReceived, Peer* events and ServiceHealth; nil
	// means the parent (the transport actor).
	Events *actor.PID
	// Metrics are the transport families shared with tcp; nil counts into
	// unregistered metrics.
	Metrics *link.Metrics
	// Fragments counts fragmentation outcomes; nil counts nothing.
	Fragments *Metrics
	Logger    *slog.Logger
	// Rand seeds the Noise static key and fragment IDs; nil is crypto/rand.
	Rand io.Reader
	// Now is the reassembly clock; nil is time.Now.
	Now func() time.Time
}

// Defaults, each with its reason.
const (
	// BLE controllers hold about 7-8 links at once (one is kept free so
	// a new peer can still connect while all others are up).
	DefaultMaxConnections = 7
	// A consensus round's burst to one peer, several times over; BLE moves
	// a few kB/s, so more queued only adds latency.
	DefaultSendQueue = 128
	// BLE handshakes take several connection intervals per message (30-100
	// ms each) and fragments; 15 s forgives a crowded room.
	DefaultHandshakeTimeout = 15 * time.Second
	// Connection setup plus MTU exchange and service discovery.
	DefaultDialTimeout = 10 * time.Second
	// Fragments of one message follow each other within a few connection
	// intervals; 5 s of silence mid-message means the link is broken.
	DefaultReassembly = 5 * time.Second
	// A radio that failed (not absent) is retried every 30 s: cheap, and a
	// reset adapter comes back without restarting the node.
	DefaultRetryRadio = 30 * time.Second
)

func (o Options) withDefaults() Options {
	set := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	setDur := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	set(&o.MaxConnections, DefaultMaxConnections)
	set(&o.SendQueue, DefaultSendQueue)
	setDur(&o.HandshakeTimeout, DefaultHandshakeTimeout)
	setDur(&o.DialTimeout, DefaultDialTimeout)
	setDur(&o.Reassembly, DefaultReassembly)
	setDur(&o.RetryRadio, DefaultRetryRadio)
	if o.Metrics == nil {
		o.Metrics = link.NewMetrics(nil)
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Rand == nil {
		o.Rand = rand.Reader
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Mode == "" {
		o.Mode = config.BLEAuto
	}
	return o
}

func (o Options) validate() error {
	switch {
	case o.Mode != "" && o.Mode != config.BLEAuto && o.Mode != config.BLEOn && o.Mode != config.BLEOff:
		return fmt.Errorf("ble options: Mode %q: want auto, on or off", o.Mode)
	case len(o.Local.PublicKey) != ed25519.PublicKeySize || o.Local.Sign == nil:
		return fmt.Errorf("ble options: Local identity is missing or not an Ed25519 key")
	}
	return nil
}

// Props validates opts and returns the actor's props; each start or restart
// builds a fresh actor (it keeps nothing across restarts: links are redone).
func Props(opts Options) (*actor.Props, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	return actor.PropsFromProducer(func() actor.Actor { return &Actor{opts: opts} }), nil
}

// Metrics are the BLE-specific series. A nil *Metrics counts nothing.
type Metrics struct {
	fragments *prometheus.CounterVec
	lost      prometheus.Counter
}

// NewMetrics registers the BLE series with reg (reusing them if already
// registered there); call it outside the actor producer.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		fragments: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: metric.BleFragmentsTotal,
			Help: "BLE fragments by outcome (sent, received, duplicate, rejected), counted when a link closes.",
		}, []string{"outcome"}),
		lost: prometheus.NewCounter(prometheus.CounterOpts{
			Name: metric.BleMessagesLostTotal,
			Help: "Messages that never completed (reassembly timeout or a gap); each drops its link.",
		}),
	}
	for _, o := range []string{"sent", "received", "duplicate", "rejected"} {
		m.fragments.WithLabelValues(o) // present from the start, so the first rejection alerts
	}
	var err error
	if m.fragments, err = metric.Register(reg, m.fragments); err != nil {
		return nil, fmt.Errorf("ble metrics: %w", err)
	}
	if m.lost, err = metric.Register(reg, m.lost); err != nil {
		return nil, fmt.Errorf("ble metrics: %w", err)
	}
	return m, nil
}

// record adds one closed link's counts.
func (m *Metrics) record(c FragmentCounts) {
	if m == nil {
		return
	}
	m.fragments.WithLabelValues("sent").Add(float64(c.Sent))
	m.fragments.WithLabelValues("received").Add(float64(c.Received))
	m.fragments.WithLabelValues("duplicate").Add(float64(c.Duplicate))
	m.fragments.WithLabelValues("rejected").Add(float64(c.Rejected))
	m.lost.Add(float64(c.Lost + c.TimedOut))
}
