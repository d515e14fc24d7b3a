package harness

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// NodeSpec describes one node process. Zero ports are picked free.
type NodeSpec struct {
	DataDir    string
	HTTPPort   int
	Port       int
	GossipPort int
	Join       []string
	// Env is added to the process environment (KEY=VALUE).
	Env []string
	// Args are extra flags.
	Args []string
}

// Node is a running `bitcraps node` process.
type Node struct {
	Spec NodeSpec
	URL  string // http://127.0.0.1:port

	cmd  *exec.Cmd
	out  *syncBuffer
	done chan struct{}
	err  error
}

// StartNode starts a node process with the testing profile on loopback.
// Its output is printed if the test fails; it is killed at cleanup if still
// running.
func StartNode(t testing.TB, spec NodeSpec) *Node {
	t.Helper()
	bin, args := nodeCommand(t, &spec)
	n := &Node{Spec: spec, URL: "http://127.0.0.1:" + strconv.Itoa(spec.HTTPPort),
		out: &syncBuffer{}, done: make(chan struct{})}
	n.cmd = exec.Command(bin, args...)
	n.cmd.Env = append(os.Environ(), spec.Env...)
	n.cmd.Stdout, n.cmd.Stderr = n.out, n.out
	if err := n.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	go func() {
		n.err = n.cmd.Wait()
		close(n.done)
	}()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("output of node %s:\n%s", n.URL, n.out.String())
		}
		n.Kill()
	})
	return n
}

// FailNode runs a node process that is expected not to start, and returns
// its output and exit code once it has ended (within a minute).
func FailNode(t testing.TB, spec NodeSpec) (string, int) {
	t.Helper()
	_, args := nodeCommand(t, &spec)
	return RunCLIEnv(t, spec.Env, args...)
}

// nodeCommand fills spec's zero ports and data dir and returns the binary
// and the arguments of `bitcraps node` for it.
func nodeCommand(t testing.TB, spec *NodeSpec) (string, []string) {
	t.Helper()
	bin, err := Binary()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []*int{&spec.HTTPPort, &spec.Port, &spec.GossipPort} {
		if *p == 0 {
			if *p, err = FreePort(); err != nil {
				t.Fatal(err)
			}
		}
	}
	if spec.DataDir == "" {
		spec.DataDir = t.TempDir()
	}
	args := append([]string{"node",
		"--data", spec.DataDir,
		"--http", "127.0.0.1:" + strconv.Itoa(spec.HTTPPort),
		"--port", strconv.Itoa(spec.Port),
		"--gossip-port", strconv.Itoa(spec.GossipPort),
		"--bind", "127.0.0.1",
		"--profile", "testing",
	}, spec.Args...)
	for _, j := range spec.Join {
		args = append(args, "--join", j)
	}
	return bin, args
}

// WaitReady polls /health/ready until it answers 200, the process exits,
// or the timeout passes.
func (n *Node) WaitReady(t testing.TB, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		resp, err := http.Get(n.URL + "/health/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-n.done:
			t.Fatalf("node %s exited before ready: %v\n%s", n.URL, n.err, n.out.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("node %s not ready after %s (last error %v)", n.URL, timeout, err)
		}
	}
}

// Signal sends sig and waits for the exit; it returns the exit code.
func (n *Node) Signal(t testing.TB, sig syscall.Signal, timeout time.Duration) int {
	t.Helper()
	if err := n.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("signal %v: %v", sig, err)
	}
	select {
	case <-n.done:
	case <-time.After(timeout):
		t.Fatalf("node %s still running %s after %v", n.URL, timeout, sig)
	}
	var exit *exec.ExitError
	if errors.As(n.err, &exit) {
		return exit.ExitCode()
	}
	if n.err != nil {
		t.Fatalf("wait: %v", n.err)
	}
	return 0
}

// Send delivers sig without waiting for anything: SIGSTOP and SIGCONT
// pause and resume the process as a sleeping laptop would.
func (n *Node) Send(t testing.TB, sig syscall.Signal) {
	t.Helper()
	if err := n.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("signal %v to node %s: %v", sig, n.URL, err)
	}
}

// Restart starts the node again on the same data dir, ports and flags once
// its process has ended (Kill it first for a crash); the new process is
// a new Node. Its output starts afresh; the old one stays readable.
func (n *Node) Restart(t testing.TB) *Node {
	t.Helper()
	select {
	case <-n.done:
	default:
		t.Fatalf("restart node %s: its process is still running", n.URL)
	}
	return StartNode(t, n.Spec)
}

// Exited is closed when the process has ended.
func (n *Node) Exited() <-chan struct{} { return n.done }

// Kill sends SIGKILL if the process is still running and waits for it.
func (n *Node) Kill() {
	select {
	case <-n.done:
		return
	default:
	}
	_ = n.cmd.Process.Kill()
	<-n.done
}

// Output is everything the process printed so far.
func (n *Node) Output() string { return n.out.String() }

// GetJSON fetches path and decodes the JSON answer into v; it returns the
// status code.
func (n *Node) GetJSON(t testing.TB, path string, v any) int {
	t.Helper()
	return n.DoJSON(t, http.MethodGet, path, nil, v)
}

// DoJSON sends body (JSON-encoded unless nil) and decodes the answer into
// v (when not nil); it returns the status code. Any failure to get an
// answer fails the test.
func (n *Node) DoJSON(t testing.TB, method, path string, body, v any) int {
	t.Helper()
	status, err := n.TryJSON(30*time.Second, method, path, body, v)
	if err != nil {
		t.Fatal(err)
	}
	return status
}

// TryJSON is DoJSON for a node that may be stopped, killed or restarting
// (fault tests, load clients on other goroutines): it waits at most
// timeout and returns what went wrong instead of failing the test.
func (n *Node) TryJSON(timeout time.Duration, method, path string, body, v any) (int, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, fmt.Errorf("%s %s: encode: %w", method, path, err)
		}
		rd = bytes.NewReader(b)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, n.URL+path, rd)
	if err != nil {
		return 0, fmt.Errorf("%s %s: %w", method, path, err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, fmt.Errorf("%s %s: read: %w", method, path, err)
	}
	if v != nil {
		if err := json.Unmarshal(raw, v); err != nil {
			return resp.StatusCode, fmt.Errorf("%s %s: status %d, decode %q: %w", method, path, resp.StatusCode, raw, err)
		}
	}
	return resp.StatusCode, nil
}

// GetText fetches path and returns the body.
func (n *Node) GetText(t testing.TB, path string) string {
	t.Helper()
	resp, err := http.Get(n.URL + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d: %s", path, resp.StatusCode, b)
	}
	return string(b)
}

// CLI runs the bitcraps binary with args against this node and returns its
// combined output and exit code.
func (n *Node) CLI(t testing.TB, args ...string) (string, int) {
	t.Helper()
	return RunCLI(t, append([]string{"--node", n.URL}, args...)...)
}

// RunCLI runs the bitcraps binary with args.
func RunCLI(t testing.TB, args ...string) (string, int) {
	t.Helper()
	return RunCLIEnv(t, nil, args...)
}

// RunCLIEnv runs the bitcraps binary with args and extra environment.
func RunCLIEnv(t testing.TB, env []string, args ...string) (string, int) {
	t.Helper()
	bin, err := Binary()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return string(out), exit.ExitCode()
	}
	if err != nil {
		t.Fatalf("run bitcraps %v: %v", args, err)
	}
	return string(out), 0
}

// syncBuffer is a bytes.Buffer safe for the process's two output pipes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// PID is the process id.
func (n *Node) PID() int { return n.cmd.Process.Pid }
