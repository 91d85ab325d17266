package sourcemaps

import (
	"archive/zip"
	"bytes"
	"cmp"
	"crypto/sha1"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Artifact bundles are what Sentry stores source maps in: an 8-byte header ("SYSB" and format
// version 2), then a ZIP archive whose offsets count from the start of the file, holding every
// file under files/… and a manifest.json last. Symbolicator refuses bundles without the header.

// BundleFileType is a file's role in an artifact bundle, as the manifest spells it.
type BundleFileType string

const (
	BundleMinifiedSource BundleFileType = "minified_source"
	BundleSourceMap      BundleFileType = "source_map"
)

// debugName is the type's name in sentry-cli's bundle-ID hash (its Rust type names).
func (t BundleFileType) debugName() string {
	switch t {
	case BundleMinifiedSource:
		return "MinifiedSource"
	case BundleSourceMap:
		return "SourceMap"
	}
	return string(t)
}

// BundleFile is one file to put into an artifact bundle.
type BundleFile struct {
	// URL is how Sentry matches the file to frames: "~/" + its path below the upload root, or
	// an absolute URL (see BundleURL).
	URL     string
	Type    BundleFileType
	Content []byte
	// DebugID goes into the "debug-id" header (on the generated file and on its map alike).
	DebugID string
	// SourceMap is the generated file's map reference ("sourcemap" header), as written in its
	// sourceMappingURL comment; empty for maps.
	SourceMap string
}

// BundleMeta is the bundle-wide part of the manifest.
type BundleMeta struct {
	Org      string
	Projects []string
	Release  string
	Dist     string
}

// bundleMagic is the header Symbolicator detects bundles by: "SYSB" and version 2 (little endian).
var bundleMagic = []byte{'S', 'Y', 'S', 'B', 2, 0, 0, 0}

// bundleTime is the fixed timestamp of every entry, so that the same files give the same bytes.
var bundleTime = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// BundleURL builds a file's URL from the upload prefix (default "~") and its slash-separated path
// below the upload root, as sentry-cli does: one trailing "/" of the prefix is dropped.
func BundleURL(prefix, rel string) string {
	if prefix == "" {
		prefix = "~"
	}
	prefix = strings.TrimSuffix(prefix, "/")
	return prefix + "/" + strings.TrimPrefix(rel, "/")
}

// bundleZipPath is where a file with this URL lives inside the zip: "files/" + scheme/host/path,
// with the "any host" URL "~/x" as "_/_/x". Sentry never reads these paths (lookups use the
// manifest's url); they only need to be unique, and they match sentry-cli's for familiarity.
func bundleZipPath(u string) string {
	if rest, ok := strings.CutPrefix(u, "~/"); ok {
		return "files/_/_/" + rest
	}
	if pu, err := url.Parse(u); err == nil && pu.Scheme != "" {
		host := pu.Host
		if host == "" {
			host = "_"
		}
		return "files/" + pu.Scheme + "/" + host + "/" + strings.TrimPrefix(pu.Path, "/")
	}
	return "files/_/_/" + strings.TrimPrefix(u, "/")
}

// BundleDebugID returns the bundle's ID as sentry-cli derives it, so that uploading the same files
// twice updates one bundle on the server instead of creating another: SHA-1 over each file, in
// URL order, of its URL, content, type name and headers (in sentry-cli's key order, where
// "Sourcemap" sorts before "debug-id"), shaped into a UUID like a file's debug ID.
func BundleDebugID(files []BundleFile) string {
	sorted := slices.Clone(files)
	slices.SortStableFunc(sorted, func(a, b BundleFile) int { return cmp.Compare(a.URL, b.URL) })
	h := sha1.New()
	for _, f := range sorted {
		h.Write([]byte(f.URL))
		h.Write(f.Content)
		h.Write([]byte(f.Type.debugName()))
		if f.SourceMap != "" {
			h.Write([]byte("Sourcemap"))
			h.Write([]byte(f.SourceMap))
		}
		if f.DebugID != "" {
			h.Write([]byte("debug-id"))
			h.Write([]byte(f.DebugID))
		}
	}
	return formatHashedDebugID(h.Sum(nil))
}

type manifestFile struct {
	Type    BundleFileType    `json:"type"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers,omitempty"`
}

// WriteBundle writes an artifact bundle holding files to w and returns the bundle's debug ID.
// Files that are not valid UTF-8 are refused (Sentry skips them silently, which would lose a map
// without a word). Duplicate URLs are an error: Sentry would keep only one of them.
func WriteBundle(w io.Writer, files []BundleFile, meta BundleMeta) (string, error) {
	if meta.Org == "" {
		return "", errors.New("artifact bundle: the organization is required")
	}
	sorted := slices.Clone(files)
	slices.SortStableFunc(sorted, func(a, b BundleFile) int { return cmp.Compare(a.URL, b.URL) })
	for i, f := range sorted {
		if i > 0 && sorted[i-1].URL == f.URL {
			return "", fmt.Errorf("artifact bundle: two files have the URL %s; Sentry keeps only one: give them distinct paths or prefixes", f.URL)
		}
		if !utf8.Valid(f.Content) {
			return "", fmt.Errorf("artifact bundle: %s is not valid UTF-8, and Sentry drops such files: make the build write UTF-8", f.URL)
		}
	}
	if _, err := w.Write(bundleMagic); err != nil {
		return "", fmt.Errorf("writing the artifact bundle: %w", err)
	}
	zw := zip.NewWriter(w)
	// Offsets in the zip count from the start of the file, header included, as Sentry reads it.
	zw.SetOffset(int64(len(bundleMagic)))
	entries := make(map[string]manifestFile, len(sorted))
	used := make(map[string]bool, len(sorted))
	for _, f := range sorted {
		name := bundleZipPath(f.URL)
		for n := 1; used[name]; n++ {
			name = fmt.Sprintf("%s.%d", bundleZipPath(f.URL), n)
		}
		used[name] = true
		if err := writeZipEntry(zw, name, f.Content); err != nil {
			return "", err
		}
		headers := map[string]string{}
		if f.DebugID != "" {
			headers["debug-id"] = f.DebugID
		}
		if f.SourceMap != "" {
			headers["sourcemap"] = f.SourceMap
		}
		entries[name] = manifestFile{Type: f.Type, URL: f.URL, Headers: headers}
	}
	id := BundleDebugID(sorted)
	manifest, err := marshalManifest(entries, id, meta)
	if err != nil {
		return "", err
	}
	if err := writeZipEntry(zw, "manifest.json", manifest); err != nil {
		return "", err
	}
	if err := zw.Close(); err != nil {
		return "", fmt.Errorf("writing the artifact bundle: %w", err)
	}
	return id, nil
}

func writeZipEntry(zw *zip.Writer, name string, content []byte) error {
	hdr := &zip.FileHeader{Name: name, Method: zip.Deflate, Modified: bundleTime}
	hdr.SetMode(0o644)
	fw, err := zw.CreateHeader(hdr)
	if err != nil {
		return fmt.Errorf("writing %s into the artifact bundle: %w", name, err)
	}
	if _, err := fw.Write(content); err != nil {
		return fmt.Errorf("writing %s into the artifact bundle: %w", name, err)
	}
	return nil
}

// marshalManifest writes the manifest as sentry-cli does: "files" first, then the bundle
// attributes in key order; "project" only when there is exactly one.
func marshalManifest(entries map[string]manifestFile, id string, meta BundleMeta) ([]byte, error) {
	var b bytes.Buffer
	files, err := json.Marshal(entries) // map keys are sorted by encoding/json
	if err != nil {
		return nil, fmt.Errorf("encoding the bundle manifest: %w", err)
	}
	b.WriteString(`{"files":`)
	b.Write(files)
	attrs := [][2]string{{"debug_id", id}, {"dist", meta.Dist}, {"org", meta.Org}}
	if len(meta.Projects) == 1 {
		attrs = append(attrs, [2]string{"project", meta.Projects[0]})
	}
	attrs = append(attrs, [2]string{"release", meta.Release})
	for _, kv := range attrs {
		if kv[1] == "" {
			continue
		}
		k, _ := json.Marshal(kv[0])
		v, _ := json.Marshal(kv[1])
		b.WriteByte(',')
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// ReadBundle opens an artifact bundle and returns its manifest.json (as written) and its other
// files by zip path. It is the inverse of WriteBundle, used to check bundles (ours and
// sentry-cli's) in tests and demos.
func ReadBundle(data []byte) (manifest []byte, files map[string][]byte, err error) {
	if !bytes.HasPrefix(data, bundleMagic[:4]) {
		return nil, nil, errors.New("not an artifact bundle: the SYSB header is missing")
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, nil, fmt.Errorf("reading the artifact bundle's zip: %w", err)
	}
	files = map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			return nil, nil, fmt.Errorf("reading %s in the artifact bundle: %w", f.Name, err)
		}
		b, err := io.ReadAll(io.LimitReader(rc, 1<<31))
		rc.Close()
		if err != nil {
			return nil, nil, fmt.Errorf("reading %s in the artifact bundle: %w", f.Name, err)
		}
		files[f.Name] = b
	}
	manifest, ok := files["manifest.json"]
	if !ok {
		return nil, nil, errors.New("the artifact bundle has no manifest.json")
	}
	if !json.Valid(manifest) {
		return nil, nil, errors.New("the artifact bundle's manifest.json is not valid JSON")
	}
	delete(files, "manifest.json")
	return manifest, files, nil
}
