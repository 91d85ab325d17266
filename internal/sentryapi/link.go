package sentryapi

import (
	"net/url"
	"strings"
)

// link is one entry of an RFC 8288 Link header as Sentry writes it:
//
//	<https://sentry.io/api/0/…/?&cursor=0:100:0>; rel="next"; results="true"; cursor="0:100:0"
type link struct {
	URL    string
	Params map[string]string // lower-cased names; values unquoted
}

// parseLinks parses a Link header value. It never fails: malformed entries are skipped, so a
// proxy mangling the header ends pagination instead of the call.
func parseLinks(s string) []link {
	var links []link
	for {
		s = strings.TrimLeft(s, " \t,")
		if s == "" {
			return links
		}
		if s[0] != '<' {
			// Not the start of an entry: skip to the next comma outside quotes.
			s = skipEntry(s)
			continue
		}
		end := strings.IndexByte(s, '>')
		if end < 0 {
			return links
		}
		l := link{URL: strings.TrimSpace(s[1:end]), Params: map[string]string{}}
		s = s[end+1:]
		// Parameters: ; name=value or ; name="quoted value", until a comma outside quotes.
		for {
			s = strings.TrimLeft(s, " \t")
			if s == "" || s[0] == ',' {
				break
			}
			if s[0] != ';' {
				s = skipEntry(s)
				break
			}
			s = strings.TrimLeft(s[1:], " \t")
			i := strings.IndexAny(s, "=;,")
			if i < 0 {
				l.Params[strings.ToLower(strings.TrimSpace(s))] = ""
				s = ""
				break
			}
			name := strings.ToLower(strings.TrimSpace(s[:i]))
			if s[i] != '=' {
				if name != "" {
					l.Params[name] = ""
				}
				s = s[i:]
				continue
			}
			s = strings.TrimLeft(s[i+1:], " \t")
			var value string
			value, s = paramValue(s)
			if name != "" {
				if _, dup := l.Params[name]; !dup { // RFC 8288: the first occurrence counts
					l.Params[name] = value
				}
			}
		}
		links = append(links, l)
	}
}

// paramValue reads a token or a quoted string (with backslash escapes) from the start of s.
func paramValue(s string) (value, rest string) {
	if s == "" || s[0] != '"' {
		i := strings.IndexAny(s, ";,")
		if i < 0 {
			return strings.TrimSpace(s), ""
		}
		return strings.TrimSpace(s[:i]), s[i:]
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			if i+1 < len(s) {
				i++
				b.WriteByte(s[i])
			}
		case '"':
			return b.String(), s[i+1:]
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), "" // unterminated quote: take the rest
}

// skipEntry drops everything up to the next comma that is outside a quoted string.
func skipEntry(s string) string {
	quoted := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if quoted {
				i++
			}
		case '"':
			quoted = !quoted
		case ',':
			if !quoted {
				return s[i:]
			}
		}
	}
	return ""
}

// nextCursor returns the cursor of the rel="next" link if Sentry says it has results. Sentry
// always sends both a previous and a next link; only results="true" means there is more.
// The cursor is taken from the cursor parameter, else from the link URL's query, and requests
// for the next page are built from the client's own base URL: behind a reverse proxy the URL
// Sentry writes may lack the path prefix.
func nextCursor(header []string) (string, bool) {
	for _, h := range header {
		for _, l := range parseLinks(h) {
			if !hasToken(l.Params["rel"], "next") || !strings.EqualFold(l.Params["results"], "true") {
				continue
			}
			if c := l.Params["cursor"]; c != "" {
				return c, true
			}
			if u, err := url.Parse(l.URL); err == nil {
				if c := u.Query().Get("cursor"); c != "" {
					return c, true
				}
			}
		}
	}
	return "", false
}

// hasToken reports whether the space-separated rel value contains want.
func hasToken(rel, want string) bool {
	for _, f := range strings.Fields(rel) {
		if strings.EqualFold(f, want) {
			return true
		}
	}
	return false
}
