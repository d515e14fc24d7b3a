package mesh

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hashicorp/memberlist"

	"github.com/bitcraps/bitcraps/internal/config"
)

// testingProbeInterval is the probe interval of the testing profile: half
// memberlist's local default, so a crashed member of a test cluster is found
// in a few seconds, yet slow enough that a loaded 2-core machine running
// -race (or fifty members in one process) does not starve probes into false
// failures.
const testingProbeInterval = 500 * time.Millisecond

// memberlistConfig picks memberlist's timings for the profile.
func memberlistConfig(p config.Profile) *memberlist.Config {
	var c *memberlist.Config
	if p == config.ProfileTesting {
		c = memberlist.DefaultLocalConfig()
		c.ProbeInterval = testingProbeInterval
		// Half the probe interval: a loopback ack takes microseconds, so
		// only a starved process misses 250 ms.
		c.ProbeTimeout = 250 * time.Millisecond
		// GossipInterval stays at the local default (100 ms): twice per
		// probe, so news outruns failure detection; faster gossip costs a
		// 50-member in-process cluster more CPU than it saves in time.
		// Anti-entropy every 2 s repairs anything gossip lost within a test.
		c.PushPullInterval = 2 * time.Second
		// Stop gossiping to the dead soon: test clusters churn on purpose.
		c.GossipToTheDeadTime = 2 * time.Second
		// A test restarts a member on a new ephemeral port a moment later.
		c.DeadNodeReclaimTime = time.Second
		// Loopback has bandwidth to spare; LZW was a quarter of the CPU of a
		// 50-member in-process cluster, and CPU starvation is what makes
		// test clusters see false failures.
		c.EnableCompression = false
	} else {
		c = memberlist.DefaultLANConfig()
		// A node rescheduled to a new address (a pod, a DHCP lease) comes
		// back under the same peer ID; after 30 s dead it may reclaim it.
		c.DeadNodeReclaimTime = 30 * time.Second
	}
	// DEPENDENCIES.md: with 2, alive messages of a 20-node cluster can die
	// out before push/pull and convergence takes 15-30 s; 4 takes 0.1-0.3 s.
	c.RetransmitMult = 4
	return c
}

// gossipEvent is a memberlist callback copied out of memberlist's locks.
type gossipEvent struct {
	owner *meshActor
	kind  gossipKind
	name  string
	addr  string
	meta  []byte
}

type gossipKind int

const (
	memberJoined gossipKind = iota
	memberUpdated
	memberGone
)

// probeDone carries a successful probe's round trip.
type probeDone struct {
	owner *meshActor
	name  string
	rtt   time.Duration
}

// delegates implements memberlist's Delegate, EventDelegate, AliveDelegate
// and PingDelegate. Every callback runs under memberlist's locks: it copies
// what it needs and hands it to the actor with a non-blocking send (the
// actor's mailbox is unbounded, so Send never waits), and never calls back
// into memberlist.
type delegates struct {
	owner  *meshActor
	send   func(any)
	meta   atomic.Pointer[[]byte]
	verify func(name string, meta []byte) error
}

func (d *delegates) setMeta(b []byte) { d.meta.Store(&b) }

// NodeMeta implements memberlist.Delegate.
func (d *delegates) NodeMeta(limit int) []byte {
	b := *d.meta.Load()
	if len(b) > limit {
		return nil // cannot happen: 46 bytes against memberlist's 512
	}
	return b
}

// NotifyMsg implements memberlist.Delegate; the mesh sends no gossip
// messages of its own (data goes over the transport).
func (d *delegates) NotifyMsg([]byte) {}

// GetBroadcasts implements memberlist.Delegate.
func (d *delegates) GetBroadcasts(int, int) [][]byte { return nil }

// LocalState implements memberlist.Delegate.
func (d *delegates) LocalState(bool) []byte { return nil }

// MergeRemoteState implements memberlist.Delegate.
func (d *delegates) MergeRemoteState([]byte, bool) {}

func (d *delegates) event(kind gossipKind, n *memberlist.Node) {
	d.send(&gossipEvent{owner: d.owner, kind: kind, name: n.Name, addr: n.Address(), meta: bytes.Clone(n.Meta)})
}

// NotifyJoin implements memberlist.EventDelegate.
func (d *delegates) NotifyJoin(n *memberlist.Node) { d.event(memberJoined, n) }

// NotifyLeave implements memberlist.EventDelegate.
func (d *delegates) NotifyLeave(n *memberlist.Node) { d.event(memberGone, n) }

// NotifyUpdate implements memberlist.EventDelegate.
func (d *delegates) NotifyUpdate(n *memberlist.Node) { d.event(memberUpdated, n) }

// NotifyAlive implements memberlist.AliveDelegate: an alive message whose
// name, key and proof of work do not check out is ignored, so such a node
// never becomes a member here.
func (d *delegates) NotifyAlive(n *memberlist.Node) error {
	return d.verify(n.Name, n.Meta)
}

// AckPayload implements memberlist.PingDelegate.
func (d *delegates) AckPayload() []byte { return nil }

// NotifyPingComplete implements memberlist.PingDelegate.
func (d *delegates) NotifyPingComplete(other *memberlist.Node, rtt time.Duration, _ []byte) {
	d.send(&probeDone{owner: d.owner, name: other.Name, rtt: rtt})
}

// rejectReason is the metric label for a metadata verification error.
func rejectReason(err error) string {
	switch {
	case errors.Is(err, ErrNameMismatch):
		return "name_mismatch"
	case errors.Is(err, ErrBadMeta):
		return "bad_meta"
	default:
		return "pow"
	}
}

// slogWriter turns memberlist's "[LEVEL] memberlist: ..." lines into slog
// records at the matching level.
type slogWriter struct{ log *slog.Logger }

func (w slogWriter) Write(p []byte) (int, error) {
	line := strings.TrimSpace(string(p))
	level := slog.LevelInfo
	for prefix, l := range map[string]slog.Level{"[DEBUG]": slog.LevelDebug, "[WARN]": slog.LevelWarn, "[ERR]": slog.LevelError, "[INFO]": slog.LevelInfo} {
		if strings.HasPrefix(line, prefix) {
			level, line = l, strings.TrimSpace(strings.TrimPrefix(line, prefix))
			break
		}
	}
	w.log.Log(context.Background(), level, line, "component", "memberlist")
	return len(p), nil
}

func memberlistLogger(l *slog.Logger) *log.Logger { return log.New(slogWriter{l}, "", 0) }

// resolveJoin turns the join list into IP:port addresses, resolving names
// (each may give several addresses) and leaving out this node's own address.
func resolveJoin(ctx context.Context, join []string, self string, lookup func(context.Context, string) ([]string, error)) ([]string, error) {
	var out []string
	var errs []error
	for _, j := range join {
		t, err := splitJoin(j)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		hosts := []string{t.host}
		if net.ParseIP(t.host) == nil {
			if hosts, err = lookup(ctx, t.host); err != nil {
				errs = append(errs, fmt.Errorf("resolve join entry %q: %w", j, err))
				continue
			}
		}
		for _, h := range hosts {
			if a := net.JoinHostPort(h, t.port); a != self {
				out = append(out, a)
			}
		}
	}
	if len(out) == 0 {
		errs = append(errs, fmt.Errorf("join list %v: no address other than this node's (%s)", join, self))
		return nil, errors.Join(errs...)
	}
	return out, nil
}
