package sourcemaps

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// FrameFormat is the way an engine prints a stack frame.
type FrameFormat string

const (
	// FormatV8 is "    at fn (url:line:column)" and its variants: Chrome, Edge, Node, Deno.
	FormatV8 FrameFormat = "v8"
	// FormatAt is "fn@url:line:column": Firefox (SpiderMonkey) and Safari (JavaScriptCore).
	FormatAt FrameFormat = "at-sign"
)

// Frame is one parsed stack frame. Positions are 1-based, as every engine prints them.
type Frame struct {
	Format FrameFormat
	// Function is the name as printed, without the "async " / "new " (V8) or "async*"
	// (Firefox) prefixes; empty for anonymous code.
	Function    string
	Async       bool
	Constructor bool
	// URL, Line and Column locate the code. For code run by eval they locate the eval call
	// (Eval is set): the eval'd text itself has no map. Line and Column are 0 when the engine
	// printed no position ("native", "[native code]", "<anonymous>", Firefox's "line N > eval").
	URL          string
	Line, Column int
	Eval         bool

	// Byte spans in the line's text of the function name and of "URL:LINE:COLUMN", so a
	// rewrite changes only those and keeps everything else as printed.
	fnStart, fnEnd   int
	locStart, locEnd int
}

// HasPosition reports whether the frame has a URL, line and column to resolve.
func (f *Frame) HasPosition() bool { return f.URL != "" && f.Line > 0 && f.Column > 0 }

// TraceLine is one line of a pasted stack trace: a frame, or any other text (the error
// message, "Caused by:", a console prefix), which is kept as it is.
type TraceLine struct {
	// Text is the line without its terminator; EOL is the terminator ("\n", "\r\n" or "" for
	// the last line), so joining Text+EOL gives back the input exactly.
	Text  string
	EOL   string
	Frame *Frame
}

// ParseStackTrace splits text into lines and recognises the frames among them, whatever
// engine printed them; one trace may even mix formats (a Node trace pasted under a Firefox one).
// Lines that are not frames are returned with a nil Frame.
func ParseStackTrace(text string) []TraceLine {
	var lines []TraceLine
	for text != "" {
		line, rest, found := strings.Cut(text, "\n")
		eol := ""
		if found {
			eol = "\n"
			if strings.HasSuffix(line, "\r") {
				line, eol = line[:len(line)-1], "\r\n"
			}
		}
		lines = append(lines, TraceLine{Text: line, EOL: eol, Frame: ParseFrame(line)})
		text = rest
	}
	return lines
}

// ParseFrame parses one line as a stack frame, or returns nil when it is not one.
func ParseFrame(line string) *Frame {
	start := len(line) - len(strings.TrimLeft(line, " \t"))
	body := strings.TrimRight(line[start:], " \t")
	if rest, ok := strings.CutPrefix(body, "at "); ok {
		return parseV8(line, start+3, rest)
	}
	return parseAt(line, start, body)
}

// parseV8 parses the text after "at " (which starts at byte off of line).
func parseV8(line string, off int, rest string) *Frame {
	f := &Frame{Format: FormatV8}
	// Node prints " {" after the last frame of an error with own properties ("[cause]: …").
	rest = strings.TrimSuffix(rest, " {")
	fn, loc, locOff := "", rest, off
	if strings.HasSuffix(rest, ")") {
		// "fn (location)". The first " (" ends the name: names do not contain it, while
		// locations can ("C:\Program Files (x86)\…", eval origins).
		i := strings.Index(rest, " (")
		if i < 0 {
			return nil
		}
		fn, loc, locOff = rest[:i], rest[i+2:len(rest)-1], off+i+2
	}
	fnOff := off
	if s, ok := strings.CutPrefix(fn, "async "); ok {
		f.Async, fn, fnOff = true, s, fnOff+len("async ")
	} else if loc != "" && fn == "" {
		if s, ok := strings.CutPrefix(loc, "async "); ok {
			f.Async, loc, locOff = true, s, locOff+len("async ")
		}
	}
	if s, ok := strings.CutPrefix(fn, "new "); ok {
		f.Constructor, fn, fnOff = true, s, fnOff+len("new ")
	}
	if !isV8Name(fn) {
		return nil
	}
	f.Function, f.fnStart, f.fnEnd = fn, fnOff, fnOff+len(fn)
	// Eval'd code: "eval at outer (eval at inner (URL:L:C), <anonymous>:1:2), <anonymous>:3:4".
	// The innermost origin is the eval call in a real file: that is what can be resolved.
	for {
		s, ok := strings.CutPrefix(loc, "eval at ")
		if !ok {
			break
		}
		f.Eval = true
		open := strings.Index(s, " (")
		end := strings.LastIndex(s, ")")
		if open < 0 || end < open {
			// "eval at fn, <anonymous>:1:2" (the origin is unknown).
			f.locStart, f.locEnd = -1, -1
			return f
		}
		locOff += len("eval at ") + open + 2
		loc = s[open+2 : end]
	}
	if url, l, c, ok := splitPosition(loc); ok {
		f.URL, f.Line, f.Column = url, l, c
		f.locStart, f.locEnd = locOff, locOff+len(loc)
		return f
	}
	if fn == "" || !isV8NoPosition(loc) {
		// "at something" that is neither a location nor "fn (native)": plain text.
		return nil
	}
	// "fn (native)", "fn (<anonymous>)", "async Promise.all (index 0)": a frame with no position.
	f.locStart, f.locEnd = -1, -1
	return f
}

// isV8NoPosition reports whether loc is what V8 prints in place of a position.
func isV8NoPosition(loc string) bool {
	switch loc {
	case "native", "<anonymous>", "unknown location":
		return true
	}
	_, ok := strings.CutPrefix(loc, "index ")
	return ok
}

// isV8Name reports whether fn can be a function name as V8 prints it: no blanks or
// parentheses, except in the alias form "Foo.bar [as baz]".
func isV8Name(fn string) bool {
	if strings.ContainsAny(fn, "()\t") {
		return false
	}
	name, alias, found := strings.Cut(fn, " [as ")
	if !found {
		return !strings.Contains(fn, " ")
	}
	return !strings.Contains(name, " ") && strings.HasSuffix(alias, "]") && !strings.Contains(alias, " ")
}

// safariCodeNames are the names JavaScriptCore prints for code outside any function.
var safariCodeNames = map[string]bool{"global code": true, "eval code": true, "module code": true}

// parseAt parses "fn@url:line:column" (body starts at byte off of line).
func parseAt(line string, off int, body string) *Frame {
	at := strings.IndexByte(body, '@')
	if at < 0 {
		return nil
	}
	fn, loc := body[:at], body[at+1:]
	// Names have no blanks (except JavaScriptCore's "global code" and the like) and no colons,
	// which keeps e-mail addresses, prose and bare URLs from being taken for frames.
	if strings.ContainsAny(fn, " \t") && !safariCodeNames[fn] || strings.Contains(fn, ":") {
		return nil
	}
	f := &Frame{Format: FormatAt}
	fnOff := off
	if s, ok := strings.CutPrefix(fn, "async*"); ok {
		f.Async, fn, fnOff = true, s, fnOff+len("async*")
	}
	f.Function, f.fnStart, f.fnEnd = fn, fnOff, fnOff+len(fn)
	locOff := off + at + 1
	if loc == "[native code]" {
		f.locStart, f.locEnd = -1, -1
		return f
	}
	// Firefox eval: "url line 12 > eval:1:5" (also "> Function", nested "> eval > eval").
	// Only the line of the eval call is printed, so there is nothing precise to resolve.
	if i := strings.Index(loc, " line "); i >= 0 && strings.Contains(loc[i:], " > ") {
		if _, _, _, ok := splitPosition(loc); !ok {
			return nil
		}
		f.Eval = true
		f.URL = loc[:i]
		n := loc[i+len(" line "):]
		n = n[:strings.IndexByte(n, ' ')]
		f.Line, _ = strconv.Atoi(n)
		f.locStart, f.locEnd = -1, -1
		return f
	}
	url, l, c, ok := splitPosition(loc)
	if !ok {
		return nil
	}
	f.URL, f.Line, f.Column = url, l, c
	f.locStart, f.locEnd = locOff, locOff+len(loc)
	return f
}

// splitPosition splits "url:line:column" at its last two colons; both numbers must be decimal
// (the URL may hold colons of its own: a scheme, a port, a Windows drive).
func splitPosition(loc string) (url string, line, col int, ok bool) {
	i := strings.LastIndexByte(loc, ':')
	if i < 0 {
		return "", 0, 0, false
	}
	col, ok = parseDecimal(loc[i+1:])
	if !ok {
		return "", 0, 0, false
	}
	j := strings.LastIndexByte(loc[:i], ':')
	if j < 0 {
		return "", 0, 0, false
	}
	line, ok = parseDecimal(loc[j+1 : i])
	if !ok || j == 0 {
		return "", 0, 0, false
	}
	return loc[:j], line, col, true
}

// parseDecimal parses a non-empty run of ASCII digits that fits comfortably in an int.
func parseDecimal(s string) (int, bool) {
	if s == "" || len(s) > 10 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

// GeneratedFiles are the generated files under some paths, indexed to find the one a stack
// frame's URL names.
type GeneratedFiles struct {
	paths []string   // as built from the given roots
	segs  [][]string // each path's absolute, slash-separated elements, for suffix matching
	dir   folder     // what the paths are taken against (DiscoverOptions.Dir)
}

// FindGeneratedFiles lists the generated files under roots (files or folders) with the walk
// rules of Discover (extensions, ignores, no node_modules or hidden folders). A root that is a
// file is taken whatever its extension. Findings report roots that cannot be read. Relative
// roots are taken against opts.Dir, and so are the files' maps when the frames are resolved.
func FindGeneratedFiles(roots []string, opts DiscoverOptions) (*GeneratedFiles, []Finding) {
	if len(opts.Extensions) == 0 {
		opts.Extensions = DefaultExtensions
	}
	w := &walker{opts: opts, dir: folder(opts.Dir), files: map[string]bool{}}
	for _, root := range roots {
		if info, err := w.dir.stat(root); err == nil && info.Mode().IsRegular() && !strings.HasSuffix(root, ".map") {
			if !w.files[root] {
				w.files[root] = true
				w.jsFiles = append(w.jsFiles, root)
			}
			continue
		}
		w.walkRoot(root)
	}
	slices.Sort(w.jsFiles)
	g := &GeneratedFiles{paths: w.jsFiles, segs: make([][]string, len(w.jsFiles)), dir: w.dir}
	for i, p := range w.jsFiles {
		abs, err := filepath.Abs(w.dir.abs(p))
		if err != nil {
			abs = p
		}
		g.segs[i] = strings.Split(filepath.ToSlash(abs), "/")
	}
	return g, w.findings
}

// Len returns how many generated files were found.
func (g *GeneratedFiles) Len() int { return len(g.paths) }

// Match returns the generated file a frame URL names: the file whose path shares the longest
// run of trailing path elements with the URL's path (at least the file name), as Sentry matches
// "~/" artifact URLs. The query string and fragment are ignored. Several files sharing the best
// run make the URL ambiguous: an error, since guessing would resolve against the wrong map.
func (g *GeneratedFiles) Match(frameURL string) (string, error) {
	want := urlPathElements(frameURL)
	if len(want) == 0 || want[len(want)-1] == "" {
		return "", fmt.Errorf("%q names no file", frameURL)
	}
	best, bestN := []int(nil), 0
	for i, segs := range g.segs {
		n := 0
		for n < len(want) && n < len(segs) && want[len(want)-1-n] == segs[len(segs)-1-n] {
			n++
		}
		switch {
		case n == 0 || n < bestN:
		case n > bestN:
			best, bestN = []int{i}, n
		default:
			best = append(best, i)
		}
	}
	name := want[len(want)-1]
	switch len(best) {
	case 0:
		return "", fmt.Errorf("no file named %s under the given paths", name)
	case 1:
		return g.paths[best[0]], nil
	}
	var cands []string
	for _, i := range best {
		cands = append(cands, g.paths[i])
	}
	return "", fmt.Errorf("%s matches %d files equally well (%s); give only the build the trace came from", strings.Join(want[len(want)-bestN:], "/"), len(cands), strings.Join(cands, ", "))
}

// urlPathElements returns the slash-separated path elements of a frame URL: the path of an
// http(s) or file URL, or the file path itself (Windows backslashes included).
func urlPathElements(frameURL string) []string {
	p := frameURL
	if i := strings.Index(p, "://"); i > 0 {
		p = p[i+3:]
		if slash := strings.IndexByte(p, '/'); slash >= 0 {
			p = p[slash:] // drop the host
		} else {
			p = ""
		}
	}
	p = stripQueryFragment(p)
	p = unescapePath(strings.ReplaceAll(p, `\`, "/"))
	return strings.Split(strings.TrimLeft(p, "/"), "/")
}

// skipURL reports whether a frame's URL is never a file of the build: engine internals and
// code without a file.
func skipURL(u string) bool {
	switch u {
	case "<anonymous>", "native", "[native code]", "unknown location":
		return true
	}
	for _, prefix := range []string{"node:", "internal/", "chrome-extension:", "moz-extension:", "safari-extension:", "safari-web-extension:"} {
		if strings.HasPrefix(u, prefix) {
			return true
		}
	}
	return false
}

// ResolvedFrame is the outcome for one frame of a trace.
type ResolvedFrame struct {
	Frame *Frame
	// File is the local generated file the frame's URL matched; MapPath is its map.
	File, MapPath string
	// Resolution is the frame's position looked up in the map (Mapped false when it maps to
	// nothing or was not looked up).
	Resolution Resolution
	// Function is the original name of the frame's function when known: the name mapped at
	// the caller's call site (the next frame), which names the function called there. Node's
	// --enable-source-maps falls back to the same rule. The engine prints the minified name.
	Function string
	// Skipped is set for frames there is nothing to resolve in (engine internals, native code,
	// eval'd code without an origin column): they are left as printed, unmarked.
	Skipped bool
	// Err says why a frame that should have resolved did not; such frames are left as printed
	// and marked.
	Err error
}

// Resolved reports whether the frame was resolved to an original position.
func (f *ResolvedFrame) Resolved() bool { return f.Err == nil && !f.Skipped && f.Resolution.Mapped }

// ResolvedLine is one line of a trace after resolving: Text is the rewritten line (without its
// terminator); Frame is nil for lines that are not frames.
type ResolvedLine struct {
	TraceLine
	Text  string
	Frame *ResolvedFrame
}

// TraceResolver resolves the frames of stack traces against local generated files.
type TraceResolver struct {
	Files *GeneratedFiles
	// Load finds and parses a generated file's map (nil: LoadMapFor with MaxFileSize, in the
	// folder Files were found in). Each file is loaded once.
	Load func(file string) (*Map, string, error)
	// MaxFileSize bounds every file read (0: DefaultMaxFileSize).
	MaxFileSize int64
	cache       map[string]loadedMap
}

type loadedMap struct {
	m       *Map
	mapPath string
	err     error
}

func (r *TraceResolver) load(file string) loadedMap {
	if l, ok := r.cache[file]; ok {
		return l
	}
	if r.cache == nil {
		r.cache = map[string]loadedMap{}
	}
	load := r.Load
	if load == nil {
		load = func(file string) (*Map, string, error) {
			return LoadMapFor(file, LoadMapOptions{Dir: string(r.Files.dir), MaxFileSize: r.MaxFileSize})
		}
	}
	m, mp, err := load(file)
	l := loadedMap{m, mp, err}
	r.cache[file] = l
	return l
}

// LoadErrors returns every map-loading error met so far, once per generated file, sorted by file.
func (r *TraceResolver) LoadErrors() []error {
	files := make([]string, 0, len(r.cache))
	for f, l := range r.cache {
		if l.err != nil {
			files = append(files, f)
		}
	}
	slices.Sort(files)
	errs := make([]error, len(files))
	for i, f := range files {
		errs[i] = r.cache[f].err
	}
	return errs
}

// unresolvedMark is appended to a frame that could not be resolved, so a reader sees at once
// which frames still show generated positions.
const unresolvedMark = "  [unresolved: "

// ResolveTrace resolves every frame of lines and rewrites it in its engine's own format with
// the original source, line, column and (when known) function name. Other lines, and frames
// with nothing to resolve, are kept as they are; frames that could not be resolved are kept and
// marked "[unresolved: reason]".
func (r *TraceResolver) ResolveTrace(lines []TraceLine) []ResolvedLine {
	out := make([]ResolvedLine, len(lines))
	for i, tl := range lines {
		out[i] = ResolvedLine{TraceLine: tl, Text: tl.Text}
		if tl.Frame != nil {
			out[i].Frame = r.resolveFrame(tl.Frame)
		}
	}
	// The name mapped at a call site is the callee's original name: give it to the frame above.
	for i := range out {
		rf := out[i].Frame
		if rf == nil || !rf.Resolved() || rf.Frame.Eval || rf.Frame.Function == "" || safariCodeNames[rf.Frame.Function] {
			continue
		}
		if i+1 < len(out) {
			caller := out[i+1].Frame
			// An async frame awaited some promise, not necessarily a call of the frame above.
			if caller != nil && caller.Resolved() && !caller.Frame.Async && caller.Resolution.HasName {
				rf.Function = caller.Resolution.Name
			}
		}
	}
	for i := range out {
		if rf := out[i].Frame; rf != nil {
			out[i].Text = rewriteFrame(out[i].TraceLine.Text, rf)
		}
	}
	return out
}

func (r *TraceResolver) resolveFrame(f *Frame) *ResolvedFrame {
	rf := &ResolvedFrame{Frame: f}
	if !f.HasPosition() || f.locStart < 0 || skipURL(f.URL) {
		rf.Skipped = true
		return rf
	}
	file, err := r.Files.Match(f.URL)
	if err != nil {
		rf.Err = err
		return rf
	}
	rf.File = file
	l := r.load(file)
	if l.err != nil {
		var me *MapError
		if errors.As(l.err, &me) {
			rf.Err = fmt.Errorf("%s is not a valid source map", me.Path)
		} else {
			rf.Err = l.err
		}
		return rf
	}
	rf.MapPath = l.mapPath
	rf.Resolution = Resolve(l.m, f.Line, f.Column)
	switch {
	case !rf.Resolution.Mapped:
		rf.Err = fmt.Errorf("%s:%d:%d maps to nothing in %s", file, f.Line, f.Column, l.mapPath)
	case rf.Resolution.SourceIsNull:
		rf.Err = fmt.Errorf("%s:%d:%d maps to a null source in %s", file, f.Line, f.Column, l.mapPath)
	}
	return rf
}

// rewriteFrame replaces the location (and the function name, when the original is known) in
// a frame's text, or marks it unresolved.
func rewriteFrame(text string, rf *ResolvedFrame) string {
	f := rf.Frame
	switch {
	case rf.Skipped:
		return text
	case !rf.Resolved():
		reason, _, _ := strings.Cut(rf.Err.Error(), "\n")
		return text + unresolvedMark + reason + "]"
	}
	res := rf.Resolution
	loc := fmt.Sprintf("%s:%d:%d", LocalSourcePath(rf.MapPath, res.SourceResolved), res.OriginalLine, res.OriginalColumn)
	var b strings.Builder
	b.Grow(len(text) + len(loc))
	if rf.Function != "" && f.fnEnd > f.fnStart {
		b.WriteString(text[:f.fnStart])
		b.WriteString(rf.Function)
		b.WriteString(text[f.fnEnd:f.locStart])
	} else {
		b.WriteString(text[:f.locStart])
	}
	b.WriteString(loc)
	b.WriteString(text[f.locEnd:])
	return b.String()
}

// CountFrames counts the lines of a parsed trace that are stack frames.
func CountFrames(lines []TraceLine) int {
	n := 0
	for _, l := range lines {
		if l.Frame != nil {
			n++
		}
	}
	return n
}

// Tally counts the frames of a resolved trace that were resolved, and those left as printed
// because they could not be; frames with nothing to resolve (engine internals) are neither.
func Tally(lines []ResolvedLine) (resolved, unresolved int) {
	for _, l := range lines {
		switch {
		case l.Frame == nil || l.Frame.Skipped:
		case l.Frame.Resolved():
			resolved++
		default:
			unresolved++
		}
	}
	return resolved, unresolved
}
