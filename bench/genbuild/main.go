// Command genbuild writes a large, realistic JavaScript build for benchmarks: esbuild (the test
// peer installed by .ci/install-peers) bundles synthetic ES modules into minified, code-split
// ESM chunks, each with an external source map that carries sourcesContent and names.
//
// Usage, from the repository root:
//
//	go run ./bench/genbuild -out bench/out/large -size 60MB
//
// -size is the minimum total of JS plus map bytes (KB, MB and GB are powers of 1024); the
// default 60MB gives about 830 JS files and as many maps in 5–10 seconds. The sources come
// from a PRNG with a fixed seed (-seed), so the same flags always give byte-identical output.
// The output folder must be empty or absent unless -clean is given, which deletes it first.
// The layout is pages/NAME-HASH.js for the entries (one per app feature) and
// chunks/NAME-HASH.js for lazily imported panels and modules shared between features; map
// sources read like "../../src/features/cart-004/parse-order2.js". A few strings and comments
// hold non-ASCII text, so UTF-16 columns differ from byte offsets as in real apps.
//
// It needs node and the esbuild package in $RELEASEGATE_PEERS or the repository's .peers
// folder (-peers overrides both). It prints one summary line.
package main

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

//go:embed build.mjs
var buildScript []byte

func main() {
	var (
		out   = flag.String("out", "", "folder to write the build into (required)")
		size  = flag.String("size", "60MB", "minimum total size of JS and map files")
		seed  = flag.Uint64("seed", 1, "seed for the generated sources")
		peers = flag.String("peers", "", "folder holding node_modules/esbuild (default $RELEASEGATE_PEERS, else <repo>/.peers)")
		clean = flag.Bool("clean", false, "delete -out first if it exists")
	)
	flag.Parse()
	if *out == "" || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	target, err := parseSize(*size)
	if err != nil {
		fatal(err)
	}
	s, err := run(options{out: *out, target: target, seed: *seed, peers: *peers, clean: *clean})
	if err != nil {
		fatal(err)
	}
	fmt.Printf("genbuild: %d JS files + %d maps in %s: JS %s, maps %s, total %s (%d source modules, %s of source, %.1fs)\n",
		s.jsFiles, s.mapFiles, *out, human(s.jsBytes), human(s.mapBytes), human(s.jsBytes+s.mapBytes),
		s.modules, human(s.sourceBytes), s.elapsed.Seconds())
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "genbuild:", err)
	os.Exit(1)
}

type options struct {
	out    string
	target int64 // minimum JS + map bytes
	seed   uint64
	peers  string
	clean  bool
}

type summary struct {
	jsFiles, mapFiles int
	jsBytes, mapBytes int64
	modules           int
	sourceBytes       int64
	elapsed           time.Duration
}

// outputPerSource is about how many bytes of JS plus maps esbuild writes per byte of generated
// source (measured: about 2.4); the first attempt aims a little high so one build usually does.
const outputPerSource = 2.3

func run(opts options) (summary, error) {
	start := time.Now()
	node, err := exec.LookPath("node")
	if err != nil {
		return summary{}, fmt.Errorf("node is needed to run esbuild: %w", err)
	}
	modules, err := nodeModules(opts.peers)
	if err != nil {
		return summary{}, err
	}
	if err := prepareOut(opts.out, opts.clean); err != nil {
		return summary{}, err
	}

	sourceBytes := int64(float64(opts.target) / outputPerSource)
	// A build short of the target is redone with proportionally more source; the sizes depend
	// only on the flags, so so does the output.
	for attempt := 1; ; attempt++ {
		s, err := buildOnce(node, modules, opts, sourceBytes)
		if err != nil {
			return summary{}, err
		}
		total := s.jsBytes + s.mapBytes
		if total >= opts.target {
			s.elapsed = time.Since(start)
			return s, nil
		}
		if attempt == 3 {
			return summary{}, fmt.Errorf("build is %d bytes after %d attempts, want %d", total, attempt, opts.target)
		}
		sourceBytes = int64(float64(sourceBytes) * float64(opts.target) / float64(total) * 1.03)
		if err := os.RemoveAll(opts.out); err != nil {
			return summary{}, fmt.Errorf("clearing %s for a bigger build: %w", opts.out, err)
		}
	}
}

// buildOnce generates about sourceBytes of source in a scratch folder and bundles it into
// opts.out.
func buildOnce(node, modules string, opts options, sourceBytes int64) (summary, error) {
	work, err := os.MkdirTemp("", "genbuild-")
	if err != nil {
		return summary{}, fmt.Errorf("creating a scratch folder: %w", err)
	}
	defer os.RemoveAll(work)

	p := generateProject(opts.seed, sourceBytes)
	src := filepath.Join(work, "src")
	written, err := p.write(src)
	if err != nil {
		return summary{}, err
	}
	entries, err := json.Marshal(p.entries)
	if err != nil {
		return summary{}, fmt.Errorf("encoding entry points: %w", err)
	}
	entriesPath := filepath.Join(work, "entries.json")
	scriptPath := filepath.Join(work, "build.mjs")
	if err := os.WriteFile(entriesPath, entries, 0o644); err != nil {
		return summary{}, fmt.Errorf("writing entry points: %w", err)
	}
	if err := os.WriteFile(scriptPath, buildScript, 0o644); err != nil {
		return summary{}, fmt.Errorf("writing the build script: %w", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, scriptPath, "--src", src, "--entries", entriesPath,
		// "dist" beside "src" is only where esbuild believes it writes, for relative sources.
		"--layout-out", filepath.Join(work, "dist"), "--out", opts.out, "--node-modules", modules)
	var output bytes.Buffer
	cmd.Stdout, cmd.Stderr = &output, &output
	if err := cmd.Run(); err != nil {
		return summary{}, fmt.Errorf("esbuild: %w\n%s", err, output.Bytes())
	}

	s, err := measure(opts.out)
	if err != nil {
		return summary{}, err
	}
	s.modules, s.sourceBytes = len(p.modules), written
	return s, nil
}

// measure counts the build's files and checks that every JS file has its map beside it.
func measure(dir string) (summary, error) {
	var s summary
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch filepath.Ext(path) {
		case ".js":
			if _, err := os.Stat(path + ".map"); err != nil {
				return fmt.Errorf("%s has no map: %w", path, err)
			}
			s.jsFiles++
			s.jsBytes += info.Size()
		case ".map":
			s.mapFiles++
			s.mapBytes += info.Size()
		default:
			return fmt.Errorf("unexpected output file %s", path)
		}
		return nil
	})
	if err != nil {
		return summary{}, fmt.Errorf("checking the build: %w", err)
	}
	return s, nil
}

// nodeModules finds the node_modules folder holding esbuild.
func nodeModules(peers string) (string, error) {
	if peers == "" {
		peers = os.Getenv("RELEASEGATE_PEERS")
	}
	if peers == "" {
		root, err := repoRoot()
		if err != nil {
			return "", err
		}
		peers = filepath.Join(root, ".peers")
	}
	nm := filepath.Join(peers, "node_modules")
	if _, err := os.Stat(filepath.Join(nm, "esbuild", "package.json")); err != nil {
		return "", fmt.Errorf("esbuild is not installed in %s; run `bash .ci/install-peers`: %w", nm, err)
	}
	return filepath.Abs(nm)
}

// repoRoot walks up from the working directory to the folder holding go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("finding the repository: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory; pass -peers")
		}
		dir = parent
	}
}

// prepareOut makes sure out is an empty folder, deleting it first when clean is set: output
// from an earlier build would be counted and mixed with the new one.
func prepareOut(out string, clean bool) error {
	if clean {
		if err := os.RemoveAll(out); err != nil {
			return fmt.Errorf("deleting %s: %w", out, err)
		}
	}
	entries, err := os.ReadDir(out)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return fmt.Errorf("reading %s: %w", out, err)
	case len(entries) > 0:
		return fmt.Errorf("%s is not empty; pass -clean to replace it", out)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", out, err)
	}
	return nil
}

// parseSize reads "60MB", "512KB", "1GB" (powers of 1024) or a plain byte count.
func parseSize(s string) (int64, error) {
	units := []struct {
		suffix string
		scale  int64
	}{{"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"B", 1}}
	num, scale := strings.ToUpper(strings.TrimSpace(s)), int64(1)
	for _, u := range units {
		if rest, ok := strings.CutSuffix(num, u.suffix); ok {
			num, scale = strings.TrimSpace(rest), u.scale
			break
		}
	}
	n, err := strconv.ParseFloat(num, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("invalid -size %q: want a positive number of bytes, KB, MB or GB", s)
	}
	return int64(n * float64(scale)), nil
}

func human(n int64) string {
	return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
}
