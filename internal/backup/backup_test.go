package backup_test

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
	"github.com/klauspost/compress/zstd"

	"github.com/bitcraps/bitcraps/internal/audit"
	"github.com/bitcraps/bitcraps/internal/backup"
	"github.com/bitcraps/bitcraps/internal/identity"
	"github.com/bitcraps/bitcraps/internal/ledger"
)

// An offline backup of a stopped node restores into an empty place: same
// keystore, same audit log, and a ledger whose full verification gives the
// state hash the manifest names.
func TestOfflineBackupRestoresIntoAnEmptyDir(t *testing.T) {
	dataDir, peer := stoppedNodeDir(t)
	id, keyFile := ageKey(t)
	dest := backup.Dir(filepath.Join(t.TempDir(), "dest"))
	res, err := offlineBackup(t, dataDir, []string{id.Recipient().String()}, dest)
	if err != nil {
		t.Fatal(err)
	}
	if res.Manifest.PeerID != peer || res.Manifest.Format != backup.FormatVersion || res.Manifest.Audit.Entries == 0 ||
		res.Manifest.Ledger.TotalGrants == 0 || !backup.OfPeer(res.Name, peer) {
		t.Fatalf("manifest %+v name %s", res.Manifest, res.Name)
	}
	ids, err := backup.ReadIdentities(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(t.TempDir(), "restored")
	restored, err := backup.Restore(context.Background(), backup.RestoreOptions{From: dest, Name: res.Name, Identities: ids, DataDir: target})
	if err != nil {
		t.Fatal(err)
	}
	if restored.Replaced != "" || restored.Manifest.Ledger != res.Manifest.Ledger {
		t.Fatalf("restored %+v", restored)
	}
	for _, f := range []string{identity.KeystoreFile, "audit/audit.log"} {
		want, _ := os.ReadFile(filepath.Join(dataDir, f))
		got, _ := os.ReadFile(filepath.Join(target, f))
		if len(want) == 0 || !bytes.Equal(got, want) {
			t.Errorf("%s: restored %d bytes, original %d", f, len(got), len(want))
		}
	}
	pub, err := identity.ReadPublicKey(target)
	if err != nil || string(identity.PeerIDOf(pub)) != peer {
		t.Fatalf("restored identity %v: %v", pub, err)
	}
	rep := audit.VerifyReport(audit.Path(target), pub)
	if !rep.OK || rep.HeadHash != res.Manifest.Audit.HeadHash {
		t.Fatalf("restored audit trail %+v", rep)
	}
	l, err := ledger.Open(ledger.Options{Dir: ledger.StoreDir(target), ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	lrep, err := l.Verify()
	if cerr := l.Close(); err == nil {
		err = cerr
	}
	if err != nil || !lrep.OK || lrep.StateHash != res.Manifest.Ledger.StateHash {
		t.Fatalf("restored ledger %+v: %v", lrep, err)
	}
	// A node starts on the restored dir as the same peer.
	n, _ := runningNode(t, target)
	if string(n.PeerID()) != peer {
		t.Fatalf("restored node is %s, want %s", n.PeerID(), peer)
	}
}

// Debian's age command opens an archive with the recipient's key file; what
// it decrypts is a zstd-compressed tar whose first entry is the manifest.
func TestAgeCLIDecryptsAnArchive(t *testing.T) {
	ageBin := tool(t, "age", "run `bash .ci/install-age.sh` (.ci/run does)")
	dataDir, peer := stoppedNodeDir(t)
	id, keyFile := ageKey(t)
	other, _ := ageKey(t)
	dest := backup.Dir(t.TempDir())
	res, err := offlineBackup(t, dataDir, []string{other.Recipient().String(), id.Recipient().String()}, dest)
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd := exec.Command(ageBin, "--decrypt", "--identity", keyFile, filepath.Join(string(dest), res.Name))
	cmd.Stderr = &stderr
	plain, err := cmd.Output()
	if err != nil {
		t.Fatalf("age --decrypt: %v: %s", err, stderr.String())
	}
	zr, err := zstd.NewReader(bytes.NewReader(plain))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	tr := tar.NewReader(zr)
	var names []string
	var manifest []byte
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("tar: %v", err)
		}
		names = append(names, h.Name)
		if h.Name == backup.ManifestFile {
			manifest, _ = io.ReadAll(tr)
		}
	}
	if len(names) < 5 || names[0] != backup.ManifestFile || !strings.Contains(string(manifest), peer) ||
		!strings.Contains(string(manifest), id.Recipient().String()) {
		t.Fatalf("entries %v; manifest %s", names, manifest)
	}
}

// Every refusal leaves the data dir exactly as it was (and nothing beside
// it): a tampered archive, a truncated one, a wrong key, another node's
// backup, and a dir a running node holds.
func TestRestoreRefusesAndChangesNothing(t *testing.T) {
	dataDir, _ := stoppedNodeDir(t)
	otherDir, _ := stoppedNodeDir(t)
	id, keyFile := ageKey(t)
	stranger, _ := ageKey(t)
	dest := backup.Dir(t.TempDir())
	res, err := offlineBackup(t, dataDir, []string{id.Recipient().String()}, dest)
	if err != nil {
		t.Fatal(err)
	}
	foreign, err := offlineBackup(t, otherDir, []string{id.Recipient().String()}, dest)
	if err != nil {
		t.Fatal(err)
	}
	archive, err := os.ReadFile(filepath.Join(string(dest), res.Name))
	if err != nil {
		t.Fatal(err)
	}
	variant := func(name string, content []byte) string {
		n := strings.Replace(res.Name, "bitcraps-", "bitcraps-"+name, 1)
		if err := os.WriteFile(filepath.Join(string(dest), n), content, 0o600); err != nil {
			t.Fatal(err)
		}
		return n
	}
	tampered := bytes.Clone(archive)
	tampered[len(tampered)/2] ^= 0x01
	tamperedHeader := bytes.Clone(archive)
	tamperedHeader[40] ^= 0x01
	ids, err := backup.ReadIdentities(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	before := treeDigest(t, dataDir)
	for _, tc := range []struct {
		what string
		name string
		ids  []age.Identity
		want error
	}{
		{"tampered payload", variant("tampered", tampered), ids, backup.ErrCorrupt},
		{"tampered header", variant("header", tamperedHeader), ids, nil},
		{"truncated", variant("truncated", archive[:len(archive)-100]), ids, backup.ErrCorrupt},
		{"cut at a chunk", variant("chunk", archive[:len(archive)*3/4]), ids, backup.ErrCorrupt},
		{"wrong key", res.Name, []age.Identity{stranger}, backup.ErrWrongKey},
		{"another node's", foreign.Name, ids, backup.ErrForeignPeer},
	} {
		_, err := backup.Restore(context.Background(), backup.RestoreOptions{From: dest, Name: tc.name, Identities: tc.ids, DataDir: dataDir})
		switch {
		case err == nil:
			t.Errorf("%s: restored", tc.what)
		case tc.want != nil && !errors.Is(err, tc.want):
			t.Errorf("%s: %v, want %v", tc.what, err, tc.want)
		case tc.want == nil && !errors.Is(err, backup.ErrCorrupt) && !errors.Is(err, backup.ErrWrongKey):
			t.Errorf("%s: %v, want corrupt or wrong key", tc.what, err)
		}
		if after := treeDigest(t, dataDir); after != before {
			t.Fatalf("%s changed the data dir:\nbefore\n%s\nafter\n%s", tc.what, before, after)
		}
	}
	// A running node holds the dir: refused, and it runs on.
	n, stop := runningNode(t, dataDir)
	_, err = backup.Restore(context.Background(), backup.RestoreOptions{From: dest, Name: res.Name, Identities: ids, DataDir: dataDir})
	if !errors.Is(err, backup.ErrDataDirInUse) {
		t.Fatalf("restore under a running node: %v", err)
	}
	if st := n.Root().Health().State.String(); st != "Running" {
		t.Fatalf("node %s after a refused restore", st)
	}
	stop()
	// The same archive, whole and with the right key, restores.
	restored, err := backup.Restore(context.Background(), backup.RestoreOptions{From: dest, Name: res.Name, Identities: ids, DataDir: dataDir})
	if err != nil {
		t.Fatal(err)
	}
	if restored.Replaced == "" {
		t.Fatal("the old data dir was not kept")
	}
	if _, err := os.Stat(filepath.Join(restored.Replaced, identity.KeystoreFile)); err != nil {
		t.Fatalf("old content not in %s: %v", restored.Replaced, err)
	}
}

// A backup to a real S3-compatible server (versitygw on loopback), a
// directory, and an S3 endpoint nothing listens on: the two that work
// confirm it, the dead one is named with its reason, and the backup is not
// done. Listing and restoring from the bucket work, and retention prunes
// the bucket as it does a directory.
func TestBackupToS3AndADirWithOneDestinationDown(t *testing.T) {
	s3 := startS3(t)
	dataDir, peer := stoppedNodeDir(t)
	id, keyFile := ageKey(t)
	bucket, err := backup.ParseDestination("s3://"+s3.bucket+"/nodes/a", s3.env)
	if err != nil {
		t.Fatal(err)
	}
	dir := backup.Dir(t.TempDir())
	deadEnv := func(name string) string {
		if name == backup.EnvS3Endpoint {
			return closedPort(t)
		}
		return s3.env(name)
	}
	dead, err := backup.ParseDestination("s3://"+s3.bucket+"/nodes/a", deadEnv)
	if err != nil {
		t.Fatal(err)
	}
	res, err := offlineBackup(t, dataDir, []string{id.Recipient().String()}, dir, bucket, dead)
	if !errors.Is(err, backup.ErrDestination) || !strings.Contains(err.Error(), dead.String()) || !strings.Contains(err.Error(), "1 of 3") {
		t.Fatalf("backup with a dead destination: %v", err)
	}
	failed := res.Failed()
	if len(failed) != 1 || failed[0].Destination != dead.String() || !strings.Contains(failed[0].Error, "refused") {
		t.Fatalf("failed destinations %+v", failed)
	}
	for _, d := range []backup.Destination{dir, bucket} {
		objs, err := d.List(context.Background())
		if err != nil || len(objs) != 1 || objs[0].Name != res.Name || objs[0].Size != res.Size {
			t.Fatalf("%s lists %+v (%v), want %s of %d bytes", d, objs, err, res.Name, res.Size)
		}
	}
	ids, err := backup.ReadIdentities(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(t.TempDir(), "from-s3")
	restored, err := backup.Restore(context.Background(), backup.RestoreOptions{From: bucket, Name: res.Name, Identities: ids, DataDir: target})
	if err != nil {
		t.Fatal(err)
	}
	if restored.Manifest.PeerID != peer || restored.Manifest.Ledger != res.Manifest.Ledger {
		t.Fatalf("restored from S3: %+v", restored.Manifest)
	}
	if _, err := backup.Restore(context.Background(), backup.RestoreOptions{From: bucket, Name: "bitcraps-00-20260101T000000Z" + backup.Suffix,
		Identities: ids, DataDir: filepath.Join(t.TempDir(), "x")}); !errors.Is(err, backup.ErrNotFound) {
		t.Fatalf("restore of a missing archive: %v", err)
	}
	removed, err := backup.Prune(context.Background(), bucket, peer, backup.Policy{})
	if err != nil || len(removed) != 1 {
		t.Fatalf("prune to nothing: removed %v: %v", removed, err)
	}
	if objs, err := bucket.List(context.Background()); err != nil || len(objs) != 0 {
		t.Fatalf("after pruning: %+v %v", objs, err)
	}
}
