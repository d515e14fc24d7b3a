package backup

import "errors"

var (
	// ErrCorrupt means an archive fails to decrypt, decompress or unpack,
	// or its content does not match its manifest: tampered or truncated.
	ErrCorrupt = errors.New("backup: archive corrupt or truncated")
	// ErrWrongKey means none of the given identities opens the archive.
	ErrWrongKey = errors.New("backup: no identity opens the archive")
	// ErrForeignPeer means the archive is another node's backup.
	ErrForeignPeer = errors.New("backup: archive of another peer")
	// ErrFormat means the archive's format version is not one this node reads.
	ErrFormat = errors.New("backup: unsupported archive format")
	// ErrVerify means the restored copy fails the ledger or audit verification.
	ErrVerify = errors.New("backup: restored copy does not verify")
	// ErrDataDirInUse means a running node holds the data dir.
	ErrDataDirInUse = errors.New("backup: data dir in use by a running node")
	// ErrDestination means a destination is malformed or failed.
	ErrDestination = errors.New("backup: destination failed")
	// ErrNotFound means the destination has no archive of that name.
	ErrNotFound = errors.New("backup: archive not found")
	// ErrRecipients means recipients or identities are missing or malformed.
	ErrRecipients = errors.New("backup: bad recipients or identities")
)
