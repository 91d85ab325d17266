// Command memory measures releasegate's peak memory on outsized generated files: one and four
// JavaScript files of 250 MB each (with small maps), through validate, inject and upload (to a
// local Sentry), so that docs/benchmarks.md can show that the bytes in flight are bounded, not
// just the workers.
//
//	go run ./bench/memory [-mb 250] [-bin path/to/releasegate] [-work /tmp/rg-memory]
//
// Peak RSS comes from GNU time (%M) around each command; the build is written once and copied
// for each command that rewrites it.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/releasegate/releasegate/internal/sentryapi/sentryapitest"
)

func main() {
	mb := flag.Int("mb", 250, "size of each generated file, in MB")
	bin := flag.String("bin", "", "the releasegate binary to measure (default: built from this checkout)")
	work := flag.String("work", filepath.Join(os.TempDir(), "rg-memory"), "where to write the builds")
	flag.Parse()
	if err := os.MkdirAll(*work, 0o755); err != nil {
		log.Fatal(err)
	}
	if *bin == "" {
		*bin = filepath.Join(*work, "releasegate")
		run(exec.Command("go", "build", "-o", *bin, "./cmd/releasegate"))
	}
	srv := sentryapitest.New(sentryapitest.Options{})
	defer srv.Close()
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + *work, "SENTRY_URL=" + srv.URL(), "SENTRY_AUTH_TOKEN=" + srv.Token(), "SENTRY_ORG=acme"}

	fmt.Printf("| files | command | wall | peak RSS |\n| --- | --- | --- | --- |\n")
	for _, n := range []int{1, 4} {
		build := filepath.Join(*work, fmt.Sprintf("build-%d", n))
		if _, err := os.Stat(build); err != nil {
			writeBuild(build, n, *mb)
		}
		for _, c := range []struct {
			name string
			args []string
		}{
			{"validate", []string{"sourcemaps", "validate"}},
			{"inject", []string{"sourcemaps", "inject"}},
			{"upload", []string{"sourcemaps", "upload", "--project", "web", "--release", fmt.Sprintf("mem@%d", time.Now().UnixNano())}},
		} {
			dir := build
			if c.name != "validate" {
				dir = filepath.Join(*work, "copy")
				os.RemoveAll(dir)
				run(exec.Command("cp", "-r", build, dir))
			}
			wall, rss := measure(env, *bin, append(c.args, dir)...)
			fmt.Printf("| %d × %d MB | %s | %.2f s | %d MiB |\n", n, *mb, c.name, wall.Seconds(), rss>>10)
		}
	}
	os.RemoveAll(filepath.Join(*work, "copy"))
}

// writeBuild writes n generated files of mb MB, each with a tiny map.
func writeBuild(dir string, n, mb int) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		log.Fatal(err)
	}
	line := bytes.Repeat([]byte("function f(a,b){return a+b}var x=f(1,2);"), 50)
	line = append(line, '\n')
	for i := range n {
		name := fmt.Sprintf("big-%d.js", i)
		var b bytes.Buffer
		for b.Len() < mb<<20 {
			b.Write(line)
		}
		fmt.Fprintf(&b, "//# sourceMappingURL=%s.map\n", name)
		if err := os.WriteFile(filepath.Join(dir, name), b.Bytes(), 0o644); err != nil {
			log.Fatal(err)
		}
		m := `{"version":3,"sources":["a.ts"],"sourcesContent":["let a = 1;\n"],"names":[],"mappings":"AAAA"}`
		if err := os.WriteFile(filepath.Join(dir, name+".map"), []byte(m), 0o644); err != nil {
			log.Fatal(err)
		}
	}
}

// measure runs bin under GNU time and returns the wall time and peak RSS in KiB.
func measure(env []string, bin string, args ...string) (time.Duration, int64) {
	rssFile := filepath.Join(os.TempDir(), "rg-memory-rss.txt")
	cmd := exec.Command("/usr/bin/time", append([]string{"-f", "%M", "-o", rssFile, bin}, args...)...)
	cmd.Env = env
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	if err := cmd.Run(); err != nil {
		log.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out.String())
	}
	wall := time.Since(start)
	var rss int64
	if b, err := os.ReadFile(rssFile); err == nil {
		fmt.Sscan(strings.TrimSpace(string(b)), &rss)
	}
	return wall, rss
}

func run(cmd *exec.Cmd) {
	if out, err := cmd.CombinedOutput(); err != nil {
		log.Fatalf("%s: %v\n%s", strings.Join(cmd.Args, " "), err, out)
	}
}
