// Package audit keeps the node's audit trail: an append-only log of every
// state change (services starting and stopping, configuration, tables,
// money, emergency stops) in which each entry carries the hash of the one
// before it and the node's Ed25519 signature. Anyone holding the node's
// public key can then prove the log was not edited: a changed, removed,
// inserted or reordered entry breaks the chain at a line Verify names.
//
// What the chain cannot prove on its own: that nothing was cut from the
// end. Entries removed from the tail leave a shorter, valid log; compare
// the head (Head, Summary.HeadHash) with a copy kept elsewhere to detect
// that.
//
// The log is one JSON object per line in DATA/audit/audit.log. An append
// is acknowledged only after fsync (concurrent appends share one fsync); a
// line left unfinished by a crash was never acknowledged, and Open cuts it.
package audit
