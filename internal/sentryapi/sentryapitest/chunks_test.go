package sentryapitest

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"slices"
	"testing"
)

// The chunk-upload and assemble endpoints are not in Sentry's API description; these tests
// check them against the protocol reference (sourcemaps-protocol.md §3).

func sha1hex(b []byte) string {
	s := sha1.Sum(b)
	return hex.EncodeToString(s[:])
}

type testFile struct {
	url, typ string
	headers  map[string]string
	content  string
}

// makeBundle writes an artifact bundle as sentry-cli does: SYSB header, a zip with absolute
// offsets, files under files/, manifest.json last.
func makeBundle(t *testing.T, attrs map[string]string, files []testFile, header bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	if header {
		buf.Write(bundleHeader)
	}
	zw := zip.NewWriter(&buf)
	zw.SetOffset(int64(buf.Len()))
	manifest := map[string]any{}
	for k, v := range attrs {
		manifest[k] = v
	}
	entries := map[string]any{}
	for i, f := range files {
		path := "files/_/_/" + string(rune('a'+i)) + ".js"
		w, err := zw.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(f.content))
		e := map[string]any{"type": f.typ, "url": f.url}
		if f.headers != nil {
			e["headers"] = f.headers
		}
		entries[path] = e
	}
	manifest["files"] = entries
	w, _ := zw.Create("manifest.json")
	json.NewEncoder(w).Encode(manifest)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// postChunks sends chunks as sentry-cli does (one part per chunk, named by its SHA-1).
func postChunks(t *testing.T, srv *Server, gz bool, chunks ...[]byte) reply {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, ch := range chunks {
		name := "file"
		data := ch
		if gz {
			name = "file_gzip"
			var zb bytes.Buffer
			zw := gzip.NewWriter(&zb)
			zw.Write(ch)
			zw.Close()
			data = zb.Bytes()
		}
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="`+name+`"; filename="`+sha1hex(ch)+`"`)
		h.Set("Content-Type", "application/octet-stream")
		pw, _ := mw.CreatePart(h)
		pw.Write(data)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", srv.URL()+"/api/0/organizations/acme/chunk-upload/", &body)
	req.Header.Set("Authorization", "Bearer "+srv.Token())
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	return reply{status: resp.StatusCode, header: resp.Header, body: b.Bytes()}
}

func split(b []byte, size int) [][]byte {
	var out [][]byte
	for len(b) > size {
		out = append(out, b[:size])
		b = b[size:]
	}
	return append(out, b)
}

func checksums(chunks [][]byte) []string {
	var out []string
	for _, c := range chunks {
		out = append(out, sha1hex(c))
	}
	return out
}

type assembleResp struct {
	State         string   `json:"state"`
	MissingChunks []string `json:"missingChunks"`
	Detail        *string  `json:"detail"`
}

func TestChunkUploadOptions(t *testing.T) {
	t.Parallel()
	srv := newServer(t, Options{})
	c := client(t, srv)
	var opts map[string]any
	c.get("/api/0/organizations/acme/chunk-upload/", 200, &opts)
	want := map[string]any{
		"url": srv.URL() + "/api/0/organizations/acme/chunk-upload/", "chunkSize": 8388608.0,
		"chunksPerRequest": 64.0, "maxRequestSize": 33554432.0, "maxFileSize": 2147483648.0,
		"concurrency": 8.0, "hashAlgorithm": "sha1",
	}
	for k, v := range want {
		if opts[k] != v {
			t.Errorf("%s = %v, want %v", k, opts[k], v)
		}
	}
	if _, ok := opts["maxWait"]; ok {
		t.Error("maxWait sent; Sentry does not send it")
	}
	if !slices.Equal(toStrings(opts["compression"]), []string{"gzip"}) || !slices.Contains(toStrings(opts["accept"]), "artifact_bundles_v2") {
		t.Errorf("compression %v accept %v", opts["compression"], opts["accept"])
	}

	srv2 := newServer(t, Options{Chunk: ChunkOptions{ChunkSize: 1024, ChunksPerRequest: 2, MaxRequestSize: 1500, Concurrency: 1, MaxWait: 30, Compression: []string{}}})
	client(t, srv2).get("/api/0/organizations/acme/chunk-upload/", 200, &opts)
	if opts["chunkSize"] != 1024.0 || opts["chunksPerRequest"] != 2.0 || opts["maxWait"] != 30.0 || len(opts["compression"].([]any)) != 0 {
		t.Errorf("configured options = %v", opts)
	}
	client(t, srv2).get("/api/0/organizations/nope/chunk-upload/", 404, nil)
}

func TestChunkUpload(t *testing.T) {
	t.Parallel()
	srv := newServer(t, Options{Chunk: ChunkOptions{ChunkSize: 1024, ChunksPerRequest: 3, MaxRequestSize: 2500}})
	a, b := bytes.Repeat([]byte("a"), 1024), bytes.Repeat([]byte("b"), 700)
	if r := postChunks(t, srv, true, a, b); r.status != 200 || len(r.body) != 0 {
		t.Fatalf("upload: %d %s", r.status, r.body)
	}
	if r := postChunks(t, srv, false, []byte("plain")); r.status != 200 {
		t.Fatalf("plain upload: %d %s", r.status, r.body)
	}
	if got := srv.Chunks("acme"); !slices.Equal(got, slices.Sorted(slices.Values([]string{sha1hex(a), sha1hex(b), sha1hex([]byte("plain"))}))) {
		t.Errorf("chunks = %v", got)
	}
	if r := postChunks(t, srv, true); r.status != 200 {
		t.Errorf("no chunks: %d", r.status)
	}
	for _, tc := range []struct {
		chunks [][]byte
		msg    string
	}{
		{[][]byte{[]byte("1"), []byte("2"), []byte("3"), []byte("4")}, "Too many chunks"},
		{[][]byte{a, a, b}, "Request too large"},
		{[][]byte{append(slices.Clone(a), 'x')}, "Chunk size too large"},
	} {
		r := postChunks(t, srv, true, tc.chunks...)
		var e map[string]string
		if r.status != 400 || json.Unmarshal(r.body, &e) != nil || e["error"] != tc.msg {
			t.Errorf("%d chunks: %d %s, want 400 %q", len(tc.chunks), r.status, r.body, tc.msg)
		}
	}
	// A part whose name is not the SHA-1 of its content is refused.
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	pw, _ := mw.CreateFormFile("file", sha1hex([]byte("other")))
	pw.Write([]byte("content"))
	mw.Close()
	req, _ := http.NewRequest("POST", srv.URL()+"/api/0/organizations/acme/chunk-upload/", &body)
	req.Header.Set("Authorization", "Bearer "+srv.Token())
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Errorf("checksum mismatch: %d", resp.StatusCode)
	}
}

func TestAssemble(t *testing.T) {
	t.Parallel()
	srv := newServer(t, Options{AssemblePolls: 2, Chunk: ChunkOptions{ChunkSize: 256}})
	c := client(t, srv)
	files := []testFile{
		{url: "~/app.js", typ: "minified_source", headers: map[string]string{"debug-id": "a9f9a996-4e6c-5119-b8b8-e64559a6554c", "Sourcemap": "app.js.map"}, content: "console.log(1)\n//# debugId=a9f9a996-4e6c-5119-b8b8-e64559a6554c\n"},
		{url: "~/app.js.map", typ: "source_map", headers: map[string]string{"debug-id": "a9f9a996-4e6c-5119-b8b8-e64559a6554c"}, content: `{"version":3,"sources":["a.ts"],"names":[],"mappings":"AAAA","debugId":"a9f9a996-4e6c-5119-b8b8-e64559a6554c"}`},
	}
	bundle := makeBundle(t, map[string]string{"debug_id": "7c61d506-b4b8-5216-864b-cbc5321ba60b", "org": "acme", "project": "web"}, files, true)
	chunks := split(bundle, 256)
	req := map[string]any{"checksum": sha1hex(bundle), "chunks": checksums(chunks), "projects": []string{"web"}, "version": "1.0.0", "dist": "web"}
	path := "/api/0/organizations/acme/artifactbundle/assemble/"

	var ar assembleResp
	c.send("POST", path, req, 200, &ar)
	if ar.State != "not_found" || !slices.Equal(ar.MissingChunks, checksums(chunks)) {
		t.Fatalf("pre-flight = %+v", ar)
	}
	postChunks(t, srv, true, chunks[0])
	c.send("POST", path, req, 200, &ar)
	if ar.State != "not_found" || !slices.Equal(ar.MissingChunks, checksums(chunks)[1:]) {
		t.Fatalf("after one chunk = %+v", ar)
	}
	postChunks(t, srv, true, chunks[1:]...)
	var states []string
	for range 4 {
		c.send("POST", path, req, 200, &ar)
		states = append(states, ar.State)
	}
	if !slices.Equal(states, []string{"created", "assembling", "assembling", "ok"}) || ar.Detail != nil {
		t.Errorf("states = %v (detail %v)", states, ar.Detail)
	}
	bundles := srv.Bundles()
	if len(bundles) != 1 {
		t.Fatalf("%d bundles", len(bundles))
	}
	b := bundles[0]
	if b.ID != "7c61d506-b4b8-5216-864b-cbc5321ba60b" || b.Release != "1.0.0" || b.Dist != "web" || !slices.Equal(b.Projects, []string{"web"}) || !bytes.Equal(b.Raw, bundle) {
		t.Errorf("bundle = %s %s %s %v", b.ID, b.Release, b.Dist, b.Projects)
	}
	js := b.Files["~/app.js"]
	if js.Type != "minified_source" || js.DebugID() != "a9f9a996-4e6c-5119-b8b8-e64559a6554c" || js.Headers["sourcemap"] != "app.js.map" || string(js.Content) != files[0].content {
		t.Errorf("app.js = %+v", js)
	}

	// Re-uploading the same bundle ID replaces it.
	files[0].content = "console.log(2)\n"
	bundle2 := makeBundle(t, map[string]string{"debug_id": "7c61d506-b4b8-5216-864b-cbc5321ba60b", "org": "acme"}, files, true)
	upload := func(bundle []byte, extra map[string]any) assembleResp {
		t.Helper()
		chunks := split(bundle, 256)
		postChunks(t, srv, true, chunks...)
		req := map[string]any{"checksum": sha1hex(bundle), "chunks": checksums(chunks), "projects": []string{"web"}}
		for k, v := range extra {
			req[k] = v
		}
		var ar assembleResp
		for range 4 {
			c.send("POST", path, req, 200, &ar)
		}
		return ar
	}
	if ar := upload(bundle2, nil); ar.State != "ok" {
		t.Fatalf("second upload: %+v", ar)
	}
	if bundles := srv.Bundles(); len(bundles) != 1 || string(bundles[0].Files["~/app.js"].Content) != "console.log(2)\n" || bundles[0].Release != "" {
		t.Errorf("after replacing: %d bundles", len(bundles))
	}

	// Bundles Sentry refuses end in "error" with its detail.
	noIDs := []testFile{{url: "~/x.js", typ: "minified_source", content: "x"}}
	for _, tc := range []struct {
		name   string
		bundle []byte
		detail string
	}{
		{"no header", makeBundle(t, nil, files, false), "the bundle is invalid: it does not start with the SYSB header, so Symbolicator cannot open it"},
		{"not a zip", append(slices.Clone(bundleHeader), "garbage"...), "the bundle is invalid"},
		{"no debug ids, no release", makeBundle(t, nil, noIDs, true), "uploading a bundle without debug ids or release is prohibited"},
	} {
		ar := upload(tc.bundle, nil)
		if ar.State != "error" || ar.Detail == nil || *ar.Detail != tc.detail {
			t.Errorf("%s: %+v", tc.name, ar)
		}
	}
	// Without debug IDs a release is enough.
	if ar := upload(makeBundle(t, map[string]string{"release": "2.0"}, noIDs, true), nil); ar.State != "ok" {
		t.Errorf("release-only bundle: %+v", ar)
	}
	// A wrong checksum is an assembly error.
	good := split(bundle, 256)
	c.send("POST", path, map[string]any{"checksum": sha1hex([]byte("something else")), "chunks": checksums(good), "projects": []string{"web"}}, 200, &ar)
	c.send("POST", path, map[string]any{"checksum": sha1hex([]byte("something else")), "chunks": checksums(good), "projects": []string{"web"}}, 200, &ar)
	for ar.State == "assembling" {
		c.send("POST", path, map[string]any{"checksum": sha1hex([]byte("something else")), "chunks": checksums(good), "projects": []string{"web"}}, 200, &ar)
	}
	if ar.State != "error" || *ar.Detail != "Reported checksum mismatch" {
		t.Errorf("checksum mismatch: %+v", ar)
	}

	// Request validation answers 400 {"error": ...}.
	sum := sha1hex(bundle)
	for _, tc := range []struct {
		body map[string]any
		msg  string
	}{
		{map[string]any{"checksum": sum, "chunks": []string{}}, "'projects' is a required property"},
		{map[string]any{"checksum": sum, "chunks": []string{}, "projects": []string{"web"}, "extra": 1}, "Additional properties are not allowed ('extra' was unexpected)"},
		{map[string]any{"checksum": "XYZ", "chunks": []string{}, "projects": []string{"web"}}, "'XYZ' does not match '^[0-9a-f]{40}$'"},
		{map[string]any{"checksum": sum, "chunks": []string{}, "projects": []string{}}, "[] is too short"},
		{map[string]any{"checksum": sum, "chunks": []string{}, "projects": []string{"nope"}}, "One or more projects are invalid"},
		{map[string]any{"checksum": sum, "chunks": []string{}, "projects": []string{"web"}, "dist": "x"}, "You need to specify a release together with a dist"},
		{map[string]any{"checksum": sum, "chunks": []string{}, "projects": []string{"web"}, "version": "a/b"}, "'a/b' does not match '^[^/]+$'"},
	} {
		var e map[string]string
		c.send("POST", path, tc.body, 400, &e)
		if e["error"] != tc.msg {
			t.Errorf("%v: %q, want %q", tc.body, e["error"], tc.msg)
		}
	}
	c.send("POST", path, map[string]any{"checksum": sha1hex([]byte("nothing")), "chunks": []string{}, "projects": []string{"web"}}, 200, &ar)
	if ar.State != "not_found" || len(ar.MissingChunks) != 0 {
		t.Errorf("no chunks: %+v", ar)
	}
}

func TestAssembleStall(t *testing.T) {
	t.Parallel()
	srv := newServer(t, Options{})
	c := client(t, srv)
	srv.StallAssemble(AssembleStall{Polls: 3, Detail: "Internal error while assembling"})
	bundle := makeBundle(t, map[string]string{"release": "1"}, []testFile{{url: "~/x.js", typ: "minified_source", content: "x"}}, true)
	postChunks(t, srv, false, bundle)
	req := map[string]any{"checksum": sha1hex(bundle), "chunks": []string{sha1hex(bundle)}, "projects": []string{"web"}}
	var states []string
	var ar assembleResp
	for range 6 {
		c.send("POST", "/api/0/organizations/acme/artifactbundle/assemble/", req, 200, &ar)
		states = append(states, ar.State)
	}
	if !slices.Equal(states, []string{"created", "assembling", "assembling", "assembling", "error", "error"}) || *ar.Detail != "Internal error while assembling" {
		t.Errorf("states = %v, detail %v", states, ar.Detail)
	}
}

// The legacy release-bundle upload: the bundle's files become release files.
func TestAssembleReleaseBundle(t *testing.T) {
	t.Parallel()
	srv := newServer(t, Options{})
	c := client(t, srv)
	c.send("POST", "/api/0/organizations/acme/releases/", map[string]any{"version": "web@1.0", "projects": []string{"web"}}, 201, nil)
	files := []testFile{
		{url: "~/app.js", typ: "minified_source", headers: map[string]string{"Sourcemap": "app.js.map"}, content: "console.log(1)\n"},
		{url: "~/app.js.map", typ: "source_map", content: `{"version":3}`},
	}
	upload := func(version string, attrs map[string]string) (int, assembleResp) {
		t.Helper()
		bundle := makeBundle(t, attrs, files, true)
		postChunks(t, srv, true, bundle)
		req := map[string]any{"checksum": sha1hex(bundle), "chunks": []string{sha1hex(bundle)}}
		var ar assembleResp
		var r reply
		for range 2 {
			r = c.do("POST", "/api/0/organizations/acme/releases/"+version+"/assemble/", req)
			if r.status != 200 {
				return r.status, ar
			}
			json.Unmarshal(r.body, &ar)
		}
		return r.status, ar
	}
	if status, ar := upload("web@1.0", map[string]string{"org": "acme", "release": "web@1.0", "dist": "web"}); status != 200 || ar.State != "ok" {
		t.Fatalf("release bundle: %d %+v", status, ar)
	}
	var list []map[string]any
	c.get("/api/0/organizations/acme/releases/web@1.0/files/", 200, &list)
	if len(list) != 2 || list[0]["name"] != "~/app.js" || list[0]["dist"] != "web" || list[0]["headers"].(map[string]any)["sourcemap"] != "app.js.map" {
		t.Errorf("release files = %v", list)
	}
	files[0].content = "console.log(2)\n"
	if _, ar := upload("web@1.0", map[string]string{"org": "other", "release": "web@1.0"}); ar.State != "error" || *ar.Detail != "organization does not match uploaded bundle" {
		t.Errorf("wrong org: %+v", ar)
	}
	files[0].content = "console.log(3)\n"
	if _, ar := upload("web@1.0", map[string]string{"org": "acme", "release": "web@2.0"}); ar.State != "error" || *ar.Detail != "release does not match uploaded bundle" {
		t.Errorf("wrong release: %+v", ar)
	}
	if status, _ := upload("web@9.9", map[string]string{"org": "acme", "release": "web@9.9"}); status != 404 {
		t.Errorf("unknown release: %d", status)
	}
}

func TestForgetUploads(t *testing.T) {
	t.Parallel()
	srv := Start(t, Options{})
	srv.mu.Lock()
	srv.orgs[0].blobs["x"] = []byte("chunk")
	srv.orgs[0].bundles = append(srv.orgs[0].bundles, &Bundle{ID: "b"})
	srv.mu.Unlock()
	srv.ForgetUploads()
	if len(srv.Chunks("acme")) != 0 || len(srv.Bundles()) != 0 {
		t.Fatalf("chunks %v and bundles %v remain", srv.Chunks("acme"), srv.Bundles())
	}
}
