package sourcemaps

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// MapKind says how a generated file's map was found.
type MapKind string

const (
	// MapExternal: a sourceMappingURL comment names a map file that exists.
	MapExternal MapKind = "external"
	// MapInline: the comment holds the map itself as a data: URL.
	MapInline MapKind = "inline"
	// MapGuessed: no comment; a map was found by name beside the file, as sentry-cli guesses.
	MapGuessed MapKind = "guessed"
	// MapNone: no usable map.
	MapNone MapKind = "none"
	// MapOrphan: a map that no generated file uses (Pair.JS is empty).
	MapOrphan MapKind = "orphan"
)

// DefaultExtensions are the generated-file extensions sentry-cli 3.x processes by default.
var DefaultExtensions = []string{"js", "cjs", "mjs"}

// DiscoverOptions says which files to look at.
type DiscoverOptions struct {
	// Extensions of generated files, without the dot (nil: DefaultExtensions). Maps are always
	// found whatever their extension set.
	Extensions []string
	// Ignore holds globs (doublestar syntax). A glob without "/" matches a file or folder name at
	// any depth; one with "/" matches the path relative to the walked root.
	Ignore []string
	// IncludeNodeModules walks node_modules folders too (they are skipped by default: they hold
	// dependencies, not the build).
	IncludeNodeModules bool
	// MaxFileSize is the largest file read (0: DefaultMaxFileSize). Larger files get a
	// file-too-large finding instead of exhausting memory.
	MaxFileSize int64
	// AllowEmpty makes a path holding no generated file a warning instead of an error. A CI
	// step pointed at the wrong folder (build/ instead of dist/) must not pass for lack of
	// anything to check, so that is an error unless a pipeline says it expects it.
	AllowEmpty bool
	// Lazy keeps no file's bytes after discovery: Validate, PlanInject and ApplyInject read each
	// pair when they come to it (Pair.Load) and let it go after, so that memory holds a few
	// pairs at a time instead of the whole build. Pairs' JSData and MapData are nil until loaded.
	Lazy bool
	// AllowOutsideRoot lets a sourceMappingURL name a map outside the walked paths, and
	// symlinks lead out of them. Without it, such a map is refused (map-outside-root, an
	// error) and such a symlink is not followed: a reference like ../../secrets.js.map or
	// /proc/self/environ must never be read, rewritten or uploaded. Pseudo-files (/proc, /sys,
	// /dev), devices, FIFOs and sockets are refused either way.
	AllowOutsideRoot bool
	// MaxBytesInFlight bounds, in a lazy discovery, the bytes of the pairs loaded at once by all
	// workers together (0: DefaultMaxBytesInFlight); a pair larger than that is loaded alone.
	MaxBytesInFlight int64
	// Dir is the folder relative roots are taken against ("": the process's working directory).
	// Paths in pairs and findings stay relative, as the roots were given.
	Dir string
}

// DefaultMaxFileSize bounds a single generated file or map. Real bundles' maps reach tens of
// megabytes; a file of hundreds is a broken build, not something to upload.
const DefaultMaxFileSize = 256 << 20

// Pair is a generated file and its map, as discovered.
type Pair struct {
	// JS is the generated file, as a path built from the walked root; empty for an orphan map.
	JS string
	// Map is the map file, when the map is its own file (external, guessed, orphan).
	Map  string
	Kind MapKind
	// Reference is the raw sourceMappingURL value, when the file has one.
	Reference string
	// ReferenceLine is the 1-based line of the sourceMappingURL comment (0 when none).
	ReferenceLine int
	// JSData and MapData are the files' bytes (MapData is the decoded payload of an inline map);
	// nil in a lazy discovery until Load.
	JSData, MapData []byte
	lazy            bool
	maxSize         int64
	// dir is the folder JS and Map are taken against.
	dir folder
	// budget bounds the bytes loaded at once in a lazy discovery; held is this pair's share.
	budget *byteBudget
	held   int64
}

// Load reads the pair's files if they are not in memory (a lazy discovery), and reports whether
// it did, so the caller can Release them when done.
func (p *Pair) Load() (loaded bool, err error) {
	if p.lazy && p.budget != nil && p.held == 0 && (p.JS != "" && p.JSData == nil || p.MapData == nil && p.Map != "") {
		p.held = p.budget.acquire(p.dir.size(p.JS) + p.dir.size(p.Map))
		defer func() {
			if !loaded {
				p.Unload() // nothing is held for the caller to release
			}
		}()
	}
	if p.JS != "" && p.JSData == nil {
		if p.JSData, err = p.dir.readRegular(p.JS, p.maxSize); err != nil {
			return false, fmt.Errorf("cannot read %s: %w", p.JS, err)
		}
		loaded = true
	}
	if p.MapData != nil {
		return loaded, nil
	}
	switch p.Kind {
	case MapInline:
		// The inline map's payload is in the file: take it from the comment again.
		if ref, _, _, ok := FindSourceMappingURL(p.JSData); ok {
			if p.MapData, err = decodeDataURL(ref); err != nil {
				return loaded, fmt.Errorf("%s: the inline map cannot be decoded: %w", p.JS, err)
			}
		}
		return true, nil
	case MapExternal, MapGuessed, MapOrphan:
		if p.MapData, err = p.dir.readRegular(p.Map, p.maxSize); err != nil {
			return loaded, fmt.Errorf("cannot read %s: %w", p.Map, err)
		}
		return true, nil
	}
	return loaded, nil
}

// unreadable names the file a failed Load could not read.
func (p *Pair) unreadable() string {
	if p.JS != "" && p.JSData == nil {
		return p.JS
	}
	if p.Kind == MapInline {
		return p.JS
	}
	return p.Map
}

// Unload drops the bytes Load read and gives back their share of the byte budget. A pair of an
// eager discovery keeps its bytes. (Named so as not to be read as a Sentry release.)
func (p *Pair) Unload() {
	if p.lazy {
		p.JSData, p.MapData = nil, nil
		p.budget.release(p.held)
		p.held = 0
	}
}

// Discovery is the result of walking a build.
type Discovery struct {
	Pairs    []Pair
	Findings []Finding
	// Dir is the folder the paths of Pairs are taken against (DiscoverOptions.Dir).
	Dir string
}

// Discover walks roots and pairs each generated file with its map as sentry-cli 3.x does: the
// last "//# sourceMappingURL=" (or legacy "//@") comment, inline data: maps, then guesses by
// name beside the file. Where sentry-cli would pair a file with a map from a sibling folder
// (its fuzzy matching, which corrupts maps), this reports the broken reference instead.
// Every finding names the file; nothing is written.
func Discover(roots []string, opts DiscoverOptions) *Discovery {
	if len(opts.Extensions) == 0 {
		opts.Extensions = DefaultExtensions
	}
	if opts.MaxFileSize == 0 {
		opts.MaxFileSize = DefaultMaxFileSize
	}
	w := &walker{opts: opts, dir: folder(opts.Dir), files: map[string]bool{}}
	if opts.Lazy {
		w.budget = newByteBudget(opts.MaxBytesInFlight)
	}
	for _, root := range roots {
		if real, err := w.dir.realPath(root); err == nil {
			w.roots = append(w.roots, real)
		}
	}
	for _, root := range roots {
		w.walkRoot(root)
	}
	return w.pair()
}

type walker struct {
	opts   DiscoverOptions
	dir    folder // what relative paths are taken against
	budget *byteBudget
	// roots are the walked paths, absolute and with symlinks resolved: what is inside them is
	// the build.
	roots []string
	// generated counts the generated files seen, duplicates included, so that each root can
	// tell whether it held any.
	generated int
	jsFiles   []string
	maps      []string
	files     map[string]bool // every path collected, to skip duplicates from overlapping roots
	findings  []Finding
}

func (w *walker) add(f Finding) { w.findings = append(w.findings, f) }

func (w *walker) walkRoot(root string) {
	info, err := w.dir.stat(root)
	if err != nil {
		code := CodeFileUnreadable
		msg := fmt.Sprintf("cannot read %s: %v", root, errors.Unwrap(err))
		if errors.Is(err, fs.ErrNotExist) {
			code, msg = CodePathMissing, fmt.Sprintf("%s does not exist; check the path (is the build output somewhere else?)", root)
		}
		w.add(Finding{Code: code, Severity: SeverityError, Path: root, Message: msg})
		return
	}
	before := w.generated
	if !info.IsDir() {
		if err := w.dir.checkRegular(root, info); err != nil {
			w.add(Finding{Code: CodeNotRegularFile, Severity: SeverityError, Path: root,
				Message: err.Error() + "; give the build's output folder or its files"})
			return
		}
	}
	if info.IsDir() {
		w.walkDir(root, root, "", []os.FileInfo{info})
	} else {
		w.collect(root, filepath.Base(root))
	}
	// A map named on its own is checked alone; any other path must hold a generated file.
	if w.generated == before && (info.IsDir() || !strings.HasSuffix(root, ".map")) {
		w.nothingFound(root, info.IsDir())
	}
}

// nothingFound reports a path that holds no generated file.
func (w *walker) nothingFound(root string, dir bool) {
	exts := make([]string, len(w.opts.Extensions))
	for i, e := range w.opts.Extensions {
		exts[i] = "." + strings.TrimPrefix(e, ".")
	}
	what := fmt.Sprintf("no generated files under %s (looked for %s", root, strings.Join(exts, ", "))
	if !dir {
		what = fmt.Sprintf("%s is not a generated file (looked for %s", root, strings.Join(exts, ", "))
	} else if !w.opts.IncludeNodeModules {
		what += "; hidden folders and node_modules skipped"
	}
	what += ")"
	f := Finding{Code: CodeNothingFound, Severity: SeverityError, Path: root,
		Message: what + "; is the build output somewhere else? Pass the folder the build writes (or --ext for other extensions; --allow-empty if an empty build is expected)"}
	if w.opts.AllowEmpty {
		f.Severity = SeverityWarning
		f.Message = what + "; allowed by --allow-empty"
	}
	w.add(f)
}

// walkDir walks dir (rel is its path below root, "" for the root) following symlinks. ancestors
// are the folders on the way down, to recognise a symlink that loops back.
func (w *walker) walkDir(root, dir, rel string, ancestors []os.FileInfo) {
	entries, err := w.dir.readDir(dir)
	if err != nil {
		w.add(Finding{Code: CodeFileUnreadable, Severity: SeverityError, Path: dir,
			Message: fmt.Sprintf("cannot list folder %s: %v; fix its permissions or leave it out", dir, errors.Unwrap(err))})
		return
	}
	for _, e := range entries {
		name := e.Name()
		p := filepath.Join(dir, name)
		r := path.Join(rel, name)
		info, err := w.dir.stat(p) // follows symlinks, as sentry-cli does
		if err != nil {
			if e.Type()&fs.ModeSymlink != 0 && errors.Is(err, fs.ErrNotExist) {
				continue // a dangling symlink is not part of the build
			}
			w.add(Finding{Code: CodeFileUnreadable, Severity: SeverityError, Path: p,
				Message: fmt.Sprintf("cannot read %s: %v", p, errors.Unwrap(err))})
			continue
		}
		if w.ignored(name, r, info.IsDir()) {
			continue
		}
		if e.Type()&fs.ModeSymlink != 0 && !w.opts.AllowOutsideRoot {
			if real, err := w.dir.realPath(p); err == nil && !w.inside(real) {
				w.add(Finding{Code: CodeSymlinkOutsideRoot, Severity: SeverityWarning, Path: p,
					Message: fmt.Sprintf("%s is a symlink to %s, outside the paths given; it was not followed (pass that path too, or --allow-outside-root)", p, real)})
				continue
			}
		}
		if info.IsDir() {
			if slices.ContainsFunc(ancestors, func(a os.FileInfo) bool { return os.SameFile(a, info) }) {
				w.add(Finding{Code: CodeSymlinkLoop, Severity: SeverityWarning, Path: p,
					Message: fmt.Sprintf("%s leads back to a folder above it (a symlink loop); it was walked once and skipped here", p)})
				continue
			}
			w.walkDir(root, p, r, append(ancestors, info))
			continue
		}
		if err := w.dir.checkRegular(p, info); err != nil {
			if strings.HasSuffix(name, ".map") || w.isGenerated(name) {
				w.add(Finding{Code: CodeNotRegularFile, Severity: SeverityError, Path: p,
					Message: err.Error() + "; it was not read: remove it from the build output or leave it out with --ignore"})
			}
			continue
		}
		w.collect(p, name)
	}
}

// inside reports whether real (a resolved absolute path) is within one of the walked paths.
func (w *walker) inside(real string) bool {
	for _, root := range w.roots {
		if within(real, root) {
			return true
		}
	}
	return false
}

// ignored applies the walk's skip rules to one entry.
func (w *walker) ignored(name, rel string, isDir bool) bool {
	// sentry-cli skips hidden folders but not hidden files.
	if isDir && strings.HasPrefix(name, ".") {
		return true
	}
	if isDir && name == "node_modules" && !w.opts.IncludeNodeModules {
		return true
	}
	for _, g := range w.opts.Ignore {
		target := name
		if strings.Contains(g, "/") {
			target = rel
		}
		if ok, _ := doublestar.Match(strings.TrimPrefix(g, "/"), target); ok {
			return true
		}
	}
	return false
}

func (w *walker) collect(p, name string) {
	switch {
	case strings.HasSuffix(name, ".map"):
		if w.files[p] {
			return
		}
		w.files[p] = true
		w.maps = append(w.maps, p)
	case w.isGenerated(name):
		w.generated++
		if w.files[p] {
			return
		}
		w.files[p] = true
		w.jsFiles = append(w.jsFiles, p)
	}
}

func (w *walker) isGenerated(name string) bool {
	for _, ext := range w.opts.Extensions {
		if strings.HasSuffix(name, "."+strings.TrimPrefix(ext, ".")) {
			return true
		}
	}
	return false
}

// readOrCheck reads a map, or in a lazy discovery only checks that it can be read.
func (w *walker) readOrCheck(p string) ([]byte, bool) {
	if w.opts.Lazy {
		return nil, w.checkSize(p)
	}
	return w.read(p)
}

// checkSize reports a file over MaxFileSize (or one that cannot be looked at) and returns false.
func (w *walker) checkSize(p string) bool {
	info, err := w.dir.stat(p)
	switch {
	case err != nil:
		w.add(Finding{Code: CodeFileUnreadable, Severity: SeverityError, Path: p,
			Message: fmt.Sprintf("cannot read %s: %v; fix its permissions or leave it out", p, errors.Unwrap(err))})
		return false
	case info.Size() > w.opts.MaxFileSize:
		w.add(Finding{Code: CodeFileTooLarge, Severity: SeverityError, Path: p,
			Message: fmt.Sprintf("%s is %d MiB, over the %d MiB limit; a map this large is a broken build (or raise --max-file-size)", p, info.Size()>>20, w.opts.MaxFileSize>>20)})
		return false
	}
	return true
}

func (w *walker) read(p string) ([]byte, bool) {
	if !w.checkSize(p) {
		return nil, false
	}
	data, err := w.dir.readRegular(p, w.opts.MaxFileSize)
	switch {
	case isNotRegular(err):
		w.add(Finding{Code: CodeNotRegularFile, Severity: SeverityError, Path: p, Message: err.Error()})
		return nil, false
	case err != nil:
		w.add(Finding{Code: CodeFileUnreadable, Severity: SeverityError, Path: p,
			Message: fmt.Sprintf("cannot read %s: %v; fix its permissions or leave it out", p, unwrapOr(err))})
		return nil, false
	}
	return data, true
}

// pair reads the collected files and matches generated files with maps.
func (w *walker) pair() *Discovery {
	slices.Sort(w.jsFiles)
	slices.Sort(w.maps)
	mapSet := make(map[string]bool, len(w.maps))
	for _, m := range w.maps {
		mapSet[m] = true
	}
	pairs := make([]Pair, 0, len(w.jsFiles))
	used := map[string]bool{}     // maps taken by an explicit reference
	guesses := map[string][]int{} // map -> indices into pairs of files that guessed it
	for _, js := range w.jsFiles {
		data, ok := w.read(js)
		if !ok {
			continue
		}
		pr := Pair{JS: js, JSData: data, Kind: MapNone, lazy: w.opts.Lazy, maxSize: w.opts.MaxFileSize, budget: w.budget, dir: w.dir}
		ref, refLine, legacy, found := FindSourceMappingURL(data)
		if found {
			pr.Reference, pr.ReferenceLine = ref, refLine
			if legacy {
				w.add(Finding{Code: CodeMapReferenceLegacy, Severity: SeverityWarning, Path: js, Line: refLine,
					Message: "the map reference uses the deprecated \"//@\" form; use \"//# sourceMappingURL=\" (some tools ignore the old form)"})
			}
			w.resolveReference(&pr, mapSet, used)
		} else {
			pr.Reference = ""
			if g := w.guess(js, mapSet); g != "" {
				guesses[g] = append(guesses[g], len(pairs))
			}
		}
		if pr.lazy {
			pr.JSData, pr.MapData = nil, nil
		}
		pairs = append(pairs, pr)
	}
	// A guessed map counts only when no file references it and only one file guesses it.
	for m, idx := range guesses {
		if used[m] {
			continue
		}
		if len(idx) > 1 {
			var names []string
			for _, i := range idx {
				names = append(names, pairs[i].JS)
			}
			w.add(Finding{Code: CodeMapReferenceAmbiguous, Severity: SeverityWarning, Path: m,
				Message: fmt.Sprintf("%s could be the map of %s; none of them gets it: add a \"//# sourceMappingURL=\" comment to the right one", m, strings.Join(names, ", "))})
			continue
		}
		pairs[idx[0]].Map, pairs[idx[0]].Kind = m, MapGuessed
		used[m] = true
	}
	for i := range pairs {
		pr := &pairs[i]
		if pr.Kind == MapExternal || pr.Kind == MapGuessed {
			data, ok := w.readOrCheck(pr.Map)
			if !ok {
				pr.Kind, pr.Map = MapNone, ""
				continue
			}
			pr.MapData = data
		}
		if pr.Kind == MapNone && pr.Reference == "" {
			w.add(Finding{Code: CodeNoMap, Severity: SeverityWarning, Path: pr.JS,
				Message: "no source map found (no sourceMappingURL comment and no map named like the file beside it); Sentry will show minified frames: make the build emit maps"})
		}
	}
	for _, m := range w.maps {
		if used[m] {
			continue
		}
		data, ok := w.readOrCheck(m)
		if !ok {
			continue
		}
		pairs = append(pairs, Pair{Map: m, Kind: MapOrphan, MapData: data, lazy: w.opts.Lazy, maxSize: w.opts.MaxFileSize, budget: w.budget, dir: w.dir})
		w.add(Finding{Code: CodeOrphanMap, Severity: SeverityWarning, Path: m,
			Message: "no generated file references this map; it will be uploaded but never used by debug ID: check that its bundle was not renamed or deleted"})
	}
	return &Discovery{Pairs: pairs, Findings: w.findings, Dir: w.opts.Dir}
}

// resolveReference turns a sourceMappingURL value into a map for pr.
func (w *walker) resolveReference(pr *Pair, mapSet map[string]bool, used map[string]bool) {
	ref := pr.Reference
	if strings.HasPrefix(ref, "data:") {
		data, err := decodeDataURL(ref)
		switch {
		case err != nil:
			w.add(Finding{Code: CodeInlineMapInvalid, Severity: SeverityError, Path: pr.JS, Line: pr.ReferenceLine,
				Message: fmt.Sprintf("the inline map cannot be decoded: %v; rebuild it", err)})
		default:
			pr.Kind, pr.MapData = MapInline, data
			if !strings.HasPrefix(ref, inlineMapPrefix) {
				w.add(Finding{Code: CodeInlineMapUnsupported, Severity: SeverityWarning, Path: pr.JS, Line: pr.ReferenceLine,
					Message: fmt.Sprintf("the inline map is not written as %q; sentry-cli and releasegate inject treat the file as having no map: emit external maps or plain base64", inlineMapPrefix)})
			}
		}
		return
	}
	if u, err := url.Parse(ref); err == nil && u.Scheme != "" && len(u.Scheme) > 1 {
		w.add(Finding{Code: CodeMapReferenceRemote, Severity: SeverityWarning, Path: pr.JS, Line: pr.ReferenceLine,
			Message: fmt.Sprintf("the map reference %q is a remote URL; it is not checked or uploaded from here", ref)})
		return
	}
	clean := stripQueryFragment(ref)
	var p string
	if strings.HasPrefix(clean, "/") {
		if _, err := os.Lstat(clean); err != nil {
			w.add(Finding{Code: CodeMapReferenceRemote, Severity: SeverityWarning, Path: pr.JS, Line: pr.ReferenceLine,
				Message: fmt.Sprintf("the map reference %q is an absolute path that does not exist here; it is treated as a server path and not checked", ref)})
			return
		}
		p = filepath.Clean(clean)
	} else {
		p = filepath.Join(filepath.Dir(pr.JS), filepath.FromSlash(unescapePath(clean)))
	}
	if mapSet[p] {
		pr.Map, pr.Kind = p, MapExternal
		used[p] = true
		return
	}
	if info, err := w.dir.stat(p); err == nil {
		if err := w.dir.checkRegular(p, info); err != nil {
			w.add(Finding{Code: CodeNotRegularFile, Severity: SeverityError, Path: pr.JS, Line: pr.ReferenceLine,
				Message: fmt.Sprintf("the map reference %q names %s; it is neither read, rewritten nor uploaded: fix the reference", ref, err)})
			return
		}
		if real, err := w.dir.realPath(p); err == nil && !w.inside(real) && !w.opts.AllowOutsideRoot {
			w.add(Finding{Code: CodeMapOutsideRoot, Severity: SeverityError, Path: pr.JS, Line: pr.ReferenceLine,
				Message: fmt.Sprintf("the map reference %q leads to %s, outside the paths given; it is neither read, rewritten nor uploaded: fix the reference, pass the folder that holds the map too, or --allow-outside-root if the layout needs it", ref, real)})
			return
		}
		// The map exists inside the walked paths but was filtered out (or outside them, when
		// allowed): still the right map.
		pr.Map, pr.Kind = p, MapExternal
		return
	}
	msg := fmt.Sprintf("the map it references (%q → %s) does not exist; the file was moved or the build deleted its maps", ref, p)
	code := CodeMapReferenceMissing
	if cands := siblingCandidates(p, mapSet); len(cands) > 0 {
		code = CodeMapReferenceSibling
		msg += fmt.Sprintf("; sentry-cli would silently pair it with %s from a sibling folder and corrupt that map: fix the reference or move the map", strings.Join(cands, ", "))
	}
	w.add(Finding{Code: code, Severity: SeverityError, Path: pr.JS, Line: pr.ReferenceLine, Message: msg})
}

// guess finds a map for a file without a reference, by sentry-cli's name rules.
func (w *walker) guess(js string, mapSet map[string]bool) string {
	dir, base := filepath.Split(js)
	stem, ext, ok := strings.Cut(base, ".")
	if !ok {
		return ""
	}
	cands := []string{stem + ".map", base + ".map"}
	if rest, ok := strings.CutPrefix(ext, "min."); ok {
		cands = append(cands, stem+"."+rest+".map")
	}
	if i := strings.LastIndex(base, "."); i > 0 {
		cands = append(cands, base[:i]+".map")
	}
	for _, c := range cands {
		if p := filepath.Join(dir, c); mapSet[p] {
			return p
		}
	}
	return ""
}

// siblingCandidates lists discovered maps whose path differs from want in exactly one folder
// name: the ones sentry-cli's fuzzy matching would pick.
func siblingCandidates(want string, mapSet map[string]bool) []string {
	ws := strings.Split(filepath.ToSlash(want), "/")
	var out []string
	for m := range mapSet {
		ms := strings.Split(filepath.ToSlash(m), "/")
		if len(ms) != len(ws) || ms[len(ms)-1] != ws[len(ws)-1] {
			continue
		}
		diff := 0
		for i := range ms {
			if ms[i] != ws[i] {
				diff++
			}
		}
		if diff == 1 {
			out = append(out, m)
		}
	}
	slices.Sort(out)
	return out
}

func stripQueryFragment(s string) string {
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		return s[:i]
	}
	return s
}

func unescapePath(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

// FindSourceMappingURL finds the last sourceMappingURL comment in generated code the way
// sentry-cli (symbolic) does: the last "sourceMappingURL=" preceded by exactly "//# " or "//@ ",
// its value trimmed of leading whitespace and cut at the next whitespace. line is 1-based.
func FindSourceMappingURL(js []byte) (ref string, line int, legacy, found bool) {
	const key = "sourceMappingURL="
	end := len(js)
	for {
		i := bytes.LastIndex(js[:end], []byte(key))
		if i < 0 {
			return "", 0, false, false
		}
		if i >= 4 && js[i-4] == '/' && js[i-3] == '/' && (js[i-2] == '#' || js[i-2] == '@') && js[i-1] == ' ' {
			v := js[i+len(key):]
			v = bytes.TrimLeft(v, " \t\r\n\f\v")
			if j := bytes.IndexAny(v, " \t\r\n\f\v"); j >= 0 {
				v = v[:j]
			}
			return string(v), 1 + bytes.Count(js[:i], []byte("\n")), js[i-2] == '@', true
		}
		end = i
	}
}
