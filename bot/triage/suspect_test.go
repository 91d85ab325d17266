package triage

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)

func pr(n int, mergedMin int, files ...ChangedFile) PullRequest {
	return PullRequest{Number: n, Title: "PR " + string(rune('A'+n%26)), Author: "dev", URL: "https://github.com/acme/shop/pull/" + itoa(n),
		MergeCommit: "c0ffee" + itoa(n), MergedAt: t0.Add(time.Duration(mergedMin) * time.Minute), Files: files}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestFindSuspect(t *testing.T) {
	t.Parallel()
	const file = "web/src/checkout/cart.js"
	loc := Location{Path: file, Line: 42, From: "absPath"}
	// adds line 42 (after 41 lines of old file).
	adds42 := ChangedFile{Path: file, Patch: "@@ -40,3 +40,4 @@\n a\n b\n+c\n d\n"}
	// two lines added at the top: line 42 at the release was line 40 before it.
	shifts2 := ChangedFile{Path: file, Patch: "@@ -1,1 +1,3 @@\n+x\n+y\n a\n"}
	// changes line 40 (of its own file).
	changes40 := ChangedFile{Path: file, Patch: "@@ -39,3 +39,3 @@\n a\n-b\n+B\n c\n"}
	// touches the file far away.
	far := ChangedFile{Path: file, Patch: "@@ -200,2 +200,3 @@\n a\n+b\n c\n"}
	// near: line 42 is context of the hunk.
	near := ChangedFile{Path: file, Patch: "@@ -40,4 +40,5 @@\n a\n+b\n c\n d\n e\n"}
	other := ChangedFile{Path: "web/src/other.js", Patch: "@@ -1 +1 @@\n-a\n+b\n"}
	tests := map[string]struct {
		loc        Location
		prs        []PullRequest
		suspect    int // 0: none
		confidence Confidence
		line       int // the suspect's line
		evidence   string
	}{
		"the pull request that added the line": {loc: loc, prs: []PullRequest{pr(1, 0, far), pr(2, 10, adds42), pr(3, 20, other)},
			suspect: 2, confidence: ConfidenceLine, line: 42, evidence: "line 42 is a line it added or changed"},
		"the line followed back through a later pull request": {loc: loc, prs: []PullRequest{pr(1, 0, changes40), pr(2, 10, shifts2)},
			suspect: 1, confidence: ConfidenceLine, line: 40},
		"a line added later was not there before": {loc: loc, prs: []PullRequest{pr(1, 0, adds42), pr(2, 10, ChangedFile{Path: file, Patch: "@@ -41,2 +41,3 @@\n a\n+b\n c\n"})},
			suspect: 2, confidence: ConfidenceLine, line: 42},
		"beside a change beats elsewhere in the file": {loc: loc, prs: []PullRequest{pr(1, 0, near), pr(2, 10, far)},
			suspect: 1, confidence: ConfidenceHunk, line: 42},
		"file only: the newest": {loc: loc, prs: []PullRequest{pr(1, 0, far), pr(2, 10, far)},
			suspect: 2, confidence: ConfidenceFile, line: 42, evidence: "its hunks do not reach line 42"},
		"no patch: file only, and older lines unknown": {loc: loc, prs: []PullRequest{pr(1, 0, adds42), pr(2, 10, ChangedFile{Path: file})},
			suspect: 2, confidence: ConfidenceFile, line: 42, evidence: "GitHub gave no patch"},
		"an unreadable patch is said": {loc: loc, prs: []PullRequest{pr(1, 0, ChangedFile{Path: file, Patch: "garbage"})},
			suspect: 1, confidence: ConfidenceFile, evidence: "could not be read"},
		"a rename is followed": {loc: loc, prs: []PullRequest{pr(1, 0, ChangedFile{Path: "web/src/cart.js", Patch: "@@ -40,3 +40,4 @@\n a\n b\n+c\n d\n"}),
			pr(2, 10, ChangedFile{Path: file, PreviousPath: "web/src/cart.js"})},
			suspect: 1, confidence: ConfidenceLine},
		"no line: file only": {loc: Location{Path: file, From: "absPath"}, prs: []PullRequest{pr(1, 0, adds42)},
			suspect: 1, confidence: ConfidenceFile},
		"none touches the file": {loc: loc, prs: []PullRequest{pr(1, 0, other)}, evidence: "none of the 1 candidate pull request changes"},
		"no candidates":         {loc: loc, evidence: "no candidate pull requests"},
		"same time: the higher number is newer": {loc: loc, prs: []PullRequest{pr(7, 0, far), pr(8, 0, far)},
			suspect: 8, confidence: ConfidenceFile, line: 42},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := FindSuspect(tt.loc, tt.prs)
			if len(s.Candidates) != len(tt.prs) {
				t.Errorf("%d candidates listed, want all %d", len(s.Candidates), len(tt.prs))
			}
			all := strings.Join(s.Evidence, "\n")
			if s.Suspect != nil {
				all += "\n" + strings.Join(s.Suspect.Evidence, "\n")
			}
			if !strings.Contains(all, tt.evidence) {
				t.Errorf("evidence does not say %q:\n%s", tt.evidence, all)
			}
			if tt.suspect == 0 {
				if s.Suspect != nil {
					t.Fatalf("suspect #%d, want none", s.Suspect.Number)
				}
				return
			}
			if s.Suspect == nil {
				t.Fatalf("no suspect, want #%d; evidence:\n%s", tt.suspect, all)
			}
			if s.Suspect.Number != tt.suspect || s.Suspect.Confidence != tt.confidence {
				t.Errorf("suspect #%d (%s), want #%d (%s)", s.Suspect.Number, s.Suspect.Confidence, tt.suspect, tt.confidence)
			}
			if tt.line != 0 && s.Suspect.Line != tt.line {
				t.Errorf("suspect's line %d, want %d", s.Suspect.Line, tt.line)
			}
		})
	}
}
