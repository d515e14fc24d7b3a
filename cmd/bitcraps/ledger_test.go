package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/bitcraps/bitcraps/internal/identity"
	"github.com/bitcraps/bitcraps/internal/ledger"
)

// runCLI runs the root command with args after resetting every flag, since
// cobra keeps flag values between Execute calls.
func runCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var reset func(c *cobra.Command)
	reset = func(c *cobra.Command) {
		c.Flags().VisitAll(func(f *pflag.Flag) {
			if sv, ok := f.Value.(pflag.SliceValue); ok {
				_ = sv.Replace(nil) // Set would append "[]"
			} else {
				_ = f.Value.Set(f.DefValue)
			}
			f.Changed = false
		})
		for _, sub := range c.Commands() {
			reset(sub)
		}
	}
	reset(rootCmd)
	var out bytes.Buffer
	rootCmd.SetOut(&out)
	rootCmd.SetErr(&out)
	rootCmd.SetArgs(args)
	err := rootCmd.ExecuteContext(context.Background())
	return out.String(), err
}

// ledgerWithOps makes a ledger with two grants in dataDir and returns it open.
func ledgerWithOps(t *testing.T, dataDir string) *ledger.Ledger {
	t.Helper()
	l, err := ledger.Open(ledger.Options{Dir: ledger.StoreDir(dataDir)})
	if err != nil {
		t.Fatal(err)
	}
	for _, seed := range []string{"a", "b"} {
		s := sha256.Sum256([]byte(seed))
		pub := ed25519.NewKeyFromSeed(s[:]).Public().(ed25519.PublicKey)
		op := ledger.Op{Kind: ledger.KindGrant, Owner: identity.PeerIDOf(pub), Amount: 1_500_000}
		if _, err := l.Apply(context.Background(), op); err != nil {
			t.Fatal(err)
		}
	}
	return l
}

func TestLedgerVerifyOffline(t *testing.T) {
	dir := t.TempDir()
	l := ledgerWithOps(t, dir)
	if _, err := runCLI(t, "ledger", "verify", "--data", dir); err == nil || !strings.Contains(err.Error(), "running node") {
		t.Fatalf("offline verify of a held store: %v, want a refusal naming the running node", err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	out, err := runCLI(t, "ledger", "verify", "--data", dir, "--json")
	if err != nil {
		t.Fatalf("verify: %v\n%s", err, out)
	}
	var rep ledger.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil || !rep.OK || rep.TotalGrants != 3_000_000 || rep.Ops != 2 {
		t.Fatalf("report %+v (%v) from %s", rep, err, out)
	}
	text, err := runCLI(t, "ledger", "verify", "--data", dir)
	if err != nil || !strings.Contains(text, "ledger OK") || !strings.Contains(text, "grants       3 CRAP") {
		t.Fatalf("text report: %v\n%s", err, text)
	}
}

func TestLedgerVerifyOnline(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/ledger/verify" {
			http.NotFound(w, r)
			return
		}
		_ = json.NewEncoder(w).Encode(ledger.Report{OK: false, StateHash: "abc", Problems: []string{"Σ wallets 1 ≠ Σ grants 2"}})
	}))
	defer srv.Close()
	out, err := runCLI(t, "ledger", "verify", "--node", srv.URL)
	if !errors.Is(err, errLedgerFailed) || !strings.Contains(out, "ledger FAILED") || !strings.Contains(out, "Σ grants 2") {
		t.Fatalf("online verify of a failing node: %v\n%s", err, out)
	}
}

func TestSnapshotListAndRestore(t *testing.T) {
	dir := t.TempDir()
	l := ledgerWithOps(t, dir)
	info, err := l.Snapshot(ledger.SnapshotsDir(dir), time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := runCLI(t, "snapshot", "restore", info.Name, "--data", dir); err == nil || !strings.Contains(err.Error(), "stop it first") {
		t.Fatalf("restore under a running ledger: %v", err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	out, err := runCLI(t, "snapshot", "list", "--data", dir, "--json")
	var list []ledger.SnapshotInfo
	if err != nil || json.Unmarshal([]byte(out), &list) != nil || len(list) != 1 || list[0].Name != info.Name {
		t.Fatalf("list: %v\n%s", err, out)
	}
	out, err = runCLI(t, "snapshot", "restore", info.Name, "--data", dir)
	if err != nil || !strings.Contains(out, "restored "+info.Name) || !strings.Contains(out, info.StateHash) {
		t.Fatalf("restore: %v\n%s", err, out)
	}
	if _, err := runCLI(t, "snapshot", "restore", "nope", "--data", dir); !errors.Is(err, ledger.ErrSnapshotNotFound) {
		t.Fatalf("restore of an unknown snapshot: %v", err)
	}
	out, err = runCLI(t, "ledger", "verify", "--data", dir)
	if err != nil || !strings.Contains(out, info.StateHash) {
		t.Fatalf("verify after restore: %v\n%s", err, out)
	}
}
