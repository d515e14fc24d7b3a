// Package ledger is where bitcraps money lives: wallets per identity, chips
// per (table, player), a bank per table, all in integer micro-CRAP, kept in a
// pebble store that survives any crash without losing an acknowledged op.
//
// Money moves only by operations (Grant, BuyIn, CashOut, FundBank, CloseBank,
// Settle, Dissolve). Each op has an id (the hash of its content) that makes
// applying it idempotent; owner-signed ops carry a per-owner sequence number
// so that two different ops signed for one slot are caught as equivocation
// and freeze the owner. Settle and Dissolve carry no signature: each node
// derives them from a table's chain it checked itself (Kind.Derived), and
// never takes one from another node.
//
// Dissolve ends a table at a certified state (game.Dissolution): each named
// player's chips go to its wallet as its payout — chips in hand plus the
// exact expected value of its open wagers, so nobody gains by causing a
// dissolution — and the bank to its host. The payouts must add up to
// exactly the chips and bank they replace (ErrNotConserved otherwise), so a
// dissolution never creates money. A Dissolve at a later round replaces
// the standing one by moving the difference between the two; after it the
// table refuses settlements (ErrTableDissolved). See dissolve.go. Every accepted op is appended to an op log, so Verify can replay the
// log from empty and prove that the stored balances are exactly what the ops
// say — and that Σ wallets + Σ chips + Σ banks = Σ grants.
//
// One committer goroutine is the single writer: it applies the ops waiting
// at that moment to one pebble batch with one fsync (group commit), and
// acknowledges each op only after that sync. A stage before it checks the
// next group's signatures on all cores while the previous group syncs.
// Reads go straight to pebble and never wait behind writes.
package ledger
