package test

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bitcraps/bitcraps/test/harness"
)

// BenchmarkNodeStartup measures start-to-ready of a `bitcraps node`
// process, with a fresh identity (proof of work at the server difficulty,
// 16) and with an existing one, and the resident memory of the idle node.
// The reference to beat: 617 ms startup and ~47 MB resident.
func BenchmarkNodeStartup(b *testing.B) {
	for _, tc := range []struct {
		name  string
		fresh bool
	}{{"fresh-identity-pow16", true}, {"existing-identity", false}} {
		b.Run(tc.name, func(b *testing.B) {
			data := b.TempDir()
			if !tc.fresh {
				startReady(b, data).Signal(b, syscall.SIGTERM, 30*time.Second)
			}
			var total time.Duration
			var rss int64
			for i := 0; i < b.N; i++ {
				if tc.fresh {
					data = b.TempDir()
				}
				began := time.Now()
				n := startReady(b, data)
				total += time.Since(began)
				rss = residentBytes(b, n)
				n.Signal(b, syscall.SIGTERM, 30*time.Second)
			}
			b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms/ready")
			b.ReportMetric(float64(rss)/(1<<20), "MiB-rss-idle")
		})
	}
}

func startReady(b *testing.B, data string) *harness.Node {
	n := harness.StartNode(b, harness.NodeSpec{DataDir: data, Args: []string{"--pow-difficulty", "16", "--profile", "server"}})
	n.WaitReady(b, 60*time.Second)
	return n
}

// residentBytes reads VmRSS of the node process from /proc.
func residentBytes(b *testing.B, n *harness.Node) int64 {
	raw, err := os.ReadFile("/proc/" + strconv.Itoa(n.PID()) + "/status")
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, err := strconv.ParseInt(f[1], 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return kb << 10
		}
	}
	b.Fatal("no VmRSS in /proc status")
	return 0
}
