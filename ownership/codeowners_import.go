package ownership

import (
	"bufio"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/hmarr/codeowners"
)

// CodeownersLocations are the paths, relative to the repository root, where GitHub looks for
// a CODEOWNERS file, in the order it looks; the first one found is used.
var CodeownersLocations = []string{".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"}

// maxCodeownersSize is the largest CODEOWNERS file GitHub and Sentry read ("3 MB"). The
// decimal reading is taken, so that a file accepted here is accepted by both.
const maxCodeownersSize = 3_000_000

// CodeMapping is Sentry's code mapping for a repository: paths under SourceRoot in the
// repository appear under StackRoot in stack frames. Both empty means paths are unchanged.
type CodeMapping struct{ StackRoot, SourceRoot string }

// CodeownersImport is the result of ImportCodeowners.
type CodeownersImport struct {
	// Rules are the codeowners: rules in file order. File is the CODEOWNERS name given to
	// ImportCodeowners, Line the CODEOWNERS line, Text the rule as Sentry would store it
	// ("codeowners:<pattern> <owner>…"), Pattern the pattern after the code mapping and
	// RepoPattern the pattern as written in CODEOWNERS. They are compiled as Parse's are.
	Rules []Rule
	// Unmapped are the owners with no Sentry owner, in file order, one entry per occurrence.
	// Sentry's import drops them.
	Unmapped []UnmappedOwner
	// Skipped are the CODEOWNERS lines with a pattern that Sentry's import skips, each with
	// the reason, in file order.
	Skipped []Problem
}

// UnmappedOwner is a CODEOWNERS owner that has no Sentry owner.
type UnmappedOwner struct {
	File string
	Line int
	Name string // as written: "@org/team", "@user"
}

// ImportCodeowners translates a GitHub CODEOWNERS file the way Sentry's import does
// (convert_codeowners_syntax in Sentry's ownership grammar). file only labels rules and
// messages.
//
// owners maps GitHub owners as written in CODEOWNERS ("@acme/web", "@alice", or an email) to
// Sentry owners, as Sentry's external team and user mappings do. Keys are compared without
// regard to case, as GitHub compares names; if two keys differ only in case, the one that
// sorts first is used. An email owner with no entry maps to itself, as a user (lower-cased):
// Sentry resolves it to the member with that email.
//
// Each line "pattern owner…" becomes the rule "codeowners:pattern sentry-owner…":
//   - A pattern with a '/' followed by anything ("/src", "src/lib", "docs/*", but not "lib/")
//     is anchored: the first occurrence of mapping.SourceRoot in it, wherever it is, is
//     replaced by mapping.StackRoot, and then every run of "//" not preceded by ':' becomes
//     one '/'. As in Sentry, the latter also turns a "app:///" stack root into "app://".
//     Other patterns are kept as written and match at any depth.
//   - Owners are translated through owners. Unmapped owners are dropped and listed in
//     Unmapped; a line left with no Sentry owner is skipped.
//   - Like Sentry, the words after a comment '#' written against a word (GitHub's own example
//     has "*.js @js-owner #This is an inline comment.") are read as more owners. Those
//     without a mapping are dropped without being listed in Unmapped; one with a mapping
//     becomes an owner in Sentry although GitHub ignores it. A '#' standing alone ends the
//     owners in both.
//
// Lines Sentry's import skips are listed in Skipped with the reason: a pattern with '!', a
// character class "[…]", an (escaped) space or a '#' (GitHub has no way to escape '#' in
// CODEOWNERS, so "\#file" is skipped too); a line none of whose owners has a Sentry
// mapping; and a pattern with no owners. GitHub reads a pattern without owners as taking
// ownership away from earlier lines ("/apps/github" after "/apps/ @octocat" leaves
// apps/github without owners). Sentry's import as documented, and Sentry's code before
// owner-less rules entered its grammar, skips such a line, so in Sentry the earlier lines
// still own those files; this function follows that. (The newest Sentry code read imports
// the line as an owner-less codeowners: rule instead, whose effect at match time is not
// known.)
//
// Comments and blank lines give nothing.
//
// Every other line must be one GitHub reads (parsed with github.com/hmarr/codeowners). That
// reader is stricter than GitHub in one way: a pattern may only use ASCII letters, digits and
// . _ - + @ ( ) / * ? \ ; a line it cannot read is an error. Also errors: a file over 3 MB,
// a line that is not UTF-8, a byte order mark, a line over 64 KiB, characters Sentry reads
// as a line break and GitHub does not (a lone \r, \v, \f, U+001C–U+001E, U+0085, U+2028,
// U+2029) where they would change the line's meaning, an owners entry that is not a Sentry
// owner, and a rule Sentry's grammar would read back differently (a StackRoot with a space,
// for example). On errors ImportCodeowners returns a *ParseError listing all of them and no
// import.
func ImportCodeowners(src []byte, file string, mapping CodeMapping, owners map[string]Owner) (*CodeownersImport, error) {
	if len(src) > maxCodeownersSize {
		return nil, &ParseError{Problems: []Problem{{File: file, Line: 1, Msg: fmt.Sprintf(
			"CODEOWNERS is %d bytes; GitHub and Sentry read at most 3 MB (%d bytes): make it smaller, for example with wildcard patterns",
			len(src), maxCodeownersSize)}}}
	}
	imp := &CodeownersImport{}
	var probs []Problem
	lookup := ownerLookup(owners)
	lines := strings.Split(string(src), "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1] // the final line break ends the last line
	}
	for i, raw := range lines {
		c := coLine{file: file, n: i + 1, raw: strings.TrimSuffix(raw, "\r"), mapping: mapping, lookup: lookup, imp: imp}
		if msg := c.translate(); msg != "" {
			probs = append(probs, Problem{File: file, Line: c.n, Msg: msg})
		}
	}
	if len(probs) > 0 {
		return nil, &ParseError{Problems: probs}
	}
	return imp, nil
}

// coLine is one CODEOWNERS line being translated.
type coLine struct {
	file    string
	n       int
	raw     string // without its line break
	mapping CodeMapping
	lookup  func(string) (Owner, bool, string)
	imp     *CodeownersImport
}

// translate adds the line's rule, unmapped owners and skip reason to c.imp, or returns what
// is wrong with the line.
func (c *coLine) translate() string {
	raw := c.raw
	if !utf8.ValidString(raw) {
		return "the line is not valid UTF-8: save CODEOWNERS as UTF-8"
	}
	if c.n == 1 && strings.HasPrefix(raw, "\ufeff") {
		return "CODEOWNERS starts with a byte order mark (U+FEFF), which Sentry's import reads as part of the first line: save the file as UTF-8 without a BOM"
	}
	if len(raw) >= bufio.MaxScanTokenSize {
		return fmt.Sprintf("the line is %d bytes long; lines must be shorter than 64 KiB", len(raw))
	}
	// Sentry splits the file with Python's str.splitlines, which also breaks lines at
	// characters GitHub does not; refuse a line that would read as two.
	line, brk := sentryLine(raw)
	if brk != 0 {
		return fmt.Sprintf("the line contains %U, which Sentry's import reads as a line break and GitHub does not: remove it", brk)
	}
	trimmed := strings.TrimSpace(raw)
	if trimmed == "" || trimmed[0] == '#' {
		return "" // a comment or a blank line for GitHub, and nothing Sentry imports either
	}
	path, toks := sentryFields(line)
	if path == "" || strings.HasPrefix(line, "#") {
		// A comment or blank line for Sentry only: the line starts with characters Python
		// takes for spaces and Go does not (U+001C–U+001F), which GitHub cannot read.
		_, msg := githubRule(raw)
		return msg
	}
	if why := sentrySkipsPattern(path); why != "" {
		c.skip(why)
		return ""
	}
	gh, msg := githubRule(raw)
	if msg != "" {
		return msg
	}

	var sentryOwners []Owner
	var unmapped []string
	for j, tok := range toks {
		o, ok, bad := c.lookup(tok)
		switch {
		case bad != "":
			return bad
		case ok:
			sentryOwners = append(sentryOwners, o)
		case j < len(gh.Owners):
			unmapped = append(unmapped, tok)
		}
		// Otherwise tok is a word of a comment GitHub ignores: Sentry reads it as an owner
		// and, finding no mapping, drops it. It is not reported.
	}
	for _, name := range unmapped {
		c.imp.Unmapped = append(c.imp.Unmapped, UnmappedOwner{File: c.file, Line: c.n, Name: name})
	}
	if len(sentryOwners) == 0 {
		if len(gh.Owners) == 0 {
			c.skip(fmt.Sprintf("%s has no owners: GitHub reads this as taking ownership of these paths away from earlier lines, but Sentry's import skips the line, so in Sentry the earlier lines still own them", quotePattern(path)))
		} else {
			c.skip(fmt.Sprintf("none of the owners of %s (%s) has a Sentry owner, so Sentry's import skips the line: map them with ownership.codeowners.owner.<name>", quotePattern(path), strings.Join(unmapped, ", ")))
		}
		return ""
	}

	pattern := path
	if anchoredForSentry(path) {
		pattern = collapseSlashes(strings.Replace(path, c.mapping.SourceRoot, c.mapping.StackRoot, 1))
	}
	var text strings.Builder
	text.WriteString("codeowners:" + pattern)
	for _, o := range sentryOwners {
		text.WriteString(" " + o.String())
	}
	rs, err := Parse([]byte(text.String()), c.file)
	if err != nil || len(rs) != 1 || rs[0].Type != CodeOwners || rs[0].Pattern != pattern || !slices.Equal(rs[0].Owners, sentryOwners) {
		why := "it reads back as a different rule"
		if pe := (*ParseError)(nil); errors.As(err, &pe) {
			why = pe.Problems[0].Msg
		}
		return fmt.Sprintf("Sentry would store this line as %s, which its rule grammar cannot read back (%s): check ownership.codeowners.stackRoot and sourceRoot", quotePattern(text.String()), why)
	}
	r := rs[0]
	r.Line, r.RepoPattern = c.n, gh.RawPattern()
	c.imp.Rules = append(c.imp.Rules, r)
	return ""
}

func (c *coLine) skip(msg string) {
	c.imp.Skipped = append(c.imp.Skipped, Problem{File: c.file, Line: c.n, Msg: msg})
}

// githubRule reads one line as GitHub's CODEOWNERS syntax. It returns a message for a line
// that cannot be read.
func githubRule(line string) (codeowners.Rule, string) {
	rs, err := codeowners.ParseFile(strings.NewReader(line))
	if err != nil {
		inner := err
		if u := errors.Unwrap(err); u != nil {
			inner = u // drop the reader's "line 1: "
		}
		hint := ""
		switch {
		case strings.Contains(inner.Error(), "invalid owner format"):
			hint = ": owners are @user, @org/team or an email, separated by spaces"
		case strings.Contains(inner.Error(), "unexpected character"):
			hint = ": patterns may use ASCII letters, digits and . _ - + @ ( ) / * ? \\ (GitHub does not support '!' or '[ ]' in CODEOWNERS)"
		}
		return codeowners.Rule{}, fmt.Sprintf("cannot read the CODEOWNERS line %s: %v%s", quotePattern(strings.TrimSpace(line)), inner, hint)
	}
	if len(rs) != 1 {
		return codeowners.Rule{}, fmt.Sprintf("cannot read the CODEOWNERS line %s", quotePattern(strings.TrimSpace(line)))
	}
	return rs[0], ""
}

// ownerLookup returns the function that maps one owner as written in CODEOWNERS to a Sentry
// owner. It reports ok=false for an owner with no mapping, and a message for a mapping to
// something that is not a Sentry owner.
func ownerLookup(owners map[string]Owner) func(string) (Owner, bool, string) {
	keys := slices.Sorted(maps.Keys(owners))
	folded := make(map[string]Owner, len(owners))
	written := make(map[string]string, len(owners))
	for _, k := range keys {
		low := strings.ToLower(k)
		if _, dup := folded[low]; !dup {
			folded[low], written[low] = owners[k], k
		}
	}
	return func(name string) (Owner, bool, string) {
		low := strings.ToLower(name)
		if o, ok := folded[low]; ok {
			c, msg := parseOwner(o.String())
			if msg != "" || c.Type != o.Type {
				return Owner{}, false, fmt.Sprintf("the CODEOWNERS owner %s is mapped to %q, which is not a Sentry owner: write #team-slug or the user's email", written[low], o.String())
			}
			return c, true, ""
		}
		// parse_code_owners: an owner with '/' is a team, one that looks like an email is
		// an email (Sentry finds the member by it), anything else a username.
		if !strings.Contains(name, "/") && sentryEmailRE.MatchString(name) {
			if o, msg := parseOwner(name); msg == "" && o.Type == User {
				return o, true, ""
			}
		}
		return Owner{}, false, ""
	}
}

var (
	// Sentry's _CODEOWNERS_EMAIL_RE, used with re.match (anchored at the start only).
	sentryEmailRE = regexp.MustCompile(`^[^@]+@[^@]+\.[^@]+`)
	// The "[…]" part of Sentry's skip test: '[', characters other than ']', '^' and
	// whitespace, ']'.
	sentryClassRE = regexp.MustCompile(`\[[^\]^\s]*\]`)
)

// quotePattern quotes a pattern for a message, leaving its backslashes single when nothing
// else needs escaping.
func quotePattern(p string) string {
	if q := strconv.Quote(p); q == `"`+strings.ReplaceAll(p, `\`, `\\`)+`"` {
		return `"` + p + `"`
	}
	return strconv.Quote(p)
}

// sentrySkipsPattern says why Sentry's import skips a line with this pattern, or "".
func sentrySkipsPattern(path string) string {
	switch {
	case strings.ContainsRune(path, '!'):
		return fmt.Sprintf("%s uses '!', which GitHub does not support in CODEOWNERS; Sentry's import skips the line", quotePattern(path))
	case strings.ContainsRune(path, '#'):
		return fmt.Sprintf("%s has a '#': GitHub reads it as the start of a comment (escaping it with '\\' does not work in CODEOWNERS) and Sentry's import skips the line", quotePattern(path))
	case sentryClassRE.MatchString(path):
		return fmt.Sprintf("%s uses a character class \"[…]\", which GitHub does not support in CODEOWNERS; Sentry's import skips the line", quotePattern(path))
	case strings.IndexFunc(path, pyIsSpace) >= 0:
		return fmt.Sprintf("%s has an escaped space; Sentry's import skips patterns with spaces, so in Sentry this line owns nothing", quotePattern(path))
	}
	return ""
}

// sentryFields splits a line into its pattern and owners as Sentry's
// get_codeowners_path_and_owners does: if the line has a backslash, it is trimmed and split
// at each whitespace character not preceded by '\', else it is split at every run of
// whitespace; the owners end at a "#" standing alone.
func sentryFields(line string) (string, []string) {
	var toks []string
	if strings.Contains(line, `\`) {
		line = strings.TrimFunc(line, pyIsSpace) // Python's rule.strip() first
		start := 0
		for i, r := range line {
			if pyIsSpace(r) && (i == 0 || line[i-1] != '\\') {
				if start < i {
					toks = append(toks, line[start:i])
				}
				start = i + utf8.RuneLen(r)
			}
		}
		if start < len(line) {
			toks = append(toks, line[start:])
		}
	} else {
		toks = strings.FieldsFunc(line, pyIsSpace)
	}
	if len(toks) == 0 {
		return "", nil
	}
	owners := toks[1:]
	if k := slices.Index(owners, "#"); k >= 0 {
		owners = owners[:k]
	}
	return toks[0], owners
}

// sentryLine returns the part of a line that Sentry's import reads as the line. Python's
// splitlines breaks lines at more characters than GitHub does; if that splits the line into
// more than one part that is not blank, it returns the first such character instead.
func sentryLine(raw string) (string, rune) {
	if strings.IndexFunc(raw, pyIsLineBreak) < 0 {
		return raw, 0
	}
	var line string
	seen := false
	for _, part := range strings.FieldsFunc(raw, pyIsLineBreak) {
		if strings.IndexFunc(part, func(r rune) bool { return !pyIsSpace(r) }) < 0 {
			continue
		}
		if seen {
			return "", []rune(raw[strings.IndexFunc(raw, pyIsLineBreak):])[0]
		}
		line, seen = part, true
	}
	return line, 0
}

// pyIsLineBreak reports the characters Python's str.splitlines breaks lines at, besides
// '\n' (lines are already split there).
func pyIsLineBreak(r rune) bool {
	switch r {
	case '\r', '\v', '\f', 0x1c, 0x1d, 0x1e, 0x85, 0x2028, 0x2029:
		return true
	}
	return false
}

// pyIsSpace is Python's str.isspace for one character, as Sentry's split uses it.
func pyIsSpace(r rune) bool {
	return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
}

// anchoredForSentry is Sentry's test for an anchored path, re.search(r"[\/].{1}"): a '/'
// followed by any character.
func anchoredForSentry(path string) bool {
	i := strings.IndexByte(path, '/')
	return i >= 0 && i < len(path)-1
}

// collapseSlashes is Sentry's re.sub(r"(?<!:)\/{2,}", "/", path): every run of two or more
// '/' whose first '/' does not follow ':' becomes one '/'. A run after ':' keeps its first
// '/', and the rest of the run, if two or more, becomes one: "app:///x" gives "app://x".
func collapseSlashes(p string) string {
	if !strings.Contains(p, "//") {
		return p
	}
	var b strings.Builder
	for i := 0; i < len(p); {
		if p[i] == '/' && i+1 < len(p) && p[i+1] == '/' && (i == 0 || p[i-1] != ':') {
			for i < len(p) && p[i] == '/' {
				i++
			}
			b.WriteByte('/')
			continue
		}
		b.WriteByte(p[i])
		i++
	}
	return b.String()
}
