package ownership

import (
	"regexp"
	"strings"
)

// coMatcher matches a codeowners: pattern with gitignore/CODEOWNERS semantics (§5.3 of the
// reference): a pattern without an inner '/' matches at any depth, a leading or inner '/'
// anchors it, '*' and '?' stay within one path segment, '**' crosses segments, and a match on
// a directory covers everything below it. A trailing '/' matches directories only.
//
// Case is significant, as in git; Sentry's codeowners_match was not read on this point, so
// this is the strict choice. The regular expression is compiled once, by Parse.
type coMatcher struct {
	all      bool // the pattern "/" matches every path
	anchored bool // leading '/' was stripped: strip it from values too
	re       *regexp.Regexp
	needle   string // longest literal run; a cheap filter before the regexp
	// prefix is the literal text every matching value starts with (after the leading '/' is
	// stripped for anchored patterns); empty for unanchored patterns.
	prefix string
}

func compileCodeowners(pattern string) (*coMatcher, error) {
	pattern = strings.ReplaceAll(pattern, `\`, "/")
	if pattern == "/" {
		return &coMatcher{all: true}, nil
	}
	m := &coMatcher{}
	dirOnly := strings.HasSuffix(pattern, "/")
	body := strings.TrimSuffix(pattern, "/")
	if strings.HasPrefix(body, "/") {
		m.anchored = true
		body = body[1:]
	}
	anchored := m.anchored || strings.Contains(body, "/")

	var re strings.Builder
	if anchored {
		re.WriteString(`^`)
	} else {
		re.WriteString(`(?:^|/)`)
	}
	var lit, longest strings.Builder
	endLit := func() {
		if lit.Len() > longest.Len() {
			longest.Reset()
			longest.WriteString(lit.String())
		}
		lit.Reset()
	}
	for i := 0; i < len(body); {
		switch {
		case strings.HasPrefix(body[i:], "**/"):
			// "**/" at the start or after '/' is zero or more whole directories.
			re.WriteString(`(?:.*/)?`)
			endLit()
			i += 3
		case strings.HasPrefix(body[i:], "**"):
			if i+2 == len(body) && i > 0 && body[i-1] == '/' {
				re.WriteString(`.+`) // "dir/**": everything inside dir, not dir itself
			} else {
				re.WriteString(`.*`)
			}
			endLit()
			i += 2
		case body[i] == '*':
			re.WriteString(`[^/]*`)
			endLit()
			i++
		case body[i] == '?':
			re.WriteString(`[^/]`)
			endLit()
			i++
		case body[i] == '[':
			t, n, err := parseClass(body[i:])
			if err != nil {
				return nil, err
			}
			re.WriteString(classRegexp(t))
			endLit()
			i += n
		default:
			re.WriteString(regexp.QuoteMeta(body[i : i+1]))
			lit.WriteByte(body[i])
			i++
		}
	}
	endLit()
	if anchored {
		m.prefix = body[:strings.IndexAny(body+"*", "*?[")]
	}
	switch {
	case dirOnly:
		re.WriteString(`/`)
	case strings.HasSuffix(body, "/*") && !strings.HasSuffix(body, "/**"):
		// "dir/*" covers the entries of dir but not what is below them (Sentry's case 19),
		// although "dir/*.py" still covers a directory named x.py (case 17).
		re.WriteString(`$`)
	default:
		re.WriteString(`(?:/|$)`)
	}
	r, err := regexp.Compile(re.String())
	if err != nil {
		return nil, err
	}
	m.re = r
	m.needle = longest.String()
	return m, nil
}

func classRegexp(t gtok) string {
	var b strings.Builder
	b.WriteByte('[')
	if t.negate {
		b.WriteByte('^')
	}
	for i := 0; i < len(t.ranges); i += 2 {
		b.WriteString(regexp.QuoteMeta(string(t.ranges[i])))
		if t.ranges[i+1] != t.ranges[i] {
			b.WriteByte('-')
			b.WriteString(regexp.QuoteMeta(string(t.ranges[i+1])))
		}
	}
	if t.negate {
		b.WriteByte('/') // a class never matches the separator
	}
	b.WriteByte(']')
	return b.String()
}

// match tests one path whose backslashes are already '/'.
func (m *coMatcher) match(p string) bool {
	if m.anchored {
		p = strings.TrimPrefix(p, "/")
	}
	return m.matchPrepared(p)
}

// matchPrepared is match for a value whose leading '/' is already stripped if m.anchored.
func (m *coMatcher) matchPrepared(p string) bool {
	if m.all {
		return true
	}
	return strings.HasPrefix(p, m.prefix) && strings.Contains(p, m.needle) && m.re.MatchString(p)
}
