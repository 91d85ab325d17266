package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/releasegate/releasegate/bot"
	"github.com/releasegate/releasegate/bot/suggest"
	"github.com/releasegate/releasegate/errkind"
	"github.com/releasegate/releasegate/internal/repofiles"
	"github.com/releasegate/releasegate/internal/sentryapi"
	"github.com/releasegate/releasegate/internal/sentryconf"
	"github.com/releasegate/releasegate/internal/serveconf"
)

// SuggestOptions are the inputs of `releasegate suggest`.
type SuggestOptions struct {
	IO     *IOStreams
	Sentry sentryFlags
	Event  string // a file holding one event
	Issue  string // or a Sentry issue, whose latest event is read
	Source string // the checkout the frames are looked for in
	Format string
	// MaxEventSize bounds the event file read.
	MaxEventSize int64
}

// maxSuggestFile bounds a source file read for a suggestion; the rules refuse minified
// files anyway.
const maxSuggestFile = 2 << 20

func newSuggestCmd(factory *Factory) *cobra.Command {
	opts := &SuggestOptions{IO: factory.IO, MaxEventSize: 8 << 20}
	cmd := &cobra.Command{
		Use:   "suggest --event FILE | --issue ID",
		Short: "Suggest a fix for one Sentry error, or say why none is safe",
		Long: `Run the App's fix suggesters on one error: an event in a file (as Sentry's API returns
it, or as an SDK sends it) or a Sentry issue's latest event, with the sources of a local
checkout (--source, default the working folder) standing for the release's commit.

It prints the suggestion — the diff, why it fixes the error, its confidence and the rule's
family — or the abstention and its reason. The rules abstain whenever they are unsure: the
failing expression cannot be pinned to one, the checkout differs from the source the event
saw, the file is generated or vendored, the fix would change a signature. Every suggestion's
diff is applied to the file and the result parsed before it is printed.

A model suggester (an OpenAI-compatible chat endpoint) is asked when the rules have no rule
for the error, if RELEASEGATE_MODEL_URL and RELEASEGATE_MODEL are set (docs/bot.md); its
answers are labelled as the model's.

--format json is a documented contract (docs/output.md); --format diff prints the diff
alone (nothing when no fix is suggested; the reason goes to stderr). Its paths are the
repository's, from its top folder, also when --source is a service's folder inside it: git
apply takes them so in any folder of the repository.

Exit status: 0 a suggestion or an abstention was made · 2 bad input (the event file, the
flags, the Sentry configuration) · 3 Sentry could not be asked.`,
		Example: `  releasegate suggest --event event.json
  releasegate suggest --issue WEB-123 --org acme --source ~/src/shop
  releasegate suggest --event event.json --format diff | git apply`,
		Args: func(_ *cobra.Command, args []string) error {
			// `suggest event.json` is a likely first try: say which flag takes it.
			if len(args) > 0 {
				return usageErrorf("unexpected argument %q: suggest reads its error from a flag: --event FILE (a file holding one Sentry event) or --issue ID (a Sentry issue)", args[0])
			}
			return nil
		},
		RunE: func(c *cobra.Command, _ []string) error {
			ctx, cancel := commandContext(c)
			defer cancel()
			return suggestRun(ctx, opts)
		},
	}
	opts.Sentry.register(factory, cmd, false)
	fl := cmd.Flags()
	fl.StringVar(&opts.Event, "event", "", "a file holding one event (Sentry API or SDK format)")
	fl.StringVar(&opts.Issue, "issue", "", "a Sentry issue (WEB-123 or its numeric ID): its latest event")
	fl.StringVar(&opts.Source, "source", ".", "the checkout holding the sources at the release's commit")
	fl.StringVarP(&opts.Format, "format", "f", "text", "output: text, json or diff")
	return cmd
}

func suggestRun(ctx context.Context, opts *SuggestOptions) error {
	env := opts.Sentry.env(opts.IO)
	switch opts.Format {
	case "text", "json", "diff":
	default:
		return usageErrorf("unknown --format %q: use text, json or diff", opts.Format)
	}
	switch {
	case opts.Event == "" && opts.Issue == "":
		return usageErrorf("no error to suggest a fix for: give --event FILE (a file holding one Sentry event) or --issue ID (a Sentry issue, whose latest event is read)")
	case opts.Event != "" && opts.Issue != "":
		return usageErrorf("--event and --issue were both given: give one of them (--event FILE reads an event from a file, --issue ID an issue's latest event from Sentry)")
	}
	model, err := modelSuggester(env)
	if err != nil {
		return err
	}
	ev, err := suggestEvent(ctx, opts, env)
	if err != nil {
		return err
	}
	dir := env.Abs(opts.Source)
	tree, err := repofiles.Load(ctx, dir, env.environ())
	if err != nil {
		return sourceError(opts.Source, dir, err)
	}
	root, _ := tree.Rel(dir) // a service's folder in a monorepo: its files come first
	if root == "." {
		root = ""
	}
	read := func(_ context.Context, p string) ([]byte, error) {
		return readCheckoutFile(tree.Root, p)
	}
	res, err := bot.SuggestFor(ctx, ev, tree.Files, read, bot.SuggestOptions{Root: root, Model: model})
	if err != nil {
		return err
	}
	switch opts.Format {
	case "json":
		return writeJSON(opts.IO.Out, res)
	case "diff":
		if !res.Suggested {
			_, err := fmt.Fprintf(opts.IO.ErrOut, "no fix suggested: %s\n", res.AbstainReason)
			return err
		}
		_, err := io.WriteString(opts.IO.Out, res.Diff)
		return err
	}
	return renderSuggestion(opts.IO.Out, newPalette(opts.IO, opts.IO.OutTTY), res)
}

// suggestEvent reads the event: the file, or the issue's latest event from Sentry.
func suggestEvent(ctx context.Context, opts *SuggestOptions, env *Factory) (*sentryapi.Event, error) {
	if opts.Event != "" {
		return readSuggestEvent(env.Abs(opts.Event), opts.Event, opts.MaxEventSize)
	}
	conn, err := opts.Sentry.connection(opts.IO, sentryconf.Connection{})
	if err != nil {
		return nil, err
	}
	if err := conn.Require(true, false, false); err != nil {
		return nil, usageErrorf("%v", err)
	}
	client, _, err := env.SentryClient(conn)
	if err != nil {
		return nil, err
	}
	det, err := client.LookupIssue(ctx, conn.Org, opts.Issue)
	if err != nil {
		return nil, sentryReadError(fmt.Errorf("looking up issue %s in the Sentry organization %s: %w", opts.Issue, conn.Org, err))
	}
	ev, err := client.IssueEvent(ctx, conn.Org, string(det.ID), sentryapi.LatestEvent)
	if err != nil {
		return nil, sentryReadError(fmt.Errorf("reading the latest event of Sentry issue %s: %w", det.ShortID, err))
	}
	return ev, nil
}

// sentryReadError gives a failed read of Sentry its exit code: an answer that says what is
// wrong (a token, an issue Sentry does not know) keeps its kind, exit 2; anything else, such
// as a server that cannot be reached, means Sentry could not be asked, exit 3.
func sentryReadError(err error) error {
	if errkind.Of(err) == errkind.Unknown {
		return errkind.Wrap(errkind.Undecided, err)
	}
	return err
}

// eventFileHelp is what to do about an --event file that is not an event.
const eventFileHelp = "save one event as JSON (the event's JSON from Sentry, or the payload an SDK sends), or use --issue ID to read an issue's latest event from Sentry"

// readSuggestEvent reads and decodes the --event file; given is the path as the user typed it,
// for messages.
func readSuggestEvent(path, given string, limit int64) (*sentryapi.Event, error) {
	data, err := readBounded(path, limit)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, usageErrorf("--event %s: no such file; give the path of a file holding one Sentry event, or use --issue ID to read an issue's latest event from Sentry", given)
	case err != nil:
		return nil, usageErrorf("--event %s: %v; %s", given, asGiven(err, given), eventFileHelp)
	}
	if trimmed := bytes.TrimSpace(data); len(trimmed) > 0 && trimmed[0] == '[' {
		return nil, usageErrorf("--event %s: a JSON list, not one event (a list of events from Sentry's API?); %s", given, eventFileHelp)
	}
	ev, err := sentryapi.DecodeEvent(data)
	if err != nil {
		return nil, usageErrorf("--event %s: %v; %s", given, err, eventFileHelp)
	}
	return ev, nil
}

// sourceError says what is wrong with --source and what to give instead.
func sourceError(given, dir string, err error) error {
	const want = "give the folder of a checkout holding the release's sources (the default is the working folder)"
	if errors.Is(err, fs.ErrNotExist) {
		return usageErrorf("--source %s: no such folder; %s", given, want)
	}
	if info, statErr := os.Stat(dir); statErr == nil && !info.IsDir() {
		return usageErrorf("--source %s: a file, not a folder; %s", given, want)
	}
	return usageErrorf("--source %s: %v; %s", given, asGiven(err, given), want)
}

// readBounded reads a regular file of at most limit bytes.
func readBounded(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, errors.New("not a regular file (a folder?)")
	}
	if info.Size() > limit {
		return nil, fmt.Errorf("%d bytes, more than the %d read", info.Size(), limit)
	}
	return io.ReadAll(io.LimitReader(f, limit+1))
}

// readCheckoutFile reads a file of the checkout by its repository path; a missing file is
// os.ErrNotExist (the rules then say it could not be read), and nothing outside root or
// beyond a regular file is read.
func readCheckoutFile(root, rel string) ([]byte, error) {
	if !fs.ValidPath(rel) {
		return nil, fmt.Errorf("%s is not a path inside the checkout: %w", rel, os.ErrNotExist)
	}
	data, err := readBounded(filepath.Join(root, filepath.FromSlash(rel)), maxSuggestFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if err != nil {
		// Too large or not a regular file: not a source the rules could change.
		return nil, fmt.Errorf("%w (%s: %w)", os.ErrNotExist, rel, err)
	}
	return data, nil
}

// renderSuggestion writes a suggestion or an abstention for a person.
func renderSuggestion(w io.Writer, p palette, r suggest.Result) error {
	var b strings.Builder
	if !r.Suggested {
		fmt.Fprintf(&b, "%s %s\n", p.Bold("No fix suggested:"), r.AbstainReason)
		if r.File != "" {
			fmt.Fprintf(&b, "  at %s:%d\n", r.File, r.Line)
		}
		_, err := io.WriteString(w, b.String())
		return err
	}
	by := "the rules"
	if r.Suggester == suggest.ByModel {
		by = "a model (check it carefully)"
	}
	fmt.Fprintf(&b, "%s %s:%d\n", p.Bold("Suggested fix for"), r.File, r.Line)
	fmt.Fprintf(&b, "  family: %s · confidence: %s · suggested by %s\n\n", r.Family, r.Confidence, by)
	fmt.Fprintf(&b, "%s\n\n", wrapText(r.Explanation, 90))
	b.WriteString(r.Diff)
	_, err := io.WriteString(w, b.String())
	return err
}

// wrapText breaks a paragraph at spaces to lines of at most width characters.
func wrapText(s string, width int) string {
	var lines []string
	var cur string
	for _, word := range strings.Fields(s) {
		if cur != "" && len(cur)+1+len(word) > width {
			lines = append(lines, cur)
			cur = ""
		}
		if cur != "" {
			cur += " "
		}
		cur += word
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return strings.Join(lines, "\n")
}

// modelSuggester is the model suggester the service's RELEASEGATE_MODEL_* variables configure
// (nil when they configure none), so a command run by hand asks what the App asks. A one-off
// command keeps its budget in memory: it asks once.
func modelSuggester(env *Factory) (bot.ModelSuggester, error) {
	m, err := serveconf.LoadModel(serveconf.Input{Getenv: env.Getenv, ReadFile: func(name string) ([]byte, error) { return os.ReadFile(env.Abs(name)) }})
	if confErr, ok := errors.AsType[*serveconf.Error](err); ok {
		// Said as this command's problem: serveconf's own prefix names the server.
		return nil, errkind.Errorf(errkind.Config, "the model suggester's variables: %s\n  (set RELEASEGATE_MODEL_URL and RELEASEGATE_MODEL both to ask a model, or neither to use the rules alone; docs/bot.md)",
			strings.Join(confErr.Problems, "; "))
	}
	if err != nil {
		return nil, errkind.Wrap(errkind.Config, err)
	}
	return bot.NewModelSuggester(m, env.Transport, "releasegate/"+buildVersion(), env.Logger, nil, nil)
}
