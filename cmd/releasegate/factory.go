package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/releasegate/releasegate/internal/gitlog"
	"github.com/releasegate/releasegate/internal/sentryapi"
	"github.com/releasegate/releasegate/internal/sentryconf"
)

// Factory is what the commands take from their surroundings, in one place (after cli/cli's
// cmdutil.Factory): the streams, the environment, the working and home folders, the HTTP
// transport and the logger. Main builds one from the process; tests and the GitHub App build
// their own, so no command needs os.Getenv, os.Getwd or a global to do its work.
type Factory struct {
	IO     *IOStreams
	Getenv func(string) string
	// Environ is the environment of the programs the commands start (git), as KEY=VALUE
	// entries; it holds what Getenv answers. nil: they are given none.
	Environ func() []string
	// WorkDir and HomeDir locate sentry.properties and .sentryclirc ("" when unknown).
	WorkDir func() (string, error)
	HomeDir func() (string, error)
	// Transport carries every Sentry request (nil: http.DefaultTransport).
	Transport http.RoundTripper
	// Logger receives the Sentry client's request and retry lines (set by --log-level).
	Logger *slog.Logger
}

// newFactory is the process's own environment.
func newFactory(ios *IOStreams) *Factory {
	return &Factory{
		IO: ios, Getenv: os.Getenv, Environ: os.Environ, WorkDir: os.Getwd, HomeDir: os.UserHomeDir,
		Logger: slog.New(slog.DiscardHandler),
	}
}

// Abs resolves a path given on the command line (or in an input) against the working folder,
// the one place relative paths are anchored, so a command never depends on the process's
// current directory. An absolute path, or any path when the folder is unknown, is kept.
func (f *Factory) Abs(path string) string {
	dir := f.workDir()
	if path == "" || filepath.IsAbs(path) || dir == "" {
		return path
	}
	return filepath.Join(dir, path)
}

// workDir is the working folder, "" when unknown (a factory built without one).
func (f *Factory) workDir() string {
	if f.WorkDir == nil {
		return ""
	}
	dir, err := f.WorkDir()
	if err != nil {
		return ""
	}
	return dir
}

// homeDir is the home folder, "" when unknown (a factory built without one): then no
// ~/.sentryclirc is read.
func (f *Factory) homeDir() string {
	if f.HomeDir == nil {
		return ""
	}
	home, err := f.HomeDir()
	if err != nil {
		return ""
	}
	return home
}

// DisplayPath shows a path relative to the working folder when it is below it, so messages
// can be clicked in terminals and editors.
func (f *Factory) DisplayPath(path string) string {
	abs := f.Abs(path)
	if dir := f.workDir(); dir != "" {
		if rel, err := filepath.Rel(dir, abs); err == nil && !strings.HasPrefix(rel, "..") {
			return rel
		}
	}
	return abs
}

// asGiven names the file of a path error as the user gave it, not as Abs resolved it, so
// messages read as they did when paths were the process's.
func asGiven(err error, given string) error {
	if pe, ok := errors.AsType[*fs.PathError](err); ok {
		pe.Path = given
	}
	return err
}

// environ is the environment git runs with: Environ's, or none.
func (f *Factory) environ() []string {
	if f.Environ == nil {
		return nil
	}
	return f.Environ()
}

// GitRepo opens the git work tree of the working folder, git running in the factory's
// environment.
func (f *Factory) GitRepo(ctx context.Context) (*gitlog.Repo, error) {
	return gitlog.Open(ctx, f.Abs("."), f.environ())
}

// withEnv is a copy of f whose environment has vars added (over any of the same name), for
// Getenv and for the programs the commands start alike.
func (f *Factory) withEnv(vars map[string]string) *Factory {
	c := *f
	if len(vars) == 0 {
		return &c
	}
	base, baseEnviron := f.Getenv, f.Environ
	c.Getenv = func(k string) string {
		if v, ok := vars[k]; ok {
			return v
		}
		if base == nil {
			return ""
		}
		return base(k)
	}
	c.Environ = func() []string {
		var env []string
		if baseEnviron != nil {
			env = baseEnviron()
		}
		// Later entries win: exec keeps the last value of a name given twice.
		for _, k := range slices.Sorted(maps.Keys(vars)) {
			env = append(env, k+"="+vars[k])
		}
		return env
	}
	return &c
}

// fixedEnv is an environment of vars alone, nothing of the process's: a command the demo runs,
// or a test's. Environ lists them sorted by name. vars must not change afterwards.
func fixedEnv(vars map[string]string) (getenv func(string) string, environ func() []string) {
	getenv = func(k string) string { return vars[k] }
	environ = func() []string {
		env := make([]string, 0, len(vars))
		for _, k := range slices.Sorted(maps.Keys(vars)) {
			env = append(env, k+"="+vars[k])
		}
		return env
	}
	return getenv, environ
}

// sentryInput is sentryconf's view of the factory.
func (f *Factory) sentryInput(flags sentryconf.Connection) sentryconf.Input {
	return sentryconf.Input{Getenv: f.Getenv, Dir: f.workDir(), Home: f.homeDir(), Flags: flags}
}

// SentryConnection resolves the Sentry connection from the flags given, the environment and the
// files, as sentry-cli does; warnings go to the error stream.
func (f *Factory) SentryConnection(flags sentryFlags, extra sentryconf.Connection) (sentryconf.Connection, error) {
	in := extra
	in.URL, in.Org, in.Token, in.Projects = flags.URL, flags.Org, flags.Token, flags.Projects
	in.AllowInsecure = flags.AllowInsecure
	c, err := sentryconf.Load(f.sentryInput(in))
	if err != nil {
		return c, usageErrorf("Sentry configuration: %v", err)
	}
	for _, w := range c.Warnings {
		fmt.Fprintf(f.IO.ErrOut, "releasegate: warning: %s\n", w)
	}
	return c, nil
}

// SentryClient builds the one Sentry client of a command for c, counting its requests.
func (f *Factory) SentryClient(c sentryconf.Connection) (*sentryapi.Client, *countingTransport, error) {
	next := f.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	ct := &countingTransport{next: next}
	client, err := c.Client(sentryconf.ClientOptions{UserAgent: "releasegate/" + buildVersion(), Transport: ct, Logger: f.Logger})
	if err != nil {
		return nil, nil, usageErrorf("%v", err)
	}
	return client, ct, nil
}

// logFlags are the root's --log-level and --log-format.
type logFlags struct{ level, format string }

func (l *logFlags) register(root *cobra.Command) {
	root.PersistentFlags().StringVar(&l.level, "log-level", "off", "log Sentry requests and retries to stderr: debug, info, warn, error or off (tokens are never logged)")
	root.PersistentFlags().StringVar(&l.format, "log-format", "text", "log line format: text or json")
}

// logger builds the logger the flags ask for, writing to w.
func (l *logFlags) logger(w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	switch strings.ToLower(l.level) {
	case "off", "":
		return slog.New(slog.DiscardHandler), nil
	case "debug":
		level = slog.LevelDebug
	case "info":
		level = slog.LevelInfo
	case "warn":
		level = slog.LevelWarn
	case "error":
		level = slog.LevelError
	default:
		return nil, usageErrorf("unknown --log-level %q: use debug, info, warn, error or off", l.level)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch l.format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, usageErrorf("unknown --log-format %q: use text or json", l.format)
}
