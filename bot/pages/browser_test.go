package pages

import (
	"bytes"
	"context"
	"flag"
	"image"
	"image/color"
	"image/png"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/releasegate/releasegate/internal/testenv"
)

var screenshots = flag.String("screenshots", "", "write the browser test's screenshots into this folder, to look at them")

// installChromium says how to get the browser the page tests drive.
const installChromium = "run `bash .ci/install-peers` as root (it runs `apt-get install chromium`), or install Debian's `chromium` package yourself"

// chromium returns the path of Debian's chromium, or skips (fails under
// RELEASEGATE_REQUIRE_PEERS=1) without it.
func chromium(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("chromium")
	if err != nil {
		testenv.Missing(t, "chromium", installChromium)
	}
	return p
}

// browser starts one headless chromium for the test, with a profile of its own; the browser is
// killed when the test ends (and by the kernel if the test process dies first).
func browser(t *testing.T, exe string) context.Context {
	t.Helper()
	profile := t.TempDir() // removed after the browser is gone: cleanups run last-registered first
	// Bounded: the whole browser session, start included, or the test fails instead of hanging.
	ctx, cancelTime := context.WithTimeout(t.Context(), 45*time.Second)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.UserDataDir(profile),
		chromedp.NoSandbox, // CI runs as root, where chromium's sandbox refuses to start
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.WindowSize(1280, 900),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	bctx, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc() // waits for the browser process to exit
		cancelTime()
	})
	// Start it now, so that a browser that cannot start fails here with its own words.
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("starting chromium (%s): %v", exe, err)
	}
	return bctx
}

// person is a tab in a browser context of its own (its own cookies and HTTP credentials, like
// a private window). When a page asks for credentials, the person types the password, or,
// without one, cancels the browser's prompt; challenges keeps the prompts.
type person struct {
	ctx      context.Context
	password string

	mu         sync.Mutex
	challenges []fetch.AuthChallenge
	failures   []error
}

// newPerson opens the tab, with a watch for what a page must never do installed before any
// page script could run.
func newPerson(t *testing.T, browserCtx context.Context, password string) *person {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browserCtx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	p := &person{ctx: ctx, password: password}
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: watchScript}); err != nil {
		t.Fatalf("opening a tab: %v", err)
	}
	// The browser asks the person (here: the test) for credentials only while Fetch is on,
	// and Fetch pauses every request until it is let go.
	paused := chromedp.Events(ctx, fetch.RequestPaused)
	asked := chromedp.Events(ctx, fetch.AuthRequired)
	if _, err := chromedp.Call(ctx, fetch.Enable, fetch.EnableParams{HandleAuthRequests: new(true)}); err != nil {
		t.Fatalf("watching for credential prompts: %v", err)
	}
	go func() {
		for ev, err := range paused {
			if err != nil {
				return // the tab is closed
			}
			_, err := chromedp.Call(ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: ev.RequestID})
			p.failed(err)
		}
	}()
	go func() {
		for ev, err := range asked {
			if err != nil {
				return
			}
			answer := &fetch.AuthChallengeResponse{Response: fetch.AuthChallengeResponseResponseCancelAuth}
			if p.password != "" {
				answer = &fetch.AuthChallengeResponse{Response: fetch.AuthChallengeResponseResponseProvideCredentials, Username: "someone", Password: p.password}
			}
			p.mu.Lock()
			p.challenges = append(p.challenges, *ev.AuthChallenge)
			p.mu.Unlock()
			_, err := chromedp.Call(ctx, fetch.ContinueWithAuth, fetch.ContinueWithAuthParams{RequestID: ev.RequestID, AuthChallengeResponse: answer})
			p.failed(err)
		}
	}()
	return p
}

func (p *person) failed(err error) {
	if err != nil && p.ctx.Err() == nil {
		p.mu.Lock()
		p.failures = append(p.failures, err)
		p.mu.Unlock()
	}
}

// prompts returns the credential prompts so far, after checking that every request was let go.
func (p *person) prompts(t *testing.T) []fetch.AuthChallenge {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, err := range p.failures {
		t.Errorf("answering the browser: %v", err)
	}
	return slices.Clone(p.challenges)
}

// watchScript runs before the page's own scripts (DevTools scripts are not subject to the
// page's Content-Security-Policy): it records dialogs a script would open and the policy's
// refusals, so the test sees a script that ran as well as one the policy stopped.
const watchScript = `
window.__seen = {dialogs: [], violations: []};
for (const name of ['alert', 'confirm', 'prompt']) {
  window[name] = (m) => { window.__seen.dialogs.push(name + ':' + String(m)); };
}
document.addEventListener('securitypolicyviolation', (e) => {
  window.__seen.violations.push(e.violatedDirective + ' ' + e.blockedURI);
});
`

// seen is what a person sees on a page, read from the rendered page (innerText, computed
// styles, layout boxes), not from the HTML the server sent.
type seen struct {
	URL        string
	Title      string
	H1         string
	Text       string
	Scripts    int
	Dialogs    []string
	Violations []string
	// Tables by the heading above them (the page's h1 when there is no h2): rows of cells by
	// column header.
	Tables map[string][]map[string]string
	// Links by their text.
	Links map[string]string
	// Verdict is the list filter's chosen verdict.
	Verdict string
	Badges  []struct {
		Text, Background, Color string
	}
	Chart *struct {
		Width, Height float64
		Lines         []struct {
			Points        int
			Length        float64
			Width, Height float64
			Stroke        string
		}
	}
	// Overflow is how far the page is wider than the window: a person would scroll sideways.
	Overflow float64
}

const seeScript = `(() => {
  const text = (el) => el ? el.innerText.replace(/\s+/g, ' ').trim() : '';
  const headingOf = (el) => {
    let h = null;
    for (const x of document.querySelectorAll('h1, h2')) {
      if (x.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING) h = x;
    }
    return text(h);
  };
  const tables = {};
  for (const t of document.querySelectorAll('table')) {
    const head = [...t.tHead.rows[0].cells].map(text);
    tables[headingOf(t)] = [...t.tBodies[0].rows].map((r) =>
      Object.fromEntries([...r.cells].map((c, i) => [head[i], text(c)])));
  }
  const svg = document.querySelector('svg');
  const box = (el) => el.getBoundingClientRect();
  return {
    url: location.href,
    title: document.title,
    h1: text(document.querySelector('h1')),
    text: document.body.innerText,
    scripts: document.scripts.length,
    dialogs: window.__seen.dialogs,
    violations: window.__seen.violations,
    tables,
    links: Object.fromEntries([...document.querySelectorAll('a[href]')].map((a) => [text(a), a.href])),
    verdict: document.querySelector('select[name=verdict]')?.value ?? '',
    badges: [...document.querySelectorAll('.badge')].map((b) => ({
      text: text(b), background: getComputedStyle(b).backgroundColor, color: getComputedStyle(b).color })),
    chart: svg && {
      width: box(svg).width, height: box(svg).height,
      lines: [...svg.querySelectorAll('polyline')].map((p) => ({
        points: p.points.numberOfItems, length: p.getTotalLength(),
        width: box(p).width, height: box(p).height, stroke: getComputedStyle(p).stroke })),
    },
    overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
  };
})()`

// open loads target in the person's tab and returns the response's status and what the page
// shows.
func (p *person) open(t *testing.T, target string) (int64, seen) {
	t.Helper()
	res, err := chromedp.Run(p.ctx, chromedp.NavigateResponse(target))
	if err != nil {
		t.Fatalf("loading %s: %v", target, err)
	}
	return res.Status, p.look(t)
}

// follow clicks the first element sel finds and waits for the page it leads to.
func (p *person) follow(t *testing.T, sel string) (int64, seen) {
	t.Helper()
	res, err := chromedp.RunResponse(p.ctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("clicking %s: %v", sel, err)
	}
	return res.Status, p.look(t)
}

func (p *person) look(t *testing.T) seen {
	t.Helper()
	s, err := chromedp.Run(p.ctx, chromedp.Evaluate[seen](seeScript))
	if err != nil {
		t.Fatalf("reading the page: %v", err)
	}
	return s
}

// shot takes a PNG screenshot of the element sel finds (the whole page for "") and, with
// -screenshots, keeps it for a person to look at.
func (p *person) shot(t *testing.T, sel, name string) image.Image {
	t.Helper()
	act := chromedp.FullScreenshot(100) // 100: PNG
	if sel != "" {
		act = chromedp.Screenshot(chromedp.CSS(sel))
	}
	buf, err := chromedp.Run(p.ctx, act)
	if err != nil {
		t.Fatalf("screenshot of %q: %v", sel, err)
	}
	if *screenshots != "" {
		if err := os.MkdirAll(*screenshots, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(*screenshots, name), buf, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	img, err := png.Decode(bytes.NewReader(buf))
	if err != nil {
		t.Fatalf("screenshot of %q: %v", sel, err)
	}
	return img
}

// near counts the pixels close to c (anti-aliased edges blend with the background).
func near(img image.Image, c color.RGBA) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if absDiff(r>>8, uint32(c.R)) < 24 && absDiff(g>>8, uint32(c.G)) < 24 && absDiff(bl>>8, uint32(c.B)) < 24 {
				n++
			}
		}
	}
	return n
}

func absDiff(a, b uint32) uint32 {
	if a > b {
		return a - b
	}
	return b - a
}

// TestBrowser opens the decision pages in Debian's chromium, as a person would from a review
// comment (a signed link) or with the service's shared secret, and checks what the browser
// shows: the words, the tables, the chart as drawn, a Sentry title holding a script shown as
// text, and the page for a link that has expired.
func TestBrowser(t *testing.T) {
	t.Parallel()
	exe := chromium(t)
	h := handler(&fakeSource{recs: []Record{failing()}})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	b := browser(t, exe)
	signed := srv.URL + "/decisions/d7?" + h.Signer.Sign("d7").Encode()

	t.Run("signed link", func(t *testing.T) {
		t.Parallel()
		p := newPerson(t, b, "")
		status, s := p.open(t, signed)
		if status != http.StatusOK {
			t.Fatalf("status %d:\n%s", status, s.Text)
		}
		if len(p.prompts(t)) != 0 {
			t.Error("a signed link asked for the shared secret")
		}
		checkDecisionPage(t, s)
		img := p.shot(t, "svg", "chart.png")
		// Each line is 2px wide across about 590px, so well over 300 of its pixels are of its
		// colour (about 700 here; anti-aliasing blends the rest), where a line not drawn has none.
		for name, c := range map[string]color.RGBA{"WEB-12": {0xd1, 0x24, 0x2f, 0xff}, "baseline": {0x9a, 0x67, 0x00, 0xff}} {
			if n := near(img, c); n < 300 {
				t.Errorf("the chart's %s line has %d pixels of its colour; a drawn line has over 300", name, n)
			}
		}
		p.shot(t, "", "decision.png")
	})

	t.Run("on a phone", func(t *testing.T) {
		t.Parallel()
		p := newPerson(t, b, "")
		if err := chromedp.Do(p.ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulatePortrait)); err != nil {
			t.Fatal(err)
		}
		_, s := p.open(t, signed)
		if s.Overflow > 0 {
			t.Errorf("on a 390px screen the page is %.0fpx wider than the screen: the whole page scrolls sideways", s.Overflow)
		}
		if s.Chart == nil || s.Chart.Width > 390 {
			t.Errorf("the chart does not fit a 390px screen: %+v", s.Chart)
		}
		p.shot(t, "", "decision-phone.png")
	})

	t.Run("list with the shared secret", func(t *testing.T) {
		t.Parallel()
		p := newPerson(t, b, "shared")
		status, s := p.open(t, srv.URL+"/decisions")
		if status != http.StatusOK {
			t.Fatalf("status %d:\n%s", status, s.Text)
		}
		prompts := p.prompts(t)
		if len(prompts) != 1 || !strings.EqualFold(prompts[0].Scheme, "basic") || prompts[0].Realm != "releasegate decisions" {
			t.Errorf("prompts = %+v, want one for Basic credentials in the realm %q", prompts, "releasegate decisions")
		}
		rows := s.Tables["Decisions"]
		want := map[string]string{"Verdict": "fail", "Repository": "acme/web", "Environment": "production", "Release": "web@2f6c1a9",
			"Decided": "2026-11-24 12:00 UTC", "Why": "1 new issue is high-frequency: WEB-12 (<script>alert(1)</script>): at least 133 events/h"}
		if len(rows) != 1 || !maps.Equal(rows[0], want) {
			t.Errorf("the list shows %v, want one row %v", rows, want)
		}
		checkHarmless(t, s)
		p.shot(t, "", "list.png")

		// The release links to its page; the browser keeps the secret, so no second prompt.
		status, s = p.follow(t, "tbody a")
		if status != http.StatusOK || s.H1 != "fail web@2f6c1a9 → production" {
			t.Errorf("following the release: %d %q", status, s.H1)
		}
		if n := len(p.prompts(t)); n != 1 {
			t.Errorf("%d prompts for the secret after following a link, want the first only", n)
		}

		// The filter is a plain form: choosing a verdict reloads the list with it kept.
		if _, err := chromedp.Run(p.ctx, chromedp.NavigateResponse(srv.URL+"/decisions")); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(p.ctx, chromedp.SetValue(chromedp.CSS("select[name=verdict]"), "fail")); err != nil {
			t.Fatal(err)
		}
		status, s = p.follow(t, "form button")
		if status != http.StatusOK || s.Verdict != "fail" || !strings.Contains(s.URL, "verdict=fail") {
			t.Errorf("filtering by verdict: %d, the form shows %q, at %s", status, s.Verdict, s.URL)
		}
	})

	t.Run("expired link", func(t *testing.T) {
		t.Parallel()
		p := newPerson(t, b, "") // has no secret: cancels the browser's prompt
		expired := Signer{Key: h.Signer.Key, Now: func() time.Time { return now.Add(-DefaultLinkTTL - time.Minute) }}
		status, s := p.open(t, srv.URL+"/decisions/d7?"+expired.Sign("d7").Encode())
		if status != http.StatusUnauthorized || s.H1 != "Not allowed" || !strings.Contains(s.Text, "not valid") || !strings.Contains(s.Text, "open the newest link") {
			t.Errorf("an expired link shows %d %q:\n%s", status, s.H1, s.Text)
		}
		if strings.Contains(s.Text, "WEB-12") || len(s.Tables) != 0 || s.Chart != nil {
			t.Errorf("an expired link shows the report:\n%s", s.Text)
		}
		checkHarmless(t, s)
		p.shot(t, "", "expired.png")
	})
}

// checkDecisionPage checks what the page of failing() shows.
func checkDecisionPage(t *testing.T, s seen) {
	t.Helper()
	if s.Title != "web@2f6c1a9 → production · releasegate" || s.H1 != "fail web@2f6c1a9 → production" {
		t.Errorf("title %q, heading %q", s.Title, s.H1)
	}
	for _, want := range []string{
		"Why: 1 new issue is high-frequency: WEB-12 (<script>alert(1)</script>): at least 133 events/h",
		"Evidence from staging",
		"Events per 10m since the start",
	} {
		if !strings.Contains(s.Text, want) {
			t.Errorf("the page does not show %q:\n%s", want, s.Text)
		}
	}
	issues := s.Tables["Failing and pending issues"]
	want := map[string]string{"Status": "fail", "Issue": "WEB-12", "Title": "<script>alert(1)</script> TypeError", "Events": "40", "Users": "20",
		"First seen": "2026-11-24 10:00 UTC", "Owners": "#checkout"}
	if len(issues) != 1 || !maps.Equal(issues[0], want) {
		t.Errorf("issues shown: %v, want one row %v", issues, want)
	}
	if got := s.Links["WEB-12"]; got != "https://acme.sentry.io/issues/12/" {
		t.Errorf("WEB-12 links to %q", got)
	}
	checks := s.Tables["Checks"]
	if len(checks) != 3 || checks[2]["Check"] != "events_per_hour" || checks[2]["Value"] != "240" || checks[2]["Bounds"] != "133 – 390" || checks[2]["Threshold"] != "30" {
		t.Errorf("checks shown: %v", checks)
	}
	for _, b := range s.Badges {
		if b.Text != "fail" || b.Background != "rgb(209, 36, 47)" || b.Color != "rgb(255, 255, 255)" {
			t.Errorf("badge %+v, want white on red", b)
		}
	}
	if len(s.Badges) != 5 {
		t.Errorf("%d badges, want 5 (the verdict, one issue, three checks)", len(s.Badges))
	}
	if c := s.Chart; c == nil || len(c.Lines) != 2 {
		t.Errorf("chart: %+v, want two lines", c)
	} else {
		for i, l := range c.Lines {
			if l.Points != 3 || l.Length < 500 || l.Width < 500 || l.Width > c.Width {
				t.Errorf("line %d: %+v, want 3 points drawn across the %.0fpx chart", i, l, c.Width)
			}
		}
	}
	checkHarmless(t, s)
}

// checkHarmless checks that text from Sentry stayed text: no script element, no dialog, and
// nothing the page's Content-Security-Policy had to refuse (which would mean markup got in).
func checkHarmless(t *testing.T, s seen) {
	t.Helper()
	if s.Scripts != 0 || len(s.Dialogs) != 0 || len(s.Violations) != 0 {
		t.Errorf("the page has %d script elements, opened dialogs %q, had the policy refuse %q", s.Scripts, s.Dialogs, s.Violations)
	}
	if s.Overflow > 0 {
		t.Errorf("the page is %.0fpx wider than the window", s.Overflow)
	}
}
