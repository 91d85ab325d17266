package sourcemaps

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// An inject replaces many files, and a CI cancel or a kill -9 can stop it anywhere. Each new
// file is first written in full to a hidden temporary file beside it; only then is a journal
// written, naming every (temporary, final) pair; then the temporaries are renamed over the
// files, and the journal is removed. So whatever the moment of the interruption, the next run
// recognises the state:
//
//   - no journal: nothing was replaced; temporaries left by the interrupted run are removed;
//   - a journal: the renames it names are finished (each temporary still there is renamed), so
//     every pair is whole again, and inject then goes on as usual.
//
// A journal whose files changed since (a rebuild) is not replayed: its temporaries are removed.

// journalName is the file ApplyInject keeps while it renames.
const journalName = ".releasegate-inject.journal"

// tempFileRE matches the temporary files writeTemp creates (os.CreateTemp's random suffix).
var tempFileRE = regexp.MustCompile(`^\..+\.releasegate-[0-9]+$`)

type journalFile struct {
	Version int            `json:"version"`
	Files   []journalEntry `json:"files"`
}

type journalEntry struct {
	// Path is the file replaced (symlinks resolved); Tmp the temporary holding its new
	// content; OrigSize and OrigModTime (Unix nanoseconds) the file's when planned, to tell a
	// rebuild, which rewrites the files and so changes their times even when not their sizes.
	Path        string `json:"path"`
	Tmp         string `json:"tmp"`
	OrigSize    int64  `json:"origSize"`
	OrigModTime int64  `json:"origModTime"`
}

// writeJournal records the renames about to happen, in the folder of the first file, and
// returns its path. It is synced: after a crash it must be whole or absent.
func writeJournal(targets []target) (string, error) {
	j := journalFile{Version: 1}
	for _, t := range targets {
		// Absolute: the next run may start from another folder, and a journal names nothing
		// relative to where it was written.
		path, err := filepath.Abs(t.real)
		if err != nil {
			return "", err
		}
		tmp, err := filepath.Abs(t.tmp)
		if err != nil {
			return "", err
		}
		j.Files = append(j.Files, journalEntry{Path: path, Tmp: tmp, OrigSize: t.origSize, OrigModTime: t.origTime.UnixNano()})
	}
	data, err := json.Marshal(j)
	if err != nil {
		return "", err
	}
	p := filepath.Join(filepath.Dir(targets[0].real), journalName)
	tmp, err := createTemp(filepath.Dir(p), journalName+"-*")
	if err != nil {
		return "", err
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), p)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return "", err
	}
	return p, nil
}

// Recovery is what RecoverInject found of earlier, interrupted runs, and did about it.
type Recovery struct {
	// Completed lists the files whose interrupted replacement was finished.
	Completed []string
	// StaleTemps counts the temporary files of interrupted runs that were removed.
	StaleTemps int
	// Findings are journals that could not be replayed (the build changed since).
	Findings []Finding
}

// Changed reports whether the recovery changed any file of the build.
func (r *Recovery) Changed() bool { return len(r.Completed) > 0 }

// RecoverInject repairs what interrupted inject runs left in the folders of d: it finishes the
// renames of every journal, then removes the temporary files no journal names. Run it before
// planning (a half-replaced pair would otherwise look injected and be skipped), and discover
// again when it changed something.
func RecoverInject(d *Discovery) (*Recovery, error) {
	rec := &Recovery{}
	dirs := map[string]bool{}
	for _, p := range d.Pairs {
		for _, f := range []string{p.JS, p.Map} {
			if f == "" {
				continue
			}
			// Inject writes beside the file a symlink leads to, so that folder, absolute, is
			// where its journal and temporaries are; one name per folder, so each is read once.
			if real, err := p.dir.realPath(f); err == nil {
				dirs[filepath.Dir(real)] = true
			} else if abs, err := filepath.Abs(filepath.Dir(p.dir.abs(f))); err == nil {
				dirs[abs] = true
			}
		}
	}
	sorted := make([]string, 0, len(dirs))
	for d := range dirs {
		sorted = append(sorted, d)
	}
	slices.Sort(sorted)
	for _, dir := range sorted {
		if err := replayJournal(filepath.Join(dir, journalName), dirs, rec); err != nil {
			return rec, err
		}
	}
	for _, dir := range sorted {
		entries, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, e := range entries {
			if !e.Type().IsRegular() || !tempFileRE.MatchString(e.Name()) && !strings.HasPrefix(e.Name(), journalName+"-") {
				continue
			}
			if os.Remove(filepath.Join(dir, e.Name())) == nil {
				rec.StaleTemps++
			}
		}
	}
	return rec, nil
}

// replayJournal finishes the renames the journal at p names, if there is one.
func replayJournal(p string, dirs map[string]bool, rec *Recovery) error {
	data, err := folder("").readRegular(p, 64<<20) // p is absolute
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading %s, left by an interrupted inject: %w", p, err)
	}
	j, err := parseJournal(data, dirs)
	if err != nil {
		// Journals are written whole (synced, then renamed into place), so this is not ours
		// to replay; the stale temporaries go with the sweep that follows.
		rec.Findings = append(rec.Findings, Finding{Code: CodeInjectRecovery, Severity: SeverityWarning, Path: p,
			Message: fmt.Sprintf("an inject journal that cannot be replayed was removed (%v); if an earlier inject was interrupted, rebuild and inject again", err)})
		return os.Remove(p)
	}
	// A file still waiting for its rename must be the one planned: a rebuild since the
	// interruption makes the journal stale.
	for _, e := range j.Files {
		if _, err := os.Lstat(e.Tmp); err != nil {
			continue // renamed before the interruption
		}
		if info, err := os.Stat(e.Path); err != nil || info.Size() != e.OrigSize || info.ModTime().UnixNano() != e.OrigModTime {
			rec.Findings = append(rec.Findings, Finding{Code: CodeInjectRecovery, Severity: SeverityWarning, Path: e.Path,
				Message: "an interrupted inject's journal was not replayed, because the build changed since (a rebuild?): its temporary files were removed; inject the new build as usual"})
			return os.Remove(p) // the sweep removes the temporaries
		}
	}
	for _, e := range j.Files {
		if _, err := os.Stat(e.Tmp); err != nil {
			continue
		}
		if err := os.Rename(e.Tmp, e.Path); err != nil {
			return fmt.Errorf("finishing an interrupted inject: cannot replace %s: %w; restore the build output (or rebuild) and run inject again", e.Path, err)
		}
		rec.Completed = append(rec.Completed, e.Path)
	}
	return os.Remove(p)
}

// parseJournal reads a journal and checks that it only names what ApplyInject writes: each
// temporary file beside its file, named as writeTemp names it, in a folder of the build being
// recovered (dirs). A journal is a file in the build folder like any other: it must not be
// able to make inject move a file anywhere else.
func parseJournal(data []byte, dirs map[string]bool) (*journalFile, error) {
	var j journalFile
	if err := json.Unmarshal(data, &j); err != nil {
		return nil, fmt.Errorf("not a journal: %w", err)
	}
	if j.Version != 1 {
		return nil, fmt.Errorf("journal version %d, want 1", j.Version)
	}
	for i, e := range j.Files {
		switch {
		case e.Path == "" || e.Tmp == "" || !filepath.IsAbs(e.Path) || filepath.Clean(e.Path) != e.Path:
			return nil, fmt.Errorf("entry %d: %q is not a clean absolute path", i, e.Path)
		case filepath.Dir(e.Tmp) != filepath.Dir(e.Path):
			return nil, fmt.Errorf("entry %d: the temporary file %q is not beside %q", i, e.Tmp, e.Path)
		case !strings.HasPrefix(filepath.Base(e.Tmp), "."+filepath.Base(e.Path)+".releasegate-") || !tempFileRE.MatchString(filepath.Base(e.Tmp)):
			return nil, fmt.Errorf("entry %d: %q is not a temporary file of inject", i, e.Tmp)
		case dirs != nil && !dirs[filepath.Dir(e.Path)]:
			return nil, fmt.Errorf("entry %d: %q is not in a folder of this build", i, e.Path)
		}
	}
	return &j, nil
}

// CodeInjectRecovery is the finding code of a journal RecoverInject could not replay.
const CodeInjectRecovery = "inject-recovery"

// InterruptedError is an inject stopped (SIGINT, SIGTERM, a cancelled context) before it
// replaced any file: nothing was changed.
type InterruptedError struct{ Cause error }

func (e *InterruptedError) Error() string {
	return fmt.Sprintf("inject was interrupted (%v) before it replaced any file; nothing was changed", e.Cause)
}

func (e *InterruptedError) Unwrap() error { return e.Cause }

// checkInterrupted returns an *InterruptedError once ctx is done.
func checkInterrupted(ctx context.Context) error {
	if ctx == nil || ctx.Err() == nil {
		return nil
	}
	return &InterruptedError{Cause: context.Cause(ctx)}
}
