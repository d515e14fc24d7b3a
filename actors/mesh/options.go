package mesh

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/internal/config"
	"github.com/bitcraps/bitcraps/internal/identity"
)

// ErrOptions is wrapped by every invalid-option error.
var ErrOptions = errors.New("mesh: invalid option")

// Options configure the mesh actor.
type Options struct {
	// Identity is this node's key pair and proof of work; the node name in
	// memberlist is its peer ID.
	Identity *identity.Identity
	// PoWDifficulty is the work every member's identity must carry.
	PoWDifficulty int
	// Profile picks memberlist timings (server: LAN defaults; testing:
	// fast probes and gossip; mobile: as server, but gossip is usually off).
	Profile config.Profile
	// Gossip runs memberlist. Off in mobile mode (BLE only): peers then
	// come only from transport connections.
	Gossip bool
	// BindAddr is the IP memberlist binds; AdvertiseAddr, when set, is the
	// IP it tells others (needed when BindAddr is 0.0.0.0 behind NAT).
	BindAddr      string
	AdvertiseAddr string
	// GossipPort is memberlist's TCP and UDP port; 0 picks a free one
	// (tests), see Peers.Self.GossipAddr.
	GossipPort int
	// MeshPort and HTTPPort are advertised in the node metadata so peers
	// can dial the transport and find the API.
	MeshPort int
	HTTPPort int
	// Join lists host:port seeds; a DNS name may resolve to several
	// addresses. Retried with capped backoff until one join succeeds.
	Join []string
	// GossipKey (16, 24 or 32 bytes) encrypts gossip; nil sends it clear.
	GossipKey []byte
	// Transport is the transport actor; nil runs membership only (routing
	// then finds no route).
	Transport *actor.PID
	// Limits are the routing rate limits; zero value: DefaultLimits().
	Limits Limits
	// Logger receives the actor's and memberlist's logs; nil discards.
	Logger *slog.Logger
	// Metrics, from NewMetrics; nil counts nothing.
	Metrics *Metrics
	// Now is the clock of the routing and peer-table decisions; nil is
	// time.Now. Timers themselves run on real time.
	Now func() time.Time
	// LookupHost resolves join names; nil is net.DefaultResolver.LookupHost.
	LookupHost func(ctx context.Context, host string) ([]string, error)
	// LeaveTimeout bounds each of the two graceful-leave steps on stop;
	// zero takes the profile's default.
	LeaveTimeout time.Duration

	// skipLeave makes stop look like a crash (tests of failure detection).
	skipLeave bool
}

// timings are the profile-dependent durations of the actor.
type timings struct {
	refresh      time.Duration
	joinBase     time.Duration
	joinMax      time.Duration
	leave        time.Duration
	probe        time.Duration
	tableKeep    time.Duration
	maxTablePeer int
}

func timingsFor(p config.Profile) timings {
	t := timings{
		// Peer-table housekeeping once a second: suspect marks and
		// metrics lag by at most that, at negligible cost.
		refresh: time.Second,
		// Start retrying joins after a second, back off to half a minute:
		// seeds that boot late are found quickly, dead seeds cost little.
		joinBase: time.Second,
		joinMax:  30 * time.Second,
		// Long enough for one gossip round to carry the leave on a LAN.
		leave: 3 * time.Second,
		// memberlist's LAN probe interval (see memberlistConfig).
		probe: time.Second,
		// An hour of history answers "was it here?" without growing.
		tableKeep: time.Hour,
		// Far above any table population; bounds memory against churn.
		maxTablePeer: 4096,
	}
	if p == config.ProfileTesting {
		t.refresh = 250 * time.Millisecond
		t.joinBase, t.joinMax = 50*time.Millisecond, time.Second
		t.leave = time.Second
		t.probe = testingProbeInterval
	}
	return t
}

func (o Options) validate() error {
	switch {
	case o.Identity == nil || len(o.Identity.PublicKey) != ed25519.PublicKeySize:
		return fmt.Errorf("%w: Identity: missing or not an Ed25519 key", ErrOptions)
	case o.PoWDifficulty < 0 || o.PoWDifficulty > identity.MaxDifficulty:
		return fmt.Errorf("%w: PoWDifficulty %d: want 0..%d", ErrOptions, o.PoWDifficulty, identity.MaxDifficulty)
	case o.Profile != config.ProfileServer && o.Profile != config.ProfileMobile && o.Profile != config.ProfileTesting:
		return fmt.Errorf("%w: Profile %q: want server, mobile or testing", ErrOptions, o.Profile)
	}
	for name, port := range map[string]int{"GossipPort": o.GossipPort, "MeshPort": o.MeshPort, "HTTPPort": o.HTTPPort} {
		if port < 0 || port > 65535 {
			return fmt.Errorf("%w: %s %d: want 0..65535", ErrOptions, name, port)
		}
	}
	if !o.Gossip {
		return nil
	}
	if net.ParseIP(o.BindAddr) == nil {
		return fmt.Errorf("%w: BindAddr %q: want an IP address", ErrOptions, o.BindAddr)
	}
	if o.AdvertiseAddr != "" && net.ParseIP(o.AdvertiseAddr) == nil {
		return fmt.Errorf("%w: AdvertiseAddr %q: want an IP address", ErrOptions, o.AdvertiseAddr)
	}
	switch len(o.GossipKey) {
	case 0, 16, 24, 32:
	default:
		return fmt.Errorf("%w: GossipKey: %d bytes, want 16, 24 or 32", ErrOptions, len(o.GossipKey))
	}
	for _, j := range o.Join {
		if _, err := splitJoin(j); err != nil {
			return err
		}
	}
	return nil
}

type joinTarget struct {
	host string
	port string
}

func splitJoin(s string) (joinTarget, error) {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return joinTarget{}, fmt.Errorf("%w: Join entry %q: want host:port: %w", ErrOptions, s, err)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 || host == "" {
		return joinTarget{}, fmt.Errorf("%w: Join entry %q: want host:port with a port in 1..65535", ErrOptions, s)
	}
	return joinTarget{host: host, port: port}, nil
}
