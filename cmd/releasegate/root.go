package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/releasegate/releasegate/errkind"
)

// Exit codes, documented in README.md; scripts and the Action depend on them.
const (
	exitOK        = 0
	exitNo        = 1 // the verdict is no: validation found errors, the gate failed
	exitUsage     = 2 // usage or configuration error
	exitUndecided = 3 // could not decide: a service unreachable, a timeout
)

// version is set at build time with -ldflags "-X main.version=v1.2.3"; otherwise the module
// version or VCS revision recorded by the Go toolchain is shown.
var version = ""

func buildVersion() string {
	if version != "" {
		return version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	rev, dirty := "", false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return "devel"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if dirty {
		rev += "-dirty"
	}
	return "devel-" + rev
}

// IOStreams are the command's standard streams. Commands write data to Out and messages to
// ErrOut, and never touch os.Stdout directly, so tests can run them in-process.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	// OutTTY and ErrTTY say whether the streams are terminals (colour and progress only then).
	OutTTY, ErrTTY bool
	// NoColor is NO_COLOR being set (to anything): no colour even on a terminal.
	NoColor bool
}

func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// exitCodes is the one mapping from the kind of a failure to the exit code (DESIGN.md, README):
// every error a command returns, cmd's own or shared code's, becomes its exit code here.
var exitCodes = map[errkind.Kind]int{
	errkind.Verdict:   exitNo,
	errkind.Usage:     exitUsage,
	errkind.Config:    exitUsage, // a configuration Sentry refuses is never an outage
	errkind.Undecided: exitUndecided,
}

// exitCodeOf is the exit code of a command that returned err. An error that states no kind
// is cobra's, about the command line (an unknown command or flag): exit 2.
func exitCodeOf(err error) int {
	if err == nil {
		return exitOK
	}
	if code, ok := exitCodes[errkind.Of(err)]; ok {
		return code
	}
	return exitUsage
}

// exitError is cmd's own failure with its exit code: its flag and argument checks, and a
// verdict its output has explained. A nil err means the message was already printed.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// ErrorKind is the kind of the exit code, so exitCodeOf maps it back.
func (e *exitError) ErrorKind() errkind.Kind {
	switch e.code {
	case exitNo:
		return errkind.Verdict
	case exitUndecided:
		return errkind.Undecided
	}
	return errkind.Usage
}

// usageErrorf reports a usage or configuration error (exit 2).
func usageErrorf(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

// verdictNo reports that the command ran and its answer is no (exit 1); the output said why.
func verdictNo() error { return &exitError{code: exitNo} }

// Main runs the CLI with args and the given streams and returns the exit code.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	limitMemory(os.Getenv)
	code, _ := execute(args, stdin, stdout, stderr)
	return code
}

// execute runs one command line as Main does, and also returns the message it printed to
// stderr as the reason it failed (nil when it succeeded, or when its output said why), so the
// action can repeat a sub-command's own words in its annotation and summary.
func execute(args []string, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	_, noColor := os.LookupEnv("NO_COLOR")
	ios := &IOStreams{In: stdin, Out: stdout, ErrOut: stderr, OutTTY: isTerminal(stdout), ErrTTY: isTerminal(stderr), NoColor: noColor}
	return executeWith(newFactory(ios), args)
}

// executeWith runs one command line in the surroundings f describes (its streams, environment
// and working folder) rather than the process's: what tests and the GitHub App call.
func executeWith(f *Factory, args []string) (int, error) {
	stderr := f.IO.ErrOut
	root := newRootCmd(f)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return exitOK, nil
	}
	if errkind.Of(err) == errkind.Unknown {
		// Anything else cobra returns is about the command line: unknown command or flag, bad args.
		fmt.Fprintf(stderr, "releasegate: %v\nRun 'releasegate --help' for usage.\n", err)
		return exitUsage, err
	}
	code := exitCodeOf(err)
	if ee, ok := errors.AsType[*exitError](err); ok {
		err = ee.err // nil when the output has said why
	}
	if err != nil {
		fmt.Fprintf(stderr, "releasegate: %v\n", err)
	}
	return code, err
}

func newRootCmd(factory *Factory) *cobra.Command {
	ios := factory.IO
	root := &cobra.Command{
		Use:   "releasegate",
		Short: "Keep broken releases out of production (Sentry + GitHub)",
		Long: `releasegate keeps broken releases out of production for teams on Sentry and GitHub.

It validates JavaScript source maps before anyone ships them, injects Sentry debug IDs
exactly as sentry-cli does, uploads them to Sentry and resolves minified positions back
to the original code. It creates Sentry releases and deploys, keeps ownership rules in
sentry.properties in sync with Sentry, and gates a deploy on Sentry's evidence.

Exit codes: 0 ok · 1 the verdict is no (e.g. validation found errors) · 2 usage or
configuration error, including a token Sentry rejects or that lacks a scope, and an
organization, project or release Sentry does not know · 3 could not decide (a service
unreachable after retries, a timeout).`,
		Version:       buildVersion(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(ios.In)
	root.SetOut(ios.Out)
	root.SetErr(ios.ErrOut)
	root.SetVersionTemplate("releasegate {{.Version}}\n")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageErrorf("%v\nRun '%s --help' for usage.", err, c.CommandPath())
	})
	var logs logFlags
	logs.register(root)
	root.PersistentPreRunE = func(*cobra.Command, []string) error {
		l, err := logs.logger(ios.ErrOut)
		if err != nil {
			return err
		}
		factory.Logger = l
		return nil
	}
	root.AddCommand(newSourcemapsCmd(factory))
	root.AddCommand(newReleaseCmd(factory))
	root.AddCommand(newOwnershipCmd(factory))
	root.AddCommand(newGateCmd(factory))
	root.AddCommand(newActionCmd(factory))
	root.AddCommand(newSentryCmd(factory))
	root.AddCommand(newServeCmd(factory))
	root.AddCommand(newTriageCmd(factory))
	root.AddCommand(newSuggestCmd(factory))
	root.AddCommand(newAppCmd(factory))
	root.AddCommand(newDemoCmd(factory))
	// cobra's own `completion` command stays on (bash, zsh, fish, powershell); `docs` writes the
	// man pages and completion files the release archives carry.
	root.AddCommand(newDocsCmd(factory))
	return root
}

// exactArgs and minArgs wrap cobra's checks so that argument mistakes exit 2 with a hint.
func minArgs(n int, what string) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) < n {
			return usageErrorf("%s: missing %s\nRun '%s --help' for usage.", c.CommandPath(), what, c.CommandPath())
		}
		return nil
	}
}

// unknownSubcommand is the Args check of a command group (sourcemaps, release): a mistyped
// subcommand in a CI script must fail with exit 2, not print help and exit 0 as cobra would.
func unknownSubcommand(c *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	msg := fmt.Sprintf("unknown command %q for %q", args[0], c.CommandPath())
	if s := c.SuggestionsFor(args[0]); len(s) > 0 {
		msg += fmt.Sprintf("; did you mean %s?", strings.Join(s, " or "))
	}
	return usageErrorf("%s\nRun '%s --help' for usage.", msg, c.CommandPath())
}
