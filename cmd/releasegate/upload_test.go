package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/releasegate/releasegate/internal/sentryapi/sentryapitest"
	"github.com/releasegate/releasegate/internal/testbundles"
	"github.com/releasegate/releasegate/internal/testenv"
	"github.com/releasegate/releasegate/internal/upload"
	"github.com/releasegate/releasegate/sourcemaps"
)

func copyTree(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), filepath.Base(src))
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	return dst
}

// TestUploadEndToEnd uploads a real esbuild build to the local Sentry: the bundle the server
// assembled holds every file, injected, with debug IDs on each file and its map; a second upload
// sends no chunk bytes.
func TestUploadEndToEnd(t *testing.T) {
	t.Parallel()
	srv := sentryapitest.Start(t, sentryapitest.Options{Prefix: "/sentry", AssemblePolls: 2})
	e := sentryEnv(t, srv)
	dist := testbundles.Build(t, "esbuild")
	esm := filepath.Join(dist, "esm")
	code, out, errOut := e.run(t, "", "sourcemaps", "upload", "--org", "acme", "--project", "web", "--release", "web@1.0.0", "--format", "json", esm)
	if code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	var rep uploadReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("output is not the JSON report: %v\n%s", err, out)
	}
	bundles := srv.Bundles()
	if len(bundles) != 1 || len(rep.Bundles) != 1 || bundles[0].Checksum != rep.Bundles[0].Checksum {
		t.Fatalf("server has %d bundles, report %+v", len(bundles), rep.Bundles)
	}
	b := bundles[0]
	if b.Release != "web@1.0.0" || !slices.Equal(b.Projects, []string{"web"}) {
		t.Errorf("bundle release %q projects %v", b.Release, b.Projects)
	}
	onDisk := map[string][]byte{}
	filepath.WalkDir(esm, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(esm, p)
			onDisk["~/"+filepath.ToSlash(rel)], _ = os.ReadFile(p)
		}
		return nil
	})
	if len(b.Files) != len(onDisk) || rep.Bundles[0].Files != len(onDisk) {
		t.Fatalf("bundle holds %d files (report %d), the build %d", len(b.Files), rep.Bundles[0].Files, len(onDisk))
	}
	for url, f := range b.Files {
		if !bytes.Equal(f.Content, onDisk[url]) {
			t.Errorf("%s differs from the file on disk (which inject rewrote)", url)
		}
		if f.DebugID() == "" && !strings.HasSuffix(url, ".map") {
			t.Errorf("%s has no debug-id header", url)
		}
		if strings.HasSuffix(url, ".js") {
			if m, ok := b.Files[url+".map"]; !ok || m.DebugID() != f.DebugID() || !bytes.Contains(f.Content, []byte("//# debugId="+f.DebugID())) {
				t.Errorf("%s: its map is missing or has another debug ID", url)
			}
		}
	}
	if rep.Chunks.Uploaded == 0 || rep.Chunks.BytesSent == 0 || rep.Requests < 4 {
		t.Errorf("first upload: %+v in %d requests", rep.Chunks, rep.Requests)
	}
	for _, ph := range uploadPhaseOrder {
		if _, ok := rep.Phases[ph]; !ok {
			t.Errorf("phase %q missing from %v", ph, rep.Phases)
		}
	}

	// Again: nothing to inject, every chunk already there.
	srv.ResetRequests()
	code, out, errOut = e.run(t, "", "sourcemaps", "upload", "--org", "acme", "--project", "web", "--release", "web@1.0.0", esm)
	if code != exitOK {
		t.Fatalf("second upload: exit %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(out, "nothing was sent again") || !strings.Contains(out, "ok: 0/") {
		t.Errorf("second upload output:\n%s", out)
	}
	for _, r := range srv.Requests() {
		if r.Method == "POST" && strings.Contains(r.Path, "chunk-upload") {
			t.Errorf("second upload sent chunks: %s %s (%d bytes)", r.Method, r.Path, len(r.Body))
		}
	}
	if len(srv.Unexpected()) > 0 {
		t.Errorf("unexpected requests: %+v", srv.Unexpected())
	}
}

// TestUploadMatchesSentryCLI: sentry-cli 3.8.0 (inject, then upload --no-rewrite) and
// releasegate upload the same build to the local Sentry; the two bundles must hold the same
// manifest entries and the same files.
func TestUploadMatchesSentryCLI(t *testing.T) {
	t.Parallel()
	bin := testenv.SentryCLI(t)
	for _, bundler := range testbundles.Bundlers() {
		t.Run(bundler, func(t *testing.T) {
			t.Parallel()
			srv := sentryapitest.Start(t, sentryapitest.Options{})
			e := sentryEnv(t, srv)
			dist := testbundles.Build(t, bundler)
			theirs, ours := copyTree(t, dist), copyTree(t, dist)
			sentryCLI := func(args ...string) {
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
				defer cancel()
				cmd := exec.CommandContext(ctx, bin, args...)
				cmd.Dir = t.TempDir()
				cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + cmd.Dir, "SENTRY_URL=" + srv.URL(), "SENTRY_AUTH_TOKEN=" + srv.Token(),
					"SENTRY_ORG=acme", "SENTRY_DISABLE_UPDATE_CHECK=true", "SENTRY_LOAD_DOTENV=0"}
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("sentry-cli %v: %v\n%s", args, err, out)
				}
			}
			sentryCLI("sourcemaps", "inject", theirs)
			sentryCLI("sourcemaps", "upload", "--no-rewrite", "--project", "web", "--release", "1.0", "--wait", theirs)
			code, out, errOut := e.run(t, "", "sourcemaps", "upload", "--org", "acme", "--project", "web", "--release", "1.0", ours)
			if code != exitOK {
				t.Fatalf("releasegate upload: exit %d\n%s\n%s", code, out, errOut)
			}
			bundles := srv.Bundles()
			if len(bundles) != 2 {
				t.Fatalf("server has %d bundles, want 2", len(bundles))
			}
			cli, rg := bundles[0], bundles[1]
			if !slices.Equal(slices.Sorted(maps.Keys(cli.Files)), slices.Sorted(maps.Keys(rg.Files))) {
				t.Fatalf("file URLs differ:\nsentry-cli  %v\nreleasegate %v", slices.Sorted(maps.Keys(cli.Files)), slices.Sorted(maps.Keys(rg.Files)))
			}
			for url, cf := range cli.Files {
				rf := rg.Files[url]
				if ref := cf.Headers["sourcemap"]; strings.HasPrefix(ref, "data:") {
					// An inline map: ours keeps every field of the map (docs/inject.md), so the
					// base64 text differs; the decoded maps and the rest of the file must not.
					if !sameInlineMap(ref, rf.Headers["sourcemap"]) || !bytes.Equal(withoutRef(cf.Content, ref), withoutRef(rf.Content, rf.Headers["sourcemap"])) {
						t.Errorf("%s: inline map differs: %v; file without the reference differs: %v", url, !sameInlineMap(ref, rf.Headers["sourcemap"]), !bytes.Equal(withoutRef(cf.Content, ref), withoutRef(rf.Content, rf.Headers["sourcemap"])))
					}
					cf.Headers, rf.Headers = maps.Clone(cf.Headers), maps.Clone(rf.Headers)
					delete(cf.Headers, "sourcemap")
					delete(rf.Headers, "sourcemap")
					cf.Content, rf.Content = nil, nil
				}
				if cf.Type != rf.Type || !maps.Equal(cf.Headers, rf.Headers) || cf.Path != rf.Path {
					t.Errorf("%s: manifest entry differs:\nsentry-cli  %s %s %v\nreleasegate %s %s %v", url, cf.Path, cf.Type, cf.Headers, rf.Path, rf.Type, rf.Headers)
				}
				if !bytes.Equal(cf.Content, rf.Content) && !(strings.HasSuffix(url, ".map") && sameMapIgnoringDroppedKeys(cf.Content, rf.Content)) {
					t.Errorf("%s: content differs", url)
				}
			}
			// Our bundle-ID derivation, applied to sentry-cli's own files, gives sentry-cli's ID.
			var files []sourcemaps.BundleFile
			for url, f := range cli.Files {
				files = append(files, sourcemaps.BundleFile{URL: url, Type: sourcemaps.BundleFileType(f.Type), Content: f.Content,
					DebugID: f.Headers["debug-id"], SourceMap: f.Headers["sourcemap"]})
			}
			if id, err := sourcemaps.BundleDebugID(files); err != nil || id != cli.ID {
				t.Errorf("bundle ID of sentry-cli's files: ours %s (err %v), sentry-cli's %s", id, err, cli.ID)
			}
		})
	}
}

// sameMapIgnoringDroppedKeys compares two maps by what they decode to (sources, contents,
// names, segments, debug ID): inject keeps keys sentry-cli drops and does not re-encode
// mappings it need not touch (docs/inject.md), so the texts differ while the maps agree.
func sameMapIgnoringDroppedKeys(theirs, ours []byte) bool {
	a, _, errA := sourcemaps.Parse(theirs, sourcemaps.Limits{})
	b, _, errB := sourcemaps.Parse(ours, sourcemaps.Limits{})
	if errA != nil || errB != nil {
		return false
	}
	return slices.Equal(a.Sources, b.Sources) && slices.Equal(a.SourcesContent, b.SourcesContent) &&
		slices.Equal(a.Names, b.Names) && slices.Equal(a.Mappings.Segments, b.Mappings.Segments) && a.DebugID == b.DebugID
}

func sameInlineMap(theirs, ours string) bool {
	decode := func(ref string) []byte {
		_, payload, _ := strings.Cut(ref, ",")
		b, _ := base64.StdEncoding.DecodeString(payload)
		return b
	}
	return sameMapIgnoringDroppedKeys(decode(theirs), decode(ours))
}

func withoutRef(content []byte, ref string) []byte {
	return bytes.Replace(content, []byte(ref), nil, 1)
}

// TestUploadPrefixesAndDist: --url-prefix names the files as the site serves them, --strip-prefix
// cleans the maps' source paths in what is sent (not on disk), --dist goes to the bundle.
func TestUploadPrefixesAndDist(t *testing.T) {
	t.Parallel()
	srv := sentryapitest.Start(t, sentryapitest.Options{})
	e := sentryEnv(t, srv).with("SENTRY_ORG", "acme", "SENTRY_PROJECT", "web")
	esm := filepath.Join(testbundles.Build(t, "esbuild"), "esm")
	mapOnDisk := func() []byte {
		matches, _ := filepath.Glob(filepath.Join(esm, "main-*.js.map"))
		if len(matches) != 1 {
			t.Fatalf("want one main map, got %v", matches)
		}
		b, _ := os.ReadFile(matches[0])
		return b
	}
	before := mapOnDisk()
	if !bytes.Contains(before, []byte(`"../../src/`)) {
		t.Fatalf("the esbuild map's sources do not start with ../../src/ any more; update this test")
	}
	code, out, errOut := e.run(t, "", "sourcemaps", "upload", "--release", "web@2.0.0", "--dist", "eu",
		"--url-prefix", "~/static/js/", "--strip-prefix", "../../", esm)
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	b := srv.Bundles()[0]
	if b.Dist != "eu" || b.Release != "web@2.0.0" {
		t.Errorf("bundle release %q dist %q", b.Release, b.Dist)
	}
	var sentMain []byte
	for url, f := range b.Files {
		if !strings.HasPrefix(url, "~/static/js/") {
			t.Errorf("file URL %s does not start with the prefix", url)
		}
		if strings.HasPrefix(url, "~/static/js/main-") && strings.HasSuffix(url, ".map") {
			sentMain = f.Content
		}
	}
	m, _, err := sourcemaps.Parse(sentMain, sourcemaps.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range m.Sources {
		if strings.HasPrefix(s, "../") || !strings.HasPrefix(s, "src/") {
			t.Errorf("source %q was not stripped", s)
		}
	}
	if after := mapOnDisk(); !bytes.Contains(after, []byte(`"../../src/`)) {
		t.Errorf("--strip-prefix changed the map on disk")
	}
	if code, _, errOut := e.run(t, "", "sourcemaps", "upload", "--dist", "eu", esm); code != exitUsage || !strings.Contains(errOut, "--dist needs --release") {
		t.Errorf("--dist without --release: exit %d, %s", code, errOut)
	}
}

// TestUploadLegacyServer: a server whose upload options do not announce artifact bundles (older
// self-hosted Sentry) gets the files as release files of a release created for them.
func TestUploadLegacyServer(t *testing.T) {
	t.Parallel()
	srv := sentryapitest.Start(t, sentryapitest.Options{Chunk: sentryapitest.ChunkOptions{Accept: []string{"debug_files", "release_files"}}})
	e := sentryEnv(t, srv)
	esm := filepath.Join(testbundles.Build(t, "esbuild"), "esm")
	code, out, errOut := e.run(t, "", "sourcemaps", "upload", "--org", "acme", "--project", "web", "--release", "web@0.9.0", esm)
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(out, "release bundle (this server has no artifact bundles)") {
		t.Errorf("output does not say the legacy path was taken:\n%s", out)
	}
	r, ok := srv.Release("acme", "web@0.9.0")
	if !ok || !slices.Equal(r.Projects, []string{"web"}) {
		t.Fatalf("release not created for the project: %+v", r)
	}
	entries, _ := os.ReadDir(esm)
	var want int
	filepath.WalkDir(esm, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			want++
		}
		return nil
	})
	if len(r.Files) != want || len(entries) == 0 {
		t.Fatalf("release holds %d files, the build %d: %v", len(r.Files), want, r.Files)
	}
	if len(srv.Bundles()) != 0 {
		t.Errorf("an artifact bundle was stored on a server that does not take them")
	}
	if code, _, errOut := e.run(t, "", "sourcemaps", "upload", "--org", "acme", "--project", "web", esm); code != exitUsage || !strings.Contains(errOut, "--release") {
		t.Errorf("legacy upload without a release: exit %d, %s", code, errOut)
	}
}

// TestUploadNothingFound: an empty build is no success. It fails as validate and inject fail
// (exit 1), naming the folder and the extensions looked for, before any request; --allow-empty
// lets it pass, still without a request.
func TestUploadNothingFound(t *testing.T) {
	t.Parallel()
	srv := sentryapitest.Start(t, sentryapitest.Options{})
	e := sentryEnv(t, srv)
	empty := t.TempDir()
	args := []string{"sourcemaps", "upload", "--org", "acme", "--project", "web"}
	code, out, errOut := e.run(t, "", append(args, empty)...)
	want := "no generated files under " + empty + " (looked for .js, .cjs, .mjs; hidden folders and node_modules skipped)"
	if code != exitNo || !strings.Contains(errOut, want) || !strings.Contains(errOut, "no-generated-files") ||
		!strings.Contains(errOut, "nothing was uploaded") || out != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	code, out, errOut = e.run(t, "", append(args, "--no-validate", empty)...)
	if code != exitNo || !strings.Contains(errOut, want) {
		t.Fatalf("--no-validate: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	code, out, errOut = e.run(t, "", append(args, "--allow-empty", empty)...)
	if code != exitOK || out != "ok: nothing to upload: no generated files or maps under "+empty+" (--allow-empty)\n" {
		t.Fatalf("--allow-empty: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	code, out, _ = e.run(t, "", append(args, "--allow-empty", "--format", "json", empty)...)
	var rep uploadReport
	if err := json.Unmarshal([]byte(out), &rep); code != exitOK || err != nil || rep.Bundles == nil || len(rep.Bundles) != 0 || rep.Requests != 0 {
		t.Fatalf("--allow-empty --format json: exit %d, %v, %s", code, err, out)
	}
	if n := len(srv.Requests()); n != 0 {
		t.Fatalf("%d requests were sent for an empty build", n)
	}
}

// TestProgressBar: drawn on a terminal only, redrawn in place, cleared at the end.
func TestProgressBar(t *testing.T) {
	t.Parallel()
	var tty, pipe bytes.Buffer
	for _, c := range []struct {
		buf   *bytes.Buffer
		isTTY bool
	}{{&tty, true}, {&pipe, false}} {
		bar := newProgressBar(&IOStreams{ErrOut: c.buf, ErrTTY: c.isTTY})
		bar.update(upload.Progress{Phase: upload.PhaseUpload, Done: 1 << 20, Total: 4 << 20})
		bar.update(upload.Progress{Phase: upload.PhaseUpload, Done: 4 << 20, Total: 4 << 20})
		bar.update(upload.Progress{Phase: upload.PhaseAssemble})
		bar.done()
	}
	if pipe.Len() != 0 {
		t.Errorf("progress drawn on a pipe: %q", pipe.String())
	}
	got := tty.String()
	for _, want := range []string{"\r\x1b[Kuploading [", "1.0 MiB / 4.0 MiB", "4.0 MiB / 4.0 MiB", "waiting for Sentry to assemble the bundle"} {
		if !strings.Contains(got, want) {
			t.Errorf("progress output %q lacks %q", got, want)
		}
	}
	if !strings.HasSuffix(got, "\r\x1b[K") {
		t.Errorf("the bar is not cleared at the end: %q", got)
	}
}
