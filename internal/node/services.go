package node

import (
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	backupactor "github.com/bitcraps/bitcraps/actors/backup"
	"github.com/bitcraps/bitcraps/actors/consensus"
	ledgeractor "github.com/bitcraps/bitcraps/actors/ledger"
	"github.com/bitcraps/bitcraps/actors/mesh"
	"github.com/bitcraps/bitcraps/actors/plugins"
	"github.com/bitcraps/bitcraps/actors/table"
	"github.com/bitcraps/bitcraps/actors/transport"
	"github.com/bitcraps/bitcraps/actors/transport/ble"
	"github.com/bitcraps/bitcraps/actors/transport/tcp"
	"github.com/bitcraps/bitcraps/internal/audit"
	"github.com/bitcraps/bitcraps/internal/config"
	"github.com/bitcraps/bitcraps/internal/identity"
	"github.com/bitcraps/bitcraps/internal/ledger"
	"github.com/bitcraps/bitcraps/internal/link"
	"github.com/bitcraps/bitcraps/messages"
	"github.com/bitcraps/bitcraps/supervisor"
)

// Restart budget of every service: 10 restarts in 30 s absorbs a burst of
// transient failures (a peer sending garbage, a disk hiccup) while a
// service that crashes in a loop is stopped within seconds.
const (
	maxRestarts   = 10
	restartWindow = 30 * time.Second
)

// services declares the supervision tree's services in start order
// (DESIGN.md "Supervision tree"): each depends only on those before it.
// A service whose options are wrong still gets a place in the tree: it
// reports Critical with the reason, so the node says what is wrong.
func (n *Node) services() []supervisor.ChildSpec {
	spec := func(name string, critical bool, props func() *actor.Props, err error) supervisor.ChildSpec {
		if err != nil {
			props = brokenProps(name, err)
		}
		return supervisor.ChildSpec{Name: name, Critical: critical, Props: props,
			MaxRestarts: maxRestarts, Within: restartWindow}
	}
	ledgerProps, lerr := n.ledgerProps()
	transportProps, terr := n.transportProps()
	meshProps, merr := n.meshProps()
	consensusProps, cerr := n.consensusProps()
	gamesProps, gerr := n.gamesProps()
	backupProps, berr := n.backupProps()
	pluginsProps, perr := n.pluginsProps()
	return []supervisor.ChildSpec{
		spec(ledgeractor.ServiceName, true, ledgerProps, lerr),
		spec(transport.ServiceName, false, transportProps, terr),
		spec(mesh.ServiceName, false, meshProps, merr),
		spec(consensus.ServiceName, false, consensusProps, cerr),
		spec(table.ServiceName, false, gamesProps, gerr),
		spec(backupactor.ServiceName, false, backupProps, berr),
		spec(plugins.ServiceName, false, pluginsProps, perr),
	}
}

// sibling is the stable PID of a root service: the root names its
// children root/<name>, so a service finds another across restarts.
func (n *Node) sibling(name string) *actor.PID {
	return actor.NewPID(n.system.Address(), "root/"+name)
}

func (n *Node) ledgerProps() (func() *actor.Props, error) {
	opts := ledgeractor.Options{
		DataDir: n.cfg.DataDir, InitialBalance: n.cfg.InitialBalance, Treasury: identity.PeerID(n.cfg.TreasuryKey),
		Identity: n.id.PeerID(),
		Logger:   n.log.With("service", "ledger"), Registerer: n.registry,
		SnapshotInterval: n.cfg.SnapshotInterval, SnapshotKeep: n.cfg.SnapshotKeep,
		Certificates: consensus.CertificateVerifier{},
		OnApplied:    func(a ledger.Applied) { n.audit.record(audit.KindMoneyOp, a.AuditDetail()) },
	}
	if _, err := ledgeractor.Props(opts); err != nil {
		return nil, err
	}
	return func() *actor.Props { p, _ := ledgeractor.Props(opts); return p }, nil
}

func (n *Node) transportProps() (func() *actor.Props, error) {
	opts := transport.Options{
		Subscriber: n.sibling(mesh.ServiceName),
		Metrics:    link.NewMetrics(n.registry),
		Logger:     n.log.With("service", "transport"),
	}
	if !n.cfg.MobileMode {
		opts.TCP = &tcp.Options{
			ListenAddr:     net.JoinHostPort(n.cfg.BindAddr, strconv.Itoa(n.cfg.Port)),
			Local:          link.LocalFrom(n.id),
			Difficulty:     n.cfg.PoWDifficulty,
			MaxConnections: n.cfg.MaxConnections,
			MaxBandwidth:   tcp.BytesPerSecond(float64(n.cfg.MaxBandwidthMbps)),
		}
	}
	// Registered with BLE off too: a node's series are the same whatever
	// its radio, so dashboards and alerts need no special case.
	fragments, err := ble.NewMetrics(n.registry)
	if err != nil {
		return nil, err
	}
	if n.cfg.BLEMode != config.BLEOff {
		bleOpts := ble.Options{
			Mode: n.cfg.BLEMode, Mobile: n.cfg.MobileMode, Local: link.LocalFrom(n.id),
			Difficulty: n.cfg.PoWDifficulty, MaxConnections: min(n.cfg.MaxConnections, ble.DefaultMaxConnections),
			Metrics: opts.Metrics, Fragments: fragments, Logger: n.log.With("service", "ble"),
		}
		if _, err := ble.Props(bleOpts); err != nil {
			return nil, err
		}
		opts.BLE = func() *actor.Props { p, _ := ble.Props(bleOpts); return p }
	}
	return transport.NewProps(opts)
}

func (n *Node) meshProps() (func() *actor.Props, error) {
	metrics, err := mesh.NewMetrics(n.registry)
	if err != nil {
		return nil, err
	}
	_, httpPort, _ := net.SplitHostPort(n.cfg.HTTPAddr)
	hp, _ := strconv.Atoi(httpPort)
	opts := mesh.Options{
		Identity: n.id, PoWDifficulty: n.cfg.PoWDifficulty, Profile: n.cfg.Profile,
		Gossip: !n.cfg.MobileMode, BindAddr: n.cfg.BindAddr, GossipPort: n.cfg.GossipPort,
		MeshPort: n.cfg.Port, HTTPPort: hp, Join: n.cfg.Join, GossipKey: n.cfg.GossipKey,
		Transport: n.sibling(transport.ServiceName), Logger: n.log.With("service", "mesh"), Metrics: metrics,
	}
	if _, err := mesh.Props(opts); err != nil {
		return nil, err
	}
	return func() *actor.Props { p, _ := mesh.Props(opts); return p }, nil
}

func (n *Node) consensusProps() (func() *actor.Props, error) {
	metrics, err := consensus.NewMetrics(n.registry)
	if err != nil {
		return nil, err
	}
	return consensus.NewProps(consensus.Options{
		DataDir: n.cfg.DataDir, Identity: n.id, TickInterval: n.cfg.TickInterval, SeatGrace: n.cfg.SeatGrace,
		FaultInjection: n.cfg.FaultInjection,
		Mesh:           n.sibling(mesh.ServiceName), Logger: n.log.With("service", "consensus"), Metrics: metrics,
	})
}

func (n *Node) gamesProps() (func() *actor.Props, error) {
	metrics, err := table.NewMetrics(n.registry)
	if err != nil {
		return nil, err
	}
	return table.NewProps(table.Options{
		Identity: n.id, MaxGames: n.cfg.MaxGames, TickInterval: n.cfg.TickInterval, WaitTimeout: n.cfg.TableWaitTimeout, DefaultBetWindow: n.cfg.BetWindow,
		// Degraded serves players too (a failing backup never stops play).
		Running:   func() bool { return n.root != nil && (healthView{n}).Ready() },
		Ledger:    n.sibling(ledgeractor.ServiceName),
		Mesh:      n.sibling(mesh.ServiceName),
		Consensus: n.sibling(consensus.ServiceName),
		Logger:    n.log.With("service", "games"), Metrics: metrics,
	})
}

// brokenProps stands in for a service whose options are invalid: it
// reports Critical with the reason instead of crashing the start sequence.
func brokenProps(name string, err error) func() *actor.Props {
	reason := fmt.Sprintf("not started: invalid options: %v", err)
	return func() *actor.Props {
		return actor.PropsFromFunc(func(ctx actor.Context) {
			if _, ok := ctx.Message().(*actor.Started); ok {
				ctx.Send(ctx.Parent(), &messages.ServiceHealth{Service: name, Status: messages.Critical, Reason: reason})
			}
		})
	}
}

// ActorSystem is the node's actor system, for tests and tools that talk to
// services directly (games, ledger) instead of through HTTP.
func (n *Node) ActorSystem() *actor.ActorSystem { return n.system }
