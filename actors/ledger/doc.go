// Package ledgeractor is the ledger service: the one actor that owns the
// node's ledger store (internal/ledger) and so is its single writer. It is a
// thin shell: it opens the store when it starts (a restarted actor rebuilds
// everything from pebble), verifies the invariant before taking writes,
// hands writes to the ledger's committer without waiting for their fsync,
// serves reads from goroutines (or hands out a read handle) so they never
// queue behind writes, takes periodic snapshots, and reports its health to
// the root supervisor. A broken invariant is reported Critical — the node
// goes to Error with the reason — and writes stop; it never panics into a
// restart loop.
package ledgeractor
