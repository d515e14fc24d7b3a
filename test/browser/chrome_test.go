package browser

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// chromiumPath is Debian's chromium; the suite never downloads a browser.
const chromiumPath = "/usr/bin/chromium"

// artifactsDir holds screenshots (gitignored as /test/artifacts/).
const artifactsDir = "../artifacts"

// browserBudget bounds one test's whole browser session: a stuck page fails
// the test instead of hanging the suite.
const browserBudget = 3 * time.Minute

// page is one headless chromium tab with its console captured.
type page struct {
	t       *testing.T
	ctx     context.Context
	mu      sync.Mutex
	console []string
}

// newPage starts chromium with a fresh profile and opens one tab sized
// width×height. A missing chromium fails the test: it is part of the
// suite's setup, not an optional extra.
func newPage(t *testing.T, width, height int) *page {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("%s is missing (%v): run .ci/install-chromium.sh (apt-get install chromium) first", chromiumPath, err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true), // containers often have a tiny /dev/shm
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(width, height),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	// The first Do starts the browser; it must not carry the test's
	// deadline (a deadline on the first call bounds the whole browser), so
	// the budget is enforced by a timer that cancels the tab instead.
	if err := chromedp.Do(ctx); err != nil {
		cancelTab()
		cancelAlloc()
		t.Fatalf("start %s: %v", chromiumPath, err)
	}
	p := &page{t: t, ctx: ctx}
	consoleDone := make(chan struct{})
	go func() {
		defer close(consoleDone)
		for m, err := range chromedp.Console(ctx) {
			if err != nil {
				return
			}
			p.mu.Lock()
			p.console = append(p.console, m.String())
			p.mu.Unlock()
		}
	}()
	budget := time.AfterFunc(browserBudget, cancelTab)
	t.Cleanup(func() {
		budget.Stop()
		if t.Failed() {
			p.mu.Lock()
			t.Logf("browser console:\n%s", strings.Join(p.console, "\n"))
			p.mu.Unlock()
		}
		cancelTab()
		cancelAlloc()
		<-consoleDone
	})
	// Reduced motion: the dice land without their tumble, so a screenshot
	// never catches them mid-air (the page honours the preference).
	reducedMotion := chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-reduced-motion", Value: "reduce"}}})
		return err
	})
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(width), int64(height)), reducedMotion); err != nil {
		t.Fatalf("viewport %dx%d with reduced motion: %v", width, height, err)
	}
	return p
}

// do runs steps; a failure names the step and shows what the page said.
func (p *page) do(step string, steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, steps...); err != nil {
		p.fail(step, err)
	}
}

// eval evaluates a JavaScript expression (awaiting a promise) into T.
func eval[T any](p *page, step, expr string) T {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		p.fail(step, err)
	}
	return v
}

// waitFor polls a JavaScript predicate until it is truthy or timeout passes.
func (p *page) waitFor(step, predicate string, timeout time.Duration) {
	p.t.Helper()
	_, err := chromedp.Run(p.ctx, chromedp.Poll[chromedp.Void](predicate,
		chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(timeout)))
	if err != nil {
		p.fail(step, err)
	}
}

// fail stops the test with the page's error banner (the API's message, if
// any) and a screenshot of the moment.
func (p *page) fail(step string, err error) {
	p.t.Helper()
	banner := ""
	if p.ctx.Err() == nil {
		ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
		defer cancel()
		banner, _ = chromedp.Run(ctx, chromedp.Evaluate[string](
			`(() => { const e = document.getElementById("error"); return e && !e.hidden ? e.textContent.trim() : ""; })()`))
		if png, shotErr := chromedp.Run(ctx, chromedp.FullScreenshot(100)); shotErr == nil {
			name := "failure-" + strings.ReplaceAll(p.t.Name(), "/", "-") + ".png"
			if path, saveErr := saveArtifact(name, png); saveErr == nil {
				p.t.Logf("screenshot of the failure: %s", path)
			}
		}
	}
	if errors.Is(err, context.Canceled) {
		err = fmt.Errorf("%w (the browser budget of %s ran out, or the browser died)", err, browserBudget)
	}
	if banner != "" {
		p.t.Fatalf("%s: %v; the page shows the error %q", step, err, banner)
	}
	p.t.Fatalf("%s: %v", step, err)
}

// screenshot saves the full page as test/artifacts/<name>.
func (p *page) screenshot(name string) string {
	p.t.Helper()
	png, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		p.fail("screenshot "+name, err)
	}
	path, err := saveArtifact(name, png)
	if err != nil {
		p.t.Fatal(err)
	}
	p.t.Logf("screenshot: %s", path)
	return path
}

func saveArtifact(name string, data []byte) (string, error) {
	if err := os.MkdirAll(artifactsDir, 0o755); err != nil {
		return "", fmt.Errorf("artifacts dir: %w", err)
	}
	path := filepath.Join(artifactsDir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return "", fmt.Errorf("save %s: %w", name, err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return path, nil
	}
	return abs, nil
}

// sel is a CSS selector for a data-testid.
func sel(testid string) chromedp.CSS {
	return chromedp.CSS(fmt.Sprintf(`[data-testid=%q]`, testid))
}
