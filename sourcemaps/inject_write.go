package sourcemaps

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"
)

// ApplyError says which file ApplyInject could not write, and why.
type ApplyError struct {
	Path string
	// Replaced is how many files were already replaced: 0 unless a rename failed at the very
	// end (temporary files are all written first, so a full disk or a read-only folder leaves
	// the build untouched).
	Replaced int
	Err      error
	msg      string
}

func (e *ApplyError) Error() string { return e.msg }
func (e *ApplyError) Unwrap() error { return e.Err }

// CodeWriteFailed is the finding code the commands use for an ApplyError.
const CodeWriteFailed = "inject-write-failed"

// ApplyInject writes a plan atomically: every new file goes to a temporary file beside it first;
// only when all of them are written are they renamed over the originals. If any temporary write
// fails (a read-only folder, a full disk) or a file changed since it was read, every temporary
// file is removed and nothing has changed. File modes are kept. Symlinks are followed, as
// sentry-cli follows them: the file they point to is replaced. Errors are *ApplyError.
//
// Before the renames, a journal naming them is written (journal.go), so that a run killed
// among the renames is finished by the next run's RecoverInject instead of leaving a file
// injected beside a map that is not.
func ApplyInject(plan *InjectPlan) error { return ApplyInjectContext(context.Background(), plan) }

// ApplyInjectContext is ApplyInject, stopping when ctx is done (SIGINT, SIGTERM) while the
// temporary files are being written: they are removed, nothing is changed, and the error is an
// *InterruptedError. Once the renames have begun they are finished (they take milliseconds,
// and the journal covers a harder stop).
func ApplyInjectContext(ctx context.Context, plan *InjectPlan) error {
	if plan.Blocked() {
		return fmt.Errorf("the plan has %d errors; nothing was written: fix them and run inject again", plan.Errors)
	}
	var targets []target
	var err error
	if len(plan.lazyPairs) > 0 {
		targets, err = plan.writeLazyTemps(ctx)
	} else {
		targets, err = writeTemps(ctx, plan.writes)
	}
	if err == nil {
		err = checkInterrupted(ctx)
	}
	removeTemps := func(ts []target) {
		for _, t := range ts {
			if t.tmp != "" {
				os.Remove(t.tmp)
			}
		}
	}
	if err != nil {
		removeTemps(targets)
		return err
	}
	if len(targets) == 0 {
		return nil
	}
	journal, err := writeJournal(targets)
	if err != nil {
		removeTemps(targets)
		return applyFail(targets[0].path, 0, err, "cannot write the inject journal beside %s: %v; nothing was changed: make its folder writable (and check free space), then run inject again", targets[0].path, unwrapOr(err))
	}
	for i, t := range targets {
		if i == stopAfterRenames {
			return errStoppedForTest // as a kill -9 would: no cleanup
		}
		if err := os.Rename(t.tmp, t.real); err != nil {
			removeTemps(targets[i:])
			os.Remove(journal)
			return applyFail(t.path, i, err, "cannot replace %s: %v; %d of %d files were already replaced: restore the build output (or rebuild) and run inject again", t.path, err, i, len(targets))
		}
	}
	return os.Remove(journal)
}

func applyFail(path string, replaced int, err error, format string, args ...any) error {
	return &ApplyError{Path: path, Replaced: replaced, Err: err, msg: fmt.Sprintf(format, args...)}
}

// target is one file ApplyInject replaces, and the temporary file holding its new content.
type target struct {
	path     string // as discovered
	real     string // symlinks resolved
	mode     fs.FileMode
	tmp      string
	origSize int64
	origTime time.Time // modification time when planned: a rebuild changes it
}

// resolveTarget checks that w's file is still the one planned (same size, a regular file, not
// reached twice through symlinks) and returns where to write it.
func resolveTarget(w *fileWrite, seen map[string]string) (target, error) {
	real, err := filepath.EvalSymlinks(w.dir.abs(w.path))
	if err != nil {
		err = w.dir.asGiven(err, w.path)
		return target{}, applyFail(w.path, 0, err, "cannot resolve %s: %v; nothing was changed", w.path, err)
	}
	if other, dup := seen[real]; dup {
		return target{}, applyFail(w.path, 0, nil, "%s and %s are the same file (through a symlink); nothing was changed: inject each file once (leave one out with --ignore)", other, w.path)
	}
	seen[real] = w.path
	info, err := os.Stat(real)
	if err != nil {
		err = w.dir.asGiven(err, w.path)
		return target{}, applyFail(w.path, 0, err, "cannot read %s: %v; nothing was changed", w.path, err)
	}
	if !info.Mode().IsRegular() {
		return target{}, applyFail(w.path, 0, nil, "%s is no longer a regular file; nothing was changed: run inject again", w.path)
	}
	if info.Size() != int64(w.origSize) {
		return target{}, applyFail(w.path, 0, nil, "%s changed while inject was running (it was %d bytes, now %d); nothing was changed: run inject again when the build has finished", w.path, w.origSize, info.Size())
	}
	return target{path: w.path, real: real, mode: info.Mode().Perm(), origSize: info.Size(), origTime: info.ModTime()}, nil
}

func tempFail(t target, err error) error {
	cause := err
	if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
		cause = pe.Err // the folder is in the message already
	}
	return applyFail(t.path, 0, err, "cannot write %s: %v; nothing was changed: make its folder writable (and check free space), then run inject again", t.path, cause)
}

// writeTemps checks every planned file, then writes each new content to a temporary file beside
// it. It returns the targets (with the temporaries written so far, for cleanup on error).
func writeTemps(ctx context.Context, writes []fileWrite) ([]target, error) {
	targets := make([]target, 0, len(writes))
	seen := map[string]string{}
	for i := range writes {
		t, err := resolveTarget(&writes[i], seen)
		if err != nil {
			return targets, err
		}
		targets = append(targets, t)
	}
	// Temporary files are written by one goroutine per folder (up to one per CPU): creating
	// files in the same folder from several threads only contends on the folder's lock.
	byDir := map[string][]int{}
	var dirs []string
	for i, t := range targets {
		d := filepath.Dir(t.real)
		if _, ok := byDir[d]; !ok {
			dirs = append(dirs, d)
		}
		byDir[d] = append(byDir[d], i)
	}
	errs := make([]error, len(targets))
	next := make(chan string)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(dirs)) {
		wg.Go(func() {
			for d := range next {
				for _, i := range byDir[d] {
					if errs[i] = checkInterrupted(ctx); errs[i] != nil {
						break
					}
					if targets[i].tmp, errs[i] = writeTemp(targets[i].real, writes[i].parts, targets[i].mode); errs[i] != nil {
						break // this folder is not writable; the others still finish
					}
				}
			}
		})
	}
	for _, d := range dirs {
		next <- d
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if ie := (*InterruptedError)(nil); errors.As(err, &ie) {
			return targets, err
		}
	}
	for i, err := range errs {
		if err != nil {
			return targets, tempFail(targets[i], err)
		}
	}
	return targets, nil
}

// writeLazyTemps plans each pair of a lazy plan again, from disk, one pair per worker at a time,
// checks it gets the same debug ID as planned (else the build changed under us), and writes its
// temporary files; the pair's bytes are let go before the next. Memory holds a few pairs, not
// the build.
func (plan *InjectPlan) writeLazyTemps(ctx context.Context) ([]target, error) {
	planned := make(map[string]string, len(plan.Injected))
	for _, f := range plan.Injected {
		planned[f.Path] = f.DebugID
	}
	var (
		mu      sync.Mutex
		targets []target
		first   error
		seen    = map[string]string{}
	)
	next := make(chan *Pair)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for p := range next {
				ts, err := rewritePair(p, plan.opts, planned, &mu, seen)
				mu.Lock()
				targets = append(targets, ts...)
				if err != nil && first == nil {
					first = err
				}
				mu.Unlock()
			}
		})
	}
	for _, p := range plan.lazyPairs {
		mu.Lock()
		if first == nil {
			first = checkInterrupted(ctx)
		}
		failed := first != nil
		mu.Unlock()
		if failed {
			break
		}
		next <- p
	}
	close(next)
	wg.Wait()
	return targets, first
}

// rewritePair plans one lazy pair again and writes its temporary files.
func rewritePair(p *Pair, opts InjectOptions, planned map[string]string, mu *sync.Mutex, seen map[string]string) ([]target, error) {
	loaded, err := p.Load()
	if loaded {
		defer p.Unload()
	}
	if err != nil {
		return nil, applyFail(p.unreadable(), 0, err, "%v; nothing was changed", err)
	}
	r := planPair(p, opts)
	if r.injected == nil || r.injected.DebugID != planned[p.JS] {
		return nil, applyFail(p.JS, 0, nil, "%s or its map changed while inject was running; nothing was changed: run inject again when the build has finished", p.JS)
	}
	var ts []target
	for i := range r.writes {
		mu.Lock()
		t, err := resolveTarget(&r.writes[i], seen)
		mu.Unlock()
		if err != nil {
			return ts, err
		}
		if t.tmp, err = writeTemp(t.real, r.writes[i].parts, t.mode); err != nil {
			return ts, tempFail(t, err)
		}
		ts = append(ts, t)
	}
	return ts, nil
}

// stopAfterRenames, when not -1, makes ApplyInject stop dead after that many renames, leaving
// temporaries and journal as a kill would; tests use it to check RecoverInject.
var stopAfterRenames = -1

var errStoppedForTest = errors.New("stopped by the test after some renames")

// createTemp is os.CreateTemp; tests replace it to simulate a full disk on any machine (root
// ignores read-only permissions).
var createTemp = os.CreateTemp

// writeTemp writes data to a new hidden file in path's folder and returns its name.
func writeTemp(path string, parts [][]byte, mode fs.FileMode) (string, error) {
	f, err := createTemp(filepath.Dir(path), "."+filepath.Base(path)+".releasegate-*")
	if err != nil {
		return "", err
	}
	for _, p := range parts {
		if err == nil && len(p) > 0 {
			_, err = f.Write(p)
		}
	}
	if err == nil {
		err = f.Chmod(mode)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}
