package consensus

import (
	"errors"
	"fmt"
	"sync"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/messages"
)

// Table records (messages.ConsensusSaveTable) are written by one ordered
// writer, off the mailbox: two saves of one table land in the order they
// were asked for, so a restarted node never loads an older record than the
// newest it wrote. (A goroutine per save, as before, could reorder them.)

// metaQueue bounds saves waiting for the writer: a table saves its record
// a few times per seat change, so 1,024 is far beyond honest use.
const metaQueue = 1024

// ErrMetaQueueFull answers a save when the writer is that far behind.
var ErrMetaQueueFull = errors.New("consensus: table record writer is full")

type metaWrite struct {
	table  string
	record []byte
	reply  *actor.PID
}

type metaWriter struct {
	q    chan metaWrite
	done sync.WaitGroup
}

// startMetaWriter writes saves in order until stop.
func startMetaWriter(store *Store, sys *actor.ActorSystem) *metaWriter {
	w := &metaWriter{q: make(chan metaWrite, metaQueue)}
	w.done.Add(1)
	go func() {
		defer w.done.Done()
		for m := range w.q {
			err := store.PutMeta(m.table, m.record)
			if err != nil {
				err = fmt.Errorf("save the record of table %s: %w", m.table, err)
			}
			respond(sys, m.reply, &messages.ConsensusAck{Err: err})
		}
	}()
	return w
}

// save queues a write; a full queue is refused at once.
func (w *metaWriter) save(m metaWrite) error {
	select {
	case w.q <- m:
		return nil
	default:
		return fmt.Errorf("table %s: %d saves waiting: %w", m.table, metaQueue, ErrMetaQueueFull)
	}
}

// stop writes what is queued and returns when the writer is done.
func (w *metaWriter) stop() {
	close(w.q)
	w.done.Wait()
}
