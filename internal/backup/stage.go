package backup

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bitcraps/bitcraps/actors/consensus"
	"github.com/bitcraps/bitcraps/internal/audit"
	"github.com/bitcraps/bitcraps/internal/identity"
	"github.com/bitcraps/bitcraps/internal/ledger"
)

// Stores copy a node's two pebble stores into a directory that does not
// exist yet. A running node's come from its services (a checkpoint taken
// off their mailboxes); a stopped node's from OpenOffline.
type Stores struct {
	Ledger    func(dir string) error
	Consensus func(dir string) error
}

// OpenOffline prepares a backup of a stopped node's dataDir: it takes the
// locks of both stores, which a running node holds (ErrDataDirInUse), and
// keeps them until close, so no node starts on dataDir meanwhile. A closed
// pebble store's files are a consistent copy as they are (its WAL replays
// on open), so the stores are copied file by file.
func OpenOffline(dataDir string) (Stores, func() error, error) {
	for _, dir := range []string{ledger.StoreDir(dataDir), consensus.StoreDir(dataDir)} {
		if _, err := os.Stat(dir); err != nil {
			return Stores{}, nil, fmt.Errorf("--data %s: no node data here: %w", dataDir, err)
		}
	}
	unlock, err := lockDataDir(dataDir)
	if err != nil {
		return Stores{}, nil, err
	}
	copyStore := func(src string) func(string) error {
		return func(dst string) error { return copyStoreFiles(src, dst) }
	}
	return Stores{Ledger: copyStore(ledger.StoreDir(dataDir)), Consensus: copyStore(consensus.StoreDir(dataDir))},
		func() error { unlock(); return nil }, nil
}

// copyStoreFiles copies a closed pebble store's files (not its lock) into
// a new dir.
func copyStoreFiles(src, dst string) error {
	entries, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	if err := os.Mkdir(dst, 0o700); err != nil {
		return err
	}
	for _, e := range entries {
		if !e.Type().IsRegular() || e.Name() == "LOCK" {
			continue
		}
		if err := copyFile(filepath.Join(src, e.Name()), filepath.Join(dst, e.Name()), -1); err != nil {
			return fmt.Errorf("copy %s: %w", e.Name(), err)
		}
	}
	return nil
}

// stage fills staging with a consistent copy of dataDir's parts. The
// ledger is copied before the consensus store: the copy then looks like a
// crash after the consensus store certified a round and before the ledger
// applied it, a state a node recovers from by design ("a crash at any
// instant loses no certified op"); the other order could hold a settlement
// whose certificate the node does not have.
func stage(dataDir, staging string, stores Stores) error {
	if err := stores.Ledger(filepath.Join(staging, LedgerDir)); err != nil {
		return err
	}
	if err := stores.Consensus(filepath.Join(staging, ConsensusDir)); err != nil {
		return err
	}
	if err := copyFile(identity.KeystorePath(dataDir), filepath.Join(staging, KeystoreFile), -1); err != nil {
		return fmt.Errorf("copy the keystore: %w", err)
	}
	return copyAuditLog(audit.Path(dataDir), filepath.Join(staging, filepath.FromSlash(AuditFile)))
}

// copyAuditLog copies the log's complete lines: a running node may be
// appending, and a torn last line is no part of the chain. A line is at
// most auditTail bytes, so the last newline is in the file's last
// auditTail bytes.
func copyAuditLog(src, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return err
	}
	f, err := os.Open(src)
	if errors.Is(err, fs.ErrNotExist) {
		return os.WriteFile(dst, nil, 0o600)
	}
	if err != nil {
		return fmt.Errorf("read the audit log: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	size := info.Size()
	tail := make([]byte, min(size, auditTail))
	if _, err := f.ReadAt(tail, size-int64(len(tail))); err != nil {
		return fmt.Errorf("read the audit log's tail: %w", err)
	}
	complete := size - int64(len(tail)) + int64(bytes.LastIndexByte(tail, '\n')+1)
	return copyFile(src, dst, complete)
}

// auditTail exceeds the audit log's longest line (16 KiB of detail plus
// the entry's fields).
const auditTail = 64 << 10

func copyFile(src, dst string, limit int64) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	var r io.Reader = in
	if limit >= 0 {
		r = io.LimitReader(in, limit)
	}
	_, err = io.Copy(out, r)
	return errors.Join(err, out.Close())
}

// describe reads a staged (or restored) copy the way a manifest reports
// it: the keystore's peer, the ledger checked (fully on a restore, by its
// balances when backing up), the audit chain verified against the peer's
// key, and each table's highest certified round.
func describe(dir string, full bool, log *slog.Logger) (peer string, l Ledger, a Audit, certified map[string]uint64, err error) {
	pub, err := identity.ReadPublicKey(dir)
	if err != nil {
		return "", l, a, nil, fmt.Errorf("%w: keystore: %w", ErrCorrupt, err)
	}
	peer = string(identity.PeerIDOf(pub))
	if l, err = checkLedger(filepath.Join(dir, LedgerDir), full); err != nil {
		return peer, l, a, nil, err
	}
	rep := audit.VerifyReport(filepath.Join(dir, filepath.FromSlash(AuditFile)), pub)
	if !rep.OK || rep.TornBytes > 0 {
		return peer, l, a, nil, fmt.Errorf("%w: audit trail: %s (torn bytes %d)", ErrVerify, rep.Error, rep.TornBytes)
	}
	a = Audit{Entries: rep.Entries, HeadHash: rep.HeadHash}
	cs, err := consensus.OpenStoreReadOnly(filepath.Join(dir, ConsensusDir), log)
	if err != nil {
		return peer, l, a, nil, fmt.Errorf("%w: %w", ErrVerify, err)
	}
	certified, err = cs.HighestCertified()
	if err = errors.Join(err, cs.Close()); err != nil {
		return peer, l, a, nil, fmt.Errorf("%w: consensus store: %w", ErrVerify, err)
	}
	return peer, l, a, certified, nil
}

func checkLedger(dir string, full bool) (Ledger, error) {
	st, err := ledger.Open(ledger.Options{Dir: dir, ReadOnly: true, Certificates: consensus.CertificateVerifier{}})
	if err != nil {
		return Ledger{}, fmt.Errorf("%w: open the ledger copy: %w", ErrVerify, err)
	}
	check := st.CheckBalances
	if full {
		check = st.Verify
	}
	rep, err := check()
	if err = errors.Join(err, st.Close()); err != nil {
		return Ledger{}, fmt.Errorf("%w: ledger: %w", ErrVerify, err)
	}
	if !rep.OK {
		return Ledger{}, fmt.Errorf("%w: ledger: %s", ErrVerify, strings.Join(rep.Problems, "; "))
	}
	return Ledger{StateHash: rep.StateHash, TotalGrants: rep.TotalGrants, TotalWallets: rep.TotalWallets,
		TotalChips: rep.TotalChips, TotalBanks: rep.TotalBanks, Accounts: rep.Accounts, Ops: rep.Ops}, nil
}

// listFiles lists every regular file under dir as manifest entries, by
// path; a pebble LOCK file is left out (it locks nothing once copied).
func listFiles(dir string) ([]File, error) {
	var out []File
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		if d.Name() == "LOCK" {
			return nil
		}
		f, err := hashFile(p)
		f.Path = filepath.ToSlash(rel)
		out = append(out, f)
		return err
	})
	slices.SortFunc(out, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	return out, err
}

func hashFile(p string) (File, error) {
	in, err := os.Open(p)
	if err != nil {
		return File{}, err
	}
	defer in.Close()
	h := sha256.New()
	n, err := io.Copy(h, in)
	return File{Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, err
}
