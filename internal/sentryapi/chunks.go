package sentryapi

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/releasegate/releasegate/internal/apiclient"
)

// Defaults for limits a chunk-upload answer leaves out (Sentry's own values, §3.2 of the
// protocol reference).
const (
	defaultChunksPerRequest = 64
	defaultMaxRequestSize   = 32 << 20
)

// ChunkOptions is the server's chunk upload configuration, from ChunkUploadOptions.
type ChunkOptions struct {
	// URL is where chunks are POSTed: absolute, or relative to <base>/api/0/.
	URL string `json:"url"`
	// ChunkSize is the size of each chunk (the last may be shorter).
	ChunkSize int64 `json:"chunkSize"`
	// ChunksPerRequest and MaxRequestSize (summed uncompressed bytes) bound one POST.
	ChunksPerRequest int   `json:"chunksPerRequest"`
	MaxRequestSize   int64 `json:"maxRequestSize"`
	// MaxFileSize bounds an assembled file; 0: no limit given.
	MaxFileSize int64 `json:"maxFileSize"`
	// MaxWait is how long (seconds) to poll assembly; 0: not given (sentry-cli then uses 300).
	MaxWait int `json:"maxWait"`
	// Concurrency is how many POSTs may run at once.
	Concurrency int `json:"concurrency"`
	// HashAlgorithm is "sha1", the only one that exists.
	HashAlgorithm string `json:"hashAlgorithm"`
	// Compression lists the encodings the server takes ("gzip"); empty: none.
	Compression []string `json:"compression"`
	// Accept lists the server's upload capabilities (artifact_bundles, release_files, …).
	Accept []string `json:"accept"`
}

// Gzip reports whether chunks should be sent gzip-compressed.
func (o *ChunkOptions) Gzip() bool { return slices.Contains(o.Compression, "gzip") }

// Accepts reports whether the server lists capability (e.g. "artifact_bundles_v2") in Accept.
func (o *ChunkOptions) Accepts(capability string) bool { return slices.Contains(o.Accept, capability) }

// ChunkUploadOptions asks the server how to upload chunks. Limits the server leaves out get
// Sentry's defaults (64 chunks and 32 MiB per request, one request at a time).
func (c *Client) ChunkUploadOptions(ctx context.Context, org string) (*ChunkOptions, error) {
	cl := &call{
		op: "get chunk upload options", method: http.MethodGet,
		path:     []string{"organizations", org, "chunk-upload"},
		scope:    scopeReleases,
		notFound: fmt.Sprintf("check the organization slug %q (a very old self-hosted Sentry has no chunk upload at all)", org),
	}
	o := new(ChunkOptions)
	if _, _, err := c.do(ctx, cl, o); err != nil {
		return nil, err
	}
	switch {
	case o.URL == "":
		return nil, errors.New("sentryapi: get chunk upload options: the answer has no upload url")
	case o.ChunkSize <= 0:
		return nil, fmt.Errorf("sentryapi: get chunk upload options: chunkSize %d is not positive", o.ChunkSize)
	case o.HashAlgorithm != "" && o.HashAlgorithm != "sha1":
		return nil, fmt.Errorf("sentryapi: get chunk upload options: hash algorithm %q is not supported (only sha1)", o.HashAlgorithm)
	}
	if _, err := c.chunkURL(o.URL); err != nil {
		return nil, fmt.Errorf("sentryapi: get chunk upload options: %w", err)
	}
	if o.HashAlgorithm == "" {
		o.HashAlgorithm = "sha1"
	}
	if o.ChunksPerRequest <= 0 {
		o.ChunksPerRequest = defaultChunksPerRequest
	}
	if o.MaxRequestSize <= 0 {
		o.MaxRequestSize = defaultMaxRequestSize
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 1
	}
	return o, nil
}

// chunkURL resolves the upload URL: absolute as given, or relative to the API root. An absolute
// URL on another origin than the configured Sentry is accepted only when it is one of its region
// hosts (https, same registrable domain), since the chunks go there with the token.
func (c *Client) chunkURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("upload url %q: %w", raw, err)
	}
	if !u.IsAbs() {
		return c.api.ResolveReference(u), nil
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("upload url %q is not an http(s) URL", raw)
	}
	if u.User != nil {
		return nil, fmt.Errorf("upload url %s carries credentials; refusing to use it", u.Redacted())
	}
	if apiclient.OriginOf(u) != apiclient.OriginOf(c.base) && !regionHostOf(c.base, u) {
		return nil, &ForeignUploadURLError{URL: u.Redacted(), Base: c.BaseURL()}
	}
	return u, nil
}

// Chunk is one piece of a file to upload, named by the SHA-1 of its (uncompressed) data.
type Chunk struct {
	// SHA1 is the lowercase hex SHA-1 of Data.
	SHA1 string
	Data []byte
}

// NewChunk returns data as a Chunk, with its SHA-1.
func NewChunk(data []byte) Chunk {
	sum := sha1.Sum(data)
	return Chunk{SHA1: hex.EncodeToString(sum[:]), Data: data}
}

// UploadChunks sends chunks in one multipart POST to the options' URL: one part per chunk, named
// file_gzip (gzip-compressed) when the server takes gzip, else file, with the chunk's SHA-1 as
// the file name. The caller batches the chunks within ChunksPerRequest and MaxRequestSize.
//
// The body is streamed, not built in memory; its length is measured first by writing it to a
// counter, so that the request carries a Content-Length as sentry-cli's do (servers and proxies
// in front of self-hosted Sentry may refuse chunked request bodies). Uploading a chunk twice is
// harmless, so failed uploads are retried like GETs. When the URL is absolute on a region host
// of the configured Sentry (see chunkURL), the token is sent there too, as sentry-cli does.
func (c *Client) UploadChunks(ctx context.Context, opts *ChunkOptions, chunks []Chunk) error {
	const op = "upload chunks"
	switch {
	case opts == nil:
		return fmt.Errorf("sentryapi: %s: no chunk upload options (call ChunkUploadOptions first)", op)
	case len(chunks) == 0:
		return nil
	}
	if err := checkChunks(opts, chunks); err != nil {
		return fmt.Errorf("sentryapi: %s: %w", op, err)
	}
	target, err := c.chunkURL(opts.URL)
	if err != nil {
		return fmt.Errorf("sentryapi: %s: %w", op, err)
	}
	gz := opts.Gzip()
	field := "file"
	if gz {
		field = "file_gzip"
	}
	boundary := multipart.NewWriter(io.Discard).Boundary()
	write := func(w io.Writer) error { return writeChunkParts(w, boundary, field, gz, chunks) }
	var n countingWriter
	if err := write(&n); err != nil {
		return fmt.Errorf("sentryapi: %s: %w", op, err)
	}

	req, err := http.NewRequestWithContext(withAuthOrigin(ctx, apiclient.OriginOf(target)), http.MethodPost, target.String(), nil)
	if err != nil {
		return fmt.Errorf("sentryapi: %s: %w", op, err)
	}
	req.URL = target
	req.Body = newStreamBody(write)
	req.GetBody = func() (io.ReadCloser, error) { return newStreamBody(write), nil }
	req.ContentLength = int64(n)
	req.Header.Set("Content-Type", "multipart/form-data; boundary="+boundary)
	req.Header.Set("Accept", "application/json")
	resp, err := c.send(&call{
		op: op, method: http.MethodPost, scope: scopeReleases, retrySafe: true,
		notFound: "the chunk upload URL from the chunk upload options was not found; check the organization slug",
	}, req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	return resp.Body.Close()
}

func checkChunks(opts *ChunkOptions, chunks []Chunk) error {
	if opts.ChunksPerRequest > 0 && len(chunks) > opts.ChunksPerRequest {
		return fmt.Errorf("%d chunks in one request; the server takes at most %d", len(chunks), opts.ChunksPerRequest)
	}
	var total int64
	for i, ch := range chunks {
		if !isSHA1Hex(ch.SHA1) {
			return fmt.Errorf("chunk %d: %q is not a lowercase hex SHA-1", i, ch.SHA1)
		}
		if sum := sha1.Sum(ch.Data); hex.EncodeToString(sum[:]) != ch.SHA1 {
			return fmt.Errorf("chunk %d: its data does not hash to %s", i, ch.SHA1)
		}
		if opts.ChunkSize > 0 && int64(len(ch.Data)) > opts.ChunkSize {
			return fmt.Errorf("chunk %d is %d bytes; the server's chunk size is %d", i, len(ch.Data), opts.ChunkSize)
		}
		total += int64(len(ch.Data))
	}
	if len(chunks) > 1 && opts.MaxRequestSize > 0 && total > opts.MaxRequestSize {
		return fmt.Errorf("%d bytes of chunks in one request; the server takes at most %d", total, opts.MaxRequestSize)
	}
	return nil
}

func isSHA1Hex(s string) bool {
	if len(s) != 40 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// writeChunkParts writes the multipart body. It must write the same bytes every time (the
// length is measured on one run, the request sent from another): the boundary is fixed by the
// caller, and gzip output is deterministic for the same input and level.
func writeChunkParts(w io.Writer, boundary, field string, gz bool, chunks []Chunk) error {
	mw := multipart.NewWriter(w)
	if err := mw.SetBoundary(boundary); err != nil {
		return err
	}
	for _, ch := range chunks {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="%s"; filename="%s"`, field, ch.SHA1))
		h.Set("Content-Type", "application/octet-stream")
		pw, err := mw.CreatePart(h)
		if err != nil {
			return err
		}
		if !gz {
			if _, err := pw.Write(ch.Data); err != nil {
				return err
			}
			continue
		}
		zw := gzip.NewWriter(pw)
		if _, err := zw.Write(ch.Data); err != nil {
			return err
		}
		if err := zw.Close(); err != nil {
			return err
		}
	}
	return mw.Close()
}

type countingWriter int64

func (n *countingWriter) Write(p []byte) (int, error) {
	*n += countingWriter(len(p))
	return len(p), nil
}

// streamBody is a request body produced by write in a goroutine through a pipe. The goroutine
// starts on the first Read, so a body that is never read leaks nothing; Close stops it.
type streamBody struct {
	write func(io.Writer) error
	once  sync.Once
	pr    *io.PipeReader
}

func newStreamBody(write func(io.Writer) error) *streamBody {
	return &streamBody{write: write}
}

func (b *streamBody) start() {
	b.once.Do(func() {
		pr, pw := io.Pipe()
		b.pr = pr
		go func() { pw.CloseWithError(b.write(pw)) }()
	})
}

func (b *streamBody) Read(p []byte) (int, error) {
	b.start()
	if b.pr == nil { // closed before the first Read
		return 0, io.ErrClosedPipe
	}
	return b.pr.Read(p)
}

func (b *streamBody) Close() error {
	b.once.Do(func() {}) // never started: nothing to stop
	if b.pr != nil {
		return b.pr.Close()
	}
	return nil
}

// Assembly states of a file uploaded in chunks.
const (
	AssembleOK         = "ok"         // assembled and stored
	AssembleNotFound   = "not_found"  // chunks missing (see MissingChunks) or nothing started
	AssembleCreated    = "created"    // assembly queued
	AssembleAssembling = "assembling" // assembly running
	AssembleError      = "error"      // failed; Detail says why
)

// AssembleRequest is the body of AssembleArtifactBundle, with exactly the keys Sentry's schema
// allows (it rejects any other).
type AssembleRequest struct {
	// Checksum is the SHA-1 of the whole bundle file.
	Checksum string `json:"checksum"`
	// Chunks are the SHA-1s of its chunks, in file order.
	Chunks []string `json:"chunks"`
	// Projects are the slugs of the projects the bundle is for; at least one.
	Projects []string `json:"projects"`
	// Version and Dist, optional, tie the bundle to a release; Dist needs Version.
	Version string `json:"version,omitempty"`
	Dist    string `json:"dist,omitempty"`
}

// AssembleResponse is the server's state of an assembly.
type AssembleResponse struct {
	// State is one of the Assemble* constants.
	State string `json:"state"`
	// MissingChunks lists the chunks the server does not have yet; upload them and ask again.
	MissingChunks []string `json:"missingChunks"`
	Detail        string   `json:"detail"`
}

// AssembleArtifactBundle asks Sentry to assemble an artifact bundle from uploaded chunks, or
// reports how far assembly has got. The first call whose chunks are all present starts assembly;
// later calls poll it. Asking twice is harmless, so the call is retried like a GET.
func (c *Client) AssembleArtifactBundle(ctx context.Context, org string, r AssembleRequest) (*AssembleResponse, error) {
	const op = "assemble artifact bundle"
	if err := checkAssemble(r.Checksum, r.Chunks); err != nil {
		return nil, fmt.Errorf("sentryapi: %s: %w", op, err)
	}
	switch {
	case len(r.Projects) == 0:
		return nil, fmt.Errorf("sentryapi: %s: no projects given", op)
	case r.Dist != "" && r.Version == "":
		return nil, fmt.Errorf("sentryapi: %s: a dist (%q) needs a release version", op, r.Dist)
	}
	if r.Version != "" {
		if err := checkSegment(r.Version); err != nil {
			return nil, fmt.Errorf("sentryapi: %s: release version %w", op, err)
		}
	}
	if r.Chunks == nil {
		r.Chunks = []string{} // "chunks" is required: [] rather than null
	}
	return c.assemble(ctx, &call{
		op: op, method: http.MethodPost,
		path: []string{"organizations", org, "artifactbundle", "assemble"},
		body: r, scope: scopeReleases, retrySafe: true,
		notFound: fmt.Sprintf("check the organization slug %q, and that the token may write releases of projects %q", org, r.Projects),
	})
}

// AssembleReleaseFiles is the legacy (sentry-cli 2.x, Sentry before artifact bundles) form of
// AssembleArtifactBundle: it assembles a release bundle into the files of an existing release.
func (c *Client) AssembleReleaseFiles(ctx context.Context, org, version, checksum string, chunks []string) (*AssembleResponse, error) {
	const op = "assemble release files"
	if err := checkAssemble(checksum, chunks); err != nil {
		return nil, fmt.Errorf("sentryapi: %s: %w", op, err)
	}
	if chunks == nil {
		chunks = []string{}
	}
	return c.assemble(ctx, &call{
		op: op, method: http.MethodPost,
		path: []string{"organizations", org, "releases", version, "assemble"},
		body: struct {
			Checksum string   `json:"checksum"`
			Chunks   []string `json:"chunks"`
		}{checksum, chunks},
		scope: scopeReleases, retrySafe: true, notFound: releaseNotFound(org, version),
	})
}

func (c *Client) assemble(ctx context.Context, cl *call) (*AssembleResponse, error) {
	ar := new(AssembleResponse)
	if _, _, err := c.do(ctx, cl, ar); err != nil {
		return nil, err
	}
	if ar.State == "" {
		return nil, fmt.Errorf("sentryapi: %s: the answer has no state", cl.op)
	}
	return ar, nil
}

func checkAssemble(checksum string, chunks []string) error {
	if !isSHA1Hex(checksum) {
		return fmt.Errorf("checksum %q is not a lowercase hex SHA-1", checksum)
	}
	for i, ch := range chunks {
		if !isSHA1Hex(ch) {
			return fmt.Errorf("chunk %d: %q is not a lowercase hex SHA-1", i, ch)
		}
	}
	return nil
}

// ReleaseFile is a file uploaded to a release the legacy way (one request per file).
type ReleaseFile struct {
	// Name is the file's URL as the SDK will see it, e.g. "~/static/js/app.js.map".
	Name string
	// Dist optionally ties the file to a distribution.
	Dist string
	// Headers are stored with the file, e.g. {"Sourcemap": "app.js.map", "debug-id": "…"}.
	Headers map[string]string
	Data    []byte
}

// ReleaseFileInfo is a stored release file.
type ReleaseFileInfo struct {
	ID          ID                `json:"id"`
	Name        string            `json:"name"`
	Dist        string            `json:"dist"`
	Headers     map[string]string `json:"headers"`
	Size        int64             `json:"size"`
	SHA1        string            `json:"sha1"`
	DateCreated *time.Time        `json:"dateCreated"`
}

// UploadReleaseFile uploads one file to a release (project "" uses the organization-level
// endpoint). A file of the same name and dist already in the release is an ErrConflict. Only old
// Sentry servers without chunk upload need this; the body is built in memory.
func (c *Client) UploadReleaseFile(ctx context.Context, org, project, version string, f ReleaseFile) (*ReleaseFileInfo, error) {
	const op = "upload release file"
	if f.Name == "" {
		return nil, fmt.Errorf("sentryapi: %s: the file name is empty", op)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	base := path.Base(strings.TrimPrefix(f.Name, "~"))
	fw, err := mw.CreateFormFile("file", base)
	if err == nil {
		_, err = fw.Write(f.Data)
	}
	if err == nil {
		err = mw.WriteField("name", f.Name)
	}
	if err == nil && f.Dist != "" {
		err = mw.WriteField("dist", f.Dist)
	}
	keys := make([]string, 0, len(f.Headers))
	for k := range f.Headers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err == nil {
			err = mw.WriteField("header", k+":"+f.Headers[k])
		}
	}
	if err == nil {
		err = mw.Close()
	}
	if err != nil {
		return nil, fmt.Errorf("sentryapi: %s: %w", op, err)
	}

	cl := &call{
		op: op, method: http.MethodPost, scope: scopeReleases,
		path:     []string{"organizations", org, "releases", version, "files"},
		notFound: releaseNotFound(org, version),
		conflict: fmt.Sprintf("release %q already has a file named %q; delete it first or skip it", version, f.Name),
	}
	if project != "" {
		cl.path = []string{"projects", org, project, "releases", version, "files"}
		cl.notFound = fmt.Sprintf("check the organization slug %q, the project slug %q and that release %q exists", org, project, version)
	}
	u, err := c.endpoint(cl)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body.Bytes()))
	if err != nil {
		return nil, fmt.Errorf("sentryapi: %s: %w", op, err)
	}
	req.URL = u
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Accept", "application/json")
	resp, err := c.send(cl, req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	info := new(ReleaseFileInfo)
	if err := c.decode(cl, resp, info); err != nil {
		return nil, err
	}
	return info, nil
}
