package releasecommits

import (
	"strings"
	"testing"

	"github.com/releasegate/releasegate/errkind"
)

func TestParseCommitSpec(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		want    CommitSpec
		wantErr string
	}{
		{name: "a head commit", in: "acme/web@" + sha1, want: CommitSpec{Repo: "acme/web", Rev: sha1}},
		{name: "a range", in: "acme/web@v1.0..HEAD", want: CommitSpec{Repo: "acme/web", Prev: "v1.0", Rev: "HEAD"}},
		{name: "the first @ splits", in: "acme/web@a@b", want: CommitSpec{Repo: "acme/web", Rev: "a@b"}},
		{name: "no @", in: "acme/web", wantErr: "want REPO@SHA or REPO@PREV..SHA"},
		{name: "no repository", in: "@" + sha1, wantErr: "want REPO@SHA or REPO@PREV..SHA"},
		{name: "no revision", in: "acme/web@", wantErr: "want REPO@SHA or REPO@PREV..SHA"},
		{name: "a space in the repository", in: "acme web@HEAD", wantErr: `repository "acme web" contains spaces`},
		{name: "three dots", in: "acme/web@a...b", wantErr: "want PREV..SHA with both commits (two dots)"},
		{name: "no previous commit", in: "acme/web@..b", wantErr: "want PREV..SHA with both commits"},
		{name: "no head commit", in: "acme/web@a..", wantErr: "want PREV..SHA with both commits"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseCommitSpec(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || errkind.Of(err) != errkind.Usage {
					t.Fatalf("ParseCommitSpec(%q) = %+v, %v; want a usage error containing %q", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseCommitSpec(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
			}
		})
	}
}

// FuzzParseCommitSpec: never panics; what it accepts has a repository without spaces and a
// head revision, and reads back the same when written out again.
func FuzzParseCommitSpec(f *testing.F) {
	f.Add("acme/web@" + sha1)
	f.Add("acme/web@v1..HEAD")
	f.Add("a@..")
	f.Add("@")
	f.Fuzz(func(t *testing.T, s string) {
		spec, err := ParseCommitSpec(s)
		if err != nil {
			return
		}
		if spec.Repo == "" || spec.Rev == "" || strings.ContainsFunc(spec.Repo, func(r rune) bool { return r <= ' ' }) {
			t.Fatalf("ParseCommitSpec(%q) accepted %+v", s, spec)
		}
		out := spec.Repo + "@" + spec.Rev
		if spec.Prev != "" {
			out = spec.Repo + "@" + spec.Prev + ".." + spec.Rev
		}
		again, err := ParseCommitSpec(out)
		if err != nil || again != spec {
			t.Fatalf("%q read back from %q as %+v, %v; want %+v", out, s, again, err, spec)
		}
	})
}

func TestIsFullSHA(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want bool
	}{
		{name: "SHA-1", in: sha1, want: true},
		{name: "upper case", in: strings.ToUpper("abcdef" + sha1[6:]), want: true},
		{name: "SHA-256", in: sha1 + sha2[:24], want: true},
		{name: "abbreviated", in: sha1[:12], want: false},
		{name: "not hex", in: "g" + sha1[1:], want: false},
		{name: "a name", in: "HEAD", want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := IsFullSHA(tt.in); got != tt.want {
				t.Errorf("IsFullSHA(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestShort(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{sha1: sha1[:12], "abc": "abc", "": ""} {
		if got := Short(in); got != want {
			t.Errorf("Short(%q) = %q, want %q", in, got, want)
		}
	}
}
