package main

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestInjectKilledAnywhereIsRepaired runs the real binary on a build of 440 pairs and kills
// it (SIGKILL, or SIGTERM as a CI cancel sends) at a random moment of its run, many times.
// Afterwards one more run must leave every pair byte for byte as an uninterrupted run does,
// with no temporary file or journal left behind. A SIGTERM must end in exit 0 (the run had
// finished) or 3 (interrupted, nothing changed), never in a half-written build.
//
// Not parallel: it kills the process among its renames, a window of milliseconds timed on an
// uninterrupted run; alone on the machine (serial tests run before the parallel ones) the
// timing holds.
func TestInjectKilledAnywhereIsRepaired(t *testing.T) { //nolint:paralleltest // see above
	if testing.Short() {
		t.Skip("-short: builds the binary and kills it 10 times")
	}
	bin := filepath.Join(t.TempDir(), "releasegate")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	src := filepath.Join(t.TempDir(), "build")
	for i := range 40 {
		if err := os.CopyFS(filepath.Join(src, fmt.Sprintf("part%03d", i)), os.DirFS(sampleBuild)); err != nil {
			t.Fatal(err)
		}
	}
	copyBuild := func() string {
		dst := filepath.Join(t.TempDir(), "dist")
		if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
			t.Fatal(err)
		}
		return dst
	}
	run := func(dir string) (int, string) {
		cmd := exec.Command(bin, "sourcemaps", "inject", dir)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		if err != nil {
			return cmd.ProcessState.ExitCode(), out.String()
		}
		return 0, out.String()
	}

	want := copyBuild()
	start := time.Now()
	if code, out := run(want); code != 0 {
		t.Fatalf("uninterrupted inject: exit %d\n%s", code, out)
	}
	full := time.Since(start)
	wantSum := treeSum(t, want)

	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 11))
	repaired := 0
	for trial := range 10 {
		dir := copyBuild()
		sig := syscall.SIGKILL
		if trial%2 == 1 {
			sig = syscall.SIGTERM
		}
		cmd := exec.Command(bin, "sourcemaps", "inject", dir)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		var delay time.Duration
		if trial%4 < 2 {
			// Anywhere in the run: mostly while the temporary files are written.
			delay = time.Duration(rng.Int64N(int64(full) + 1))
			time.Sleep(delay)
		} else {
			// Among the renames, the few milliseconds between the journal's appearance and
			// its removal, where a pair can be half-replaced.
			extra := time.Duration(rng.Int64N(int64(3 * time.Millisecond)))
			delay = waitForJournal(dir, done) + extra
			time.Sleep(extra)
		}
		cmd.Process.Signal(sig)
		<-done
		code := cmd.ProcessState.ExitCode()
		if sig == syscall.SIGTERM && code != 0 && code != exitUndecided && code != -1 {
			t.Errorf("trial %d: SIGTERM after %s: exit %d, want 0 (finished) or 3 (interrupted)\n%s", trial, delay, code, out.String())
		}
		if sig == syscall.SIGTERM && code == exitUndecided && !strings.Contains(out.String(), "nothing was changed") {
			t.Errorf("trial %d: interrupted by SIGTERM without saying what was done:\n%s", trial, out.String())
		}
		code, again := run(dir)
		if code != 0 {
			t.Fatalf("trial %d (%s after %s): the next run: exit %d\n%s", trial, sig, delay, code, again)
		}
		if m := finishedRE.FindStringSubmatch(again); m != nil {
			repaired++
		}
		if got := treeSum(t, dir); got != wantSum {
			t.Fatalf("trial %d (%s after %s of a %s run): one more run does not give the uninterrupted result\nfirst run said:\n%s\nnext run said:\n%s", trial, sig, delay, full, out.String(), again)
		}
	}
	t.Logf("10 interrupted runs of a %s inject (440 pairs); %d left renames that the next run finished", full.Round(time.Millisecond), repaired)
	if repaired == 0 {
		t.Errorf("no run was stopped among the renames, so the journal's replay was not exercised")
	}
}

var finishedRE = regexp.MustCompile(`finished replacing ([1-9][0-9]*) files?`)

// waitForJournal polls dir's folders until an inject journal appears (the renames began) or
// the process ends, and returns how long that took.
func waitForJournal(dir string, done <-chan struct{}) time.Duration {
	start := time.Now()
	var candidates []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			candidates = append(candidates, filepath.Join(p, ".releasegate-inject.journal"))
		}
		return nil
	})
	for {
		select {
		case <-done:
			return time.Since(start)
		default:
		}
		for _, c := range candidates {
			if _, err := os.Lstat(c); err == nil {
				return time.Since(start)
			}
		}
	}
}

// treeSum hashes every file of dir with its path: two trees are equal when their sums are.
func treeSum(t *testing.T, dir string) string {
	t.Helper()
	var names []string
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		data, err := os.ReadFile(p)
		names = append(names, rel)
		files[rel] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		fmt.Fprintf(h, "%s\x00%d\x00", n, len(files[n]))
		h.Write(files[n])
	}
	return fmt.Sprintf("%x (%d files)", h.Sum(nil), len(names))
}
