package sentryapitest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"mime/multipart"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/releasegate/releasegate/internal/testbundles"
	"github.com/releasegate/releasegate/internal/testenv"
)

// sentryCLI runs sentry-cli against the server with a clean environment (no config files
// from the machine, no update checks).
func sentryCLI(t *testing.T, srv *Server, args ...string) string {
	t.Helper()
	bin := testenv.SentryCLI(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	home := t.TempDir()
	cmd.Dir = home
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"SENTRY_URL=" + srv.URL(),
		"SENTRY_AUTH_TOKEN=" + srv.Token(),
		"SENTRY_ORG=acme",
		"SENTRY_DISABLE_UPDATE_CHECK=true",
		"SENTRY_LOAD_DOTENV=0",
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("sentry-cli %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// distFiles reads the files sentry-cli uploads by default, keyed by slash path below dir.
func distFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		switch filepath.Ext(p) {
		case ".js", ".cjs", ".mjs", ".map":
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(dir, p)
			out[filepath.ToSlash(rel)] = b
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

var (
	debugIDComment = regexp.MustCompile(`(?m)^//# debugId=([0-9a-f-]{36})\s*$`)
	mapComment     = regexp.MustCompile(`(?m)^//[#@] sourceMappingURL=(\S+)\s*$`)
)

// The sequence sentry-cli 3.8.0 follows (sourcemaps-protocol.md §9): chunk options, a
// pre-flight assemble, chunk POSTs with only the missing chunks, then assemble until ok.
func TestSentryCLIUpload(t *testing.T) {
	t.Parallel()
	srv := newServer(t, Options{
		Projects: []string{"web"},
		// Small chunks so that the bundle takes several chunks and several requests.
		Chunk: ChunkOptions{ChunkSize: 4096, ChunksPerRequest: 3, Concurrency: 2},
	})
	dist := testbundles.Build(t, "esbuild")
	sentryCLI(t, srv, "sourcemaps", "inject", dist)
	disk := distFiles(t, dist)

	// The first job also answers "assembling" once: sentry-cli must keep polling through it.
	srv.StallAssemble(AssembleStall{Polls: 1})

	out := sentryCLI(t, srv, "sourcemaps", "upload", "--project", "web", "--release", "1.0.0", "--wait", dist)
	reqs := srv.Requests()
	bundles := srv.Bundles()
	if len(bundles) != 1 {
		t.Fatalf("%d bundles after the upload\n%s", len(bundles), out)
	}
	b := bundles[0]
	checkSequence(t, reqs, b, 3, true)
	if b.Release != "1.0.0" || b.Dist != "" || !slices.Equal(b.Projects, []string{"web"}) {
		t.Errorf("bundle release %q dist %q projects %v", b.Release, b.Dist, b.Projects)
	}
	var manifest map[string]any
	if err := json.Unmarshal(b.Manifest, &manifest); err != nil {
		t.Fatal(err)
	}
	if manifest["org"] != "acme" || manifest["project"] != "web" || manifest["release"] != "1.0.0" || manifest["debug_id"] != b.ID || !validDebugID(b.ID) {
		t.Errorf("manifest attributes = org %v project %v release %v debug_id %v", manifest["org"], manifest["project"], manifest["release"], manifest["debug_id"])
	}
	checkBundleFiles(t, b, disk, false)
	var ids []string
	for rel, content := range disk {
		if m := debugIDComment.FindSubmatch(content); m != nil && !strings.HasSuffix(rel, ".map") {
			ids = append(ids, string(m[1]))
		}
	}
	slices.Sort(ids)
	if got := b.DebugIDs(); !slices.Equal(got, slices.Compact(ids)) || len(got) < 10 {
		t.Errorf("bundle debug IDs %v, injected %v", got, ids)
	}

	// The same upload again finds everything on the server and sends no chunk.
	srv.ResetRequests()
	sentryCLI(t, srv, "sourcemaps", "upload", "--project", "web", "--release", "1.0.0", "--wait", dist)
	var again []string
	for _, r := range srv.Requests() {
		again = append(again, r.Method+" "+r.Path)
	}
	// The pre-flight assemble already answers ok (Sentry keeps a job's outcome); sentry-cli
	// then checks once more.
	if want := []string{"GET /api/0/organizations/acme/chunk-upload/", "POST /api/0/organizations/acme/artifactbundle/assemble/", "POST /api/0/organizations/acme/artifactbundle/assemble/"}; !slices.Equal(again, want) {
		t.Errorf("repeated upload sent %q, want %q (no chunks)", again, want)
	}
	if n := len(srv.Bundles()); n != 1 {
		t.Errorf("%d bundles after the repeated upload", n)
	}

	// With --no-rewrite every file arrives byte for byte, maps included. Without --wait the
	// assemble call that starts the job is the last one.
	srv.ResetRequests()
	out = sentryCLI(t, srv, "sourcemaps", "upload", "--project", "web", "--release", "1.0.1", "--dist", "web", "--no-rewrite", dist)
	if !strings.Contains(out, "processing pending on server") {
		t.Errorf("sentry-cli without --wait said:\n%s", out)
	}
	bundles = srv.Bundles()
	if len(bundles) != 2 {
		t.Fatalf("%d bundles after the --no-rewrite upload", len(bundles))
	}
	nr := bundles[1]
	if nr.Release != "1.0.1" || nr.Dist != "web" {
		t.Errorf("--no-rewrite bundle release %q dist %q", nr.Release, nr.Dist)
	}
	checkSequence(t, srv.Requests(), nr, 3, false)
	checkBundleFiles(t, nr, disk, true)
}

// checkSequence compares the recorded requests of one upload with §9.
func checkSequence(t *testing.T, reqs []Request, b Bundle, perRequest int, wait bool) {
	t.Helper()
	var seq []string
	for _, r := range reqs {
		switch {
		case r.Method == "GET" && strings.HasSuffix(r.Path, "/chunk-upload/"):
			seq = append(seq, "options")
		case r.Method == "POST" && strings.HasSuffix(r.Path, "/chunk-upload/"):
			seq = append(seq, "chunks")
		case r.Method == "POST" && strings.HasSuffix(r.Path, "/artifactbundle/assemble/"):
			seq = append(seq, "assemble")
		default:
			seq = append(seq, r.Method+" "+r.Path)
		}
		if ua := r.Header.Get("User-Agent"); !strings.HasPrefix(ua, "sentry-cli/3.8.0") {
			t.Errorf("%s %s: User-Agent %q", r.Method, r.Path, ua)
		}
		if r.Header.Get("Authorization") != "Bearer "+DefaultToken {
			t.Errorf("%s %s: Authorization %q", r.Method, r.Path, r.Header.Get("Authorization"))
		}
	}
	got := strings.Join(seq, " ")
	want := regexp.MustCompile(`^options assemble (chunks )+assemble$`)
	if wait {
		want = regexp.MustCompile(`^options assemble (chunks )+assemble assemble( assemble)*$`)
	}
	if !want.MatchString(got) {
		t.Fatalf("request sequence %q, want %s", got, want)
	}

	// The pre-flight assemble names every chunk; the chunk POSTs carry each exactly once, gzipped,
	// named by the SHA-1 of the uncompressed chunk, at most perRequest per request.
	var pre struct {
		Checksum string   `json:"checksum"`
		Chunks   []string `json:"chunks"`
		Projects []string `json:"projects"`
		Version  string   `json:"version"`
	}
	var first Request
	for _, r := range reqs {
		if strings.HasSuffix(r.Path, "/artifactbundle/assemble/") {
			first = r
			break
		}
	}
	if err := json.Unmarshal(first.Body, &pre); err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^\{"checksum":"[0-9a-f]{40}","chunks":\[("[0-9a-f]{40}",?)+\],"projects":\["web"\],"version":"[^"]+"(,"dist":"web")?\}$`).Match(first.Body) {
		t.Errorf("assemble body is not sentry-cli's compact form: %s", first.Body)
	}
	if pre.Checksum != b.Checksum || sha1hex(b.Raw) != b.Checksum {
		t.Errorf("assemble checksum %s, bundle %s", pre.Checksum, b.Checksum)
	}
	seen := map[string]bool{}
	for _, r := range reqs {
		if r.Method != "POST" || !strings.HasSuffix(r.Path, "/chunk-upload/") {
			continue
		}
		_, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil {
			t.Fatal(err)
		}
		mr := multipart.NewReader(bytes.NewReader(r.Body), params["boundary"])
		parts := 0
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			parts++
			if p.FormName() != "file_gzip" || p.Header.Get("Content-Type") != "application/octet-stream" {
				t.Errorf("part %q with Content-Type %q", p.FormName(), p.Header.Get("Content-Type"))
			}
			if seen[p.FileName()] {
				t.Errorf("chunk %s sent twice", p.FileName())
			}
			seen[p.FileName()] = true
		}
		if parts == 0 || parts > perRequest {
			t.Errorf("a chunk request with %d parts", parts)
		}
	}
	for _, ch := range pre.Chunks {
		if !seen[ch] {
			t.Errorf("chunk %s never sent", ch)
		}
	}
	if len(pre.Chunks) < 2 {
		t.Errorf("the bundle took %d chunks; the test wants several", len(pre.Chunks))
	}
}

// checkBundleFiles compares the reassembled bundle with the files on disk.
func checkBundleFiles(t *testing.T, b Bundle, disk map[string][]byte, noRewrite bool) {
	t.Helper()
	if len(b.Files) != len(disk) {
		var urls []string
		for u := range b.Files {
			urls = append(urls, u)
		}
		slices.Sort(urls)
		t.Errorf("bundle has %d files, dist %d: %v", len(b.Files), len(disk), urls)
	}
	for rel, want := range disk {
		f, ok := b.Files["~/"+rel]
		if !ok {
			t.Errorf("%s is not in the bundle", rel)
			continue
		}
		if !strings.HasPrefix(f.Path, "files/_/_/") {
			t.Errorf("%s stored at %s", rel, f.Path)
		}
		if strings.HasSuffix(rel, ".map") {
			if f.Type != "source_map" {
				t.Errorf("%s has type %s", rel, f.Type)
			}
			var m struct {
				DebugID string `json:"debugId"`
			}
			if err := json.Unmarshal(f.Content, &m); err != nil {
				t.Errorf("%s: %v", rel, err)
			}
			if f.DebugID() != m.DebugID || m.DebugID == "" {
				t.Errorf("%s: header debug-id %q, map debugId %q", rel, f.DebugID(), m.DebugID)
			}
			if noRewrite {
				if !bytes.Equal(f.Content, want) {
					t.Errorf("%s differs from the file on disk", rel)
				}
				continue
			}
			// sentry-cli rewrites maps (compact, unused sources dropped, names renumbered):
			// what they map must not change.
			got, err := decodedMap(f.Content)
			if err != nil {
				t.Fatalf("%s as uploaded: %v", rel, err)
			}
			orig, err := decodedMap(want)
			if err != nil {
				t.Fatalf("%s on disk: %v", rel, err)
			}
			if !slices.Equal(got.mappings, orig.mappings) {
				t.Errorf("%s maps differently after the upload (%d vs %d mappings)", rel, len(got.mappings), len(orig.mappings))
			}
			for src, content := range got.contents {
				if orig.contents[src] != content {
					t.Errorf("%s: sourcesContent of %s changed", rel, src)
				}
			}
			continue
		}
		if f.Type != "minified_source" {
			t.Errorf("%s has type %s", rel, f.Type)
		}
		if !bytes.Equal(f.Content, want) {
			t.Errorf("%s differs from the file on disk", rel)
		}
		m := debugIDComment.FindSubmatch(want)
		if m == nil || f.DebugID() != string(m[1]) {
			t.Errorf("%s: header debug-id %q, file %q", rel, f.DebugID(), m)
		}
		if sm := mapComment.FindAllSubmatch(want, -1); len(sm) > 0 {
			ref := string(sm[len(sm)-1][1])
			if strings.HasPrefix(ref, "data:") {
				continue
			}
			if f.Headers["sourcemap"] != ref {
				t.Errorf("%s: sourcemap header %q, file says %q", rel, f.Headers["sourcemap"], ref)
			}
			if mf, ok := b.Files["~/"+pathJoin(rel, ref)]; !ok || mf.DebugID() != f.DebugID() {
				t.Errorf("%s: its map %s has debug-id %q", rel, ref, mf.DebugID())
			}
		}
	}
}

func pathJoin(rel, ref string) string {
	dir := ""
	if i := strings.LastIndex(rel, "/"); i >= 0 {
		dir = rel[:i+1]
	}
	return dir + ref
}

// mapping is one decoded segment with its source and name resolved, so that maps that number
// sources and names differently compare equal.
type mapping struct {
	genLine, genCol int
	source          string
	srcLine, srcCol int
	name            string
	hasSource       bool
}

type decoded struct {
	mappings []mapping
	contents map[string]string
}

// decodedMap decodes a (regular) source map's mappings.
func decodedMap(b []byte) (decoded, error) {
	var m struct {
		Sources        []string  `json:"sources"`
		SourcesContent []*string `json:"sourcesContent"`
		Names          []string  `json:"names"`
		Mappings       string    `json:"mappings"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return decoded{}, err
	}
	d := decoded{contents: map[string]string{}}
	for i, s := range m.Sources {
		if i < len(m.SourcesContent) && m.SourcesContent[i] != nil {
			d.contents[s] = *m.SourcesContent[i]
		}
	}
	var src, srcLine, srcCol, name int
	for line, text := range strings.Split(m.Mappings, ";") {
		col := 0
		for _, seg := range strings.Split(text, ",") {
			if seg == "" {
				continue
			}
			vals, err := vlq(seg)
			if err != nil {
				return decoded{}, err
			}
			col += vals[0]
			mp := mapping{genLine: line, genCol: col}
			if len(vals) >= 4 {
				src += vals[1]
				srcLine += vals[2]
				srcCol += vals[3]
				if src < 0 || src >= len(m.Sources) {
					return decoded{}, fmt.Errorf("source index %d out of range", src)
				}
				mp.source, mp.srcLine, mp.srcCol, mp.hasSource = m.Sources[src], srcLine, srcCol, true
			}
			if len(vals) >= 5 {
				name += vals[4]
				if name < 0 || name >= len(m.Names) {
					return decoded{}, fmt.Errorf("name index %d out of range", name)
				}
				mp.name = m.Names[name]
			}
			if mp.hasSource {
				d.mappings = append(d.mappings, mp)
			}
		}
	}
	return d, nil
}

func vlq(seg string) ([]int, error) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	var out []int
	value, shift := 0, 0
	for i := 0; i < len(seg); i++ {
		digit := strings.IndexByte(alphabet, seg[i])
		if digit < 0 {
			return nil, fmt.Errorf("bad VLQ character %q", seg[i])
		}
		value += (digit & 31) << shift
		if digit&32 != 0 {
			shift += 5
			continue
		}
		if value&1 != 0 {
			out = append(out, -(value >> 1))
		} else {
			out = append(out, value>>1)
		}
		value, shift = 0, 0
	}
	return out, nil
}
