package sentryapitest

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// searchToken is one term of Sentry's search syntax: key:value (or key:>value, key:[a, b],
// !key:value), or free text.
type searchToken struct {
	key    string
	negate bool
	op     string   // ":" or a comparison: ">", "<", ">=", "<="
	values []string // several for the list form
	text   string   // free text when key is empty
}

var searchKey = regexp.MustCompile(`^(!?)([A-Za-z_][A-Za-z0-9_.\-]*(?:\[[^\]]+\])?):`)

// parseSearch splits a query into tokens. Terms are ANDed; OR, AND and parentheses are not part
// of issue search, so they are errors, as Sentry answers.
func parseSearch(q string) ([]searchToken, error) {
	var out []searchToken
	rest := strings.TrimSpace(q)
	for rest != "" {
		if m := searchKey.FindStringSubmatch(rest); m != nil {
			tok := searchToken{negate: m[1] == "!", key: m[2], op: ":"}
			rest = rest[len(m[0]):]
			for _, op := range []string{">=", "<=", ">", "<"} {
				if strings.HasPrefix(rest, op) {
					tok.op, rest = op, rest[len(op):]
					break
				}
			}
			var err error
			switch {
			case strings.HasPrefix(rest, "["):
				end := strings.Index(rest, "]")
				if end < 0 {
					return nil, fmt.Errorf("unterminated list in %q", q)
				}
				for _, v := range strings.Split(rest[1:end], ",") {
					v = strings.TrimSpace(v)
					if uq, ok := unquote(v); ok {
						v = uq
					}
					if v != "" {
						tok.values = append(tok.values, v)
					}
				}
				rest = rest[end+1:]
			case strings.HasPrefix(rest, `"`):
				var v string
				v, rest, err = readQuoted(rest)
				if err != nil {
					return nil, err
				}
				tok.values = []string{v}
			default:
				end := strings.IndexFunc(rest, unicode.IsSpace)
				if end < 0 {
					end = len(rest)
				}
				tok.values, rest = []string{rest[:end]}, rest[end:]
			}
			if len(tok.values) == 0 || tok.values[0] == "" {
				return nil, fmt.Errorf("empty value for %q", tok.key)
			}
			out = append(out, tok)
		} else {
			var word string
			var err error
			if strings.HasPrefix(rest, `"`) {
				word, rest, err = readQuoted(rest)
				if err != nil {
					return nil, err
				}
			} else {
				end := strings.IndexFunc(rest, unicode.IsSpace)
				if end < 0 {
					end = len(rest)
				}
				word, rest = rest[:end], rest[end:]
				if word == "OR" || word == "AND" || strings.HasPrefix(word, "(") || strings.HasSuffix(word, ")") {
					return nil, fmt.Errorf("boolean statements containing %q are not supported in this search", word)
				}
			}
			if len(out) > 0 && out[len(out)-1].key == "" {
				out[len(out)-1].text += " " + word
			} else {
				out = append(out, searchToken{text: word})
			}
		}
		rest = strings.TrimLeftFunc(rest, unicode.IsSpace)
	}
	return out, nil
}

func readQuoted(s string) (value, rest string, err error) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if i+1 < len(s) {
				i++
				b.WriteByte(s[i])
			}
		case '"':
			return b.String(), s[i+1:], nil
		default:
			b.WriteByte(s[i])
		}
	}
	return "", "", fmt.Errorf("unterminated quote in %q", s)
}

func unquote(v string) (string, bool) {
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		return v[1 : len(v)-1], true
	}
	return v, false
}

// matchAny says whether a value matches any of the token's values; "*" is a wildcard.
func (t searchToken) matchAny(v string) bool {
	for _, want := range t.values {
		if globMatch(want, v) {
			return true
		}
	}
	return false
}

func globMatch(pattern, v string) bool {
	if !strings.Contains(pattern, "*") {
		return pattern == v
	}
	re := "^" + strings.ReplaceAll(regexp.QuoteMeta(pattern), `\*`, ".*") + "$"
	ok, _ := regexp.MatchString(re, v)
	return ok
}

// tagKey maps a search key to the tag it filters on.
func tagKey(key string) string {
	if inner, ok := strings.CutPrefix(key, "tags["); ok {
		return strings.TrimSuffix(inner, "]")
	}
	switch key {
	case "server", "server.name":
		return "server_name"
	case "os.name", "runtime.name":
		return key
	}
	return key
}

// userField is an event's value of a user search key (user.id, user.email, user.username,
// user.ip); empty when the event has no such value or the key is not one of them.
func userField(u *User, key string) string {
	if u == nil {
		return ""
	}
	switch key {
	case "user.id":
		return u.ID
	case "user.email":
		return u.Email
	case "user.username":
		return u.Username
	case "user.ip":
		return u.IPAddress
	}
	return ""
}

// eventMatcher builds the filter for event-level tokens. latest resolves "latest" in release
// values.
func eventMatcher(tokens []searchToken, latest func() string) (func(*storedEvent) bool, error) {
	var preds []func(*storedEvent) bool
	for _, tok := range tokens {
		tok := tok
		var pred func(*storedEvent) bool
		switch tok.key {
		case "":
			text := strings.ToLower(tok.text)
			pred = func(e *storedEvent) bool {
				return strings.Contains(strings.ToLower(e.group.title), text) ||
					strings.Contains(strings.ToLower(e.ev.Message), text)
			}
		case "release":
			vals := make([]string, len(tok.values))
			for i, v := range tok.values {
				vals[i] = v
				if v == "latest" {
					vals[i] = latest()
				}
			}
			t := tok
			t.values = vals
			pred = func(e *storedEvent) bool { return t.matchAny(e.ev.Release) }
		case "has":
			pred = func(e *storedEvent) bool {
				for _, v := range tok.values {
					if _, ok := e.tag(tagKey(v)); ok {
						return true
					}
					// The user fields are searchable properties of their own, not tags, and
					// has: takes them too (has:user.id, has:user.email).
					if userField(e.ev.User, v) != "" {
						return true
					}
				}
				return false
			}
		case "user.id", "user.email", "user.username", "user.ip":
			pred = func(e *storedEvent) bool {
				v := userField(e.ev.User, tok.key)
				return v != "" && tok.matchAny(v)
			}
		case "message", "title":
			pred = func(e *storedEvent) bool {
				for _, v := range tok.values {
					v = strings.ToLower(strings.Trim(v, "*"))
					if strings.Contains(strings.ToLower(e.group.title), v) || strings.Contains(strings.ToLower(e.ev.Message), v) {
						return true
					}
				}
				return false
			}
		case "error.type", "error.value", "error.mechanism",
			"stack.filename", "stack.function", "stack.module", "stack.abs_path", "stack.package":
			// Array properties of the event: a token matches when any exception (or any frame of
			// any exception) has a matching value, as Sentry searches an event's arrays.
			if tok.op != ":" {
				return nil, fmt.Errorf("%s does not take %s", tok.key, tok.op)
			}
			key := tok.key
			pred = func(e *storedEvent) bool {
				for _, v := range exceptionValues(e.ev.Exceptions, key) {
					if tok.matchAny(v) {
						return true
					}
				}
				return false
			}
		case "issue.id":
			pred = func(e *storedEvent) bool { return tok.matchAny(strconv.Itoa(e.group.id)) }
		case "issue":
			pred = func(e *storedEvent) bool { return tok.matchAny(e.group.shortID) }
		case "project":
			pred = func(e *storedEvent) bool { return tok.matchAny(e.project.slug) }
		case "error.handled", "error.unhandled":
			want := tok.values[0] == "true" || tok.values[0] == "1"
			if tok.key == "error.unhandled" {
				want = !want
			}
			pred = func(e *storedEvent) bool { return (e.handled == nil || *e.handled) == want }
		default:
			if tok.op != ":" {
				return nil, fmt.Errorf("%s does not take %s", tok.key, tok.op)
			}
			key := tagKey(tok.key)
			pred = func(e *storedEvent) bool {
				v, ok := e.tag(key)
				return ok && tok.matchAny(v)
			}
		}
		if tok.negate {
			inner := pred
			pred = func(e *storedEvent) bool { return !inner(e) }
		}
		preds = append(preds, pred)
	}
	return func(e *storedEvent) bool {
		for _, p := range preds {
			if !p(e) {
				return false
			}
		}
		return true
	}, nil
}

// timeWindow reads statsPeriod or start/end; statsPeriod wins, as in Sentry. def is the range
// used when neither is given (zero: no range, meaning the 90-day retention).
func (c *call) timeWindow(def time.Duration) (start, end time.Time, ok bool) {
	now := c.s.clock()
	if sp := c.query("statsPeriod"); sp != "" {
		d, err := parsePeriod(sp)
		if err != nil {
			c.detail(http.StatusBadRequest, "Invalid statsPeriod: "+sp)
			return time.Time{}, time.Time{}, false
		}
		return now.Add(-d), now, true
	}
	s, e := c.query("start"), c.query("end")
	if s != "" || e != "" {
		if s == "" || e == "" {
			c.detail(http.StatusBadRequest, "start and end are both required")
			return time.Time{}, time.Time{}, false
		}
		st, err1 := parseISO(s)
		en, err2 := parseISO(e)
		if err1 != nil || err2 != nil {
			c.detail(http.StatusBadRequest, "start and end must be ISO-8601 dates")
			return time.Time{}, time.Time{}, false
		}
		if !st.Before(en) {
			c.detail(http.StatusBadRequest, "start must be before end")
			return time.Time{}, time.Time{}, false
		}
		return st, en, true
	}
	if def == 0 {
		def = retention
	}
	return now.Add(-def), now, true
}

// retention is how far back Sentry keeps events by default.
const retention = 90 * 24 * time.Hour

var periodRe = regexp.MustCompile(`^(\d+)([smhdw]?)$`)

// parsePeriod reads Sentry's period syntax: a number and one of s, m, h, d, w (seconds when
// there is no unit).
func parsePeriod(s string) (time.Duration, error) {
	m := periodRe.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("invalid period %q", s)
	}
	n, err := strconv.Atoi(m[1])
	if err != nil {
		return 0, err
	}
	unit := map[string]time.Duration{"": time.Second, "s": time.Second, "m": time.Minute, "h": time.Hour, "d": 24 * time.Hour, "w": 7 * 24 * time.Hour}[m[2]]
	return time.Duration(n) * unit, nil
}

// parseISO reads the ISO-8601 forms Sentry accepts; without a zone the time is UTC.
func parseISO(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("not an ISO-8601 date: %q", s)
}

// projectFilter reads the repeatable project parameter (IDs, slugs, or -1 for all).
func (c *call) projectFilter(o *org) (map[*project]bool, bool) {
	vals := c.queryAll("project")
	if len(vals) == 0 {
		return nil, true
	}
	out := map[*project]bool{}
	for _, v := range vals {
		if v == "-1" {
			return nil, true
		}
		p := o.project(v)
		if p == nil {
			c.detail(http.StatusForbidden, "You do not have permission to perform this action.")
			return nil, false
		}
		out[p] = true
	}
	return out, true
}

// environmentFilter reads the repeatable environment parameter.
func (c *call) environmentFilter() map[string]bool {
	vals := c.queryAll("environment")
	if len(vals) == 0 {
		return nil
	}
	out := map[string]bool{}
	for _, v := range vals {
		out[v] = true
	}
	return out
}

// exceptionValues lists the values of an event's exceptions (error.*) or of their frames
// (stack.*) for one searchable property.
func exceptionValues(excs []Exception, key string) []string {
	var out []string
	for _, x := range excs {
		switch key {
		case "error.type":
			out = append(out, x.Type)
		case "error.value":
			out = append(out, x.Value)
		case "error.mechanism":
			out = append(out, x.Mechanism)
		}
		for _, f := range x.Frames {
			switch key {
			case "stack.filename":
				out = append(out, f.Filename)
			case "stack.function":
				out = append(out, f.Function)
			case "stack.module":
				out = append(out, f.Module)
			case "stack.abs_path":
				out = append(out, f.AbsPath)
			case "stack.package":
				out = append(out, f.Package)
			}
		}
	}
	return slices.DeleteFunc(out, func(v string) bool { return v == "" }) // absent, not empty
}
