package sourcemaps

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// Codes of findings only inject reports.
const (
	CodeJSNotUTF8      = "js-not-utf8"
	CodeMapShared      = "map-shared"
	CodeMapUnwritable  = "map-cannot-rewrite"
	CodeInlineMapNoRef = "inline-map-no-reference-line"
)

// InjectOptions tunes PlanInject.
type InjectOptions struct {
	Limits Limits
	// Workers is how many files are planned at once (0: one per CPU).
	Workers int
	// LegacyDebugIDKey also writes the map's ID under "debug_id", the key sentry-cli 2.x wrote
	// and older Sentry servers read (see docs/inject.md). "debugId" is always written.
	LegacyDebugIDKey bool
}

// IDSource says where an injected debug ID came from.
type IDSource string

const (
	// IDFromMap: the map already had a debug ID, which is kept.
	IDFromMap IDSource = "map"
	// IDFromPair: hashed from the generated file and its map (sentry-cli 3.8.0's rule).
	IDFromPair IDSource = "js+map"
	// IDFromJS: hashed from the generated file alone (it has no usable map).
	IDFromJS IDSource = "js"
)

// InjectedFile is a generated file that gets (or, in a dry run, would get) a debug ID. The JSON
// form is part of the output contract of `releasegate sourcemaps inject --format json`.
type InjectedFile struct {
	Path string `json:"path"`
	// Map is the map file rewritten with it; empty for an inline map or none.
	Map     string   `json:"map,omitempty"`
	MapKind MapKind  `json:"mapKind"`
	DebugID string   `json:"debugId"`
	IDFrom  IDSource `json:"idFrom"`
}

// SkippedFile is a generated file inject leaves alone, and why.
type SkippedFile struct {
	Path    string `json:"path"`
	Reason  string `json:"reason"`
	DebugID string `json:"debugId,omitempty"`
}

// InjectPlan is every change inject would make, computed in memory. Nothing is written until
// ApplyInject, and a plan with errors cannot be applied.
type InjectPlan struct {
	Injected []InjectedFile
	Skipped  []SkippedFile
	// Errors counts the error findings that block the plan.
	Errors int
	writes []fileWrite
	// A plan of a lazy discovery keeps no contents: ApplyInject plans those pairs again, one at
	// a time, and checks that each gets the debug ID planned here.
	lazyPairs []*Pair
	opts      InjectOptions
}

// fileWrite is one file's new content, as pieces: mostly slices of the original bytes around
// the inserted text, so that a plan holds little more than the build itself.
type fileWrite struct {
	path     string // as discovered
	dir      folder // what path is taken against
	parts    [][]byte
	origSize int
}

// Blocked reports whether errors prevent the plan from being applied.
func (plan *InjectPlan) Blocked() bool { return plan.Errors > 0 }

// pairResult is what planning one pair produced.
type pairResult struct {
	injected *InjectedFile
	skipped  *SkippedFile
	findings []Finding
	writes   []fileWrite
	// rewrite marks a lazy pair whose writes were dropped, to be planned again on apply.
	rewrite bool
}

// PlanInject computes, for every discovered generated file, the bytes sentry-cli 3.8.0's
// `sourcemaps inject` would write to it and its map, and the debug ID it would get; releasegate
// differs only where docs/inject.md says so (chiefly: maps keep every field). Files are planned
// in parallel; nothing is written. Every map is parsed strictly first, and any error (a broken
// map, a map shared by several files, a file that cannot be read) is returned as an error
// finding that makes the plan Blocked, so that a bad build changes nothing.
func PlanInject(d *Discovery, opts InjectOptions) (*InjectPlan, []Finding) {
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	findings := injectDiscoverFindings(d.Findings)
	blocked := sharedMaps(d.Pairs, &findings)

	results := make([]pairResult, len(d.Pairs))
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range next {
				results[i] = planLoaded(&d.Pairs[i], opts)
			}
		})
	}
	for i := range d.Pairs {
		if d.Pairs[i].JS != "" && !blocked[i] {
			next <- i
		}
	}
	close(next)
	wg.Wait()

	plan := &InjectPlan{opts: opts}
	for i, r := range results {
		if r.rewrite {
			plan.lazyPairs = append(plan.lazyPairs, &d.Pairs[i])
		}
		if r.injected != nil {
			plan.Injected = append(plan.Injected, *r.injected)
		}
		if r.skipped != nil {
			plan.Skipped = append(plan.Skipped, *r.skipped)
		}
		findings = append(findings, r.findings...)
		plan.writes = append(plan.writes, r.writes...)
	}
	slices.SortFunc(plan.Injected, func(a, b InjectedFile) int { return cmp.Compare(a.Path, b.Path) })
	slices.SortFunc(plan.Skipped, func(a, b SkippedFile) int { return cmp.Compare(a.Path, b.Path) })
	SortFindings(findings)
	for _, f := range findings {
		if f.Severity == SeverityError {
			plan.Errors++
		}
	}
	return plan, findings
}

// injectDiscoverFindings keeps discovery's findings, with one change: a reference to a map that
// does not exist is a warning here, because inject then does what sentry-cli does (treats the
// file as having no map) and that is safe. Every other discovery error (an unreadable or
// oversized file, an undecodable inline map, a map sentry-cli would take from a sibling folder)
// blocks the plan.
func injectDiscoverFindings(in []Finding) []Finding {
	out := make([]Finding, 0, len(in))
	for _, f := range in {
		if f.Code == CodeMapReferenceMissing {
			f.Severity = SeverityWarning
			f.Message += "; inject gives the file a debug ID from its own bytes, as sentry-cli does"
		}
		out = append(out, f)
	}
	return out
}

// sharedMaps reports maps referenced by several generated files: sentry-cli 3.8.0 gives the map
// to whichever file it happens to process first (it varies from run to run) and shifts it for
// that file only, so the others end up with a map that does not fit them. releasegate refuses
// instead. It returns the indices of the pairs involved.
func sharedMaps(pairs []Pair, findings *[]Finding) map[int]bool {
	users := map[string][]int{}
	for i, p := range pairs {
		if p.JS != "" && (p.Kind == MapExternal || p.Kind == MapGuessed) {
			key := filepath.Clean(p.Map)
			users[key] = append(users[key], i)
		}
	}
	blocked := map[int]bool{}
	for m, idx := range users {
		if len(idx) < 2 {
			continue
		}
		names := make([]string, len(idx))
		for j, i := range idx {
			names[j] = pairs[i].JS
			blocked[i] = true
		}
		*findings = append(*findings, Finding{Code: CodeMapShared, Severity: SeverityError, Path: m,
			Message: fmt.Sprintf("this map is referenced by %d files (%s); a map can fit only one file and its debug ID can name only one: give each file its own map (sentry-cli would pick one at random and leave the others with a map that does not fit)", len(idx), strings.Join(names, ", "))})
	}
	return blocked
}

// planLoaded plans a pair, reading its files first if a lazy discovery left them on disk.
func planLoaded(p *Pair, opts InjectOptions) pairResult {
	loaded, err := p.Load()
	if loaded {
		defer p.Unload()
	}
	if err != nil {
		return pairResult{findings: []Finding{{Code: CodeFileUnreadable, Severity: SeverityError, Path: p.unreadable(),
			Message: fmt.Sprintf("%v; nothing was injected: fix its permissions or leave it out", err)}}}
	}
	r := planPair(p, opts)
	if p.lazy && len(r.writes) > 0 {
		// Keep no contents: ApplyInject plans this pair again when it writes it.
		r.writes, r.rewrite = nil, true
	}
	return r
}

// planPair computes one generated file's injection.
func planPair(p *Pair, opts InjectOptions) pairResult {
	js := p.JSData
	// bytes.Contains first: its forward search is much faster than FindDebugID's backward one,
	// and most files have no debug ID yet.
	if bytes.Contains(js, []byte("debugId=")) {
		if id, _, found := FindDebugID(js); found {
			if n, ok := NormalizeDebugID(id); ok {
				return pairResult{skipped: &SkippedFile{Path: p.JS, Reason: "already has a //# debugId= comment", DebugID: n}}
			}
		}
	}
	if !utf8.Valid(js) {
		return pairResult{findings: []Finding{{Code: CodeJSNotUTF8, Severity: SeverityError, Path: p.JS,
			Message: "the file is not valid UTF-8, so the snippet cannot be placed safely (sentry-cli stops on it too): re-encode it as UTF-8 or leave it out with --ignore"}}}
	}
	switch {
	case p.Kind == MapExternal || p.Kind == MapGuessed:
		return planWithMap(p, p.MapData, false, opts)
	case p.Kind == MapInline && strings.HasPrefix(p.Reference, inlineMapPrefix):
		return planWithMap(p, p.MapData, true, opts)
	}
	// No usable map: the snippet goes at the end so that no position moves.
	id := DebugIDFromBytes(js)
	return pairResult{
		injected: &InjectedFile{Path: p.JS, MapKind: MapNone, DebugID: id, IDFrom: IDFromJS},
		writes:   []fileWrite{{path: p.JS, dir: p.dir, parts: [][]byte{injectAtEnd(js, id)}, origSize: len(js)}},
	}
}

// planWithMap injects a file whose map is usable: the snippet near the top, the map shifted.
func planWithMap(p *Pair, mapData []byte, inline bool, opts InjectOptions) pairResult {
	js := p.JSData
	mapPath := p.Map
	if inline {
		mapPath = p.JS
	}
	m, _, err := Parse(mapData, opts.Limits)
	if err != nil {
		// Only the failure path parses twice: CheckPair turns problems into located findings.
		var fs []Finding
		for _, f := range CheckPair(p, opts.Limits) {
			if f.Severity == SeverityError {
				f.Message += " (nothing was injected: fix this map first)"
				fs = append(fs, f)
			}
		}
		if len(fs) == 0 {
			code := CodeMapNotJSON
			if pe := (*ParseError)(nil); errors.As(err, &pe) && len(pe.Problems) > 0 {
				code = pe.Problems[0].Code
			}
			fs = append(fs, Finding{Code: code, Severity: SeverityError, Path: mapPath, Message: err.Error() + " (nothing was injected: fix this map first)"})
		}
		return pairResult{findings: fs}
	}
	lines := generatedLines(js)
	// The first such line, where validate reports it too, so the commands show it once.
	for l := lines; l < m.Mappings.Lines(); l++ {
		if segs := m.Mappings.Line(l); len(segs) > 0 {
			return pairResult{findings: []Finding{{Code: CodeGeneratedLineOutOfRange, Severity: SeverityError, Path: p.JS, Map: p.Map,
				Line: l + 1, Column: int(segs[0].GenColumn) + 1,
				Message: fmt.Sprintf("the map has mappings on generated line %d, but the file has only %s; the file and its map do not belong together (sentry-cli would silently drop those mappings): rebuild both", l+1, plural(lines, "line"))}}}
		}
	}
	mappings := &m.Mappings
	if lastLineEmpty(js) && mappings.Lines() >= lines && len(mappings.Line(lines-1)) > 0 {
		// The file ends with a line break, so its last line is empty, and sentry-cli drops
		// mappings there (the edit's map has no token on it). They point at nothing anyway,
		// and after a lone CR the appended "\n" even merges that line away.
		mappings = &Mappings{Segments: m.Mappings.Segments[:m.Mappings.lineStart[lines-1]], lineStart: m.Mappings.lineStart[:lines]}
	}

	id, from := DebugIDForPair(js, mapData), IDFromPair
	if m.DebugIDKey != "" {
		id, _ = NormalizeDebugID(m.DebugID) // Parse has checked that it is valid
		from = IDFromMap
	}
	lay, err := layoutMap(mapData)
	if err != nil {
		return pairResult{findings: []Finding{{Code: CodeMapUnwritable, Severity: SeverityError, Path: mapPath,
			Message: fmt.Sprintf("cannot rewrite the map: %v; re-save it as plain JSON", err)}}}
	}

	var outJS [][]byte
	var edits []textEdit
	if m.IsIndex() {
		out, line := injectIndexed(js, id)
		outJS = [][]byte{out}
		edits, err = sectionEdits(mapData, lay, m, line)
	} else {
		off := injectionOffset(js)
		outJS = injectRegularParts(js, off, id)
		at := positionAt(js, off)
		edits, err = mappingsEdits(mapData, lay, mappings, mappings != &m.Mappings, at, insertedPos(js, off, at))
	}
	if err != nil {
		return pairResult{findings: []Finding{{Code: CodeMapUnwritable, Severity: SeverityError, Path: mapPath,
			Message: fmt.Sprintf("cannot rewrite the map: %v; re-save it as plain JSON", err)}}}
	}
	edits = append(edits, debugIDEdits(lay, id, opts.LegacyDebugIDKey)...)
	newMap := applyEdits(mapData, edits)

	res := pairResult{injected: &InjectedFile{Path: p.JS, MapKind: p.Kind, DebugID: id, IDFrom: from}}
	if inline {
		out, ok := replaceInlineMap(bytes.Join(outJS, nil), base64.StdEncoding.EncodeToString(bytes.Join(newMap, nil)))
		if !ok {
			return pairResult{findings: []Finding{{Code: CodeInlineMapNoRef, Severity: SeverityError, Path: p.JS, Line: p.ReferenceLine,
				Message: "the inline map's sourceMappingURL comment does not start its line, so it cannot be replaced (sentry-cli would keep the old, unshifted map): put the comment on a line of its own"}}}
		}
		res.writes = []fileWrite{{path: p.JS, dir: p.dir, parts: [][]byte{out}, origSize: len(js)}}
		return res
	}
	res.injected.Map = p.Map
	res.writes = []fileWrite{
		{path: p.JS, dir: p.dir, parts: outJS, origSize: len(js)},
		{path: p.Map, dir: p.dir, parts: newMap, origSize: len(mapData)},
	}
	return res
}

// lastLineEmpty reports whether js is empty or ends with a line terminator.
func lastLineEmpty(js []byte) bool {
	return len(js) == 0 || js[len(js)-1] == '\n' || js[len(js)-1] == '\r' ||
		bytes.HasSuffix(js, []byte("\u2028")) || bytes.HasSuffix(js, []byte("\u2029"))
}

// generatedLines counts the lines of a generated file as source maps count them.
func generatedLines(js []byte) int {
	if bytes.IndexByte(js, '\r') < 0 && !bytes.Contains(js, []byte("\u2028")) && !bytes.Contains(js, []byte("\u2029")) {
		return bytes.Count(js, []byte("\n")) + 1
	}
	return positionAt(js, len(js)).line + 1
}

// mappingsEdits returns the edits of a regular map's "mappings" after an insertion. trimmed
// says m is not what the map's text holds, so the text cannot be spliced.
func mappingsEdits(data []byte, lay *mapLayout, m *Mappings, trimmed bool, at, to textPos) ([]textEdit, error) {
	if len(lay.mappings) == 0 {
		return nil, errors.New(`its "mappings" key could not be located`)
	}
	if sp := lay.mappings[0]; len(lay.mappings) == 1 && !trimmed {
		raw := data[sp.start+1 : sp.end-1]
		if bytes.IndexByte(raw, '\\') < 0 {
			if start, end, text, ok := spliceEdit(raw, m, at, to); ok {
				if start == end && len(text) == 0 {
					return nil, nil
				}
				return []textEdit{{sp.start + 1 + start, sp.start + 1 + end, text}}, nil
			}
		}
	}
	shifted := shiftForInsert(m, at, to)
	enc := encodeMappings(&shifted)
	text := make([]byte, 0, len(enc)+2)
	text = append(append(append(text, '"'), enc...), '"')
	edits := make([]textEdit, len(lay.mappings))
	for i, sp := range lay.mappings {
		edits[i] = textEdit{sp.start, sp.end, text}
	}
	return edits, nil
}

// sectionEdits moves an index map's sections below the one line injectIndexed inserted at
// line. Sections at or below it move down one line, as sentry-cli moves every section.
//
// Deliberate difference: sentry-cli also moves a section that starts above the snippet (on a
// hashbang line), which shifts that section's first line wrongly. releasegate leaves such a
// section's offset alone and inserts an empty line into its own mappings instead, when it has
// mappings on the hashbang line (otherwise moving it is right and both tools agree).
func sectionEdits(data []byte, lay *mapLayout, m *Map, line int) ([]textEdit, error) {
	if len(lay.sections) != len(m.Sections) {
		return nil, fmt.Errorf("found %d sections where the parser found %d", len(lay.sections), len(m.Sections))
	}
	var edits []textEdit
	for i, s := range m.Sections {
		ls := lay.sections[i]
		if len(ls.line) == 0 {
			return nil, fmt.Errorf("sections[%d] has no offset line", i)
		}
		rel := line - s.Line // lines of this section above the snippet
		mappedAbove := false
		for l := 0; l < rel && l < s.Map.Mappings.Lines(); l++ {
			if len(s.Map.Mappings.Line(l)) > 0 {
				mappedAbove = true
			}
		}
		if !mappedAbove {
			for _, sp := range ls.line {
				edits = append(edits, textEdit{sp.start, sp.end, strconv.AppendInt(nil, int64(s.Line+1), 10)})
			}
			continue
		}
		if len(ls.mappings) == 0 {
			return nil, fmt.Errorf("sections[%d] has no mappings to adjust", i)
		}
		for _, sp := range ls.mappings {
			raw := string(data[sp.start+1 : sp.end-1])
			if strings.IndexByte(raw, '\\') >= 0 {
				return nil, fmt.Errorf("sections[%d].map.mappings uses JSON escapes", i)
			}
			// Insert an empty line before relative line rel: VLQ state carries over unchanged.
			at := 0
			for l := 0; l < rel; l++ {
				j := strings.IndexByte(raw[at:], ';')
				if j < 0 {
					at = -1
					break
				}
				at += j + 1
			}
			if at < 0 {
				continue // the section ends above the snippet: nothing moves
			}
			edits = append(edits, textEdit{sp.start + 1 + at, sp.start + 1 + at, []byte(";")})
		}
	}
	return edits, nil
}

// debugIDEdits sets the map's debug ID: every "debugId" (and legacy "debug_id") value becomes id
// in normal form, so readers that prefer either key agree; "debugId" is added when absent, and
// "debug_id" too when legacy is set. New keys go after the last member, where sentry-cli puts
// "debugId".
func debugIDEdits(lay *mapLayout, id string, legacy bool) []textEdit {
	quoted := []byte(`"` + id + `"`)
	var edits []textEdit
	for _, s := range lay.debugID {
		edits = append(edits, textEdit{s.start, s.end, quoted})
	}
	for _, s := range lay.legacyDebugID {
		edits = append(edits, textEdit{s.start, s.end, quoted})
	}
	var add []byte
	if len(lay.debugID) == 0 {
		add = append(append(add, `,"debugId":`...), quoted...)
	}
	if legacy && len(lay.legacyDebugID) == 0 {
		add = append(append(add, `,"debug_id":`...), quoted...)
	}
	if len(add) > 0 {
		if lay.lastValueEnd < 0 {
			add = add[1:] // an empty object: no comma before the first key
			edits = append(edits, textEdit{lay.open + 1, lay.open + 1, add})
		} else {
			edits = append(edits, textEdit{lay.lastValueEnd, lay.lastValueEnd, add})
		}
	}
	return edits
}

// textEdit replaces data[start:end] with text.
type textEdit struct {
	start, end int
	text       []byte
}

// applyEdits applies non-overlapping edits, returning the result as pieces that share data.
func applyEdits(data []byte, edits []textEdit) [][]byte {
	slices.SortFunc(edits, func(a, b textEdit) int { return cmp.Or(cmp.Compare(a.start, b.start), cmp.Compare(a.end, b.end)) })
	parts := make([][]byte, 0, 2*len(edits)+1)
	pos := 0
	for _, e := range edits {
		parts = append(parts, data[pos:e.start], e.text)
		pos = e.end
	}
	return append(parts, data[pos:])
}

// span is a byte range of a JSON value in a map file.
type span struct{ start, end int }

// mapLayout locates, in a map's text, the values inject rewrites, so that everything else
// (unknown keys, x_* extensions, key order, formatting) is written back untouched.
type mapLayout struct {
	open          int // offset of the top-level '{'
	lastValueEnd  int // end of the last member's value (-1: no members)
	mappings      []span
	debugID       []span
	legacyDebugID []span
	sections      []sectionLayout
}

type sectionLayout struct {
	line     []span // offset.line values
	mappings []span // map.mappings values
}

// layoutMap scans a map that Parse accepted. Keys are compared as written: a key spelled with
// JSON escapes is not recognised (and the rewrite then fails safely).
func layoutMap(data []byte) (*mapLayout, error) {
	sc := &jsonScan{b: data}
	if bytes.HasPrefix(data, []byte(")]}'")) {
		// The XSSI guard Parse accepts: the JSON starts on the next line. It is kept.
		nl := bytes.IndexByte(data, '\n')
		if nl < 0 {
			return nil, errors.New("nothing after the XSSI guard")
		}
		sc.i = nl + 1
	}
	sc.ws()
	lay := &mapLayout{open: sc.i, lastValueEnd: -1}
	err := sc.objectEnd(func(key []byte) error {
		switch string(key) {
		case "mappings":
			s, err := sc.str()
			lay.mappings = append(lay.mappings, s)
			return err
		case "debugId":
			s, err := sc.str()
			lay.debugID = append(lay.debugID, s)
			return err
		case "debug_id":
			s, err := sc.str()
			lay.legacyDebugID = append(lay.legacyDebugID, s)
			return err
		case "sections":
			return sc.array(func() error {
				var sec sectionLayout
				err := sc.object(func(key []byte) error {
					switch string(key) {
					case "offset":
						return sc.object(func(key []byte) error {
							if string(key) != "line" {
								return sc.skip()
							}
							start := sc.i
							err := sc.skip()
							sec.line = append(sec.line, span{start, sc.i})
							return err
						})
					case "map":
						return sc.object(func(key []byte) error {
							if string(key) != "mappings" {
								return sc.skip()
							}
							s, err := sc.str()
							sec.mappings = append(sec.mappings, s)
							return err
						})
					}
					return sc.skip()
				})
				lay.sections = append(lay.sections, sec)
				return err
			})
		}
		return sc.skip()
	}, &lay.lastValueEnd)
	if err != nil {
		return nil, err
	}
	return lay, nil
}

// jsonScan walks JSON text that is known to be valid, recording offsets.
type jsonScan struct {
	b []byte
	i int
}

var errJSONShape = errors.New("unexpected JSON structure")

func (s *jsonScan) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// str consumes a string and returns its span, quotes included.
func (s *jsonScan) str() (span, error) {
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return span{}, errJSONShape
	}
	start := s.i
	j := s.i + 1
	for {
		k := bytes.IndexByte(s.b[j:], '"')
		if k < 0 {
			return span{}, errJSONShape
		}
		j += k
		// The quote is escaped when an odd number of backslashes precede it.
		bs := 0
		for p := j - 1; p > start && s.b[p] == '\\'; p-- {
			bs++
		}
		j++
		if bs%2 == 0 {
			break
		}
	}
	s.i = j
	return span{start, j}, nil
}

// skip consumes any value.
func (s *jsonScan) skip() error {
	if s.i >= len(s.b) {
		return errJSONShape
	}
	switch s.b[s.i] {
	case '"':
		_, err := s.str()
		return err
	case '{':
		return s.object(func([]byte) error { return s.skip() })
	case '[':
		return s.array(s.skip)
	}
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return nil
		}
		s.i++
	}
	return nil
}

// object consumes an object, calling member with each key (raw, as written) with the scanner at
// the start of its value; member must consume the value.
func (s *jsonScan) object(member func(key []byte) error) error { return s.objectEnd(member, nil) }

// objectEnd is object that also stores the end of the last value in lastEnd.
func (s *jsonScan) objectEnd(member func(key []byte) error, lastEnd *int) error {
	s.ws()
	if s.i >= len(s.b) || s.b[s.i] != '{' {
		return errJSONShape
	}
	s.i++
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == '}' {
		s.i++
		return nil
	}
	for {
		s.ws()
		k, err := s.str()
		if err != nil {
			return err
		}
		s.ws()
		if s.i >= len(s.b) || s.b[s.i] != ':' {
			return errJSONShape
		}
		s.i++
		s.ws()
		if err := member(s.b[k.start+1 : k.end-1]); err != nil {
			return err
		}
		if lastEnd != nil {
			*lastEnd = s.i
		}
		s.ws()
		if s.i >= len(s.b) {
			return errJSONShape
		}
		switch s.b[s.i] {
		case ',':
			s.i++
		case '}':
			s.i++
			return nil
		default:
			return errJSONShape
		}
	}
}

// array consumes an array, calling elem with the scanner at each element.
func (s *jsonScan) array(elem func() error) error {
	s.ws()
	if s.i >= len(s.b) || s.b[s.i] != '[' {
		return errJSONShape
	}
	s.i++
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == ']' {
		s.i++
		return nil
	}
	for {
		s.ws()
		if err := elem(); err != nil {
			return err
		}
		s.ws()
		if s.i >= len(s.b) {
			return errJSONShape
		}
		switch s.b[s.i] {
		case ',':
			s.i++
		case ']':
			s.i++
			return nil
		default:
			return errJSONShape
		}
	}
}
