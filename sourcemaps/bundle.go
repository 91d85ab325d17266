package sourcemaps

import (
	"archive/zip"
	"bytes"
	"cmp"
	"compress/flate"
	"context"
	"crypto/sha1"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"net/url"
	"runtime"
	"slices"
	"strings"
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

func (f *BundleFile) content() ([]byte, error) {
	if f.Content != nil || f.Load == nil {
		return f.Content, nil
	}
	b, err := f.Load()
	if err != nil {
		return nil, fmt.Errorf("artifact bundle: reading %s: %w", f.URL, err)
	}
	return b, nil
}

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
	URL  string
	Type BundleFileType
	// Content is the file's bytes; when it is nil, Load is called for them, as late as possible
	// (the uploader reads files from disk while the bundle is written, so the whole build is
	// never held in memory).
	Content []byte
	Load    func() ([]byte, error)
	// Size is Load's size on disk, when known: files are loaded ahead of the writer only
	// within BundleOptions.MaxBytesInFlight.
	Size int64
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
func BundleDebugID(files []BundleFile) (string, error) {
	sorted := slices.Clone(files)
	slices.SortStableFunc(sorted, func(a, b BundleFile) int { return cmp.Compare(a.URL, b.URL) })
	h := newBundleHash()
	for _, f := range sorted {
		content, err := f.content()
		if err != nil {
			return "", err
		}
		h.add(f, content)
	}
	return h.sum(), nil
}

type manifestFile struct {
	Type    BundleFileType    `json:"type"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers,omitempty"`
}

// BundleOptions tunes how a bundle is compressed.
type BundleOptions struct {
	// Workers is how many files are compressed at once (0: one per CPU). Compression is most of
	// the cost of writing a bundle, and files compress independently.
	Workers int
	// NewDeflater returns a DEFLATE compressor (nil: compress/flate at its default level).
	// Callers may plug in a faster implementation of the same format. Each worker makes one and
	// resets it for every file: a compressor's state is large, and making one per file would
	// churn memory.
	NewDeflater func() (Deflater, error)
	// MaxBytesInFlight bounds the bytes of the files loaded ahead of the writer, by all workers
	// together (0: DefaultMaxBytesInFlight); a larger file is loaded alone.
	MaxBytesInFlight int64
}

// Deflater is a DEFLATE compressor that can be reused (compress/flate.Writer is one).
type Deflater interface {
	io.WriteCloser
	Reset(w io.Writer)
}

// WriteBundle writes an artifact bundle holding files to w and returns the bundle's debug ID.
// Files that are not valid UTF-8 are refused (Sentry skips them silently, which would lose a map
// without a word). Duplicate URLs are an error: Sentry would keep only one of them.
//
// Files are loaded (see BundleFile.Load) and compressed in parallel but written, hashed and let go
// in URL order, a few at a time: the output does not depend on timing, and memory holds a window
// of files, not the build.
func WriteBundle(w io.Writer, files []BundleFile, meta BundleMeta, opts ...BundleOptions) (string, error) {
	var o BundleOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.NewDeflater == nil {
		o.NewDeflater = func() (Deflater, error) { return flate.NewWriter(io.Discard, flate.DefaultCompression) }
	}
	if meta.Org == "" {
		return "", errors.New("artifact bundle: the organization is required")
	}
	sorted := slices.Clone(files)
	slices.SortStableFunc(sorted, func(a, b BundleFile) int { return cmp.Compare(a.URL, b.URL) })
	for i, f := range sorted {
		if i > 0 && sorted[i-1].URL == f.URL {
			return "", fmt.Errorf("artifact bundle: two files have the URL %s; Sentry keeps only one: give them distinct paths or prefixes", f.URL)
		}
	}
	if _, err := w.Write(bundleMagic); err != nil {
		return "", fmt.Errorf("writing the artifact bundle: %w", err)
	}
	zw := zip.NewWriter(w)
	// Offsets in the zip count from the start of the file, header included, as Sentry reads it.
	zw.SetOffset(int64(len(bundleMagic)))

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	slots, release := compressInOrder(ctx, sorted, o)
	id := newBundleHash()
	entries := make(map[string]manifestFile, len(sorted))
	used := make(map[string]bool, len(sorted))
	for i, f := range sorted {
		r := <-slots[i]
		release(i)
		if r.err != nil {
			return "", r.err
		}
		name := bundleZipPath(f.URL)
		for n := 1; used[name]; n++ {
			name = fmt.Sprintf("%s.%d", bundleZipPath(f.URL), n)
		}
		used[name] = true
		if err := writeRawZipEntry(zw, name, r.compressed); err != nil {
			return "", err
		}
		id.add(f, r.content)
		headers := map[string]string{}
		if f.DebugID != "" {
			headers["debug-id"] = f.DebugID
		}
		if f.SourceMap != "" {
			headers["sourcemap"] = f.SourceMap
		}
		entries[name] = manifestFile{Type: f.Type, URL: f.URL, Headers: headers}
	}
	bundleID := id.sum()
	manifest, err := marshalManifest(entries, bundleID, meta)
	if err != nil {
		return "", err
	}
	d, err := o.NewDeflater()
	if err != nil {
		return "", fmt.Errorf("compressing the artifact bundle: %w", err)
	}
	mc, err := compressOne(manifest, d)
	if err != nil {
		return "", err
	}
	if err := writeRawZipEntry(zw, "manifest.json", mc); err != nil {
		return "", err
	}
	if err := zw.Close(); err != nil {
		return "", fmt.Errorf("writing the artifact bundle: %w", err)
	}
	return bundleID, nil
}

// bundleHash computes the bundle ID (see BundleDebugID) one file at a time, in URL order.
type bundleHash struct{ h hash.Hash }

func newBundleHash() *bundleHash { return &bundleHash{h: sha1.New()} }

func (b *bundleHash) add(f BundleFile, content []byte) {
	b.h.Write([]byte(f.URL))
	b.h.Write(content)
	b.h.Write([]byte(f.Type.debugName()))
	if f.SourceMap != "" {
		b.h.Write([]byte("Sourcemap"))
		b.h.Write([]byte(f.SourceMap))
	}
	if f.DebugID != "" {
		b.h.Write([]byte("debug-id"))
		b.h.Write([]byte(f.DebugID))
	}
}

func (b *bundleHash) sum() string { return formatHashedDebugID(b.h.Sum(nil)) }

// compressedFile is one file's DEFLATE stream and what the zip header needs to know of it.
type compressedFile struct {
	data []byte
	crc  uint32
	size uint64
}

func compressOne(content []byte, d Deflater) (compressedFile, error) {
	var buf bytes.Buffer
	buf.Grow(len(content)/3 + 64)
	d.Reset(&buf)
	_, err := d.Write(content)
	if err == nil {
		err = d.Close()
	}
	if err != nil {
		return compressedFile{}, fmt.Errorf("compressing the artifact bundle: %w", err)
	}
	return compressedFile{data: buf.Bytes(), crc: crc32.ChecksumIEEE(content), size: uint64(len(content))}, nil
}

// slotResult is one file, loaded and compressed.
type slotResult struct {
	content    []byte
	compressed compressedFile
	err        error
}

// compressInOrder loads and compresses files with o.Workers workers and delivers each result on
// its own channel. At most a window of files is loaded ahead of the writer, which bounds memory.
func compressInOrder(ctx context.Context, files []BundleFile, o BundleOptions) (slots []chan slotResult, release func(int)) {
	slots = make([]chan slotResult, len(files))
	for i := range slots {
		slots[i] = make(chan slotResult, 1)
	}
	window := make(chan struct{}, 4*o.Workers)
	budget := newByteBudget(o.MaxBytesInFlight)
	held := make([]int64, len(files))
	next := make(chan int)
	go func() {
		defer close(next)
		for i := range files {
			select {
			case window <- struct{}{}:
			case <-ctx.Done():
				return
			}
			// The bytes too, not just the count: a few outsized files must not be loaded at once.
			held[i] = budget.acquire(max(files[i].Size, int64(len(files[i].Content))))
			select {
			case next <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	for range o.Workers {
		go func() {
			d, derr := o.NewDeflater()
			for i := range next {
				var r slotResult
				switch {
				case derr != nil:
					r.err = fmt.Errorf("compressing the artifact bundle: %w", derr)
				default:
					r.content, r.err = files[i].content()
					if r.err == nil && !utf8.Valid(r.content) {
						r.err = fmt.Errorf("artifact bundle: %s is not valid UTF-8, and Sentry drops such files: make the build write UTF-8", files[i].URL)
					}
					if r.err == nil {
						r.compressed, r.err = compressOne(r.content, d)
					}
				}
				slots[i] <- r // buffered: never blocks, even when the writer has given up
			}
		}()
	}
	// The writer calls release after taking each result, making room for one more file.
	release = func(i int) {
		<-window
		budget.release(held[i])
	}
	return slots, release
}

func writeRawZipEntry(zw *zip.Writer, name string, c compressedFile) error {
	hdr := &zip.FileHeader{
		Name: name, Method: zip.Deflate,
		// Every entry is dated 1980-01-01 00:00 (MS-DOS date 0x21, time 0; CreateRaw writes the
		// fields as given), so that the same files give the same bytes.
		ModifiedDate: 1<<5 | 1, ModifiedTime: 0, //nolint:staticcheck // the raw MS-DOS fields, as sentry-cli writes them: Modified would add an extended timestamp
		CRC32: c.crc, CompressedSize64: uint64(len(c.data)), UncompressedSize64: c.size,
	}
	hdr.SetMode(0o644)
	fw, err := zw.CreateRaw(hdr)
	if err != nil {
		return fmt.Errorf("writing %s into the artifact bundle: %w", name, err)
	}
	if _, err := fw.Write(c.data); err != nil {
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
