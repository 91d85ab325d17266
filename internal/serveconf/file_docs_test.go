package serveconf

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestInstallationKeysDocumented: docs/app.md's example installations file names every key
// the loader accepts (sentry's and jira's), so the page cannot fall behind the strict reader.
func TestInstallationKeysDocumented(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "app.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, example, ok := strings.Cut(string(doc), "# installations.yml")
	if !ok {
		t.Fatal("docs/app.md has no example installations file (a block starting \"# installations.yml\")")
	}
	example, _, _ = strings.Cut(example, "```")
	sections := map[string][]string{"sentry": sentryKeys, "jira": jiraKeys}
	for section, keys := range sections {
		_, body, ok := strings.Cut(example, "\n    "+section+":")
		if !ok {
			t.Errorf("the example has no %s: section", section)
			continue
		}
		for _, k := range keys {
			// A key is shown set, or named in a comment as the alternative to one that is.
			if !strings.Contains(body, "      "+k+":") && !strings.Contains(body, "or "+k) {
				t.Errorf("docs/app.md's example installations file does not show %s.%s", section, k)
			}
		}
	}
	for _, k := range installationKeys {
		if !strings.Contains(example, "    "+k+":") {
			t.Errorf("docs/app.md's example installations file does not show %s:", k)
		}
	}
}
