package ownership

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/releasegate/releasegate/errkind"
)

// Problem is one thing wrong with the rule text.
type Problem struct {
	File string
	Line int // 1-based
	Msg  string
}

func (p Problem) String() string { return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg) }

// ParseError lists every problem Parse found, so one run shows all of them.
type ParseError struct {
	Problems []Problem
}

func (e *ParseError) Error() string {
	var b strings.Builder
	if len(e.Problems) == 1 {
		b.WriteString("1 problem in the ownership configuration:")
	} else {
		fmt.Fprintf(&b, "%d problems in the ownership configuration:", len(e.Problems))
	}
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		b.WriteString(p.String())
	}
	return b.String()
}

// ErrorKind is errkind.Config: ownership settings that do not parse are a configuration error.
func (e *ParseError) ErrorKind() errkind.Kind { return errkind.Config }

// Parse reads ownership rules in Sentry's text grammar, one rule a line:
//
//	type:pattern owner owner…
//
// The types are path:, url:, module:, codeowners: and tags.<key>:; a pattern without a type
// is a path pattern. A pattern may be quoted ("…", with backslash escapes) to hold spaces.
// Owners are "#team-slug" or a user's email (lower-cased). A rule may have no owners. Lines
// whose first non-space character is '#' are comments; blank lines are skipped. file only
// labels messages and rules.
//
// Parse is stricter than Sentry where Sentry would accept text that silently means something
// else, and reports these as problems:
//   - a prefix that looks like a misspelt type ("Path:", "tag:", "tags:", "urls:" …); Sentry
//     would read the whole token as a path pattern;
//   - "type:" with nothing after it; Sentry would read "type:" itself as a path pattern;
//   - tabs: Sentry's grammar separates tokens by spaces only and rejects the line;
//   - a user owner that is not an email (Sentry resolves users by email only), and a team
//     slug with characters Sentry slugs cannot have (upper case, punctuation);
//   - an unclosed quote or '[' class, or text right after a closing quote.
//
// On problems Parse returns a *ParseError listing all of them, and no rules.
func Parse(src []byte, file string) ([]Rule, error) {
	var rules []Rule
	var probs []Problem
	text := strings.ReplaceAll(string(src), "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n") // the grammar's newline is [\r\n]
	for i, line := range strings.Split(text, "\n") {
		r, msgs := parseLine(line)
		for _, m := range msgs {
			probs = append(probs, Problem{File: file, Line: i + 1, Msg: m})
		}
		if r == nil || len(msgs) > 0 {
			continue
		}
		r.File, r.Line, r.Text = file, i+1, line
		rules = append(rules, *r)
	}
	if len(probs) > 0 {
		return nil, &ParseError{Problems: probs}
	}
	return rules, nil
}

var (
	slugRE  = regexp.MustCompile(`^[a-z0-9_-]+$`)
	emailRE = regexp.MustCompile(`^[^@\s"#]+@[^@\s"]+\.[^@\s".]+$`)
	// Prefixes people write by mistake for a matcher type. Only these are rejected: other
	// "word:" prefixes are real path patterns ("app:///…", "package:foo/…", "C:\…").
	typoTypes = map[string]string{
		"tag": "tags.<key>", "tags": "tags.<key>", "paths": "path", "file": "path", "files": "path",
		"urls": "url", "modules": "module", "codeowner": "codeowners", "code": "codeowners",
		"owners": "codeowners",
	}
	knownTypes = map[string]MatcherType{"path": Path, "url": URL, "module": Module, "codeowners": CodeOwners}
)

// parseLine parses one line. It returns nil for comments and blank lines.
func parseLine(line string) (*Rule, []string) {
	if strings.ContainsRune(line, '\t') {
		return nil, []string{"tab character: separate the pattern and owners with spaces (Sentry rejects tabs)"}
	}
	rest := strings.TrimLeft(line, " ")
	if rest == "" || rest[0] == '#' {
		return nil, nil
	}
	var msgs []string
	r := &Rule{Type: Path}

	// The matcher: an optional known type and ':', then a quoted or bare pattern.
	if c := strings.IndexByte(rest, ':'); c > 0 && !strings.ContainsAny(rest[:c], ` "`) {
		prefix := rest[:c]
		lower := strings.ToLower(prefix)
		switch {
		case knownTypes[prefix] != "":
			r.Type = knownTypes[prefix]
			rest = rest[c+1:]
		case strings.HasPrefix(prefix, "tags."):
			r.Type, r.TagKey = Tag, prefix[len("tags."):]
			rest = rest[c+1:]
			if r.TagKey == "" {
				msgs = append(msgs, `empty tag key in "tags.:": write tags.<key>:pattern, e.g. tags.environment:prod`)
			}
		case knownTypes[lower] != "" || strings.HasPrefix(lower, "tags."):
			return nil, []string{fmt.Sprintf("unknown matcher type %q: types are lower case; write %q", prefix+":", lower+":")}
		case typoTypes[lower] != "" || strings.HasPrefix(lower, "tag."):
			want := typoTypes[lower]
			if want == "" {
				want = "tags.<key>"
			}
			return nil, []string{fmt.Sprintf("unknown matcher type %q: did you mean %q? Types are path:, url:, module:, codeowners: and tags.<key>: (quote the pattern if it really is a path)", prefix+":", want+":")}
		}
	}
	var pattern string
	var quoted bool
	if strings.HasPrefix(rest, `"`) {
		p, n, ok := unquote(rest)
		if !ok {
			return nil, append(msgs, `unclosed quote in pattern: end the pattern with '"' (write \" for a quote inside it)`)
		}
		pattern, rest, quoted = p, rest[n:], true
		if rest != "" && rest[0] != ' ' {
			return nil, append(msgs, "text right after the closing quote: put a space between the pattern and the owners")
		}
	} else {
		end := strings.IndexByte(rest, ' ')
		if end < 0 {
			end = len(rest)
		}
		pattern, rest = rest[:end], rest[end:]
	}
	if pattern == "" {
		what := "pattern"
		if quoted {
			what = "quoted pattern"
		}
		example := string(r.Type) + ":src/*.js"
		if r.Type == Tag {
			example = "tags." + r.TagKey + ":value"
		}
		return nil, append(msgs, fmt.Sprintf("empty %s after %q: write the pattern right after the colon, e.g. %s", what, r.Matcher(), example))
	}
	r.Pattern = pattern
	m, err := compile(r.Type, pattern)
	if err != nil {
		msgs = append(msgs, fmt.Sprintf("bad pattern %q: %v", pattern, err))
	}
	r.m = m

	for _, tok := range strings.Fields(rest) {
		o, msg := parseOwner(tok)
		if msg != "" {
			msgs = append(msgs, msg)
			continue
		}
		r.Owners = append(r.Owners, o)
	}
	return r, msgs
}

// parseOwner reads one owner: "#team-slug" or an email, which is lower-cased. On a bad
// owner it returns a message saying what to write instead.
func parseOwner(tok string) (Owner, string) {
	if slug, ok := strings.CutPrefix(tok, "#"); ok {
		switch {
		case slug == "":
			return Owner{}, `owner "#" has no team slug: write #team-slug (comments must be on their own line)`
		case !slugRE.MatchString(slug):
			return Owner{}, fmt.Sprintf("owner %q is not a valid team slug: slugs are lower-case letters, digits, '-' and '_' (write %q?)", tok, "#"+strings.ToLower(slug))
		}
		return Owner{Type: Team, Identifier: slug}, ""
	}
	if !emailRE.MatchString(tok) {
		hint := "write #team-slug for a team or the user's email"
		if strings.HasPrefix(tok, "@") {
			hint = "GitHub handles are not Sentry owners: write #team-slug or the user's email (CODEOWNERS import maps handles)"
		}
		if tok == "" {
			return Owner{}, "no owner given: " + hint
		}
		return Owner{}, fmt.Sprintf("owner %q is neither a #team nor an email: %s", tok, hint)
	}
	return Owner{Type: User, Identifier: strings.ToLower(tok)}, ""
}

// unquote reads a quoted pattern at the start of s ("…" with backslash escapes) and returns
// the decoded text and the bytes used.
func unquote(s string) (string, int, bool) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '"':
			return b.String(), i + 1, true
		case '\\':
			if i+1 < len(s) {
				i++
			}
		}
		b.WriteByte(s[i])
	}
	return "", 0, false
}
