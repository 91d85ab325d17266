package gate

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
)

// TestReadPolicy: the policy loads from an in-memory tree, as the GitHub App will read it from
// a commit; its messages name the file as the caller labels it.
func TestReadPolicy(t *testing.T) {
	t.Parallel()
	tree := fstest.MapFS{
		PolicyPath:       {Data: []byte("environments:\n  production:\n    projects: [web]\n    new_issues: {events_per_hour: 30}\n")},
		"broken.yml":     {Data: []byte("environments:\n  production:\n    projects: [web]\n    new_issues:\n      event_per_hour: 10\n")},
		".github/dir/x":  {Data: []byte("")},
		"ok-elsewhere.y": {Data: []byte("environments: {staging: {projects: [api], regressions: {}}}\n")},
	}
	tests := []struct {
		name, file, label string
		env               string // an environment the policy must have
		err               string // the error must contain it
		notExist          bool
	}{
		{name: "the repository's policy", file: PolicyPath, env: "production"},
		{name: "another file", file: "ok-elsewhere.y", env: "staging"},
		{name: "missing", file: "gone.yml", label: "/repo/gone.yml", err: "reading the policy: open /repo/gone.yml: file does not exist", notExist: true},
		{name: "a folder", file: ".github/dir", err: "reading the policy: read .github/dir: "},
		{name: "a mistake names the label and line", file: "broken.yml", label: "ci/broken.yml", err: "ci/broken.yml:5: environments.production.new_issues.event_per_hour: unknown key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := ReadPolicy(tree, tt.file, tt.label)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want one containing %q", err, tt.err)
				}
				if errors.Is(err, fs.ErrNotExist) != tt.notExist {
					t.Errorf("errors.Is(%v, fs.ErrNotExist) = %t, want %t", err, !tt.notExist, tt.notExist)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if _, err := p.Environment(tt.env); err != nil {
				t.Errorf("the policy read has no environment %s: %v", tt.env, err)
			}
		})
	}
}
