package ownership

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/releasegate/releasegate/severity"
)

// Severity says whether a finding makes the rules wrong (error) or only weaker than they look
// (warning): releasegate's one scale (package severity).
type Severity = severity.Severity

// Severities of findings, under this package's names.
const (
	SeverityError   = severity.Error
	SeverityWarning = severity.Warning
)

// The codes of Check's findings. They are stable: scripts match on them.
const (
	CodeNoFile    = "no-file"
	CodeShadowed  = "shadowed"
	CodeDuplicate = "duplicate"
)

// CheckInput is what Check needs about one project.
type CheckInput struct {
	// Rules are the ownership rules, in order (from sentry.properties or ownership.file).
	Rules []Rule
	// Codeowners are the rules imported from CODEOWNERS, in order. Their patterns
	// (RepoPattern where set, else Pattern) are tested against the repository's files as
	// CODEOWNERS patterns.
	Codeowners []Rule
	// Files are every file of the repository: slash-separated paths relative to the
	// repository root, in any order. When Files is empty the files are taken to be unknown,
	// and only the checks that need no files run (duplicate, and shadowed for url:, module:
	// and tags. rules).
	Files []string
	// Index, when set, is Files already indexed by IndexFiles, and Files is ignored. Checking
	// several projects of one repository with one index builds it once instead of per project.
	Index *FileIndex
}

// FileIndex is a repository's files indexed for Check. It is built lazily, on the first
// Check that needs it, and is not safe for concurrent use.
type FileIndex struct{ vals checkValues }

// IndexFiles prepares files (as CheckInput.Files) for several calls of Check.
func IndexFiles(files []string) *FileIndex { return &FileIndex{vals: checkValues{files: files}} }

// Finding is one thing Check found wrong with a rule.
//
// Codes (all warnings):
//
//   - "no-file": a path: rule matches no file of the repository, or a codeowners: rule
//     matches none with CODEOWNERS semantics from the repository root (its RepoPattern,
//     the pattern before the code mapping, where set; else its Pattern). A path: pattern is
//     tested against every path of the repository and every folder suffix of it, with and
//     without a leading '/' (for "a/b/c.js": "a/b/c.js", "b/c.js", "c.js", "/a/b/c.js",
//     "/b/c.js" and "/c.js"), case-insensitively as Sentry does, because stack frame paths
//     are relative to varying roots. Patterns that describe only runtime paths are exempt:
//     path: patterns containing "://" (webpack://, app:///, http://), starting with '/' or
//     "~/", or starting with a Windows drive ("C:\", "c:/"), and codeowners: patterns
//     containing "://". url:, module: and tags. rules are never no-file.
//   - "shadowed": a rule that can never decide, because every value it matches is also
//     matched by a later rule of the same type in the same source (codeowners rules among
//     themselves, ownership rules among themselves), and the last matching rule wins. For
//     path: rules the values are the paths and suffixes above; for codeowners: rules the
//     repository's files. A url:, module: or tags.<key>: rule is shadowed when its pattern
//     has no wildcard ('*', '?', '[') and a later rule of the same type (and tag key)
//     matches its text. A later rule without owners counts: it decides too, by taking
//     ownership away. A rule that matches nothing is not shadowed (it is no-file, or exempt).
//   - "duplicate": the same type and pattern appear again later in the same source (patterns
//     compared as the matcher sees them: case-folded for path:, url: and module:, with '\'
//     read as '/' for path:, module: and codeowners:). The earlier rule is reported, and not
//     also as no-file or shadowed: deleting it is the fix.
//
// Rules of the same source with the same File and Line (several Sentry rules made from one
// CODEOWNERS line) are one line: they neither shadow nor duplicate each other. Rules whose
// pattern does not compile are skipped.
type Finding struct {
	Rule     Rule
	Code     string   // CodeNoFile, CodeShadowed or CodeDuplicate
	Severity Severity // SeverityError or SeverityWarning
	Message  string   // one sentence: what is wrong and what to do
	// By are, for "shadowed", the later rules that decide every value the rule matches, in
	// order; for "duplicate", the later copy.
	By []Rule
}

// Check finds ownership and CODEOWNERS rules that match no file of the repository, that
// never decide because later rules take everything they match, and that are repeated. The
// findings are sorted by file and line (codeowners rules first where both tie), and the
// result is the same for the same input.
//
// It does not test every rule against every file: the values are indexed once, sorted and
// sorted reversed, and a pattern only looks at the values that share its literal prefix or
// suffix (patterns with neither, such as "*/handlers/*", are answered from those too where
// they can be, or else scan the values once). It is safe for concurrent use.
func Check(in CheckInput) []Finding {
	vals := &checkValues{files: in.Files}
	if in.Index != nil {
		vals = &in.Index.vals
	}
	var out []Finding
	for _, src := range [][]Rule{in.Codeowners, in.Rules} {
		out = append(out, checkSource(src, vals)...)
	}
	slices.SortStableFunc(out, func(a, b Finding) int {
		return cmp.Or(strings.Compare(a.Rule.File, b.Rule.File), cmp.Compare(a.Rule.Line, b.Rule.Line))
	})
	return out
}

// ruleResult is what the analysis found about one rule of a source.
type ruleResult struct {
	ok       bool  // the pattern compiled
	matched  bool  // it matches at least one value
	shadowed bool  // every value it matches is decided by a later rule of another line
	by       []int // for shadowed: the deciding rules, indices into the source, ascending
	dupOf    int   // index of the next later copy, or -1
}

// checkSource analyses one source (ownership rules or codeowners rules).
func checkSource(rules []Rule, vals *checkValues) []Finding {
	if len(rules) == 0 {
		return nil
	}
	s := newSourceInfo(rules)
	res := s.duplicates()
	for _, cl := range s.classes() {
		if !cl.needsFiles() || len(vals.files) > 0 {
			s.decide(cl, vals, res)
		}
	}
	return s.findings(res, len(vals.files) > 0)
}

// sourceInfo is one source's rules with their matchers compiled once.
type sourceInfo struct {
	rules []Rule
	m     []ruleMatcher
	group []int // rules of the same File and Line (Line > 0) in a row share a group
}

// ruleMatcher is a rule's pattern as Check tests it.
type ruleMatcher struct {
	ok      bool // the pattern compiled
	class   checkClass
	norm    string // the pattern as the matcher reads it: for duplicates and literal values
	literal bool   // no wildcard: url/module/tags rules are shadowable
	exempt  bool   // never no-file: the pattern only describes runtime paths

	g *glob // path, url, module, tags

	co *coMatcher // codeowners, compiled from the repository pattern
	// coLit is the body of an anchored pattern without wildcards (coIsLit), coDir says it
	// ends in '/'.
	coLit          string
	coIsLit, coDir bool
	// coSeg says an unanchored pattern can only match whole path segments, so it can be
	// tested on the distinct segments instead of every path; coBody is then the pattern
	// without its trailing '/', and coBodyLit says it has no wildcard.
	coBody           string
	coSeg, coBodyLit bool
}

// checkClass is a rule type (and tag key): only rules of one class compete.
type checkClass struct {
	t   MatcherType
	tag string
}

func (c checkClass) needsFiles() bool { return c.t == Path || c.t == CodeOwners }

func newSourceInfo(rules []Rule) *sourceInfo {
	s := &sourceInfo{rules: rules, m: make([]ruleMatcher, len(rules)), group: make([]int, len(rules))}
	for i := range rules {
		s.m[i] = newRuleMatcher(&rules[i])
		s.group[i] = i
		if i > 0 && rules[i].Line > 0 && rules[i].Line == rules[i-1].Line && rules[i].File == rules[i-1].File {
			s.group[i] = s.group[i-1]
		}
	}
	return s
}

// repoPattern is the pattern a codeowners rule has in CODEOWNERS, relative to the repository
// root: RepoPattern for imported rules, else Pattern.
func repoPattern(r *Rule) string {
	if r.RepoPattern != "" {
		return r.RepoPattern
	}
	return r.Pattern
}

func newRuleMatcher(r *Rule) ruleMatcher {
	m := ruleMatcher{class: checkClass{t: r.Type}}
	if r.Type == Tag {
		m.class.tag = r.TagKey
	}
	switch r.Type {
	case CodeOwners:
		p := repoPattern(r)
		co, err := compileCodeowners(p)
		if err != nil {
			return m
		}
		m.co = co
		m.norm = strings.ReplaceAll(p, `\`, "/")
		m.coLit, m.coDir, m.coIsLit = codeownersLiteral(m.norm)
		m.coBody, m.coSeg = codeownersSegment(m.norm)
		m.coBodyLit = m.coSeg && !strings.ContainsAny(m.coBody, "*?[")
		m.exempt = strings.Contains(m.norm, "://")
	case Path, URL, Module, Tag:
		c, err := r.compiledRule()
		if err != nil || c.g == nil {
			return m
		}
		m.g = c.g
		m.norm = r.Pattern
		switch r.Type {
		case Path, Module:
			m.norm = strings.ToLower(strings.ReplaceAll(r.Pattern, `\`, "/"))
		case URL:
			m.norm = strings.ToLower(r.Pattern)
		}
		m.literal = !strings.ContainsAny(r.Pattern, "*?[")
		m.exempt = r.Type == Path && runtimeOnly(m.norm)
	default:
		return m
	}
	m.ok = true
	return m
}

// runtimeOnly reports whether a normalised path pattern can only describe runtime paths,
// never files of the repository: URLs and URL-like schemes, absolute paths, "~/" and Windows
// drives.
func runtimeOnly(p string) bool {
	if strings.Contains(p, "://") || strings.HasPrefix(p, "/") || strings.HasPrefix(p, "~/") {
		return true
	}
	return len(p) >= 3 && p[0] >= 'a' && p[0] <= 'z' && p[1] == ':' && p[2] == '/'
}

// codeownersLiteral returns the body of an anchored CODEOWNERS pattern without wildcards
// ("/docs/" → "docs", dirOnly): such a pattern matches the body itself (unless dirOnly) and
// everything below it, exactly as its compiled expression does.
func codeownersLiteral(p string) (body string, dirOnly, ok bool) {
	if p == "/" {
		return "", false, false
	}
	dirOnly = strings.HasSuffix(p, "/")
	body = strings.TrimSuffix(p, "/")
	lead := strings.HasPrefix(body, "/")
	body = strings.TrimPrefix(body, "/")
	if !lead && !strings.Contains(body, "/") || strings.ContainsAny(body, "*?[") {
		return "", false, false
	}
	return body, dirOnly, true
}

// codeownersSegment returns the body of an unanchored CODEOWNERS pattern (no '/' but a
// trailing one) that matches whole path segments only: its expression is
// "(?:^|/)body(?:/|$)" (or "(?:^|/)body/" when dirOnly) and nothing in body can match a '/'
// (no "**", no class that holds '/'). Such a pattern matches a path exactly when it matches
// one of the path's segments, written "name/" for a folder and "name" for the last one.
func codeownersSegment(p string) (body string, ok bool) {
	body = strings.TrimSuffix(p, "/")
	// An empty body could match at the '/' ending a folder segment, which the path has only
	// where an empty segment follows.
	if body == "" || strings.Contains(body, "/") || strings.Contains(body, "**") {
		return "", false
	}
	for i := strings.IndexByte(body, '['); i >= 0 && i < len(body); {
		t, n, err := parseClass(body[i:])
		if err != nil || !t.negate && t.inClass('/') {
			return "", false
		}
		j := strings.IndexByte(body[i+n:], '[')
		if j < 0 {
			break
		}
		i += n + j
	}
	return body, true
}

// classes lists the source's classes in order of first appearance.
func (s *sourceInfo) classes() []checkClass {
	var cls []checkClass
	for i := range s.m {
		if s.m[i].ok && !slices.Contains(cls, s.m[i].class) {
			cls = append(cls, s.m[i].class)
		}
	}
	return cls
}

// duplicates starts the results: every rule's next later copy in the same class.
func (s *sourceInfo) duplicates() []ruleResult {
	res := make([]ruleResult, len(s.rules))
	type key struct {
		c    checkClass
		norm string
	}
	// For each pattern: the nearest later copy, and the nearest later copy of another line
	// than that one (groups are runs, so this is the nearest copy for a rule of its line).
	type later struct{ near, other int }
	seen := map[key]later{}
	for i := len(s.rules) - 1; i >= 0; i-- {
		res[i].dupOf = -1
		m := &s.m[i]
		if !m.ok {
			continue
		}
		res[i].ok = true
		k := key{m.class, m.norm}
		l, ok := seen[k]
		if !ok {
			seen[k] = later{i, -1}
			continue
		}
		if s.group[l.near] != s.group[i] {
			res[i].dupOf = l.near
			l.other = l.near
		} else {
			res[i].dupOf = l.other
		}
		l.near = i
		seen[k] = l
	}
	return res
}

// decide finds, going from the last rule of class cl to the first, the rule that decides
// each value (the last one matching it), and so which rules match values and which only
// match values already decided by a later rule of another line.
func (s *sourceInfo) decide(cl checkClass, vals *checkValues, res []ruleResult) {
	var idx []int
	for i := range s.m {
		if s.m[i].ok && s.m[i].class == cl {
			idx = append(idx, i)
		}
	}
	var x *keyIndex
	switch cl.t {
	case Path:
		x = vals.pathIndex()
	case CodeOwners:
		x = vals.repoIndex()
	default:
		// The values are the texts of the class's literal patterns.
		var keys []string
		for _, i := range idx {
			if s.m[i].literal {
				keys = append(keys, s.m[i].norm)
			}
		}
		x = newKeyIndex(keys, true)
	}
	winner := make([]int32, x.ids())
	for i := range winner {
		winner[i] = -1
	}
	stamp := make([]int32, len(s.rules)) // stamp[w] == i: w is already in by for rule i
	for i := range stamp {
		stamp[i] = -1
	}
	var buf []int32
	var by []int
	for n := len(idx) - 1; n >= 0; n-- {
		i := idx[n]
		if res[i].dupOf >= 0 {
			// The later copy matches the same values and already decided them all, and the
			// finding is "duplicate" whatever this rule matches.
			continue
		}
		m := &s.m[i]
		if m.co != nil {
			buf = x.codeownersMatches(m, buf[:0])
		} else {
			buf = x.globMatches(m.g, buf[:0])
		}
		by = by[:0]
		undecided := false
		for _, v := range buf {
			w := winner[v]
			switch {
			case w < 0:
				winner[v] = int32(i)
				undecided = true
			case s.group[w] == s.group[i]:
				undecided = true
			case stamp[w] != int32(i):
				stamp[w] = int32(i)
				by = append(by, int(w))
			}
		}
		r := &res[i]
		r.matched = len(buf) > 0
		if r.matched && !undecided && (cl.needsFiles() || m.literal) {
			r.shadowed = true
			r.by = slices.Clone(by)
			slices.Sort(r.by)
		}
	}
}

// findings turns results into findings, in source order.
func (s *sourceInfo) findings(res []ruleResult, haveFiles bool) []Finding {
	var out []Finding
	for i := range s.rules {
		r, m := &res[i], &s.m[i]
		if !r.ok {
			continue
		}
		rule := s.rules[i]
		switch {
		case r.dupOf >= 0:
			later := s.rules[r.dupOf]
			out = append(out, Finding{
				Rule: rule, Code: CodeDuplicate, Severity: SeverityWarning, By: []Rule{later},
				Message: fmt.Sprintf("%s is repeated at %s, which decides instead: delete this one", s.describe(i), later.Position()),
			})
		case haveFiles && m.class.needsFiles() && !r.matched && !m.exempt:
			msg := fmt.Sprintf("%s matches no file of the repository, at any folder depth: correct the pattern or delete the rule", s.describe(i))
			if m.class.t == CodeOwners {
				msg = fmt.Sprintf("%s matches no file of the repository (read as a CODEOWNERS pattern from the repository root): correct the pattern or delete the line", s.describe(i))
			}
			out = append(out, Finding{Rule: rule, Code: CodeNoFile, Severity: SeverityWarning, Message: msg})
		case r.shadowed:
			by := make([]Rule, len(r.by))
			for k, j := range r.by {
				by[k] = s.rules[j]
			}
			out = append(out, Finding{
				Rule: rule, Code: CodeShadowed, Severity: SeverityWarning, By: by,
				Message: fmt.Sprintf("%s never decides: every %s it matches is also matched by %s, and the last matching rule wins; move it below them or delete it",
					s.describe(i), valueNoun(m.class.t), listRules(by)),
			})
		}
	}
	return out
}

// describe names a rule in a message: its matcher, and the CODEOWNERS pattern when that
// is what was tested and differs.
func (s *sourceInfo) describe(i int) string {
	r := &s.rules[i]
	if r.Type == CodeOwners {
		if p := repoPattern(r); p != r.Pattern {
			return fmt.Sprintf("%s (CODEOWNERS %s)", r.Matcher(), p)
		}
	}
	return r.Matcher()
}

func valueNoun(t MatcherType) string {
	switch t {
	case Path:
		return "frame path"
	case CodeOwners:
		return "repository file"
	case URL:
		return "URL"
	case Module:
		return "module"
	}
	return "tag value"
}

// listRules names up to three rules by position and matcher, then how many more.
func listRules(rs []Rule) string {
	var names []string
	for i, r := range rs {
		if i == 3 {
			break
		}
		names = append(names, fmt.Sprintf("%s (%s)", r.Position(), r.Matcher()))
	}
	word := "the later rule "
	if len(rs) > 1 {
		word = "the later rules "
	}
	switch {
	case len(rs) > 3:
		return word + strings.Join(names, ", ") + fmt.Sprintf(" and %d more", len(rs)-3)
	case len(rs) > 1:
		return word + strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
	}
	return word + strings.Join(names, "")
}
