package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/releasegate/releasegate/internal/issueowners"
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

// ownershipProject is one sentry.properties, as ownership read it, with its Sentry connection.
type ownershipProject struct {
	*ownership.Project
	Conn sentryconf.Connection
	// ConnErr says why the Sentry connection could not be worked out for this file.
	ConnErr error
	// factory builds the project's Sentry client.
	factory *Factory
}

// Name is "org/project" when known, else the properties file.
func (p *ownershipProject) Name() string {
	if p.Conn.Org != "" && len(p.Conn.Projects) == 1 {
		return p.Conn.Org + "/" + p.Conn.Projects[0]
	}
	return p.Label
}

// ownershipRepo is the repository and every sentry.properties found under the folder given.
type ownershipRepo struct {
	Tree     *repofiles.Tree
	Projects []*ownershipProject
}

// errNoProperties is a folder without any sentry.properties.
var errNoProperties = errors.New("no sentry.properties")

// workspaceTree is the repository as ownership reads it: git's list of files (or the walked
// folder's), read from disk, named in messages relative to the working directory.
func workspaceTree(env *Factory, tree *repofiles.Tree) ownership.Tree {
	return ownership.Tree{
		FS: os.DirFS(tree.Root), Files: tree.Files,
		Label: func(rel string) string { return env.DisplayPath(filepath.Join(tree.Root, filepath.FromSlash(rel))) },
	}
}

// loadOwnershipRepo finds and reads every sentry.properties under dir. Problems in the files
// are kept on each project for the caller to report; only a folder that cannot be listed, or
// one without any sentry.properties, is an error. A relative dir is in the working folder.
func loadOwnershipRepo(ctx context.Context, ios *IOStreams, dir string, flags sentryFlags) (*ownershipRepo, error) {
	env := flags.env(ios)
	tree, err := repofiles.Load(ctx, env.Abs(dir), env.environ())
	if err != nil {
		return nil, usageErrorf("%v", err)
	}
	sub, _ := tree.Rel(env.Abs(dir))
	wt := workspaceTree(env, tree)
	found := wt.FindProperties(sub)
	if len(found) == 0 {
		return nil, usageErrorf("%w under %s: put one in each service's folder with defaults.org, defaults.project and its ownership.* keys (docs/ownership.md)", errNoProperties, dir)
	}
	if len(found) > 1 && len(flags.Projects) > 0 {
		return nil, usageErrorf("--project names one project, but %s holds %d sentry.properties, each naming its own project; give the folder of one service instead", dir, len(found))
	}
	loaded, err := ownership.LoadProjects(wt, found)
	if err != nil {
		return nil, err
	}
	repo := &ownershipRepo{Tree: tree}
	home := env.homeDir()
	for _, op := range loaded {
		p := &ownershipProject{Project: op, factory: env}
		repo.Projects = append(repo.Projects, p)
		p.Conn, p.ConnErr = sentryconf.Load(sentryconf.Input{
			Getenv: projectEnv(env.Getenv, len(found) > 1), Dir: filepath.Join(tree.Root, filepath.FromSlash(op.Dir)), Home: home,
			Flags: sentryconf.Connection{URL: flags.URL, Org: flags.Org, Token: flags.Token, Projects: flags.Projects, AllowInsecure: flags.AllowInsecure},
		})
	}
	for _, p := range repo.Projects {
		for _, w := range p.Conn.Warnings {
			fmt.Fprintf(ios.ErrOut, "releasegate: warning: %s: %s\n", p.Label, w)
		}
	}
	return repo, nil
}

// ownershipRules reads the ownership rules of the repository that holds dir, by the Sentry
// project each sentry.properties names, for naming issues' owners. A repository without any
// sentry.properties has none, quietly; every file that gives no rules, and a repository that
// cannot be read, is a note saying so.
func ownershipRules(ctx context.Context, env *Factory, dir string) issueowners.Rules {
	repo, err := loadOwnershipRepo(ctx, &IOStreams{ErrOut: io.Discard}, dir, sentryFlags{factory: env})
	if errors.Is(err, errNoProperties) {
		return issueowners.Rules{}
	}
	if err != nil {
		return issueowners.Unreadable(err)
	}
	sources := make([]issueowners.Source, len(repo.Projects))
	for i, p := range repo.Projects {
		sources[i] = issueowners.Source{Project: p.Project, Err: p.ConnErr}
		if len(p.Conn.Projects) == 1 {
			sources[i].Slug = p.Conn.Projects[0]
		}
	}
	return issueowners.RulesOf(sources)
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
