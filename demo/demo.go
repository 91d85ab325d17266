// Package demo is `releasegate demo`: releasegate's whole job, end to end, on a sample app and
// local stand-ins for Sentry, GitHub and Jira (the fakes the tests use), in under a minute.
//
// It starts the stand-ins on loopback and the service (`serve`'s Bot, store and HTTP interface,
// SQLite in a temporary folder), deploys two versions of the sample app through the GitHub
// Action's own code (validate, inject, upload, commits, ownership sync, release, deploy), sends
// the users' errors through the real sentry-go SDK, gates both versions with `releasegate
// gate`, sends GitHub's deployment protection rule and Sentry's new-issue webhooks to the
// service, and reports what each produced. Every outcome it prints is read from a real call's
// result or from what the stand-ins recorded.
package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/releasegate/releasegate/gate"
)

// Invocation is one releasegate command line run in-process, as a CI step would run it.
type Invocation struct {
	Args []string
	// Dir is the working folder; Env the whole environment (nothing of the process's).
	Dir string
	Env map[string]string
	// Out and ErrOut take the command's streams.
	Out, ErrOut io.Writer
}

// Options are the demo's inputs.
type Options struct {
	// Out takes the narration, the gate's report and the PR comment; ErrOut the service's
	// complaints, if any.
	Out, ErrOut io.Writer
	// Once ends the demo after the last step instead of keeping the decision page up until ctx
	// ends.
	Once bool
	// Dir is the folder for the workspaces and the service's database ("": a new temporary
	// folder, removed at the end).
	Dir string
	// Listen is the service's address (default 127.0.0.1:0: a free loopback port).
	Listen string
	// Now is the clock the simulated history is laid out from (nil: time.Now).
	Now func() time.Time
	// Releasegate runs a releasegate command line (cmd's executeWith): the action and the gate
	// go through it, so the demo runs the code CI runs.
	Releasegate func(ctx context.Context, inv Invocation) (exitCode int, err error)
	// Verbose copies the commands' own output (the action's log) to Out.
	Verbose bool
}

// Outcome is what happened, read from the calls' results and the stand-ins' records.
type Outcome struct {
	// Phases are the action's phases per version ("v1", "v2"): name → "ok: detail".
	Phases map[string][]string
	// Gate holds the gate's decision per version.
	Gate map[string]gate.Decision
	// Reviews are the service's answers to the protection rules, per version.
	Reviews map[string]Review
	// IssueShortID is the new issue v2 raised; IssueEvents its events.
	IssueShortID string
	IssueEvents  int
	JiraKey      string
	JiraTickets  int
	// Comment is the triage comment on the suspect pull request.
	Comment       string
	CommentPR     int
	TriageComment int // how many triage comments there are
	FixPR         int
	FixPRURL      string
	FixPRs        int
	FixPRBranch   string
	// GitDataCalls counts the fix's calls to GitHub's git data API (blobs, trees, commits, refs).
	GitDataCalls int
	// SentryLinks are the Sentry issue's links to external issues (the Jira ticket).
	SentryLinks []string
	// DecisionPage is the v2 decision's page at the service.
	DecisionPage string
	// DecisionPageStatus is the page's HTTP status when the demo fetched it.
	DecisionPageStatus int
	ServiceURL         string
	Elapsed            time.Duration
}

// Review is a protection rule's review as GitHub received it.
type Review struct {
	State, Comment string
	// Status is the service's answer to the webhook.
	Status int
}

// Run runs the demo. Without Once it keeps the service up until ctx ends.
func Run(ctx context.Context, o Options) (out *Outcome, err error) {
	if o.Releasegate == nil {
		return nil, errors.New("demo: Options.Releasegate is required: it runs the action and the gate")
	}
	if o.Out == nil {
		o.Out = io.Discard
	}
	if o.ErrOut == nil {
		o.ErrOut = io.Discard
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Listen == "" {
		o.Listen = "127.0.0.1:0"
	}
	started := time.Now()
	rep := newReporter(ctx)
	defer func() {
		if p := recover(); p != nil {
			f, ok := p.(fatal)
			if !ok {
				panic(p)
			}
			err = errors.Join(err, f.err)
		}
		if ferr := rep.finish(); ferr != nil {
			err = errors.Join(err, fmt.Errorf("the stand-ins saw calls they should not have: %w", ferr))
		}
	}()
	if o.Dir == "" {
		dir, err := os.MkdirTemp("", "releasegate-demo-")
		if err != nil {
			return nil, fmt.Errorf("making the demo's temporary folder: %w", err)
		}
		rep.Cleanup(func() { _ = os.RemoveAll(dir) })
		o.Dir = dir
	}
	s := &scenario{o: o, rep: rep, out: &Outcome{Phases: map[string][]string{}, Gate: map[string]gate.Decision{}, Reviews: map[string]Review{}}}
	if err := s.run(ctx); err != nil {
		return s.out, err
	}
	s.out.Elapsed = time.Since(started)
	s.say("Done in %s.", s.out.Elapsed.Round(100*time.Millisecond))
	if o.Once {
		return s.out, nil
	}
	s.say("\nThe decision page stays up at %s — press Ctrl-C to stop.", s.out.DecisionPage)
	<-ctx.Done()
	return s.out, nil
}

// scenario is one run's state.
type scenario struct {
	o   Options
	rep *reporter
	out *Outcome
	w   *world
}

func (s *scenario) say(format string, args ...any) {
	fmt.Fprintf(s.o.Out, format+"\n", args...)
}

func (s *scenario) step(n int, title string) {
	fmt.Fprintf(s.o.Out, "\n== %d. %s\n", n, title)
}

// versions are the two releases: v1 healthy, v2 with a TypeError in the checkout code.
var versions = [2]version{
	{Name: "v1", SHA: "3d1f0c9a7b2e4f6081c5d7e9a0b3c6d8e1f2a4b5"},
	{Name: "v2", SHA: "9e8b7a6c5d4f3e2d1c0b9a8f7e6d5c4b3a291807"},
}

func (s *scenario) workspaceDir(v version) string { return filepath.Join(s.o.Dir, v.Name) }
