package main

import (
	"testing"

	"github.com/releasegate/releasegate/ownership"
)

// TestFileFrame: a repository file becomes the frame a stack trace would carry: the path
// below its service as filename, the repository path through the code mapping as abs_path.
func TestFileFrame(t *testing.T) {
	tests := []struct {
		name    string
		rel     string
		dir     string
		mapping ownership.CodeMapping
		want    ownership.Frame
	}{
		{"root service", "src/a.ts", "", ownership.CodeMapping{}, ownership.Frame{Filename: "src/a.ts", AbsPath: "src/a.ts"}},
		{"nested service", "services/web/src/a.ts", "services/web", ownership.CodeMapping{},
			ownership.Frame{Filename: "src/a.ts", AbsPath: "services/web/src/a.ts"}},
		{"code mapping", "services/web/src/a.ts", "services/web", ownership.CodeMapping{StackRoot: "webpack://web/", SourceRoot: "services/web/"},
			ownership.Frame{Filename: "src/a.ts", AbsPath: "webpack://web/src/a.ts"}},
		{"code mapping with a leading slash", "services/web/src/a.ts", "services/web", ownership.CodeMapping{StackRoot: "/app/", SourceRoot: "/services/web/"},
			ownership.Frame{Filename: "src/a.ts", AbsPath: "/app/src/a.ts"}},
		{"file outside the mapping", "docs/a.md", "", ownership.CodeMapping{StackRoot: "/app/", SourceRoot: "services/web/"},
			ownership.Frame{Filename: "docs/a.md", AbsPath: "docs/a.md"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fileFrame(tt.rel, &ownershipProject{Project: &ownership.Project{Dir: tt.dir, Mapping: tt.mapping}})
			if got != tt.want {
				t.Errorf("fileFrame(%q) = %+v, want %+v", tt.rel, got, tt.want)
			}
		})
	}
}
