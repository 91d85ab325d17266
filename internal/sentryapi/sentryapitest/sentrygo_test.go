package sentryapitest

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
)

var (
	errCart   = errors.New("cart is empty")
	errLogin  = errors.New("bad password")
	errSearch = errors.New("index unavailable")
)

// Three call sites: sentry-go captures the stack where CaptureException is called, so each
// function's events form their own issue even though the error types are the same. They are
// not inlined and capture outside closures, whose names would otherwise depend on the caller.
//
//go:noinline
func failCheckout(hub *sentry.Hub, user, tenant string) {
	hub.PushScope()
	defer hub.PopScope()
	hub.Scope().SetUser(sentry.User{ID: user, Email: user + "@example.com"})
	if tenant != "" {
		hub.Scope().SetTag("tenant_id", tenant)
	}
	hub.CaptureException(errCart)
}

//go:noinline
func failLogin(hub *sentry.Hub, user string) {
	hub.PushScope()
	defer hub.PopScope()
	hub.Scope().SetUser(sentry.User{ID: user})
	hub.CaptureException(errLogin)
}

//go:noinline
func failSearch(hub *sentry.Hub, user string) {
	hub.PushScope()
	defer hub.PopScope()
	hub.Scope().SetUser(sentry.User{ID: user})
	hub.CaptureException(fmt.Errorf("search: %w", errSearch))
}

// sendWith runs fn with a hub whose client sends to dsn, then flushes.
func sendWith(t *testing.T, dsn, release, env string, fn func(*sentry.Hub)) {
	t.Helper()
	client, err := sentry.NewClient(sentry.ClientOptions{Dsn: dsn, Release: release, Environment: env})
	if err != nil {
		t.Fatal(err)
	}
	fn(sentry.NewHub(client, sentry.NewScope()))
	if !client.Flush(10 * time.Second) {
		t.Fatal("sentry-go did not flush its events")
	}
}

func TestSentryGoEvents(t *testing.T) {
	t.Parallel()
	srv := newServer(t, Options{Projects: []string{"api"}})
	dsn := srv.DSN("api")
	sendWith(t, dsn, "api@1.0.0", "production", func(h *sentry.Hub) {
		failCheckout(h, "u1", "acme")
		failCheckout(h, "u2", "globex")
		failLogin(h, "u1")
	})
	sendWith(t, dsn, "api@1.1.0", "production", func(h *sentry.Hub) {
		failCheckout(h, "u3", "acme")
		failSearch(h, "u3")
	})
	sendWith(t, dsn, "api@1.1.0", "staging", func(h *sentry.Hub) {
		failCheckout(h, "u4", "")
	})

	issues := srv.Issues()
	if len(issues) != 3 {
		for _, is := range issues {
			t.Logf("%s %q %q (%d events)", is.ShortID, is.Title, is.Culprit, is.Count)
		}
		t.Fatalf("%d issues, want 3 (checkout, login, search)", len(issues))
	}
	checkout := issues[0]
	if checkout.Title != "*errors.errorString: cart is empty" || checkout.Count != 4 || checkout.UserCount != 4 ||
		checkout.FirstRelease != "api@1.0.0" || checkout.LastRelease != "api@1.1.0" || !slices.Equal(checkout.Environments, []string{"production", "staging"}) {
		t.Errorf("checkout issue = %+v", checkout)
	}
	if !strings.Contains(checkout.Culprit, "failCheckout") {
		t.Errorf("checkout culprit %q does not name the call site", checkout.Culprit)
	}
	if search := issues[2]; search.Title != "*fmt.wrapError: search: index unavailable" || search.FirstRelease != "api@1.1.0" {
		t.Errorf("search issue = %+v", search)
	}

	c := client(t, srv)
	var list []map[string]any
	c.get("/api/0/organizations/acme/issues/?query="+url.QueryEscape("is:unresolved firstRelease:api@1.1.0")+"&environment=production&statsPeriod=24h&sort=freq", 200, &list)
	if got := issueIDs(list); !slices.Equal(got, []string{"API-3"}) {
		t.Errorf("new issues in api@1.1.0 = %v", got)
	}
	c.get("/api/0/organizations/acme/issues/?query=release:api@1.1.0&sort=freq", 200, &list)
	if got := issueIDs(list); !slices.Equal(got, []string{"API-1", "API-3"}) || list[0]["count"] != "4" || list[0]["filtered"].(map[string]any)["count"] != "2" {
		t.Errorf("issues in api@1.1.0 = %v", got)
	}
	c.get("/api/0/organizations/acme/issues/?environment=staging", 200, &list)
	if got := issueIDs(list); !slices.Equal(got, []string{"API-1"}) || list[0]["count"] != "1" {
		t.Errorf("staging issues = %v", got)
	}

	var values []map[string]any
	c.get("/api/0/organizations/acme/issues/"+checkout.ID+"/tags/tenant_id/values/?sort=-count", 200, &values)
	if len(values) != 2 || values[0]["value"] != "acme" || values[0]["count"] != 2.0 {
		t.Errorf("tenant values = %v", values)
	}
	c.get("/api/0/organizations/acme/issues/"+checkout.ID+"/tags/user/values/", 200, &values)
	// Sentry's default order is -id: the newest value first.
	if len(values) != 4 || values[0]["value"] != "id:u4" || values[0]["name"] != "u4@example.com" {
		t.Errorf("user values = %v", values)
	}
	var ev map[string]any
	c.get("/api/0/organizations/acme/issues/"+checkout.ID+"/events/latest/", 200, &ev)
	if ev["platform"] != "go" || ev["sdk"].(map[string]any)["name"] != "sentry.go" {
		t.Errorf("latest event platform %v sdk %v", ev["platform"], ev["sdk"])
	}
	tags := map[string]string{}
	for _, tg := range ev["tags"].([]any) {
		m := tg.(map[string]any)
		tags[m["key"].(string)] = m["value"].(string)
	}
	if tags["release"] != "api@1.1.0" || tags["environment"] != "staging" || tags["user"] != "id:u4" || tags["runtime.name"] != "go" || tags["level"] != "error" {
		t.Errorf("latest event tags = %v", tags)
	}
	frames := ev["entries"].([]any)[0].(map[string]any)["data"].(map[string]any)["values"].([]any)[0].(map[string]any)["stacktrace"].(map[string]any)["frames"].([]any)
	top := frames[len(frames)-1].(map[string]any)
	if top["function"] != "failCheckout" || top["inApp"] != true || !strings.HasSuffix(top["module"].(string), "/sentryapitest") {
		t.Errorf("top frame = %v", top)
	}

	p, _ := srv.Project("api")
	envelopes := 0
	for _, r := range srv.Requests() {
		if strings.HasPrefix(r.Path, "/api/0/") {
			continue // the test's own API calls
		}
		envelopes++
		if r.Path != "/api/"+p.ID+"/envelope/" || r.Method != "POST" || r.Status != 200 ||
			!strings.Contains(r.Header.Get("X-Sentry-Auth"), "sentry_key="+p.Key) || r.Header.Get("Content-Type") != "application/x-sentry-envelope" {
			t.Errorf("SDK request %s %s → %d (%s)", r.Method, r.Path, r.Status, r.Header.Get("X-Sentry-Auth"))
		}
	}
	if envelopes < 6 {
		t.Errorf("%d envelopes for 6 events", envelopes)
	}
}

// TestSentryGoClockAndPrefix sends through a DSN with a path prefix to a server whose clock is
// months away from the SDK's: like Relay, it corrects event times by the envelope's sent_at.
func TestSentryGoClockAndPrefix(t *testing.T) {
	t.Parallel()
	srv := newServer(t, Options{Prefix: "/sentry", Now: t0, Projects: []string{"api"}})
	sendWith(t, srv.DSN("api"), "api@1.0.0", "", func(h *sentry.Hub) { failLogin(h, "u1") })
	issues := srv.Issues()
	if len(issues) != 1 {
		t.Fatalf("%d issues", len(issues))
	}
	if d := issues[0].FirstSeen.Sub(t0); d < -5*time.Second || d > 5*time.Second {
		t.Errorf("first seen %v, want about %v", issues[0].FirstSeen, t0)
	}
}

func TestEnvelopeIngestion(t *testing.T) {
	t.Parallel()
	srv := newServer(t, Options{Now: t0, Projects: []string{"api"}})
	p, _ := srv.Project("api")
	post := func(path, auth, body string) reply {
		t.Helper()
		req, _ := http.NewRequest("POST", srv.URL()+path, strings.NewReader(body))
		if auth != "" {
			req.Header.Set("X-Sentry-Auth", "Sentry sentry_version=7, sentry_client=test/1, sentry_key="+auth)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return reply{status: resp.StatusCode, body: b}
	}
	envelope := `{"event_id":"9ec79c33ec9942ab8353589fcb2e04dc","sent_at":"2026-03-10T12:00:00Z"}
{"type":"event","length":NN}
EVENT
{"type":"session"}
{"sid":"s1","did":"u1","init":true,"started":"2026-03-10T11:00:00Z","status":"crashed","errors":1,"attrs":{"release":"api@3","environment":"production"}}
{"type":"sessions"}
{"aggregates":[{"started":"2026-03-10T11:00:00Z","exited":5,"errored":2}],"attrs":{"release":"api@3","environment":"production"}}
{"type":"client_report"}
{"discarded_events":[]}
`
	event := `{"event_id":"9ec79c33ec9942ab8353589fcb2e04dc","timestamp":1773140400.5,"platform":"javascript","release":"api@3","environment":"production",
"tags":[["tenant_id","acme"]],"user":{"id":42},"exception":{"values":[{"type":"Error","value":"boom\nsecond line","mechanism":{"type":"onunhandledrejection","handled":false},
"stacktrace":{"frames":[{"function":"run","filename":"app.js","lineno":3,"colno":9,"in_app":true}]}}]}}`
	envelope = strings.Replace(strings.Replace(envelope, "NN", strconv.Itoa(len(event)), 1), "EVENT", event, 1)
	r := post("/api/"+p.ID+"/envelope/", p.Key, envelope)
	if r.status != 200 || string(r.body) != `{"id":"9ec79c33ec9942ab8353589fcb2e04dc"}` {
		t.Fatalf("envelope: %d %s", r.status, r.body)
	}
	is := srv.Issues()[0]
	if is.Title != "Error: boom" || !is.Unhandled || is.LastEventTags["tenant_id"] != "acme" || is.LastEventTags["user"] != "id:42" || is.LastEventTags["handled"] != "no" {
		t.Errorf("issue = %+v", is)
	}
	if !is.FirstSeen.Equal(time.Date(2026, 3, 10, 11, 0, 0, 500_000_000, time.UTC)) {
		t.Errorf("first seen %v", is.FirstSeen)
	}
	var resp struct {
		Groups []struct {
			By     map[string]any     `json:"by"`
			Totals map[string]float64 `json:"totals"`
		} `json:"groups"`
	}
	client(t, srv).get("/api/0/organizations/acme/sessions/?field=sum(session)&groupBy=session.status&statsPeriod=24h", 200, &resp)
	got := map[string]float64{}
	for _, g := range resp.Groups {
		got[g.By["session.status"].(string)] = g.Totals["sum(session)"]
	}
	if !mapsEqual(got, map[string]float64{"healthy": 5, "errored": 2, "crashed": 1, "abnormal": 0}) {
		t.Errorf("sessions by status = %v", got)
	}

	// The legacy store endpoint takes one event; the key may come as a query parameter.
	r = post("/api/"+p.ID+"/store/?sentry_key="+p.Key, "", `{"message":"hello","level":"info","timestamp":"2026-03-10T11:59:00Z"}`)
	if r.status != 200 || len(srv.Issues()) != 2 {
		t.Errorf("store: %d %s", r.status, r.body)
	}
	for _, tc := range []struct {
		path, key string
		status    int
	}{
		{"/api/" + p.ID + "/envelope/", "", 401},
		{"/api/" + p.ID + "/envelope/", "wrong", 401},
		{"/api/999/envelope/", p.Key, 403},
	} {
		if r := post(tc.path, tc.key, "{}\n"); r.status != tc.status {
			t.Errorf("%s with key %q: %d, want %d", tc.path, tc.key, r.status, tc.status)
		}
	}
	if r := post("/api/"+p.ID+"/envelope/", p.Key, "{}\n{\"type\":\"event\",\"length\":500}\n{}"); r.status != 400 {
		t.Errorf("truncated envelope: %d", r.status)
	}
}
