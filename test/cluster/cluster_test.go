package cluster

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// nodeLine is one line `make cluster` prints per node.
var nodeLine = regexp.MustCompile(`(?m)^  node(\d) (http://127\.0\.0\.1:\d+)  pid (\d+)  log (\S+)$`)

// `make cluster` starts five node processes that are ready and see each
// other alive, prints their URLs, pids and logs; `make cluster-stop` leaves
// none of them running.
func TestMakeClusterStartsJoinsAndStops(t *testing.T) {
	dir := t.TempDir()
	seed := time.Now().UnixNano()
	rng := rand.New(rand.NewPCG(uint64(seed), 13))
	var out string
	for try := 0; ; try++ {
		// 15 ports from BASE: HTTP BASE+i, mesh BASE+100+i, gossip BASE+200+i.
		base := 30000 + rng.IntN(300)*100
		var err error
		out, err = makeTarget(t, "cluster", dir, base)
		if err == nil {
			break
		}
		if !strings.Contains(out, "is taken") || try == 2 {
			t.Fatalf("seed %d: make cluster (base %d): %v\n%s", seed, base, err, out)
		}
	}
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			_, _ = makeTarget(t, "cluster-stop", dir, 0)
		}
	})
	matches := nodeLine.FindAllStringSubmatch(out, -1)
	if len(matches) != 5 {
		t.Fatalf("make cluster printed %d node lines, want 5:\n%s", len(matches), out)
	}
	var pids []int
	for _, m := range matches {
		if alive := alivePeers(t, m[2]); alive != 4 {
			t.Errorf("node%s at %s sees %d live peers, want 4", m[1], m[2], alive)
		}
		if _, err := os.Stat(m[4]); err != nil || !strings.HasPrefix(m[4], dir) {
			t.Errorf("node%s log %s: %v (want it under %s)", m[1], m[4], err, dir)
		}
		pid, _ := strconv.Atoi(m[3])
		pids = append(pids, pid)
	}
	stopped = true
	if out, err := makeTarget(t, "cluster-stop", dir, 0); err != nil || !strings.Contains(out, "5 nodes stopped") {
		t.Fatalf("make cluster-stop: %v\n%s", err, out)
	}
	for _, pid := range pids {
		// The stopped nodes are reparented and reaped by init; a zombie
		// would still answer signal 0, so read its state too.
		if err := syscall.Kill(pid, 0); err == nil && !zombie(pid) {
			t.Errorf("process %d still runs after make cluster-stop", pid)
		} else if err != nil && !errors.Is(err, syscall.ESRCH) {
			t.Errorf("process %d: %v", pid, err)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "node*", "pid")); len(left) != 0 {
		t.Errorf("pid files left: %v", left)
	}
}

func makeTarget(t *testing.T, target, dir string, base int) (string, error) {
	t.Helper()
	args := []string{"-C", "../..", target, "CLUSTER_DIR=" + dir}
	cmd := exec.Command("make", args...)
	cmd.Env = append(os.Environ(), fmt.Sprintf("CLUSTER_BASE_PORT=%d", base), "CLUSTER_READY_SECONDS=60")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func alivePeers(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url + "/api/v1/peers")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var peers []struct {
		State string `json:"state"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&peers); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range peers {
		if p.State == "alive" {
			n++
		}
	}
	return n
}

// zombie: the process has exited and waits to be reaped.
func zombie(pid int) bool {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true // gone between the two looks
	}
	fields := strings.Fields(string(raw[strings.LastIndexByte(string(raw), ')')+1:]))
	return len(fields) > 0 && fields[0] == "Z"
}
