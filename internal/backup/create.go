package backup

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"filippo.io/age"
)

// stagingPrefix names a backup's working dir inside the data dir.
const stagingPrefix = ".backup-staging-"

// CreateOptions are what Create needs.
type CreateOptions struct {
	// DataDir is the node's data dir: the keystore and audit log are
	// copied from it, and the staging copy and the encrypted archive are
	// written inside it (never unencrypted outside it).
	DataDir string
	Stores  Stores
	// Recipients are age public keys; each can open the archive.
	Recipients   []string
	Destinations []Destination
	NodeVersion  string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Progress hears each step; nil ignores them.
	Progress func(Progress)
	Logger   *slog.Logger
}

// Progress is one step of a backup or a restore.
type Progress struct {
	// Step: "checkpoint", "verify", "archive", "upload", "uploaded",
	// "failed", "download", "unpack", "swap".
	Step        string `json:"step"`
	Destination string `json:"destination,omitempty"`
	Bytes       int64  `json:"bytes,omitempty"`
	Error       string `json:"error,omitempty"`
}

// Result says what a backup did: the archive and each destination's outcome.
type Result struct {
	Name         string              `json:"name"`
	Size         int64               `json:"size"`
	Duration     time.Duration       `json:"duration_ns"`
	Manifest     Manifest            `json:"manifest"`
	Destinations []DestinationResult `json:"destinations"`
}

// DestinationResult is one destination's outcome; Error is "" when it
// confirmed the archive.
type DestinationResult struct {
	Destination string        `json:"destination"`
	Error       string        `json:"error,omitempty"`
	Duration    time.Duration `json:"duration_ns"`
}

// Failed lists the destinations that did not confirm.
func (r Result) Failed() []DestinationResult {
	var out []DestinationResult
	for _, d := range r.Destinations {
		if d.Error != "" {
			out = append(out, d)
		}
	}
	return out
}

// Create makes one archive of the node and stores it at every destination
// at once. It returns an error wrapping ErrDestination, naming each failed
// destination and why, unless every destination confirmed; Result still
// says which ones did.
func Create(ctx context.Context, opts CreateOptions) (Result, error) {
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	progress := serialized(opts.Progress)
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	recipients, err := ParseRecipients(opts.Recipients)
	if err != nil {
		return Result{}, err
	}
	if len(opts.Destinations) == 0 {
		return Result{}, fmt.Errorf("%w: no destination", ErrDestination)
	}
	began := now()
	// One backup at a time per data dir (the service runs one, an offline
	// one holds the stores' locks): what an interrupted one left is stale.
	if err := removeLeftovers(opts.DataDir, stagingPrefix); err != nil {
		return Result{}, err
	}
	staging, err := os.MkdirTemp(opts.DataDir, stagingPrefix)
	if err != nil {
		return Result{}, fmt.Errorf("backup staging in %s: %w", opts.DataDir, err)
	}
	defer os.RemoveAll(staging)

	progress(Progress{Step: "checkpoint"})
	if err := stage(opts.DataDir, staging, opts.Stores); err != nil {
		return Result{}, fmt.Errorf("backup: %w", err)
	}
	progress(Progress{Step: "verify"})
	m, err := manifestOf(staging, opts, began, log)
	if err != nil {
		return Result{}, err
	}
	name := Name(m.PeerID, began)
	archive := filepath.Join(staging, "archive"+Suffix)
	size, err := writeArchiveFile(archive, staging, &m, recipients)
	if err != nil {
		return Result{}, err
	}
	progress(Progress{Step: "archive", Bytes: size})
	res := Result{Name: name, Size: size, Manifest: m}
	res.Destinations = upload(ctx, archive, name, size, opts.Destinations, now, progress)
	res.Duration = now().Sub(began)
	if failed := res.Failed(); len(failed) > 0 {
		var parts []string
		for _, f := range failed {
			parts = append(parts, f.Destination+": "+f.Error)
		}
		return res, fmt.Errorf("%w: %s not stored at %d of %d destinations: %s", ErrDestination, name,
			len(failed), len(res.Destinations), strings.Join(parts, "; "))
	}
	return res, nil
}

func manifestOf(staging string, opts CreateOptions, created time.Time, log *slog.Logger) (Manifest, error) {
	peer, l, a, certified, err := describe(staging, false, log)
	if err != nil {
		return Manifest{}, fmt.Errorf("backup: check the copy: %w", err)
	}
	files, err := listFiles(staging)
	if err != nil {
		return Manifest{}, fmt.Errorf("backup: list the copy: %w", err)
	}
	return Manifest{
		Format: FormatVersion, NodeVersion: opts.NodeVersion, PeerID: peer, CreatedAt: created.UTC(),
		Ledger: l, Audit: a, HighestCertified: certified, Recipients: opts.Recipients, Files: files,
	}, nil
}

func writeArchiveFile(path, staging string, m *Manifest, recipients []age.Recipient) (int64, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return 0, err
	}
	err = writeArchive(f, staging, m, recipients)
	if err == nil {
		err = f.Sync()
	}
	if err = errors.Join(err, f.Close()); err != nil {
		return 0, fmt.Errorf("backup: write the archive: %w", err)
	}
	info, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	return info.Size(), nil
}

// upload sends the archive to every destination concurrently: a slow or
// dead one costs its own time, not the others'.
func upload(ctx context.Context, archive, name string, size int64, dests []Destination, now func() time.Time, progress func(Progress)) []DestinationResult {
	out := make([]DestinationResult, len(dests))
	var wg sync.WaitGroup
	for i, d := range dests {
		wg.Go(func() {
			began := now()
			progress(Progress{Step: "upload", Destination: d.String(), Bytes: size})
			err := putFile(ctx, d, archive, name, size)
			out[i] = DestinationResult{Destination: d.String(), Duration: now().Sub(began)}
			if err != nil {
				out[i].Error = err.Error()
				progress(Progress{Step: "failed", Destination: d.String(), Error: err.Error()})
				return
			}
			progress(Progress{Step: "uploaded", Destination: d.String(), Bytes: size})
		})
	}
	wg.Wait()
	return out
}

func putFile(ctx context.Context, d Destination, archive, name string, size int64) error {
	f, err := os.Open(archive)
	if err != nil {
		return err
	}
	defer f.Close()
	return d.Put(ctx, name, f, size)
}

// Prune applies retention at one destination to peer's archives and
// returns the names it removed.
func Prune(ctx context.Context, d Destination, peer string, p Policy) ([]string, error) {
	objs, err := d.List(ctx)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", d, err)
	}
	names := make([]string, len(objs))
	for i, o := range objs {
		names[i] = o.Name
	}
	_, remove := Retain(names, peer, p)
	for i, n := range remove {
		if err := d.Remove(ctx, n); err != nil {
			return remove[:i], fmt.Errorf("remove %s from %s: %w", n, d, err)
		}
	}
	return remove, nil
}

// serialized makes progress safe to call from the concurrent uploads: the
// caller's function sees one call at a time.
func serialized(progress func(Progress)) func(Progress) {
	if progress == nil {
		return func(Progress) {}
	}
	var mu sync.Mutex
	return func(p Progress) {
		mu.Lock()
		defer mu.Unlock()
		progress(p)
	}
}

// removeLeftovers deletes the entries of dir whose names start with prefix.
func removeLeftovers(dir, prefix string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), prefix) {
			if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
				return fmt.Errorf("remove the leftover %s: %w", e.Name(), err)
			}
		}
	}
	return nil
}
