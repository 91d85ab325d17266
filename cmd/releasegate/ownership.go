package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/releasegate/releasegate/internal/repofiles"
	"github.com/releasegate/releasegate/internal/sentryconf"
	"github.com/releasegate/releasegate/ownership"
)

func newOwnershipCmd(factory *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ownership",
		Short: "Check, explain and sync Sentry ownership rules kept in sentry.properties",
		Long: `Keep Sentry's ownership rules in the repository, next to the code they describe.

Each service's sentry.properties names its Sentry project (defaults.org,
defaults.project) and holds its ownership rules under ownership.* keys, in Sentry's own
rule syntax; with ownership.codeowners = true the repository's CODEOWNERS is imported as
Sentry imports it. docs/ownership.md lists the keys.

  check    finds every sentry.properties under a folder and reports mistakes with file:line
  explain  shows which rules match a file, a URL or an event, and who owns it
  sync     makes Sentry's rules match the repository's (shows the diff first)`,
		Args:                       unknownSubcommand,
		RunE:                       func(c *cobra.Command, _ []string) error { return c.Help() },
		SuggestionsMinimumDistance: 2,
	}
	cmd.AddCommand(newOwnershipCheckCmd(factory))
	cmd.AddCommand(newOwnershipExplainCmd(factory))
	cmd.AddCommand(newOwnershipSyncCmd(factory))
	return cmd
}

// ownershipProject is one sentry.properties with what was read from and for it.
type ownershipProject struct {
	Props   string // the file, as messages show it (relative to the working directory)
	Dir     string // its folder, slash-separated and relative to the repository root ("" at the root)
	Config  *ownership.Config
	Import  *ownership.CodeownersImport // nil unless ownership.codeowners = true and it was read
	Mapping ownership.CodeMapping
	// Problems are the syntax and setting errors of the file, its rules file and CODEOWNERS.
	Problems []ownership.Problem
	Conn     sentryconf.Connection
	// ConnErr says why the Sentry connection could not be worked out for this file.
	ConnErr error
	// factory builds the project's Sentry client.
	factory *Factory
}

// Rules are the rules Sentry evaluates for the project: CODEOWNERS first, then the
// ownership rules (sentry-api.md §5.4).
func (p *ownershipProject) Rules() []ownership.Rule {
	var rules []ownership.Rule
	if p.Import != nil {
		rules = append(rules, p.Import.Rules...)
	}
	if p.Config != nil {
		rules = append(rules, p.Config.Rules...)
	}
	return rules
}

// Name is "org/project" when known, else the properties file.
func (p *ownershipProject) Name() string {
	if p.Conn.Org != "" && len(p.Conn.Projects) == 1 {
		return p.Conn.Org + "/" + p.Conn.Projects[0]
	}
	return p.Props
}

// ownershipRepo is the repository and every sentry.properties found under the folder given.
type ownershipRepo struct {
	Tree     *repofiles.Tree
	Projects []*ownershipProject
	// Codeowners is the CODEOWNERS file used, as messages show it ("" if none was needed).
	Codeowners string
}

// displayPath shows a path relative to the working directory when it is below it, so
// messages can be clicked in terminals and editors.
func displayPath(abs string) string {
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, abs); err == nil && !strings.HasPrefix(rel, "..") {
			return rel
		}
	}
	return abs
}

// loadOwnershipRepo finds and reads every sentry.properties under dir. Problems in the files
// are kept on each project for the caller to report; only a folder that cannot be listed, or
// one without any sentry.properties, is an error.
func loadOwnershipRepo(ctx context.Context, ios *IOStreams, dir string, flags sentryFlags) (*ownershipRepo, error) {
	tree, err := repofiles.Load(ctx, dir)
	if err != nil {
		return nil, usageErrorf("%v", err)
	}
	sub, _ := tree.Rel(dir)
	found := tree.Find(sub, "sentry.properties")
	if len(found) == 0 {
		return nil, usageErrorf("no sentry.properties under %s: put one in each service's folder with defaults.org, defaults.project and its ownership.* keys (docs/ownership.md)", dir)
	}
	if len(found) > 1 && len(flags.Projects) > 0 {
		return nil, usageErrorf("--project names one project, but %s holds %d sentry.properties, each naming its own project; give the folder of one service instead", dir, len(found))
	}
	repo := &ownershipRepo{Tree: tree}
	env := flags.env(ios)
	home, _ := env.HomeDir()
	for _, rel := range found {
		abs := filepath.Join(tree.Root, filepath.FromSlash(rel))
		p := &ownershipProject{Props: displayPath(abs), Dir: strings.TrimSuffix(strings.TrimSuffix(rel, "sentry.properties"), "/"), factory: env}
		repo.Projects = append(repo.Projects, p)
		p.Conn, p.ConnErr = sentryconf.Load(sentryconf.Input{
			Getenv: projectEnv(env.Getenv, len(found) > 1), Dir: filepath.Dir(abs), Home: home,
			Flags: sentryconf.Connection{URL: flags.URL, Org: flags.Org, Token: flags.Token, Projects: flags.Projects, AllowInsecure: flags.AllowInsecure},
		})
		data, err := os.ReadFile(abs)
		if err != nil {
			p.Problems = append(p.Problems, ownership.Problem{File: p.Props, Line: 1, Msg: err.Error()})
			continue
		}
		cfg, err := ownership.LoadConfig(data, p.Props, os.ReadFile)
		if err != nil {
			var pe *ownership.ParseError
			if !errors.As(err, &pe) {
				return nil, err
			}
			p.Problems = append(p.Problems, pe.Problems...)
			continue
		}
		p.Config = cfg
		if cfg.CodeownersImport {
			repo.importCodeowners(p)
		}
	}
	for _, p := range repo.Projects {
		for _, w := range p.Conn.Warnings {
			fmt.Fprintf(ios.ErrOut, "releasegate: warning: %s: %s\n", p.Props, w)
		}
	}
	return repo, nil
}

// projectEnv hides what must not apply to every file: SENTRY_PROPERTIES (each file is its
// own), and, when several files are found, SENTRY_PROJECT (each names its own project).
func projectEnv(getenv func(string) string, several bool) func(string) string {
	return func(k string) string {
		if k == "SENTRY_PROPERTIES" || (several && k == "SENTRY_PROJECT") {
			return ""
		}
		return getenv(k)
	}
}

// importCodeowners reads the CODEOWNERS the project's settings name (or GitHub's own
// locations at the repository root) and translates it.
func (r *ownershipRepo) importCodeowners(p *ownershipProject) {
	set := p.Config.Codeowners
	path := set.File
	if path == "" {
		for _, loc := range ownership.CodeownersLocations {
			if r.Tree.Has(loc) {
				path = filepath.Join(r.Tree.Root, filepath.FromSlash(loc))
				break
			}
		}
		if path == "" {
			p.Problems = append(p.Problems, ownership.Problem{File: p.Props, Line: 1, Msg: fmt.Sprintf(
				"ownership.codeowners is true but the repository has no CODEOWNERS (looked for %s): add one, or set ownership.codeowners.file",
				strings.Join(ownership.CodeownersLocations, ", "))})
			return
		}
	}
	shown := displayPath(path)
	r.Codeowners = shown
	src, err := os.ReadFile(path)
	if err != nil {
		p.Problems = append(p.Problems, ownership.Problem{File: p.Props, Line: 1, Msg: "reading CODEOWNERS: " + err.Error()})
		return
	}
	p.Mapping = ownership.CodeMapping{StackRoot: set.StackRoot, SourceRoot: set.SourceRoot}
	imp, err := ownership.ImportCodeowners(src, shown, p.Mapping, set.Owners)
	if err != nil {
		var pe *ownership.ParseError
		if errors.As(err, &pe) {
			p.Problems = append(p.Problems, pe.Problems...)
		} else {
			p.Problems = append(p.Problems, ownership.Problem{File: shown, Line: 1, Msg: err.Error()})
		}
		return
	}
	p.Import = imp
}

// problemsError turns the projects' problems into the error commands that cannot go on
// with broken files return (exit 2), listing each with file:line.
func problemsError(projects []*ownershipProject) error {
	var lines []string
	for _, p := range projects {
		for _, pr := range p.Problems {
			lines = append(lines, "  "+pr.String())
		}
	}
	if len(lines) == 0 {
		return nil
	}
	slices.Sort(lines)
	lines = slices.Compact(lines)
	return usageErrorf("ownership settings have %s; fix them first (`releasegate ownership check` lists them too):\n%s",
		plural(len(lines), "problem"), strings.Join(lines, "\n"))
}
