package sentryapi

import (
	"bytes"
	"compress/gzip"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// The chunk upload and assemble endpoints are not in Sentry's OpenAPI description; these tests
// pin them to the shapes of the protocol reference (§3.2–§3.5, and §9 for what sentry-cli 3.8.0
// was observed to send).

func TestChunkUploadOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body string
		want       func(*testing.T, *ChunkOptions, string)
		err        string
	}{
		{
			name: "sentry.io answer",
			body: `{"url":"https://us.sentry.io/api/0/organizations/acme/chunk-upload/","chunkSize":8388608,"chunksPerRequest":64,
				"maxFileSize":2147483648,"maxRequestSize":33554432,"concurrency":8,"hashAlgorithm":"sha1","compression":["gzip"],
				"accept":["debug_files","release_files","pdbs","sources","bcsymbolmaps","il2cpp","portablepdbs","artifact_bundles","artifact_bundles_v2","proguard"]}`,
			want: func(t *testing.T, o *ChunkOptions, _ string) {
				if o.URL != "https://us.sentry.io/api/0/organizations/acme/chunk-upload/" || o.ChunkSize != 8<<20 || o.ChunksPerRequest != 64 ||
					o.MaxRequestSize != 32<<20 || o.MaxFileSize != 2<<30 || o.Concurrency != 8 || !o.Gzip() || !o.Accepts("artifact_bundles_v2") || o.Accepts("nope") {
					t.Errorf("options = %+v", o)
				}
			},
		},
		{
			name: "relative url and missing limits",
			body: `{"url":"organizations/acme/chunk-upload/","chunkSize":1024,"hashAlgorithm":"sha1"}`,
			want: func(t *testing.T, o *ChunkOptions, base string) {
				if o.ChunksPerRequest != 64 || o.MaxRequestSize != 32<<20 || o.Concurrency != 1 || o.Gzip() {
					t.Errorf("defaults not applied: %+v", o)
				}
			},
		},
		{name: "other hash", body: `{"url":"x/","chunkSize":1,"hashAlgorithm":"sha256"}`, err: "sha256"},
		{name: "no url", body: `{"chunkSize":1}`, err: "no upload url"},
		{name: "no chunk size", body: `{"url":"x/"}`, err: "chunkSize"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// Named sentry.io, so that the answer's region host is one of its own.
			f := newNamedFake(t, "sentry.io")
			f.reply("GET", "/api/0/organizations/acme/chunk-upload/", 200, []byte(tc.body))
			o, err := f.client(t, func(o *Options) { o.HTTPClient = namedHostClient() }).ChunkUploadOptions(t.Context(), "acme")
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.want(t, o, f.baseURL())
		})
	}
}

func TestChunkUploadOptionsNotFound(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.reply("GET", "/api/0/organizations/nope/chunk-upload/", 404, []byte(`{"detail":"The requested resource does not exist"}`))
	_, err := f.client(t).ChunkUploadOptions(t.Context(), "nope")
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), `organization slug "nope"`) {
		t.Fatalf("err = %v", err)
	}
}

// chunkPart is one part of a chunk upload as the server sees it.
type chunkPart struct {
	field, filename, contentType string
	data                         []byte // decompressed
}

// readChunkParts parses a chunk upload as Sentry's chunk endpoint does (file and file_gzip
// lists, the file name as checksum), failing on anything else.
func readChunkParts(t *testing.T, r *http.Request) []chunkPart {
	t.Helper()
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		t.Errorf("Content-Type = %q", r.Header.Get("Content-Type"))
		return nil
	}
	if r.ContentLength <= 0 || len(r.TransferEncoding) > 0 {
		t.Errorf("Content-Length %d, Transfer-Encoding %q: want a body with a known length", r.ContentLength, r.TransferEncoding)
	}
	mr := multipart.NewReader(r.Body, params["boundary"])
	var parts []chunkPart
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return parts
		}
		if err != nil {
			t.Errorf("multipart: %v", err)
			return parts
		}
		raw, _ := io.ReadAll(p)
		cp := chunkPart{field: p.FormName(), filename: p.FileName(), contentType: p.Header.Get("Content-Type"), data: raw}
		switch cp.field {
		case "file_gzip":
			zr, err := gzip.NewReader(bytes.NewReader(raw))
			if err != nil {
				t.Errorf("part %s: not gzip: %v", cp.filename, err)
				continue
			}
			cp.data, err = io.ReadAll(zr)
			if err != nil {
				t.Errorf("part %s: gunzip: %v", cp.filename, err)
			}
		case "file":
		default:
			t.Errorf("unexpected multipart field %q", cp.field)
		}
		parts = append(parts, cp)
	}
}

func sha1Hex(b []byte) string {
	s := sha1.Sum(b)
	return hex.EncodeToString(s[:])
}

func TestUploadChunks(t *testing.T) {
	t.Parallel()
	data := [][]byte{bytes.Repeat([]byte("SYSB\x02\x00\x00\x00zip bytes "), 500), []byte("the short last chunk")}
	chunks := []Chunk{NewChunk(data[0]), NewChunk(data[1])}
	tests := []struct {
		name        string
		compression []string
		field       string
		absolute    bool // the options' url is an absolute URL on another host
	}{
		{"gzip, relative url", []string{"gzip"}, "file_gzip", false},
		{"no compression, relative url", nil, "file", false},
		{"unknown compression only", []string{"zstd"}, "file", false},
		{"gzip, absolute url on a region host", []string{"gzip"}, "file_gzip", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newNamedFake(t, "sentry.example.com")
			upload := f
			opts := &ChunkOptions{URL: "organizations/acme/chunk-upload/", ChunkSize: 8 << 20, ChunksPerRequest: 64, MaxRequestSize: 32 << 20, Compression: tc.compression}
			if tc.absolute {
				upload = newNamedFake(t, "us.sentry.example.com") // a region host of the same Sentry
				opts.URL = upload.baseURL() + "api/0/organizations/acme/chunk-upload/"
			}
			var parts []chunkPart
			upload.handle("POST", "/api/0/organizations/acme/chunk-upload/", func(w http.ResponseWriter, r *http.Request) {
				parts = readChunkParts(t, r)
				w.WriteHeader(200) // Sentry answers 200 with an empty body
			})
			if err := f.client(t, func(o *Options) { o.HTTPClient = namedHostClient() }).UploadChunks(t.Context(), opts, chunks); err != nil {
				t.Fatal(err)
			}
			if len(parts) != 2 {
				t.Fatalf("%d parts, want 2", len(parts))
			}
			for i, p := range parts {
				if p.field != tc.field || p.filename != sha1Hex(data[i]) || p.contentType != "application/octet-stream" || !bytes.Equal(p.data, data[i]) {
					t.Errorf("part %d: field %q filename %q type %q, %d bytes", i, p.field, p.filename, p.contentType, len(p.data))
				}
			}
			// The fake already checked the bearer token and user agent on whichever host it was.
		})
	}
}

// TestUploadChunksRetried checks that a failed chunk POST is sent again with the same body.
func TestUploadChunksRetried(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	var (
		mu     sync.Mutex
		bodies [][]byte
	)
	f.handle("POST", "/api/0/organizations/acme/chunk-upload/", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, b)
		n := len(bodies)
		mu.Unlock()
		if n < 3 {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		w.WriteHeader(200)
	})
	opts := &ChunkOptions{URL: "organizations/acme/chunk-upload/", ChunkSize: 1 << 20, Compression: []string{"gzip"}}
	if err := f.client(t).UploadChunks(t.Context(), opts, []Chunk{NewChunk([]byte("hello chunk"))}); err != nil {
		t.Fatal(err)
	}
	if len(bodies) != 3 {
		t.Fatalf("%d attempts, want 3", len(bodies))
	}
	if !bytes.Equal(bodies[0], bodies[2]) || len(bodies[0]) == 0 {
		t.Error("the retried body differs from the first")
	}
}

func TestAssembleArtifactBundle(t *testing.T) {
	t.Parallel()
	sum := sha1Hex([]byte("bundle"))
	c1, c2 := sha1Hex([]byte("c1")), sha1Hex([]byte("c2"))
	tests := []struct {
		name     string
		req      AssembleRequest
		wantBody string // exact bytes: sentry-cli's key order, no other keys
		answer   string
		check    func(*testing.T, *AssembleResponse)
	}{
		{
			name:     "release and dist, chunks missing",
			req:      AssembleRequest{Checksum: sum, Chunks: []string{c1, c2}, Projects: []string{"web"}, Version: "1.0.0", Dist: "web"},
			wantBody: `{"checksum":"` + sum + `","chunks":["` + c1 + `","` + c2 + `"],"projects":["web"],"version":"1.0.0","dist":"web"}`,
			answer:   `{"state":"not_found","missingChunks":["` + c2 + `"]}`,
			check: func(t *testing.T, r *AssembleResponse) {
				if r.State != AssembleNotFound || len(r.MissingChunks) != 1 || r.MissingChunks[0] != c2 {
					t.Errorf("response = %+v", r)
				}
			},
		},
		{
			name:     "no release: version and dist left out",
			req:      AssembleRequest{Checksum: sum, Chunks: []string{c1}, Projects: []string{"web", "api"}},
			wantBody: `{"checksum":"` + sum + `","chunks":["` + c1 + `"],"projects":["web","api"]}`,
			answer:   `{"state":"ok","missingChunks":[],"detail":null}`,
			check: func(t *testing.T, r *AssembleResponse) {
				if r.State != AssembleOK || r.Detail != "" {
					t.Errorf("response = %+v", r)
				}
			},
		},
		{
			name:     "empty chunk list is [] not null",
			req:      AssembleRequest{Checksum: sum, Projects: []string{"web"}},
			wantBody: `{"checksum":"` + sum + `","chunks":[],"projects":["web"]}`,
			answer:   `{"state":"not_found","missingChunks":[]}`,
		},
		{
			name:     "assembly failed",
			req:      AssembleRequest{Checksum: sum, Chunks: []string{c1}, Projects: []string{"web"}, Version: "1.0.0"},
			wantBody: `{"checksum":"` + sum + `","chunks":["` + c1 + `"],"projects":["web"],"version":"1.0.0"}`,
			answer:   `{"state":"error","missingChunks":[],"detail":"Invalid bundle: missing manifest"}`,
			check: func(t *testing.T, r *AssembleResponse) {
				if r.State != AssembleError || r.Detail != "Invalid bundle: missing manifest" {
					t.Errorf("response = %+v", r)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t)
			f.reply("POST", "/api/0/organizations/acme/artifactbundle/assemble/", 200, []byte(tc.answer))
			r, err := f.client(t).AssembleArtifactBundle(t.Context(), "acme", tc.req)
			if err != nil {
				t.Fatal(err)
			}
			req := f.recorded()[0]
			if string(req.Body) != tc.wantBody {
				t.Errorf("body = %s\nwant   %s", req.Body, tc.wantBody)
			}
			if req.Header.Get("Content-Type") != "application/json" {
				t.Errorf("Content-Type = %q", req.Header.Get("Content-Type"))
			}
			if tc.check != nil {
				tc.check(t, r)
			}
		})
	}
}

func TestAssembleErrors(t *testing.T) {
	t.Parallel()
	sum := sha1Hex([]byte("bundle"))
	tests := []struct {
		name, answer string
		status       int
		want         string
	}{
		{"schema error", `{"error":"Additional properties are not allowed"}`, 400, `"Additional properties are not allowed"`},
		{"invalid projects", `{"error":"One or more projects are invalid"}`, 400, "One or more projects are invalid"},
		{"no state", `{"missingChunks":[]}`, 200, "no state"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t)
			f.reply("POST", "/api/0/organizations/acme/artifactbundle/assemble/", tc.status, []byte(tc.answer))
			_, err := f.client(t).AssembleArtifactBundle(t.Context(), "acme", AssembleRequest{Checksum: sum, Projects: []string{"web"}})
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "assemble artifact bundle") {
				t.Fatalf("err = %v, want one naming the call and %q", err, tc.want)
			}
		})
	}
}

func TestAssembleRetriedOnServerError(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	n := 0
	f.handle("POST", "/api/0/organizations/acme/artifactbundle/assemble/", func(w http.ResponseWriter, r *http.Request) {
		if n++; n == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte(`{"state":"created","missingChunks":[]}`))
	})
	r, err := f.client(t).AssembleArtifactBundle(t.Context(), "acme", AssembleRequest{Checksum: sha1Hex(nil), Projects: []string{"web"}})
	if err != nil || r.State != AssembleCreated || n != 2 {
		t.Fatalf("r = %+v, err = %v, %d attempts", r, err, n)
	}
}

func TestAssembleReleaseFiles(t *testing.T) {
	t.Parallel()
	sum, c1 := sha1Hex([]byte("bundle")), sha1Hex([]byte("c1"))
	f := newFake(t)
	f.reply("POST", "/api/0/organizations/acme/releases/web@1.0%2B7/assemble/", 200, []byte(`{"state":"created","missingChunks":[]}`))
	r, err := f.client(t).AssembleReleaseFiles(t.Context(), "acme", "web@1.0+7", sum, []string{c1})
	if err != nil || r.State != AssembleCreated {
		t.Fatalf("r = %+v, err = %v", r, err)
	}
	if got, want := string(f.recorded()[0].Body), `{"checksum":"`+sum+`","chunks":["`+c1+`"]}`; got != want {
		t.Errorf("body = %s, want %s", got, want)
	}
}

// TestUploadReleaseFileForm checks the multipart fields of the legacy single-file upload.
func TestUploadReleaseFileForm(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.handle("POST", "/api/0/organizations/acme/releases/1.0/files/", func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			t.Errorf("parse form: %v", err)
		}
		fh := r.MultipartForm.File["file"]
		if len(fh) != 1 || fh[0].Filename != "app.js" {
			t.Errorf("file parts = %+v", fh)
		}
		if got := r.MultipartForm.Value; got["name"][0] != "~/static/app.js" || len(got["dist"]) != 0 ||
			strings.Join(got["header"], "|") != "Sourcemap:app.js.map|debug-id:a9f9" {
			t.Errorf("fields = %v", got)
		}
		w.WriteHeader(409)
		w.Write([]byte(`{"detail":"A file matching this name already exists for the given release"}`))
	})
	_, err := f.client(t).UploadReleaseFile(t.Context(), "acme", "", "1.0", ReleaseFile{
		Name: "~/static/app.js", Headers: map[string]string{"debug-id": "a9f9", "Sourcemap": "app.js.map"}, Data: []byte("x"),
	})
	if !errors.Is(err, ErrConflict) || !strings.Contains(err.Error(), "delete it first") {
		t.Fatalf("err = %v, want ErrConflict with a hint", err)
	}
	var ae *APIError
	if errors.As(err, &ae) && ae.Attempts != 1 {
		t.Errorf("a 409 on a create was retried (%d attempts)", ae.Attempts)
	}
}
