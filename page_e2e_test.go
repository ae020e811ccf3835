package rpchost_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestPageInChromium loads the page of a real server in headless Chromium:
// the shipped plugins plus an uploaded one whose help is a script and an
// image with an onerror handler. It checks that a signature is shown, that
// typing in the search box filters the methods, that the hostile help is
// shown as text and nothing in it ran, and saves a screenshot in the
// test's temporary directory (and at $SAVE_PAGE_SCREENSHOT when set,
// which is how docs/page.png is made).
func TestPageInChromium(t *testing.T) {
	browser := requireTool(t, "chromium")
	// Two of the shipped plugins (each Go plugin takes seconds to compile
	// on a busy machine), and the hostile one uploaded as anyone with the
	// admin token could.
	dir := t.TempDir()
	for _, name := range []string{"add", "numeric"} {
		writeFile(t, filepath.Join(dir, name+".wasm"), readFile(t, "plugins/"+name+".wasm"))
	}
	s := startServer(t, dir, "RPCHOST_ADMIN_TOKEN=tok3n")
	env := []string{"RPCHOST_SERVER=" + s.URL, "RPCHOST_ADMIN_TOKEN=tok3n"}
	if r := runRPCHost(t, t.TempDir(), env, "upload", "--name", "hostile_help", repoPath(t, "host/testdata/hostile_help.wasm")); r.code != 0 {
		t.Fatalf("upload: exit %d\n%s", r.code, r.out)
	}
	r := runRPCHost(t, t.TempDir(), env, "call", "system.methodHelp", "hostile_help.steal")
	if r.code != 0 || !strings.Contains(r.out, "<script>") {
		t.Fatalf("system.methodHelp hostile_help.steal: exit %d\n%s", r.code, r.out)
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browser),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1000, 1400),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true), // the tests run as root in CI
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
	)
	// The timeout bounds the whole browser, which lives as long as ctx.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	ctx, cancelBrowser := chromedp.NewContext(ctx, chromedp.WithErrorf(t.Logf))
	defer cancelBrowser()
	// Each step after the first gets its own timeout, so that a missing
	// element fails the test at once rather than at the browser's end.
	step := func() (context.Context, context.CancelFunc) { return context.WithTimeout(ctx, 30*time.Second) }
	run := func(what string, a chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, cancel := step()
		defer cancel()
		if _, err := chromedp.Run(sctx, a); err != nil {
			t.Fatalf("chromium: %s: %v\n%s", what, err, s.Logs())
		}
	}
	text := func(what string, a chromedp.Action[string]) string {
		t.Helper()
		sctx, cancel := step()
		defer cancel()
		v, err := chromedp.Run(sctx, a)
		if err != nil {
			t.Fatalf("chromium: %s: %v\n%s", what, err, s.Logs())
		}
		return v
	}
	visible := func() []string {
		t.Helper()
		sctx, cancel := step()
		defer cancel()
		names, err := chromedp.Run(sctx, chromedp.Evaluate[[]string](
			`Array.from(document.querySelectorAll("article.method")).filter(m => !m.hidden).map(m => m.querySelector(".name").textContent)`))
		if err != nil {
			t.Fatalf("chromium: the methods shown: %v", err)
		}
		return names
	}

	// The first run starts the browser, which lives as long as its context.
	if _, err := chromedp.Run(ctx, chromedp.Navigate(s.URL)); err != nil {
		t.Fatalf("chromium: load the page: %v", err)
	}
	run("the search box", chromedp.WaitVisible(chromedp.ID("search")))
	signatures := text("numeric.triple's signatures", chromedp.Text(chromedp.CSS(`#m-numeric\.triple .signatures`)))
	shownHelp := text("hostile_help.steal's help", chromedp.TextContent(chromedp.CSS(`#m-hostile_help\.steal .help`)))
	shownBefore := visible()
	// The screenshot (README's docs/page.png) shows the page as it opens,
	// with add.add's example calls unfolded.
	run("unfold add.add's examples", chromedp.Click(chromedp.CSS(`#m-add\.add summary`)))
	run("scroll back to the top", chromedp.Func(func(ctx context.Context, tgt *chromedp.Target) error {
		_, err := chromedp.Evaluate[bool](`window.scrollTo(0, 0), true`)(ctx, tgt)
		return err
	}))
	png := func() []byte {
		sctx, cancel := step()
		defer cancel()
		png, err := chromedp.Run(sctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatalf("chromium: screenshot: %v", err)
		}
		return png
	}()
	shot := filepath.Join(t.TempDir(), "page.png")
	writeFile(t, shot, png)
	t.Logf("screenshot: %s (%d KiB)", shot, len(png)>>10)
	if out := os.Getenv("SAVE_PAGE_SCREENSHOT"); out != "" {
		writeFile(t, out, png)
	}
	// The examples are real: each one, copied from the page, runs.
	examples := func(method string) []string {
		t.Helper()
		sctx, cancel := step()
		defer cancel()
		sel := strings.ReplaceAll(method, ".", `\\.`)
		code, err := chromedp.Run(sctx, chromedp.Evaluate[[]string](
			`Array.from(document.querySelectorAll("#m-`+sel+` .example pre")).map(p => p.textContent)`))
		if err != nil || len(code) != 3 {
			t.Fatalf("chromium: the examples of %s: %v %q", method, err, code)
		}
		return code
	}
	for method, want := range map[string]string{"add.add": "3", "numeric.triple": "3"} {
		code := examples(method)
		checkExample(t, "python3", want, requireTool(t, "python3"), "-c", code[0])
		checkExample(t, "curl", "<int>"+want+"</int>", "sh", "-c", code[1])
		cli := strings.Fields(code[2])
		if cli[0] != "rpchost" {
			t.Fatalf("the CLI example %q does not start with rpchost", code[2])
		}
		checkExample(t, "rpchost", want, rpchostBinary(t), cli[1:]...)
	}

	run("type in the search box", chromedp.SendKeys(chromedp.ID("search"), "triple"))
	var shownAfter []string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if shownAfter = visible(); len(shownAfter) <= 1 {
			break // the filter runs on each input event
		}
	}
	count := text("the count", chromedp.Text(chromedp.ID("count")))
	title := text("the title", chromedp.Title())
	pwned := text("window.pwned", chromedp.Evaluate[string](`String(window.pwned)`))
	injected := text("#injected", chromedp.Evaluate[string](`String(document.getElementById("injected"))`))

	var help string
	if err := json.Unmarshal([]byte(r.out), &help); err != nil { // the CLI prints a string as JSON
		t.Fatalf("system.methodHelp printed %q: %v", r.out, err)
	}
	t.Logf("signatures of numeric.triple: %q; %d methods shown, %d after typing \"triple\" (%s)", signatures, len(shownBefore), len(shownAfter), count)

	if !strings.Contains(signatures, "i8 numeric.triple(i8)") {
		t.Errorf("numeric.triple's signatures show %q, want i8 numeric.triple(i8)", signatures)
	}
	if len(shownBefore) < 10 || !contains(shownBefore, "add.add") || !contains(shownBefore, "hostile_help.steal") {
		t.Errorf("before the search, the page shows %v", shownBefore)
	}
	if len(shownAfter) != 1 || shownAfter[0] != "numeric.triple" || !strings.HasPrefix(count, "1 of ") {
		t.Errorf("after typing \"triple\", the page shows %v (%q), want numeric.triple alone", shownAfter, count)
	}
	if strings.Contains(title, "pwned") || pwned != "undefined" || injected != "null" {
		t.Errorf("the hostile help ran: title %q, window.pwned %s, #injected %s", title, pwned, injected)
	}
	if shownHelp != help {
		t.Errorf("the hostile help is shown as %q, want the text system.methodHelp returns, %q", shownHelp, help)
	}

}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// checkExample runs an example call copied from the page and checks that
// its output holds want.
func checkExample(t *testing.T, what, want, name string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	if err != nil || !strings.Contains(string(out), want) {
		t.Errorf("the page's %s example %q: %v, printed %q; want %s in it", what, args[len(args)-1], err, out, want)
	}
}
