package setup_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/releasegate/releasegate/bot/manifest"
	"github.com/releasegate/releasegate/bot/setup"
	"github.com/releasegate/releasegate/internal/githubapi"
	"github.com/releasegate/releasegate/internal/githubapi/githubapitest"
)

const key = "0123456789abcdef-the-setup-key"

// rig is one setup run against the fake GitHub, and a browser (a client with a cookie jar).
type rig struct {
	gh      *githubapitest.Server
	h       *setup.Handler
	srv     *httptest.Server
	browser *http.Client
	log     *bytes.Buffer
	dir     string

	mu  sync.Mutex
	now time.Time
}

type rigOptions struct {
	org       string
	publicURL string
	store     setup.Store // nil: a FileStore in a temporary folder
}

func newRig(t *testing.T, o rigOptions) *rig {
	t.Helper()
	r := &rig{gh: githubapitest.Start(t, githubapitest.Options{AppID: 4242, AppSlug: "acme-gate"}), log: &bytes.Buffer{},
		dir: filepath.Join(t.TempDir(), "creds"), now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	f, err := githubapi.New(githubapi.Options{BaseURL: r.gh.URL(), UserAgent: "releasegate-test"})
	if err != nil {
		t.Fatal(err)
	}
	if o.publicURL == "" {
		o.publicURL = "http://localhost:8080"
	}
	m, err := manifest.New(o.publicURL, "acme-gate")
	if err != nil {
		t.Fatal(err)
	}
	store := o.store
	if store == nil {
		store = setup.FileStore{Dir: r.dir}
	}
	r.h, err = setup.New(setup.Options{
		Manifest: m, WebURL: "https://github.example.com/", Org: o.org, Exchange: f.Anonymous(), Store: store, Key: key,
		Now:    func() time.Time { r.mu.Lock(); defer r.mu.Unlock(); return r.now },
		Logger: slog.New(slog.NewTextHandler(r.log, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	r.srv = httptest.NewServer(r.h)
	t.Cleanup(r.srv.Close)
	r.browser = newBrowser(t)
	return r
}

func newBrowser(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func (r *rig) advance(d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.now = r.now.Add(d)
}

func get(t *testing.T, c *http.Client, u string) (int, string, http.Header) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body), resp.Header
}

var (
	formAction    = regexp.MustCompile(`<form method="post" action="([^"]+)">`)
	manifestField = regexp.MustCompile(`<input type="hidden" name="manifest" value="([^"]+)">`)
)

// start opens the setup page in browser and returns where its form posts and the manifest.
func (r *rig) start(t *testing.T, browser *http.Client) (action *url.URL, m map[string]any) {
	t.Helper()
	status, body, _ := get(t, browser, r.srv.URL+r.h.SetupPath())
	if status != http.StatusOK {
		t.Fatalf("GET /setup: %d\n%s", status, body)
	}
	a, f := formAction.FindStringSubmatch(body), manifestField.FindStringSubmatch(body)
	if a == nil || f == nil {
		t.Fatalf("the page has no manifest form:\n%s", body)
	}
	action, err := url.Parse(html.UnescapeString(a[1]))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(html.UnescapeString(f[1])), &m); err != nil {
		t.Fatalf("the manifest field is not JSON: %v", err)
	}
	return action, m
}

// callback is GitHub's redirect back to the App's redirect_url, in browser.
func (r *rig) callback(t *testing.T, browser *http.Client, code, state string) (int, string) {
	t.Helper()
	status, body, _ := get(t, browser, r.srv.URL+"/setup/callback?"+url.Values{"code": {code}, "state": {state}}.Encode())
	return status, body
}

func TestFlowStoresFiles(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigOptions{})
	action, m := r.start(t, r.browser)
	if got := action.Scheme + "://" + action.Host + action.Path; got != "https://github.example.com/settings/apps/new" {
		t.Errorf("the form posts to %s, want the signed-in user's new App page", got)
	}
	state := action.Query().Get("state")
	if len(state) < 40 {
		t.Errorf("state %q is too short to be random", state)
	}
	if m["redirect_url"] != "http://localhost:8080/setup/callback" || m["name"] != "acme-gate" {
		t.Errorf("manifest = %v", m)
	}

	r.gh.AddManifestCode("code-1")
	status, body := r.callback(t, r.browser, "code-1", state)
	if status != http.StatusOK {
		t.Fatalf("callback: %d\n%s", status, body)
	}
	select {
	case res := <-r.h.Done():
		if res.App.ID != 4242 || len(res.Stored.Files) != 5 {
			t.Errorf("result = %v, %+v", res.App, res.Stored)
		}
	default:
		t.Fatal("Done yielded nothing after the credentials were stored")
	}
	want := map[string]string{
		"app-id": "4242\n", "webhook-secret": "webhook-secret-code-1\n", "client-id": "Iv1.githubapitest\n", "client-secret": "client-secret-code-1\n",
		"private-key.pem": strings.TrimRight(string(r.gh.PrivateKey()), "\n") + "\n",
	}
	for name, content := range want {
		p := filepath.Join(r.dir, name)
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", name, fi.Mode().Perm())
		}
		if got, _ := os.ReadFile(p); string(got) != content {
			t.Errorf("%s = %q, want %q", name, got, content)
		}
	}
	if entries, _ := os.ReadDir(r.dir); len(entries) != len(want) {
		t.Errorf("the folder holds %d entries, want only the %d credentials (no temporary files)", len(entries), len(want))
	}
	for _, secret := range []string{"webhook-secret-code-1", "client-secret-code-1", "PRIVATE KEY"} {
		if strings.Contains(body, secret) {
			t.Errorf("the closing page shows a secret (%s)", secret)
		}
		if strings.Contains(r.log.String(), secret) {
			t.Errorf("the log shows a secret (%s):\n%s", secret, r.log)
		}
	}
	for _, next := range []string{"RELEASEGATE_GITHUB_APP_ID=4242", "/installations/new", "Deployment protection rules"} {
		if !strings.Contains(body, next) {
			t.Errorf("the closing page does not say %q:\n%s", next, body)
		}
	}
	// The run is over: the page and the callback say so, and GitHub is not asked again.
	if status, _, _ := get(t, r.browser, r.srv.URL+r.h.SetupPath()); status != http.StatusGone {
		t.Errorf("GET /setup after the end: %d, want 410", status)
	}
	if status, _ := r.callback(t, r.browser, "code-1", state); status != http.StatusGone {
		t.Errorf("the callback replayed after the end: %d, want 410", status)
	}
	if n := len(r.gh.CallsTo("POST /app-manifests/{code}/conversions")); n != 1 {
		t.Errorf("%d conversions, want 1", n)
	}
}

func TestFlowForAnOrganization(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigOptions{org: "acme", publicURL: "https://gate.example.com"})
	status, _, header := get(t, r.browser, r.srv.URL+r.h.SetupPath())
	if status != http.StatusOK {
		t.Fatal(status)
	}
	c := header.Get("Set-Cookie")
	for _, attr := range []string{"HttpOnly", "Secure", "SameSite=Lax", "Path=/setup"} {
		if !strings.Contains(c, attr) {
			t.Errorf("the state cookie lacks %s: %s", attr, c)
		}
	}
	action, _ := r.start(t, newBrowser(t))
	if action.Path != "/organizations/acme/settings/apps/new" {
		t.Errorf("the form posts to %s, want the organization's new App page", action)
	}
}

// TestCallbackRefused: every callback that is not this run's, from this browser, once and in
// time, is refused before GitHub is asked, and the run goes on (a fresh page still works).
func TestCallbackRefused(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		// call makes the callback; it returns how many conversions GitHub should have seen.
		call       func(t *testing.T, r *rig, state string) (int, string, int)
		wantStatus int
	}{
		{"a state this run never issued", func(t *testing.T, r *rig, _ string) (int, string, int) {
			s, b := r.callback(t, r.browser, "code-1", "forged-state-forged-state-forged-state-xx")
			return s, b, 0
		}, http.StatusBadRequest},
		{"no state", func(t *testing.T, r *rig, _ string) (int, string, int) {
			s, b := r.callback(t, r.browser, "code-1", "")
			return s, b, 0
		}, http.StatusBadRequest},
		{"another browser (no cookie)", func(t *testing.T, r *rig, state string) (int, string, int) {
			s, b := r.callback(t, newBrowser(t), "code-1", state)
			return s, b, 0
		}, http.StatusBadRequest},
		{"another page's state in this browser", func(t *testing.T, r *rig, state string) (int, string, int) {
			other := newBrowser(t)
			a, _ := r.start(t, other) // a second page, in a second browser
			s, b := r.callback(t, r.browser, "code-1", a.Query().Get("state"))
			return s, b, 0
		}, http.StatusBadRequest},
		{"the state expired", func(t *testing.T, r *rig, state string) (int, string, int) {
			r.advance(setup.StateTTL + time.Second)
			s, b := r.callback(t, r.browser, "code-1", state)
			return s, b, 0
		}, http.StatusBadRequest},
		{"the same code and state twice", func(t *testing.T, r *rig, state string) (int, string, int) {
			r.gh.AddManifestCode("code-2")
			// The first use fails at GitHub (an unknown code), so the run is not over; the
			// replay must not reach GitHub again.
			if s, b := r.callback(t, r.browser, "code-2-typo", state); s != http.StatusBadGateway {
				t.Fatalf("first use: %d\n%s", s, b)
			}
			s, b := r.callback(t, r.browser, "code-2", state)
			return s, b, 1
		}, http.StatusBadRequest},
		{"no code", func(t *testing.T, r *rig, state string) (int, string, int) {
			s, b := r.callback(t, r.browser, "", state)
			return s, b, 0
		}, http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, rigOptions{})
			action, _ := r.start(t, r.browser)
			status, body, conversions := tc.call(t, r, action.Query().Get("state"))
			if status != tc.wantStatus {
				t.Errorf("status %d, want %d\n%s", status, tc.wantStatus, body)
			}
			if n := len(r.gh.CallsTo("POST /app-manifests/{code}/conversions")); n != conversions {
				t.Errorf("GitHub saw %d conversions, want %d", n, conversions)
			}
			if entries, _ := os.ReadDir(r.dir); len(entries) != 0 {
				t.Errorf("files were written: %v", entries)
			}
			select {
			case <-r.h.Done():
				t.Error("Done yielded for a refused callback")
			default:
			}
			// The run goes on: a fresh page in the same browser completes it.
			a, _ := r.start(t, r.browser)
			r.gh.AddManifestCode("fresh")
			if s, b := r.callback(t, r.browser, "fresh", a.Query().Get("state")); s != http.StatusOK {
				t.Errorf("a fresh start after the refusal: %d\n%s", s, b)
			}
		})
	}
}

func TestSetupPageNeedsTheKey(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigOptions{})
	for _, tc := range []struct{ name, path string }{
		{"no key", "/setup"},
		{"wrong key", "/setup?key=0123456789abcdef-the-setup-kez"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			status, body, header := get(t, newBrowser(t), r.srv.URL+tc.path)
			if status != http.StatusForbidden || strings.Contains(body, "manifest") || header.Get("Set-Cookie") != "" {
				t.Errorf("%s: %d, cookie %q\n%s", tc.path, status, header.Get("Set-Cookie"), body)
			}
		})
	}
	resp, err := http.Post(r.srv.URL+"/setup/callback", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /setup/callback: %d", resp.StatusCode)
	}
}

// failingStore fails as a full disk would.
type failingStore struct{}

func (failingStore) Store(context.Context, *githubapi.AppCredentials) (setup.Stored, error) {
	return setup.Stored{}, errors.New("no space left on device")
}

func TestStoreFailure(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigOptions{store: failingStore{}})
	action, _ := r.start(t, r.browser)
	r.gh.AddManifestCode("lost")
	status, body := r.callback(t, r.browser, "lost", action.Query().Get("state"))
	if status != http.StatusInternalServerError || !strings.Contains(body, "no space left on device") || !strings.Contains(body, "generate a new private key") {
		t.Errorf("%d\n%s", status, body)
	}
	select {
	case <-r.h.Done():
		t.Error("Done yielded though nothing was stored")
	default:
	}
}

func TestFileStore(t *testing.T) {
	t.Parallel()
	creds := &githubapi.AppCredentials{ID: 9, PEM: "-----BEGIN RSA PRIVATE KEY-----\nx\n-----END RSA PRIVATE KEY-----\n", WebhookSecret: "w"}
	dir := filepath.Join(t.TempDir(), "new", "creds")
	s := setup.FileStore{Dir: dir}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("the folder was not made with mode 0700: %v %v", fi.Mode(), err)
	}
	stored, err := s.Store(t.Context(), creds)
	if err != nil {
		t.Fatal(err)
	}
	if len(stored.Files) != 3 { // no OAuth client given: no client-id, client-secret
		t.Errorf("stored %+v", stored.Files)
	}
	// Again: every existing file is refused, before and at the write, and left as it was.
	var exists *setup.ExistsError
	if err := s.Check(); !errors.As(err, &exists) || !strings.Contains(err.Error(), "--force") {
		t.Errorf("Check over existing files: %v", err)
	}
	other := *creds
	other.WebhookSecret = "replaced"
	if _, err := s.Store(t.Context(), &other); !errors.As(err, &exists) {
		t.Errorf("Store over existing files: %v", err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "webhook-secret")); string(got) != "w\n" {
		t.Errorf("webhook-secret = %q after a refused store", got)
	}
	// --force replaces them, still 0600.
	if _, err := (setup.FileStore{Dir: dir, Force: true}).Store(t.Context(), &other); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "webhook-secret")
	if got, _ := os.ReadFile(p); string(got) != "replaced\n" {
		t.Errorf("webhook-secret = %q after --force", got)
	}
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v after --force", fi.Mode().Perm())
	}
	// A file where the folder should be.
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o600)
	if err := (setup.FileStore{Dir: file}).Check(); err == nil {
		t.Error("a file was accepted as the credentials folder")
	}
}

func TestNewAppURL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, web, org, want string }{
		{"personal", "https://github.com/", "", "https://github.com/settings/apps/new"},
		{"organization", "https://github.com", "acme-inc", "https://github.com/organizations/acme-inc/settings/apps/new"},
		{"enterprise server", "https://ghe.example.com/", "ops", "https://ghe.example.com/organizations/ops/settings/apps/new"},
		{"local http", "http://127.0.0.1:9999/", "", "http://127.0.0.1:9999/settings/apps/new"},
		{"plain http elsewhere", "http://github.com/", "", ""},
		{"not a URL", "github.com", "", ""},
		{"a path in the org", "https://github.com/", "acme/../x", ""},
		{"a query", "https://github.com/?x=1", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := setup.NewAppURL(tc.web, tc.org)
			if tc.want == "" {
				if err == nil {
					t.Errorf("accepted: %s", got)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestPrintStore(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	r := newRig(t, rigOptions{store: setup.PrintStore{W: &out}})
	action, _ := r.start(t, r.browser)
	r.gh.AddManifestCode("printed")
	status, body := r.callback(t, r.browser, "printed", action.Query().Get("state"))
	if status != http.StatusOK {
		t.Fatalf("%d\n%s", status, body)
	}
	for _, want := range []string{"RELEASEGATE_GITHUB_APP_ID=4242", "RELEASEGATE_GITHUB_WEBHOOK_SECRET=webhook-secret-printed",
		"client-secret-printed", strings.TrimSpace(string(r.gh.PrivateKey()))} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the terminal does not show %q", want)
		}
	}
	if strings.Contains(body, "webhook-secret-printed") || strings.Contains(r.log.String(), "webhook-secret-printed") {
		t.Error("the page or the log shows the printed secret")
	}
	if entries, _ := os.ReadDir(r.dir); len(entries) != 0 {
		t.Errorf("--print wrote files: %v", entries)
	}
}
