package ownership

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// glob is a compiled Sentry glob (Relay's is_glob_match without doublestar): '*' matches any
// run of characters including '/', '?' one character, "[…]" one character from a class
// ("[!…]" or "[^…]" negates, "a-z" is a range). Everything else is literal and the whole
// value must match. Backslash is a literal character, never an escape: path patterns have
// it turned into '/' before compiling, as Sentry's path_normalize does to values.
type glob struct {
	toks    []gtok
	prefix  string // literal text every match starts with
	suffix  string // literal text every match ends with
	rsuffix string // suffix reversed, for lookups in reversed sorted values
	minLen  int    // bytes a match needs at least (a lower bound)
	fold    bool   // pattern was lower-cased; values must be too
}

type gkind uint8

const (
	gLit gkind = iota
	gOne
	gClass
	gStar
)

type gtok struct {
	kind   gkind
	lit    string
	ranges []rune // pairs lo,hi
	negate bool
}

func (t *gtok) inClass(r rune) bool {
	for i := 0; i < len(t.ranges); i += 2 {
		if t.ranges[i] <= r && r <= t.ranges[i+1] {
			return !t.negate
		}
	}
	return t.negate
}

var errUnclosedClass = errors.New("unclosed '[' in pattern: close the character class with ']'")

// compileGlob compiles a Sentry glob. With fold the pattern is lower-cased and match expects
// lower-cased values (the caller lowers each value once per event, not once per rule).
func compileGlob(pattern string, fold bool) (*glob, error) {
	if fold {
		pattern = strings.ToLower(pattern)
	}
	g := &glob{fold: fold}
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			g.toks = append(g.toks, gtok{kind: gLit, lit: lit.String()})
			g.minLen += lit.Len()
			lit.Reset()
		}
	}
	for i := 0; i < len(pattern); {
		switch c := pattern[i]; c {
		case '*':
			flush()
			// Runs of stars mean the same as one star; keeping one keeps matching linear-ish.
			if n := len(g.toks); n == 0 || g.toks[n-1].kind != gStar {
				g.toks = append(g.toks, gtok{kind: gStar})
			}
			i++
		case '?':
			flush()
			g.toks = append(g.toks, gtok{kind: gOne})
			g.minLen++
			i++
		case '[':
			flush()
			t, n, err := parseClass(pattern[i:])
			if err != nil {
				return nil, err
			}
			g.toks = append(g.toks, t)
			g.minLen++
			i += n
		default:
			lit.WriteByte(c)
			i++
		}
	}
	flush()
	if len(g.toks) > 0 && g.toks[0].kind == gLit {
		g.prefix = g.toks[0].lit
	}
	if n := len(g.toks); n > 1 && g.toks[n-1].kind == gLit {
		g.suffix = g.toks[n-1].lit
		g.rsuffix = reverse(g.suffix)
	}
	return g, nil
}

// parseClass reads "[…]" at the start of s and returns the token and the bytes it used.
func parseClass(s string) (gtok, int, error) {
	t := gtok{kind: gClass}
	i := 1
	if i < len(s) && (s[i] == '!' || s[i] == '^') {
		t.negate = true
		i++
	}
	first := true
	for {
		if i >= len(s) {
			return gtok{}, 0, errUnclosedClass
		}
		if s[i] == ']' && !first {
			return t, i + 1, nil
		}
		first = false
		lo, n := utf8.DecodeRuneInString(s[i:])
		i += n
		hi := lo
		if i+1 < len(s) && s[i] == '-' && s[i+1] != ']' {
			hi, n = utf8.DecodeRuneInString(s[i+1:])
			i += 1 + n
			if hi < lo {
				return gtok{}, 0, fmt.Errorf("range %c-%c in '[…]' is backwards: write the lower character first", lo, hi)
			}
		}
		t.ranges = append(t.ranges, lo, hi)
	}
}

// match reports whether the whole of s matches. s must already be lower-cased if g.fold.
// It backtracks only to the most recent star, which is enough because every other token
// has a fixed length: the classic linear-space wildcard algorithm.
func (g *glob) match(s string) bool {
	if len(s) < g.minLen || !strings.HasPrefix(s, g.prefix) || !strings.HasSuffix(s, g.suffix) {
		return false
	}
	ti, si := 0, 0
	starTi, starSi := -1, 0
	for {
		if ti < len(g.toks) {
			t := &g.toks[ti]
			switch t.kind {
			case gStar:
				starTi, starSi = ti, si
				ti++
				continue
			case gLit:
				if strings.HasPrefix(s[si:], t.lit) {
					si += len(t.lit)
					ti++
					continue
				}
			case gOne:
				if si < len(s) {
					_, n := utf8.DecodeRuneInString(s[si:])
					si += n
					ti++
					continue
				}
			case gClass:
				if si < len(s) {
					r, n := utf8.DecodeRuneInString(s[si:])
					if t.inClass(r) {
						si += n
						ti++
						continue
					}
				}
			}
		} else if si == len(s) {
			return true
		}
		if starTi < 0 || starSi >= len(s) {
			return false
		}
		_, n := utf8.DecodeRuneInString(s[starSi:])
		starSi += n
		si, ti = starSi, starTi+1
	}
}

// reverse reverses s byte by byte: only ever compared with other byte-reversed strings.
func reverse(s string) string {
	b := make([]byte, len(s))
	for i := range len(s) {
		b[len(s)-1-i] = s[i]
	}
	return string(b)
}
