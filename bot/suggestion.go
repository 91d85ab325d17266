package bot

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/releasegate/releasegate/bot/suggest"
	"github.com/releasegate/releasegate/bot/triage"
	"github.com/releasegate/releasegate/internal/sentryapi"
)

// ModelSuggester is the optional second suggester (a chat model), asked when the rules find
// nothing to say about an error they could check.
type ModelSuggester interface {
	Suggest(ctx context.Context, in suggest.Input) (suggest.Result, error)
}

// SuggestOptions shape one suggestion.
type SuggestOptions struct {
	// Root is the folder of the service the event's project belongs to ("" none), as triage
	// locates frames.
	Root string
	// Blame names the pull request suspected of the error at a file's line (nil: none).
	Blame func(path string, line int) *suggest.Blame
	// Checkers replace or add parse checks by language; PythonChecker is the default for
	// Python.
	Checkers map[suggest.Language]suggest.Checker
	// Model is asked when the rules abstain for want of a rule (nil: rules only).
	Model ModelSuggester
}

// ReadSource reads a file of the repository at the release's commit; a file that is not
// there is os.ErrNotExist (or wraps it).
type ReadSource func(ctx context.Context, path string) ([]byte, error)

// SuggestFor is the one path from an event to a suggestion, for the App and for `releasegate
// suggest`: the exceptions tried root cause first, each at its newest in-app frame found
// among paths, the file read at the commit, the rules, then (if configured and the rules knew
// no rule) the model. It returns the first suggestion, else the first exception's abstention.
// An error is a failure to read the sources, never a judgement.
func SuggestFor(ctx context.Context, ev *sentryapi.Event, paths []string, read ReadSource, o SuggestOptions) (suggest.Result, error) {
	excs, err := ev.Exceptions()
	if err != nil {
		return suggest.Result{}, err
	}
	abstain := func(reason string) suggest.Result {
		return suggest.Result{Suggester: suggest.ByRules, AbstainReason: reason}
	}
	if len(excs) == 0 {
		return abstain("the event has no exception (a captured message): there is no raised error to fix"), nil
	}
	checkers := map[suggest.Language]suggest.Checker{suggest.Python: PythonChecker}
	for l, c := range o.Checkers {
		checkers[l] = c
	}
	files := triage.NewFiles(paths)
	var first *suggest.Result
	var inputs []suggest.Input
	for _, e := range excs {
		in, reason, err := inputOf(ctx, e, files, read, o)
		if err != nil {
			return suggest.Result{}, err
		}
		var res suggest.Result
		if reason != "" {
			res = abstain(reason)
		} else {
			res = suggest.Suggest(in, suggest.Options{Checkers: checkers})
			inputs = append(inputs, in)
		}
		if res.Suggested {
			return res, nil
		}
		if first == nil {
			first = &res
		}
	}
	if o.Model != nil {
		for _, in := range inputs {
			if suggest.Precheck(in) != "" {
				continue // what stops the rules stops the model: stale, generated, vendored, unreadable
			}
			res, err := o.Model.Suggest(ctx, in)
			if err != nil {
				first.AbstainReason += fmt.Sprintf("; the model could not be asked (%v)", err)
				break
			}
			if res.Suggested {
				return res, nil
			}
			if res.AbstainReason != "" {
				first.AbstainReason += "; " + res.AbstainReason
			}
			break
		}
	}
	return *first, nil
}

// inputOf builds the suggesters' input for one exception: its newest in-app frame that is a
// file of the repository, and that file. reason says why there is none.
func inputOf(ctx context.Context, e sentryapi.ExceptionValue, files *triage.Files, read ReadSource, o SuggestOptions) (suggest.Input, string, error) {
	in := suggest.Input{Exception: suggest.Exception{Type: e.Type, Value: e.Value}}
	if e.Stacktrace == nil || len(e.Stacktrace.Frames) == 0 {
		return in, fmt.Sprintf("%s has no stack trace, so no line to fix", describeException(e)), nil
	}
	var frames []triage.Frame
	for _, fr := range e.Stacktrace.Frames {
		frames = append(frames, triage.Frame{Filename: fr.Filename, AbsPath: fr.AbsPath, Module: fr.Module, Function: fr.Function,
			Platform: fr.Platform, LineNo: fr.LineNo, InApp: fr.InApp})
	}
	loc, skipped, ok := files.TopFrame([][]triage.Frame{frames}, o.Root)
	switch {
	case ok:
	case len(loc.Ambiguous) > 0:
		return in, fmt.Sprintf("the frame that raised %s could be any of %s; no fix is proposed on a guess", describeException(e), strings.Join(loc.Ambiguous, ", ")), nil
	case skipped == 0:
		return in, fmt.Sprintf("%s has no in-app frame: it was raised in library code", describeException(e)), nil
	default:
		return in, fmt.Sprintf("none of the %d in-app frames of %s is a file of the repository (minified, vendored or generated code?)", skipped, describeException(e)), nil
	}
	var raw sentryapi.Frame
	for i := len(e.Stacktrace.Frames) - 1; i >= 0; i-- {
		fr := e.Stacktrace.Frames[i]
		if fr.InApp && fr.Filename == loc.Frame.Filename && fr.AbsPath == loc.Frame.AbsPath && fr.Module == loc.Frame.Module && fr.LineNo == loc.Frame.LineNo {
			raw = fr
			break
		}
	}
	in.Frame = suggest.Frame{Path: loc.Path, Line: loc.Line, Column: raw.ColNo, Function: raw.Function, Module: raw.Module}
	for _, cl := range raw.Context {
		in.Frame.Context = append(in.Frame.Context, suggest.ContextLine{Line: cl.Line, Text: cl.Text})
	}
	src, err := read(ctx, loc.Path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		src = nil // the rules say it could not be read
	case err != nil:
		return in, "", fmt.Errorf("reading %s for a suggestion: %w", loc.Path, err)
	}
	in.Source = src
	if o.Blame != nil {
		in.Blame = o.Blame(loc.Path, loc.Line)
	}
	return in, "", nil
}

func describeException(e sentryapi.ExceptionValue) string {
	if e.Type == "" {
		return "the exception"
	}
	return e.Type
}

// PythonChecker checks that a Python file compiles, with `python3 -m py_compile` (CPython's
// own parser). Without python3 it answers suggest.ErrNoChecker, and the rules abstain.
func PythonChecker(p string, src []byte) error {
	py, err := pythonPath()
	if err != nil {
		return fmt.Errorf("python3 is not installed here: %w", suggest.ErrNoChecker)
	}
	dir, err := os.MkdirTemp("", "releasegate-pycheck-")
	if err != nil {
		return fmt.Errorf("checking %s: %w", p, err)
	}
	defer func() { _ = os.RemoveAll(dir) }()
	file := filepath.Join(dir, filepath.Base(p))
	if err := os.WriteFile(file, src, 0o600); err != nil {
		return fmt.Errorf("checking %s: %w", p, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// -I: isolated from the user's environment and site packages. The bytecode py_compile
	// writes goes to __pycache__ in the temporary folder, removed with it. (Not
	// PYTHONPYCACHEPREFIX: it also moves where the standard library's cached bytecode is
	// looked for, and a start then compiles it all again, 0.25 s instead of 0.04 s.)
	cmd := exec.CommandContext(ctx, py, "-I", "-m", "py_compile", file)
	cmd.Env = []string{}
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		return fmt.Errorf("python3 took too long to compile %s: %w", p, suggest.ErrNoChecker)
	}
	if err != nil {
		msg := strings.TrimSpace(strings.ReplaceAll(string(out), file, p))
		return fmt.Errorf("%s does not compile: %s", p, lastLines(msg, 4))
	}
	return nil
}

// pythonPath is the interpreter python3 runs: asked once, so each check starts CPython itself
// rather than a version manager's shim in front of it (pyenv's costs ~0.1 s a start).
var pythonPath = sync.OnceValues(func() (string, error) {
	py, err := exec.LookPath("python3")
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, py, "-c", "import sys; print(sys.executable)").Output()
	if exe := strings.TrimSpace(string(out)); err == nil && filepath.IsAbs(exe) {
		if info, err := os.Stat(exe); err == nil && info.Mode().IsRegular() {
			return exe, nil
		}
	}
	return py, nil
})

func lastLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " / ")
}
