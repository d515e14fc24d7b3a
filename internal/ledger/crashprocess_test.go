package ledger

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The crash helper is this test binary re-run with crashHelperDir set: it
// applies a stream of ops to the ledger in that dir and prints "ack ID"
// once each is acknowledged, until it is killed.
const (
	crashHelperDir  = "BITCRAPS_LEDGER_CRASH_HELPER_DIR"
	crashHelperSeed = "BITCRAPS_LEDGER_CRASH_HELPER_SEED"
	crashHelperRun  = "BITCRAPS_LEDGER_CRASH_HELPER_RUN"
	// helperOps and helperTime bound one helper's stream per writer.
	helperOps  = 3000
	helperTime = 30 * time.Second
)

func TestMain(m *testing.M) {
	if dir := os.Getenv(crashHelperDir); dir != "" {
		seed, _ := strconv.ParseUint(os.Getenv(crashHelperSeed), 10, 64)
		run, _ := strconv.Atoi(os.Getenv(crashHelperRun))
		os.Exit(runCrashHelper(dir, seed, run))
	}
	os.Exit(m.Run())
}

// TestCrashWithSIGKILLLosesNoAcknowledgedOp kills a writing process with
// SIGKILL at seeded random points (after 0 to 300 acknowledgements; 0 means
// at once, often while it opens the store), 24 times, restarting it each
// time, and checks after each kill that every acknowledged op is stored and
// the invariant holds.
func TestCrashWithSIGKILLLosesNoAcknowledgedOp(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("BITCRAPS_TEST_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("seed %d (set BITCRAPS_TEST_SEED to replay)", seed)
	rng := rand.New(rand.NewPCG(seed, 2))
	dir := filepath.Join(t.TempDir(), "ledger")
	acked := map[string]bool{}
	const runs = 24
	for run := range runs {
		killAfter := 0
		if rng.IntN(5) != 0 {
			killAfter = 1 + rng.IntN(300)
		}
		n := runHelperUntilKilled(t, dir, seed, run, killAfter, acked)
		full := run%4 == 3 || run == runs-1
		checkAfterCrash(t, fmt.Sprintf("seed %d run %d (killed after %d acks, saw %d)", seed, run, killAfter, n), dir, acked, full)
	}
	if len(acked) < runs {
		t.Fatalf("seed %d: only %d ops acknowledged in %d runs: the helper is not writing", seed, len(acked), runs)
	}
	t.Logf("seed %d: %d ops acknowledged across %d kills", seed, len(acked), runs)
}

// runHelperUntilKilled starts the helper, SIGKILLs it after killAfter
// acknowledgements, and records every id it printed before dying.
func runHelperUntilKilled(t *testing.T, dir string, seed uint64, run, killAfter int, acked map[string]bool) int {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), crashHelperDir+"="+dir,
		crashHelperSeed+"="+strconv.FormatUint(seed, 10), crashHelperRun+"="+strconv.Itoa(run))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start helper: %v", err)
	}
	// The helper bounds itself in time; this bounds a hung one.
	guard := time.AfterFunc(2*helperTime, func() { _ = cmd.Process.Kill() })
	defer guard.Stop()
	if killAfter == 0 {
		_ = cmd.Process.Signal(syscall.SIGKILL)
	}
	seen := 0
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		line := sc.Text()
		if id, ok := strings.CutPrefix(line, "ack "); ok {
			acked[id] = true
			seen++
			if seen == killAfter {
				_ = cmd.Process.Signal(syscall.SIGKILL)
			}
		} else if strings.HasPrefix(line, "fail ") {
			_ = cmd.Process.Kill()
			t.Fatalf("seed %d run %d: helper: %s", seed, run, line)
		}
	}
	err = cmd.Wait()
	var exit *exec.ExitError
	killed := errors.As(err, &exit) && exit.Sys().(syscall.WaitStatus).Signal() == syscall.SIGKILL
	if err != nil && !killed {
		t.Fatalf("seed %d run %d: helper: %v\n%s", seed, run, err, stderr.String())
	}
	return seen
}

func checkAfterCrash(t *testing.T, name, dir string, acked map[string]bool, full bool) {
	t.Helper()
	l, err := Open(Options{Dir: dir})
	if err != nil {
		t.Fatalf("%s: reopen: %v", name, err)
	}
	defer l.Close()
	var must []OpID
	for id := range acked {
		parsed, err := ParseOpID(id)
		if err != nil {
			t.Fatalf("%s: helper printed a bad id %q", name, id)
		}
		must = append(must, parsed)
	}
	checkRecovered(t, name, l, full, must)
}

// crashHelper is the process that gets killed.
type crashHelper struct {
	l       *Ledger
	seed    uint64
	run     int
	players []player
	mu      sync.Mutex
	stop    time.Time
}

func runCrashHelper(dir string, seed uint64, run int) int {
	l, err := Open(Options{Dir: dir})
	if err != nil {
		fmt.Printf("fail open: %v\n", err)
		return 2
	}
	h := &crashHelper{l: l, seed: seed, run: run, stop: time.Now().Add(helperTime)}
	for i := range 4 {
		h.players = append(h.players, newPlayer(fmt.Sprint("crash ", seed, " player ", i)))
	}
	if err := h.setUp(); err != nil {
		fmt.Printf("fail set-up: %v\n", err)
		return 2
	}
	var wg sync.WaitGroup
	for i := range h.players {
		wg.Go(func() { h.trade(i) })
	}
	wg.Go(h.grantNewcomers)
	wg.Go(h.settle)
	wg.Wait()
	return 0
}

func (h *crashHelper) ack(a Applied) {
	h.mu.Lock()
	defer h.mu.Unlock()
	fmt.Printf("ack %s\n", a.ID) // os.Stdout is unbuffered: printed means written
}

func (h *crashHelper) failf(format string, args ...any) {
	h.mu.Lock()
	defer h.mu.Unlock()
	fmt.Printf("fail "+format+"\n", args...)
	os.Exit(2)
}

func (h *crashHelper) apply(op Op) (Applied, error) {
	a, err := h.l.Apply(context.Background(), op)
	if err == nil {
		h.ack(a)
	}
	return a, err
}

func (h *crashHelper) setUp() error {
	for _, p := range h.players {
		if _, err := h.apply(p.grant(1_000_000 * crap)); err != nil {
			return err
		}
	}
	host := h.players[0]
	if next, err := h.l.NextSeq(host.id); err != nil || next > 1 {
		return err
	}
	_, err := h.apply(host.fundBank("t1", 100_000*crap, 1))
	return err
}

func (h *crashHelper) running(i int) bool { return i < helperOps && time.Now().Before(h.stop) }

// trade buys in and cashes out as one player, continuing its seqs.
func (h *crashHelper) trade(pi int) {
	p := h.players[pi]
	rng := rand.New(rand.NewPCG(h.seed, uint64(h.run*10+pi)))
	seq, err := h.l.NextSeq(p.id)
	if err != nil {
		h.failf("next seq: %v", err)
	}
	for i := 0; h.running(i); i++ {
		op := p.buyIn("t1", 1+rng.Int64N(1_000*crap), seq)
		if i%2 == 1 {
			op = p.cashOut("t1", 1+rng.Int64N(500*crap), seq)
		}
		_, err := h.apply(op)
		switch {
		case err == nil:
			seq++
		case !errors.Is(err, ErrInsufficientFunds):
			h.failf("player %d seq %d: %v", pi, seq, err)
		}
	}
}

func (h *crashHelper) grantNewcomers() {
	for i := 0; h.running(i); i++ {
		p := newPlayer(fmt.Sprint("crash ", h.seed, " run ", h.run, " newcomer ", i))
		if _, err := h.apply(p.grant(crap)); err != nil {
			h.failf("grant: %v", err)
		}
	}
}

// settle settles rounds of t1 with seeded random results.
func (h *crashHelper) settle() {
	rng := rand.New(rand.NewPCG(h.seed, uint64(h.run*10+9)))
	for i := 0; h.running(i); i++ {
		info, _, err := h.l.Table("t1")
		if err != nil {
			h.failf("table: %v", err)
		}
		var out []Outcome
		for _, p := range h.players {
			chips, err := h.l.Balance(ChipsOf("t1", p.id))
			if err != nil {
				h.failf("balance: %v", err)
			}
			if chips > 0 {
				out = append(out, Outcome{Player: p.id, Delta: rng.Int64N(chips/2+100*crap) - chips/2})
			}
		}
		if len(out) == 0 {
			continue
		}
		_, err = h.apply(settleOp("t1", info.LastRound+1, out...))
		if err != nil && !errors.Is(err, ErrInsufficientFunds) {
			h.failf("settle round %d: %v", info.LastRound+1, err)
		}
	}
}
