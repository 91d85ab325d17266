package sourcemaps

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// injectOnce discovers dir, recovers what an interrupted run left, plans and applies, as the
// inject command does.
func injectOnce(t *testing.T, dir string, ctx context.Context) (*Recovery, error) {
	t.Helper()
	opts := DiscoverOptions{Lazy: true}
	d := Discover([]string{dir}, opts)
	rec, err := RecoverInject(d)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Changed() {
		d = Discover([]string{dir}, opts)
	}
	plan, findings := PlanInject(d, InjectOptions{})
	if plan.Blocked() {
		t.Fatalf("plan blocked: %v", findings)
	}
	return rec, ApplyInjectContext(ctx, plan)
}

// TestInjectInterruptedAmongTheRenames stops ApplyInject dead after every possible number of
// renames (as a kill -9 would), then runs inject again: the build must end identical to an
// uninterrupted run, with no temporary file or journal left. Without the journal, a generated
// file renamed before its map would keep the old map and be skipped ("already has a debug ID").
func TestInjectInterruptedAmongTheRenames(t *testing.T) { //nolint:paralleltest // sets the package's stopAfterRenames hook, which every inject reads
	src := filepath.Join("..", "testdata", "sample-build")
	want := copyBuild(t, src)
	if _, err := injectOnce(t, want, context.Background()); err != nil {
		t.Fatal(err)
	}
	wantTree := readFileTree(t, want)
	renames := 0
	for name := range wantTree {
		if !strings.HasPrefix(filepath.Base(name), ".") {
			renames++
		}
	}
	for k := 0; k <= renames; k++ {
		dir := copyBuild(t, src)
		stopAfterRenames = k
		_, err := injectOnce(t, dir, context.Background())
		stopAfterRenames = -1
		if k < countPlannedWrites(t, src) && !errors.Is(err, errStoppedForTest) {
			t.Fatalf("stop after %d renames: err = %v", k, err)
		}
		rec, err := injectOnce(t, dir, context.Background())
		if err != nil {
			t.Fatalf("after stopping at %d renames, the next run failed: %v", k, err)
		}
		if k > 0 && k < countPlannedWrites(t, src) && len(rec.Completed) == 0 {
			t.Errorf("stop after %d renames: the next run finished nothing", k)
		}
		if d := diffFileTrees(wantTree, readFileTree(t, dir)); d != "" {
			t.Fatalf("stop after %d renames, then one run: the build differs from an uninterrupted inject:\n%s", k, d)
		}
	}
}

func countPlannedWrites(t *testing.T, src string) int {
	t.Helper()
	d := Discover([]string{src}, DiscoverOptions{})
	plan, _ := PlanInject(d, InjectOptions{})
	return len(plan.writes)
}

// TestInjectInterruptedWhileWriting: a run stopped while it writes its temporary files (a
// cancelled context, as SIGINT or SIGTERM gives) changes nothing and removes them; a run
// killed then (temporaries left, no journal) has them removed by the next run.
func TestInjectInterruptedWhileWriting(t *testing.T) {
	t.Parallel()
	src := filepath.Join("..", "testdata", "sample-build")
	before := readFileTree(t, src)

	dir := copyBuild(t, src)
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(errors.New("SIGTERM"))
	_, err := injectOnce(t, dir, ctx)
	var ie *InterruptedError
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), "nothing was changed") {
		t.Fatalf("err = %v, want an InterruptedError saying nothing was changed", err)
	}
	if d := diffFileTrees(before, readFileTree(t, dir)); d != "" {
		t.Fatalf("an interrupted run changed the build:\n%s", d)
	}

	// Temporaries of a killed run: no journal, so nothing was replaced; they are swept.
	dir = copyBuild(t, src)
	for _, name := range []string{".main-7CDP6YMD.js.releasegate-123456", ".main-7CDP6YMD.js.map.releasegate-99", "chunks/.x.js.releasegate-1"} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err == nil {
			os.WriteFile(p, []byte("partial"), 0o600)
		}
	}
	rec, err := injectOnce(t, dir, context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rec.StaleTemps < 2 {
		t.Errorf("removed %d stale temporary files, want the 2 or 3 planted", rec.StaleTemps)
	}
	for name := range readFileTree(t, dir) {
		if strings.Contains(name, ".releasegate-") {
			t.Errorf("%s was left behind", name)
		}
	}
}

// TestStaleJournalNotReplayed: a journal whose files changed since (a rebuild after the
// interrupted run) is not replayed over the new build.
func TestStaleJournalNotReplayed(t *testing.T) { //nolint:paralleltest // sets the package's stopAfterRenames hook, which every inject reads
	src := filepath.Join("..", "testdata", "sample-build")
	dir := copyBuild(t, src)
	stopAfterRenames = 1
	_, err := injectOnce(t, dir, context.Background())
	stopAfterRenames = -1
	if !errors.Is(err, errStoppedForTest) {
		t.Fatal(err)
	}
	// The rebuild: every file written again as the bundler wrote it (new times, mostly the
	// same sizes), and the last generated file grown.
	rebuilt := readFileTree(t, src)
	last := ""
	for name := range rebuilt {
		if strings.HasSuffix(name, ".js") && name > last {
			last = name
		}
	}
	rebuilt[last] = append([]byte("/* rebuilt */\n"), rebuilt[last]...)
	time.Sleep(10 * time.Millisecond) // so that the rewrite's times differ on coarse clocks
	for name, data := range rebuilt {
		if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(name)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	d := Discover([]string{dir}, DiscoverOptions{Lazy: true})
	rec, err := RecoverInject(d)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Changed() || len(rec.Findings) != 1 || rec.Findings[0].Code != CodeInjectRecovery {
		t.Fatalf("recovery %+v: want the stale journal reported and nothing replayed", rec)
	}
	got := readFileTree(t, dir)
	for name := range got {
		if strings.Contains(name, "releasegate") {
			t.Errorf("%s was left behind", name)
		}
	}
	if d := diffFileTrees(rebuilt, got); d != "" {
		t.Errorf("the rebuilt files were changed:\n%s", d)
	}
}

func copyBuild(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "dist")
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	return dst
}

// TestInjectInterruptedWithRelativePaths: the build named relative to the working folder, as
// `releasegate sourcemaps inject dist` names it, is repaired too (the journal holds absolute
// paths, which the replay requires).
func TestInjectInterruptedWithRelativePaths(t *testing.T) {
	src := filepath.Join("..", "testdata", "sample-build")
	srcAbs, err := filepath.Abs(src)
	if err != nil {
		t.Fatal(err)
	}
	want := copyBuild(t, srcAbs)
	if _, err := injectOnce(t, want, context.Background()); err != nil {
		t.Fatal(err)
	}
	dir := copyBuild(t, srcAbs)
	t.Chdir(filepath.Dir(dir))
	stopAfterRenames = 3
	_, err = injectOnce(t, "dist", context.Background())
	stopAfterRenames = -1
	if !errors.Is(err, errStoppedForTest) {
		t.Fatal(err)
	}
	rec, err := injectOnce(t, "dist", context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Completed) == 0 || len(rec.Findings) > 0 {
		t.Fatalf("recovery %+v: want the interrupted renames finished", rec)
	}
	if d := diffFileTrees(readFileTree(t, want), readFileTree(t, dir)); d != "" {
		t.Fatalf("the build differs from an uninterrupted inject:\n%s", d)
	}
}

// FuzzParseJournal: whatever a journal file holds, parsing never panics, and an accepted journal
// only names inject's own temporary files, each beside its file, in a folder of the build.
func FuzzParseJournal(f *testing.F) {
	f.Add([]byte(`{"version":1,"files":[{"path":"/b/dist/a.js","tmp":"/b/dist/.a.js.releasegate-123","origSize":10,"origModTime":1}]}`))
	f.Add([]byte(`{"version":1,"files":[{"path":"/etc/passwd","tmp":"/b/dist/.a.js.releasegate-1"}]}`))
	f.Add([]byte(`{"version":1,"files":[{"path":"/b/dist/../x.js","tmp":"/b/x/.x.js.releasegate-1"}]}`))
	f.Add([]byte(`{"version":2}`))
	f.Add([]byte(`null`))
	dirs := map[string]bool{"/b/dist": true}
	f.Fuzz(func(t *testing.T, data []byte) {
		j, err := parseJournal(data, dirs)
		if err != nil {
			return
		}
		for _, e := range j.Files {
			if !dirs[filepath.Dir(e.Path)] || filepath.Dir(e.Tmp) != filepath.Dir(e.Path) || !tempFileRE.MatchString(filepath.Base(e.Tmp)) {
				t.Fatalf("accepted entry %+v outside the build or not inject's", e)
			}
		}
	})
}
