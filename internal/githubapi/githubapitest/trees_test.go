package githubapitest

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"
)

// TestTrees: the trees route lists a ref's entries as GitHub does, folders before their
// contents, the root alone without recursive, and answers an unknown ref 404.
func TestTrees(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{})
	inst := s.AddInstallation("acme", []string{"web"}, nil)
	for _, p := range []string{"z.txt", "svc/sentry.properties", "svc.txt", "svc/src/app.js"} {
		s.SetFile("acme", "web", "abc123", p, []byte("x"))
	}
	s.SetSubmodule("acme", "web", "abc123", "third_party/lib", "0123456789012345678901234567890123456789")
	auth := mint(t, s, inst)
	type entry struct{ Path, Type, Mode string }
	tests := []struct {
		name, path string
		status     int
		entries    []entry
	}{
		{
			name: "recursive", path: "/repos/acme/web/git/trees/abc123?recursive=1", status: http.StatusOK,
			entries: []entry{
				{"svc.txt", "blob", "100644"}, {"svc", "tree", "040000"}, {"svc/sentry.properties", "blob", "100644"},
				{"svc/src", "tree", "040000"}, {"svc/src/app.js", "blob", "100644"},
				{"third_party", "tree", "040000"}, {"third_party/lib", "commit", "160000"}, {"z.txt", "blob", "100644"},
			},
		},
		{
			name: "the root only", path: "/repos/acme/web/git/trees/abc123", status: http.StatusOK,
			entries: []entry{{"svc.txt", "blob", "100644"}, {"svc", "tree", "040000"}, {"third_party", "tree", "040000"}, {"z.txt", "blob", "100644"}},
		},
		{name: "an unknown ref", path: "/repos/acme/web/git/trees/main?recursive=1", status: http.StatusNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			status, body := send(t, s, "GET", tc.path, auth, "")
			if status != tc.status {
				t.Fatalf("status %d (%s); want %d", status, body, tc.status)
			}
			if tc.entries == nil {
				return
			}
			var tree struct {
				Tree      []entry
				Truncated bool
			}
			if err := json.Unmarshal([]byte(body), &tree); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(tree.Tree, tc.entries) || tree.Truncated {
				t.Errorf("entries %v (truncated %v); want %v", tree.Tree, tree.Truncated, tc.entries)
			}
		})
	}
}
