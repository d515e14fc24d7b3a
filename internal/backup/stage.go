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

// OpenOffline opens a stopped node's stores read-only for a backup. It
// holds the ledger's lock until close, so a node cannot start on dataDir
// meanwhile; a running node's dir is refused with ErrDataDirInUse.
func OpenOffline(dataDir string) (Stores, func() error, error) {
	l, err := ledger.Open(ledger.Options{Dir: ledger.StoreDir(dataDir), ReadOnly: true})
	if errors.Is(err, ledger.ErrDataDirInUse) {
		return Stores{}, nil, fmt.Errorf("%w: --data %s: %w", ErrDataDirInUse, dataDir, err)
	}
	if err != nil {
		return Stores{}, nil, fmt.Errorf("--data %s: %w", dataDir, err)
	}
	cs, err := consensus.OpenStoreReadOnly(consensus.StoreDir(dataDir), nil)
	if err != nil {
		return Stores{}, nil, errors.Join(fmt.Errorf("--data %s: %w", dataDir, err), l.Close())
	}
	close := func() error { return errors.Join(cs.Close(), l.Close()) }
	return Stores{Ledger: l.Checkpoint, Consensus: cs.Checkpoint}, close, nil
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
// appending, and a torn last line is no part of the chain.
func copyAuditLog(src, dst string) error {
	raw, err := os.ReadFile(src)
	if errors.Is(err, fs.ErrNotExist) {
		raw, err = nil, nil
	}
	if err != nil {
		return fmt.Errorf("read the audit log: %w", err)
	}
	raw = raw[:bytes.LastIndexByte(raw, '\n')+1]
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return err
	}
	return os.WriteFile(dst, raw, 0o600)
}

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
