package gateapi

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/releasegate/releasegate/errkind"
	"github.com/releasegate/releasegate/gate"
)

// fakeEvaluator answers by release name: web@pass, web@fail, web@pending, web@config, web@down.
type fakeEvaluator struct {
	mu      sync.Mutex
	queries []Query
}

func (f *fakeEvaluator) Gate(_ context.Context, q Query) (gate.Decision, error) {
	f.mu.Lock()
	f.queries = append(f.queries, q)
	f.mu.Unlock()
	d := gate.Decision{Release: q.Release, Environment: q.Environment, DecidedAt: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), Checks: []gate.Check{}}
	switch strings.TrimPrefix(q.Release, "web@") {
	case "pass":
		d.Verdict, d.Reason = gate.StatusPass, "every check passed after a soak of 30m"
	case "fail":
		d.Verdict, d.Reason = gate.StatusFail, "1 new issue is high-frequency"
	case "pending":
		d.Verdict, d.Reason = gate.StatusPending, "no new issues so far; the soak ends in 20m"
	case "config":
		return gate.Decision{}, errkind.Errorf(errkind.Config, "Sentry does not know the release %s", q.Release)
	default:
		return gate.Decision{}, errkind.Errorf(errkind.Undecided, "Sentry: 502 Bad Gateway after 4 tries")
	}
	return d, nil
}

func server(t *testing.T) (*httptest.Server, *fakeEvaluator) {
	t.Helper()
	ev := &fakeEvaluator{}
	srv := httptest.NewServer(http.StripPrefix("", &Handler{Evaluator: ev, Token: "s3cret"}))
	t.Cleanup(srv.Close)
	return srv, ev
}

// argoMeasure does what Argo Rollouts' web metric provider does with a metric like
//
//	provider:
//	  web:
//	    url: "https://gate/api/v1/gate?repo=acme/web&release={{args.release}}&environment=production"
//	    headers: [{key: Authorization, value: "Bearer {{args.token}}"}]
//	    jsonPath: "{$.verdict}"
//	successCondition: result == "pass"
//	failureCondition: result == "fail"
//
// a non-2xx answer or a body that is not JSON is an Error measurement; otherwise the value at
// jsonPath is judged: success, failure, or inconclusive when neither condition holds.
func argoMeasure(t *testing.T, url, token string) string {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	client := &http.Client{Timeout: 10 * time.Second} // timeoutSeconds' default
	res, err := client.Do(req)
	if err != nil {
		return "Error"
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return "Error"
	}
	var doc map[string]any
	if json.Unmarshal(body, &doc) != nil {
		return "Error"
	}
	result, _ := doc["verdict"].(string)
	switch result {
	case "pass":
		return "Successful"
	case "fail":
		return "Failed"
	}
	return "Inconclusive"
}

func TestArgoWebProvider(t *testing.T) {
	t.Parallel()
	srv, ev := server(t)
	url := func(release string) string {
		return srv.URL + "/api/v1/gate?repo=acme/web&release=" + release + "&environment=production"
	}
	tests := map[string]struct {
		url, token, want string
	}{
		"pass is successful":          {url("web@pass"), "s3cret", "Successful"},
		"fail is failed":              {url("web@fail"), "s3cret", "Failed"},
		"pending is inconclusive":     {url("web@pending"), "s3cret", "Inconclusive"},
		"config error is an error":    {url("web@config"), "s3cret", "Error"},
		"outage is an error":          {url("web@down"), "s3cret", "Error"},
		"wrong token is an error":     {url("web@pass"), "guess", "Error"},
		"missing release is an error": {srv.URL + "/api/v1/gate?repo=acme/web&environment=production", "s3cret", "Error"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := argoMeasure(t, tc.url, tc.token); got != tc.want {
				t.Errorf("measurement %s, want %s", got, tc.want)
			}
		})
	}
	ev.mu.Lock()
	defer ev.mu.Unlock()
	for _, q := range ev.queries {
		if q.Repo != "acme/web" || q.Environment != "production" {
			t.Errorf("query %+v", q)
		}
	}
}

func TestGateJSONContractAndErrors(t *testing.T) {
	t.Parallel()
	srv, _ := server(t)
	get := func(path, token string) (*http.Response, map[string]any) {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var doc map[string]any
		if err := json.NewDecoder(res.Body).Decode(&doc); err != nil {
			t.Fatalf("%s: body is not JSON: %v", path, err)
		}
		return res, doc
	}
	res, doc := get("/api/v1/gate?repo=acme/web&release=web@pending&environment=production", "s3cret")
	if res.StatusCode != 200 || doc["verdict"] != "pending" || doc["checks"] == nil || doc["release"] != "web@pending" {
		t.Errorf("pending: %d %v", res.StatusCode, doc)
	}
	res, doc = get("/api/v1/gate?repo=acme/web&release=web@config&environment=production", "s3cret")
	if res.StatusCode != 422 || !strings.Contains(fmt.Sprint(doc["error"]), "does not know the release") {
		t.Errorf("config: %d %v", res.StatusCode, doc)
	}
	res, doc = get("/api/v1/gate?repo=acme/web&release=web@down&environment=production", "s3cret")
	if res.StatusCode != 503 || !strings.Contains(fmt.Sprint(doc["error"]), "ask again") {
		t.Errorf("down: %d %v", res.StatusCode, doc)
	}
	res, _ = get("/api/v1/gate?repo=acme/web&release=web@pass&environment=production", "")
	if res.StatusCode != 401 || res.Header.Get("WWW-Authenticate") == "" {
		t.Errorf("no token: %d", res.StatusCode)
	}
	res, doc = get("/api/v1/gate?repo=not-a-repo&release=web@pass&environment=production", "s3cret")
	if res.StatusCode != 400 || !strings.Contains(fmt.Sprint(doc["error"]), "OWNER/NAME") {
		t.Errorf("bad repo: %d %v", res.StatusCode, doc)
	}
	disabled := httptest.NewServer(&Handler{Evaluator: &fakeEvaluator{}})
	defer disabled.Close()
	r, err := http.Get(disabled.URL + "/api/v1/gate?repo=acme/web&release=web@pass&environment=production") //nolint:noctx // a test's one-off request
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != 404 {
		t.Errorf("API without a token configured answered %d, want 404", r.StatusCode)
	}
}

// flaggerCall sends what Flagger sends to a webhook (docs/gitbook/usage/webhooks.md): a POST of
// {name, namespace, phase, metadata} with the hook's timeout; Flagger reads only the status.
func flaggerCall(t *testing.T, srv *httptest.Server, hook, release string) int {
	t.Helper()
	return flaggerCallWith(t, srv, hook, release, "s3cret", "")
}

// flaggerCallWith sends the hook with a bearer token (as a proxy adds it) or, as Flagger itself
// can, the token in the metadata.
func flaggerCallWith(t *testing.T, srv *httptest.Server, hook, release, bearer, metaToken string) int {
	t.Helper()
	meta := ""
	if metaToken != "" {
		meta = fmt.Sprintf(`,"token":%q`, metaToken)
	}
	body := fmt.Sprintf(`{"name":"podinfo","namespace":"test","phase":"Progressing","metadata":{"repo":"acme/web","release":%q,"environment":"production"%s}}`, release, meta)
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+"/api/v1/flagger/"+hook, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	res, err := (&http.Client{Timeout: 15 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

func TestFlaggerHooks(t *testing.T) {
	t.Parallel()
	srv, _ := server(t)
	advances := func(code int) bool { return code >= 200 && code <= 202 }
	// want: does Flagger advance (confirm/check hooks) or roll back (rollback hook)?
	tests := []struct {
		hook, release string
		want          bool
	}{
		{"confirm-promotion", "web@pass", true},
		{"confirm-promotion", "web@pending", false},
		{"confirm-promotion", "web@fail", false},
		{"confirm-promotion", "web@config", false},
		{"confirm-rollout", "web@pending", false},
		{"confirm-traffic-increase", "web@pass", true},
		{"pre-rollout", "web@pending", true},
		{"rollout", "web@pass", true},
		{"rollout", "web@fail", false},
		{"rollout", "web@config", false},
		{"rollback", "web@fail", true},
		{"rollback", "web@config", true},
		{"rollback", "web@pass", false},
		{"rollback", "web@pending", false},
		{"post-rollout", "web@fail", true},
		{"event", "web@down", true},
		{"rollout", "web@down", false},
		{"confirm-promotion", "web@down", false},
	}
	for _, tc := range tests {
		t.Run(tc.hook+" "+tc.release, func(t *testing.T) {
			t.Parallel()
			if got := advances(flaggerCall(t, srv, tc.hook, tc.release)); got != tc.want {
				t.Errorf("2xx = %v, want %v", got, tc.want)
			}
		})
	}
	if code := flaggerCall(t, srv, "promote-now", "web@pass"); code != 404 {
		t.Errorf("unknown hook: %d", code)
	}
	for _, tc := range []struct {
		name, bearer, meta string
		want               int
	}{
		{"token in the metadata", "", "s3cret", 200},
		{"wrong token in the metadata", "", "guess", 401},
		{"no token at all", "", "", 401},
		{"wrong bearer, right metadata", "guess", "s3cret", 200},
	} {
		if code := flaggerCallWith(t, srv, "confirm-promotion", "web@pass", tc.bearer, tc.meta); code != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, code, tc.want)
		}
	}
}
