package ledger

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"
)

// SnapshotsDir is where snapshots live in a node's data dir.
func SnapshotsDir(dataDir string) string { return filepath.Join(dataDir, "snapshots") }

// SnapshotInfo describes a snapshot: written next to its files when it was
// taken and verified.
type SnapshotInfo struct {
	Name        string    `json:"name"`
	CreatedAt   time.Time `json:"created_at"`
	StateHash   string    `json:"state_hash"`
	Ops         uint64    `json:"ops"`
	Accounts    int       `json:"accounts"`
	TotalGrants int64     `json:"total_grants"`
	// Problem is set by ListSnapshots when the description is unreadable.
	Problem string `json:"problem,omitempty"`
}

const (
	snapshotMeta  = "BITCRAPS_SNAPSHOT.json"
	lockFile      = "LOCK"
	tmpPrefix     = ".tmp-"
	snapshotStamp = "20060102T150405.000Z"
)

// Snapshot writes a pebble checkpoint of the ledger into dir/NAME (NAME
// from now), checks its balances (CheckBalances: the full replay waits for
// a restore, which runs it), and only then gives it its name: a snapshot
// that exists under its name is complete and its sums are right.
func (l *Ledger) Snapshot(dir string, now time.Time) (SnapshotInfo, error) {
	fs := l.opts.FS
	if err := fs.MkdirAll(dir, 0o755); err != nil {
		return SnapshotInfo{}, fmt.Errorf("create snapshots dir %s: %w", dir, err)
	}
	name := uniqueSnapshotName(fs, dir, now)
	tmp := fs.PathJoin(dir, tmpPrefix+name)
	if err := fs.RemoveAll(tmp); err != nil {
		return SnapshotInfo{}, fmt.Errorf("clear %s: %w", tmp, err)
	}
	err := l.read(func(pebble.Reader) error { return l.db.Checkpoint(tmp, pebble.WithFlushedWAL()) })
	if err != nil {
		return SnapshotInfo{}, errors.Join(fmt.Errorf("checkpoint into %s: %w", tmp, err), fs.RemoveAll(tmp))
	}
	info, err := checkStoreDir(fs, tmp, l.rules.certs, false)
	if err == nil {
		info.Name, info.CreatedAt = name, now.UTC()
		err = writeMeta(fs, tmp, info)
	}
	if err == nil {
		err = fs.Rename(tmp, fs.PathJoin(dir, name))
	}
	if err == nil {
		err = syncDir(fs, dir)
	}
	if err != nil {
		return SnapshotInfo{}, errors.Join(fmt.Errorf("snapshot %s: %w", name, err), fs.RemoveAll(tmp))
	}
	return info, nil
}

func uniqueSnapshotName(fs vfs.FS, dir string, now time.Time) string {
	base := now.UTC().Format(snapshotStamp)
	name := base
	for i := 2; ; i++ {
		if _, err := fs.Stat(fs.PathJoin(dir, name)); err != nil {
			return name
		}
		name = fmt.Sprintf("%s-%d", base, i)
	}
}

// checkStoreDir opens a store read-only and checks it: fully (Verify) or
// its balances only (CheckBalances).
func checkStoreDir(fs vfs.FS, dir string, certs CertificateVerifier, full bool) (SnapshotInfo, error) {
	l, err := Open(Options{Dir: dir, FS: fs, ReadOnly: true, Certificates: certs})
	if err != nil {
		return SnapshotInfo{}, err
	}
	check := l.CheckBalances
	if full {
		check = l.Verify
	}
	rep, err := check()
	err = errors.Join(err, l.Close())
	if err != nil {
		return SnapshotInfo{}, err
	}
	if !rep.OK {
		return SnapshotInfo{}, fmt.Errorf("%w: %s", ErrSnapshotInvalid, strings.Join(rep.Problems, "; "))
	}
	return SnapshotInfo{StateHash: rep.StateHash, Ops: rep.Ops, Accounts: rep.Accounts, TotalGrants: rep.TotalGrants}, nil
}

func writeMeta(fs vfs.FS, dir string, info SnapshotInfo) error {
	b, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return err
	}
	f, err := fs.Create(fs.PathJoin(dir, snapshotMeta), vfs.WriteCategoryUnspecified)
	if err != nil {
		return err
	}
	_, err = f.Write(append(b, '\n'))
	if err == nil {
		err = f.Sync()
	}
	return errors.Join(err, f.Close())
}

func readMeta(fs vfs.FS, dir string) (SnapshotInfo, error) {
	f, err := fs.Open(fs.PathJoin(dir, snapshotMeta))
	if err != nil {
		return SnapshotInfo{}, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, 1<<20))
	if err != nil {
		return SnapshotInfo{}, err
	}
	var info SnapshotInfo
	if err := json.Unmarshal(b, &info); err != nil {
		return SnapshotInfo{}, fmt.Errorf("%s: %w", snapshotMeta, err)
	}
	return info, nil
}

func syncDir(fs vfs.FS, dir string) error {
	d, err := fs.OpenDir(dir)
	if err != nil {
		return err
	}
	return errors.Join(d.Sync(), d.Close())
}

// ListSnapshots lists the snapshots in dir, oldest first. A missing dir is
// an empty list.
func ListSnapshots(fs vfs.FS, dir string) ([]SnapshotInfo, error) {
	fs, names, err := listSnapshotDir(fs, dir)
	if err != nil {
		return nil, err
	}
	var out []SnapshotInfo
	for _, n := range names {
		if strings.HasPrefix(n, ".") {
			continue
		}
		info, err := readMeta(fs, fs.PathJoin(dir, n))
		if err != nil {
			info = SnapshotInfo{Problem: fmt.Sprintf("unreadable description: %v", err)}
		}
		info.Name = n
		out = append(out, info)
	}
	return out, nil
}

// PruneSnapshots removes all but the newest keep snapshots in dir, and any
// leftover of an interrupted snapshot. It returns the names removed.
func PruneSnapshots(fs vfs.FS, dir string, keep int) ([]string, error) {
	fs, names, err := listSnapshotDir(fs, dir)
	if err != nil || names == nil {
		return nil, err
	}
	var snaps, removed []string
	for _, n := range names {
		if strings.HasPrefix(n, tmpPrefix) {
			removed = append(removed, n)
		} else if !strings.HasPrefix(n, ".") {
			snaps = append(snaps, n)
		}
	}
	if len(snaps) > keep {
		removed = append(removed, snaps[:len(snaps)-max(keep, 0)]...)
	}
	for _, n := range removed {
		if err := fs.RemoveAll(fs.PathJoin(dir, n)); err != nil {
			return nil, fmt.Errorf("remove snapshot %s: %w", n, err)
		}
	}
	return removed, syncDir(fs, dir)
}

// listSnapshotDir lists dir sorted (oldest snapshot first, as names are
// timestamps); a missing dir lists nothing. A nil fs means the disk.
func listSnapshotDir(fs vfs.FS, dir string) (vfs.FS, []string, error) {
	if fs == nil {
		fs = vfs.Default
	}
	names, err := fs.List(dir)
	if errors.Is(err, os.ErrNotExist) {
		return fs, nil, nil
	}
	if err != nil {
		return fs, nil, fmt.Errorf("list snapshots in %s: %w", dir, err)
	}
	slices.Sort(names)
	return fs, names, nil
}
