package sourcemaps

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/go-json-experiment/json/jsontext"
)

// Map is a decoded source map. An index map is flattened: its sections' sources, names and
// mappings are merged into the top-level fields (as trace-mapping and Sentry's rust-sourcemap do),
// and Sections keeps where each came from.
type Map struct {
	Version    int
	File       string
	HasFile    bool
	SourceRoot string
	// Sources are the raw "sources" entries; SourceIsNull marks the null ones (their entry is "").
	Sources      []string
	SourceIsNull []bool
	// SourcesContent holds the content of each source; HasContent marks the entries present
	// and not null. Both have the length of Sources.
	SourcesContent []string
	HasContent     []bool
	Names          []string
	IgnoreList     []int
	// DebugID is the map's debug ID as written (key "debugId", or the legacy "debug_id").
	DebugID    string
	DebugIDKey string
	Mappings   Mappings
	// Sections is non-nil for an index map.
	Sections []Section
}

// Section is one part of an index map.
type Section struct {
	// Line and Column are the 0-based generated offset of the section.
	Line, Column int
	// Map is the section's own map, decoded on its own.
	Map *Map
	// SourceBase and NameBase are where the section's sources and names start in the flattened
	// Map's Sources and Names.
	SourceBase, NameBase int
}

// IsIndex reports whether the map was an index map (with "sections").
func (m *Map) IsIndex() bool { return m.Sections != nil }

// Limits bound what Parse accepts, so that a hostile or broken file fails with a clear error
// instead of exhausting memory.
type Limits struct {
	// MaxSources is the most "sources" a map may name (0: DefaultMaxSources).
	MaxSources int
}

// DefaultMaxSources is far above what real bundles have (a large monorepo's vendor chunk names
// a few thousand) and far below what would make decoding a problem.
const DefaultMaxSources = 50_000

// ParseError is returned when a map cannot be used at all. Problems lists every problem found;
// at least one is an error.
type ParseError struct {
	Problems []Problem
}

func (e *ParseError) Error() string {
	for _, p := range e.Problems {
		if p.Severity == SeverityError {
			return p.Message
		}
	}
	return "invalid source map"
}

// Parse decodes a source map strictly, as ECMA-426 requires: it rejects wrong field types,
// malformed or out-of-range mappings and malformed index maps, and reports every problem with a
// stable code. On success it returns the map and any warnings. On failure it returns a
// *ParseError (and, when the JSON itself was readable, the partly decoded map).
func Parse(data []byte, limits Limits) (*Map, []Problem, error) {
	if limits.MaxSources == 0 {
		limits.MaxSources = DefaultMaxSources
	}
	p := &parser{data: data, limits: limits}
	body := data
	// Sentry and the browsers accept the XSSI guard ")]}'" before the JSON; the spec does too
	// (it says to strip it), so it is a warning: some tools that read maps do not expect it.
	if bytes.HasPrefix(body, []byte(")]}'")) {
		nl := bytes.IndexByte(body, '\n')
		if nl < 0 {
			nl = len(body) - 1
		}
		p.warn(CodeMapXSSIPrefix, 0, "the map starts with the XSSI guard \")]}'\"; it is allowed, but some tools cannot read such maps")
		p.base = int64(nl + 1)
		body = body[nl+1:]
	}
	r := decoders.Get().(*pooledDecoder)
	defer r.release()
	r.in = *bytes.NewBuffer(body) // a bytes.Buffer: the decoder reads it in place, without a copy
	r.dec.Reset(&r.in, jsontext.AllowDuplicateNames(true))
	p.dec = &r.dec
	m := p.parseMap(0)
	if p.fatal == nil {
		if err := p.checkTrailing(); err != nil {
			p.fatal = err
		}
	}
	if p.fatal != nil {
		return nil, p.problems, &ParseError{Problems: p.problems}
	}
	if p.hasErrors() {
		return m, p.problems, &ParseError{Problems: p.problems}
	}
	return m, p.problems, nil
}

// pooledDecoder is a JSON decoder and its input, reused between Parse calls: a real build has
// hundreds of small maps, and a fresh decoder for each costs more than reading a small map.
type pooledDecoder struct {
	in  bytes.Buffer
	dec jsontext.Decoder
}

var decoders = sync.Pool{New: func() any { return new(pooledDecoder) }}

// release drops the reference to the map's bytes and returns the decoder to the pool.
func (r *pooledDecoder) release() {
	r.in = bytes.Buffer{}
	r.dec.Reset(&r.in)
	decoders.Put(r)
}

type parser struct {
	data     []byte
	base     int64 // offset of the JSON text in data (after an XSSI prefix)
	dec      *jsontext.Decoder
	limits   Limits
	problems []Problem
	// fatal is set when the JSON text itself is broken: nothing after it can be trusted.
	fatal error
	// notObject is set when the top-level value is not an object and does not even parse.
	notObject bool
	strings   stringArena
}

func (p *parser) errorf(code string, offset int64, format string, args ...any) {
	p.problems = append(p.problems, newProblem(code, SeverityError, offset, format, args...))
}

func (p *parser) warn(code string, offset int64, format string, args ...any) {
	p.problems = append(p.problems, newProblem(code, SeverityWarning, offset, format, args...))
}

func (p *parser) hasErrors() bool {
	for _, pr := range p.problems {
		if pr.Severity == SeverityError {
			return true
		}
	}
	return false
}

// offset is the absolute byte offset in the map file of the decoder's position.
func (p *parser) offset() int64 { return p.base + p.dec.InputOffset() }

// syntax records a broken-JSON error: the map is not a JSON document.
func (p *parser) syntax(err error) {
	if p.fatal != nil {
		return
	}
	p.fatal = err
	off := p.offset()
	var se *jsontext.SyntacticError
	if errors.As(err, &se) {
		off = p.base + se.ByteOffset
		err = se.Err
	}
	// A map cut off mid-write fails at its very end (often on the newline a copy tool added).
	body := bytes.TrimSpace(p.data[p.base:])
	switch {
	case len(body) == 0:
		p.errorf(CodeMapNotJSON, off, "the map is empty; the build did not write it (or it was emptied): rebuild it")
		return
	case p.notObject && !bytes.HasPrefix(body, []byte("<")):
		off = p.base + int64(len(p.data[p.base:])-len(bytes.TrimLeft(p.data[p.base:], " \t\r\n")))
		// The decoder's own words ("in literal true") would name a JSON value the text never
		// was; quoting its start says what the file really holds.
		p.errorf(CodeMapNotJSON, off, "the map is not JSON: it starts with %q where a source map starts with \"{\"; make sure the build writes a real source map here", textStart(body))
		return
	}
	truncated := off >= p.base+int64(len(bytes.TrimRight(p.data[p.base:], " \t\r\n")))
	if truncated || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		p.errorf(CodeMapNotJSON, off, "the map is not valid JSON: it ends early (truncated at byte %d); the file was cut off while being written or copied: rebuild it", off)
		return
	}
	msg := "the map is not valid JSON"
	if bytes.HasPrefix(bytes.TrimSpace(p.data), []byte("<")) {
		msg = "the map is not JSON but looks like HTML or XML (an error page saved as a .map?)"
	}
	// The decoder names the literal a first letter promised ("invalid character 'x' in literal
	// true"), which reads as if the map held a boolean; the character and place are enough.
	detail := literalRE.ReplaceAllString(err.Error(), "")
	p.errorf(CodeMapNotJSON, off, "%s: %s at byte %d; make sure the build writes a real source map here", msg, detail, off)
}

func (p *parser) checkTrailing() error {
	if _, err := p.dec.ReadToken(); !errors.Is(err, io.EOF) {
		if err == nil {
			err = errors.New("unexpected data after the top-level object")
		}
		p.syntax(err)
		return err
	}
	return nil
}

// literalRE matches the decoder's note on which literal it was reading.
var literalRE = regexp.MustCompile(` in literal (?:true|false|null) \(expecting '.'\)`)

// textStart is the first line of data, cut to 24 runes, for quoting in a message.
func textStart(data []byte) string {
	s := string(data)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	if r := []rune(s); len(r) > 24 {
		s = string(r[:24]) + "…"
	}
	return s
}

func entries(n int) string {
	if n == 1 {
		return "1 entry"
	}
	return strconv.Itoa(n) + " entries"
}

func kindName(k jsontext.Kind) string {
	switch k {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case '0':
		return "a number"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "nothing"
}

// mapFields collects the raw pieces of one map object before they are checked together.
type mapFields struct {
	start                  int64
	version                *int
	hasMappings            bool
	mappings               []byte // the string's text in the map (escapes already undone)
	mappingsOffset         int64
	sources                []string
	sourceNull             []bool
	hasSources             bool
	content                []string
	hasContent             []bool
	contentLen             int
	contentOffset          int64
	names                  []string
	ignoreList             []int
	ignoreOffset           int64
	sections               []rawSection
	hasSections            bool
	sectionsOffset         int64
	file, sourceRoot       string
	hasFile, hasSourceRoot bool
	debugID, debugIDKey    string
	debugIDOffset          int64
}

type rawSection struct {
	offset     int64
	line, col  int
	hasOffset  bool
	m          *Map
	mapsOffset int64
}

// parseMap reads one map object (the top level, or an index-map section's "map").
// depth is 0 at the top level.
func (p *parser) parseMap(depth int) *Map {
	var f mapFields
	f.start = p.offset()
	k := p.dec.PeekKind()
	if k != '{' {
		p.notObject = depth == 0
		if k == 0 || k == jsontext.Kind(0) {
			_, err := p.dec.ReadToken()
			p.syntax(err)
			return nil
		}
		// The kind comes from the first byte alone ("t" of "total nonsense" peeks as a
		// boolean), so the value is read first: text that is not JSON is reported as that.
		if err := p.dec.SkipValue(); err != nil {
			p.syntax(err)
			return nil
		}
		if depth == 0 && p.checkTrailing() != nil {
			return nil // "true-ish" is broken JSON, not a boolean
		}
		if depth == 0 {
			p.errorf(CodeMapNotObject, f.start, "the map is %s, not a JSON object; make sure the build writes a source map here", kindName(k))
		} else {
			p.errorf(CodeIndexMapSectionField, f.start, "an index-map section's \"map\" is %s, not an object", kindName(k))
		}
		return nil
	}
	if _, err := p.dec.ReadToken(); err != nil {
		p.syntax(err)
		return nil
	}
	var seen keySet
	for p.dec.PeekKind() != '}' {
		keyOff := p.offset()
		key, ok := p.readKey()
		if !ok {
			return nil
		}
		if !seen.add(key) {
			p.warn(CodeDuplicateKey, keyOff, "key %q appears more than once; the last one counts, but tools disagree on this", key)
		}
		if !p.field(&f, key, depth) {
			return nil
		}
	}
	if _, err := p.dec.ReadToken(); err != nil {
		p.syntax(err)
		return nil
	}
	return p.finishMap(&f, depth)
}

// field reads the value of one key into f. It returns false when the JSON text is broken.
func (p *parser) field(f *mapFields, key string, depth int) bool {
	valOff := p.offset()
	kind := p.dec.PeekKind()
	wrongType := func(want string) bool {
		return p.mistyped(CodeFieldType, valOff, kind, "%q must be %s, but it is %s", key, want)
	}
	switch key {
	case "version":
		if kind != '0' {
			f.version = new(int)
			*f.version = -1
			return p.mistyped(CodeVersionInvalid, valOff, kind, "\"version\" must be the number 3, but it is %s")
		}
		tok, err := p.dec.ReadToken()
		if err != nil {
			p.syntax(err)
			return false
		}
		v, _ := tok.Float()
		iv := -1
		if v == math.Trunc(v) && v >= 0 && v < 1<<31 {
			iv = int(v)
		}
		f.version = &iv
		if iv != 3 {
			p.errorf(CodeVersionInvalid, valOff, "\"version\" is %s, but only version 3 exists; the tool that wrote this map is not writing a standard source map", tok.String())
		}
	case "file":
		if kind != '"' {
			return wrongType("a string")
		}
		f.file, f.hasFile = p.readString()
	case "sourceRoot":
		if kind != '"' {
			return wrongType("a string")
		}
		f.sourceRoot, f.hasSourceRoot = p.readString()
	case "mappings":
		if kind != '"' {
			return wrongType("a string")
		}
		f.mappings, f.mappingsOffset, f.hasMappings = p.readRawString()
	case "sources":
		if kind != '[' {
			return wrongType("an array of strings or nulls")
		}
		f.hasSources = true
		return p.readStringArray(key, true, func(s string, null bool) {
			f.sources = append(f.sources, s)
			f.sourceNull = append(f.sourceNull, null)
		})
	case "sourcesContent":
		if kind != '[' {
			return wrongType("an array of strings or nulls")
		}
		f.contentOffset = valOff
		return p.readStringArray(key, true, func(s string, null bool) {
			f.content = append(f.content, s)
			f.hasContent = append(f.hasContent, !null)
			f.contentLen++
		})
	case "names":
		if kind != '[' {
			return wrongType("an array of strings")
		}
		return p.readStringArray(key, false, func(s string, _ bool) { f.names = append(f.names, s) })
	case "ignoreList", "x_google_ignoreList":
		if kind != '[' {
			return wrongType("an array of source indices")
		}
		if key == "x_google_ignoreList" && f.ignoreList != nil {
			// "ignoreList" wins when both are present, as the spec says.
			return p.skip()
		}
		f.ignoreOffset = valOff
		f.ignoreList = []int{}
		return p.readIndexArray(key, &f.ignoreList)
	case "debugId", "debug_id":
		if kind != '"' {
			return wrongType("a string (a UUID)")
		}
		if f.debugIDKey == "debugId" && key == "debug_id" {
			return p.skip()
		}
		f.debugIDOffset = valOff
		f.debugID, _ = p.readString()
		f.debugIDKey = key
	case "sections":
		if kind != '[' {
			return wrongType("an array of sections")
		}
		f.hasSections = true
		f.sectionsOffset = valOff
		if depth > 0 {
			p.errorf(CodeIndexMapNested, valOff, "an index-map section's map is itself an index map; the spec forbids nesting: flatten the inner map")
			return p.skip()
		}
		return p.readSections(f)
	default:
		// Unknown keys are allowed (the spec says to ignore them); x_* extensions are common.
		return p.skip()
	}
	return p.fatal == nil
}

// mistyped reports a value of the wrong JSON kind, named by k, and skips it. The value is
// skipped first: the kind comes from its first byte only, and text that does not parse ("tx")
// is broken JSON, reported as such, not "a boolean".
func (p *parser) mistyped(code string, off int64, k jsontext.Kind, format string, args ...any) bool {
	if k == 0 || !p.skip() {
		if k == 0 {
			_, err := p.dec.ReadToken()
			p.syntax(err)
		}
		return false
	}
	p.errorf(code, off, format, append(args, kindName(k))...)
	return true
}

func (p *parser) skip() bool {
	if err := p.dec.SkipValue(); err != nil {
		p.syntax(err)
		return false
	}
	return true
}

// knownKeys are the keys Parse looks at. readKey returns these very strings, so reading a map's
// keys allocates nothing.
var knownKeys = []string{"version", "file", "sourceRoot", "sources", "sourcesContent", "names",
	"mappings", "ignoreList", "x_google_ignoreList", "debugId", "debug_id", "sections", "offset",
	"map", "url", "line", "column"}

// readKey reads an object member name.
func (p *parser) readKey() (string, bool) {
	v, err := p.dec.ReadValue()
	if err != nil {
		p.syntax(err)
		return "", false
	}
	if raw := v[1 : len(v)-1]; bytes.IndexByte(raw, '\\') < 0 {
		for _, k := range knownKeys {
			if string(raw) == k {
				return k, true
			}
		}
		return string(raw), true
	}
	return p.unquote(v)
}

// readStringValue reads a string value. Unlike a Token's String, it copies a string without
// escapes once, without a second pass over it.
func (p *parser) readStringValue() (string, bool) {
	v, err := p.dec.ReadValue()
	if err != nil {
		p.syntax(err)
		return "", false
	}
	if raw := v[1 : len(v)-1]; bytes.IndexByte(raw, '\\') < 0 {
		return p.strings.string(raw), true
	}
	return p.unquote(v)
}

func (p *parser) readString() (string, bool) {
	tok, err := p.dec.ReadToken()
	if err != nil {
		p.syntax(err)
		return "", false
	}
	return tok.String(), true
}

// readStringArray reads an array whose elements must be strings (or null when nullable).
// A wrongly typed element is an error naming its index; reading goes on.
func (p *parser) readStringArray(key string, nullable bool, add func(s string, null bool)) bool {
	if _, err := p.dec.ReadToken(); err != nil {
		p.syntax(err)
		return false
	}
	for i := 0; p.dec.PeekKind() != ']'; i++ {
		off := p.offset()
		k := p.dec.PeekKind()
		switch {
		case k == '"':
			str, ok := p.readStringValue()
			if !ok {
				return false
			}
			add(str, false)
		case k == 'n' && nullable:
			if _, err := p.dec.ReadToken(); err != nil {
				p.syntax(err)
				return false
			}
			add("", true)
		default:
			if k == 0 {
				_, err := p.dec.ReadToken()
				p.syntax(err)
				return false
			}
			want := "a string"
			if nullable {
				want = "a string or null"
			}
			if !p.mistyped(CodeFieldType, off, k, "%q[%d] must be %s, but it is %s", key, i, want) {
				return false
			}
			add("", true)
		}
	}
	if _, err := p.dec.ReadToken(); err != nil {
		p.syntax(err)
		return false
	}
	return true
}

// readIndexArray reads an array of non-negative integers.
func (p *parser) readIndexArray(key string, out *[]int) bool {
	if _, err := p.dec.ReadToken(); err != nil {
		p.syntax(err)
		return false
	}
	for i := 0; p.dec.PeekKind() != ']'; i++ {
		off := p.offset()
		k := p.dec.PeekKind()
		if k == 0 {
			_, err := p.dec.ReadToken()
			p.syntax(err)
			return false
		}
		if k != '0' {
			if !p.mistyped(CodeFieldType, off, k, "%q[%d] must be a source index (a whole number), but it is %s", key, i) {
				return false
			}
			continue
		}
		tok, err := p.dec.ReadToken()
		if err != nil {
			p.syntax(err)
			return false
		}
		v, _ := tok.Float()
		if v != math.Trunc(v) || v < 0 || v > maxVLQ {
			p.errorf(CodeFieldType, off, "%q[%d] is %s, which is not a source index (a whole number ≥ 0)", key, i, tok.String())
			continue
		}
		*out = append(*out, int(v))
	}
	if _, err := p.dec.ReadToken(); err != nil {
		p.syntax(err)
		return false
	}
	return true
}

// finishMap checks the fields of one map object together and builds the Map.
func (p *parser) finishMap(f *mapFields, depth int) *Map {
	m := &Map{
		File: f.file, HasFile: f.hasFile, SourceRoot: f.sourceRoot,
		DebugID: f.debugID, DebugIDKey: f.debugIDKey,
	}
	if f.version == nil {
		p.errorf(CodeVersionMissing, f.start, "the map has no \"version\"; add \"version\": 3")
	} else {
		m.Version = *f.version
	}
	if f.debugIDKey != "" {
		if _, ok := NormalizeDebugID(f.debugID); !ok {
			p.errorf(CodeDebugIDInvalid, f.debugIDOffset, "%q is %q, which is not a UUID; Sentry will not match this map by debug ID", f.debugIDKey, f.debugID)
		}
	}
	if f.hasSections {
		if f.hasMappings {
			p.errorf(CodeIndexMapMappings, f.mappingsOffset, "an index map (with \"sections\") must not also have \"mappings\"")
		}
		p.flattenSections(m, f)
		return m
	}
	if !f.hasMappings {
		p.errorf(CodeMappingsMissing, f.start, "the map has no \"mappings\"; it cannot map anything: rebuild it")
	}
	if !f.hasSources {
		p.errorf(CodeSourcesMissing, f.start, "the map has no \"sources\"; rebuild it")
	}
	if len(f.sources) > p.limits.MaxSources {
		p.errorf(CodeTooManySources, f.start, "the map names %d sources, more than the limit of %d; this is not a real bundle's map (raise the limit only if it is)", len(f.sources), p.limits.MaxSources)
		return m
	}
	m.Sources, m.SourceIsNull, m.Names = f.sources, f.sourceNull, f.names
	if m.Sources == nil {
		m.Sources = []string{}
		m.SourceIsNull = []bool{}
	}
	if f.content != nil && len(f.content) == len(m.Sources) {
		m.SourcesContent, m.HasContent = f.content, f.hasContent // the usual case: no copy
	} else {
		m.SourcesContent = make([]string, len(m.Sources))
		m.HasContent = make([]bool, len(m.Sources))
		copy(m.SourcesContent, f.content)
		copy(m.HasContent, f.hasContent)
	}
	if f.contentLen > 0 && f.contentLen != len(m.Sources) {
		p.warn(CodeSourcesContentLength, f.contentOffset, "\"sourcesContent\" has %s but \"sources\" has %d; entries are matched by position, so contents may be attached to the wrong files", entries(f.contentLen), len(m.Sources))
	}
	if f.ignoreList != nil {
		m.IgnoreList = f.ignoreList
		for _, idx := range f.ignoreList {
			if idx >= len(m.Sources) {
				p.errorf(CodeIgnoreListOutOfRange, f.ignoreOffset, "\"ignoreList\" names source %d, but the map has %s", idx, plural(len(m.Sources), "source"))
			}
		}
	}
	if f.hasMappings && p.fatal == nil {
		mp, probs := decodeMappings(f.mappings, len(m.Sources), len(m.Names), f.mappingsOffset)
		m.Mappings = mp
		p.problems = append(p.problems, probs...)
	}
	return m
}

// String describes a map briefly, for debugging.
func (m *Map) String() string {
	kind := "map"
	if m.IsIndex() {
		kind = "index map"
	}
	return fmt.Sprintf("%s (%d sources, %d names, %d segments on %d lines)", kind, len(m.Sources), len(m.Names), len(m.Mappings.Segments), m.Mappings.Lines())
}
