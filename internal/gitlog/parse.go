package gitlog

import (
	"bytes"
	"fmt"
	"strings"
	"time"
)

// Format is the --format that [Repo.Log] passes to `git log -z --name-status`, and the one
// [Parse] reads. Fields are separated by NUL, which git forbids in names, e-mails and paths.
// Every commit starts with an empty field: a file status is never empty, so the start of the
// next commit cannot be mistaken for one more changed file.
const Format = "%x00%H%x00%P%x00%an%x00%ae%x00%aI%x00%B"

// fieldsPerCommit counts the fields Format writes, the leading empty one included.
const fieldsPerCommit = 7

// Commit is one commit as `git log` describes it.
type Commit struct {
	// SHA is the full object name (40 hex digits, or 64 in a SHA-256 repository).
	SHA string
	// Parents are the parents' SHAs; none for a root commit or a shallow clone's boundary.
	Parents     []string
	AuthorName  string
	AuthorEmail string
	AuthorTime  time.Time
	// Message is the full commit message without its trailing newlines.
	Message string
	// Files are the files the commit changed against its first parent; empty for merges.
	Files []FileChange
	// ShallowBoundary says the commit's parents were not fetched (a shallow clone): git then
	// sees it as a root commit, so Files is left empty rather than listing every file as added.
	ShallowBoundary bool
}

// FileChange is one changed file, with the status letters Sentry's patch_set accepts.
type FileChange struct {
	// Status is "A" (added), "M" (modified, or its type changed) or "D" (deleted).
	Status string
	Path   string
}

// Parse reads the output of `git log -z --name-status --format=<Format>`. It accepts the
// statuses of every diff mode (a rename becomes a deletion and an addition, a copy an addition)
// and reports malformed input as an error naming the commit, never by panicking.
func Parse(out []byte) ([]Commit, error) {
	if len(out) == 0 {
		return nil, nil
	}
	fields := bytes.Split(out, []byte{0})
	var commits []Commit
	i := 0
	for {
		n := len(commits) + 1
		if i == len(fields) {
			return nil, fmt.Errorf("gitlog: commit %d: the output does not end with a NUL (was it cut short?)", n-1)
		}
		if len(fields[i]) != 0 {
			return nil, fmt.Errorf("gitlog: commit %d: expected the start of a commit, found %q", n, clip(fields[i]))
		}
		// The output ends with a NUL, so the last field is empty.
		if i == len(fields)-1 {
			return commits, nil
		}
		if i+fieldsPerCommit > len(fields) {
			return nil, fmt.Errorf("gitlog: commit %d: the output ends in the middle of the commit", n)
		}
		c, err := parseHeader(fields[i+1 : i+fieldsPerCommit])
		if err != nil {
			return nil, fmt.Errorf("gitlog: commit %d: %w", n, err)
		}
		i += fieldsPerCommit
		first := true
		for i < len(fields) && len(fields[i]) != 0 {
			status := fields[i]
			if first {
				// git writes a newline between the message and the first changed file.
				status = bytes.TrimLeft(status, "\n")
				first = false
			}
			changes, used, err := parseChange(status, fields[i+1:])
			if err != nil {
				return nil, fmt.Errorf("gitlog: commit %s: %w", c.SHA, err)
			}
			c.Files = append(c.Files, changes...)
			i += 1 + used
		}
		commits = append(commits, c)
	}
}

// parseHeader reads the fields after a commit's leading empty one.
func parseHeader(f [][]byte) (Commit, error) {
	c := Commit{
		SHA:         string(f[0]),
		AuthorName:  text(f[2]),
		AuthorEmail: text(f[3]),
		Message:     strings.TrimRight(text(f[5]), "\n"),
	}
	if !isObjectName(c.SHA) {
		return Commit{}, fmt.Errorf("%q is not a commit SHA", clip(f[0]))
	}
	for _, p := range strings.Fields(string(f[1])) {
		if !isObjectName(p) {
			return Commit{}, fmt.Errorf("commit %s: parent %q is not a commit SHA", c.SHA, clip([]byte(p)))
		}
		c.Parents = append(c.Parents, p)
	}
	t, err := time.Parse(time.RFC3339, string(f[4]))
	if err != nil {
		return Commit{}, fmt.Errorf("commit %s: author date %q is not RFC 3339", c.SHA, clip(f[4]))
	}
	c.AuthorTime = t
	return c, nil
}

// parseChange reads one --name-status entry: a status such as "M", "R087" or "C100", then one
// path (two for renames and copies). It returns how many path fields it used.
func parseChange(status []byte, rest [][]byte) ([]FileChange, int, error) {
	if len(status) == 0 {
		return nil, 0, fmt.Errorf("empty file status")
	}
	for _, b := range status[1:] {
		if b < '0' || b > '9' {
			return nil, 0, fmt.Errorf("file status %q is not a letter and a score", clip(status))
		}
	}
	paths := 1
	if status[0] == 'R' || status[0] == 'C' {
		paths = 2
	}
	if len(rest) < paths {
		return nil, 0, fmt.Errorf("file status %q without its path", clip(status))
	}
	for _, p := range rest[:paths] {
		if len(p) == 0 {
			return nil, 0, fmt.Errorf("file status %q with an empty path", clip(status))
		}
	}
	path := text(rest[0])
	switch status[0] {
	case 'A', 'D':
		return []FileChange{{Status: string(status[:1]), Path: path}}, paths, nil
	case 'M', 'T', 'U', 'X', 'B':
		// Type changes, unmerged and unknown entries still say the file was touched.
		return []FileChange{{Status: "M", Path: path}}, paths, nil
	case 'R':
		return []FileChange{{Status: "D", Path: path}, {Status: "A", Path: text(rest[1])}}, paths, nil
	case 'C':
		return []FileChange{{Status: "A", Path: text(rest[1])}}, paths, nil
	}
	return nil, 0, fmt.Errorf("unknown file status %q", clip(status))
}

// isObjectName accepts a full SHA-1 or SHA-256 object name in git's lower-case hex.
func isObjectName(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// text makes git's bytes a valid UTF-8 string: names and paths are bytes to git, but JSON for
// Sentry must be UTF-8.
func text(b []byte) string { return strings.ToValidUTF8(string(b), "\uFFFD") }

// clip keeps error messages short when the input is garbage.
func clip(b []byte) string {
	const max = 60
	if len(b) > max {
		return text(b[:max]) + "…"
	}
	return text(b)
}
