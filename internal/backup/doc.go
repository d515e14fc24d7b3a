// Package backup makes and restores a node's backups: one consistent,
// self-describing archive of its data dir (pebble checkpoints of the ledger
// and the consensus store, the keystore, the audit log and a manifest),
// compressed with zstd and encrypted with age to the operator's recipients,
// so that Debian's `age` command can open it too. Archives go to every
// destination at once, a directory or S3-compatible object storage, and a
// backup counts as done only when every destination confirmed it.
//
// The decisions are pure and tested without I/O: what a manifest must say
// for a restore to go ahead (manifest.go), which backups retention keeps
// (retention.go) and what an archive is called (name.go). The rest moves
// bytes: staging the copy (stage.go), the archive format (archive.go), the
// destinations (dir.go, s3.go), Create and Restore.
package backup
