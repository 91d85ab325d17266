package sourcemaps

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// BundleFiles lists what an upload sends for a discovered build: every generated file and every
// map file, with the debug IDs they carry (as the files are on disk now, after any inject), URLs built from each file's path below the root it was found under, and
// the map reference of each generated file. Roots are the paths given to Discover (taken against
// d.Dir, as the pairs' paths are): a folder is its own base, a file's base is its folder, as for
// sentry-cli.
//
// The files' contents are not kept: each BundleFile reads its file from disk when the bundle is
// written (after inject has written it), so an upload never holds the whole build twice.
func BundleFiles(d *Discovery, roots []string, opts BundleFilesOptions) ([]BundleFile, error) {
	urlPrefix := opts.URLPrefix
	dir := folder(d.Dir)
	bases := make([]string, 0, len(roots))
	for _, r := range roots {
		if info, err := dir.stat(r); err == nil && !info.IsDir() {
			r = filepath.Dir(r)
		}
		bases = append(bases, filepath.Clean(r))
	}
	// Longest base first, so a file under nested roots gets the closest one.
	slices.SortFunc(bases, func(a, b string) int { return len(b) - len(a) })
	urlOf := func(p string) (string, error) {
		for _, b := range bases {
			if rel, err := filepath.Rel(b, p); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
				return BundleURL(urlPrefix, filepath.ToSlash(rel)), nil
			}
		}
		return "", fmt.Errorf("%s is not below any of the paths given", p)
	}
	var files []BundleFile
	for i := range d.Pairs {
		pr := &d.Pairs[i]
		var id string
		if pr.JS != "" {
			// The file as it is on disk now, after inject: its debug ID and map reference are
			// read from what will be sent.
			js, err := os.ReadFile(dir.abs(pr.JS))
			if err != nil {
				err = dir.asGiven(err, pr.JS)
				return nil, fmt.Errorf("reading %s again: %w", pr.JS, err)
			}
			if v, _, ok := FindDebugID(js); ok {
				id, _ = NormalizeDebugID(v)
			}
			u, err := urlOf(pr.JS)
			if err != nil {
				return nil, err
			}
			f := BundleFile{URL: u, Type: BundleMinifiedSource, Load: dir.loader(pr.JS), DebugID: id, Size: dir.size(pr.JS)}
			switch pr.Kind {
			case MapExternal, MapInline:
				// The raw reference, data: URL included, as sentry-cli sends it: Symbolicator
				// decodes inline maps from this header. It is read again from the content sent,
				// since inject rewrites inline maps.
				if ref, _, _, ok := FindSourceMappingURL(js); ok {
					f.SourceMap = ref
				}
			case MapGuessed:
				f.SourceMap = filepath.Base(pr.Map)
			}
			files = append(files, f)
		}
		if pr.Map != "" && pr.Kind != MapInline && pr.Kind != MapNone {
			u, err := urlOf(pr.Map)
			if err != nil {
				// A referenced map outside the given paths is still sent, named after its
				// generated file, as the reference resolves against the file's URL.
				jsURL, err2 := urlOf(pr.JS)
				if err2 != nil {
					return nil, err
				}
				u = jsURL[:strings.LastIndex(jsURL, "/")+1] + filepath.Base(pr.Map)
			}
			load := dir.loader(pr.Map)
			if len(opts.StripPrefixes) > 0 {
				load = dir.stripped(pr.Map, opts.StripPrefixes)
			}
			files = append(files, BundleFile{URL: u, Type: BundleSourceMap, Load: load, DebugID: id, Size: dir.size(pr.Map)})
		}
	}
	return files, nil
}

// BundleFilesOptions shapes what BundleFiles sends.
type BundleFilesOptions struct {
	// URLPrefix goes before each file's path ("" : "~").
	URLPrefix string
	// StripPrefixes are removed from the maps' "sources" in the copies sent (see
	// StripSourcePrefixes); the files on disk are not changed.
	StripPrefixes []string
}

// stripped reads a map and strips source prefixes from the copy.
func (d folder) stripped(path string, prefixes []string) func() ([]byte, error) {
	return func() ([]byte, error) {
		b, err := os.ReadFile(d.abs(path))
		if err != nil {
			return nil, d.asGiven(err, path)
		}
		out, _, err := StripSourcePrefixes(b, prefixes)
		return out, err
	}
}

// loader reads a file of the bundle when the bundle is written.
func (d folder) loader(path string) func() ([]byte, error) {
	return func() ([]byte, error) { return d.readRegular(path, 0) }
}

// DistinctDebugIDs counts the debug IDs the files carry, each once: a generated file and its
// map share one, so this is the number of builds' files Sentry can match by ID.
func DistinctDebugIDs(files []BundleFile) int {
	seen := map[string]bool{}
	for _, f := range files {
		if f.DebugID != "" {
			seen[f.DebugID] = true
		}
	}
	return len(seen)
}
