package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/releasegate/releasegate/internal/testenv"
)

// TestReferenceUpToDate regenerates docs/reference in memory and fails when a committed page
// differs: a key, type, default or doc comment changed without the page.
func TestReferenceUpToDate(t *testing.T) {
	t.Parallel()
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	src, err := loadSource(root)
	if err != nil {
		t.Fatal(err)
	}
	pages, err := references(src)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range pages {
		got, err := os.ReadFile(filepath.Join(root, "docs", "reference", name))
		if err != nil {
			t.Errorf("docs/reference/%s: %v; run go run ./scripts/gen-docs", name, err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("docs/reference/%s differs from the code (first difference: %s); run go run ./scripts/gen-docs", name, firstDifference(string(got), string(want)))
		}
	}
}

// TestReferenceCoversEveryKey checks the generated pages against the readers themselves: every
// key the loaders accept is on its page.
func TestReferenceCoversEveryKey(t *testing.T) {
	t.Parallel()
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	src, err := loadSource(root)
	if err != nil {
		t.Fatal(err)
	}
	pages, err := references(src)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, page string
		keys       []string
	}{
		{"policy keys", "releasegate-yml.md", []string{"`release.name`", "`environments.<name>.new_issues.ignore[].tag`", "`environments.<name>.health.crash_free_users.max_drop`", "`environments.<name>.context.action`"}},
		{"triage keys", "releasegate-yml.md", []string{"`triage.enabled`", "`triage.oncall_schedule`", "`playbooks[].match.tags`", "`playbooks[].ticket`"}},
		{"properties", "sentry-properties.md", []string{"`defaults.org`", "`auth.token`", "`ownership.rule.<n>`", "`ownership.codeowners.owner.<github owner>`", "`ownership.autoAssignment`", "`defaults.pipeline`"}},
		{"serve", "serve.md", []string{"`RELEASEGATE_GITHUB_APP_ID`", "`RELEASEGATE_GITHUB_WEBHOOK_SECRET_FILE`", "`RELEASEGATE_MODEL_DAILY_BUDGET` | – | `50`", "`RELEASEGATE_LISTEN` | `--listen` | `:8080`"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			page := string(pages[tt.page])
			for _, k := range tt.keys {
				if !strings.Contains(page, k) {
					t.Errorf("%s does not list %s", tt.page, k)
				}
			}
		})
	}
}

// TestKebab checks the flag names derived from serveconf.Flags' fields.
func TestKebab(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"Listen": "listen", "PublicURL": "public-url", "DatabaseURL": "database-url", "APIURL": "apiurl"} {
		if got := kebab(in); got != want {
			t.Errorf("kebab(%q) = %q, want %q", in, got, want)
		}
	}
}

func firstDifference(got, want string) string {
	n, g, w := testenv.FirstDifference(got, want)
	if n == 0 {
		return "none"
	}
	return fmt.Sprintf("line %d: committed %q, generated %q", n, g, w)
}
