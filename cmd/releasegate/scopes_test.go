package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/releasegate/releasegate/internal/sentryapi"
	"github.com/releasegate/releasegate/internal/sentryapi/sentryapitest"
	"github.com/releasegate/releasegate/internal/sentrycheck"
)

// documentedScopes reads the first table of docs/sentry-token.md: capability → scopes.
func documentedScopes(t *testing.T) map[sentrycheck.Capability][]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "docs", "sentry-token.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(data), "## Scopes per capability")
	if !ok {
		t.Fatal(`docs/sentry-token.md has no "## Scopes per capability" section`)
	}
	row := regexp.MustCompile("(?m)^\\| `(\\w+)` \\| .* \\| ((?:`[a-z]+:[a-z]+`(?:, )?)+) \\|$")
	scope := regexp.MustCompile("`([a-z]+:[a-z]+)`")
	out := map[sentrycheck.Capability][]string{}
	for _, m := range row.FindAllStringSubmatch(table, -1) {
		cp := sentrycheck.Capability(m[1])
		if _, seen := out[cp]; seen {
			break // the next table (the action's inputs) starts
		}
		for _, s := range scope.FindAllStringSubmatch(m[2], -1) {
			out[cp] = append(out[cp], s[1])
		}
	}
	return out
}

// TestDocumentedScopesMatchTheCheck: the table people read and the one `sentry check` uses
// are the same.
func TestDocumentedScopesMatchTheCheck(t *testing.T) {
	t.Parallel()
	doc := documentedScopes(t)
	for _, cp := range sentrycheck.All {
		var want []string
		for _, n := range sentrycheck.Needs(cp) {
			want = append(want, n.Scope)
		}
		if got := doc[cp]; !slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))) {
			t.Errorf("docs/sentry-token.md lists %q for %s; sentrycheck.Needs says %q", got, cp, want)
		}
	}
	if len(doc) != len(sentrycheck.All) {
		t.Errorf("docs/sentry-token.md lists %d capabilities, want %d: %v", len(doc), len(sentrycheck.All), doc)
	}
}

// scopeRun is how a capability is exercised: the commands to run in order, each of which must
// exit with one of ok (with the documented scopes).
type scopeRun struct {
	setup func(t *testing.T, srv *sentryapitest.Server, dir string)
	cmds  [][]string
	ok    []int
}

// unrelatedScope is a scope no command uses: a token with only it has "nothing" (the local
// Sentry gives a token configured without scopes every scope).
const unrelatedScope = "alerts:read"

// TestDocumentedScopes runs each capability's real commands against the local Sentry, which
// grants each call exactly the scopes Sentry's permission classes do, with a token holding the
// scopes docs/sentry-token.md lists: they succeed. Then once per scope with a token lacking
// only that one: the first command that needs it exits 2 and names it, and `sentry check`
// names it too, whatever the gate's on_error says.
func TestDocumentedScopes(t *testing.T) {
	t.Parallel()
	doc := documentedScopes(t)
	sample, err := filepath.Abs(filepath.Join("..", "..", "testdata", "sample-build"))
	if err != nil {
		t.Fatal(err)
	}
	runs := map[sentrycheck.Capability]scopeRun{
		sentrycheck.Upload: {
			setup: func(t *testing.T, _ *sentryapitest.Server, dir string) {
				if err := os.CopyFS(filepath.Join(dir, "dist"), os.DirFS(sample)); err != nil {
					t.Fatal(err)
				}
			},
			// The build is named by its full path: sourcemaps' paths are the process's (cliEnv).
			cmds: [][]string{{"sourcemaps", "upload", "--release", "web@1.0.0", "$DIR/dist"}},
			ok:   []int{exitOK},
		},
		sentrycheck.Release: {
			cmds: [][]string{
				{"release", "new", "web@1.0.0"},
				{"release", "deploy", "web@1.0.0", "--env", "production"},
				{"release", "finalize", "web@1.0.0"},
				{"release", "info", "web@1.0.0"},
			},
			ok: []int{exitOK},
		},
		sentrycheck.Ownership: {
			setup: func(t *testing.T, srv *sentryapitest.Server, dir string) {
				srv.AddTeam("acme", "frontend", "web")
				srv.AddMember("acme", "alice@example.com", "frontend")
				writeFile(t, filepath.Join(dir, "sentry.properties"), "defaults.org = acme\ndefaults.project = web\n"+
					"ownership.rules = path:src/* #frontend\\\n  path:src/cart/* alice@example.com\n")
			},
			cmds: [][]string{{"ownership", "check", "."}, {"ownership", "sync", "."}},
			ok:   []int{exitOK},
		},
		sentrycheck.Gate: {
			setup: func(t *testing.T, srv *sentryapitest.Server, dir string) {
				writeFile(t, filepath.Join(dir, "policy.yml"), "environments:\n  production:\n    projects: [web]\n    soak: 1m\n    deadline: 2h\n"+
					"    on_error: pass\n    new_issues:\n      events_per_hour: 1000\n    context:\n      required: [request_id]\n")
				api, err := sentryapi.New(sentryapi.Options{BaseURL: srv.URL(), Token: srv.Token(), HTTPClient: srv.Client()})
				if err != nil {
					t.Fatal(err)
				}
				ctx := context.Background()
				deployed := time.Now().Add(-30 * time.Minute)
				if _, _, err := api.CreateRelease(ctx, "acme", sentryapi.NewRelease{Version: "web@1.0.0", Projects: []string{"web"}}); err != nil {
					t.Fatal(err)
				}
				if _, err := api.CreateDeploy(ctx, "acme", "web@1.0.0", sentryapi.NewDeploy{Environment: "production", DateStarted: &deployed, DateFinished: &deployed}); err != nil {
					t.Fatal(err)
				}
				if _, err := srv.Ingest("web", sentryapitest.Event{Release: "web@1.0.0", Environment: "production", Timestamp: time.Now().Add(-10 * time.Minute),
					Exceptions: []sentryapitest.Exception{{Type: "TypeError", Value: "cart.items is undefined"}}}); err != nil {
					t.Fatal(err)
				}
			},
			// The gate's verdict may be pass or fail: either way it decided.
			cmds: [][]string{{"gate", "--release", "web@1.0.0", "--environment", "production", "--policy", "policy.yml", "--on-error", "pass"}},
			ok:   []int{exitOK, exitNo},
		},
	}
	for _, cp := range sentrycheck.All {
		run, documented := runs[cp], doc[cp]
		if len(documented) == 0 {
			t.Fatalf("docs/sentry-token.md lists no scopes for %s", cp)
		}
		try := func(t *testing.T, scopes []string) (code int, stderr string, check string) {
			srv := sentryapitest.Start(t, sentryapitest.Options{Org: "acme", Projects: []string{"web"}})
			e := sentryEnv(t, srv).with("SENTRY_ORG", "acme", "SENTRY_PROJECT", "web", "SENTRY_HTTP_MAX_RETRIES", "0")
			dir := t.TempDir()
			e.Dir = dir
			if run.setup != nil {
				run.setup(t, srv, dir)
			}
			srv.AddToken("scoped", append(slices.Clone(scopes), unrelatedScope)...)
			e.Vars["SENTRY_AUTH_TOKEN"] = "scoped"
			_, check, _ = e.run(t, "", "sentry", "check", "--for", string(cp))
			for _, args := range run.cmds {
				args = slices.Clone(args)
				for i := range args {
					args[i] = strings.ReplaceAll(args[i], "$DIR", dir)
				}
				code, _, stderr = e.run(t, "", args...)
				if !slices.Contains(run.ok, code) {
					return code, stderr, check
				}
			}
			return code, stderr, check
		}
		t.Run(string(cp), func(t *testing.T) {
			t.Parallel()
			code, stderr, check := try(t, documented)
			if !slices.Contains(run.ok, code) {
				t.Fatalf("with %q: exit %d, want one of %v\n%s", documented, code, run.ok, stderr)
			}
			if !strings.Contains(check, "ok: 1 of 1 capabilities ok") {
				t.Errorf("with %q, sentry check says:\n%s", documented, check)
			}
			for i, s := range documented {
				without := slices.Delete(slices.Clone(documented), i, i+1)
				t.Run("without "+s, func(t *testing.T) {
					t.Parallel()
					code, stderr, check := try(t, without)
					if code != exitUsage {
						t.Fatalf("with %q: exit %d, want 2\n%s", without, code, stderr)
					}
					if !strings.Contains(stderr, s) || !strings.Contains(stderr, "403") {
						t.Errorf("with %q: stderr does not name %s with Sentry's 403:\n%s", without, s, stderr)
					}
					if !strings.Contains(check, "missing scope") || !strings.Contains(check, s) {
						t.Errorf("with %q: sentry check does not name %s:\n%s", without, s, check)
					}
				})
			}
		})
	}
}
