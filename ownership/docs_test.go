package ownership

import (
	"os"
	"regexp"
	"testing"

	"github.com/releasegate/releasegate/internal/testenv"
)

// TestDocumentedPropertiesLoad keeps the sentry.properties examples in README.md and
// docs/ownership.md true: every ```properties block there must load without a problem.
func TestDocumentedPropertiesLoad(t *testing.T) {
	t.Parallel()
	block := regexp.MustCompile("(?s)```properties\n(.*?)```")
	total := 0
	for _, doc := range []string{"README.md", "docs/ownership.md"} {
		src, err := os.ReadFile(testenv.RepoRoot(t) + "/" + doc)
		if err != nil {
			t.Fatal(err)
		}
		for i, m := range block.FindAllSubmatch(src, -1) {
			total++
			// Examples that name a rules file get one; the reading itself is tested elsewhere.
			cfg, err := LoadConfig(m[1], doc, func(string) ([]byte, error) { return []byte("path:src/** #web\n"), nil })
			if err != nil {
				t.Errorf("%s, properties block %d: %v", doc, i+1, err)
				continue
			}
			if !cfg.RulesGiven && cfg.Fallthrough == nil && cfg.AutoAssignment == "" && !cfg.CodeownersImport {
				t.Errorf("%s, properties block %d sets no ownership key", doc, i+1)
			}
		}
	}
	if total < 4 {
		t.Errorf("found %d properties examples in the docs, want at least 4", total)
	}
}
