package triage

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Reference is a Sentry issue a pull request says it fixes.
type Reference struct {
	ShortID string // "WEB-123", as written
	Keyword string // "fixes", lower-cased
}

// fixKeywords are the words GitHub and Sentry read as "this closes that".
var fixKeywords = []string{"fix", "fixes", "fixed", "close", "closes", "closed", "resolve", "resolves", "resolved"}

// ParseFixes finds the Sentry issues the texts say they fix: a keyword (fix, fixes, fixed,
// close, closes, closed, resolve, resolves, resolved; any case, an optional colon) and a short
// ID after it (WEB-123, FRONT-END-9, PROJECT-A1B). A short ID is a project slug and a
// suffix, in capitals as Sentry shows them: "fixes the-bug" is prose, not an issue. Each issue
// comes once, in the order first named, across the title, the body and the commit messages.
func ParseFixes(texts ...string) []Reference {
	var out []Reference
	seen := map[string]bool{}
	for _, text := range texts {
		for i := 0; i < len(text); {
			r, size := utf8.DecodeRuneInString(text[i:])
			if !isLetter(r) || (i > 0 && isWordRune(lastRune(text[:i]))) {
				i += size
				continue
			}
			j := i
			for j < len(text) && text[j] < utf8.RuneSelf && isLetter(rune(text[j])) {
				j++
			}
			word := strings.ToLower(text[i:j])
			if j < len(text) && isWordRune(firstRune(text[j:])) || !slices.Contains(fixKeywords, word) {
				i = max(j, i+size)
				continue
			}
			k := j
			if k < len(text) && text[k] == ':' {
				k++
			}
			ws := k
			for k < len(text) && (text[k] == ' ' || text[k] == '\t') {
				k++
			}
			if k == ws {
				i = j
				continue
			}
			e := k
			for e < len(text) && isIDByte(text[e]) {
				e++
			}
			id := strings.TrimRight(text[k:e], "-_")
			if (e == len(text) || !isWordRune(firstRune(text[e:]))) && isShortID(id) && !seen[id] {
				seen[id] = true
				out = append(out, Reference{ShortID: id, Keyword: word})
			}
			i = j
		}
	}
	return out
}

// isShortID: capitals, digits and underscores in hyphen-separated parts, at least two, the
// last (the number in base 32) capitals and digits only.
func isShortID(s string) bool {
	parts := strings.Split(s, "-")
	if len(parts) < 2 || len(s) > 120 {
		return false
	}
	for i, p := range parts {
		if p == "" {
			return false
		}
		for j := 0; j < len(p); j++ {
			c := p[j]
			if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' && i < len(parts)-1) {
				return false
			}
		}
	}
	return true
}

func isIDByte(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_'
}

func isLetter(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }

func isWordRune(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

func lastRune(s string) rune {
	r, _ := utf8.DecodeLastRuneInString(s)
	return r
}

func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}
