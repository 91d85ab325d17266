package triage

import (
	"path"
	"slices"
	"strings"
)

// Frame is one stack frame as Sentry's event API gives it (the fields triage reads).
type Frame struct {
	Filename string
	AbsPath  string
	Module   string
	Function string
	Platform string
	LineNo   int // 1-based; 0 when unknown
	InApp    bool
}

// Location is a frame found in the repository.
type Location struct {
	Path string // the repository path, slash-separated, no leading slash
	Line int    // 0 when the frame has none
	// From says which of the frame's fields gave the path ("absPath", "filename", "module").
	From string
	// Segments is how many trailing path segments matched: 1 is the file's name alone, which
	// is trusted only because no other file of the repository has it.
	Segments int
	Frame    Frame
	// Ambiguous are the files an ambiguous frame could be (when Locate finds none).
	Ambiguous []string
}

// Files indexes a repository's file list for Locate; build it once per commit.
type Files struct {
	byBase map[string][]string
}

// NewFiles indexes paths (slash-separated, relative to the repository's root).
func NewFiles(paths []string) *Files {
	f := &Files{byBase: make(map[string][]string, len(paths))}
	for _, p := range paths {
		p = strings.TrimPrefix(p, "/")
		if p == "" {
			continue
		}
		b := path.Base(p)
		f.byBase[b] = append(f.byBase[b], p)
	}
	return f
}

// Locate finds frame's file in the repository. It tries each form of the path the frame
// carries and keeps the one matching the most trailing segments of exactly one file: a
// suffix shared by two files is no answer (which would be a guess), unless only one of them
// is under root, the folder of the service the event's Sentry project belongs to (where its
// sentry.properties is; "" for none). A frame naming a folder must agree on its last name: a
// file's name alone matches only a frame that gives no more. When the frame's file is
// ambiguous, found is false and Ambiguous lists the files it could be.
func (f *Files) Locate(fr Frame, root string) (loc Location, found bool) {
	for _, c := range candidates(fr) {
		p, n, amb := f.match(c.path, root)
		if n > loc.Segments {
			loc = Location{Path: p, Line: fr.LineNo, From: c.from, Segments: n, Frame: fr}
		} else if len(amb) > 0 && loc.Segments == 0 && len(loc.Ambiguous) == 0 {
			loc.Ambiguous = amb
		}
	}
	if loc.Segments > 0 {
		loc.Ambiguous = nil
		return loc, true
	}
	loc.Frame = fr
	return loc, false
}

// match returns the one file ending in the longest suffix of rel (whole segments) and the
// number of segments matched; 0 and the files when the longest matching suffix is shared.
func (f *Files) match(rel, root string) (string, int, []string) {
	segs := strings.Split(rel, "/")
	files := f.byBase[segs[len(segs)-1]]
	least := min(2, len(segs))
	for k := 0; k <= len(segs)-least; k++ {
		suffix := strings.Join(segs[k:], "/")
		var hits []string
		for _, p := range files {
			if p == suffix || strings.HasSuffix(p, "/"+suffix) {
				hits = append(hits, p)
			}
		}
		if len(hits) == 0 {
			continue
		}
		all := hits
		if len(hits) > 1 && root != "" {
			prefix := strings.Trim(root, "/") + "/"
			hits = slices.DeleteFunc(slices.Clone(hits), func(p string) bool { return !strings.HasPrefix(p, prefix) })
		}
		if len(hits) == 1 {
			return hits[0], len(segs) - k, nil
		}
		return "", 0, all
	}
	return "", 0, nil
}

type candidate struct{ path, from string }

// candidates are the relative paths a frame may name, cleaned of URL schemes, bundler
// namespaces and build roots, most specific first.
func candidates(fr Frame) []candidate {
	var out []candidate
	add := func(p, from string) {
		if p = cleanPath(p); p != "" && !slices.ContainsFunc(out, func(c candidate) bool { return c.path == p }) {
			out = append(out, candidate{p, from})
		}
	}
	add(fr.AbsPath, "absPath")
	add(fr.Filename, "filename")
	if fr.Module != "" && !strings.ContainsAny(fr.Module, " :") {
		base := path.Base(cleanPath(fr.Filename))
		switch {
		case strings.Contains(fr.Module, "/"):
			// Go: the import path of the package, the file's name beside it.
			if path.Ext(base) == ".go" {
				add(fr.Module+"/"+base, "module")
			}
		case strings.Contains(fr.Module, "."):
			pkg := strings.ReplaceAll(fr.Module, ".", "/")
			if ext := path.Ext(base); ext == ".java" || ext == ".kt" || ext == ".scala" || ext == ".groovy" {
				// Java: the class's package, the file's name (the class may be nested).
				add(path.Dir(pkg)+"/"+base, "module")
			} else {
				add(pkg+".py", "module")
				add(pkg+"/__init__.py", "module")
			}
		case fr.Platform == "python" || strings.HasSuffix(fr.Filename, ".py"):
			add(fr.Module+".py", "module")
			add(fr.Module+"/__init__.py", "module")
		}
	}
	return out
}

// cleanPath turns a frame's file reference into a relative path: no scheme or host, no
// webpack namespace, no query or fragment, no ./, ~/ or leading slash, no .. segments.
func cleanPath(p string) string {
	p = strings.ReplaceAll(strings.TrimSpace(p), `\`, "/")
	if p == "" || p == "<anonymous>" || strings.HasPrefix(p, "<") {
		return ""
	}
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	if scheme, rest, ok := strings.Cut(p, "://"); ok && !strings.Contains(scheme, "/") {
		switch scheme {
		case "webpack", "webpack-internal":
			// webpack://<namespace>/./src/x.js: the namespace is the package, not a folder.
			rest = strings.TrimLeft(rest, "/")
			if ns, after, ok := strings.Cut(rest, "/"); ok && ns != "." && ns != ".." && strings.HasPrefix(after, "./") {
				rest = after
			}
		case "http", "https":
			if _, after, ok := strings.Cut(rest, "/"); ok {
				rest = after
			} else {
				rest = ""
			}
		}
		p = rest
	}
	p = strings.TrimPrefix(p, "~/")
	var segs []string
	for s := range strings.SplitSeq(p, "/") {
		switch s {
		case "", ".", "..", "~":
			continue
		}
		segs = append(segs, s)
	}
	return strings.Join(segs, "/")
}

// TopFrame is the frame the error was raised in that belongs to the repository: the newest
// in-app frame of the outermost exception (Sentry lists chained exceptions oldest cause first,
// and frames oldest call first) that Locate finds; frames it skipped are counted in skipped
// (in-app frames outside the repository: vendored code, generated bundles). A frame in the
// repository whose file is ambiguous ends the search, unfound, with loc.Ambiguous set: the
// frames below it are not where the error was raised.
func (f *Files) TopFrame(exceptions [][]Frame, root string) (loc Location, skipped int, ok bool) {
	for i := len(exceptions) - 1; i >= 0; i-- {
		frames := exceptions[i]
		for j := len(frames) - 1; j >= 0; j-- {
			if !frames[j].InApp {
				continue
			}
			l, found := f.Locate(frames[j], root)
			if found || len(l.Ambiguous) > 0 {
				return l, skipped, found
			}
			skipped++
		}
	}
	return Location{}, skipped, false
}
