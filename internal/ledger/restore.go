package ledger

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"
)

// RestoreOptions configure RestoreSnapshot.
type RestoreOptions struct {
	// FS is the file system; nil means the disk.
	FS vfs.FS
	// Certificates verifies settlements while the snapshot is checked.
	Certificates CertificateVerifier
	// Now names the folder that keeps the replaced store.
	Now time.Time
}

// Restored says what a restore did.
type Restored struct {
	Snapshot SnapshotInfo `json:"snapshot"`
	// Backup is where the replaced store's files were moved ("" if there
	// were none). Delete it once the restored node looks right.
	Backup string `json:"backup,omitempty"`
}

// RestoreSnapshot replaces the ledger store of the node data dir dataDir
// with the snapshot name. It holds the store's lock throughout, so it
// refuses (ErrDataDirInUse) while a node runs on dataDir, and a node cannot
// start mid-restore. The snapshot is copied and verified before anything
// is replaced; the old files are moved aside, not deleted. An interrupted
// restore leaves a marker that makes Open refuse the store until the
// restore is run again.
func RestoreSnapshot(dataDir, name string, opts RestoreOptions) (Restored, error) {
	fs := opts.FS
	if fs == nil {
		fs = vfs.Default
	}
	if name == "" || strings.ContainsAny(name, `/\`) || strings.HasPrefix(name, ".") {
		return Restored{}, fmt.Errorf("%w: snapshot name %q", ErrSnapshotNotFound, name)
	}
	snapDir := fs.PathJoin(SnapshotsDir(dataDir), name)
	if _, err := fs.Stat(snapDir); err != nil {
		return Restored{}, fmt.Errorf("%w: %s: %w", ErrSnapshotNotFound, snapDir, err)
	}
	store := StoreDir(dataDir)
	if err := fs.MkdirAll(store, 0o755); err != nil {
		return Restored{}, fmt.Errorf("create %s: %w", store, err)
	}
	lock, err := pebble.LockDirectory(store, fs)
	if err != nil {
		return Restored{}, fmt.Errorf("%w: %s is held (is a node running on %s?): %w", ErrDataDirInUse, store, dataDir, err)
	}
	r, err := restoreLocked(fs, dataDir, snapDir, opts)
	return r, errors.Join(err, lock.Close())
}

func restoreLocked(fs vfs.FS, dataDir, snapDir string, opts RestoreOptions) (Restored, error) {
	store := StoreDir(dataDir)
	staging := store + ".restoring"
	if err := copyStore(fs, snapDir, staging); err != nil {
		return Restored{}, err
	}
	info, err := checkStaged(fs, snapDir, staging, opts.Certificates)
	if err != nil {
		return Restored{}, errors.Join(err, fs.RemoveAll(staging))
	}
	marker := fs.PathJoin(store, restoreMarker)
	if err := writeMarker(fs, marker); err != nil {
		return Restored{}, err
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	backup := fmt.Sprintf("%s.replaced-%s", store, now.UTC().Format(snapshotStamp))
	moved, err := moveEntries(fs, store, backup)
	if err != nil {
		return Restored{}, fmt.Errorf("move the old store aside: %w", err)
	}
	if _, err := moveEntries(fs, staging, store); err != nil {
		return Restored{}, fmt.Errorf("move the snapshot in: %w", err)
	}
	if err := fs.Remove(marker); err != nil {
		return Restored{}, fmt.Errorf("remove %s: %w", marker, err)
	}
	if err := errors.Join(syncDir(fs, store), fs.RemoveAll(staging)); err != nil {
		return Restored{}, err
	}
	if moved == 0 {
		if err := fs.RemoveAll(backup); err != nil {
			return Restored{}, err
		}
		backup = ""
	}
	return Restored{Snapshot: info, Backup: backup}, nil
}

// copyStore copies a snapshot's pebble files (not its lock or description)
// into a fresh dst, each file synced.
func copyStore(fs vfs.FS, src, dst string) error {
	if err := fs.RemoveAll(dst); err != nil {
		return fmt.Errorf("clear %s: %w", dst, err)
	}
	if err := fs.MkdirAll(dst, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dst, err)
	}
	names, err := fs.List(src)
	if err != nil {
		return fmt.Errorf("list %s: %w", src, err)
	}
	for _, n := range names {
		if n == lockFile || n == snapshotMeta {
			continue
		}
		if err := vfs.Copy(fs, fs.PathJoin(src, n), fs.PathJoin(dst, n)); err != nil {
			return fmt.Errorf("copy %s: %w", n, err)
		}
	}
	return syncDir(fs, dst)
}

// checkStaged verifies the copied store and that it is the snapshot that
// was described when it was taken.
func checkStaged(fs vfs.FS, snapDir, staging string, certs CertificateVerifier) (SnapshotInfo, error) {
	info, err := checkStoreDir(fs, staging, certs, true)
	if err != nil {
		return info, fmt.Errorf("verify snapshot %s: %w", filepath.Base(snapDir), err)
	}
	meta, err := readMeta(fs, snapDir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return info, fmt.Errorf("%w: %s: %w", ErrSnapshotInvalid, snapDir, err)
	}
	if err == nil && meta.StateHash != info.StateHash {
		return info, fmt.Errorf("%w: %s: state hash %s, but it was taken with %s", ErrSnapshotInvalid, snapDir, info.StateHash, meta.StateHash)
	}
	if err == nil {
		info.CreatedAt = meta.CreatedAt
	}
	info.Name = filepath.Base(snapDir)
	return info, nil
}

func writeMarker(fs vfs.FS, path string) error {
	f, err := fs.Create(path, vfs.WriteCategoryUnspecified)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	if err := errors.Join(f.Sync(), f.Close()); err != nil {
		return err
	}
	return syncDir(fs, fs.PathDir(path))
}

// moveEntries renames every entry of src except the lock and the restore
// marker into dst, and syncs both directories.
func moveEntries(fs vfs.FS, src, dst string) (int, error) {
	if err := fs.MkdirAll(dst, 0o755); err != nil {
		return 0, err
	}
	names, err := fs.List(src)
	if err != nil {
		return 0, err
	}
	moved := 0
	for _, n := range names {
		if n == lockFile || n == restoreMarker {
			continue
		}
		if err := fs.Rename(fs.PathJoin(src, n), fs.PathJoin(dst, n)); err != nil {
			return moved, err
		}
		moved++
	}
	return moved, errors.Join(syncDir(fs, src), syncDir(fs, dst))
}
