package test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/bitcraps/bitcraps/internal/audit"
	"github.com/bitcraps/bitcraps/internal/backup"
	"github.com/bitcraps/bitcraps/internal/identity"
	"github.com/bitcraps/bitcraps/internal/ledger"
	"github.com/bitcraps/bitcraps/messages"
)

// onlineBackup asks a running node for a backup through its API and
// returns the final line's result.
func onlineBackup(t *testing.T, p *peerNode, to ...string) backup.Result {
	t.Helper()
	body, _ := json.Marshal(map[string][]string{"to": to})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+p.n.HTTPAddr()+"/api/v1/backups", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST /api/v1/backups: %d", resp.StatusCode)
	}
	var steps []string
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		var line struct {
			Progress *backup.Progress
			Result   *backup.Result
			Error    any
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		if line.Progress != nil {
			steps = append(steps, line.Progress.Step)
		}
		if line.Result != nil {
			if line.Error != nil {
				t.Fatalf("backup failed: %v (steps %v)", line.Error, steps)
			}
			if len(steps) < 3 {
				t.Fatalf("progress %v: want checkpoint, verify, archive, uploads", steps)
			}
			return *line.Result
		}
	}
	t.Fatalf("stream ended without a result: %v (steps %v)", sc.Err(), steps)
	return backup.Result{}
}

// A node with played tables is backed up online, plays on, stops, and is
// restored from the backup: its identity, ledger state hash and audit
// chain are the backup's, and once started it catches its table up from
// its peer to the rounds it missed and plays on.
func TestBackupRestoreRoundTripCatchesUp(t *testing.T) {
	key, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	dest := t.TempDir()
	nodes := startCluster(t, 2)
	a := nodes[0]
	bCfg := nodes[1].cfg
	bCfg.BackupRecipients = []string{key.Recipient().String()}
	bCfg.BackupTo = []string{dest}
	nodes[1].stop()
	nodes[1] = startPeer(t, "B", bCfg)
	waitConnected(t, nodes)
	id := openTable(t, nodes).ID
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 15))
	for r := uint64(1); r <= 3; r++ {
		playRound(t, nodes, id, r, rng, seed)
	}
	b := nodes[1]
	atBackup := b.verified()
	res := onlineBackup(t, b)
	if again := b.verified(); again.StateHash != atBackup.StateHash {
		t.Fatalf("the ledger moved during the backup: %s then %s", atBackup.StateHash, again.StateHash)
	}
	m := res.Manifest
	if m.PeerID != b.peerID() || m.Ledger.StateHash != atBackup.StateHash || m.Ledger.TotalGrants != atBackup.TotalGrants ||
		m.HighestCertified[id] != 3 || m.NodeVersion != "test" {
		t.Fatalf("manifest %+v; ledger at backup %+v", m, atBackup)
	}
	for r := uint64(4); r <= 6; r++ {
		playRound(t, nodes, id, r, rng, seed)
	}
	b.stop()

	restored, err := backup.Restore(context.Background(), backup.RestoreOptions{
		From: backup.Dir(dest), Name: res.Name, Identities: []age.Identity{key}, DataDir: bCfg.DataDir})
	if err != nil {
		t.Fatal(err)
	}
	// The restored dir holds the backup's state, before any catch-up.
	pub, err := identity.ReadPublicKey(bCfg.DataDir)
	if err != nil || string(identity.PeerIDOf(pub)) != m.PeerID {
		t.Fatalf("restored identity %x: %v", pub, err)
	}
	l, err := ledger.Open(ledger.Options{Dir: ledger.StoreDir(bCfg.DataDir), ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := l.Verify()
	if cerr := l.Close(); err == nil {
		err = cerr
	}
	if err != nil || !rep.OK || rep.StateHash != atBackup.StateHash {
		t.Fatalf("restored ledger %+v (%v), want state hash %s", rep, err, atBackup.StateHash)
	}
	// The restored audit chain verifies, and is the start of the one the
	// node went on writing (kept in the replaced dir).
	if ar := audit.VerifyReport(audit.Path(bCfg.DataDir), pub); !ar.OK || ar.HeadHash != m.Audit.HeadHash || ar.Entries != m.Audit.Entries {
		t.Fatalf("restored audit trail %+v, manifest %+v", ar, m.Audit)
	}
	chain, _ := os.ReadFile(audit.Path(bCfg.DataDir))
	later, _ := os.ReadFile(filepath.Join(restored.Replaced, "audit", "audit.log"))
	if len(chain) == 0 || !bytes.HasPrefix(later, chain) || len(later) <= len(chain) {
		t.Fatalf("restored audit log (%d bytes) is not the start of the node's later log (%d bytes)", len(chain), len(later))
	}

	b = startPeer(t, "B", bCfg)
	nodes[1] = b
	if b.peerID() != m.PeerID {
		t.Fatalf("restored node is %s, want %s", b.peerID(), m.PeerID)
	}
	eventually(t, 60*time.Second, "restored node catches up its table", func() (bool, string) {
		r := b.ask("games", &messages.GetTable{TableID: id}).(*messages.TableReply)
		if r.Err != nil {
			return false, r.Err.Error()
		}
		want := a.table(id)
		return r.Table.Round == 6 && r.Table.StateHash == want.StateHash && r.Table.Seated,
			fmt.Sprintf("round %d (want 6) hash %s (want %s) seated %v status %s", r.Table.Round, r.Table.StateHash, want.StateHash, r.Table.Seated, r.Table.Status)
	})
	// The node said what it was restored from, in its audit trail.
	eventually(t, 10*time.Second, "the restore in the audit trail", func() (bool, string) {
		log, _ := os.ReadFile(audit.Path(bCfg.DataDir))
		return bytes.Contains(log, []byte(`"kind":"backup.restored"`)) && bytes.Contains(log, []byte(res.Name)), "no backup.restored entry"
	})
	if _, err := os.Stat(filepath.Join(bCfg.DataDir, "backup-restored.json")); !os.IsNotExist(err) {
		t.Fatalf("restore marker still there after start: %v", err)
	}
	waitConnected(t, nodes)
	for r := uint64(7); r <= 8; r++ {
		playRound(t, nodes, id, r, rng, seed)
	}
	sameEverywhere(t, nodes, id, 8)
	b.verified()
}
