package upload

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/releasegate/releasegate/internal/sentryapi"
	"github.com/releasegate/releasegate/sourcemaps"
)

// fakeAPI is a scripted Sentry: it stores chunks, checks requests against the options it gave,
// and answers assemble from a list of states.
type fakeAPI struct {
	opts sentryapi.ChunkOptions
	// states are the answers to assemble calls once all chunks are present, in order; the
	// last one repeats.
	states []sentryapi.AssembleResponse

	mu         sync.Mutex
	chunks     map[string][]byte
	requests   [][]string // chunk SHA-1s per upload request
	assembles  int
	inFlight   int
	maxFlight  int
	failUpload int // fail this many upload requests first
	legacyCall bool
	releases   []string // releases created
}

func (f *fakeAPI) ChunkUploadOptions(context.Context, string) (*sentryapi.ChunkOptions, error) {
	o := f.opts
	return &o, nil
}

func (f *fakeAPI) UploadChunks(_ context.Context, o *sentryapi.ChunkOptions, cs []sentryapi.Chunk) error {
	f.mu.Lock()
	f.inFlight++
	f.maxFlight = max(f.maxFlight, f.inFlight)
	fail := f.failUpload > 0
	if fail {
		f.failUpload--
	}
	f.mu.Unlock()
	time.Sleep(2 * time.Millisecond) // let concurrent requests overlap
	f.mu.Lock()
	defer f.mu.Unlock()
	f.inFlight--
	if fail {
		return errors.New("503 Service Unavailable")
	}
	if len(cs) > o.ChunksPerRequest {
		return fmt.Errorf("%d chunks in one request", len(cs))
	}
	var total int64
	var names []string
	for _, c := range cs {
		sum := sha1.Sum(c.Data)
		if hex.EncodeToString(sum[:]) != c.SHA1 {
			return fmt.Errorf("chunk %s has the wrong data", c.SHA1)
		}
		total += int64(len(c.Data))
		f.chunks[c.SHA1] = c.Data
		names = append(names, c.SHA1)
	}
	if len(cs) > 1 && total > o.MaxRequestSize {
		return fmt.Errorf("request of %d bytes", total)
	}
	f.requests = append(f.requests, names)
	return nil
}

func (f *fakeAPI) answer(checksum string, chunks []string) *sentryapi.AssembleResponse {
	f.mu.Lock()
	defer f.mu.Unlock()
	var missing []string
	for _, c := range chunks {
		if _, ok := f.chunks[c]; !ok && !slices.Contains(missing, c) {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return &sentryapi.AssembleResponse{State: sentryapi.AssembleNotFound, MissingChunks: missing}
	}
	var whole []byte
	for _, c := range chunks {
		whole = append(whole, f.chunks[c]...)
	}
	if sum := sha1.Sum(whole); hex.EncodeToString(sum[:]) != checksum {
		return &sentryapi.AssembleResponse{State: sentryapi.AssembleError, Detail: "Reported checksum mismatch"}
	}
	if _, _, err := sourcemaps.ReadBundle(whole); err != nil {
		return &sentryapi.AssembleResponse{State: sentryapi.AssembleError, Detail: "the bundle is invalid"}
	}
	r := f.states[min(f.assembles, len(f.states)-1)]
	f.assembles++
	return &r
}

func (f *fakeAPI) AssembleArtifactBundle(_ context.Context, _ string, r sentryapi.AssembleRequest) (*sentryapi.AssembleResponse, error) {
	return f.answer(r.Checksum, r.Chunks), nil
}

func (f *fakeAPI) CreateRelease(_ context.Context, _ string, r sentryapi.NewRelease) (*sentryapi.Release, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.releases = append(f.releases, r.Version)
	return &sentryapi.Release{Version: r.Version}, true, nil
}

func (f *fakeAPI) AssembleReleaseFiles(_ context.Context, _, _, checksum string, chunks []string) (*sentryapi.AssembleResponse, error) {
	f.mu.Lock()
	f.legacyCall = true
	f.mu.Unlock()
	return f.answer(checksum, chunks), nil
}

func newFake(chunkSize int64) *fakeAPI {
	return &fakeAPI{
		opts: sentryapi.ChunkOptions{ChunkSize: chunkSize, ChunksPerRequest: 3, MaxRequestSize: 3 * chunkSize, Concurrency: 4,
			HashAlgorithm: "sha1", Compression: []string{"gzip"}, Accept: []string{"artifact_bundles", "artifact_bundles_v2", "release_files"}},
		states: []sentryapi.AssembleResponse{{State: sentryapi.AssembleOK}},
		chunks: map[string][]byte{},
	}
}

// someFiles returns n files of incompressible-ish content, about size bytes each.
func someFiles(n, size int) []sourcemaps.BundleFile {
	r := rand.New(rand.NewPCG(1, 2))
	var files []sourcemaps.BundleFile
	for i := range n {
		b := make([]byte, size)
		for j := range b {
			b[j] = byte('a' + r.IntN(26))
		}
		files = append(files, sourcemaps.BundleFile{URL: fmt.Sprintf("~/chunk-%03d.js", i), Type: sourcemaps.BundleMinifiedSource, Content: b,
			DebugID: fmt.Sprintf("00000000-0000-5000-8000-%012d", i)})
	}
	return files
}

// noSleep records the waits instead of sleeping.
type noSleep struct {
	mu    sync.Mutex
	waits []time.Duration
	now   time.Time
}

func (s *noSleep) sleep(_ context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.waits = append(s.waits, d)
	s.now = s.now.Add(d)
	return nil
}

func (s *noSleep) clock() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now
}

func opts(s *noSleep) Options {
	return Options{Org: "acme", Projects: []string{"web"}, Release: "web@1.0.0", Sleep: s.sleep, Now: s.clock, WaitTimeout: 10 * time.Second}
}

func TestUploadSendsOnlyMissingChunksWithinLimits(t *testing.T) {
	t.Parallel()
	fake := newFake(64 << 10)
	s := &noSleep{}
	res, err := Upload(t.Context(), fake, someFiles(40, 16<<10), opts(s))
	if err != nil {
		t.Fatal(err)
	}
	if res.Chunks.Total < 5 || res.Chunks.Uploaded != res.Chunks.Total {
		t.Fatalf("chunks %+v: want every chunk of a fresh bundle uploaded (and several)", res.Chunks)
	}
	for _, req := range fake.requests {
		if len(req) > 3 {
			t.Fatalf("a request carried %d chunks, over chunksPerRequest", len(req))
		}
	}
	if fake.maxFlight < 2 {
		t.Errorf("at most %d upload requests ran at once; want them concurrent", fake.maxFlight)
	}
	if len(res.Bundles) != 1 || res.Bundles[0].Files != 40 || res.Bundles[0].Bytes != res.Chunks.BytesSent {
		t.Errorf("bundles %+v", res.Bundles)
	}
	for _, ph := range []string{PhaseBundle, PhaseHash, PhaseUpload, PhaseAssemble} {
		if _, ok := res.Phases[ph]; !ok {
			t.Errorf("phase %s not timed: %v", ph, res.Phases)
		}
	}

	// The same build again: the server has every chunk, so nothing is sent.
	before := len(fake.requests)
	res2, err := Upload(t.Context(), fake, someFiles(40, 16<<10), opts(s))
	if err != nil {
		t.Fatal(err)
	}
	if res2.Chunks.Uploaded != 0 || res2.Chunks.BytesSent != 0 || len(fake.requests) != before {
		t.Fatalf("second upload sent %d chunks (%d bytes) in %d requests; want none", res2.Chunks.Uploaded, res2.Chunks.BytesSent, len(fake.requests)-before)
	}
	if res2.Bundles[0].Checksum != res.Bundles[0].Checksum {
		t.Errorf("the same files gave a different bundle")
	}
}

func TestUploadWaitsForOK(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		states  []sentryapi.AssembleResponse
		wantErr string
		polls   int
	}{
		{"ok after processing", []sentryapi.AssembleResponse{{State: "created"}, {State: "assembling"}, {State: "assembling"}, {State: "ok"}}, "", 3},
		{"error reported with the server's detail", []sentryapi.AssembleResponse{{State: "created"}, {State: "error", Detail: "File exceeds maximum size"}}, "File exceeds maximum size", 1},
		// Polls back off 0.1, 0.2, 0.4, 0.8 s, then every second: 13 waits pass 10 s.
		{"stuck assembling times out", []sentryapi.AssembleResponse{{State: "assembling"}}, `still "assembling" after 10s`, 13},
		{"error without detail", []sentryapi.AssembleResponse{{State: "created"}, {State: "error"}}, "the server gave no reason", 1},
		{"ok with chunks missing is not success", []sentryapi.AssembleResponse{{State: "ok", MissingChunks: []string{"0000000000000000000000000000000000000000"}}}, `state "ok", yet the answer lists 1 chunk of the bundle as missing`, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := newFake(64 << 10)
			fake.states = tt.states
			s := &noSleep{}
			_, err := Upload(t.Context(), fake, someFiles(3, 1000), opts(s))
			if tt.wantErr == "" && err != nil {
				t.Fatal(err)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("err = %v, want one saying %q", err, tt.wantErr)
			}
			if len(s.waits) != tt.polls {
				t.Errorf("polled after %d waits, want %d", len(s.waits), tt.polls)
			}
			if len(s.waits) > 0 && (s.waits[0] != 100*time.Millisecond || s.waits[len(s.waits)-1] > time.Second) {
				t.Errorf("waits %v: want a first poll after 100ms and none longer than the 1s interval", s.waits)
			}
		})
	}
}

func TestUploadFailuresSayWhatToDo(t *testing.T) {
	t.Parallel()
	fake := newFake(64 << 10)
	fake.failUpload = 100
	s := &noSleep{}
	_, err := Upload(t.Context(), fake, someFiles(10, 20<<10), opts(s))
	var ue *Error
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "503") || !strings.Contains(err.Error(), "retry") {
		t.Fatalf("err = %v, want an upload error saying what failed and to retry", err)
	}
	if _, err := Upload(t.Context(), fake, nil, Options{Projects: []string{"p"}}); err == nil || !strings.Contains(err.Error(), "--org") {
		t.Fatalf("err = %v, want a missing-org error naming --org", err)
	}
}

// refuseAPI fails the test on any call: nothing may reach Sentry.
type refuseAPI struct{ t *testing.T }

func (r refuseAPI) fail(call string) { r.t.Helper(); r.t.Errorf("%s was called", call) }
func (r refuseAPI) ChunkUploadOptions(context.Context, string) (*sentryapi.ChunkOptions, error) {
	r.fail("ChunkUploadOptions")
	return nil, errors.New("refused")
}
func (r refuseAPI) UploadChunks(context.Context, *sentryapi.ChunkOptions, []sentryapi.Chunk) error {
	r.fail("UploadChunks")
	return errors.New("refused")
}
func (r refuseAPI) AssembleArtifactBundle(context.Context, string, sentryapi.AssembleRequest) (*sentryapi.AssembleResponse, error) {
	r.fail("AssembleArtifactBundle")
	return nil, errors.New("refused")
}
func (r refuseAPI) AssembleReleaseFiles(context.Context, string, string, string, []string) (*sentryapi.AssembleResponse, error) {
	r.fail("AssembleReleaseFiles")
	return nil, errors.New("refused")
}
func (r refuseAPI) CreateRelease(context.Context, string, sentryapi.NewRelease) (*sentryapi.Release, bool, error) {
	r.fail("CreateRelease")
	return nil, false, errors.New("refused")
}

// TestUploadNothing: an empty file list is an error before any call, never an empty bundle
// reported as uploaded.
func TestUploadNothing(t *testing.T) {
	t.Parallel()
	res, err := Upload(t.Context(), refuseAPI{t}, nil, Options{Org: "o", Projects: []string{"p"}})
	if !errors.Is(err, ErrNothingToUpload) || res != nil {
		t.Fatalf("res %v, err %v; want ErrNothingToUpload", res, err)
	}
}

func TestUploadLegacyReleaseFiles(t *testing.T) {
	t.Parallel()
	fake := newFake(64 << 10)
	fake.opts.Accept = []string{"debug_files", "release_files"}
	s := &noSleep{}
	res, err := Upload(t.Context(), fake, someFiles(2, 100), opts(s))
	if err != nil {
		t.Fatal(err)
	}
	if !res.Legacy || !fake.legacyCall || !slices.Equal(fake.releases, []string{"web@1.0.0"}) {
		t.Fatalf("a server without artifact bundles must get release files in a release created first (legacy %v, call %v, releases %v)", res.Legacy, fake.legacyCall, fake.releases)
	}
	o := opts(s)
	o.Release = ""
	if _, err := Upload(t.Context(), fake, someFiles(2, 100), o); err == nil || !strings.Contains(err.Error(), "--release") {
		t.Fatalf("err = %v, want one asking for --release", err)
	}
}

func TestChunkHasher(t *testing.T) {
	t.Parallel()
	var sink strings.Builder
	h := newChunkHasher(&sink, 10, time.Now)
	data := []byte("0123456789abcdefghij0123")
	for _, piece := range [][]byte{data[:3], data[3:15], data[15:]} {
		h.Write(piece)
	}
	checksum, chunks, size := h.finish()
	want := func(b []byte) string { s := sha1.Sum(b); return hex.EncodeToString(s[:]) }
	if size != 24 || checksum != want(data) || !slices.Equal(chunks, []string{want(data[:10]), want(data[10:20]), want(data[20:])}) {
		t.Fatalf("got %s %v %d", checksum, chunks, size)
	}
	if sink.String() != string(data) {
		t.Fatal("data not passed through")
	}
}
