package gitlog

import (
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

// format writes commits back in git's output format: what Parse returns must read back the same.
func format(commits []Commit) []byte {
	var b strings.Builder
	for _, c := range commits {
		var changes []string
		for _, f := range c.Files {
			changes = append(changes, f.Status, f.Path)
		}
		b.WriteString(record(c.SHA, strings.Join(c.Parents, " "), c.AuthorName, c.AuthorEmail,
			c.AuthorTime.Format("2006-01-02T15:04:05Z07:00"), c.Message+"\n", changes...))
	}
	return []byte(b.String())
}

// FuzzParse: Parse never panics, returns only well-formed commits, and what it returns survives
// a round trip through git's format. Seeds: testdata/fuzz/FuzzParse (real git output: renames,
// merges, a root commit, unicode and newline paths, a shallow clone) and the cases below.
func FuzzParse(f *testing.F) {
	f.Add([]byte(record(shaA, "", "A", "a@x", "2024-05-01T12:00:00Z", "m\n", "M", "a", "R100", "b", "c")))
	f.Add([]byte(record(shaC, shaA+" "+shaB, "M", "m@x", "2024-05-01T12:00:00+02:00", "merge\n") + record(shaA, "", "A", "a@x", "2024-05-01T12:00:00Z", "")))
	f.Add([]byte("\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		commits, err := Parse(data)
		if err != nil {
			return
		}
		for _, c := range commits {
			if !isObjectName(c.SHA) {
				t.Fatalf("accepted SHA %q", c.SHA)
			}
			for _, s := range []string{c.AuthorName, c.AuthorEmail, c.Message} {
				if !utf8.ValidString(s) || strings.Contains(s, "\x00") {
					t.Fatalf("invalid text %q", s)
				}
			}
			for _, fc := range c.Files {
				if fc.Path == "" || (fc.Status != "A" && fc.Status != "M" && fc.Status != "D") {
					t.Fatalf("bad file change %+v", fc)
				}
			}
		}
		again, err := Parse(format(commits))
		if err != nil {
			t.Fatalf("round trip: %v", err)
		}
		if !sameCommits(commits, again) {
			t.Fatalf("round trip changed the commits:\n%+v\n%+v", commits, again)
		}
	})
}

// FuzzRepoName: RepoName never panics, and a name it returns is lower-case "a/b[/…]" without
// the password of a URL it came from.
func FuzzRepoName(f *testing.F) {
	for _, tt := range repoNameTests {
		f.Add(tt.remote)
	}
	f.Fuzz(func(t *testing.T, remote string) {
		name, err := RepoName(remote)
		if p := password(remote); p != "" {
			if strings.Contains(Redact(remote), p) {
				t.Fatalf("Redact(%q) shows the password", remote)
			}
			if err != nil && strings.Contains(err.Error(), p) {
				t.Fatalf("RepoName(%q) error shows the password: %v", remote, err)
			}
		}
		if err != nil {
			return
		}
		parts := strings.Split(name, "/")
		if len(parts) < 2 || name != strings.ToLower(name) {
			t.Fatalf("RepoName(%q) = %q", remote, name)
		}
		for _, p := range parts {
			if p == "" {
				t.Fatalf("RepoName(%q) = %q has an empty part", remote, name)
			}
		}
	})
}

// password returns a URL's password when it is long enough to look for, and appears nowhere
// else in the URL (or finding it in a message would prove nothing).
func password(remote string) string {
	u, err := url.Parse(remote)
	if err != nil || u.User == nil {
		return ""
	}
	p, ok := u.User.Password()
	if !ok || len(p) < 4 {
		return ""
	}
	rest := u.Scheme + u.User.Username() + u.Host + u.EscapedPath() + u.RawQuery + u.Fragment + u.Path
	if strings.Contains(rest, p) {
		return ""
	}
	return p
}
