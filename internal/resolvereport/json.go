package resolvereport

import "github.com/releasegate/releasegate/sourcemaps"

// Resolution is one element of `resolve --format json`: a documented contract
// (docs/resolve.md). Keys are always present; null means "not known" or "unmapped".
type Resolution struct {
	Line           int     `json:"line"`
	Column         int     `json:"column"`
	Source         *string `json:"source"`
	SourceResolved *string `json:"sourceResolved"`
	OriginalLine   *int    `json:"originalLine"`
	OriginalColumn *int    `json:"originalColumn"`
	Name           *string `json:"name"`
	Context        *string `json:"context"`
}

// Resolutions are the JSON values of rs, in order.
func Resolutions(rs []sourcemaps.Resolution) []Resolution {
	out := make([]Resolution, len(rs))
	for i, r := range rs {
		out[i] = newResolution(r)
	}
	return out
}

func newResolution(r sourcemaps.Resolution) Resolution {
	j := Resolution{Line: r.Line, Column: r.Column}
	if !r.Mapped {
		return j
	}
	if !r.SourceIsNull {
		j.Source, j.SourceResolved = &r.Source, &r.SourceResolved
	}
	j.OriginalLine, j.OriginalColumn = &r.OriginalLine, &r.OriginalColumn
	if r.HasName {
		j.Name = &r.Name
	}
	if r.HasContext {
		j.Context = &r.Context
	}
	return j
}

// TraceFrame is one frame of `resolve --stacktrace --format json` (docs/resolve.md).
type TraceFrame struct {
	Text string `json:"text"`
	// Rewritten is the line as printed in human output.
	Rewritten string  `json:"rewritten"`
	Function  *string `json:"function"`
	URL       *string `json:"url"`
	Line      *int    `json:"line"`
	Column    *int    `json:"column"`
	// File is the local generated file matched, Map its map.
	File     *string     `json:"file"`
	Map      *string     `json:"map"`
	Resolved *Resolution `json:"resolved"`
	// OriginalFunction is the function's original name when known.
	OriginalFunction *string `json:"originalFunction"`
	Status           string  `json:"status"` // resolved, unresolved or skipped
	Reason           *string `json:"reason"`
}

// TraceFrames are the JSON values of a resolved trace's frames (its other lines are left out);
// never nil, so an encoder writes [] for a trace without frames.
func TraceFrames(lines []sourcemaps.ResolvedLine) []TraceFrame {
	out := []TraceFrame{}
	for _, l := range lines {
		rf := l.Frame
		if rf == nil {
			continue
		}
		f := rf.Frame
		j := TraceFrame{Text: l.TraceLine.Text, Rewritten: l.Text}
		if f.Function != "" {
			j.Function = &f.Function
		}
		if f.URL != "" {
			j.URL = &f.URL
		}
		if f.Line > 0 {
			j.Line = &f.Line
		}
		if f.Column > 0 {
			j.Column = &f.Column
		}
		if rf.File != "" {
			j.File = &rf.File
		}
		if rf.MapPath != "" {
			j.Map = &rf.MapPath
		}
		if rf.Function != "" {
			j.OriginalFunction = &rf.Function
		}
		switch {
		case rf.Skipped:
			j.Status = "skipped"
		case rf.Resolved():
			j.Status = "resolved"
			res := newResolution(rf.Resolution)
			j.Resolved = &res
		default:
			j.Status = "unresolved"
			reason := rf.Err.Error()
			j.Reason = &reason
		}
		out = append(out, j)
	}
	return out
}
