package ledger

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var t0 = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

func TestSnapshotRestoreRoundTrip(t *testing.T) {
	data := t.TempDir()
	l, err := Open(Options{Dir: StoreDir(data)})
	if err != nil {
		t.Fatal(err)
	}
	host, alice := newPlayer("host"), newPlayer("alice")
	mustApply(t, l, host.grant(100*crap), alice.grant(100*crap), host.fundBank("t1", 50*crap, 1), alice.buyIn("t1", 10*crap, 1))
	before := stateHash(t, l)
	info, err := l.Snapshot(SnapshotsDir(data), t0)
	if err != nil {
		t.Fatalf("snapshot: %v", err)
	}
	if info.StateHash != before || info.Ops != 4 || info.Name == "" {
		t.Fatalf("snapshot info %+v, want hash %s and 4 ops", info, before)
	}
	late := alice.cashOut("t1", 5*crap, 2)
	mustApply(t, l, late)
	if stateHash(t, l) == before {
		t.Fatal("state did not change after the snapshot")
	}
	if _, err := RestoreSnapshot(data, info.Name, RestoreOptions{}); !errors.Is(err, ErrDataDirInUse) {
		t.Fatalf("restore while the store is open: %v, want ErrDataDirInUse", err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	res, err := RestoreSnapshot(data, info.Name, RestoreOptions{Now: t0.Add(time.Hour)})
	if err != nil {
		t.Fatalf("restore: %v", err)
	}
	if res.Backup == "" || res.Snapshot.StateHash != before {
		t.Fatalf("restore result %+v", res)
	}
	if kept, _ := filepath.Glob(filepath.Join(res.Backup, "MANIFEST-*")); len(kept) == 0 {
		t.Fatalf("the replaced store was not kept in %s", res.Backup)
	}
	l2 := openAt(t, StoreDir(data), Options{})
	if h := stateHash(t, l2); h != before {
		t.Fatalf("restored state hash %s, want %s", h, before)
	}
	if _, found, _ := l2.Op(late.ID()); found {
		t.Fatal("an op applied after the snapshot survived the restore")
	}
	verifyOK(t, l2)
	mustApply(t, l2, alice.cashOut("t1", 5*crap, 2)) // the restored ledger takes writes
	verifyOK(t, l2)
}

func TestSnapshotsAreListedAndPruned(t *testing.T) {
	data := t.TempDir()
	l := openAt(t, StoreDir(data), Options{})
	var names []string
	for i := range 4 {
		mustApply(t, l, newPlayer(string(rune('a'+i))).grant(crap))
		info, err := l.Snapshot(SnapshotsDir(data), t0.Add(time.Duration(i)*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, info.Name)
	}
	// Two snapshots in the same millisecond still get distinct names.
	same, err := l.Snapshot(SnapshotsDir(data), t0.Add(3*time.Minute))
	if err != nil || same.Name == names[3] {
		t.Fatalf("second snapshot at one instant: %+v, %v", same, err)
	}
	names = append(names, same.Name)
	list, err := ListSnapshots(nil, SnapshotsDir(data))
	if err != nil || len(list) != 5 {
		t.Fatalf("list: %+v, %v", list, err)
	}
	for i, s := range list {
		if s.Name != names[i] || s.Problem != "" || s.Ops != uint64(min(i+1, 4)) {
			t.Fatalf("list[%d] = %+v, want %s", i, s, names[i])
		}
	}
	removed, err := PruneSnapshots(nil, SnapshotsDir(data), 2)
	if err != nil || len(removed) != 3 || removed[0] != names[0] {
		t.Fatalf("prune removed %v, %v", removed, err)
	}
	list, _ = ListSnapshots(nil, SnapshotsDir(data))
	if len(list) != 2 || list[0].Name != names[3] || list[1].Name != names[4] {
		t.Fatalf("after prune: %+v", list)
	}
}

func TestRestoreRefusesUnknownSnapshots(t *testing.T) {
	data := t.TempDir()
	for _, name := range []string{"nope", "../ledger", ""} {
		if _, err := RestoreSnapshot(data, name, RestoreOptions{}); !errors.Is(err, ErrSnapshotNotFound) {
			t.Errorf("restore %q: %v, want ErrSnapshotNotFound", name, err)
		}
	}
}

func TestInterruptedRestoreBlocksOpen(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ledger")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, restoreMarker), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(Options{Dir: dir}); !errors.Is(err, ErrRestoreIncomplete) {
		t.Fatalf("open a half-restored store: %v, want ErrRestoreIncomplete", err)
	}
}

func TestReadOnlyOpenNeedsAFreeExistingStore(t *testing.T) {
	data := t.TempDir()
	if _, err := Open(Options{Dir: StoreDir(data), ReadOnly: true}); err == nil {
		t.Fatal("read-only open of a missing store succeeded")
	}
	l := openAt(t, StoreDir(data), Options{})
	mustApply(t, l, newPlayer("a").grant(crap))
	if _, err := Open(Options{Dir: StoreDir(data), ReadOnly: true}); !errors.Is(err, ErrDataDirInUse) {
		t.Fatalf("read-only open of a held store: %v, want ErrDataDirInUse", err)
	}
}
