package ledgeractor

import (
	"encoding/binary"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/cockroachdb/pebble/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/bitcraps/bitcraps/internal/ledger"
	"github.com/bitcraps/bitcraps/messages"
)

func wantHealthy(t *testing.T, n *node) {
	t.Helper()
	if h := n.nextHealth(t); h.Service != ServiceName || h.Status != messages.Healthy {
		t.Fatalf("health %+v, want Healthy", h)
	}
}

func apply(t *testing.T, n *node, op ledger.Op) ledger.Applied {
	t.Helper()
	r := ask[*messages.LedgerApplied](t, n, &messages.LedgerApply{Op: op})
	if r.Err != nil {
		t.Fatalf("apply %s: %v", op.Kind, r.Err)
	}
	return r.Applied
}

// waitWallet polls until the genesis grant (applied after Healthy) lands.
func waitWallet(t *testing.T, n *node, p player, want int64) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for {
		h := ask[*messages.LedgerHoldings](t, n, &messages.LedgerHoldingsRequest{Peer: p.id})
		if h.Err == nil && h.Holdings.Wallet == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("wallet of %s: %+v, want %d", p.id, h, want)
		}
		time.Sleep(time.Millisecond) // polling the answer, not standing in for it
	}
}

func TestGenesisOpsAndReads(t *testing.T) {
	host, alice := newPlayer("node"), newPlayer("alice")
	n := start(t, newSystem(t), props(t, Options{DataDir: t.TempDir(), InitialBalance: 1_000 * crap, Identity: host.id}))
	wantHealthy(t, n)
	waitWallet(t, n, host, 1_000*crap)

	g := ask[*messages.LedgerApplied](t, n, &messages.LedgerGrantGenesis{Peer: alice.id})
	if g.Err != nil || g.Applied.Duplicate {
		t.Fatalf("genesis of alice: %+v", g)
	}
	if again := ask[*messages.LedgerApplied](t, n, &messages.LedgerGrantGenesis{Peer: alice.id}); again.Err != nil || !again.Applied.Duplicate {
		t.Fatalf("second genesis of alice: %+v, want a duplicate", again)
	}
	apply(t, n, host.sign(ledger.Op{Kind: ledger.KindFundBank, Table: "t1", Amount: 500 * crap, Seq: 1}))
	seq := ask[*messages.LedgerNextSeq](t, n, &messages.LedgerNextSeqRequest{Peer: alice.id})
	apply(t, n, alice.sign(ledger.Op{Kind: ledger.KindBuyIn, Table: "t1", Amount: 100 * crap, Seq: seq.Seq}))
	apply(t, n, ledger.Op{Kind: ledger.KindSettle, Table: "t1", Round: 1, Certificate: []byte("c"),
		Outcomes: []ledger.Outcome{{Player: alice.id, Delta: 10 * crap}}})

	refused := ask[*messages.LedgerApplied](t, n, &messages.LedgerApply{Op: alice.sign(ledger.Op{Kind: ledger.KindBuyIn, Table: "t1", Amount: 10_000 * crap, Seq: 2})})
	if !errors.Is(refused.Err, ledger.ErrInsufficientFunds) {
		t.Fatalf("overdraft: %v, want ErrInsufficientFunds", refused.Err)
	}
	h := ask[*messages.LedgerHoldings](t, n, &messages.LedgerHoldingsRequest{Peer: alice.id})
	if h.Holdings.Wallet != 900*crap || h.Holdings.Chips["t1"] != 110*crap {
		t.Fatalf("alice holds %+v", h.Holdings)
	}
	tbl := ask[*messages.LedgerTable](t, n, &messages.LedgerTableRequest{Table: "t1"})
	if !tbl.Found || tbl.Info.Bank != 490*crap || tbl.Info.Host != host.id || tbl.Info.LastRound != 1 {
		t.Fatalf("table %+v", tbl)
	}
	v := ask[*messages.LedgerVerifyResult](t, n, &messages.LedgerVerifyRequest{})
	if v.Err != nil || !v.Report.OK || v.Report.TotalGrants != 2_000*crap || v.Report.Ops != 5 {
		t.Fatalf("verify %+v", v)
	}
	hash := ask[*messages.LedgerStateHash](t, n, &messages.LedgerStateHashRequest{})
	r := ask[*messages.LedgerReader](t, n, &messages.LedgerReaderRequest{})
	if direct, err := r.Reader.StateHash(); err != nil || direct != hash.Hash || hash.Hash != v.Report.StateHash {
		t.Fatalf("state hash by message %q, by reader %q (%v), by verify %q", hash.Hash, direct, err, v.Report.StateHash)
	}
}

// boom makes the test middleware panic inside the ledger actor.
type boom struct{}

func panicOnBoom(next actor.ReceiverFunc) actor.ReceiverFunc {
	return func(ctx actor.ReceiverContext, env *actor.MessageEnvelope) {
		if _, ok := env.Message.(*boom); ok {
			panic("boom")
		}
		next(ctx, env)
	}
}

func TestRestartRebuildsFromPebble(t *testing.T) {
	host, alice := newPlayer("node"), newPlayer("alice")
	dir := t.TempDir()
	system := newSystem(t)
	n := start(t, system, props(t, Options{DataDir: dir, InitialBalance: 1_000 * crap, Identity: host.id}).
		Configure(actor.WithReceiverMiddleware(panicOnBoom)))
	wantHealthy(t, n)
	waitWallet(t, n, host, 1_000*crap)
	// Play money: the grant every node derives for alice (ledger.Money).
	apply(t, n, ledger.Op{Kind: ledger.KindGrant, Owner: alice.id, Amount: 1_000 * crap})
	apply(t, n, host.sign(ledger.Op{Kind: ledger.KindFundBank, Table: "t1", Amount: 5 * crap, Seq: 1}))
	before := ask[*messages.LedgerStateHash](t, n, &messages.LedgerStateHashRequest{}).Hash
	old := ask[*messages.LedgerReader](t, n, &messages.LedgerReaderRequest{}).Reader

	system.Root.Send(n.ledger, &boom{})
	wantHealthy(t, n) // the fresh instance reopened, verified, and reported
	if after := ask[*messages.LedgerStateHash](t, n, &messages.LedgerStateHashRequest{}).Hash; after != before {
		t.Fatalf("state hash %s after restart, want %s", after, before)
	}
	if _, err := old.StateHash(); !errors.Is(err, ledger.ErrClosed) {
		t.Fatalf("the old reader after a restart: %v, want ErrClosed", err)
	}
	seq := ask[*messages.LedgerNextSeq](t, n, &messages.LedgerNextSeqRequest{Peer: host.id})
	if seq.Seq != 2 {
		t.Fatalf("host's next seq %d after restart, want 2", seq.Seq)
	}
	apply(t, n, host.sign(ledger.Op{Kind: ledger.KindFundBank, Table: "t1", Amount: 5 * crap, Seq: 2}))

	// A whole new node on the same data dir sees the same ledger.
	hash := ask[*messages.LedgerStateHash](t, n, &messages.LedgerStateHashRequest{}).Hash
	n.stop()
	n2 := start(t, system, props(t, Options{DataDir: dir, InitialBalance: 1_000 * crap, Identity: host.id}))
	wantHealthy(t, n2)
	if got := ask[*messages.LedgerStateHash](t, n2, &messages.LedgerStateHashRequest{}).Hash; got != hash {
		t.Fatalf("state hash %s on a new node, want %s", got, hash)
	}
}

// dropLogEntry deletes op log entry index from a stopped node's store
// ("l/" + big-endian index is the log key): balances still add up, but
// the log no longer explains them.
func dropLogEntry(t *testing.T, dataDir string, index uint64) {
	t.Helper()
	db := rawStore(t, dataDir)
	defer db.Close()
	if err := db.Delete(binary.BigEndian.AppendUint64([]byte("l/"), index), pebble.Sync); err != nil {
		t.Fatal(err)
	}
}

// rawStore opens a stopped node's ledger store with pebble itself, to
// tamper with it behind the ledger's back.
func rawStore(t *testing.T, dataDir string) *pebble.DB {
	t.Helper()
	db, err := pebble.Open(ledger.StoreDir(dataDir), &pebble.Options{Logger: ledger.PebbleLogger(slog.New(slog.DiscardHandler))})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func TestLogThatDoesNotReplayIsCritical(t *testing.T) {
	host := newPlayer("node")
	dir := t.TempDir()
	system := newSystem(t)
	n := start(t, system, props(t, Options{DataDir: dir, InitialBalance: 1_000 * crap, Identity: host.id}))
	wantHealthy(t, n)
	waitWallet(t, n, host, 1_000*crap)
	apply(t, n, ledger.Op{Kind: ledger.KindGrant, Owner: newPlayer("alice").id, Amount: 1_000 * crap})
	n.stop()
	dropLogEntry(t, dir, 1)

	n2 := start(t, system, props(t, Options{DataDir: dir, InitialBalance: 1_000 * crap, Identity: host.id}))
	wantHealthy(t, n2) // the balances add up...
	h := n2.nextHealth(t)
	if h.Status != messages.Critical || !strings.Contains(h.Reason, "op log replay") {
		t.Fatalf("health %+v, want Critical from the background replay", h)
	}
	w := ask[*messages.LedgerApplied](t, n2, &messages.LedgerApply{Op: ledger.Op{Kind: ledger.KindGrant, Owner: newPlayer("bob").id, Amount: 1}})
	if !errors.Is(w.Err, ledger.ErrHalted) {
		t.Fatalf("write after the failed replay: %v, want ErrHalted", w.Err)
	}
}

// breakInvariant opens a stopped node's store with raw pebble and adds one
// micro-CRAP to the first wallet ("a/w/" is the wallet key prefix).
func breakInvariant(t *testing.T, dataDir string) {
	t.Helper()
	db := rawStore(t, dataDir)
	defer db.Close()
	it, err := db.NewIter(&pebble.IterOptions{LowerBound: []byte("a/w/"), UpperBound: []byte("a/w0")})
	if err != nil {
		t.Fatal(err)
	}
	if !it.First() {
		t.Fatal("no wallet to tamper with")
	}
	key, val := append([]byte(nil), it.Key()...), append([]byte(nil), it.Value()...)
	if err := it.Close(); err != nil {
		t.Fatal(err)
	}
	val[7]++
	if err := db.Set(key, val, pebble.Sync); err != nil {
		t.Fatal(err)
	}
}

func TestBrokenInvariantIsCriticalAndStopsWrites(t *testing.T) {
	host := newPlayer("node")
	dir := t.TempDir()
	system := newSystem(t)
	n := start(t, system, props(t, Options{DataDir: dir, InitialBalance: 1_000 * crap, Identity: host.id}))
	wantHealthy(t, n)
	waitWallet(t, n, host, 1_000*crap)
	n.stop()
	breakInvariant(t, dir)

	n2 := start(t, system, props(t, Options{DataDir: dir, InitialBalance: 1_000 * crap, Identity: host.id}))
	h := n2.nextHealth(t)
	if h.Status != messages.Critical || !strings.Contains(h.Reason, "invariant broken") || !strings.Contains(h.Reason, "Σ grants") {
		t.Fatalf("health %+v, want Critical naming the broken invariant", h)
	}
	w := ask[*messages.LedgerApplied](t, n2, &messages.LedgerApply{Op: ledger.Op{Kind: ledger.KindGrant, Owner: newPlayer("x").id, Amount: 1}})
	if !errors.Is(w.Err, ledger.ErrHalted) {
		t.Fatalf("write to a halted ledger: %v, want ErrHalted", w.Err)
	}
	if r := ask[*messages.LedgerHoldings](t, n2, &messages.LedgerHoldingsRequest{Peer: host.id}); r.Err != nil {
		t.Fatalf("reads must still work when halted: %v", r.Err)
	}
	if v := ask[*messages.LedgerVerifyResult](t, n2, &messages.LedgerVerifyRequest{}); v.Err != nil || v.Report.OK {
		t.Fatalf("verify of the broken store: %+v", v)
	}
	// No restart loop: the actor kept running and reported once.
	select {
	case extra := <-n2.health:
		t.Fatalf("a second health report %+v: the ledger restarted or flapped", extra)
	default:
	}
}

func TestHeldStoreIsCritical(t *testing.T) {
	dir := t.TempDir()
	held, err := ledger.Open(ledger.Options{Dir: ledger.StoreDir(dir)})
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	n := start(t, newSystem(t), props(t, Options{DataDir: dir}))
	if h := n.nextHealth(t); h.Status != messages.Critical || !strings.Contains(h.Reason, "cannot open") {
		t.Fatalf("health %+v, want Critical: cannot open", h)
	}
	if r := ask[*messages.LedgerStateHash](t, n, &messages.LedgerStateHashRequest{}); !errors.Is(r.Err, ledger.ErrClosed) {
		t.Fatalf("read without a store: %v, want ErrClosed", r.Err)
	}
}

func TestSnapshotsArePeriodicAndPruned(t *testing.T) {
	dir := t.TempDir()
	reg := prometheus.NewRegistry()
	host := newPlayer("node")
	n := start(t, newSystem(t), props(t, Options{
		DataDir: dir, InitialBalance: crap, Identity: host.id, Registerer: reg,
		SnapshotInterval: 10 * time.Millisecond, SnapshotKeep: 2,
	}))
	wantHealthy(t, n)
	taken := ask[*messages.LedgerSnapshotTaken](t, n, &messages.LedgerSnapshotRequest{})
	if taken.Err != nil || taken.Info.Name == "" {
		t.Fatalf("snapshot on request: %+v", taken)
	}
	if _, err := ledger.RestoreSnapshot(dir, taken.Info.Name, ledger.RestoreOptions{}); !errors.Is(err, ledger.ErrDataDirInUse) {
		t.Fatalf("restore under a running node: %v, want ErrDataDirInUse", err)
	}
	deadline := time.Now().Add(waitFor)
	for snapshotsOK(t, reg) < 5 {
		if time.Now().After(deadline) {
			t.Fatal("periodic snapshots did not happen")
		}
		time.Sleep(5 * time.Millisecond) // polling the counter
	}
	list, err := ledger.ListSnapshots(nil, ledger.SnapshotsDir(dir))
	if err != nil || len(list) != 2 {
		t.Fatalf("after 5 snapshots with keep 2: %+v, %v", list, err)
	}
}

// snapshotsOK reads bitcraps_ledger_snapshots_total{result="ok"}.
func snapshotsOK(t *testing.T, reg *prometheus.Registry) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "bitcraps_ledger_snapshots_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "result" && l.GetValue() == "ok" {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}

func TestPropsRefusesBadOptions(t *testing.T) {
	for _, o := range []Options{
		{},
		{DataDir: "d", InitialBalance: -1},
		{DataDir: "d", Identity: "NOT-A-PEER"},
		{DataDir: "d", SnapshotInterval: -time.Second},
	} {
		if _, err := Props(o); !errors.Is(err, ErrInvalidOptions) {
			t.Errorf("Props(%+v): %v, want ErrInvalidOptions", o, err)
		}
	}
}

// Under a treasury the ledger grants nothing on its own — not its own
// identity at start, not a peer it meets — and takes the treasury's grant.
func TestTreasuryNodeGrantsNothingOfItsOwn(t *testing.T) {
	host, alice, treasury := newPlayer("node"), newPlayer("alice"), newPlayer("treasury")
	n := start(t, newSystem(t), props(t, Options{DataDir: t.TempDir(), InitialBalance: 1_000 * crap, Identity: host.id,
		Treasury: treasury.id}))
	wantHealthy(t, n)
	if g := ask[*messages.LedgerApplied](t, n, &messages.LedgerGrantGenesis{Peer: alice.id}); g.Err != nil || g.Applied.ID != (ledger.OpID{}) {
		t.Fatalf("genesis of alice under a treasury: %+v, want nothing applied", g)
	}
	apply(t, n, ledger.TreasuryGrant(treasury.priv, alice.id, 7*crap, 1))
	rep := ask[*messages.LedgerVerifyResult](t, n, &messages.LedgerVerifyRequest{}).Report
	if !rep.OK || rep.TotalGrants != 7*crap || rep.TotalWallets != 7*crap || rep.Ops != 1 {
		t.Fatalf("report %+v, want only the treasury's 7 CRAP (the node's own identity granted nothing)", rep)
	}
}
