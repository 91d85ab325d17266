package ownership

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// PropertiesName is the file that holds a service's Sentry project and ownership settings.
const PropertiesName = "sentry.properties"

// Tree is a repository's files, wherever they come from: a work tree on disk (git's list of
// files and os.DirFS of its root) or a commit's tree fetched from GitHub. Nothing here knows
// which.
type Tree struct {
	// FS reads a file by its path relative to the repository root.
	FS fs.FS
	// Files are the paths of the repository's files, slash-separated and relative to the root.
	// They decide where sentry.properties and CODEOWNERS files are found; FS only reads them.
	Files []string
	// Label names a file in messages and in Rule.File and Problem.File (nil: the path itself),
	// so the CLI can show paths relative to the working directory.
	Label func(rel string) string
}

// Project is one sentry.properties of a tree and what was read from it and for it.
type Project struct {
	// Path is the file's path in the tree; Label how messages name it; Dir its folder
	// ("" at the root).
	Path, Label, Dir string
	// DefaultOrg and DefaultProject are the file's defaults.org and defaults.project, the
	// last of each as Java reads them ("" when not set). The CLI lets flags and the
	// environment override them, as sentry-cli does; a reader of a commit takes them as they
	// are.
	DefaultOrg, DefaultProject string
	// Config is nil when the file has problems.
	Config *Config
	// Import is the CODEOWNERS import; nil unless ownership.codeowners = true and it was read.
	Import *CodeownersImport
	// Codeowners is the label of the CODEOWNERS file imported ("" if none).
	Codeowners string
	Mapping    CodeMapping
	// Problems are the syntax and setting errors of the file, its rules file and CODEOWNERS.
	Problems []Problem
}

// Rules are the rules Sentry evaluates for the project: CODEOWNERS first, then the ownership
// rules (sentry-api.md §5.4).
func (p *Project) Rules() []Rule {
	var rules []Rule
	if p.Import != nil {
		rules = append(rules, p.Import.Rules...)
	}
	if p.Config != nil {
		rules = append(rules, p.Config.Rules...)
	}
	return rules
}

// FileFrame is a repository file (rel, its slash-separated path in the repository) as a stack
// frame would show it: the path below the project's folder as filename, the repository path
// (through the CODEOWNERS code mapping, if any) as abs_path. `ownership explain FILE` tests
// a file this way.
func (p *Project) FileFrame(rel string) Frame {
	f := Frame{Filename: rel, AbsPath: rel}
	if p.Dir != "" {
		f.Filename = strings.TrimPrefix(rel, p.Dir+"/")
	}
	if m := p.Mapping; m.SourceRoot != "" && strings.HasPrefix(rel, strings.TrimPrefix(m.SourceRoot, "/")) {
		f.AbsPath = m.StackRoot + strings.TrimPrefix(rel, strings.TrimPrefix(m.SourceRoot, "/"))
	}
	return f
}

// FindProperties returns the sentry.properties files of the tree under the folder sub
// ("" or "." for all), in path order.
func (t Tree) FindProperties(sub string) []string {
	sub = strings.Trim(sub, "/")
	if sub == "." {
		sub = ""
	}
	var out []string
	for _, f := range t.Files {
		if sub != "" && f != sub && !strings.HasPrefix(f, sub+"/") {
			continue
		}
		if f == PropertiesName || strings.HasSuffix(f, "/"+PropertiesName) {
			out = append(out, f)
		}
	}
	slices.Sort(out)
	return out
}

// LoadProjects reads the sentry.properties files at paths (from FindProperties), with the
// rules files and the CODEOWNERS they name. Problems in the files are kept on each project;
// the error is for what no file can cause.
func LoadProjects(t Tree, paths []string) ([]*Project, error) {
	var out []*Project
	for _, rel := range paths {
		p, err := t.loadProject(rel)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

func (t Tree) label(rel string) string {
	if t.Label == nil {
		return rel
	}
	return t.Label(rel)
}

func (t Tree) loadProject(rel string) (*Project, error) {
	p := &Project{Path: rel, Label: t.label(rel), Dir: strings.TrimSuffix(strings.TrimSuffix(rel, PropertiesName), "/")}
	data, err := t.read(rel)
	if err != nil {
		p.Problems = append(p.Problems, Problem{File: p.Label, Line: 1, Msg: err.Error()})
		return p, nil
	}
	entries, _ := ParseProperties(data, p.Label) // its problems are LoadConfig's to report
	for _, e := range entries {
		switch e.Key {
		case "defaults.org":
			p.DefaultOrg = strings.TrimSpace(e.Value)
		case "defaults.project":
			p.DefaultProject = strings.TrimSpace(e.Value)
		}
	}
	// LoadConfig resolves ownership.file and ownership.codeowners.file against the folder of
	// the name it is given, so it is given the label; in reads those names back in the tree.
	in := func(name string) (string, error) { return t.inTree(p, name) }
	cfg, err := LoadConfig(data, p.Label, func(name string) ([]byte, error) {
		rel, err := in(name)
		if err != nil {
			return nil, err
		}
		return t.read(rel)
	})
	if err != nil {
		var pe *ParseError
		if !errors.As(err, &pe) {
			return nil, fmt.Errorf("%s: %w", p.Label, err)
		}
		p.Problems = append(p.Problems, pe.Problems...)
		return p, nil
	}
	p.Config = cfg
	if cfg.CodeownersImport {
		t.importCodeowners(p, in)
	}
	return p, nil
}

// inTree turns a name LoadConfig built from the project's label back into a path of the
// tree. A file outside the repository, or an absolute path, is refused: a commit's tree has
// neither, so the workspace must not depend on them either.
func (t Tree) inTree(p *Project, name string) (string, error) {
	// A relative label and an absolute name: the setting gave an absolute path.
	below, err := filepath.Rel(filepath.Dir(p.Label), name)
	if err != nil {
		return "", fmt.Errorf("%s: give a path relative to the folder of %s, inside the repository", name, p.Label)
	}
	rel := path.Join(p.Dir, filepath.ToSlash(below))
	if rel == ".." || strings.HasPrefix(rel, "../") {
		return "", fmt.Errorf("%s is outside the repository: keep it inside, so every checkout of the commit has it", name)
	}
	return rel, nil
}

// read reads a file of the tree, naming it by its label in errors.
func (t Tree) read(rel string) ([]byte, error) {
	if t.FS == nil {
		return nil, fmt.Errorf("open %s: no files to read", t.label(rel))
	}
	data, err := fs.ReadFile(t.FS, rel)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return nil, &fs.PathError{Op: pe.Op, Path: t.label(rel), Err: pe.Err}
		}
		return nil, err
	}
	return data, nil
}

// importCodeowners reads the CODEOWNERS the project's settings name (or GitHub's own
// locations at the repository root) and translates it.
func (t Tree) importCodeowners(p *Project, in func(string) (string, error)) {
	set := p.Config.Codeowners
	var rel string
	if set.File != "" {
		var err error
		if rel, err = in(set.File); err != nil {
			p.Problems = append(p.Problems, Problem{File: p.Label, Line: 1, Msg: "reading CODEOWNERS: " + err.Error()})
			return
		}
	} else {
		for _, loc := range CodeownersLocations {
			if slices.Contains(t.Files, loc) {
				rel = loc
				break
			}
		}
		if rel == "" {
			p.Problems = append(p.Problems, Problem{File: p.Label, Line: 1, Msg: fmt.Sprintf(
				"ownership.codeowners is true but the repository has no CODEOWNERS (looked for %s): add one, or set ownership.codeowners.file",
				strings.Join(CodeownersLocations, ", "))})
			return
		}
	}
	shown := t.label(rel)
	p.Codeowners = shown
	src, err := t.read(rel)
	if err != nil {
		p.Problems = append(p.Problems, Problem{File: p.Label, Line: 1, Msg: "reading CODEOWNERS: " + err.Error()})
		return
	}
	p.Mapping = CodeMapping{StackRoot: set.StackRoot, SourceRoot: set.SourceRoot}
	imp, err := ImportCodeowners(src, shown, p.Mapping, set.Owners)
	if err != nil {
		var pe *ParseError
		if errors.As(err, &pe) {
			p.Problems = append(p.Problems, pe.Problems...)
		} else {
			p.Problems = append(p.Problems, Problem{File: shown, Line: 1, Msg: err.Error()})
		}
		return
	}
	p.Import = imp
}
