package triage

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// PullRequest is a candidate: a merged pull request whose commits are in the release.
type PullRequest struct {
	Number      int
	Title       string
	Author      string
	URL         string
	MergeCommit string
	MergedAt    time.Time
	Files       []ChangedFile
}

// ChangedFile is one file of a pull request's diff.
type ChangedFile struct {
	Path         string
	PreviousPath string // the name before a rename; empty otherwise
	// Patch is the file's diff as GitHub's files list gives it; GitHub leaves it out of large
	// and binary files.
	Patch string
}

// Confidence says how strongly the evidence ties a pull request to the error.
type Confidence string

// Confidences, strongest first.
const (
	// ConfidenceLine: the frame's line is one the pull request added or changed.
	ConfidenceLine Confidence = "line"
	// ConfidenceHunk: the frame's line is in one of its hunks, beside a change.
	ConfidenceHunk Confidence = "hunk"
	// ConfidenceFile: it changed the frame's file, elsewhere or where the line is unknown.
	ConfidenceFile Confidence = "file"
	// ConfidenceNone: it did not touch the frame's file.
	ConfidenceNone Confidence = "none"
)

func (c Confidence) rank() int {
	return slices.Index([]Confidence{ConfidenceNone, ConfidenceFile, ConfidenceHunk, ConfidenceLine}, c)
}

// Candidate is one pull request weighed as the cause, with what speaks for it.
type Candidate struct {
	Number      int
	Title       string
	Author      string
	URL         string
	MergeCommit string
	MergedAt    time.Time
	Confidence  Confidence
	// Path and Line are the frame's file and line as they were right after this pull request
	// merged (later pull requests may have renamed the file or moved the line); Line is 0
	// when it cannot be known.
	Path     string
	Line     int
	Evidence []string
}

// Suspicion is the answer: the suspect (nil when no candidate touches the frame's file), every
// candidate newest first, and the reasoning.
type Suspicion struct {
	Location   Location
	Suspect    *Candidate
	Candidates []Candidate
	Evidence   []string
}

// FindSuspect weighs the candidates against the frame's location in the release. Walking back
// from the newest merge, the frame's line is mapped through each pull request's hunks to where
// it was before that pull request, so an older pull request is judged on its own lines; a
// line a newer pull request added was not there before it, and a file it renamed had its old
// name. The suspect is the strongest candidate, the newest among equals.
func FindSuspect(loc Location, prs []PullRequest) Suspicion {
	order := slices.Clone(prs)
	slices.SortStableFunc(order, func(a, b PullRequest) int {
		return cmp.Or(b.MergedAt.Compare(a.MergedAt), cmp.Compare(b.Number, a.Number))
	})
	s := Suspicion{Location: loc}
	where := fmt.Sprintf("%s:%d", loc.Path, loc.Line)
	if loc.Line == 0 {
		where = loc.Path + " (no line)"
	}
	s.Evidence = append(s.Evidence, fmt.Sprintf("top in-app frame: %s, from the frame's %s", where, loc.From))
	path, line := loc.Path, loc.Line
	touching := 0
	for _, pr := range order {
		c := Candidate{Number: pr.Number, Title: pr.Title, Author: pr.Author, URL: pr.URL, MergeCommit: pr.MergeCommit,
			MergedAt: pr.MergedAt, Confidence: ConfidenceNone, Path: path, Line: line}
		i := slices.IndexFunc(pr.Files, func(f ChangedFile) bool { return f.Path == path })
		if i < 0 {
			c.Evidence = append(c.Evidence, "does not change "+path)
			s.Candidates = append(s.Candidates, c)
			continue
		}
		touching++
		f := pr.Files[i]
		c.Confidence = ConfidenceFile
		c.Evidence = append(c.Evidence, "changes "+path)
		hunks, err := ParsePatch(f.Patch)
		switch {
		case err != nil:
			c.Evidence = append(c.Evidence, "its patch could not be read ("+err.Error()+"), so older lines are not followed")
			line = 0
		case f.Patch == "" && f.PreviousPath != "":
			c.Evidence = append(c.Evidence, "a rename without changes to its lines")
		case f.Patch == "":
			c.Evidence = append(c.Evidence, "GitHub gave no patch (a large or binary diff), so older lines are not followed")
			line = 0
		case line == 0:
			// Nothing to follow.
		default:
			old, change := trace(hunks, line)
			switch change {
			case added:
				c.Confidence = ConfidenceLine
				c.Evidence = append(c.Evidence, fmt.Sprintf("line %d is a line it added or changed", line))
			case context:
				c.Confidence = ConfidenceHunk
				c.Evidence = append(c.Evidence, fmt.Sprintf("line %d is in one of its hunks, beside a change", line))
			default:
				c.Evidence = append(c.Evidence, fmt.Sprintf("its hunks do not reach line %d", line))
			}
			line = old
		}
		if f.PreviousPath != "" && f.PreviousPath != path {
			c.Evidence = append(c.Evidence, "renamed it from "+f.PreviousPath)
			path = f.PreviousPath
		}
		s.Candidates = append(s.Candidates, c)
	}
	for i := range s.Candidates {
		if c := &s.Candidates[i]; c.Confidence != ConfidenceNone && (s.Suspect == nil || c.Confidence.rank() > s.Suspect.Confidence.rank()) {
			s.Suspect = c
		}
	}
	switch {
	case len(order) == 0:
		s.Evidence = append(s.Evidence, "no candidate pull requests: the release's commits came from none")
	case s.Suspect == nil:
		s.Evidence = append(s.Evidence, fmt.Sprintf("none of the %s changes %s", count(len(order), "candidate pull request"), loc.Path))
	default:
		s.Evidence = append(s.Evidence, fmt.Sprintf("%d of %s change %s; #%d is the strongest (%s), newest among equals",
			touching, count(len(order), "candidate pull request"), loc.Path, s.Suspect.Number, s.Suspect.Confidence))
	}
	return s
}

func count(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
