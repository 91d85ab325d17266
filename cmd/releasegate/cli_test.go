package main

import (
	"bytes"
	"log/slog"
	"maps"
	"os"
	"strings"
	"testing"

	"github.com/releasegate/releasegate/internal/sentryapi/sentryapitest"
)

// cliEnv is what a test runs the CLI in: its environment variables, working folder and home
// folder, stated rather than taken from the process, and the local Sentry it talks to (when
// there is one). A test that runs the CLI through it sets no process environment and changes
// no directory, so it can run in parallel with the others.
type cliEnv struct {
	*sentryapitest.Server
	Vars map[string]string
	// Dir is the working folder: relative paths, sentry.properties, the policy and git.
	Dir  string
	Home string
}

// newCLIEnv is an environment holding vars only, in the package's folder (where the tests'
// relative paths point), with an empty home so no real .sentryclirc is read.
func newCLIEnv(t *testing.T, vars map[string]string) *cliEnv {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if vars == nil {
		vars = map[string]string{}
	}
	return &cliEnv{Vars: vars, Dir: dir, Home: t.TempDir()}
}

// sentryEnv points the in-process CLI at srv (SENTRY_URL and SENTRY_AUTH_TOKEN, nothing else).
func sentryEnv(t *testing.T, srv *sentryapitest.Server) *cliEnv {
	t.Helper()
	e := newCLIEnv(t, map[string]string{"SENTRY_URL": srv.URL(), "SENTRY_AUTH_TOKEN": srv.Token()})
	e.Server = srv
	return e
}

// factory is the Factory a command line runs with: a copy of Vars, so a test changing them
// later does not change a run under way. git is given Vars too, and nothing else.
func (e *cliEnv) factory(ios *IOStreams) *Factory {
	getenv, environ := fixedEnv(maps.Clone(e.Vars))
	dir, home := e.Dir, e.Home
	return &Factory{
		IO:     ios,
		Getenv: getenv, Environ: environ,
		WorkDir: func() (string, error) { return dir, nil },
		HomeDir: func() (string, error) { return home, nil },
		Logger:  slog.New(slog.DiscardHandler),
	}
}

// run runs one command line in e, with stdin, and returns the exit code and both streams.
func (e *cliEnv) run(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code, _ = executeWith(e.factory(&IOStreams{In: strings.NewReader(stdin), Out: &out, ErrOut: &errOut}), args)
	return code, out.String(), errOut.String()
}

// with is a copy of e with more variables set (key, value, key, value...).
func (e *cliEnv) with(kv ...string) *cliEnv {
	c := *e
	c.Vars = maps.Clone(e.Vars)
	for i := 0; i+1 < len(kv); i += 2 {
		c.Vars[kv[i]] = kv[i+1]
	}
	return &c
}
