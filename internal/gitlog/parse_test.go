package gitlog

import (
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

const (
	shaA = "1111111111111111111111111111111111111111"
	shaB = "2222222222222222222222222222222222222222"
	shaC = "3333333333333333333333333333333333333333"
)

// record writes one commit as git log -z --name-status --format=Format does: the header
// fields, the message and its NUL, then "\n" and the status/path pairs.
func record(sha, parents, name, email, date, msg string, changes ...string) string {
	var b strings.Builder
	for _, f := range []string{"", sha, parents, name, email, date, msg} {
		b.WriteString(f)
		b.WriteByte(0)
	}
	if len(changes) > 0 {
		b.WriteByte('\n')
		for _, c := range changes {
			b.WriteString(c)
			b.WriteByte(0)
		}
	}
	return b.String()
}

// Format's first field is empty, so the output starts with a NUL: record writes that one as
// the leading "" field, and each record after the first repeats it.
func TestParse(t *testing.T) {
	t.Parallel()
	when := time.Date(2024, 5, 1, 12, 0, 0, 0, time.FixedZone("", 2*3600))
	tests := []struct {
		name string
		in   string
		want []Commit
	}{
		{"empty output", "", nil},
		{
			"one root commit",
			record(shaA, "", "Ada", "ada@example.com", "2024-05-01T12:00:00+02:00", "first\n\nbody\n", "A", "a.txt", "A", "dir/b c.txt"),
			[]Commit{{SHA: shaA, AuthorName: "Ada", AuthorEmail: "ada@example.com", AuthorTime: when, Message: "first\n\nbody",
				Files: []FileChange{{"A", "a.txt"}, {"A", "dir/b c.txt"}}}},
		},
		{
			"newest first, merge without files, message without newline",
			record(shaC, shaA+" "+shaB, "M", "m@x", "2024-05-01T12:00:00+02:00", "Merge branch 'x'\n") +
				record(shaB, shaA, "B", "b@x", "2024-05-01T12:00:00+02:00", "no newline", "M", "a.txt", "D", "gone", "T", "link"),
			[]Commit{
				{SHA: shaC, Parents: []string{shaA, shaB}, AuthorName: "M", AuthorEmail: "m@x", AuthorTime: when, Message: "Merge branch 'x'"},
				{SHA: shaB, Parents: []string{shaA}, AuthorName: "B", AuthorEmail: "b@x", AuthorTime: when, Message: "no newline",
					Files: []FileChange{{"M", "a.txt"}, {"D", "gone"}, {"M", "link"}}},
			},
		},
		{
			"renames and copies, when rename detection is on",
			record(shaA, "", "A", "a@x", "2024-05-01T12:00:00+02:00", "mv\n", "R087", "old.js", "new.js", "C100", "src.js", "copy.js"),
			[]Commit{{SHA: shaA, AuthorName: "A", AuthorEmail: "a@x", AuthorTime: when, Message: "mv",
				Files: []FileChange{{"D", "old.js"}, {"A", "new.js"}, {"A", "copy.js"}}}},
		},
		{
			"empty message and empty author",
			record(shaA, "", "", "", "2024-05-01T12:00:00+02:00", ""),
			[]Commit{{SHA: shaA, AuthorTime: when}},
		},
		{
			"paths and names that are not UTF-8 or hold newlines",
			record(shaA, "", "J\xffrg", "j@x", "2024-05-01T12:00:00+02:00", "x\n", "A", "line\nbreak.txt", "A", "caf\xe9.txt"),
			[]Commit{{SHA: shaA, AuthorName: "J\uFFFDrg", AuthorEmail: "j@x", AuthorTime: when, Message: "x",
				Files: []FileChange{{"A", "line\nbreak.txt"}, {"A", "caf\uFFFD.txt"}}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Parse([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if !sameCommits(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	good := record(shaA, "", "A", "a@x", "2024-05-01T12:00:00Z", "m\n", "M", "a")
	tests := []struct {
		name, in, wantErr string
	}{
		{"not git log output", "hello", "expected the start of a commit"},
		{"truncated header", good[:50], "ends in the middle"},
		{"bad sha", record("xyz", "", "A", "a@x", "2024-05-01T12:00:00Z", "m"), "not a commit SHA"},
		{"upper-case sha", record(strings.ToUpper("abcdef"+shaA[6:]), "", "A", "a@x", "2024-05-01T12:00:00Z", "m"), "not a commit SHA"},
		{"bad parent", record(shaA, "nope", "A", "a@x", "2024-05-01T12:00:00Z", "m"), "parent"},
		{"bad date", record(shaA, "", "A", "a@x", "yesterday", "m"), "not RFC 3339"},
		{"status without path", strings.TrimSuffix(record(shaA, "", "A", "a@x", "2024-05-01T12:00:00Z", "m", "M"), "\x00"), "without its path"},
		{"rename without new path", record(shaA, "", "A", "a@x", "2024-05-01T12:00:00Z", "m", "R100", "old"), "empty path"},
		{"unknown status", record(shaA, "", "A", "a@x", "2024-05-01T12:00:00Z", "m", "Z", "a"), "unknown file status"},
		{"status with letters", record(shaA, "", "A", "a@x", "2024-05-01T12:00:00Z", "m", "MM", "a"), "not a letter and a score"},
		{"empty path", record(shaA, "", "A", "a@x", "2024-05-01T12:00:00Z", "m", "M", "", "A", "b"), "empty path"},
		{"status that is only the separator newline", record(shaA, "", "A", "a@x", "2024-05-01T12:00:00Z", "m") + "\n\x00", "empty file status"},
		{"garbage after the end", good + "tail", "not a letter and a score"},
		{"garbage after a commit without files", record(shaA, "", "A", "a@x", "2024-05-01T12:00:00Z", "m") + "\x00tail", "ends in the middle"},
		{"no final NUL after a path", strings.TrimSuffix(good, "\x00"), "does not end with a NUL"},
		{"no final NUL after the message", strings.TrimSuffix(record(shaA, "", "A", "a@x", "2024-05-01T12:00:00Z", "m"), "\x00"), "does not end with a NUL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Parse([]byte(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Parse = %+v, %v; want an error containing %q", got, err, tt.wantErr)
			}
		})
	}
}

// sameCommits compares commits, times by instant (a parsed zone is a different *Location).
func sameCommits(a, b []Commit) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if !x.AuthorTime.Equal(y.AuthorTime) {
			return false
		}
		x.AuthorTime, y.AuthorTime = time.Time{}, time.Time{}
		if len(x.Files) == 0 && len(y.Files) == 0 {
			x.Files, y.Files = nil, nil
		}
		if len(x.Parents) == 0 && len(y.Parents) == 0 {
			x.Parents, y.Parents = nil, nil
		}
		if !reflect.DeepEqual(x, y) {
			return false
		}
	}
	return true
}

// TestParseRealOutput: the real git output kept as fuzz seeds (renames with -M and -C, a merge,
// a root commit, a commit without a trailing newline, odd paths, a shallow clone) parses
// without error; a seed that failed would only make the fuzz target return early.
func TestParseRealOutput(t *testing.T) {
	t.Parallel()
	seeds, err := filepath.Glob(filepath.Join("testdata", "fuzz", "FuzzParse", "git-log-*"))
	if err != nil || len(seeds) == 0 {
		t.Fatalf("no git output seeds (%v)", err)
	}
	for _, path := range seeds {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		_, lit, _ := strings.Cut(strings.TrimSpace(string(raw)), "\n")
		lit = strings.TrimSuffix(strings.TrimPrefix(lit, "[]byte("), ")")
		data, err := strconv.Unquote(lit)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		commits, err := Parse([]byte(data))
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		if len(commits) < 2 {
			t.Errorf("%s: %d commits", path, len(commits))
		}
	}
}
