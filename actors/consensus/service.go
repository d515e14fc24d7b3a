package consensus

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"golang.org/x/time/rate"

	"github.com/bitcraps/bitcraps/internal/bft"
	"github.com/bitcraps/bitcraps/internal/game"
	"github.com/bitcraps/bitcraps/messages"
)

// NewProps checks opts once and returns the factory the supervisor's
// ChildSpec wants: fresh props (and a fresh Service) on every call.
func NewProps(opts Options) (func() *actor.Props, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	return func() *actor.Props {
		return actor.PropsFromProducer(func() actor.Actor { return &Service{opts: &o, log: o.Logger} })
	}, nil
}

// Service is the "consensus" child of the root supervisor: it owns the
// consensus store, routes consensus frames from the mesh to its table
// instances (one child each, named by table ID) and starts them again from
// the store after any restart.
type Service struct {
	opts      *Options
	log       *slog.Logger
	store     *Store
	mesh      *actor.PID
	instances map[string]*actor.PID
	health    *messages.ServiceHealth
	resub     *time.Timer
	// roundsBudget limits catch-up answers (rounds.go).
	roundsBudget *rate.Limiter
	// tables are the instances' reports, for the service's health (health.go).
	tables map[string]instanceReport
	// metas writes table records in order (metawriter.go).
	metas *metaWriter
}

type resubscribe struct{ owner *Service }

// Receive implements actor.Actor.
func (s *Service) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		s.start(ctx)
	case *actor.Stopping, *actor.Restarting:
		// A persist still in flight answers ErrStoreClosed and is dropped
		// unsent, which is safe: the instance restarts from the store.
		s.stopTimers()
		s.closeStore()
	case *resubscribe:
		if m.owner == s {
			s.subscribe(ctx)
			s.reportTables(ctx)
		}
	case *instanceReport:
		if m.mode == 0 && m.failure == "" {
			delete(s.tables, m.table)
		} else if old, ok := s.tables[m.table]; !ok || old.mode != m.mode || old.failure != m.failure {
			s.tables[m.table] = *m
		}
		s.reportTables(ctx)
	case *actor.Terminated:
		s.forget(m.Who)
	case *messages.MeshDelivery:
		s.deliver(ctx, m)
	case *messages.ConsensusStart:
		s.startInstance(ctx, m)
	case *messages.ConsensusStop:
		s.stopInstance(ctx, m)
	case *messages.ConsensusBet:
		s.forward(ctx, m.TableID, &messages.ConsensusBetReply{})
	case *messages.ConsensusRoll:
		s.forward(ctx, m.TableID, &messages.ConsensusAck{})
	case *Tick:
		s.forward(ctx, m.TableID, &TickDone{Err: fmt.Errorf("table %s: %w", m.TableID, messages.ErrNoInstance)})
	case *InjectByzantine:
		s.inject(ctx, m)
	case *messages.ConsensusRounds:
		s.rounds(ctx, m)
	case *messages.ConsensusSaveTable:
		s.saveTable(ctx, m)
	case *messages.ConsensusLoadTables:
		s.loadTables(ctx)
	case *messages.ConsensusCheckpoint:
		s.checkpoint(ctx, m)
	}
}

func (s *Service) start(ctx actor.Context) {
	s.instances = map[string]*actor.PID{}
	s.tables = map[string]instanceReport{}
	s.roundsBudget = newRoundsBudget()
	s.mesh = s.opts.Mesh
	if s.mesh == nil {
		s.mesh = actor.NewPID(ctx.ActorSystem().Address(), "root/mesh")
	}
	store, err := OpenStore(StoreDir(s.opts.DataDir), s.log)
	if err != nil {
		s.report(ctx, messages.Critical, fmt.Sprintf("consensus store: %v", err))
		return
	}
	s.store = store
	s.metas = startMetaWriter(store, ctx.ActorSystem())
	if err := s.restartInstances(ctx); err != nil {
		s.report(ctx, messages.Critical, fmt.Sprintf("consensus store: %v", err))
		return
	}
	s.subscribe(ctx)
	s.reportTables(ctx)
}

// restartInstances starts every instance the store knows that has not
// ended: a restarted service (or node) resumes its tables from disk.
func (s *Service) restartInstances(ctx actor.Context) error {
	raw, err := s.store.Specs()
	if err != nil {
		return err
	}
	for table, b := range raw {
		var sp spec
		if err := json.Unmarshal(b, &sp); err != nil {
			return fmt.Errorf("spec of table %s: %w", table, err)
		}
		if !sp.Ended {
			s.spawn(ctx, table, sp)
		}
	}
	return nil
}

func (s *Service) spawn(ctx actor.Context, table string, sp spec) *actor.PID {
	opts, store, mesh := s.opts, s.store, s.mesh
	pid, err := ctx.SpawnNamed(actor.PropsFromProducer(func() actor.Actor {
		return newInstance(opts, store, mesh, table, sp)
	}), table)
	if err != nil {
		s.log.Error("spawn table instance", "table", table, "err", err)
		return nil
	}
	s.instances[table] = pid
	s.opts.Metrics.setInstances(len(s.instances))
	return pid
}

func (s *Service) forget(pid *actor.PID) {
	for t, p := range s.instances {
		if p.Equal(pid) {
			delete(s.instances, t)
		}
	}
	s.opts.Metrics.setInstances(len(s.instances))
}

func (s *Service) subscribe(ctx actor.Context) {
	ctx.Send(s.mesh, &messages.SubscribeMesh{Subscriber: ctx.Self(),
		Types: []messages.MessageType{messages.MessageType_MESSAGE_TYPE_CONSENSUS}})
	sys, pid, msg := ctx.ActorSystem(), ctx.Self(), &resubscribe{owner: s}
	s.resub = time.AfterFunc(s.opts.Resubscribe, func() { sys.Root.Send(pid, msg) })
}

func (s *Service) stopTimers() {
	if s.resub != nil {
		s.resub.Stop()
	}
}

func (s *Service) closeStore() {
	if s.store == nil {
		return
	}
	if s.metas != nil {
		s.metas.stop()
		s.metas = nil
	}
	if err := s.store.Close(); err != nil {
		s.log.Error("close consensus store", "err", err)
	}
	s.store = nil
}

// reportTables reports the service's health from its tables, once the
// store is open.
func (s *Service) reportTables(ctx actor.Context) {
	if s.store != nil {
		status, reason := tablesHealth(s.tables, time.Now())
		s.report(ctx, status, reason)
	}
}

func (s *Service) report(ctx actor.Context, status messages.HealthStatus, reason string) {
	h := &messages.ServiceHealth{Service: ServiceName, Status: status, Reason: reason}
	if s.health != nil && *s.health == *h {
		return
	}
	s.health = h
	if p := ctx.Parent(); p != nil { // nil when spawned alone, as in tests
		ctx.Send(p, h)
	}
}

func (s *Service) deliver(ctx actor.Context, d *messages.MeshDelivery) {
	kind, table, body, err := messages.DecodeFrame(d.Envelope.GetPayload())
	switch {
	case err != nil:
		s.opts.Metrics.droppedFrame("undecodable")
	case kind == messages.FrameTable:
		// table control frames are the games manager's
	case kind == messages.FrameRoundsAsk:
		s.answerRounds(ctx, table, d.Envelope.GetSender(), body)
	case kind != messages.FrameBFT && kind != messages.FramePresence && kind != messages.FrameRounds:
		s.opts.Metrics.droppedFrame("unknown_kind")
	case s.instances[table] == nil:
		s.opts.Metrics.droppedFrame("unknown_table")
	default:
		ctx.Send(s.instances[table], &inbound{kind: kind, from: d.Envelope.SenderID(), body: body})
	}
}

func (s *Service) startInstance(ctx actor.Context, m *messages.ConsensusStart) {
	table := m.Genesis.TableID
	if pid := s.instances[table]; pid != nil {
		ctx.Forward(pid)
		return
	}
	if s.store == nil {
		ctx.Respond(&messages.ConsensusAck{Err: fmt.Errorf("table %s: %w: store not open", table, ErrInstanceFailed)})
		return
	}
	if _, err := game.GenesisHash(m.Genesis); err != nil {
		ctx.Respond(&messages.ConsensusAck{Err: fmt.Errorf("start table %s: %w", table, err)})
		return
	}
	sp, err := s.specOf(table, m)
	if err == nil {
		err = s.putSpec(table, sp)
	}
	if err != nil {
		ctx.Respond(&messages.ConsensusAck{Err: err})
		return
	}
	pid := s.spawn(ctx, table, sp)
	if pid == nil {
		ctx.Respond(&messages.ConsensusAck{Err: fmt.Errorf("table %s: %w: spawn failed", table, ErrInstanceFailed)})
		return
	}
	ctx.Forward(pid)
}

// specOf is the stored spec of a table that ran here before (its genesis
// never changes, and its exclusions must survive), or a new one.
func (s *Service) specOf(table string, m *messages.ConsensusStart) (spec, error) {
	raw, found, err := s.store.Spec(table)
	if err != nil || !found {
		return spec{Genesis: m.Genesis, BetWindowTicks: m.BetWindowTicks, MinPlayers: m.MinPlayers, Host: m.Host}, err
	}
	var sp spec
	if err := json.Unmarshal(raw, &sp); err != nil {
		return sp, fmt.Errorf("spec of table %s: %w", table, err)
	}
	sp.Ended = false
	sp.MinPlayers, sp.Host = m.MinPlayers, m.Host // the table's settings, also for specs stored before they were kept
	return sp, nil
}

func (s *Service) putSpec(table string, sp spec) error {
	b, err := json.Marshal(sp)
	if err != nil {
		return fmt.Errorf("spec of table %s: %w", table, err)
	}
	return s.store.PutSpec(table, b)
}

// stopInstance lets the running instance mark its spec ended (it owns its
// spec once started) and stop.
func (s *Service) stopInstance(ctx actor.Context, m *messages.ConsensusStop) {
	if pid := s.instances[m.TableID]; pid != nil {
		ctx.Forward(pid)
		return
	}
	ctx.Respond(&messages.ConsensusAck{Err: fmt.Errorf("table %s: %w", m.TableID, messages.ErrNoInstance)})
}

// forward passes a table request to its instance; with none, it answers
// with reply carrying messages.ErrNoInstance.
func (s *Service) forward(ctx actor.Context, table string, reply any) {
	if pid := s.instances[table]; pid != nil {
		ctx.Forward(pid)
		return
	}
	err := fmt.Errorf("table %s: %w", table, messages.ErrNoInstance)
	switch r := reply.(type) {
	case *messages.ConsensusBetReply:
		r.Err = err
	case *messages.ConsensusAck:
		r.Err = err
	}
	ctx.Respond(reply)
}

// rounds and loadTables read the disk off the mailbox; saveTable queues
// for the ordered writer.
func (s *Service) rounds(ctx actor.Context, m *messages.ConsensusRounds) {
	store, sys, to := s.store, ctx.ActorSystem(), ctx.Sender()
	go func() {
		reply := &messages.ConsensusRoundList{Err: fmt.Errorf("table %s: %w", m.TableID, ErrStoreClosed)}
		if store != nil {
			reply.Certificates, reply.Unseatings, reply.Err = history(store, m)
		}
		respond(sys, to, reply)
	}()
}

func (s *Service) saveTable(ctx actor.Context, m *messages.ConsensusSaveTable) {
	err := ErrStoreClosed
	if s.metas != nil {
		err = s.metas.save(metaWrite{table: m.TableID, record: m.Record, reply: ctx.Sender()})
	}
	if err != nil && ctx.Sender() != nil {
		ctx.Respond(&messages.ConsensusAck{Err: err})
	}
}

func (s *Service) loadTables(ctx actor.Context) {
	store, sys, to := s.store, ctx.ActorSystem(), ctx.Sender()
	go func() {
		reply := &messages.ConsensusTables{Err: ErrStoreClosed}
		if store != nil {
			reply.Records, reply.Err = store.Metas()
		}
		respond(sys, to, reply)
	}()
}

func respond(sys *actor.ActorSystem, to *actor.PID, msg any) {
	if to != nil {
		sys.Root.Send(to, msg)
	}
}

func (s *Service) inject(ctx actor.Context, m *InjectByzantine) {
	if !s.opts.FaultInjection {
		ctx.Respond(&messages.ConsensusAck{Err: ErrFaultInjectionOff})
		return
	}
	if m.Behavior == nil {
		s.opts.byzantine.Store(nil)
	} else {
		b := m.Behavior
		s.opts.byzantine.Store(&b)
	}
	s.log.Warn("byzantine behaviour injected into this node's consensus", "on", m.Behavior != nil)
	ctx.Respond(&messages.ConsensusAck{})
}

// history reads the certificates m asks for and the unseatings that apply
// before each of them or after the last.
func history(store *Store, m *messages.ConsensusRounds) ([]bft.Certificate, []game.Unseating, error) {
	from := max(m.From, 1)
	certs, err := store.Certificates(m.TableID, from, m.Limit)
	if err != nil {
		return nil, nil, err
	}
	raw, found, err := store.Spec(m.TableID)
	if err != nil || !found {
		return certs, nil, err
	}
	var sp spec
	if err := json.Unmarshal(raw, &sp); err != nil {
		return nil, nil, fmt.Errorf("spec of table %s: %w", m.TableID, err)
	}
	upTo := from + uint64(len(certs))
	var out []game.Unseating
	for _, u := range sp.Exclusions {
		if u.Round >= from && u.Round <= upTo {
			out = append(out, u)
		}
	}
	return certs, out, nil
}
