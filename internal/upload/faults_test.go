package upload_test

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"io/fs"
	"maps"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/releasegate/releasegate/internal/sentryapi"
	"github.com/releasegate/releasegate/internal/sentryapi/sentryapitest"
	"github.com/releasegate/releasegate/internal/testbundles"
	"github.com/releasegate/releasegate/internal/upload"
	"github.com/releasegate/releasegate/sourcemaps"
)

const (
	chunkPath    = "/api/0/organizations/acme/chunk-upload/"
	assemblePath = "/api/0/organizations/acme/artifactbundle/assemble/"
	// Small chunks and requests, so that even a small build is cut into many chunks sent by
	// several requests at once, and a fault hits one request among others in flight.
	faultChunkSize = 32 << 10
	// slowReply is longer than every timeout the slow cases set. It is short all the same: the
	// test server holds a delayed request to the end of its delay even when the client has
	// gone (it has not read the body, so it does not notice), and Close waits for it.
	slowReply = time.Second
)

// fakeClock is a clock that only moves when something sleeps on it, recording each wait.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	waits []time.Duration
}

// newFakeClock starts at the real time: Sentry's X-Sentry-Rate-Limit-Reset is an epoch second
// set by the server's real clock, which the client compares with its own.
func newFakeClock() *fakeClock { return &fakeClock{now: time.Now()} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.waits = append(c.waits, d)
	c.now = c.now.Add(max(d, 0))
	return nil
}

func (c *fakeClock) Waits() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.waits)
}

// faultFiles is what every case uploads: a real esbuild build (code-split ESM with linked maps)
// and a generated file that compresses badly, so that the bundle spans many chunks.
func faultFiles(t *testing.T) []sourcemaps.BundleFile {
	t.Helper()
	esm := filepath.Join(testbundles.Build(t, "esbuild"), "esm")
	var files []sourcemaps.BundleFile
	err := filepath.WalkDir(esm, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(esm, p)
		typ := sourcemaps.BundleMinifiedSource
		if strings.HasSuffix(p, ".map") {
			typ = sourcemaps.BundleSourceMap
		}
		files = append(files, sourcemaps.BundleFile{URL: "~/" + filepath.ToSlash(rel), Type: typ, Content: data})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 4 {
		t.Fatalf("the esbuild build has only %d files", len(files))
	}
	r := rand.New(rand.NewPCG(3, 4))
	noise := make([]byte, 96<<10)
	for i := range noise {
		noise[i] = byte(r.Uint32())
	}
	files = append(files, sourcemaps.BundleFile{URL: "~/vendor/blob.js", Type: sourcemaps.BundleMinifiedSource,
		Content: []byte("var blob=\"" + hex.EncodeToString(noise) + "\";\n")})
	return files
}

// faultEnv is one upload against a local Sentry with faults.
type faultEnv struct {
	srv    *sentryapitest.Server
	client *sentryapi.Client
	// clientClock sees the client's retry waits, uploadClock the uploader's assemble polls.
	clientClock, uploadClock *fakeClock
	opts                     upload.Options
	files                    []sourcemaps.BundleFile
}

type faultCase struct {
	name string
	// server, client and setup adjust the environment before the upload starts.
	server func(*sentryapitest.Options)
	client func(*sentryapi.Options)
	setup  func(t *testing.T, e *faultEnv)
	// ctxTimeout bounds the whole upload (0: the safety net below).
	ctxTimeout time.Duration
	// wantOK: the upload must succeed; otherwise it must fail with a message holding every
	// string of wantErr (the step that failed, the cause, and what to try).
	wantOK  bool
	wantErr []string
	// check makes case-specific assertions afterwards.
	check func(t *testing.T, e *faultEnv, res *upload.Result, err error)
}

// TestUploadUnderFaults runs a real upload (real client, real HTTP, a local Sentry) once per
// kind of fault. Each ends in one of two ways: success, and the server holds exactly the files
// sent and reports the bundle "ok"; or an *upload.Error that says what failed and what to try.
// Nothing sleeps for real except where a timeout is the fault under test.
func TestUploadUnderFaults(t *testing.T) {
	t.Parallel()
	tests := []faultCase{
		{
			name: "5xx burst on chunk POST is retried",
			setup: func(t *testing.T, e *faultEnv) {
				e.srv.InjectFault(sentryapitest.Fault{Method: "POST", Path: chunkPath, Times: 4, Status: http.StatusServiceUnavailable})
			},
			wantOK: true,
			check: func(t *testing.T, e *faultEnv, _ *upload.Result, _ error) {
				if n := countFaults(e.srv, chunkPath, "status 503"); n != 4 {
					t.Errorf("%d chunk POSTs got the 503, want 4", n)
				}
				if w := e.clientClock.Waits(); len(w) != 4 {
					t.Errorf("client waits %v, want one backoff per 503", w)
				}
			},
		},
		{
			name: "5xx burst on assemble while polling is retried",
			server: func(o *sentryapitest.Options) {
				o.AssemblePolls = 3
			},
			setup: func(t *testing.T, e *faultEnv) {
				// The burst starts once the upload is done and the uploader polls.
				var once sync.Once
				e.opts.Progress = func(p upload.Progress) {
					if p.Phase == upload.PhaseAssemble {
						once.Do(func() {
							e.srv.InjectFault(sentryapitest.Fault{Method: "POST", Path: assemblePath, Times: 3, Status: http.StatusBadGateway,
								Body: "<html><body>502 Bad Gateway</body></html>", Header: http.Header{"Content-Type": {"text/html"}}})
						})
					}
				}
			},
			wantOK: true,
			check: func(t *testing.T, e *faultEnv, _ *upload.Result, _ error) {
				if n := countFaults(e.srv, assemblePath, "status 502"); n != 3 {
					t.Errorf("%d assemble calls got the 502, want 3", n)
				}
			},
		},
		{
			name: "persistent 5xx on chunk POST fails after the retries",
			setup: func(t *testing.T, e *faultEnv) {
				e.srv.InjectFault(sentryapitest.Fault{Method: "POST", Path: chunkPath, Status: http.StatusInternalServerError})
			},
			wantErr: []string{"uploading", "chunks", "500 Internal Server Error", "gave up after 6 attempts", "try again"},
		},
		{
			// The token, not Sentry's health: not retried, no advice to retry, and the error
			// names the scope and matches ErrMisconfigured (which the CLI maps to exit 2).
			name: "403 on chunk POST is a configuration error",
			setup: func(t *testing.T, e *faultEnv) {
				e.srv.InjectFault(sentryapitest.Fault{Method: "POST", Path: chunkPath, Status: http.StatusForbidden})
			},
			wantErr: []string{"uploading", "403 Forbidden", "project:releases", "org:ci"},
			check: func(t *testing.T, e *faultEnv, _ *upload.Result, err error) {
				if !errors.Is(err, sentryapi.ErrMisconfigured) || strings.Contains(err.Error(), "retry") {
					t.Errorf("err = %v; want ErrMisconfigured, without advice to retry", err)
				}
			},
		},
		{
			name: "persistent 5xx on assemble fails after the retries",
			setup: func(t *testing.T, e *faultEnv) {
				e.srv.InjectFault(sentryapitest.Fault{Method: "POST", Path: assemblePath, Status: http.StatusServiceUnavailable})
			},
			wantErr: []string{"assemble", "503 Service Unavailable", "gave up after 6 attempts", "try again"},
			check: func(t *testing.T, e *faultEnv, _ *upload.Result, _ error) {
				if n := countFaults(e.srv, assemblePath, "status 503"); n != 6 {
					t.Errorf("assemble was tried %d times, want 6", n)
				}
			},
		},
		{
			name: "429 with X-Sentry-Rate-Limit-Reset waits for the reset",
			setup: func(t *testing.T, e *faultEnv) {
				f := sentryapitest.RateLimited(30 * time.Second)
				f.Method, f.Path, f.Times = "POST", chunkPath, 1
				e.srv.InjectFault(f)
			},
			wantOK: true,
			check: func(t *testing.T, e *faultEnv, _ *upload.Result, _ error) {
				// The reset is a whole epoch second about 30 s after the server's real clock,
				// which ran a little ahead of the client's (frozen) one.
				w := e.clientClock.Waits()
				if len(w) != 1 || w[0] < 29*time.Second || w[0] > 31*time.Second {
					t.Errorf("client waits %v, want one of about 30s", w)
				}
			},
		},
		{
			name: "429 with Retry-After waits as asked",
			setup: func(t *testing.T, e *faultEnv) {
				e.srv.InjectFault(sentryapitest.Fault{Method: "POST", Path: assemblePath, Times: 2, Status: http.StatusTooManyRequests, RetryAfter: 7 * time.Second})
			},
			wantOK: true,
			check: func(t *testing.T, e *faultEnv, _ *upload.Result, _ error) {
				if w := e.clientClock.Waits(); !slices.Equal(w, []time.Duration{7 * time.Second, 7 * time.Second}) {
					t.Errorf("client waits %v, want 7s twice", w)
				}
			},
		},
		{
			name: "429 asking for longer than the client waits fails at once",
			setup: func(t *testing.T, e *faultEnv) {
				f := sentryapitest.RateLimited(10 * time.Minute)
				f.Method, f.Path = "POST", chunkPath
				e.srv.InjectFault(f)
			},
			wantErr: []string{"uploading", "429 Too Many Requests", "Sentry asks to wait", "run the upload again"},
			check: func(t *testing.T, e *faultEnv, _ *upload.Result, err error) {
				if !errors.Is(err, sentryapi.ErrRateLimited) {
					t.Errorf("err = %v, want one matching ErrRateLimited", err)
				}
				if w := e.clientClock.Waits(); len(w) != 0 {
					t.Errorf("client waited %v; a 10-minute limit is the caller's decision", w)
				}
			},
		},
		{
			name: "connection reset mid-chunk-body is retried",
			setup: func(t *testing.T, e *faultEnv) {
				e.srv.InjectFault(sentryapitest.Fault{Method: "POST", Path: chunkPath, Times: 2, CutRequest: true, CutRequestAfter: 5000})
			},
			wantOK: true,
			check: func(t *testing.T, e *faultEnv, _ *upload.Result, _ error) {
				if n := countFaults(e.srv, chunkPath, "cut request after 5000 bytes"); n != 2 {
					t.Errorf("%d chunk POSTs were cut, want 2", n)
				}
			},
		},
		{
			name: "response cut mid-body on assemble is retried",
			setup: func(t *testing.T, e *faultEnv) {
				var once sync.Once
				e.opts.Progress = func(p upload.Progress) {
					if p.Phase == upload.PhaseUpload {
						// The assemble call after the upload starts the job; its answer is lost.
						once.Do(func() {
							e.srv.InjectFault(sentryapitest.Fault{Method: "POST", Path: assemblePath, Times: 1, CutResponse: true, CutResponseAfter: 5})
						})
					}
				}
			},
			wantOK: true,
			check: func(t *testing.T, e *faultEnv, _ *upload.Result, _ error) {
				if n := countFaults(e.srv, assemblePath, "cut response after 5 bytes"); n != 1 {
					t.Errorf("%d assemble answers were cut, want 1", n)
				}
			},
		},
		{
			name: "reply slower than the stall timeout once is retried",
			client: func(o *sentryapi.Options) {
				// As the CLI builds its client: a transport with no timeouts of its own.
				o.HTTPClient = &http.Client{Transport: http.DefaultTransport}
				o.StallTimeout = 150 * time.Millisecond
			},
			setup: func(t *testing.T, e *faultEnv) {
				e.srv.InjectFault(sentryapitest.Fault{Method: "POST", Path: assemblePath, Times: 1, Delay: slowReply})
			},
			wantOK: true,
		},
		{
			name: "reply always slower than the stall timeout fails",
			client: func(o *sentryapi.Options) {
				o.HTTPClient = &http.Client{Transport: http.DefaultTransport}
				o.StallTimeout = 50 * time.Millisecond
				o.MaxRetries = 2
			},
			setup: func(t *testing.T, e *faultEnv) {
				e.srv.InjectFault(sentryapitest.Fault{Method: "POST", Path: chunkPath, Delay: slowReply})
			},
			wantErr: []string{"uploading", "no progress for 50ms while waiting for the response", "gave up after 3 attempts", "reachable"},
		},
		{
			name:       "reply slower than the caller's deadline fails",
			ctxTimeout: 300 * time.Millisecond,
			setup: func(t *testing.T, e *faultEnv) {
				e.srv.InjectFault(sentryapitest.Fault{Method: "POST", Path: assemblePath, Delay: slowReply})
			},
			wantErr: []string{"assemble", "context deadline exceeded", "ran out of time"},
			check: func(t *testing.T, e *faultEnv, _ *upload.Result, err error) {
				if !errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("err = %v, want one matching context.DeadlineExceeded", err)
				}
			},
		},
		{
			name: "assemble stuck in assembling times out",
			setup: func(t *testing.T, e *faultEnv) {
				e.srv.StallAssemble(sentryapitest.AssembleStall{Polls: 1 << 20})
				e.opts.WaitTimeout = 45 * time.Second
			},
			wantErr: []string{"waiting for Sentry to assemble the bundle", `still "assembling" after 45s`, "--wait-timeout"},
			check: func(t *testing.T, e *faultEnv, _ *upload.Result, _ error) {
				var sum time.Duration
				for _, w := range e.uploadClock.Waits() {
					sum += w
				}
				if sum < 45*time.Second || sum > 47*time.Second {
					t.Errorf("polled for %s, want the 45s wait timeout", sum)
				}
			},
		},
		{
			name: "assemble assembling then error",
			setup: func(t *testing.T, e *faultEnv) {
				e.srv.StallAssemble(sentryapitest.AssembleStall{Polls: 4, Detail: "Assembling the bundle failed: worker lost"})
			},
			wantErr: []string{"Sentry could not process the bundle", "Assembling the bundle failed: worker lost", "retry the upload"},
			check: func(t *testing.T, e *faultEnv, _ *upload.Result, _ error) {
				if n := len(e.uploadClock.Waits()); n < 4 {
					t.Errorf("polled %d times, want at least the 4 stalled answers", n)
				}
			},
		},
		{
			name: "assemble error with the server's detail",
			setup: func(t *testing.T, e *faultEnv) {
				e.srv.StallAssemble(sentryapitest.AssembleStall{Detail: "File exceeds maximum size (1048576 > 1000)"})
			},
			wantErr: []string{"Sentry could not process the bundle", "File exceeds maximum size (1048576 > 1000)", "releasegate sourcemaps validate"},
		},
		{
			name: "server losing chunks once: they are sent again",
			setup: func(t *testing.T, e *faultEnv) {
				// A 200 without storing: the chunks of that request are lost.
				e.srv.InjectFault(sentryapitest.Fault{Method: "POST", Path: chunkPath, Times: 2, Status: http.StatusOK})
			},
			wantOK: true,
		},
		{
			name: "server losing chunks every time fails",
			setup: func(t *testing.T, e *faultEnv) {
				e.srv.InjectFault(sentryapitest.Fault{Method: "POST", Path: chunkPath, Status: http.StatusOK})
			},
			wantErr: []string{"Sentry lost uploaded chunks", "still lacks 4 chunks of the bundle", "retry the upload"},
			check: func(t *testing.T, e *faultEnv, _ *upload.Result, _ error) {
				if len(e.srv.Bundles()) != 0 {
					t.Error("the server assembled a bundle from chunks it does not have")
				}
			},
		},
	}
	files := faultFiles(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			runFaultCase(t, tc, files)
		})
	}
}

func runFaultCase(t *testing.T, tc faultCase, files []sourcemaps.BundleFile) {
	so := sentryapitest.Options{
		Chunk:         sentryapitest.ChunkOptions{ChunkSize: faultChunkSize, ChunksPerRequest: 2, MaxRequestSize: 2 * faultChunkSize, Concurrency: 4},
		AssemblePolls: 1,
	}
	if tc.server != nil {
		tc.server(&so)
	}
	srv := sentryapitest.Start(t, so)
	e := &faultEnv{srv: srv, clientClock: newFakeClock(), uploadClock: newFakeClock(), files: files}
	co := sentryapi.Options{BaseURL: srv.URL(), Token: srv.Token(), Sleep: e.clientClock.Sleep, Now: e.clientClock.Now}
	if tc.client != nil {
		tc.client(&co)
	}
	client, err := sentryapi.New(co)
	if err != nil {
		t.Fatal(err)
	}
	e.client = client
	e.opts = upload.Options{Org: "acme", Projects: []string{"web"}, Release: "web@1.0.0", TempDir: t.TempDir(),
		Sleep: e.uploadClock.Sleep, Now: e.uploadClock.Now}
	if tc.setup != nil {
		tc.setup(t, e)
	}

	// A hang is a failure too: nothing here may take long.
	limit := 20 * time.Second
	if tc.ctxTimeout > 0 {
		limit = tc.ctxTimeout
	}
	ctx, cancel := context.WithTimeout(t.Context(), limit)
	defer cancel()
	start := time.Now()
	res, err := upload.Upload(ctx, client, files, e.opts)
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("the upload took %s", el)
	}
	srv.ClearFaults()

	if tc.wantOK {
		if err != nil {
			t.Fatalf("upload failed: %v", err)
		}
		checkAccepted(t, e, res)
	} else {
		if err == nil {
			t.Fatalf("upload succeeded (%+v); want an error saying %q", res, tc.wantErr)
		}
		if res != nil {
			t.Errorf("a failed upload returned a result: %+v", res)
		}
		var ue *upload.Error
		if !errors.As(err, &ue) {
			t.Errorf("err is %T, want an *upload.Error", err)
		}
		for _, s := range tc.wantErr {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("error does not say %q:\n%v", s, err)
			}
		}
		t.Logf("error: %v", err)
		if strings.Contains(err.Error(), srv.Token()) {
			t.Errorf("error shows the token: %v", err)
		}
	}
	if tc.check != nil {
		tc.check(t, e, res, err)
	}
}

// checkAccepted verifies a successful upload against the server: one bundle, exactly the files
// sent with their content, for the release and project asked for, and "ok" when asked again.
func checkAccepted(t *testing.T, e *faultEnv, res *upload.Result) {
	t.Helper()
	if res == nil || len(res.Bundles) != 1 {
		t.Fatalf("result %+v, want one bundle", res)
	}
	bundles := e.srv.Bundles()
	if len(bundles) != 1 || bundles[0].Checksum != res.Bundles[0].Checksum {
		t.Fatalf("the server holds %d bundles; want the one uploaded (%s)", len(bundles), res.Bundles[0].Checksum)
	}
	b := bundles[0]
	if b.Release != "web@1.0.0" || !slices.Equal(b.Projects, []string{"web"}) {
		t.Errorf("bundle for release %q projects %v", b.Release, b.Projects)
	}
	want := map[string][]byte{}
	for _, f := range e.files {
		want[f.URL] = f.Content
	}
	if got := slices.Sorted(maps.Keys(b.Files)); !slices.Equal(got, slices.Sorted(maps.Keys(want))) {
		t.Fatalf("the bundle holds %v\nwant %v", got, slices.Sorted(maps.Keys(want)))
	}
	for url, f := range b.Files {
		if !bytes.Equal(f.Content, want[url]) {
			t.Errorf("%s: the server's copy differs from the file sent", url)
		}
	}
	if res.Chunks.Total < 4 {
		t.Errorf("the bundle was %d chunks; the faults need several", res.Chunks.Total)
	}

	// Ask the server directly: the bundle must be assembled, not merely stored.
	var chunks []string
	for data := b.Raw; len(data) > 0; {
		n := min(len(data), faultChunkSize)
		sum := sha1.Sum(data[:n])
		chunks = append(chunks, hex.EncodeToString(sum[:]))
		data = data[n:]
	}
	ar, err := e.client.AssembleArtifactBundle(context.Background(), "acme",
		sentryapi.AssembleRequest{Checksum: b.Checksum, Chunks: chunks, Projects: []string{"web"}, Version: "web@1.0.0"})
	if err != nil || ar.State != sentryapi.AssembleOK {
		t.Errorf("the server reports the bundle as %+v (%v), want ok", ar, err)
	}
}

// countFaults counts the requests to path that got the fault described as fault.
// countFaults counts the requests that got a fault. The server records a request whose
// connection it cut only after the cut, which can be after the client has already retried and
// finished: so a count that has not reached a settled value yet is given a moment.
func countFaults(srv *sentryapitest.Server, path, fault string) int {
	count := func() int {
		n := 0
		for _, r := range srv.Requests() {
			if r.Path == path && r.Fault == fault {
				n++
			}
		}
		return n
	}
	n := count()
	for deadline := time.Now().Add(2 * time.Second); n == 0 && time.Now().Before(deadline); n = count() {
		time.Sleep(10 * time.Millisecond)
	}
	return n
}
