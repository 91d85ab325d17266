package gate

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/releasegate/releasegate/internal/testenv"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/report with the current output")

func assertGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	testenv.AssertGolden(t, filepath.Join("testdata", "report", name+".golden"), got, *update)
}

// reportDecisions are decisions made by Decide from evidence built here, one per situation a
// report must explain.
func reportDecisions() map[string]Decision {
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	decisions := map[string]Decision{}

	quiet := burst("7", at(45), 3, 20)
	quiet.Title = "Warning: unmounted component"
	decisions["pass"] = Decide(policy(), withURL(evidence(quiet)), at(45))

	hot := burst("1", at(12), spread(40, 12)...)
	hot.Title = "TypeError: Cannot read properties of undefined (reading 'items')"
	hot.Owners = []string{"#checkout", "jane@example.com"}
	hot.Permalink = "https://acme.sentry.io/issues/1/"
	hot.TopValues = map[string][]TagCount{"tenant_id": {{"t-42", 31}, {"t-7", 9}}, "user": {{"id:981", 12}}}
	hot.Users = 17
	young := burst("2", at(12), 11)
	young.Title = "Error: fetch failed"
	young.Permalink = "https://acme.sentry.io/issues/2/"
	noise := burst("3", at(12), spread(50, 12)...)
	noise.Title = "ResizeObserver loop completed with undelivered notifications"
	ev := withURL(evidence(hot, young, noise))
	ev.Baseline = "web@1.9.0"
	for m := range 13 {
		ev.BaselineSeries = append(ev.BaselineSeries, Bucket{Start: t0.Add(-time.Hour + time.Duration(m)*time.Minute), Count: int64(m % 3)})
	}
	ev.Requests = 14
	decisions["fail"] = Decide(policy(func(e *Environment) {
		e.NewIssues.Ignore = []IgnoreRule{{Title: "*ResizeObserver loop*"}}
	}), ev, at(12))

	decisions["pending"] = Decide(policy(), withURL(evidence(young)), at(12))

	// 60 events in 2 hours, exactly the threshold: the evidence cannot say, the clock does.
	level := burst("4", at(120), spread(60, 120)...)
	level.Title = "Error: slow checkout"
	decisions["timeout"] = Decide(policy(), withURL(evidence(level)), at(120))

	decisions["on-error"] = Undecided(policy(), "web@2.0.0", "production", at(12),
		errors.New("fetching the new issues of release \"web@2.0.0\" in production: GET /api/0/organizations/acme/issues/: 502 Bad Gateway"))

	ctxEv := withURL(evidence())
	ctxEv.Context = &ContextCoverage{Events: 400, With: map[string]int64{"request_id": 400, "tenant_id": 212}}
	decisions["context-warn"] = Decide(policy(func(e *Environment) {
		e.Context = &ContextPolicy{Required: []string{"request_id", "tenant_id"}}
	}), ctxEv, at(45))

	hEv := withURL(evidence())
	hEv.Baseline = "web@1.9.0"
	hEv.Environment = "staging"
	hEv.Health = &Health{Release: SessionStats{Sessions: 3000, CrashedSessions: 90, Users: 1200, CrashedUsers: 20},
		Baseline: &SessionStats{Sessions: 20000, CrashedSessions: 40, Users: 8000, CrashedUsers: 10}}
	decisions["health-fail"] = Decide(policy(func(e *Environment) {
		e.NewIssues = nil
		e.Evidence = "staging"
		e.Health = &HealthPolicy{CrashFreeSessions: &RateRule{Floor: 99.5, MaxDrop: 0.5}, CrashFreeUsers: &RateRule{Floor: 99}}
	}), hEv, at(45))
	return decisions
}

func withURL(ev Evidence) Evidence {
	ev.ReleaseURL = "https://acme.sentry.io/releases/web@2.0.0/?environment=production"
	ev.Requests = 6
	return ev
}

// TestRenderGolden: every situation in every format, against golden files a person has read.
func TestRenderGolden(t *testing.T) {
	t.Parallel()
	exts := map[string]string{"text": "txt", "json": "json", "markdown": "md", "github": "github"}
	for name, d := range reportDecisions() {
		for format, ext := range exts {
			t.Run(name+"/"+format, func(t *testing.T) {
				t.Parallel()
				var b bytes.Buffer
				if err := Render(&b, d, format); err != nil {
					t.Fatal(err)
				}
				assertGolden(t, name+"."+ext, b.Bytes())
			})
		}
	}
}

func TestRenderUnknownFormat(t *testing.T) {
	t.Parallel()
	err := Render(&bytes.Buffer{}, Decision{}, "xml")
	if err == nil || !strings.Contains(err.Error(), "text, json, markdown or github") {
		t.Errorf("Render(xml) = %v", err)
	}
}

// The JSON report has no null lists, and reads back into the same decision.
func TestRenderJSONRoundTrip(t *testing.T) {
	t.Parallel()
	for name, d := range reportDecisions() {
		var b bytes.Buffer
		if err := Render(&b, d, "json"); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(b.String(), "null,") && strings.Contains(b.String(), `": null`) {
			for _, field := range []string{`"issues": null`, `"owners": null`, `"children": null`, `"checks": null`} {
				if strings.Contains(b.String(), field) {
					t.Errorf("%s: the JSON has %s", name, field)
				}
			}
		}
		var back Decision
		if err := json.Unmarshal(b.Bytes(), &back); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var again bytes.Buffer
		if err := Render(&again, back, "json"); err != nil || !bytes.Equal(again.Bytes(), b.Bytes()) {
			t.Errorf("%s: the JSON does not round-trip", name)
		}
	}
}

// 5,000 failing issues: the Markdown stays within GitHub's limit and says how many it left out.
func TestRenderMarkdownLimit(t *testing.T) {
	t.Parallel()
	var issues []Issue
	for i := range 5000 {
		is := burst(fmt.Sprint(i+1), t0.Add(10*time.Minute), spread(60, 10)...)
		is.Title = strings.Repeat("TypeError: a long title that repeats ", 3)
		is.Owners = []string{"#checkout"}
		issues = append(issues, is)
	}
	d := Decide(policy(), evidence(issues...), t0.Add(10*time.Minute))
	var b bytes.Buffer
	if err := Render(&b, d, "markdown"); err != nil {
		t.Fatal(err)
	}
	if n := len([]rune(b.String())); n > MarkdownLimit {
		t.Errorf("the Markdown report has %d characters, over %d", n, MarkdownLimit)
	}
	if !strings.Contains(b.String(), "more issues: see the JSON report") {
		t.Error("the Markdown report does not say issues were left out")
	}
	if !strings.Contains(b.String(), "xychart-beta") {
		t.Error("the chart was dropped although only issue rows had to go")
	}
}

// User text cannot break the Markdown table or inject HTML.
func TestRenderMarkdownEscapes(t *testing.T) {
	t.Parallel()
	is := burst("1", t0.Add(10*time.Minute), spread(60, 10)...)
	is.Title = "a | b <script>alert(1)</script>\nnext line `code` [link](x)"
	d := Decide(policy(), evidence(is), t0.Add(10*time.Minute))
	var b bytes.Buffer
	if err := Render(&b, d, "markdown"); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	for _, bad := range []string{"<script>", "a | b", "\nnext line", "`code`", "[link](x)"} {
		if strings.Contains(md, bad) {
			t.Errorf("the Markdown contains %q unescaped:\n%s", bad, md)
		}
	}
	row := ""
	for _, line := range strings.Split(md, "\n") {
		if strings.Contains(line, "WEB-1") && strings.HasPrefix(line, "| ❌") {
			row = line
		}
	}
	if cells := strings.Count(strings.ReplaceAll(row, `\|`, ""), "|"); cells != 9 {
		t.Errorf("the issue row has %d separators, want 9: %s", cells, row)
	}
}

// GitHub shows 10 errors per step: the rest are counted in the summary annotation.
func TestRenderGitHubCaps(t *testing.T) {
	t.Parallel()
	var issues []Issue
	for i := range 25 {
		issues = append(issues, burst(fmt.Sprint(i+1), t0.Add(10*time.Minute), spread(60, 10)...))
	}
	d := Decide(policy(), evidence(issues...), t0.Add(10*time.Minute))
	var b bytes.Buffer
	if err := Render(&b, d, "github"); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if n := strings.Count(out, "::error "); n != 11 { // 10 issues and the verdict
		t.Errorf("%d error annotations, want 10 and the verdict:\n%s", n, out)
	}
	if !strings.Contains(out, "15 more annotations left out") {
		t.Errorf("the verdict does not count the annotations left out:\n%s", out)
	}
}

// TestReadmeShowsTheReport: the Markdown report in README.md is the fail golden, so the README
// shows what the gate really writes.
func TestReadmeShowsTheReport(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	golden, err := os.ReadFile(filepath.Join("testdata", "report", "fail.md.golden"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(readme, append(append([]byte("````markdown\n"), golden...), []byte("````")...)) {
		t.Error("README.md does not show testdata/report/fail.md.golden in a ````markdown block; copy it there")
	}
}

// TestTimelineCounts: counts of one read in the singular ("1 request", not "1 requests").
func TestTimelineCounts(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		requests int
		want     string
	}{{0, "0 requests to Sentry"}, {1, "1 request to Sentry"}, {7, "7 requests to Sentry"}} {
		if got := timeline(Decision{Requests: tt.requests}); !strings.HasSuffix(got, tt.want) {
			t.Errorf("timeline with %d requests = %q, want it to end in %q", tt.requests, got, tt.want)
		}
	}
}
