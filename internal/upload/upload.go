// Package upload sends a build's source maps to Sentry the way Sentry's own chunked protocol
// wants them: one artifact bundle written to a temporary file, cut into chunks, only the chunks
// the server lacks sent (several requests at once), then assembled — and reported as done only
// when the server says the bundle is "ok".
//
// It wires the pure sourcemaps package (bundles) to the sentryapi client; commands call it.
package upload

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	kflate "github.com/klauspost/compress/flate"
	"golang.org/x/sync/errgroup"

	"github.com/releasegate/releasegate/errkind"
	"github.com/releasegate/releasegate/internal/clock"
	"github.com/releasegate/releasegate/internal/sentryapi"
	"github.com/releasegate/releasegate/sourcemaps"
)

// API is the part of the Sentry client an upload uses.
type API interface {
	ChunkUploadOptions(ctx context.Context, org string) (*sentryapi.ChunkOptions, error)
	UploadChunks(ctx context.Context, opts *sentryapi.ChunkOptions, chunks []sentryapi.Chunk) error
	AssembleArtifactBundle(ctx context.Context, org string, r sentryapi.AssembleRequest) (*sentryapi.AssembleResponse, error)
	AssembleReleaseFiles(ctx context.Context, org, version, checksum string, chunks []string) (*sentryapi.AssembleResponse, error)
	CreateRelease(ctx context.Context, org string, r sentryapi.NewRelease) (*sentryapi.Release, bool, error)
}

var _ API = (*sentryapi.Client)(nil)

// Options says where the bundle goes and how long to wait for it.
type Options struct {
	Org      string
	Projects []string
	Release  string
	Dist     string
	// WaitTimeout bounds waiting for the server to assemble the bundle (0: 5 minutes).
	WaitTimeout time.Duration
	// PollInterval is the pause between assemble polls (0: 1 second, as sentry-cli).
	PollInterval time.Duration
	// TempDir holds the bundle while it is uploaded ("" : the system's).
	TempDir string
	// Progress, if set, is called as the upload advances (from several goroutines at once).
	Progress func(Progress)
	// Sleep waits (tests replace it); nil: a timer honouring ctx.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now returns the time, for phase timings (nil: time.Now).
	Now func() time.Time
}

// Progress is one step of an upload, for a progress bar.
type Progress struct {
	Phase string
	// Done and Total count bytes of chunks in the "upload" phase.
	Done, Total int64
}

// Phases of an upload, in order, as they appear in Result.Phases.
const (
	PhaseBundle   = "bundle"
	PhaseHash     = "hash"
	PhaseUpload   = "upload"
	PhaseAssemble = "assemble"
)

// Bundle describes one uploaded bundle.
type Bundle struct {
	Checksum string `json:"checksum"`
	DebugID  string `json:"debugId"`
	Files    int    `json:"files"`
	Bytes    int64  `json:"bytes"`
}

// Chunks counts the chunks of an upload.
type Chunks struct {
	Total     int   `json:"total"`
	Uploaded  int   `json:"uploaded"`
	BytesSent int64 `json:"bytesSent"`
}

// Result is what an upload did.
type Result struct {
	Bundles []Bundle
	Chunks  Chunks
	// Legacy is true when the server had no artifact bundles and release files were used.
	Legacy bool
	// Phases holds the time spent in each phase.
	Phases map[string]time.Duration
}

// ErrNeedsRelease is returned (wrapped) when the server stores files only within a release
// (no artifact bundles) and no release was given: a configuration error, not an outage.
var ErrNeedsRelease = errors.New("this Sentry server has no artifact bundles, so files must belong to a release")

// ErrNothingToUpload is returned (wrapped) for an empty file list, before any request: an empty
// bundle assembled "ok" would look like a successful upload of a build.
var ErrNothingToUpload = errors.New("no files to upload")

// Error is an upload failure with advice. Its message says what failed and what to try.
type Error struct {
	Op   string
	Err  error
	Hint string
	// config: the options given are what is wrong (no organization, no project).
	config bool
}

func (e *Error) Error() string {
	msg := e.Op + ": " + e.Err.Error()
	if e.Hint != "" {
		msg += "; " + e.Hint
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// ErrorKind is errkind.Config when the options or the server's kind are what must change
// (ErrNeedsRelease, no organization or project), errkind.Usage for nothing to upload, the
// cause's kind when it states one (a token Sentry refuses is errkind.Config), and otherwise
// errkind.Undecided: the upload did not finish, and the build may well be fine.
func (e *Error) ErrorKind() errkind.Kind {
	switch {
	case e.config, errors.Is(e.Err, ErrNeedsRelease):
		return errkind.Config
	case errors.Is(e.Err, ErrNothingToUpload):
		return errkind.Usage
	}
	if k := errkind.Of(e.Err); k != errkind.Unknown {
		return k
	}
	return errkind.Undecided
}

// ErrorHint is what to try, as the message says it too.
func (e *Error) ErrorHint() string { return e.Hint }

// Upload bundles files, uploads the chunks the server is missing and waits until the server has
// assembled the bundle. It returns an error unless the server reported the bundle "ok".
func Upload(ctx context.Context, api API, files []sourcemaps.BundleFile, opts Options) (*Result, error) {
	if opts.Org == "" {
		return nil, &Error{Op: "upload", Err: errors.New("no organization"), Hint: "set --org or SENTRY_ORG", config: true}
	}
	if len(opts.Projects) == 0 {
		return nil, &Error{Op: "upload", Err: errors.New("no project"), Hint: "set --project or SENTRY_PROJECT", config: true}
	}
	if len(files) == 0 {
		return nil, &Error{Op: "upload", Err: ErrNothingToUpload, Hint: "check the path of the build output"}
	}
	if opts.WaitTimeout == 0 {
		opts.WaitTimeout = 5 * time.Minute
	}
	if opts.PollInterval == 0 {
		opts.PollInterval = time.Second
	}
	if opts.Sleep == nil {
		opts.Sleep = clock.Sleep
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	u := &uploader{api: api, opts: opts, res: &Result{Phases: map[string]time.Duration{}}}
	return u.run(ctx, files)
}

type uploader struct {
	api  API
	opts Options
	res  *Result
}

func (u *uploader) progress(p Progress) {
	if u.opts.Progress != nil {
		u.opts.Progress(p)
	}
}

func (u *uploader) timed(phase string, start time.Time) {
	u.res.Phases[phase] += u.opts.Now().Sub(start)
}

func (u *uploader) run(ctx context.Context, files []sourcemaps.BundleFile) (*Result, error) {
	chunkOpts, err := u.api.ChunkUploadOptions(ctx, u.opts.Org)
	if err != nil {
		return nil, failed("asking Sentry for its upload options", err, "")
	}
	if chunkOpts.HashAlgorithm != "" && chunkOpts.HashAlgorithm != "sha1" {
		return nil, &Error{Op: "upload", Err: fmt.Errorf("the server wants %q chunk hashes", chunkOpts.HashAlgorithm), Hint: "only sha1 exists in Sentry's protocol; is this a Sentry server?"}
	}
	legacy := len(chunkOpts.Accept) > 0 && !chunkOpts.Accepts("artifact_bundles") && !chunkOpts.Accepts("artifact_bundles_v2")
	if legacy {
		if !chunkOpts.Accepts("release_files") {
			return nil, &Error{Op: "upload", Err: errors.New("the server accepts neither artifact bundles nor release files"), Hint: "upgrade Sentry (self-hosted 23.6.2 or newer takes artifact bundles)"}
		}
		if u.opts.Release == "" {
			return nil, &Error{Op: "upload", Err: ErrNeedsRelease, Hint: "pass --release"}
		}
		u.res.Legacy = true
		// Release files belong to an existing release (the server refuses them otherwise), so
		// it is created first, as sentry-cli 2.x does; an existing one is fine.
		if _, _, err := u.api.CreateRelease(ctx, u.opts.Org, sentryapi.NewRelease{Version: u.opts.Release, Projects: u.opts.Projects}); err != nil {
			return nil, &Error{Op: "creating release " + u.opts.Release + " for its files", Err: err}
		}
	}
	start := u.opts.Now()
	u.progress(Progress{Phase: PhaseBundle})
	tmp, err := os.CreateTemp(u.opts.TempDir, "releasegate-bundle-*.zip")
	if err != nil {
		return nil, &Error{Op: "creating the bundle file", Err: err, Hint: "check that the temporary folder is writable (TMPDIR)"}
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	hw := newChunkHasher(tmp, chunkOpts.ChunkSize, u.opts.Now)
	meta := sourcemaps.BundleMeta{Org: u.opts.Org, Projects: u.opts.Projects, Release: u.opts.Release, Dist: u.opts.Dist}
	debugID, err := sourcemaps.WriteBundle(hw, files, meta, sourcemaps.BundleOptions{NewDeflater: fastDeflater})
	if err != nil {
		return nil, &Error{Op: "writing the artifact bundle", Err: err}
	}
	checksum, chunks, size := hw.finish()
	// Bundling and hashing are one streamed pass; each phase gets its own share of the time.
	u.timed(PhaseBundle, start.Add(hw.hashing))
	u.res.Phases[PhaseHash] += hw.hashing
	if chunkOpts.MaxFileSize > 0 && size > chunkOpts.MaxFileSize {
		return nil, &Error{Op: "upload", Err: fmt.Errorf("the bundle is %d MiB, over the server's limit of %d MiB", size>>20, chunkOpts.MaxFileSize>>20),
			Hint: "upload the build in parts (one command per folder)"}
	}
	u.res.Bundles = append(u.res.Bundles, Bundle{Checksum: checksum, DebugID: debugID, Files: len(files), Bytes: size})
	u.res.Chunks.Total += len(chunks)

	// Ask first which chunks the server lacks: a bundle uploaded before costs nothing now.
	start = u.opts.Now()
	resp, err := u.assemble(ctx, checksum, chunks)
	u.timed(PhaseAssemble, start)
	if err != nil {
		return nil, err
	}
	// The first round sends what the pre-flight call asked for. A server may still lack
	// chunks it acknowledged (a failing blob store, chunks expired by a concurrent job): they
	// are sent once more before waitAssembled gives up on them.
	for round := 0; round < 2 && resp.State == sentryapi.AssembleNotFound && len(resp.MissingChunks) > 0; round++ {
		start = u.opts.Now()
		if err := u.uploadMissing(ctx, tmp, chunkOpts, chunks, resp.MissingChunks, size, round > 0); err != nil {
			return nil, err
		}
		u.timed(PhaseUpload, start)
		start = u.opts.Now()
		resp, err = u.assemble(ctx, checksum, chunks)
		if err != nil {
			return nil, err
		}
		u.timed(PhaseAssemble, start)
	}
	start = u.opts.Now()
	defer u.timed(PhaseAssemble, start)
	if err := u.waitAssembled(ctx, checksum, chunks, resp); err != nil {
		return nil, err
	}
	return u.res, nil
}

func (u *uploader) assemble(ctx context.Context, checksum string, chunks []string) (*sentryapi.AssembleResponse, error) {
	var resp *sentryapi.AssembleResponse
	var err error
	if u.res.Legacy {
		resp, err = u.api.AssembleReleaseFiles(ctx, u.opts.Org, u.opts.Release, checksum, chunks)
	} else {
		resp, err = u.api.AssembleArtifactBundle(ctx, u.opts.Org, sentryapi.AssembleRequest{
			Checksum: checksum, Chunks: chunks, Projects: u.opts.Projects, Version: u.opts.Release, Dist: u.opts.Dist,
		})
	}
	if err != nil {
		return nil, failed("asking Sentry to assemble the bundle", err, "")
	}
	return resp, nil
}

// failed is an Error for a step that failed on a call to Sentry. The hint is hint unless the
// cause calls for other advice.
func failed(op string, err error, hint string) *Error {
	switch {
	case errors.Is(err, sentryapi.ErrMisconfigured):
		// The token, its scopes or the organization: the client's error says what to fix, and
		// retrying cannot help.
		hint = ""
	case errors.Is(err, sentryapi.ErrRateLimited):
		// Sentry's own wait is in the message already.
		hint = "run the upload again after that wait; chunks already on the server are not sent again"
	case errors.Is(err, context.DeadlineExceeded):
		hint = "the upload ran out of time (its deadline passed); allow it longer, or check why Sentry answers slowly"
	case errors.Is(err, context.Canceled):
		hint = "" // whoever cancelled the upload knows why
	}
	return &Error{Op: op, Err: err, Hint: hint}
}

// fastDeflater compresses bundle entries with klauspost/compress: the same DEFLATE format as
// compress/flate (any zip reader reads it) in a fraction of the time; compression is most of the
// cost of building a bundle.
func fastDeflater() (sourcemaps.Deflater, error) {
	return kflate.NewWriter(io.Discard, kflate.DefaultCompression)
}

// waitAssembled polls until the server reports ok (success) or error/not_found (failure), or
// the wait times out. Success is only ever "ok" with no chunk missing (the client follows no
// redirect away from the configured Sentry, so the answer is Sentry's).
func (u *uploader) waitAssembled(ctx context.Context, checksum string, chunks []string, resp *sentryapi.AssembleResponse) error {
	deadline := u.opts.Now().Add(u.opts.WaitTimeout)
	// Small bundles assemble in a moment: poll soon, then back off to the normal interval.
	wait := min(100*time.Millisecond, u.opts.PollInterval)
	for {
		switch resp.State {
		case sentryapi.AssembleOK:
			if len(resp.MissingChunks) > 0 {
				// The answer contradicts itself; nothing shows the bundle is whole.
				return &Error{Op: "Sentry's answer to assemble is inconsistent", Err: fmt.Errorf("state \"ok\", yet the answer lists %s of the bundle as missing", chunkCount(len(resp.MissingChunks))),
					Hint: "retry the upload; if it keeps happening, something between releasegate and Sentry is rewriting its answers"}
			}
			return nil
		case sentryapi.AssembleError:
			return &Error{Op: "Sentry could not process the bundle", Err: errors.New(orUnknown(resp.Detail)),
				Hint: "run `releasegate sourcemaps validate` on the build; if it is clean, retry the upload"}
		case sentryapi.AssembleNotFound:
			if len(resp.MissingChunks) > 0 {
				return &Error{Op: "Sentry lost uploaded chunks", Err: fmt.Errorf("the server still lacks %s of the bundle after the upload", chunkCount(len(resp.MissingChunks))),
					Hint: "retry the upload; if it keeps failing, the server's chunk storage is failing"}
			}
			return &Error{Op: "Sentry could not process the bundle", Err: errors.New(orUnknown(resp.Detail)), Hint: "retry the upload"}
		}
		u.progress(Progress{Phase: PhaseAssemble})
		if !u.opts.Now().Before(deadline) {
			return &Error{Op: "waiting for Sentry to assemble the bundle", Err: fmt.Errorf("still %q after %s", resp.State, u.opts.WaitTimeout),
				Hint: "the upload itself succeeded; raise --wait-timeout, or check the server's workers (self-hosted)"}
		}
		if err := u.opts.Sleep(ctx, wait); err != nil {
			return failed("waiting for Sentry to assemble the bundle", err, "")
		}
		wait = min(2*wait, u.opts.PollInterval)
		var err error
		if resp, err = u.assemble(ctx, checksum, chunks); err != nil {
			return err
		}
	}
}

func chunkCount(n int) string {
	if n == 1 {
		return "1 chunk"
	}
	return fmt.Sprintf("%d chunks", n)
}

func orUnknown(s string) string {
	if s == "" {
		return "the server gave no reason"
	}
	return s
}

// uploadMissing sends the missing chunks, batched within the server's limits, several batches
// at once. Chunk data is read back from the bundle file, one batch at a time per worker. When
// again is set the chunks were counted as uploaded before: only their bytes are counted now.
func (u *uploader) uploadMissing(ctx context.Context, f *os.File, co *sentryapi.ChunkOptions, chunks, missing []string, size int64, again bool) error {
	want := make(map[string]bool, len(missing))
	for _, m := range missing {
		want[m] = true
	}
	type span struct {
		sha1        string
		off, length int64
	}
	var todo []span
	var total int64
	for i, c := range chunks {
		off := int64(i) * co.ChunkSize
		n := min(co.ChunkSize, size-off)
		if want[c] {
			delete(want, c) // a chunk that repeats is sent once
			todo = append(todo, span{c, off, n})
			total += n
		}
	}
	if len(want) > 0 {
		return &Error{Op: "upload", Err: fmt.Errorf("the server asked for %d chunks that are not part of this bundle", len(want)), Hint: "this is a server bug; retry"}
	}
	// The chunks are slices of a zip whose entries are already deflated: gzip would spend CPU
	// on both ends to save almost nothing, so they go as plain "file" parts, which every
	// Sentry version accepts.
	plain := *co
	plain.Compression = nil
	co = &plain
	perRequest := max(co.ChunksPerRequest, 1)
	var batches [][]span
	for len(todo) > 0 {
		n, sum := 0, int64(0)
		for n < len(todo) && n < perRequest && (n == 0 || co.MaxRequestSize <= 0 || sum+todo[n].length <= co.MaxRequestSize) {
			sum += todo[n].length
			n++
		}
		batches = append(batches, todo[:n])
		todo = todo[n:]
	}
	var done atomic.Int64
	var mu sync.Mutex
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(max(co.Concurrency, 1))
	for _, batch := range batches {
		g.Go(func() error {
			cs := make([]sentryapi.Chunk, 0, len(batch))
			for _, s := range batch {
				data := make([]byte, s.length)
				if _, err := f.ReadAt(data, s.off); err != nil {
					return &Error{Op: "reading the bundle back", Err: err}
				}
				cs = append(cs, sentryapi.Chunk{SHA1: s.sha1, Data: data})
			}
			if err := u.api.UploadChunks(ctx, co, cs); err != nil {
				return failed("uploading "+chunkCount(len(cs)), err, "retry the upload: chunks already on the server are not sent again")
			}
			var bytes int64
			for _, c := range cs {
				bytes += int64(len(c.Data))
			}
			mu.Lock()
			if !again {
				u.res.Chunks.Uploaded += len(cs)
			}
			u.res.Chunks.BytesSent += bytes
			mu.Unlock()
			u.progress(Progress{Phase: PhaseUpload, Done: done.Add(bytes), Total: total})
			return nil
		})
	}
	return g.Wait()
}

// chunkHasher passes the bundle through to its file while hashing it whole and in chunks, so
// the bundle is read from disk only for the chunks that must be sent.
type chunkHasher struct {
	now       func() time.Time
	hashing   time.Duration // time spent hashing, reported as its own phase
	w         io.Writer
	chunkSize int64
	whole     hash.Hash
	chunk     hash.Hash
	inChunk   int64
	size      int64
	sums      []string
}

func newChunkHasher(w io.Writer, chunkSize int64, now func() time.Time) *chunkHasher {
	if chunkSize <= 0 {
		chunkSize = 8 << 20
	}
	return &chunkHasher{w: w, chunkSize: chunkSize, whole: sha1.New(), chunk: sha1.New(), now: now}
}

func (h *chunkHasher) Write(p []byte) (int, error) {
	n, err := h.w.Write(p)
	start := h.now()
	defer func() { h.hashing += h.now().Sub(start) }()
	data := p[:n]
	h.whole.Write(data)
	h.size += int64(n)
	for len(data) > 0 {
		take := min(int64(len(data)), h.chunkSize-h.inChunk)
		h.chunk.Write(data[:take])
		h.inChunk += take
		data = data[take:]
		if h.inChunk == h.chunkSize {
			h.sums = append(h.sums, hex.EncodeToString(h.chunk.Sum(nil)))
			h.chunk.Reset()
			h.inChunk = 0
		}
	}
	return n, err
}

func (h *chunkHasher) finish() (checksum string, chunks []string, size int64) {
	if h.inChunk > 0 {
		h.sums = append(h.sums, hex.EncodeToString(h.chunk.Sum(nil)))
	}
	return hex.EncodeToString(h.whole.Sum(nil)), slices.Clone(h.sums), h.size
}
