package main

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/releasegate/releasegate/internal/sentryapi/sentryapitest"
)

const troubleshootingPath = "../../docs/troubleshooting.md"

// troubleScenario is one common failure, run through the real CLI: the page quotes the line
// it prints, so the page cannot drift from the commands' words.
type troubleScenario struct {
	section, title string
	// setup gives the environment and the command line.
	setup func(t *testing.T) (*cliEnv, []string)
	// find picks the line to quote: the first line of stdout or stderr containing it
	// (default "releasegate: ", the line an error is printed on).
	find  string
	code  int
	cause string
	fix   string
}

// troubleFiles writes files (path, content, ...) under a new folder and returns it.
func troubleFiles(t *testing.T, kv ...string) string {
	t.Helper()
	dir := t.TempDir()
	for i := 0; i+1 < len(kv); i += 2 {
		writeFileAt(t, filepath.Join(dir, kv[i]), kv[i+1])
	}
	return dir
}

// troubleSentry is a local Sentry with organization acme and project web, and the CLI pointed
// at it, in dir, without retries.
func troubleSentry(t *testing.T, dir string) *cliEnv {
	t.Helper()
	srv := sentryapitest.Start(t, sentryapitest.Options{Org: "acme", Projects: []string{"web"}})
	e := sentryEnv(t, srv).with("SENTRY_ORG", "acme", "SENTRY_PROJECT", "web", "SENTRY_HTTP_MAX_RETRIES", "0")
	e.Dir = dir
	return e
}

const (
	troubleMap  = `{"version":3,"sources":["a.ts"],"sourcesContent":["x"],"names":[],"mappings":"AAAA,IAEA"}`
	troublePEM  = "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n"
	troubleGood = "function a(){}\n//# sourceMappingURL=app.js.map\n"
)

func troubleScenarios() []troubleScenario {
	closed := httptest.NewServer(nil)
	closed.Close() // its address now refuses connections
	return []troubleScenario{
		{
			section: "sourcemaps validate", title: "A map that does not match its file",
			setup: func(t *testing.T) (*cliEnv, []string) {
				e := newCLIEnv(t, nil)
				e.Dir = troubleFiles(t, "dist/app.js", "a();\n//# sourceMappingURL=app.js.map\n", "dist/app.js.map", troubleMap)
				return e, []string{"sourcemaps", "validate", "dist"}
			},
			find: "error", code: exitNo,
			cause: "The map and the sources it embeds disagree: a mapping points past the end of its original file in `sourcesContent`. The map comes from another build than its sources, or a later step rewrote one without the other.",
			fix:   "Make the last step that changes the file also write its map (the bundler's own minifier, or pass the input map to the tool that rewrites it), and validate the output folder the deploy ships.",
		},
		{
			section: "sourcemaps validate", title: "A file with no sourceMappingURL",
			setup: func(t *testing.T) (*cliEnv, []string) {
				e := newCLIEnv(t, nil)
				e.Dir = troubleFiles(t, "dist/app.js", "function a(){}\n")
				return e, []string{"sourcemaps", "validate", "dist"}
			},
			find: "no source map found", code: exitOK,
			cause: "The file names no map (no `//# sourceMappingURL=` comment) and no `app.js.map` lies beside it, so Sentry cannot unminify its errors. It is a warning (exit 0): a file may rightly have no map; `upload` then sends it without one.",
			fix:   "Turn source maps on in the bundler for the production build (`devtool: 'source-map'`, `build.sourcemap: true`, `--sourcemap`); hidden maps are fine as long as the `.map` file is written beside the file.",
		},
		{
			section: "sourcemaps validate", title: "Nothing to validate",
			setup: func(t *testing.T) (*cliEnv, []string) {
				e := newCLIEnv(t, nil)
				e.Dir = troubleFiles(t, "dist/.keep", "")
				return e, []string{"sourcemaps", "validate", "dist"}
			},
			find: "no generated files", code: exitNo,
			cause: "The folder holds no `.js`, `.cjs` or `.mjs` file: the build writes elsewhere, or did not run.",
			fix:   "Pass the folder the build writes, `--ext` for other extensions, or `--allow-empty` when an empty build is expected.",
		},
		{
			section: "sourcemaps inject", title: "A map that is not JSON",
			setup: func(t *testing.T) (*cliEnv, []string) {
				e := newCLIEnv(t, nil)
				e.Dir = troubleFiles(t, "dist/app.js", troubleGood, "dist/app.js.map", "this is not a source map\n")
				return e, []string{"sourcemaps", "inject", "dist"}
			},
			find: "not JSON", code: exitNo,
			cause: "inject validates before it writes, and a broken map would get a debug ID Sentry can never use.",
			fix:   "Fix the build so it writes a real map; `--no-validate` injects anyway (not recommended).",
		},
		{
			section: "sourcemaps upload", title: "No auth token",
			setup: func(t *testing.T) (*cliEnv, []string) {
				e := troubleSentry(t, troubleFiles(t, "dist/app.js", troubleGood, "dist/app.js.map", `{"version":3,"sources":["a.ts"],"sourcesContent":["function a(){}"],"names":[],"mappings":"AAAA"}`))
				return e.with("SENTRY_AUTH_TOKEN", ""), []string{"sourcemaps", "upload", "dist"}
			},
			code:  exitUsage,
			cause: "No token was given in any of the places releasegate reads, the same ones as sentry-cli.",
			fix:   "Set `SENTRY_AUTH_TOKEN` (in CI, from a secret); [sentry-token.md](sentry-token.md) lists the scopes each command needs.",
		},
		{
			section: "sourcemaps upload", title: "A token without the scope",
			setup: func(t *testing.T) (*cliEnv, []string) {
				e := troubleSentry(t, troubleFiles(t, "dist/app.js", troubleGood, "dist/app.js.map", `{"version":3,"sources":["a.ts"],"sourcesContent":["function a(){}"],"names":[],"mappings":"AAAA"}`))
				e.AddToken("sntryu_readonly", "project:read")
				return e.with("SENTRY_AUTH_TOKEN", "sntryu_readonly"), []string{"sourcemaps", "upload", "dist"}
			},
			code:  exitUsage,
			cause: "Sentry refused the request with 403: the token lacks a scope the upload needs.",
			fix:   "Create a token with `project:releases` (or an organization token); `releasegate sentry check --for upload` says what a token can do.",
		},
		{
			section: "release", title: "A release name Sentry refuses",
			setup: func(t *testing.T) (*cliEnv, []string) {
				return troubleSentry(t, t.TempDir()), []string{"release", "new", "web/1.0"}
			},
			code:  exitUsage,
			cause: "Sentry's release names may not contain `/`, `\\`, tabs or line breaks, be `.`, `..` or `latest`, or pass 200 characters.",
			fix:   "Name releases `project@version` or by the commit SHA (`release.name: \"{sha}\"` in the policy).",
		},
		{
			section: "release", title: "An organization Sentry does not know",
			setup: func(t *testing.T) (*cliEnv, []string) {
				return troubleSentry(t, t.TempDir()).with("SENTRY_ORG", "acne"), []string{"release", "new", "web@1.0.0"}
			},
			code:  exitUsage,
			cause: "Sentry answered 404 for the organization: a typo in the slug, or a token from another organization.",
			fix:   "Use the slug from the organization's URL in Sentry (`SENTRY_ORG`, `--org` or `defaults.org`).",
		},
		{
			section: "release", title: "Sentry unreachable",
			setup: func(t *testing.T) (*cliEnv, []string) {
				return troubleSentry(t, t.TempDir()).with("SENTRY_URL", closed.URL), []string{"release", "new", "web@1.0.0"}
			},
			code:  exitUndecided,
			cause: "The connection failed (after the retries): Sentry is down, or the URL or the network is wrong. Exit 3 means nothing was decided, never that the release is bad.",
			fix:   "Check `SENTRY_URL` and that the runner can reach it; retry the job. `--log-level debug` shows each request and retry.",
		},
		{
			section: "release", title: "Sentry failing",
			setup: func(t *testing.T) (*cliEnv, []string) {
				e := troubleSentry(t, t.TempDir())
				e.InjectFault(sentryapitest.Fault{Status: http.StatusServiceUnavailable})
				return e, []string{"release", "new", "web@1.0.0"}
			},
			code:  exitUndecided,
			cause: "Sentry answered 5xx after the retries.",
			fix:   "Retry later; Sentry's status page says whether it is an outage. `SENTRY_HTTP_MAX_RETRIES` sets how often a request is retried.",
		},
		{
			section: "ownership check", title: "An unknown key in sentry.properties",
			setup: func(t *testing.T) (*cliEnv, []string) {
				e := newCLIEnv(t, nil)
				e.Dir = troubleFiles(t, "sentry.properties", "defaults.org=acme\ndefaults.project=web\nownership.fallthru=true\n")
				return e, []string{"ownership", "check", "--offline"}
			},
			find: "unknown key", code: exitNo,
			cause: "Line 3 of the file (the number before `error`) has a key releasegate does not know, most often a typo; the nearest known key is suggested.",
			fix:   "Fix the key; [reference/sentry-properties.md](reference/sentry-properties.md) lists every key.",
		},
		{
			section: "ownership check", title: "A rule naming a team Sentry does not have",
			setup: func(t *testing.T) (*cliEnv, []string) {
				e := troubleSentry(t, troubleFiles(t, "sentry.properties", "defaults.org=acme\ndefaults.project=web\nownership.rules=path:src/** #frontnd\n"))
				e.AddTeam("acme", "frontend", "web")
				return e, []string{"ownership", "check"}
			},
			find: "frontnd", code: exitNo,
			cause: "Sentry would reject the rules: the team does not exist in the organization, or has no access to the project.",
			fix:   "Fix the name (the nearest team is suggested), or create the team and add it to the project in Sentry.",
		},
		{
			section: "gate", title: "An unknown key in the policy",
			setup: func(t *testing.T) (*cliEnv, []string) {
				e := troubleSentry(t, troubleFiles(t, ".github/releasegate.yml", "environments:\n  production:\n    projects: [web]\n    new_issues:\n      event_per_hour: 10\n"))
				return e, []string{"gate", "--release", "web@1.0.0", "--environment", "production"}
			},
			find: "releasegate.yml:5", code: exitUsage,
			cause: "The policy file is strict: a key it does not know is an error, so that a typo never silently turns a check off.",
			fix:   "Fix the key (the nearest is suggested); [reference/releasegate-yml.md](reference/releasegate-yml.md) lists every key.",
		},
		{
			section: "gate", title: "No policy",
			setup: func(t *testing.T) (*cliEnv, []string) {
				return troubleSentry(t, t.TempDir()), []string{"gate", "--release", "web@1.0.0", "--environment", "production"}
			},
			code:  exitUsage,
			cause: "There is no `.github/releasegate.yml` in the working folder (or the file `--policy` names).",
			fix:   "Write one ([gate-policy.md](gate-policy.md) has a starting point), or run from the repository's root.",
		},
		{
			section: "serve", title: "No App ID",
			setup: func(t *testing.T) (*cliEnv, []string) {
				return serveEnv(t).with("RELEASEGATE_GITHUB_APP_ID", ""), []string{"serve"}
			},
			find: "RELEASEGATE_GITHUB_APP_ID", code: exitUsage,
			cause: "The service cannot act as the App without its ID.",
			fix:   "Set `RELEASEGATE_GITHUB_APP_ID` from the App's settings page; [reference/serve.md](reference/serve.md) lists every variable.",
		},
		{
			section: "serve", title: "No webhook secret",
			setup: func(t *testing.T) (*cliEnv, []string) {
				return serveEnv(t).with("RELEASEGATE_GITHUB_WEBHOOK_SECRET", ""), []string{"serve"}
			},
			find: "RELEASEGATE_GITHUB_WEBHOOK_SECRET", code: exitUsage,
			cause: "Without the secret the service could not tell GitHub's deliveries from anyone's, so it does not start.",
			fix:   "Set `RELEASEGATE_GITHUB_WEBHOOK_SECRET` (or `_FILE`) to the secret written on the App.",
		},
		{
			section: "serve", title: "A token variable that is not set",
			setup: func(t *testing.T) (*cliEnv, []string) {
				return serveEnv(t).with("ACME_SENTRY_TOKEN", ""), []string{"serve"}
			},
			find: "token_env", code: exitUsage,
			cause: "The installations file names a variable for the owner's Sentry token, and the service's environment does not set it.",
			fix:   "Pass the variable to the container (or use `token_file` with a mounted secret).",
		},
		{
			section: "triage", title: "No Sentry for the owner",
			setup: func(t *testing.T) (*cliEnv, []string) {
				return newTriageEnv(t).cliEnv, []string{"triage", "--issue", "WEB-1", "--owner", "globex"}
			},
			find: "globex", code: exitUsage,
			cause: "The installations file has no entry for the GitHub owner the issue's repository belongs to.",
			fix:   "Add the owner under `installations:` with its Sentry organization and token ([app.md](app.md)).",
		},
		{
			section: "suggest", title: "Half the model variables",
			setup: func(t *testing.T) (*cliEnv, []string) {
				return suggestIssueEnv(t).with("RELEASEGATE_MODEL", "gpt-4.1-mini"), []string{"suggest", "--issue", "WEB-1"}
			},
			find: "RELEASEGATE_MODEL_URL", code: exitUsage,
			cause: "The model suggester needs both its endpoint and its model name.",
			fix:   "Set both `RELEASEGATE_MODEL_URL` and `RELEASEGATE_MODEL`, or neither to use the rules alone.",
		},
		{
			section: "suggest", title: "An issue Sentry does not know",
			setup: func(t *testing.T) (*cliEnv, []string) {
				return suggestIssueEnv(t), []string{"suggest", "--issue", "WEB-404"}
			},
			find: "WEB-404", code: exitUsage,
			cause: "No issue with that short ID in the organization: a typo, or another organization's issue.",
			fix:   "Copy the ID from the issue's page in Sentry and check `SENTRY_ORG`.",
		},
		{
			section: "suggest", title: "No fix: the checkout is not the release's source",
			setup: func(t *testing.T) (*cliEnv, []string) {
				dir := troubleFiles(t,
					"src/cart.ts", "export function total(cart: Cart) {\n  return cart?.total ?? 0;\n}\n",
					"event.json", `{"event_id":"e1","platform":"javascript","exception":{"values":[{"type":"TypeError","value":"Cannot read properties of undefined (reading 'total')","stacktrace":{"frames":[{"filename":"app:///src/cart.ts","lineno":2,"in_app":true,"context_line":"  return cart.total;"}]}}]}}`)
				e := newCLIEnv(t, nil)
				e.Dir = dir
				return e, []string{"suggest", "--event", "event.json"}
			},
			find: "No fix suggested", code: exitOK,
			cause: "The event's context lines (the source Sentry saw) differ from the file in the checkout: the checkout is not the release's commit, and a change to other text would be wrong.",
			fix:   "Check out the release's commit (`git checkout <sha>`) and run it again, or pass that checkout with `--source`.",
		},
		{
			section: "the action", title: "No auth token",
			setup: func(t *testing.T) (*cliEnv, []string) {
				e := troubleSentry(t, troubleFiles(t, "dist/app.js", troubleGood))
				return e.with("SENTRY_AUTH_TOKEN", "", "GITHUB_WORKSPACE", e.Dir), []string{"action"}
			},
			find: "SENTRY_AUTH_TOKEN", code: exitUsage,
			cause: "The workflow step does not pass the token to the action.",
			fix:   "Add `env: SENTRY_AUTH_TOKEN: ${{ secrets.SENTRY_AUTH_TOKEN }}` to the step ([action.md](action.md)).",
		},
	}
}

// TestTroubleshootingPage runs every scenario, checks its exit code, and keeps
// docs/troubleshooting.md quoting what the commands print now (-update rewrites it).
//
//nolint:tparallel // the "scenarios" group is not parallel so that it returns once its parallel scenarios are done
func TestTroubleshootingPage(t *testing.T) {
	t.Parallel()
	scenarios := troubleScenarios()
	messages := make([]string, len(scenarios))
	t.Run("scenarios", func(t *testing.T) {
		for i, sc := range scenarios {
			t.Run(sc.section+"/"+sc.title, func(t *testing.T) {
				t.Parallel()
				e, args := sc.setup(t)
				code, stdout, stderr := e.run(t, "", args...)
				if code != sc.code {
					t.Errorf("releasegate %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, sc.code, stdout, stderr)
				}
				messages[i] = troubleLine(e, sc.find, stdout, stderr)
				if messages[i] == "" {
					t.Errorf("releasegate %s printed no line with %q\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), cmpOr(sc.find, "releasegate: "), stdout, stderr)
				}
			})
		}
	})
	if t.Failed() {
		return
	}
	want := renderTroubleshooting(scenarios, messages)
	if *update {
		if err := os.WriteFile(troubleshootingPath, want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(troubleshootingPath)
	if err != nil {
		t.Fatalf("%v; run go run ./scripts/gen-docs", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("docs/troubleshooting.md no longer quotes what the commands print (%s); run go run ./scripts/gen-docs", firstLineDifference(string(got), string(want)))
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// troubleLine is the first output line containing find, with the test's folders and local
// servers' addresses replaced by what a reader would see.
func troubleLine(e *cliEnv, find, stdout, stderr string) string {
	find = cmpOr(find, "releasegate: ")
	for _, line := range strings.Split(stderr+"\n"+stdout, "\n") {
		if !strings.Contains(line, find) {
			continue
		}
		line = strings.TrimSpace(line)
		line = strings.ReplaceAll(line, e.Dir+string(filepath.Separator), "")
		line = strings.ReplaceAll(line, e.Dir, ".")
		if e.Server != nil {
			line = strings.ReplaceAll(line, strings.TrimSuffix(e.URL(), "/"), "https://sentry.example.com")
		}
		if u := e.Vars["SENTRY_URL"]; u != "" {
			line = strings.ReplaceAll(line, strings.TrimSuffix(u, "/"), "https://sentry.example.com")
			if parsed, err := url.Parse(u); err == nil && parsed.Host != "" {
				line = strings.ReplaceAll(line, parsed.Host, "sentry.example.com:443")
			}
		}
		return line
	}
	return ""
}

func renderTroubleshooting(scenarios []troubleScenario, messages []string) []byte {
	var b bytes.Buffer
	b.WriteString("<!-- Generated by `go run ./scripts/gen-docs` (cmd/releasegate/troubleshooting_test.go runs each\n" +
		"scenario through the CLI and quotes what it prints); do not edit. -->\n\n")
	b.WriteString("# Troubleshooting\n\n")
	b.WriteString("The most common failures of each command: the message you see, the exit code, why, and what\n" +
		"to do. Exit codes: 1 the verdict is no (the files or the release are the problem), 2 usage or\n" +
		"configuration (a flag, a file, a token, a name Sentry does not know), 3 could not decide (a service\n" +
		"unreachable or failing: retry). Every message names what it is about; `--log-level debug` shows\n" +
		"each request to Sentry and its retries (tokens are never logged).\n")
	section := ""
	for i, sc := range scenarios {
		if sc.section != section {
			section = sc.section
			fmt.Fprintf(&b, "\n## %s\n", section)
		}
		fmt.Fprintf(&b, "\n### %s\n\n```text\n%s\n```\n\n", sc.title, messages[i])
		fmt.Fprintf(&b, "- **Exit code:** %d\n- **Cause:** %s\n- **What to do:** %s\n", sc.code, sc.cause, sc.fix)
	}
	return b.Bytes()
}
