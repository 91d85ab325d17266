package sentryapitest

import (
	"archive/zip"
	"bytes"
	"cmp"
	"compress/gzip"
	"crypto/sha1"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"mime/multipart"
	"net/http"
	"regexp"
	"slices"
	"strings"
)

// Sentry's chunk-upload defaults (src/sentry/api/endpoints/chunk.py and settings).
const (
	defaultChunkSize        = 8 << 20
	defaultChunksPerRequest = 64
	defaultMaxRequestSize   = 32 << 20
	defaultMaxFileSize      = 2 << 30
	defaultConcurrency      = 8
)

var defaultAccept = []string{
	"debug_files", "release_files", "pdbs", "sources", "bcsymbolmaps", "il2cpp",
	"portablepdbs", "artifact_bundles", "artifact_bundles_v2", "proguard",
}

func (o ChunkOptions) withDefaults() ChunkOptions {
	if o.ChunkSize == 0 {
		o.ChunkSize = defaultChunkSize
	}
	if o.ChunksPerRequest == 0 {
		o.ChunksPerRequest = defaultChunksPerRequest
	}
	if o.MaxRequestSize == 0 {
		o.MaxRequestSize = defaultMaxRequestSize
	}
	if o.MaxFileSize == 0 {
		o.MaxFileSize = defaultMaxFileSize
	}
	if o.Concurrency == 0 {
		o.Concurrency = defaultConcurrency
	}
	if o.Compression == nil {
		o.Compression = []string{"gzip"}
	}
	if o.Accept == nil {
		o.Accept = defaultAccept
	}
	return o
}

// Bundle is an artifact bundle the server assembled.
type Bundle struct {
	Org string
	// ID is the bundle ID (the manifest's debug_id); a new bundle with the same ID in the
	// organization replaces this one, as in Sentry.
	ID       string
	Checksum string
	Release  string
	Dist     string
	Projects []string
	// Files are keyed by URL ("~/static/app.js").
	Files map[string]BundleFile
	// Manifest is manifest.json as uploaded.
	Manifest []byte
	// Raw is the whole assembled file, header included.
	Raw []byte
}

// DebugIDs lists the debug IDs of the bundle's files, sorted and without repeats.
func (b Bundle) DebugIDs() []string {
	var ids []string
	for _, f := range b.Files {
		if id := f.DebugID(); id != "" {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// BundleFile is one file of a bundle.
type BundleFile struct {
	Path    string // the zip entry
	URL     string
	Type    string            // "minified_source", "source_map", ...
	Headers map[string]string // lower-cased keys, as Sentry reads them
	Content []byte
}

// DebugID is the file's "debug-id" header.
func (f BundleFile) DebugID() string { return f.Headers["debug-id"] }

// AssembleStall makes the next assemble job hang: it answers "assembling" Polls more times
// than usual, then "error" with Detail (or its normal outcome when Detail is empty).
type AssembleStall struct {
	Polls  int
	Detail string
}

// StallAssemble queues a stall for the next assemble job to start.
func (s *Server) StallAssemble(st AssembleStall) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stalls = append(s.stalls, st)
}

// Bundles returns the assembled bundles of every organization, oldest first.
func (s *Server) Bundles() []Bundle {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Bundle
	for _, o := range s.orgs {
		for _, b := range o.bundles {
			cp := *b
			cp.Projects = slices.Clone(b.Projects)
			cp.Files = maps.Clone(b.Files)
			out = append(out, cp)
		}
	}
	return out
}

// Chunks returns the SHA-1 checksums of the chunks an organization holds.
func (s *Server) Chunks(orgSlug string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.findOrg(orgSlug)
	if o == nil {
		return nil
	}
	return slices.Sorted(maps.Keys(o.blobs))
}

type assembleJob struct {
	polls  int    // "assembling" answers still to give
	state  string // the outcome: "ok" or "error"
	detail string
}

// chunkOptions tells clients how to upload chunks. The URL is absolute, as Sentry answers
// sentry-cli 2.30 and later and every other client.
func (s *Server) chunkOptions(c *call) {
	o, ok := c.org()
	if !ok {
		return
	}
	opts := s.opts.Chunk
	j := map[string]any{
		"url":              c.baseURL() + "/api/0/organizations/" + o.slug + "/chunk-upload/",
		"chunkSize":        opts.ChunkSize,
		"chunksPerRequest": opts.ChunksPerRequest,
		"maxFileSize":      opts.MaxFileSize,
		"maxRequestSize":   opts.MaxRequestSize,
		"concurrency":      opts.Concurrency,
		"hashAlgorithm":    "sha1",
		"compression":      opts.Compression,
		"accept":           opts.Accept,
	}
	if opts.MaxWait > 0 {
		j["maxWait"] = opts.MaxWait
	}
	c.json(http.StatusOK, j)
}

// chunkUpload stores chunks: multipart parts named "file" (raw) or "file_gzip" (gzipped), each
// with its SHA-1 as the filename. Limits and messages are Sentry's.
func (s *Server) chunkUpload(c *call) {
	o, ok := c.org()
	if !ok {
		return
	}
	type chunk struct {
		sum  string
		data []byte
	}
	var chunks []chunk
	mediaType, params, err := mime.ParseMediaType(c.r.Header.Get("Content-Type"))
	if err == nil && strings.HasPrefix(mediaType, "multipart/") {
		mr := multipart.NewReader(bytes.NewReader(c.body), params["boundary"])
		for {
			part, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				c.json(http.StatusBadRequest, map[string]string{"error": "Invalid multipart body: " + err.Error()})
				return
			}
			name := part.FormName()
			if name != "file" && name != "file_gzip" {
				continue
			}
			data, err := io.ReadAll(part)
			if err != nil {
				c.json(http.StatusBadRequest, map[string]string{"error": "Invalid multipart body: " + err.Error()})
				return
			}
			if name == "file_gzip" {
				zr, err := gzip.NewReader(bytes.NewReader(data))
				if err == nil {
					data, err = io.ReadAll(zr)
				}
				if err != nil {
					c.json(http.StatusBadRequest, map[string]string{"error": "Invalid gzip data: " + err.Error()})
					return
				}
			}
			chunks = append(chunks, chunk{sum: part.FileName(), data: data})
		}
	}
	if len(chunks) == 0 {
		c.w.WriteHeader(http.StatusOK)
		return
	}
	total := 0
	tooBig := false
	for _, ch := range chunks {
		total += len(ch.data)
		tooBig = tooBig || int64(len(ch.data)) > s.opts.Chunk.ChunkSize
	}
	switch {
	case len(chunks) > s.opts.Chunk.ChunksPerRequest:
		c.json(http.StatusBadRequest, map[string]string{"error": "Too many chunks"})
		return
	case int64(total) > s.opts.Chunk.MaxRequestSize:
		c.json(http.StatusBadRequest, map[string]string{"error": "Request too large"})
		return
	case tooBig:
		c.json(http.StatusBadRequest, map[string]string{"error": "Chunk size too large"})
		return
	}
	for _, ch := range chunks {
		sum := sha1.Sum(ch.data)
		if hex.EncodeToString(sum[:]) != ch.sum {
			c.json(http.StatusBadRequest, map[string]string{"error": "Checksum mismatch"})
			return
		}
	}
	for _, ch := range chunks {
		o.blobs[ch.sum] = ch.data
	}
	c.w.WriteHeader(http.StatusOK)
}

var (
	sha1Pattern    = regexp.MustCompile(`^[0-9a-f]{40}$`)
	versionPattern = regexp.MustCompile(`^[^/]+$`)
)

// assemble is POST organizations/{org}/artifactbundle/assemble/: report missing chunks, or
// start assembling, or tell how the job stands.
func (s *Server) assemble(c *call) {
	o, ok := c.org()
	if !ok {
		return
	}
	fail := func(msg string) { c.json(http.StatusBadRequest, map[string]string{"error": msg}) }
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(c.body, &raw); err != nil {
		fail("Invalid json body")
		return
	}
	for k := range raw {
		if !slices.Contains([]string{"checksum", "chunks", "projects", "version", "dist"}, k) {
			fail(fmt.Sprintf("Additional properties are not allowed ('%s' was unexpected)", k))
			return
		}
	}
	for _, k := range []string{"checksum", "chunks", "projects"} {
		if _, ok := raw[k]; !ok {
			fail(fmt.Sprintf("'%s' is a required property", k))
			return
		}
	}
	var req struct {
		Checksum string   `json:"checksum"`
		Chunks   []string `json:"chunks"`
		Projects []string `json:"projects"`
		Version  *string  `json:"version"`
		Dist     *string  `json:"dist"`
	}
	if err := json.Unmarshal(c.body, &req); err != nil {
		fail(err.Error())
		return
	}
	if !sha1Pattern.MatchString(req.Checksum) {
		fail(fmt.Sprintf("'%s' does not match '^[0-9a-f]{40}$'", req.Checksum))
		return
	}
	for _, ch := range req.Chunks {
		if !sha1Pattern.MatchString(ch) {
			fail(fmt.Sprintf("'%s' does not match '^[0-9a-f]{40}$'", ch))
			return
		}
	}
	if len(req.Projects) == 0 {
		fail("[] is too short")
		return
	}
	if req.Version != nil && !versionPattern.MatchString(*req.Version) {
		fail(fmt.Sprintf("'%s' does not match '^[^/]+$'", *req.Version))
		return
	}
	var projects []string
	for _, ref := range req.Projects {
		p := o.project(ref)
		if p == nil {
			fail("One or more projects are invalid")
			return
		}
		projects = append(projects, p.slug)
	}
	version, dist := "", ""
	if req.Version != nil {
		version = *req.Version
	}
	if req.Dist != nil {
		dist = *req.Dist
	}
	if dist != "" && version == "" {
		fail("You need to specify a release together with a dist")
		return
	}

	s.runAssemble(c, o, "artifact_bundle:"+req.Checksum, req.Chunks, func(data []byte) error {
		return s.storeArtifactBundle(o, req.Checksum, data, projects, version, dist)
	})
}

// runAssemble is the part of assembling both kinds of bundle share: report missing chunks,
// answer how a known job stands, or start a job (which the server runs at once; its outcome is
// revealed after the configured number of polls).
func (s *Server) runAssemble(c *call, o *org, key string, chunks []string, store func(data []byte) error) {
	var missing []string
	for _, ch := range chunks {
		if _, ok := o.blobs[ch]; !ok && !slices.Contains(missing, ch) {
			missing = append(missing, ch)
		}
	}
	if len(missing) > 0 {
		c.json(http.StatusOK, map[string]any{"state": "not_found", "missingChunks": missing})
		return
	}
	if job := o.assembles[key]; job != nil {
		if job.polls > 0 {
			job.polls--
			c.json(http.StatusOK, map[string]any{"state": "assembling", "detail": nil, "missingChunks": []string{}})
			return
		}
		c.json(http.StatusOK, map[string]any{"state": job.state, "detail": strOrNil(job.detail), "missingChunks": []string{}})
		return
	}
	if len(chunks) == 0 {
		c.json(http.StatusOK, map[string]any{"state": "not_found", "missingChunks": []string{}})
		return
	}
	job := &assembleJob{polls: s.opts.AssemblePolls, state: "ok"}
	_, checksum, _ := strings.Cut(key, ":")
	data, err := s.joinChunks(o, checksum, chunks)
	if err == nil {
		err = store(data)
	}
	if err != nil {
		job.state, job.detail = "error", err.Error()
	}
	if len(s.stalls) > 0 {
		st := s.stalls[0]
		s.stalls = s.stalls[1:]
		job.polls += st.Polls
		if st.Detail != "" {
			job.state, job.detail = "error", st.Detail
		}
	}
	o.assembles[key] = job
	c.json(http.StatusOK, map[string]any{"state": "created", "missingChunks": []string{}})
}

// joinChunks reassembles a file and checks it, with the messages of Sentry's assemble task.
func (s *Server) joinChunks(o *org, checksum string, chunks []string) ([]byte, error) {
	var data []byte
	for _, ch := range chunks {
		data = append(data, o.blobs[ch]...)
	}
	if sum := sha1.Sum(data); hex.EncodeToString(sum[:]) != checksum {
		return nil, fmt.Errorf("Reported checksum mismatch")
	}
	if int64(len(data)) > s.opts.Chunk.MaxFileSize {
		return nil, fmt.Errorf("File exceeds maximum size (%d > %d)", len(data), s.opts.Chunk.MaxFileSize)
	}
	return data, nil
}

// assembleRelease is the legacy POST organizations/{org}/releases/{version}/assemble/
// (sentry-cli 2.x against servers without artifact bundles): the bundle's files become files
// of an existing release.
func (s *Server) assembleRelease(c *call) {
	o, ok := c.org()
	if !ok {
		return
	}
	version := c.param("version")
	r := o.release(version)
	if r == nil {
		c.notFound()
		return
	}
	fail := func(msg string) { c.json(http.StatusBadRequest, map[string]string{"error": msg}) }
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(c.body, &raw); err != nil {
		fail("Invalid json body")
		return
	}
	for k := range raw {
		if k != "checksum" && k != "chunks" {
			fail(fmt.Sprintf("Additional properties are not allowed ('%s' was unexpected)", k))
			return
		}
	}
	var req struct {
		Checksum *string  `json:"checksum"`
		Chunks   []string `json:"chunks"`
	}
	if err := json.Unmarshal(c.body, &req); err != nil {
		fail(err.Error())
		return
	}
	if req.Checksum == nil {
		fail("'checksum' is a required property")
		return
	}
	if !sha1Pattern.MatchString(*req.Checksum) {
		fail(fmt.Sprintf("'%s' does not match '^[0-9a-f]{40}$'", *req.Checksum))
		return
	}
	s.runAssemble(c, o, "release_bundle:"+*req.Checksum, req.Chunks, func(data []byte) error {
		b, err := parseBundle(data)
		if err != nil {
			return err
		}
		switch {
		case b.org != o.slug:
			return fmt.Errorf("organization does not match uploaded bundle")
		case b.release != version:
			return fmt.Errorf("release does not match uploaded bundle")
		}
		for _, f := range b.files {
			r.files = slices.DeleteFunc(r.files, func(x *releaseFile) bool { return x.name == f.URL && x.dist == b.dist })
			r.files = append(r.files, &releaseFile{id: s.newID(), name: f.URL, dist: b.dist, headers: f.Headers, content: f.Content, dateCreated: s.clock()})
		}
		return nil
	})
}

// bundleHeader is what every artifact bundle starts with: "SYSB" and format version 2.
var bundleHeader = []byte{'S', 'Y', 'S', 'B', 2, 0, 0, 0}

// parsedBundle is what a bundle's manifest says, with the files it lists.
type parsedBundle struct {
	debugID, org, release, dist string
	files                       []BundleFile
	manifest                    []byte
}

// parseBundle reads an artifact bundle: the SYSB header, the zip, manifest.json and the files
// it lists.
func parseBundle(data []byte) (*parsedBundle, error) {
	// Sentry's Python side would accept a bare zip, but Symbolicator only opens bundles that
	// start with the header, so such an upload could never be used: refuse it here.
	if len(data) < len(bundleHeader) || !bytes.Equal(data[:4], bundleHeader[:4]) {
		return nil, fmt.Errorf("the bundle is invalid: it does not start with the SYSB header, so Symbolicator cannot open it")
	}
	if v := binary.LittleEndian.Uint32(data[4:8]); v != 2 {
		return nil, fmt.Errorf("the bundle is invalid: unsupported source bundle version %d", v)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("the bundle is invalid")
	}
	entries := map[string]*zip.File{}
	for _, f := range zr.File {
		entries[f.Name] = f
	}
	read := func(name string) ([]byte, error) {
		f := entries[name]
		if f == nil {
			return nil, fmt.Errorf("the bundle is invalid: %s is missing", name)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("the bundle is invalid: %s: %w", name, err)
		}
		defer rc.Close()
		b, err := io.ReadAll(rc)
		if err != nil {
			return nil, fmt.Errorf("the bundle is invalid: %s: %w", name, err)
		}
		return b, nil
	}
	manifestBytes, err := read("manifest.json")
	if err != nil {
		return nil, fmt.Errorf("the bundle is invalid")
	}
	var manifest struct {
		Files map[string]struct {
			Type    string            `json:"type"`
			URL     string            `json:"url"`
			Headers map[string]string `json:"headers"`
		} `json:"files"`
		DebugID string `json:"debug_id"`
		Org     string `json:"org"`
		Release string `json:"release"`
		Dist    string `json:"dist"`
	}
	if err := json.Unmarshal(manifestBytes, &manifest); err != nil {
		return nil, fmt.Errorf("the bundle is invalid")
	}
	b := &parsedBundle{debugID: manifest.DebugID, org: manifest.Org, release: manifest.Release, dist: manifest.Dist, manifest: manifestBytes}
	for _, path := range slices.Sorted(maps.Keys(manifest.Files)) {
		mf := manifest.Files[path]
		content, err := read(path)
		if err != nil {
			return nil, err
		}
		headers := map[string]string{}
		for k, v := range mf.Headers {
			headers[strings.ToLower(k)] = v
		}
		b.files = append(b.files, BundleFile{Path: path, URL: mf.URL, Type: mf.Type, Headers: headers, Content: content})
	}
	return b, nil
}

// storeArtifactBundle keeps an assembled artifact bundle, or says why Sentry would not.
func (s *Server) storeArtifactBundle(o *org, checksum string, data []byte, projects []string, version, dist string) error {
	pb, err := parseBundle(data)
	if err != nil {
		return err
	}
	if len(pb.files) == 0 {
		// Sentry drops a bundle without files and reports success.
		return nil
	}
	b := &Bundle{
		Org: o.slug, ID: pb.debugID, Checksum: checksum,
		Release: cmp.Or(version, pb.release), Dist: cmp.Or(dist, pb.dist),
		Projects: projects, Files: map[string]BundleFile{}, Manifest: pb.manifest, Raw: data,
	}
	if b.Release == "" {
		b.Dist = ""
	}
	hasDebugID := false
	for _, f := range pb.files {
		if validDebugID(f.DebugID()) {
			hasDebugID = true
		}
		b.Files[f.URL] = f
	}
	if !hasDebugID && b.Release == "" {
		return fmt.Errorf("uploading a bundle without debug ids or release is prohibited")
	}
	if !validDebugID(b.ID) {
		// Sentry derives a bundle ID from the checksum when the manifest has none.
		b.ID = uuidFrom(checksum)
	}
	o.bundles = slices.DeleteFunc(o.bundles, func(x *Bundle) bool { return x.ID == b.ID })
	o.bundles = append(o.bundles, b)
	return nil
}

func validDebugID(id string) bool {
	h := strings.ReplaceAll(strings.ToLower(id), "-", "")
	if len(h) < 32 {
		return false
	}
	_, err := hex.DecodeString(h[:32])
	return err == nil
}

// ForgetUploads drops every stored chunk, assemble job and bundle, as if nothing had ever been
// uploaded: benchmarks use it so that every measured upload is a fresh one.
func (s *Server) ForgetUploads() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, o := range s.orgs {
		o.blobs = map[string][]byte{}
		o.assembles = map[string]*assembleJob{}
		o.bundles = nil
	}
}
