package sourcemaps

import (
	"bytes"
	"fmt"
	"path/filepath"
	"runtime"
	"sync"
)

// Codes of findings that need the generated file and its map together.
const (
	CodeGeneratedLineOutOfRange   = "mapping-generated-line-out-of-range"
	CodeGeneratedColumnOutOfRange = "mapping-generated-column-out-of-range"
	CodeOriginalLineOutOfRange    = "mapping-original-line-out-of-range"
	CodeSourcesContentMissing     = "sources-content-missing"
	CodeFileFieldMismatch         = "map-file-mismatch"
	CodeDebugIDMismatch           = "debug-id-mismatch"
	CodeDebugIDMissingInMap       = "debug-id-missing-in-map"
	CodeDebugIDMissingInJS        = "debug-id-missing-in-js"
	CodeMoreFindings              = "more-findings"
)

// maxPerCode bounds how many findings of one code one file gets: a map broken everywhere would
// otherwise bury every other file's findings under thousands of lines.
const maxPerCode = 10

// ValidateOptions tunes the checks.
type ValidateOptions struct {
	Limits Limits
	// Workers is how many pairs are checked at once (0: one per CPU).
	Workers int
}

// FileReport is one checked pair, for the "files" list of the report.
type FileReport struct {
	Path    string  `json:"path"`
	Map     string  `json:"map,omitempty"`
	MapKind MapKind `json:"mapKind"`
}

// Report is the result of validating a build.
type Report struct {
	Files    []FileReport `json:"files"`
	Findings []Finding    `json:"findings"`
	Errors   int          `json:"errors"`
	Warnings int          `json:"warnings"`
}

// Broken reports whether the build must not ship: any finding is an error. It is the one verdict
// of the sourcemaps commands: `validate` exits 1 on it, and `inject` and `upload` refuse on it,
// writing and sending nothing. A new error finding therefore stops all three at once.
func (r *Report) Broken() bool { return r.Errors > 0 }

// Validate checks every discovered pair against the spec and against what Sentry needs:
// the map parses strictly; every segment points inside the generated file as it is on disk
// (columns in UTF-16 units) and inside its source's content; the tokens minifiers keep are at
// their original positions in sources' content (content.go); sources have content; the debug
// IDs of the file and its map agree; the map's "file" names the file. Pairs are checked in
// parallel; the report is sorted so its order does not depend on scheduling.
func Validate(d *Discovery, opts ValidateOptions) *Report {
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	results := make([][]Finding, len(d.Pairs))
	var wg sync.WaitGroup
	next := make(chan int)
	for range workers {
		wg.Go(func() {
			for i := range next {
				results[i] = checkLoaded(&d.Pairs[i], opts.Limits)
			}
		})
	}
	for i := range d.Pairs {
		next <- i
	}
	close(next)
	wg.Wait()

	r := &Report{Files: make([]FileReport, 0, len(d.Pairs)), Findings: append([]Finding{}, d.Findings...)}
	for i, p := range d.Pairs {
		path := p.JS
		if path == "" {
			path = p.Map
		}
		r.Files = append(r.Files, FileReport{Path: path, Map: p.Map, MapKind: p.Kind})
		r.Findings = append(r.Findings, results[i]...)
	}
	SortFindings(r.Findings)
	for _, f := range r.Findings {
		if f.Severity == SeverityError {
			r.Errors++
		} else {
			r.Warnings++
		}
	}
	return r
}

// checkLoaded checks a pair, reading its files first if a lazy discovery left them on disk.
func checkLoaded(p *Pair, limits Limits) []Finding {
	loaded, err := p.Load()
	if loaded {
		defer p.Unload()
	}
	if err != nil {
		return []Finding{{Code: CodeFileUnreadable, Severity: SeverityError, Path: p.unreadable(),
			Message: fmt.Sprintf("%v; fix its permissions or leave it out", err)}}
	}
	return CheckPair(p, limits)
}

// CheckPair validates one pair and returns its findings.
func CheckPair(p *Pair, limits Limits) []Finding {
	if p.MapData == nil {
		return nil
	}
	c := &pairChecker{p: p, counts: map[string]int{}}
	c.mapPath = p.Map
	if p.Kind == MapInline {
		c.mapPath = p.JS
	}
	m, problems, err := Parse(p.MapData, limits)
	for _, pr := range problems {
		c.problem(pr)
	}
	if err != nil || m == nil {
		return c.done()
	}
	if p.JS != "" {
		c.checkGenerated(m)
		c.checkContent(m)
		c.checkDebugIDs(m)
		if m.HasFile && m.File != filepath.Base(p.JS) && !m.IsIndex() {
			c.add(Finding{Code: CodeFileFieldMismatch, Severity: SeverityWarning, Path: c.mapPath,
				Message: fmt.Sprintf("the map's \"file\" is %q but it belongs to %s; harmless (webpack names the file before hashing), but check the pairing if it is unexpected", m.File, filepath.Base(p.JS))})
		}
	}
	c.checkOriginal(m)
	return c.done()
}

type pairChecker struct {
	p        *Pair
	mapPath  string
	findings []Finding
	counts   map[string]int // findings per code, for maxPerCode
}

func (c *pairChecker) add(f Finding) {
	key := f.Path + "\x00" + f.Code
	c.counts[key]++
	if c.counts[key] > maxPerCode {
		return
	}
	c.findings = append(c.findings, f)
}

// done adds a summary finding for each code that was cut off.
func (c *pairChecker) done() []Finding {
	for _, f := range c.findings {
		key := f.Path + "\x00" + f.Code
		if n := c.counts[key]; n > maxPerCode {
			c.findings = append(c.findings, Finding{Code: CodeMoreFindings, Severity: f.Severity, Path: f.Path, Map: f.Map,
				Message: fmt.Sprintf("%d more %q findings in this file are not shown", n-maxPerCode, f.Code)})
			c.counts[key] = 0
		}
	}
	return c.findings
}

// problem turns a parse problem into a finding: positioned in the generated file when it is
// about a segment and the generated file is known, else in the map's text.
func (c *pairChecker) problem(pr Problem) {
	f := Finding{Code: pr.Code, Severity: pr.Severity, Path: c.mapPath, Message: pr.Message}
	switch {
	case pr.GenLine >= 0 && c.p.JS != "":
		f.Path, f.Line, f.Column = c.p.JS, pr.GenLine+1, pr.GenColumn+1
		if c.p.Kind != MapInline {
			f.Map = c.p.Map
		}
	case pr.Offset >= 0 && c.p.Kind != MapInline:
		f.Line, f.Column = textPosition(c.p.MapData, pr.Offset)
	case c.p.Kind == MapInline:
		f.Line = c.p.ReferenceLine
		f.Message = "inline map: " + f.Message
	}
	c.add(f)
}

// checkGenerated checks that every segment lies inside the generated file as it is on disk.
func (c *pairChecker) checkGenerated(m *Map) {
	lengths := lineLengthsUTF16(string(c.p.JSData))
	lines := m.Mappings.Lines()
	for l := 0; l < lines; l++ {
		segs := m.Mappings.Line(l)
		if len(segs) == 0 {
			continue
		}
		if l >= len(lengths) {
			c.add(Finding{Code: CodeGeneratedLineOutOfRange, Severity: SeverityError, Path: c.p.JS, Line: l + 1, Column: int(segs[0].GenColumn) + 1, Map: c.mapRef(),
				Message: fmt.Sprintf("the map has mappings on generated line %d, but the file has only %s; the file was changed after the map was made (minified or injected again?): rebuild both together", l+1, plural(len(lengths), "line"))})
			// Every later line is out of range too; one finding says it.
			return
		}
		last := segs[len(segs)-1]
		if int(last.GenColumn) > lengths[l] {
			c.add(Finding{Code: CodeGeneratedColumnOutOfRange, Severity: SeverityError, Path: c.p.JS, Line: l + 1, Column: int(last.GenColumn) + 1, Map: c.mapRef(),
				Message: fmt.Sprintf("the map has a mapping at column %d of generated line %d, which is only %s long (UTF-16); the file and its map do not belong together: rebuild both", int(last.GenColumn)+1, l+1, plural(lengths[l], "character"))})
		}
	}
}

// checkOriginal checks original positions against sources' contents, and that contents exist.
func (c *pairChecker) checkOriginal(m *Map) {
	lineCounts := make([]int, len(m.Sources))
	used := make([]bool, len(m.Sources))
	for _, seg := range m.Mappings.Segments {
		if seg.Source < 0 {
			continue
		}
		s := int(seg.Source)
		used[s] = true
		if !m.HasContent[s] {
			continue
		}
		if lineCounts[s] == 0 {
			lineCounts[s] = countLines(m.SourcesContent[s])
		}
		if int(seg.OrigLine) >= lineCounts[s] {
			c.add(Finding{Code: CodeOriginalLineOutOfRange, Severity: SeverityError, Path: c.mapPath,
				Message: fmt.Sprintf("a mapping points at line %d of %s, which has only %s in sourcesContent; the map and the sources it embeds disagree: rebuild the map", int(seg.OrigLine)+1, m.Sources[s], plural(lineCounts[s], "line"))})
		}
	}
	missing := 0
	first := ""
	for s := range m.Sources {
		if used[s] && !m.HasContent[s] && !m.SourceIsNull[s] {
			if missing == 0 {
				first = m.Sources[s]
			}
			missing++
		}
	}
	if missing > 0 {
		c.add(Finding{Code: CodeSourcesContentMissing, Severity: SeverityWarning, Path: c.mapPath,
			Message: fmt.Sprintf("%s no sourcesContent (first: %s); Sentry will show original file names and lines but no code: enable sourcesContent in the bundler", mappedSources(missing), first)})
	}
}

// checkDebugIDs compares the generated file's debug ID comment with the map's debug ID.
func (c *pairChecker) checkDebugIDs(m *Map) {
	jsID, line, ok := FindDebugID(c.p.JSData)
	mapID, mapOK := NormalizeDebugID(m.DebugID)
	switch {
	case ok && m.DebugID == "":
		c.add(Finding{Code: CodeDebugIDMissingInMap, Severity: SeverityError, Path: c.p.JS, Line: line, Map: c.mapRef(),
			Message: fmt.Sprintf("the file has debug ID %s but its map has none, so Sentry cannot find the map by it: run `releasegate sourcemaps inject` on the original build output, not on a copy", jsID)})
	case ok && mapOK:
		if n, _ := NormalizeDebugID(jsID); n != mapID {
			c.add(Finding{Code: CodeDebugIDMismatch, Severity: SeverityError, Path: c.p.JS, Line: line, Map: c.mapRef(),
				Message: fmt.Sprintf("the file's debug ID %s differs from its map's %s; Sentry will use the wrong map or none: rebuild and inject again", jsID, m.DebugID)})
		}
	case !ok && m.DebugID != "":
		c.add(Finding{Code: CodeDebugIDMissingInJS, Severity: SeverityWarning, Path: c.p.JS, Map: c.mapRef(),
			Message: fmt.Sprintf("the map has debug ID %s but the file has no \"//# debugId=\" comment; run `releasegate sourcemaps inject` before uploading", m.DebugID)})
	}
}

// mappedSources says how many mapped sources something is true of: "1 mapped source has",
// "3 mapped sources have".
func mappedSources(n int) string {
	if n == 1 {
		return "1 mapped source has"
	}
	return plural(n, "mapped source") + " have"
}

func (c *pairChecker) mapRef() string {
	if c.p.Kind == MapInline {
		return ""
	}
	return c.p.Map
}

// FindDebugID finds the debug ID comment of generated code as Sentry's symbolic does: the last
// "debugId=" preceded by exactly "//# ". line is 1-based.
func FindDebugID(js []byte) (id string, line int, found bool) {
	const key = "debugId="
	end := len(js)
	for {
		i := bytes.LastIndex(js[:end], []byte(key))
		if i < 0 {
			return "", 0, false
		}
		if i >= 4 && string(js[i-4:i]) == "//# " {
			v := js[i+len(key):]
			if j := bytes.IndexAny(v, " \t\r\n\f\v"); j >= 0 {
				v = v[:j]
			}
			return string(v), 1 + bytes.Count(js[:i], []byte("\n")), true
		}
		end = i
	}
}

// textPosition converts a byte offset into a 1-based line and UTF-16 column.
func textPosition(data []byte, offset int64) (line, col int) {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	before := data[:offset]
	line = 1 + bytes.Count(before, []byte("\n"))
	start := bytes.LastIndexByte(before, '\n') + 1
	return line, utf16Len(string(before[start:])) + 1
}
