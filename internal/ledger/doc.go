// Package ledger is where bitcraps money lives: wallets per identity, chips
// per (table, player), a bank per table, all in integer micro-CRAP, kept in a
// pebble store that survives any crash without losing an acknowledged op.
//
// Money moves only by operations (Grant, BuyIn, CashOut, FundBank, CloseBank,
// Settle). Each op has an id (the hash of its content) that makes applying it
// idempotent; owner-signed ops carry a per-owner sequence number so that two
// different ops signed for one slot are caught as equivocation and freeze the
// owner. Every accepted op is appended to an op log, so Verify can replay the
// log from empty and prove that the stored balances are exactly what the ops
// say — and that Σ wallets + Σ chips + Σ banks = Σ grants.
//
// One committer goroutine is the single writer: it applies the ops waiting
// at that moment to one pebble batch with one fsync (group commit), and
// acknowledges each op only after that sync. A stage before it checks the
// next group's signatures on all cores while the previous group syncs.
// Reads go straight to pebble and never wait behind writes.
package ledger
