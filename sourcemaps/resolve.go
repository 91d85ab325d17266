package sourcemaps

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"path/filepath"
	"strconv"
	"strings"
)

// maxProblemsInError is how many of a broken map's problems an error message lists; the rest
// are one `releasegate sourcemaps validate` away.
const maxProblemsInError = 3

// LoadMapFor returns the parsed source map for file, which may be a map or a generated file.
// A generated file's map is the one its last sourceMappingURL comment names (an inline data:
// map included), else <path>.map beside it. mapPath is the file the map was read from: the
// generated file itself for an inline map.
//
// The map is parsed strictly: a map the spec rejects is an error listing its first problems
// (the error wraps the *ParseError), because positions looked up in a broken map cannot be
// trusted.
//
// Only regular files of at most opts.MaxFileSize bytes are read: a map reference to /dev/zero
// or a FIFO is refused before it is opened. A relative file is taken against opts.Dir; mapPath
// and messages name files as given.
func LoadMapFor(file string, opts LoadMapOptions) (m *Map, mapPath string, err error) {
	data, err := opts.readLimited(file)
	if err != nil {
		return nil, "", err
	}
	if looksLikeMap(file, data) {
		m, err := parseForResolve(file, data)
		return m, file, err
	}
	mapPath, mapData, err := opts.findMapOf(file, data)
	if err != nil {
		return nil, "", err
	}
	m, err = parseForResolve(mapPath, mapData)
	return m, mapPath, err
}

// LoadMapOptions says where LoadMapFor reads from.
type LoadMapOptions struct {
	// Dir is the folder a relative file is taken against ("": the process's working directory).
	Dir string
	// MaxFileSize bounds each file read (0: DefaultMaxFileSize).
	MaxFileSize int64
}

func (opts LoadMapOptions) readLimited(file string) ([]byte, error) {
	data, err := folder(opts.Dir).readRegular(file, opts.MaxFileSize)
	var tl *TooLargeError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, &explainedError{msg: file + " does not exist; check the path", err: err}
	case isNotRegular(err) && strings.Contains(err.Error(), "a folder"):
		return nil, fmt.Errorf("%s is a folder; give a generated file (such as dist/main.js) or its .map", file)
	case isNotRegular(err):
		return nil, err
	case errors.As(err, &tl):
		return nil, fmt.Errorf("%s is over the %d MiB limit; it is not a real bundle or map (or raise --max-file-size)", file, tl.Max>>20)
	case err != nil:
		return nil, fmt.Errorf("cannot read %s: %w", file, err)
	}
	return data, nil
}

// explainedError is an error whose message says it all; it still wraps the cause, so callers
// can test for fs.ErrNotExist and the like.
type explainedError struct {
	msg string
	err error
}

func (e *explainedError) Error() string { return e.msg }
func (e *explainedError) Unwrap() error { return e.err }

// looksLikeMap tells a map from a generated file: by the .map extension, else by content (a
// JSON object naming "mappings" or "sections", without a sourceMappingURL comment), so a map
// saved under another name (main.js.map.json, a download) still works.
func looksLikeMap(file string, data []byte) bool {
	if strings.HasSuffix(file, ".map") {
		return true
	}
	body := bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), " \t\r\n")
	if !bytes.HasPrefix(body, []byte("{")) && !bytes.HasPrefix(body, []byte(")]}'")) {
		return false
	}
	if _, _, _, found := FindSourceMappingURL(data); found {
		return false
	}
	return bytes.Contains(body, []byte(`"mappings"`)) || bytes.Contains(body, []byte(`"sections"`))
}

// findMapOf locates and reads the map of generated file js (its contents are data).
func (opts LoadMapOptions) findMapOf(js string, data []byte) (string, []byte, error) {
	ref, line, _, found := FindSourceMappingURL(data)
	if !found {
		guess := js + ".map"
		mapData, err := opts.readLimited(guess)
		if errors.Is(err, fs.ErrNotExist) {
			return "", nil, fmt.Errorf("%s has no sourceMappingURL comment and there is no %s beside it; pass the map itself instead (releasegate sourcemaps resolve path/to/file.js.map LINE:COLUMN)", js, filepath.Base(guess))
		}
		return guess, mapData, err
	}
	if strings.HasPrefix(ref, "data:") {
		mapData, err := decodeDataURL(ref)
		if err != nil {
			return "", nil, fmt.Errorf("%s:%d: the inline source map cannot be decoded: %w; rebuild the file", js, line, err)
		}
		return js, mapData, nil
	}
	if u, err := url.Parse(ref); err == nil && len(u.Scheme) > 1 {
		return "", nil, fmt.Errorf("%s:%d: the map is referenced by URL (%s), which releasegate does not download; fetch it and pass the map itself", js, line, ref)
	}
	clean := stripQueryFragment(ref)
	p := filepath.Join(filepath.Dir(js), filepath.FromSlash(unescapePath(clean)))
	if strings.HasPrefix(clean, "/") {
		// A server path ("/assets/main.js.map") rarely exists on this machine; the map usually
		// sits beside the file under the same name.
		p = filepath.Clean(clean)
		if _, err := folder(opts.Dir).stat(p); err != nil {
			p = filepath.Join(filepath.Dir(js), path.Base(clean))
		}
	}
	mapData, err := opts.readLimited(p)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil, fmt.Errorf("%s:%d: its sourceMappingURL names %q, but %s does not exist; the map was moved or not deployed here: pass the map itself", js, line, ref, p)
	}
	return p, mapData, err
}

func parseForResolve(mapPath string, data []byte) (*Map, error) {
	m, _, err := Parse(data, Limits{})
	if err == nil {
		return m, nil
	}
	var pe *ParseError
	if !errors.As(err, &pe) {
		return nil, fmt.Errorf("%s: %w", mapPath, err)
	}
	var msgs []string
	errs := 0
	for _, p := range pe.Problems {
		if p.Severity != SeverityError {
			continue
		}
		errs++
		if len(msgs) < maxProblemsInError {
			msgs = append(msgs, fmt.Sprintf("  %s: %s", p.Code, p.Message))
		}
	}
	more := ""
	if errs > len(msgs) {
		more = fmt.Sprintf("\n  … and %d more", errs-len(msgs))
	}
	return nil, &MapError{Path: mapPath, Err: pe,
		msg: fmt.Sprintf("%s is not a valid source map, so positions in it cannot be trusted:\n%s%s\nrun `releasegate sourcemaps validate %s` for every problem, then rebuild the map", mapPath, strings.Join(msgs, "\n"), more, mapPath)}
}

// MapError says a map was found but the spec rejects it. It wraps the *ParseError.
type MapError struct {
	Path string
	Err  *ParseError
	msg  string
}

func (e *MapError) Error() string { return e.msg }
func (e *MapError) Unwrap() error { return e.Err }

// Resolution is the answer for one generated position. Line and Column are the 1-based
// position asked about; the original position is 1-based too, as stack traces and Sentry
// frames show positions. Mapped is false when nothing maps there (no segment at or before
// the column on that line, or a segment without a source); the other fields are then empty.
type Resolution struct {
	Line, Column int
	Mapped       bool
	// SourceIndex is the index into Map.Sources (-1 when unmapped). Source is the raw entry;
	// SourceIsNull is set when that entry is null. SourceResolved is joined with sourceRoot.
	SourceIndex    int
	Source         string
	SourceIsNull   bool
	SourceResolved string
	OriginalLine   int
	OriginalColumn int
	Name           string
	HasName        bool
	// Context is the original line's text from sourcesContent, when the map has it.
	Context    string
	HasContext bool
	// SegmentColumn is the 1-based generated column of the segment that matched.
	SegmentColumn int
}

// Resolve looks up a 1-based generated line and column (as browsers print them in stack traces)
// in m and returns the 1-based original position. Positions before 1:1 map to nothing.
func Resolve(m *Map, line1, col1 int) Resolution {
	r := Resolution{Line: line1, Column: col1, SourceIndex: -1}
	if line1 < 1 || col1 < 1 {
		return r
	}
	pos, ok := m.OriginalPositionFor(line1-1, col1-1)
	if !ok || pos.Source < 0 {
		return r
	}
	r.Mapped = true
	r.SourceIndex = pos.Source
	r.Source = m.Sources[pos.Source]
	r.SourceIsNull = m.SourceIsNull[pos.Source]
	r.SourceResolved = m.ResolvedSource(pos.Source)
	r.OriginalLine, r.OriginalColumn = pos.Line+1, pos.Column+1
	r.SegmentColumn = pos.GenColumn + 1
	if pos.Name >= 0 {
		r.Name, r.HasName = m.Names[pos.Name], true
	}
	r.Context, r.HasContext = m.ContentLine(pos.Source, pos.Line)
	return r
}

// LocalSourcePath returns where a resolved source is on this machine when it is a relative
// path: joined to the map's folder, as a browser joins it to the map's URL, and cleaned
// ("dist/../src/app.ts" → "src/app.ts"). URLs ("webpack://…") and absolute paths are returned
// as they are. For a human reader, a path they can open beats one relative to the map.
func LocalSourcePath(mapPath, resolved string) string {
	if resolved == "" || strings.Contains(resolved, "://") || strings.HasPrefix(resolved, "/") || filepath.IsAbs(resolved) {
		return resolved
	}
	if u, err := url.Parse(resolved); err == nil && len(u.Scheme) > 1 {
		return resolved
	}
	return filepath.ToSlash(filepath.Join(filepath.Dir(mapPath), filepath.FromSlash(resolved)))
}

// ParsePosition parses "LINE:COLUMN", both 1-based decimal numbers, as browsers print them in
// stack traces and Sentry shows them in frames.
func ParsePosition(s string) (line, col int, err error) {
	l, c, ok := strings.Cut(s, ":")
	line, err1 := strconv.Atoi(l)
	col, err2 := strconv.Atoi(c)
	if !ok || err1 != nil || err2 != nil || !isDigits(l) || !isDigits(c) {
		return 0, 0, fmt.Errorf("bad position %q: want LINE:COLUMN, two 1-based numbers as in a stack trace, e.g. 1:2345", s)
	}
	if line < 1 || col < 1 {
		return 0, 0, fmt.Errorf("bad position %q: lines and columns start at 1 (as browsers print them), e.g. 1:2345", s)
	}
	return line, col, nil
}

// isDigits accepts what ParsePosition takes for a number: digits only (no sign), and few
// enough that Atoi cannot overflow.
func isDigits(s string) bool {
	if s == "" || len(s) > 10 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
