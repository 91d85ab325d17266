package main

import (
	"bytes"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/releasegate/releasegate/internal/githubapi/githubapitest"
)

var setupFormAction = regexp.MustCompile(`<form method="post" action="([^"]+)">`)

// TestAppSetup runs `app setup` against the fake GitHub, playing the browser: the printed link,
// GitHub's redirect back with a code, and the command's end once the credentials are stored.
func TestAppSetup(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		print bool
	}{
		{"files", false},
		{"printed", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			gh := githubapitest.Start(t, githubapitest.Options{AppID: 31337, AppSlug: "acme-gate"})
			e := newCLIEnv(t, map[string]string{"RELEASEGATE_GITHUB_API_URL": gh.URL(), "RELEASEGATE_GITHUB_URL": "https://github.example.com/"})
			e.Dir = t.TempDir()
			var out, errOut bytes.Buffer
			opts := &AppSetupOptions{
				Factory:   e.factory(&IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}),
				PublicURL: "http://localhost:8080", Listen: "127.0.0.1:0", Org: "acme", Print: tc.print,
			}
			if !tc.print {
				opts.Out = "creds" // relative: anchored at the working folder
			}
			ready := make(chan [2]string, 1)
			opts.Listening = func(addr, link string) { ready <- [2]string{addr, link} }
			done := make(chan error, 1)
			go func() { done <- appSetupRun(t.Context(), opts) }()
			var addr, link string
			select {
			case l := <-ready:
				addr, link = l[0], l[1]
			case err := <-done:
				t.Fatalf("app setup ended before listening: %v\n%s", err, errOut.String())
			}
			if !strings.Contains(errOut.String(), link) || !strings.HasPrefix(link, "http://localhost:8080/setup?key=") {
				t.Errorf("the link %q was not printed as the public URL's:\n%s", link, errOut.String())
			}

			jar, _ := cookiejar.New(nil)
			browser := &http.Client{Jar: jar}
			local := "http://" + addr + strings.TrimPrefix(link, "http://localhost:8080")
			body := fetch(t, browser, local)
			m := setupFormAction.FindStringSubmatch(body)
			if m == nil {
				t.Fatalf("no form on the setup page:\n%s", body)
			}
			action, err := url.Parse(html.UnescapeString(m[1]))
			if err != nil || action.Path != "/organizations/acme/settings/apps/new" {
				t.Fatalf("the form posts to %v (%v)", action, err)
			}
			gh.AddManifestCode("the-code")
			body = fetch(t, browser, "http://"+addr+"/setup/callback?"+url.Values{"code": {"the-code"}, "state": {action.Query().Get("state")}}.Encode())
			if !strings.Contains(body, "The App is created") {
				t.Errorf("the closing page:\n%s", body)
			}
			if err := <-done; err != nil {
				t.Fatalf("app setup: %v\n%s", err, errOut.String())
			}
			if !strings.Contains(errOut.String(), "GitHub created the App acme-gate (ID 31337)") {
				t.Errorf("stderr does not say what was made:\n%s", errOut.String())
			}
			dir := filepath.Join(e.Dir, "creds")
			if tc.print {
				if !strings.Contains(out.String(), "RELEASEGATE_GITHUB_WEBHOOK_SECRET=webhook-secret-the-code") || !strings.Contains(out.String(), "PRIVATE KEY") {
					t.Errorf("stdout does not hold the credentials:\n%s", out.String())
				}
				if _, err := os.Stat(dir); err == nil {
					t.Error("--print wrote files")
				}
			} else {
				for _, name := range []string{"app-id", "private-key.pem", "webhook-secret", "client-id", "client-secret"} {
					fi, err := os.Stat(filepath.Join(dir, name))
					if err != nil || fi.Mode().Perm() != 0o600 {
						t.Errorf("%s: %v, %v", name, fi, err)
					}
				}
				if out.Len() != 0 {
					t.Errorf("stdout with --out: %q", out.String())
				}
			}
			if strings.Contains(errOut.String(), "webhook-secret-the-code") || strings.Contains(errOut.String(), "PRIVATE KEY") {
				t.Errorf("stderr shows a secret:\n%s", errOut.String())
			}
			if n := len(gh.CallsTo("POST /app-manifests/{code}/conversions")); n != 1 {
				t.Errorf("%d conversions", n)
			}
		})
	}
}

func fetch(t *testing.T, c *http.Client, u string) string {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// TestAppSetupRefusesBeforeListening: mistakes are found before GitHub is asked (it shows the
// private key only once).
func TestAppSetupRefusesBeforeListening(t *testing.T) {
	t.Parallel()
	existing := t.TempDir()
	os.WriteFile(filepath.Join(existing, "private-key.pem"), []byte("old"), 0o600)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"neither --out nor --print", []string{"--public-url", "https://gate.example.com"}, "out print"},
		{"both --out and --print", []string{"--public-url", "https://gate.example.com", "--out", "x", "--print"}, "none of the others"},
		{"no public URL", []string{"--print"}, "--public-url is required"},
		{"an http public URL", []string{"--public-url", "http://gate.example.com", "--print"}, "must be https"},
		{"--force without --out", []string{"--public-url", "https://gate.example.com", "--print", "--force"}, "--force goes with --out"},
		{"a key already there", []string{"--public-url", "https://gate.example.com", "--out", existing}, "private-key.pem already exists"},
		{"a bad organization", []string{"--public-url", "https://gate.example.com", "--print", "--org", "a/b"}, "not a GitHub organization"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// Port 1: were it listened on, the test would fail to bind rather than hang.
			e := newCLIEnv(t, map[string]string{"RELEASEGATE_LISTEN": "127.0.0.1:1"})
			code, _, stderr := e.run(t, "", append([]string{"app", "setup"}, tc.args...)...)
			if code != exitUsage || !strings.Contains(stderr, tc.want) || strings.Contains(stderr, "listening") {
				t.Errorf("exit %d, want %d and %q:\n%s", code, exitUsage, tc.want, stderr)
			}
		})
	}
	if got, _ := os.ReadFile(filepath.Join(existing, "private-key.pem")); string(got) != "old" {
		t.Error("the existing key was touched")
	}
}

func TestAppHealthcheck(t *testing.T) {
	t.Parallel()
	status := map[string]int{"/healthy/healthz": http.StatusOK, "/sick/healthz": http.StatusServiceUnavailable}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		code, ok := status[r.URL.Path]
		if !ok {
			code = http.StatusNotFound
		}
		w.WriteHeader(code)
	}))
	t.Cleanup(srv.Close)
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	for _, tc := range []struct {
		name string
		vars map[string]string
		args []string
		want int
	}{
		{"healthy", nil, []string{"--url", srv.URL + "/healthy/healthz"}, exitOK},
		{"unhealthy", nil, []string{"--url", srv.URL + "/sick/healthz"}, exitNo},
		{"nothing listening", nil, []string{"--url", dead.URL + "/healthz"}, exitNo},
		{"the port from RELEASEGATE_LISTEN", map[string]string{"RELEASEGATE_LISTEN": ":" + strings.Split(dead.URL, ":")[2]}, nil, exitNo},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, _, stderr := newCLIEnv(t, tc.vars).run(t, "", append([]string{"app", "healthcheck"}, tc.args...)...)
			if code != tc.want {
				t.Errorf("exit %d, want %d\n%s", code, tc.want, stderr)
			}
		})
	}
}

func TestHealthzURL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ listen, want string }{
		{":8080", "http://127.0.0.1:8080/healthz"},
		{"0.0.0.0:9090", "http://127.0.0.1:9090/healthz"},
		{"[::]:9090", "http://127.0.0.1:9090/healthz"},
		{"10.0.0.5:80", "http://10.0.0.5:80/healthz"},
		{"[::1]:8080", "http://[::1]:8080/healthz"},
		{"nonsense", "http://127.0.0.1:8080/healthz"},
	} {
		t.Run(tc.listen, func(t *testing.T) {
			t.Parallel()
			if got := healthzURL(tc.listen); got != tc.want {
				t.Errorf("healthzURL(%q) = %q, want %q", tc.listen, got, tc.want)
			}
		})
	}
}
