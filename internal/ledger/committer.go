package ledger

import (
	"errors"
	"fmt"
	"time"

	"github.com/cockroachdb/pebble/v2"
)

// The writer is a two-stage pipeline, so that the CPU-bound check of one
// batch overlaps the fsync of the one before:
//
//	gatherAndCheck: takes every request waiting at that moment (up to
//	MaxBatchOps) and checks their signatures and certificates on all
//	cores — work that needs no ledger state.
//	commitLoop: the single writer. Applies each checked group in order to
//	one indexed batch, syncs it once, and only then acknowledges it.

// checkedGroup is a group whose signatures and certificates were checked;
// refused[i] is the i-th request's failure, if any.
type checkedGroup struct {
	reqs    []request
	refused []error
}

func (l *Ledger) gatherAndCheck() {
	defer close(l.checked)
	for first := range l.reqs {
		group := []request{first}
	gather:
		for len(group) < l.opts.MaxBatchOps {
			select {
			case r, ok := <-l.reqs:
				if !ok {
					break gather
				}
				group = append(group, r)
			default:
				break gather
			}
		}
		l.checked <- checkedGroup{reqs: group, refused: l.checkAuthorities(group)}
	}
}

// checkAuthorities checks the group's signatures and certificates in
// parallel. Malformed ops are left to apply, which names the bad field.
func (l *Ledger) checkAuthorities(group []request) []error {
	refused := make([]error, len(group))
	parallelFor(len(group), func(i int) {
		if op := group[i].op.normalized(); op.validate() == nil {
			refused[i] = l.rules.checkAuthority(op)
		}
	})
	return refused
}

func (l *Ledger) commitLoop() {
	defer close(l.done)
	for g := range l.checked {
		l.commitGroup(l.merge(g))
	}
}

// merge adds to g any group already checked while g waited, so one fsync
// covers both.
func (l *Ledger) merge(g checkedGroup) checkedGroup {
	for len(g.reqs) < l.opts.MaxBatchOps {
		select {
		case more, ok := <-l.checked:
			if !ok {
				return g
			}
			g.reqs = append(g.reqs, more.reqs...)
			g.refused = append(g.refused, more.refused...)
		default:
			return g
		}
	}
	return g
}

type outcome struct {
	a   Applied
	err error
}

func (l *Ledger) commitGroup(g checkedGroup) {
	group := g.reqs
	if err := l.Halted(); err != nil {
		l.failAll(group, err)
		return
	}
	results, evidence, err := l.applyGroup(g)
	if err != nil {
		l.Halt(err.Error())
		l.failAll(group, l.Halted())
		return
	}
	if l.opts.afterCommit != nil {
		var synced []OpID
		for _, o := range results {
			if o.err == nil && !o.a.Duplicate {
				synced = append(synced, o.a.ID)
			}
		}
		l.opts.afterCommit(synced)
	}
	for _, ev := range evidence {
		if l.opts.OnEvidence != nil {
			l.opts.OnEvidence(ev)
		}
	}
	for i, r := range group {
		l.count(r.op, results[i])
		if results[i].err == nil && !results[i].a.Duplicate && l.opts.OnApplied != nil {
			l.opts.OnApplied(results[i].a)
		}
	}
	for i, r := range group {
		r.done(results[i].a, results[i].err)
	}
}

// applyGroup applies and syncs one group. A non-nil error is a failure of
// the ledger itself: nothing in the group is durable.
func (l *Ledger) applyGroup(g checkedGroup) ([]outcome, []Evidence, error) {
	b := l.db.NewIndexedBatch()
	defer b.Close()
	var evidence []Evidence
	r := l.rules
	r.onEvidence = func(e Evidence) { evidence = append(evidence, e) }
	r.authorityChecked = true
	results := make([]outcome, len(g.reqs))
	for i, req := range g.reqs {
		if g.refused[i] != nil {
			results[i] = outcome{err: g.refused[i]}
			continue
		}
		a, err := r.apply(batchKV{b}, req.op)
		if isInternal(err) {
			return nil, nil, fmt.Errorf("applying op %d of a batch: %w", i, err)
		}
		results[i] = outcome{a, err}
	}
	if b.Empty() {
		return results, evidence, nil
	}
	start := time.Now()
	if err := b.Commit(pebble.Sync); err != nil {
		return nil, nil, fmt.Errorf("sync ledger batch: %w", err)
	}
	l.metrics.commit(len(g.reqs), time.Since(start))
	return results, evidence, nil
}

func (l *Ledger) count(op Op, o outcome) {
	switch {
	case o.err == nil && o.a.Duplicate:
		l.metrics.op(op.Kind, "duplicate")
	case o.err == nil:
		l.metrics.op(op.Kind, "applied")
	case errors.Is(o.err, ErrEquivocation):
		l.metrics.op(op.Kind, "equivocation")
	default:
		l.metrics.op(op.Kind, "refused")
		if op.Kind == KindGrant {
			l.metrics.grantRefused(o.err)
		}
	}
}

func (l *Ledger) failAll(group []request, err error) {
	for _, r := range group {
		l.metrics.op(r.op.Kind, "failed")
		r.done(Applied{}, err)
	}
}

// batchKV reads through an indexed batch (so later ops in a group see
// earlier ones) and writes into it.
type batchKV struct{ b *pebble.Batch }

func (k batchKV) get(key []byte) ([]byte, bool, error) { return getCopy(k.b, key) }

func (k batchKV) set(key, value []byte) error { return k.b.Set(key, value, nil) }

// getCopy reads a key from any pebble reader, copying the value (pebble's
// is valid only until its closer is closed).
func getCopy(r pebble.Reader, key []byte) ([]byte, bool, error) {
	v, closer, err := r.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	out := append([]byte(nil), v...)
	return out, true, closer.Close()
}
