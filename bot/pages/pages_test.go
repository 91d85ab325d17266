package pages

import (
	"context"
	"errors"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/releasegate/releasegate/gate"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata with the current output")

var now = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

type fakeSource struct {
	recs    []Record
	err     error
	filters []Filter
}

func (f *fakeSource) Decision(_ context.Context, id string) (Record, error) {
	if f.err != nil {
		return Record{}, f.err
	}
	for _, r := range f.recs {
		if r.ID == id {
			return r, nil
		}
	}
	return Record{}, ErrNotFound
}

func (f *fakeSource) Decisions(_ context.Context, flt Filter) ([]Record, error) {
	f.filters = append(f.filters, flt)
	return f.recs, f.err
}

func ptr(v float64) *float64 { return &v }

// failing is a decision as the gate makes one: a failing new issue with its owner, a chart.
func failing() Record {
	t0 := now.Add(-2 * time.Hour)
	return Record{
		ID: "d7", Repo: "acme/web", Environment: "production", Release: "web@2f6c1a9", SHA: "2f6c1a9e0b7d", Outcome: "fail",
		Verdict: gate.StatusFail, Created: now,
		Decision: gate.Decision{
			Verdict: gate.StatusFail, Release: "web@2f6c1a9", Environment: "production", EvidenceEnvironment: "staging",
			DecidedAt: now, Start: t0, SoakEnds: t0.Add(30 * time.Minute), Deadline: t0.Add(2 * time.Hour),
			Reason:     "1 new issue is high-frequency: WEB-12 (<script>alert(1)</script>): at least 133 events/h",
			ReleaseURL: "https://acme.sentry.io/releases/web@2f6c1a9/",
			Checks: []gate.Check{{
				Name: "new-issues", Status: gate.StatusFail, Reason: "1 new issue is high-frequency",
				Children: []gate.Check{{
					Name: "WEB-12", Status: gate.StatusFail, Reason: "at least 133 events/h with 95% confidence",
					Issues: []gate.IssueRef{{ID: "12", ShortID: "WEB-12", Title: "<script>alert(1)</script> TypeError", Permalink: "https://acme.sentry.io/issues/12/",
						FirstSeen: t0, Events: 40, Users: 20, Owners: []string{"#checkout"}}},
					Owners:   []string{"#checkout"},
					Children: []gate.Check{{Name: "events_per_hour", Metric: "events_per_hour", Status: gate.StatusFail, Value: ptr(240), Lower: ptr(133), Upper: ptr(390), Threshold: ptr(30), Reason: "above 30/h"}},
				}},
			}},
			Chart: &gate.Chart{Interval: "10m0s", Series: []gate.ChartSeries{{Name: "WEB-12", Counts: []int64{0, 12, 28}}, {Name: "baseline", Counts: []int64{3, 2, 4}}}},
		},
	}
}

func handler(src Source) *Handler {
	return &Handler{Source: src, Signer: Signer{Key: []byte("k"), Now: func() time.Time { return now }}, Secret: "shared"}
}

func get(t *testing.T, h http.Handler, target string, edit func(*http.Request)) (*http.Response, string) {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, target, nil)
	if edit != nil {
		edit(r)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	body, _ := io.ReadAll(w.Result().Body)
	return w.Result(), string(body)
}

func TestAccess(t *testing.T) {
	t.Parallel()
	h := handler(&fakeSource{recs: []Record{failing()}})
	signed := "/decisions/d7?" + h.Signer.Sign("d7").Encode()
	expired := Signer{Key: []byte("k"), Now: func() time.Time { return now.Add(-DefaultLinkTTL - time.Minute) }}
	basic := func(pw string) func(*http.Request) { return func(r *http.Request) { r.SetBasicAuth("anyone", pw) } }
	tests := map[string]struct {
		target string
		edit   func(*http.Request)
		status int
		has    string
	}{
		"signed link":               {signed, nil, 200, "WEB-12"},
		"no signature":              {"/decisions/d7", nil, 401, "not valid"},
		"signature of another page": {"/decisions/d8?" + h.Signer.Sign("d7").Encode(), nil, 401, "not valid"},
		"expired link":              {"/decisions/d7?" + expired.Sign("d7").Encode(), nil, 401, "expired"},
		"tampered expiry":           {strings.Replace(signed, "exp=", "exp=9", 1), nil, 401, "not valid"},
		"shared secret":             {"/decisions/d7", basic("shared"), 200, "WEB-12"},
		"wrong secret":              {"/decisions/d7", basic("guess"), 401, "not valid"},
		"list needs the secret":     {"/decisions", nil, 401, "shared secret"},
		"list with the secret":      {"/decisions?repo=acme/web", basic("shared"), 200, "web@2f6c1a9"},
		"list bad verdict":          {"/decisions?verdict=maybe", basic("shared"), 400, "pass, fail or pending"},
		"unknown decision":          {"/decisions/d99", basic("shared"), 404, "no decision d99"},
		"not an ID":                 {"/decisions/a%2Fb", basic("shared"), 404, ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			res, body := get(t, h, tc.target, tc.edit)
			if res.StatusCode != tc.status || !strings.Contains(body, tc.has) {
				t.Errorf("%s: %d, want %d with %q:\n%s", tc.target, res.StatusCode, tc.status, tc.has, body)
			}
			if res.StatusCode == 401 && res.Header.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate: a browser would not ask for the secret")
			}
			if res.Header.Get("Referrer-Policy") != "no-referrer" || !strings.Contains(res.Header.Get("Content-Security-Policy"), "default-src 'none'") {
				t.Errorf("headers: %v", res.Header)
			}
		})
	}
}

func TestListFilterAndErrors(t *testing.T) {
	t.Parallel()
	src := &fakeSource{recs: []Record{failing()}}
	h := handler(src)
	_, _ = get(t, h, "/decisions?repo=acme/web&environment=production&verdict=fail", func(r *http.Request) { r.SetBasicAuth("", "shared") })
	if len(src.filters) != 1 || src.filters[0] != (Filter{Repo: "acme/web", Environment: "production", Verdict: gate.StatusFail, Limit: 100}) {
		t.Errorf("filters = %+v", src.filters)
	}
	down := handler(&fakeSource{err: errors.New("database is locked")})
	res, body := get(t, down, "/decisions", func(r *http.Request) { r.SetBasicAuth("", "shared") })
	if res.StatusCode != 503 || strings.Contains(body, "locked") {
		t.Errorf("store down: %d %s", res.StatusCode, body)
	}
	res, _ = get(t, h, "/decisions", func(r *http.Request) { r.Method = http.MethodPost; r.SetBasicAuth("", "shared") })
	if res.StatusCode != 405 {
		t.Errorf("POST = %d", res.StatusCode)
	}
}

// TestDecisionPageGolden renders a failing decision: titles from Sentry are escaped (the
// <script> in the title shows as text), and the page is kept as a golden file.
func TestDecisionPageGolden(t *testing.T) {
	t.Parallel()
	h := handler(&fakeSource{recs: []Record{failing()}})
	res, body := get(t, h, "/decisions/d7", func(r *http.Request) { r.SetBasicAuth("", "shared") })
	if res.StatusCode != 200 {
		t.Fatalf("%d %s", res.StatusCode, body)
	}
	if strings.Contains(body, "<script>") || !strings.Contains(body, "&lt;script&gt;") {
		t.Error("a title from Sentry was not escaped")
	}
	for _, want := range []string{`<polyline fill="none" stroke="#d1242f" stroke-width="2" points=`, "#checkout", "Evidence from staging", `href="https://acme.sentry.io/issues/12/"`} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	path := filepath.Join("testdata", "decision.html.golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./bot/pages -update writes it)", err)
	}
	if string(want) != body {
		t.Errorf("%s differs (run with -update if intended)", path)
	}
}

func TestDeriveKeyAndLink(t *testing.T) {
	t.Parallel()
	a, b := DeriveKey("secret-1"), DeriveKey("secret-2")
	if len(a) != 32 || string(a) == string(b) {
		t.Fatal("derived keys must differ per secret")
	}
	s := Signer{Key: a, Now: func() time.Time { return now }}
	link := s.Link("https://gate.example.com/", "d7")
	if !strings.HasPrefix(link, "https://gate.example.com/decisions/d7?exp=") {
		t.Errorf("link = %s", link)
	}
	if err := s.Verify("d7", QueryOf(link)); err != nil {
		t.Errorf("own link: %v", err)
	}
	if err := (Signer{Key: b, Now: s.Now}).Verify("d7", QueryOf(link)); err == nil {
		t.Error("a link signed with another key was accepted")
	}
	if err := (Signer{Now: s.Now}).Verify("d7", QueryOf(link)); err == nil {
		t.Error("a signer without a key accepted a link")
	}
}

func TestDurationText(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		d    time.Duration
		want string
	}{
		"minutes":           {10 * time.Minute, "10m"}, // once shown as "1": "10m" lost its "0m"
		"an hour":           {time.Hour, "1h"},
		"hours and minutes": {90 * time.Minute, "1h30m"},
		"ten hours":         {10 * time.Hour, "10h"},
		"seconds":           {45 * time.Second, "45s"},
		"minutes, seconds":  {90 * time.Second, "1m30s"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := durationText(tc.d); got != tc.want {
				t.Errorf("durationText(%v) = %q, want %q", tc.d, got, tc.want)
			}
		})
	}
}

func TestSentence(t *testing.T) {
	t.Parallel()
	tests := map[string]struct{ in, want string }{
		"error words":     {"this link is not valid", "This link is not valid."},
		"already a stop":  {"no such decision.", "No such decision."},
		"first rune wide": {"élan", "Élan."},
		"empty":           {"", ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := sentence(tc.in); got != tc.want {
				t.Errorf("sentence(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestChartGeometry: zero sits on the axis (Base) and the peak at the top, the first point on
// the left edge and the last on the right, and the x labels span the series.
func TestChartGeometry(t *testing.T) {
	t.Parallel()
	v := newChart(&gate.Chart{Interval: "10m0s", Series: []gate.ChartSeries{{Name: "a", Counts: []int64{0, 5, 10}}}})
	if v == nil || len(v.Lines) != 1 {
		t.Fatalf("chart = %+v", v)
	}
	want := "40.0,176.0 335.0,93.0 630.0,10.0"
	if v.Lines[0].Points != want || v.Interval != "10m" || v.End != "20m" {
		t.Errorf("points %q (want %q), interval %q, end %q", v.Lines[0].Points, want, v.Interval, v.End)
	}
	for name, c := range map[string]*gate.Chart{
		"one point": {Interval: "10m0s", Series: []gate.ChartSeries{{Counts: []int64{4}}}},
		"all zero":  {Interval: "10m0s", Series: []gate.ChartSeries{{Counts: []int64{0, 0}}}},
		"no series": {Interval: "10m0s"},
		"no chart":  nil,
	} {
		if newChart(c) != nil {
			t.Errorf("%s: a chart with nothing to draw was drawn", name)
		}
	}
}
