package tcp

import (
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/internal/link"
)

// Options configure the tcp actor. Zero values take the defaults below.
type Options struct {
	// ListenAddr is host:port for the mesh listener (BindAddr:Port); port 0
	// picks a free one (ask with messages.GetListenAddr).
	ListenAddr string
	// Local is this node's identity; Difficulty the PoW required of peers.
	Local      link.Local
	Difficulty int
	// MaxConnections bounds open plus handshaking connections.
	MaxConnections int
	// MaxPendingPerAddr bounds inbound handshakes at once from one source
	// address; ReservedSlots of MaxConnections are kept for the node's own
	// dials and addresses it knows (admit.go).
	MaxPendingPerAddr int
	ReservedSlots     int
	// StaleHandshake is the age past which a pending inbound handshake may
	// be cut to make room for a new connection.
	StaleHandshake time.Duration
	// MaxBandwidth is bytes per second in each direction, summed over all
	// connections; 0 means unlimited. BandwidthBurst is the token bucket's
	// depth in bytes.
	MaxBandwidth   int64
	BandwidthBurst int
	// SendQueue is each peer's queue of envelopes waiting to be written;
	// when full, sends are dropped and counted. The writer holds up to one
	// more Noise message's worth (64 KiB) that it is writing.
	SendQueue        int
	HandshakeTimeout time.Duration
	DialTimeout      time.Duration
	// RedialMin/RedialMax bound the exponential backoff between redials of
	// a dialed peer; RedialAttempts consecutive failures give up on it.
	RedialMin      time.Duration
	RedialMax      time.Duration
	RedialAttempts int
	// Events receives FrameReceived and Peer* events and ServiceHealth;
	// nil means the parent (the transport actor).
	Events  *actor.PID
	Metrics *link.Metrics
	Logger  *slog.Logger
	// Rand seeds the Noise static key; nil means crypto/rand.
	Rand io.Reader
}

// Defaults, each with its reason.
const (
	// A table seats at most a few dozen players and a server node relays for
	// a few tables; 64 leaves room while capping file descriptors and memory.
	DefaultMaxConnections = 64
	// A node dials another once; several nodes behind one address (a host
	// running a few, a NAT) restarting together handshake at once. 8 covers
	// that, and a flood from one address holds at most 8 slots.
	DefaultMaxPendingPerAddr = 8
	// A handshake is three messages: a few round trips and a signature
	// check, well under a second even across continents; one still pending
	// after 2 s while its slot is needed is stalling on purpose.
	DefaultStaleHandshake = 2 * time.Second
	// 256 envelopes covers a consensus round's burst to one peer (bets,
	// proposal, commits, reveals, confirms) many times over; beyond that the
	// peer is not keeping up and dropping is better than unbounded memory.
	DefaultSendQueue = 256
	// The burst bounds how far a sender can run ahead of the rate; 64 KiB is
	// one Noise message's worth, so small messages never wait.
	DefaultBandwidthBurst = 64 << 10
	// A handshake is three messages on a LAN or loopback; 10 s forgives a
	// congested link while freeing a slot held by a silent peer.
	DefaultHandshakeTimeout = 10 * time.Second
	// TCP connect on a reachable LAN answers in milliseconds; 5 s covers a
	// slow route without stalling a redial loop.
	DefaultDialTimeout = 5 * time.Second
	// Start quick (a restarting peer is back within a second or two), cap at
	// 30 s so a long outage costs one dial per half minute.
	DefaultRedialMin = 100 * time.Millisecond
	DefaultRedialMax = 30 * time.Second
	// 30 failures at the cap is about a quarter of an hour: by then
	// membership has declared the peer dead and the mesh decides again.
	DefaultRedialAttempts = 30
)

// BytesPerSecond converts a Mbps setting (config MaxBandwidthMbps) to the
// bytes per second MaxBandwidth takes; 0 stays 0 (unlimited).
func BytesPerSecond(mbps float64) int64 {
	return int64(mbps * 1_000_000 / 8)
}

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
	set(&o.MaxPendingPerAddr, DefaultMaxPendingPerAddr)
	if o.ReservedSlots <= 0 {
		// A quarter of the slots: enough for the node's own dials to every
		// seat of its tables and for known peers to reconnect, while
		// unknown peers keep three quarters.
		o.ReservedSlots = o.MaxConnections / 4
	}
	set(&o.SendQueue, DefaultSendQueue)
	set(&o.BandwidthBurst, DefaultBandwidthBurst)
	set(&o.RedialAttempts, DefaultRedialAttempts)
	setDur(&o.HandshakeTimeout, DefaultHandshakeTimeout)
	setDur(&o.StaleHandshake, DefaultStaleHandshake)
	setDur(&o.DialTimeout, DefaultDialTimeout)
	setDur(&o.RedialMin, DefaultRedialMin)
	setDur(&o.RedialMax, DefaultRedialMax)
	if o.Metrics == nil {
		o.Metrics = link.NewMetrics(nil)
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Rand == nil {
		o.Rand = rand.Reader
	}
	return o
}

// validate names the bad option; Props panics on it (a wiring mistake).
func (o Options) validate() error {
	switch {
	case o.ListenAddr == "":
		return fmt.Errorf("tcp options: ListenAddr is empty")
	case len(o.Local.PublicKey) == 0 || o.Local.Sign == nil:
		return fmt.Errorf("tcp options: Local identity is missing")
	case o.MaxBandwidth < 0:
		return fmt.Errorf("tcp options: MaxBandwidth %d is negative", o.MaxBandwidth)
	}
	return nil
}
