package ledger

import (
	"encoding/binary"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/cockroachdb/pebble/v2"
)

// replayChunk is how many log entries the replay decodes and checks
// signatures for at once: enough to keep every core busy, small enough to
// bound memory on any log size.
const replayChunk = 1024

type replayItem struct {
	index uint64
	entry logEntry
	err   error
}

// replayLog applies the op log from empty to a map, with the same rules.
// Signatures, the costly part, are checked in parallel chunk by chunk; the
// ops are then applied in log order. complete is false if an entry did not
// replay; replay stops there.
func replayLog(r pebble.Reader, certs CertificateVerifier, rep *Report) (memKV, bool, error) {
	mem := memKV{}
	// Grants are checked against the keys they name, whatever the
	// deployment's policy: Report counts them by mode (Verify compares).
	rl := rules{certs: certs, money: AnyMoney(), authorityChecked: true}
	var want uint64
	complete := true
	chunk := make([]replayItem, 0, replayChunk)
	flush := func() {
		if complete {
			checkAuthorities(rl, chunk)
			complete = applyChunk(mem, rl, chunk, rep)
		}
		chunk = chunk[:0]
	}
	err := scan(r, prefixLog, func(k, v []byte) error {
		if !complete {
			return nil
		}
		if len(k) != len(prefixLog)+8 || binary.BigEndian.Uint64(k[len(prefixLog):]) != want {
			flush()
			if complete {
				rep.problem("op log: %s found where entry %d was expected", describeKey(k), want)
				complete = false
			}
			return nil
		}
		e, err := decodeEntry(v)
		chunk = append(chunk, replayItem{index: want, entry: e, err: err})
		want++
		if len(chunk) == replayChunk {
			flush()
		}
		return nil
	})
	flush()
	return mem, complete, err
}

// checkAuthorities verifies every signature and certificate in the chunk
// on all cores, recording the first failure of each entry.
func checkAuthorities(rl rules, items []replayItem) {
	parallelFor(len(items), func(i int) {
		it := &items[i]
		if it.err != nil {
			return
		}
		if it.entry.kind == entryOp {
			it.err = rl.checkAuthority(it.entry.op.normalized())
			return
		}
		for _, op := range it.entry.signedOps() {
			if err := op.verifySignature(); err != nil {
				it.err = err
				return
			}
		}
	})
}

// parallelFor runs fn(0..n-1) on up to GOMAXPROCS goroutines; small n
// runs inline, where a goroutine would cost more than it saves.
func parallelFor(n int, fn func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 {
		for i := range n {
			fn(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := next.Add(1) - 1; i < int64(n); i = next.Add(1) - 1 {
				fn(int(i))
			}
		})
	}
	wg.Wait()
}

// signedOps are the ops of an entry whose signatures must verify.
func (e logEntry) signedOps() []Op {
	if e.kind == entryEvidence {
		return []Op{e.first, e.second}
	}
	if e.op.Kind.signed() {
		return []Op{e.op}
	}
	return nil
}

func applyChunk(mem memKV, rl rules, items []replayItem, rep *Report) bool {
	for _, it := range items {
		err := it.err
		if err == nil {
			err = replayEntry(mem, rl, it.index, it.entry, rep)
		}
		if err != nil {
			rep.problem("op log entry %d does not replay: %v", it.index, err)
			return false
		}
	}
	return true
}

func replayEntry(mem memKV, rl rules, index uint64, e logEntry, rep *Report) error {
	if e.kind == entryEvidence {
		rep.Evidence++
		return replayEvidence(mem, e.first, e.second)
	}
	rep.Ops++
	a, err := rl.apply(mem, e.op)
	switch {
	case err != nil:
		return fmt.Errorf("%s op %s: %w", e.op.Kind, e.op.ID(), err)
	case a.Duplicate:
		return fmt.Errorf("%s op %s appears twice", e.op.Kind, a.ID)
	case a.Index != index:
		return fmt.Errorf("%s op %s replays at index %d", e.op.Kind, a.ID, a.Index)
	}
	rep.countGrant(e.op)
	return nil
}
