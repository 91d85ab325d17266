package triage

import (
	"fmt"
	"strconv"
	"strings"
)

// Hunk is one hunk of a unified diff: where it sits in the old and the new file, and its
// lines as runs of the same kind (so a line can be mapped across it).
type Hunk struct {
	OldStart, OldLines int
	NewStart, NewLines int
	Runs               []Run
}

// Run is n consecutive lines of one kind: ' ' context, '+' added, '-' removed.
type Run struct {
	Kind byte
	N    int
}

// ParsePatch reads the hunks of a file's patch as GitHub's pull request files list gives it
// (hunk headers and lines, no file headers). GitHub leaves the patch out of large and binary
// files: an empty patch has no hunks and no error.
func ParsePatch(patch string) ([]Hunk, error) {
	var hunks []Hunk
	var cur *Hunk
	oldLeft, newLeft := 0, 0
	lines := strings.Split(strings.TrimSuffix(patch, "\n"), "\n")
	if patch == "" {
		lines = nil
	}
	for i, l := range lines {
		l = strings.TrimSuffix(l, "\r")
		if strings.HasPrefix(l, "@@") {
			if cur != nil && (oldLeft != 0 || newLeft != 0) {
				return nil, fmt.Errorf("patch line %d: hunk at line %d ends early (%d old and %d new lines missing)", i+1, cur.NewStart, oldLeft, newLeft)
			}
			h, err := parseHunkHeader(l)
			if err != nil {
				return nil, fmt.Errorf("patch line %d: %w", i+1, err)
			}
			hunks = append(hunks, h)
			cur = &hunks[len(hunks)-1]
			oldLeft, newLeft = h.OldLines, h.NewLines
			continue
		}
		if cur == nil {
			return nil, fmt.Errorf("patch line %d: %q before the first hunk header", i+1, short(l, 40))
		}
		if strings.HasPrefix(l, `\`) { // "\ No newline at end of file"
			continue
		}
		kind := byte(' ')
		if l != "" {
			kind = l[0]
		}
		switch kind {
		case ' ':
			oldLeft--
			newLeft--
		case '+':
			newLeft--
		case '-':
			oldLeft--
		default:
			return nil, fmt.Errorf("patch line %d: %q is not a context, added or removed line", i+1, short(l, 40))
		}
		if oldLeft < 0 || newLeft < 0 {
			return nil, fmt.Errorf("patch line %d: more lines than the hunk header at new line %d says", i+1, cur.NewStart)
		}
		if n := len(cur.Runs); n > 0 && cur.Runs[n-1].Kind == kind {
			cur.Runs[n-1].N++
		} else {
			cur.Runs = append(cur.Runs, Run{Kind: kind, N: 1})
		}
	}
	if cur != nil && (oldLeft != 0 || newLeft != 0) {
		return nil, fmt.Errorf("patch ends inside the hunk at new line %d (%d old and %d new lines missing)", cur.NewStart, oldLeft, newLeft)
	}
	return hunks, nil
}

// parseHunkHeader reads "@@ -a,b +c,d @@ optional section".
func parseHunkHeader(l string) (Hunk, error) {
	rest, ok := strings.CutPrefix(l, "@@ -")
	body, _, ok2 := strings.Cut(rest, " @@")
	oldR, newR, ok3 := strings.Cut(body, " +")
	if !ok || !ok2 || !ok3 {
		return Hunk{}, fmt.Errorf("%q is not a hunk header (@@ -a,b +c,d @@)", short(l, 60))
	}
	var h Hunk
	var err error
	if h.OldStart, h.OldLines, err = parseRange(oldR); err != nil {
		return Hunk{}, fmt.Errorf("hunk header %q: %w", short(l, 60), err)
	}
	if h.NewStart, h.NewLines, err = parseRange(newR); err != nil {
		return Hunk{}, fmt.Errorf("hunk header %q: %w", short(l, 60), err)
	}
	return h, nil
}

// maxLines bounds the numbers of a hunk header: no source file has more lines, and it keeps
// line arithmetic far from overflow.
const maxLines = 1 << 28

func parseRange(s string) (start, n int, err error) {
	a, b, has := strings.Cut(s, ",")
	if start, err = strconv.Atoi(a); err != nil || start < 0 || start > maxLines {
		return 0, 0, fmt.Errorf("bad line number %q", a)
	}
	n = 1
	if has {
		if n, err = strconv.Atoi(b); err != nil || n < 0 || n > maxLines {
			return 0, 0, fmt.Errorf("bad line count %q", b)
		}
	}
	return start, n, nil
}

// lineChange says what the hunks did to line (a line of the new file).
type lineChange int

const (
	untouched lineChange = iota // outside every hunk
	context                     // inside a hunk, unchanged
	added                       // added or changed by the diff
)

// trace maps line of the new file to the old file through hunks: the old line and what the
// diff did to it. An added line has no old line (0).
func trace(hunks []Hunk, line int) (int, lineChange) {
	shift := 0 // new − old, before the current hunk
	for _, h := range hunks {
		oldStart, newStart := at(h.OldStart, h.OldLines), at(h.NewStart, h.NewLines)
		if line < newStart {
			break
		}
		if line >= newStart+h.NewLines {
			shift = (newStart + h.NewLines) - (oldStart + h.OldLines)
			continue
		}
		oldAt, newAt := oldStart, newStart
		for _, r := range h.Runs {
			switch r.Kind {
			case '-':
				oldAt += r.N
			case '+':
				if line < newAt+r.N {
					return 0, added
				}
				newAt += r.N
			default:
				if line < newAt+r.N {
					return oldAt + (line - newAt), context
				}
				oldAt += r.N
				newAt += r.N
			}
		}
		return line - shift, context // a header without lines: keep the shift
	}
	return line - shift, untouched
}

// at is where a range's lines start: an empty range names the line before the gap.
func at(start, n int) int {
	if n == 0 {
		return start + 1
	}
	return start
}

func short(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
