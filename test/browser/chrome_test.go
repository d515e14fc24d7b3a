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

// browser is the one chromium process the package's tests share: starting
// chromium costs seconds on a loaded machine, a tab a fraction of that.
// Each test gets its own tab in its own browser context (like an incognito
// window: no cookies or storage shared with another test).
var browser struct {
	once   sync.Once
	ctx    context.Context
	cancel func()
	err    error
}

// TestMain stops the shared browser once every test has run.
func TestMain(m *testing.M) {
	code := m.Run()
	if browser.cancel != nil {
		browser.cancel()
	}
	os.Exit(code)
}

// startBrowser starts the shared chromium, headless, with a fresh profile.
func startBrowser(dataDir string) {
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
		chromedp.UserDataDir(dataDir),
		chromedp.WindowSize(1280, 900),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelBrowser := chromedp.NewContext(allocCtx)
	browser.ctx = ctx
	browser.cancel = func() {
		cancelBrowser()
		cancelAlloc()
		os.RemoveAll(dataDir)
	}
	// The first Do starts the browser; it must not carry a test's deadline
	// (a deadline on the first call bounds the whole browser).
	browser.err = chromedp.Do(ctx)
}

// newPage opens a tab sized width×height in the shared chromium, starting
// it first if need be. A missing chromium fails the test: it is part of
// the suite's setup, not an optional extra.
func newPage(t *testing.T, width, height int) *page {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("%s is missing (%v): run .ci/install-chromium.sh (apt-get install chromium) first", chromiumPath, err)
	}
	browser.once.Do(func() {
		dir, err := os.MkdirTemp("", "bitcraps-chromium-")
		if err != nil {
			browser.err = err
			return
		}
		startBrowser(dir)
	})
	if browser.err != nil {
		t.Fatalf("start %s: %v", chromiumPath, browser.err)
	}
	ctx, cancelTab := chromedp.NewContext(browser.ctx, chromedp.WithNewBrowserContext())
	// The budget is enforced by a timer that cancels the tab, not by a
	// deadline on the tab's context (its first call creates the tab).
	if err := chromedp.Do(ctx); err != nil {
		cancelTab()
		t.Fatalf("open a tab in %s: %v", chromiumPath, err)
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
