// Command upload times a fresh source map upload by sentry-cli 3.8.0 and by releasegate, against
// the same local Sentry (sentryapitest on loopback), on copies of the same large build, in one
// run; then times a second upload of the same build by each (which should send no chunks).
//
//	go run ./bench/upload [-build bench/out/large] [-reps 3] [-out bench/results/upload.md]
//
// Both tools do the whole job: sentry-cli runs `sourcemaps inject` then `sourcemaps upload
// --wait`, releasegate runs `sourcemaps upload` (which validates, injects and waits for "ok").
// Wall time and peak RSS come from the child processes (getrusage); requests and bytes from the
// server's log. Make the build with `go run ./bench/genbuild -out bench/out/large -size 60MB`
// and the peers with `bash .ci/install-peers`.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/releasegate/releasegate/internal/sentryapi/sentryapitest"
)

type sample struct {
	wall     time.Duration
	maxRSSKB int64
	requests int
	sent     int64 // request body bytes received by the server
	chunkReq int
	output   string // what the tool printed (releasegate's last line has its phase timings)
}

func main() {
	build := flag.String("build", "bench/out/large", "the build to upload (see bench/genbuild)")
	reps := flag.Int("reps", 3, "fresh uploads per tool")
	out := flag.String("out", "bench/results/upload.md", "where to write the results")
	peers := flag.String("peers", ".peers", "folder holding node_modules with @sentry/cli")
	flag.Parse()
	log.SetFlags(0)

	// The native binary, not the npm wrapper script, which adds ~90 ms of node start-up per run.
	cli, err := filepath.Abs(filepath.Join(*peers, "node_modules", "@sentry", "cli-linux-x64", "bin", "sentry-cli"))
	must(err)
	if _, err := os.Stat(cli); err != nil {
		log.Fatalf("sentry-cli not found (%v): run bash .ci/install-peers", err)
	}
	if _, err := os.Stat("/usr/bin/time"); err != nil {
		log.Fatal("GNU time is needed to measure peak memory: apt-get install -y time")
	}
	if _, err := os.Stat(*build); err != nil {
		log.Fatalf("build not found (%v): run go run ./bench/genbuild -out %s -size 60MB", err, *build)
	}
	work, err := os.MkdirTemp("", "rg-bench-upload-")
	must(err)
	defer os.RemoveAll(work)
	rg := filepath.Join(work, "releasegate")
	run(exec.Command("go", "build", "-o", rg, "./cmd/releasegate"))

	srv := sentryapitest.New(sentryapitest.Options{})
	defer srv.Close()
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + work, "SENTRY_URL=" + srv.URL(), "SENTRY_AUTH_TOKEN=" + srv.Token(),
		"SENTRY_ORG=acme", "SENTRY_DISABLE_UPDATE_CHECK=true", "SENTRY_LOAD_DOTENV=0", "SENTRY_NO_PROGRESS_BAR=1"}

	files, size := 0, int64(0)
	filepath.Walk(*build, func(_ string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			files++
			size += info.Size()
		}
		return nil
	})
	log.Printf("build: %d files, %.1f MB; %d fresh uploads per tool; %d CPUs", files, float64(size)/1e6, *reps, runtime.NumCPU())

	var cliFresh, rgFresh []sample
	var cliAgain, rgAgain sample
	for i := range *reps {
		release := fmt.Sprintf("bench@%d", i)
		// Each tool gets its own copy and its own release, and the server forgets every chunk
		// between runs, so every measured upload is a fresh one.
		a := copyBuild(*build, filepath.Join(work, fmt.Sprintf("cli-%d", i)))
		b := copyBuild(*build, filepath.Join(work, fmt.Sprintf("rg-%d", i)))

		srv.ForgetUploads()
		s := timed(srv, env, cli, "sourcemaps", "inject", a)
		s2 := timed(srv, env, cli, "sourcemaps", "upload", "--project", "web", "--release", release, "--wait", a)
		cliFresh = append(cliFresh, combine(s, s2))
		if i == 0 {
			cliAgain = timed(srv, env, cli, "sourcemaps", "upload", "--project", "web", "--release", release, "--wait", a)
		}

		srv.ForgetUploads()
		r := timed(srv, env, rg, "sourcemaps", "upload", "--project", "web", "--release", release, b)
		rgFresh = append(rgFresh, r)
		if i == 0 {
			rgAgain = timed(srv, env, rg, "sourcemaps", "upload", "--project", "web", "--release", release, b)
		}
		log.Printf("run %d: sentry-cli %s (%d MiB), releasegate %s (%d MiB)\n  %s", i+1, cliFresh[i].wall.Round(time.Millisecond), cliFresh[i].maxRSSKB>>10, r.wall.Round(time.Millisecond), r.maxRSSKB>>10, lastLine(r.output))
	}
	report := render(*build, files, size, *reps, cliFresh, rgFresh, cliAgain, rgAgain)
	fmt.Print(report)
	must(os.MkdirAll(filepath.Dir(*out), 0o755))
	must(os.WriteFile(*out, []byte(report), 0o644))
}

// combine adds sentry-cli's inject and upload runs: both are part of its job.
func combine(a, b sample) sample {
	return sample{wall: a.wall + b.wall, maxRSSKB: max(a.maxRSSKB, b.maxRSSKB), requests: a.requests + b.requests, sent: a.sent + b.sent, chunkReq: a.chunkReq + b.chunkReq}
}

func timed(srv *sentryapitest.Server, env []string, bin string, args ...string) sample {
	srv.ResetRequests()
	// GNU time forks the tool from a small process: a child forked from this one (which holds
	// the server and its chunks) would report this process's peak memory as its own.
	rssFile := filepath.Join(os.TempDir(), "rg-bench-rss.txt")
	cmd := exec.Command("/usr/bin/time", append([]string{"-f", "%M", "-o", rssFile, bin}, args...)...)
	cmd.Env = env
	var stdout, stderr strings.Builder
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		log.Fatalf("%s %s: %v\n%s", filepath.Base(bin), strings.Join(args, " "), err, stderr.String())
	}
	s := sample{wall: time.Since(start), output: stdout.String()}
	if b, err := os.ReadFile(rssFile); err == nil {
		fmt.Sscan(strings.TrimSpace(string(b)), &s.maxRSSKB)
	}
	for _, r := range srv.Requests() {
		s.requests++
		s.sent += int64(len(r.Body))
		if r.Method == "POST" && strings.Contains(r.Path, "chunk-upload") {
			s.chunkReq++
		}
	}
	if len(srv.Unexpected()) > 0 {
		log.Fatalf("unexpected requests: %+v", srv.Unexpected())
	}
	return s
}

func median(ss []sample, f func(sample) float64) float64 {
	v := make([]float64, len(ss))
	for i, s := range ss {
		v[i] = f(s)
	}
	slices.Sort(v)
	return v[len(v)/2]
}

func render(build string, files int, size int64, reps int, cli, rg []sample, cliAgain, rgAgain sample) string {
	wall := func(s sample) float64 { return s.wall.Seconds() }
	rss := func(s sample) float64 { return float64(s.maxRSSKB) / 1024 }
	var b strings.Builder
	fmt.Fprintf(&b, "# Benchmark: source map upload, releasegate vs sentry-cli 3.8.0\n\n")
	fmt.Fprintf(&b, "Command: `go run ./bench/upload -reps %d` (%s), against `sentryapitest` on loopback.\n\n", reps, time.Now().Format("2006-01-02"))
	fmt.Fprintf(&b, "Build: `%s` (from `go run ./bench/genbuild -size 60MB`): %d files, %.1f MB. Machine: %d CPUs, %s.\n", build, files, float64(size)/1e6, runtime.NumCPU(), runtime.Version())
	fmt.Fprintf(&b, "Each fresh upload runs on its own copy of the build with the server's chunk store emptied. sentry-cli's job is `sourcemaps inject` then `sourcemaps upload --wait`; releasegate's is `sourcemaps upload` (validate, inject, upload, wait for ok). Medians of %d runs; peak RSS is the largest process's.\n\n", reps)
	fmt.Fprintf(&b, "| job | wall (median) | peak RSS (median) | requests | request bytes |\n| --- | --- | --- | --- | --- |\n")
	row := func(name string, ss []sample) {
		fmt.Fprintf(&b, "| %s | %.2f s | %.0f MiB | %d | %.1f MB |\n", name, median(ss, wall), median(ss, rss), ss[0].requests, float64(ss[0].sent)/1e6)
	}
	row("sentry-cli inject + upload (fresh)", cli)
	row("releasegate upload (fresh)", rg)
	row("sentry-cli upload again", []sample{cliAgain})
	row("releasegate upload again", []sample{rgAgain})
	ratio := median(cli, wall) / median(rg, wall)
	fmt.Fprintf(&b, "\nsentry-cli ÷ releasegate, fresh upload wall time: **%.2f×** (the target is ≥ 2×: at most half sentry-cli's time).\n", ratio)
	fmt.Fprintf(&b, "Peak memory: releasegate %.0f MiB, sentry-cli %.0f MiB.\n", median(rg, rss), median(cli, rss))
	fmt.Fprintf(&b, "Uploading the same build again: releasegate sent %d chunk requests and %.1f KB in %d requests; sentry-cli %d chunk requests, %.1f KB in %d requests.\n",
		rgAgain.chunkReq, float64(rgAgain.sent)/1e3, rgAgain.requests, cliAgain.chunkReq, float64(cliAgain.sent)/1e3, cliAgain.requests)
	return b.String()
}

func copyBuild(src, dst string) string {
	must(os.CopyFS(dst, os.DirFS(src)))
	return dst
}

func run(cmd *exec.Cmd) {
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	must(cmd.Run())
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
