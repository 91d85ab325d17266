package sentryapi

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// sentryLink writes a Link header as Sentry does: previous first, both always present.
func sentryLink(base, prev string, prevResults bool, next string, nextResults bool) string {
	return fmt.Sprintf(`<%s?&cursor=%s>; rel="previous"; results="%t"; cursor="%s", <%s?&cursor=%s>; rel="next"; results="%t"; cursor="%s"`,
		base, prev, prevResults, prev, base, next, nextResults, next)
}

func TestPagination(t *testing.T) {
	t.Parallel()
	const path = "/api/0/organizations/acme/issues/"
	// The links name sentry.io without the prefix, as a Sentry behind a path-rewriting proxy
	// would: the client must keep using its own base URL and only take the cursor.
	const linkBase = "https://sentry.io/api/0/organizations/acme/issues/"
	pages := map[string]struct {
		body, link string
	}{
		"":        {`[{"id":"1","status":"unresolved"},{"id":"2","status":"unresolved"}]`, sentryLink(linkBase, "0:0:1", false, "0:100:0", true)},
		"0:100:0": {`[{"id":"3","status":"unresolved"}]`, sentryLink(linkBase, "0:0:1", true, "0:200:0", true)},
		"0:200:0": {`[{"id":"4","status":"unresolved"}]`, sentryLink(linkBase, "0:100:1", true, "0:300:0", false)},
	}
	f := newFake(t)
	f.handle("GET", path, func(w http.ResponseWriter, r *http.Request) {
		p, ok := pages[r.URL.Query().Get("cursor")]
		if !ok {
			t.Errorf("unexpected cursor %q", r.URL.Query().Get("cursor"))
		}
		w.Header().Set("Link", p.link)
		w.Write([]byte(p.body))
	})
	var ids []string
	pagesSeen := 0
	err := f.client(t).ListIssues(t.Context(), "acme", IssueQuery{Query: "is:unresolved", Projects: []string{"42"}}, func(page []Issue) error {
		pagesSeen++
		for _, is := range page {
			ids = append(ids, string(is.ID))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(ids, ",") != "1,2,3,4" || pagesSeen != 3 {
		t.Errorf("ids = %v in %d pages", ids, pagesSeen)
	}
	reqs := f.recorded()
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want 3 (stop at results=\"false\")", len(reqs))
	}
	for i, want := range []string{"", "0:100:0", "0:200:0"} {
		q, _ := url.ParseQuery(reqs[i].RawQuery)
		if q.Get("cursor") != want || q.Get("query") != "is:unresolved" || q.Get("project") != "42" {
			t.Errorf("request %d query = %s", i, reqs[i].RawQuery)
		}
		if !strings.HasPrefix(reqs[i].Path, testPrefix) {
			t.Errorf("request %d went to %s", i, reqs[i].Path)
		}
	}
}

func TestPaginationStops(t *testing.T) {
	t.Parallel()
	const path = "/api/0/organizations/acme/teams/"
	tests := []struct {
		name    string
		link    string
		fn      func([]Team) error
		wantErr string
		wantN   int
	}{
		{"no more results", sentryLink("x", "0:0:1", false, "0:100:0", false), nil, "", 1},
		{"no Link header", "", nil, "", 1},
		{"previous has results but next not", sentryLink("x", "0:0:1", true, "0:100:0", false), nil, "", 1},
		{"callback stops", sentryLink("x", "0:0:1", false, "0:100:0", true), func([]Team) error { return ErrStop }, "", 1},
		{"callback fails", sentryLink("x", "0:0:1", false, "0:100:0", true), func([]Team) error { return errors.New("boom") }, "boom", 1},
		{"same cursor again", sentryLink("x", "0:0:1", false, "0:100:0", true), nil, "cursor \"0:100:0\" twice", 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t)
			f.handle("GET", path, func(w http.ResponseWriter, r *http.Request) {
				if tc.link != "" {
					w.Header().Set("Link", tc.link)
				}
				w.Write([]byte(`[{"id":"1","slug":"a"}]`))
			})
			fn := tc.fn
			if fn == nil {
				fn = func([]Team) error { return nil }
			}
			err := f.client(t).ListTeams(t.Context(), "acme", fn)
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Errorf("err = %v, want %q", err, tc.wantErr)
			}
			if n := len(f.recorded()); n != tc.wantN {
				t.Errorf("%d requests, want %d", n, tc.wantN)
			}
		})
	}
}

func TestParseLinks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		header string
		want   string // "url|rel|results|cursor" per link, joined by " ; "
	}{
		{
			"sentry's example",
			`<https://sentry.io/api/0/projects/1/groups/?&cursor=1420837590:0:1>; rel="previous"; results="false"; cursor="1420837590:0:1", <https://sentry.io/api/0/projects/1/groups/?&cursor=1420837533:0:0>; rel="next"; results="true"; cursor="1420837533:0:0"`,
			"https://sentry.io/api/0/projects/1/groups/?&cursor=1420837590:0:1|previous|false|1420837590:0:1 ; https://sentry.io/api/0/projects/1/groups/?&cursor=1420837533:0:0|next|true|1420837533:0:0",
		},
		{"unquoted and odd spacing", `<u>;rel=next ;results=true;  cursor=0:1:0`, "u|next|true|0:1:0"},
		{"comma inside a quoted value and the URL", `<https://x/?q=a,b>; rel="next"; title="a, b"; results="true"; cursor="c", <y>; rel="last"`, "https://x/?q=a,b|next|true|c ; y|last||"},
		{"escaped quote", `<u>; rel="next"; title="say \"hi\""; results="true"; cursor="c"`, "u|next|true|c"},
		{"upper-case names", `<u>; REL="next"; Results="true"; Cursor="c"`, "u|next|true|c"},
		{"first duplicate wins", `<u>; rel="next"; rel="prev"`, "u|next||"},
		{"garbage before an entry", `nonsense, <u>; rel="next"`, "u|next||"},
		{"no closing bracket", `<u; rel="next"`, ""},
		{"empty", ``, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, l := range parseLinks(tc.header) {
				got = append(got, strings.Join([]string{l.URL, l.Params["rel"], l.Params["results"], l.Params["cursor"]}, "|"))
			}
			if g := strings.Join(got, " ; "); g != tc.want {
				t.Errorf("parseLinks(%q)\n got %s\nwant %s", tc.header, g, tc.want)
			}
		})
	}
}

func TestNextCursor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		header []string
		want   string
		ok     bool
	}{
		{"next with results", []string{sentryLink("u", "0:0:1", false, "0:100:0", true)}, "0:100:0", true},
		{"next without results", []string{sentryLink("u", "0:0:1", true, "0:100:0", false)}, "", false},
		{"results missing", []string{`<u?cursor=1>; rel="next"`}, "", false},
		{"cursor only in the URL", []string{`<https://x/?&cursor=0%3A5%3A0>; rel="next"; results="true"`}, "0:5:0", true},
		{"no cursor at all", []string{`<https://x/>; rel="next"; results="true"`}, "", false},
		{"split over two header lines", []string{`<a>; rel="previous"; results="false"; cursor="p"`, `<b>; rel="next"; results="true"; cursor="n"`}, "n", true},
		{"rel with several values", []string{`<b>; rel="last next"; results="true"; cursor="n"`}, "n", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, ok := nextCursor(tc.header)
			if got != tc.want || ok != tc.ok {
				t.Errorf("nextCursor = %q, %v; want %q, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}

func FuzzParseLinks(f *testing.F) {
	f.Add(sentryLink("https://sentry.io/api/0/x/", "0:0:1", false, "0:100:0", true))
	f.Add(`<u>; rel="next"; results="true"; cursor="c\"d"`)
	f.Fuzz(func(t *testing.T, header string) {
		for _, l := range parseLinks(header) {
			if strings.Contains(l.URL, ">") {
				t.Errorf("URL %q contains '>'", l.URL)
			}
			for k := range l.Params {
				if k != strings.ToLower(k) {
					t.Errorf("parameter name %q is not lower-cased", k)
				}
			}
		}
		if c, ok := nextCursor([]string{header}); ok && c == "" {
			t.Error("nextCursor reported an empty cursor")
		}
	})
}

func TestServerWait(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name, retryAfter, reset string
		want                    time.Duration
		ok                      bool
	}{
		{"seconds", "120", "", 2 * time.Minute, true},
		{"zero", "0", "", 0, true},
		{"fractional seconds", "1.5", "", 1500 * time.Millisecond, true},
		{"spaces", " 3 ", "", 3 * time.Second, true},
		{"http date", now.Add(10 * time.Second).Format(http.TimeFormat), "", 10 * time.Second, true},
		{"date in the past", now.Add(-time.Hour).Format(http.TimeFormat), "", 0, true},
		{"negative", "-5", "", 0, false},
		{"garbage", "soon", "", 0, false},
		{"huge", "1e30", "", maxServerWait, true},
		{"NaN", "NaN", "", 0, false},
		{"reset epoch", "", "1772366430", 30 * time.Second, true},
		{"fractional reset", "", "1772366400.250", 250 * time.Millisecond, true},
		{"reset in the past", "", "1772366000", 0, true},
		{"reset far away", "", "99999999999999", maxServerWait, true},
		{"reset garbage", "", "tomorrow", 0, false},
		{"bad Retry-After falls back to the reset", "later", "1772366405", 5 * time.Second, true},
		{"none", "", "", 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := http.Header{}
			if tc.retryAfter != "" {
				h.Set("Retry-After", tc.retryAfter)
			}
			if tc.reset != "" {
				h.Set("X-Sentry-Rate-Limit-Reset", tc.reset)
			}
			got, ok := serverWait(h, now)
			if got != tc.want || ok != tc.ok {
				t.Errorf("serverWait = %s, %v; want %s, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}

func FuzzServerWait(f *testing.F) {
	f.Add("120", "")
	f.Add("", "1772366430")
	f.Add("Sun, 01 Mar 2026 12:00:10 GMT", "")
	f.Fuzz(func(t *testing.T, retryAfter, reset string) {
		now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		h := http.Header{}
		h.Set("Retry-After", retryAfter)
		h.Set("X-Sentry-Rate-Limit-Reset", reset)
		d, ok := serverWait(h, now)
		if d < 0 || d > maxServerWait {
			t.Errorf("serverWait(%q, %q) = %s, outside [0, %s]", retryAfter, reset, d, maxServerWait)
		}
		if !ok && d != 0 {
			t.Errorf("serverWait(%q, %q) = %s but not ok", retryAfter, reset, d)
		}
	})
}

func TestErrorDetail(t *testing.T) {
	t.Parallel()
	tests := []struct{ body, want string }{
		{`{"detail":"Invalid token"}`, "Invalid token"},
		{`{"detail":{"code":"x","message":"Nested message"}}`, "Nested message"},
		{`{"error":"Chunk size too large"}`, "Chunk size too large"},
		{`"You are attempting to use this endpoint too frequently. Limit is 40 requests in 1 seconds"`, "You are attempting to use this endpoint too frequently. Limit is 40 requests in 1 seconds"},
		{`{"version":["This field is required."],"projects":["Invalid project ids or slugs: x"]}`, "projects: Invalid project ids or slugs: x; version: This field is required."},
		{`{"raw":"Parse error: url:x (line 1, column 1)"}`, "raw: Parse error: url:x (line 1, column 1)"},
		{"<html><body>502 Bad Gateway</body></html>\n<hr>", "<html><body>502 Bad Gateway</body></html>"},
		{"", ""},
		{strings.Repeat("é", 400), strings.Repeat("é", 150) + "…"},
	}
	for _, tc := range tests {
		if got := errorDetail([]byte(tc.body)); got != tc.want {
			t.Errorf("errorDetail(%.40q) = %q, want %q", tc.body, got, tc.want)
		}
	}
}
