package ledgeractor

import (
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/internal/ledger"
	"github.com/bitcraps/bitcraps/messages"
)

// collector counts write acknowledgements and notes how many had arrived
// when the read's answer came.
type collector struct {
	acks     int
	failed   int
	readAt   chan int
	finished chan struct{}
	want     int
}

func (c *collector) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *messages.LedgerApplied:
		c.acks++
		if m.Err != nil {
			c.failed++
		}
		if c.acks == c.want {
			close(c.finished)
		}
	case *messages.LedgerHoldings:
		c.readAt <- c.acks
	}
}

// TestReadsDoNotWaitBehindWrites queues 500 signed writes and then one
// read: the read is answered while most writes still wait for their
// signature checks and fsyncs, because writes never block the mailbox.
func TestReadsDoNotWaitBehindWrites(t *testing.T) {
	const writes = 500
	host := newPlayer("node")
	n := start(t, newSystem(t), props(t, Options{DataDir: t.TempDir(), InitialBalance: 1_000 * crap, Identity: host.id}))
	wantHealthy(t, n)
	waitWallet(t, n, host, 1_000*crap)
	apply(t, n, host.sign(ledger.Op{Kind: ledger.KindFundBank, Table: "t1", Amount: crap, Seq: 1}))
	ops := make([]ledger.Op, writes)
	for i := range ops {
		ops[i] = host.sign(ledger.Op{Kind: ledger.KindBuyIn, Table: "t1", Amount: 1, Seq: uint64(i + 2)})
	}
	c := &collector{readAt: make(chan int, 1), finished: make(chan struct{}), want: writes}
	cpid := n.system.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return c }))
	for _, op := range ops {
		n.system.Root.RequestWithCustomSender(n.ledger, &messages.LedgerApply{Op: op}, cpid)
	}
	n.system.Root.RequestWithCustomSender(n.ledger, &messages.LedgerHoldingsRequest{Peer: host.id}, cpid)
	select {
	case at := <-c.readAt:
		if at >= writes {
			t.Fatalf("the read was answered after all %d writes: it queued behind them", writes)
		}
		t.Logf("read answered after %d of %d write acks", at, writes)
	case <-time.After(waitFor):
		t.Fatal("no answer to the read")
	}
	select {
	case <-c.finished:
	case <-time.After(waitFor):
		t.Fatal("writes not all acknowledged")
	}
	if c.failed != 0 {
		t.Fatalf("%d writes failed", c.failed)
	}
	if v := ask[*messages.LedgerVerifyResult](t, n, &messages.LedgerVerifyRequest{}); !v.Report.OK {
		t.Fatalf("verify: %+v", v)
	}
}
