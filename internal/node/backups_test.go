package node

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	dto "github.com/prometheus/client_model/go"

	"github.com/bitcraps/bitcraps/internal/api"
	"github.com/bitcraps/bitcraps/internal/backup"
	"github.com/bitcraps/bitcraps/messages"
	"github.com/bitcraps/bitcraps/supervisor"
)

// metricValue is one series' value in the node's registry (0 if absent).
func metricValue(t *testing.T, n *Node, name string, labels map[string]string) float64 {
	t.Helper()
	mfs, err := n.registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			if matches(m, labels) {
				switch {
				case m.Counter != nil:
					return m.Counter.GetValue()
				case m.Gauge != nil:
					return m.Gauge.GetValue()
				case m.Histogram != nil:
					return float64(m.Histogram.GetSampleCount())
				}
			}
		}
	}
	return 0
}

func matches(m *dto.Metric, labels map[string]string) bool {
	for _, lp := range m.GetLabel() {
		if want, ok := labels[lp.GetName()]; ok && want != lp.GetValue() {
			return false
		}
	}
	return true
}

// until polls cond every 10 ms until it holds or a minute passes.
func until(t *testing.T, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		ok, detail := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %s", what, detail)
		}
		time.Sleep(10 * time.Millisecond) // poll interval, bounded by the deadline
	}
}

// The schedule runs in the node: one destination dead, so every scheduled
// backup fails there, is counted, and makes the node Degraded (still
// serving) with the destination named, while the directory gets each
// backup and is pruned to the one retention keeps. An on-demand backup to
// the directory alone brings the service back to Healthy.
func TestScheduledBackupsCountFailuresAndPrune(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	t.Setenv(backup.EnvS3Endpoint, dead)
	t.Setenv(backup.EnvS3AccessKey, "nobody")
	t.Setenv(backup.EnvS3SecretKey, "nothing-here")
	t.Setenv(backup.EnvS3TLS, "false")
	key, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	deadDest := "s3://gone/backups"
	cfg := testConfig(t)
	// Below the setting's one-minute floor, set directly: several backups
	// within a few seconds.
	cfg.BackupInterval = 300 * time.Millisecond
	cfg.BackupTo = []string{dir, deadDest}
	cfg.BackupRecipients = []string{key.Recipient().String()}
	cfg.BackupKeepHourly, cfg.BackupKeepDaily = 1, 0
	n := startNode(t, cfg)
	if got := metricValue(t, n, "bitcraps_backup_interval_seconds", nil); got != 0.3 {
		t.Fatalf("interval gauge %v", got)
	}
	until(t, "two scheduled backups, each failing at the dead destination", func() (bool, string) {
		fails := metricValue(t, n, "bitcraps_backup_failures_total", map[string]string{"destination": "s3://gone/backups"})
		rep := n.Root().Health()
		s, _ := rep.Service("backup")
		return fails >= 2 && rep.State == supervisor.Degraded && s.Status == messages.Degraded && strings.Contains(s.Reason, deadDest),
			rep.State.String() + " " + s.Status.String() + ": " + s.Reason
	})
	if !(healthView{n}).Ready() {
		t.Fatal("a failing backup made the node stop serving")
	}
	// Play goes on while backups fail: a table can be created and played.
	resp, err := http.Post("http://"+n.HTTPAddr()+"/api/v1/tables", "application/json", strings.NewReader(
		`{"min_players":1,"max_players":2,"bankroll":100000000,"min_bet":1000000,"max_bet":5000000,"buy_in":20000000}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create a table while Degraded by backups: %d", resp.StatusCode)
	}
	if s, _ := n.Root().Health().Service("ledger"); s.Status != messages.Healthy {
		t.Fatalf("ledger %s: %s", s.Status, s.Reason)
	}
	if metricValue(t, n, "bitcraps_backup_destination_last_success_timestamp_seconds", map[string]string{"destination": dir}) == 0 {
		t.Fatal("the directory's successes are not recorded")
	}
	if metricValue(t, n, "bitcraps_backup_last_success_timestamp_seconds", nil) != 0 {
		t.Fatal("a backup one destination missed counted as done")
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || !strings.HasSuffix(entries[0].Name(), backup.Suffix) {
		t.Fatalf("retention of 1 hourly backup left %v", entries)
	}

	// On demand, to the directory alone, once the schedule is not running
	// one: every destination confirms, so no error.
	var res backup.Result
	until(t, "an on-demand backup to the directory alone", func() (bool, string) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		res, err = nodeBackups{n}.Create(ctx, []string{dir}, nil)
		if errors.Is(err, api.ErrBackupBusy) {
			return false, err.Error()
		}
		if err != nil {
			t.Fatalf("on-demand backup: %v", err)
		}
		return true, ""
	})
	if res.Manifest.PeerID != string(n.PeerID()) || len(res.Destinations) != 1 || res.Destinations[0].Error != "" {
		t.Fatalf("on-demand result %+v", res)
	}
}
