package backup

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"filippo.io/age"
	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/bitcraps/bitcraps/actors/consensus"
	"github.com/bitcraps/bitcraps/internal/identity"
	"github.com/bitcraps/bitcraps/internal/ledger"
)

// RestoreOptions are what Restore needs.
type RestoreOptions struct {
	From       Destination
	Name       string
	Identities []age.Identity
	// DataDir is replaced by the archive's content; its old content is
	// moved to DataDir.replaced-TIME, not deleted.
	DataDir  string
	Now      func() time.Time
	Progress func(Progress)
	Logger   *slog.Logger
}

// Restored says what a restore did.
type Restored struct {
	Manifest Manifest `json:"manifest"`
	// Replaced is where the data dir's previous content went ("" if there
	// was none).
	Replaced string `json:"replaced,omitempty"`
}

// Restore unpacks the archive Name from From into a staging dir beside
// DataDir, checks it against its manifest, verifies the copy in full (the
// ledger replayed from its op log, the audit chain and its signatures),
// and only then swaps it in for DataDir in one rename. A node holding
// DataDir, another peer's archive, a wrong key, a tampered or truncated
// archive: each is an error and DataDir is left as it was.
func Restore(ctx context.Context, opts RestoreOptions) (Restored, error) {
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	progress := opts.Progress
	if progress == nil {
		progress = func(Progress) {}
	}
	dataDir := filepath.Clean(opts.DataDir)
	unlock, err := lockDataDir(dataDir)
	if err != nil {
		return Restored{}, err
	}
	defer unlock()
	targetPeer, err := peerOf(dataDir)
	if err != nil {
		return Restored{}, err
	}
	if err := os.MkdirAll(filepath.Dir(dataDir), 0o700); err != nil {
		return Restored{}, err
	}
	// Under the locks no other restore runs on dataDir: a staging dir
	// beside it is what an interrupted one left.
	prefix := "." + filepath.Base(dataDir) + ".restoring-"
	if err := removeLeftovers(filepath.Dir(dataDir), prefix); err != nil {
		return Restored{}, err
	}
	staging, err := os.MkdirTemp(filepath.Dir(dataDir), prefix)
	if err != nil {
		return Restored{}, err
	}
	defer os.RemoveAll(staging) // after the swap: the old content's place
	progress(Progress{Step: "download", Destination: opts.From.String()})
	m, err := unpack(ctx, opts, staging)
	if err != nil {
		return Restored{}, err
	}
	if err := m.Check(targetPeer); err != nil {
		return Restored{}, fmt.Errorf("%s: %w", opts.Name, err)
	}
	progress(Progress{Step: "verify"})
	peer, l, a, certified, err := describe(staging, true, opts.Logger)
	if err == nil {
		err = m.CheckRestored(peer, l, a, certified)
	}
	if err != nil {
		return Restored{}, fmt.Errorf("%s: %w", opts.Name, err)
	}
	if err := removeLocks(staging); err != nil {
		return Restored{}, err
	}
	if err := writeRestoredFrom(staging, opts.Name, m, now()); err != nil {
		return Restored{}, err
	}
	progress(Progress{Step: "swap"})
	replaced, err := swapIn(staging, dataDir, now())
	if err != nil {
		return Restored{}, err
	}
	return Restored{Manifest: *m, Replaced: replaced}, nil
}

func unpack(ctx context.Context, opts RestoreOptions, staging string) (*Manifest, error) {
	r, err := opts.From.Open(ctx, opts.Name)
	if err != nil {
		return nil, fmt.Errorf("open %s at %s: %w", opts.Name, opts.From, err)
	}
	defer r.Close()
	m, err := extractArchive(r, opts.Identities, staging)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", opts.Name, err)
	}
	return m, nil
}

// lockDataDir takes the locks a running node holds (its two pebble
// stores'), so a restore never swaps a dir from under a node, and a node
// cannot start on it mid-restore.
func lockDataDir(dataDir string) (func(), error) {
	var locks []*pebble.Lock
	unlock := func() {
		for _, l := range locks {
			_ = l.Close()
		}
	}
	for _, dir := range []string{ledger.StoreDir(dataDir), consensus.StoreDir(dataDir)} {
		if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
			continue
		}
		l, err := pebble.LockDirectory(dir, vfs.Default)
		if err != nil {
			unlock()
			return nil, fmt.Errorf("%w: --data %s: %s is held (stop the node first): %w", ErrDataDirInUse, dataDir, dir, err)
		}
		locks = append(locks, l)
	}
	return unlock, nil
}

// peerOf is the peer id of dir's keystore, "" when there is no keystore.
func peerOf(dir string) (string, error) {
	if _, err := os.Stat(identity.KeystorePath(dir)); errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	pub, err := identity.ReadPublicKey(dir)
	if err != nil {
		return "", fmt.Errorf("--data %s: read its keystore (to refuse another peer's backup): %w", dir, err)
	}
	return string(identity.PeerIDOf(pub)), nil
}

// removeLocks drops the LOCK files the verification's read-only opens
// left in the restored stores.
func removeLocks(dir string) error {
	for _, store := range []string{LedgerDir, ConsensusDir} {
		if err := os.Remove(filepath.Join(dir, store, "LOCK")); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}
