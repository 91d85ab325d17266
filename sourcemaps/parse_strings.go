package sourcemaps

import (
	"bytes"
	"slices"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"

	"github.com/go-json-experiment/json/jsontext"
)

// The map's strings: read raw from the decoder, unquoted in one pass where they can be,
// carved from shared chunks, and checked for duplicate keys.

// stringArena hands out short strings carved from shared chunks: a map's names and sources are
// hundreds of short strings, and one allocation for all of them is much cheaper than one each
// (for the allocator and for the garbage collector). Chunks are only ever appended to, so the
// bytes under a string handed out never change.
type stringArena struct {
	chunk []byte
}

const (
	arenaChunk    = 8 << 10
	arenaMaxShort = 256 // longer strings (sourcesContent) get their own allocation
)

func (a *stringArena) string(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) > arenaMaxShort {
		return string(b)
	}
	if cap(a.chunk)-len(a.chunk) < len(b) {
		// Small maps need little: start small, double up to arenaChunk.
		a.chunk = make([]byte, 0, min(max(2*cap(a.chunk), 512), arenaChunk))
	}
	start := len(a.chunk)
	a.chunk = append(a.chunk, b...)
	return unsafe.String(&a.chunk[start], len(b))
}

// readRawString reads a string value and returns its text without copying it when it has no
// escapes (the bytes are the map's own; nothing writes to them), and the absolute offset of its
// first character.
func (p *parser) readRawString() ([]byte, int64, bool) {
	v, err := p.dec.ReadValue()
	if err != nil {
		p.syntax(err)
		return nil, 0, false
	}
	end := p.offset()
	start := end - int64(len(v)) // the opening quote
	if int64(0) <= start && end <= int64(len(p.data)) && bytes.Equal(p.data[start:end], v) {
		if raw := p.data[start+1 : end-1]; bytes.IndexByte(raw, '\\') < 0 {
			return raw[:len(raw):len(raw)], start + 1, true
		}
	}
	b, err := jsontext.AppendUnquote(nil, v)
	if err != nil {
		p.syntax(err)
		return nil, 0, false
	}
	return b, start + 1, true
}

// unquote returns the text of a string literal with escapes. The decoder has checked v
// (escapes well-formed, surrogates paired, UTF-8 valid), so unquoteChecked only copies the runs
// between backslashes; jsontext's own unquoting, which checks everything again, is the fallback.
func (p *parser) unquote(v []byte) (string, bool) {
	if s, ok := unquoteChecked(v); ok {
		return s, true
	}
	b, err := jsontext.AppendUnquote(nil, v)
	if err != nil {
		p.syntax(err)
		return "", false
	}
	return string(b), true
}

// unquoteChecked undoes the escapes of a checked JSON string literal (quotes included), in one
// pass and one allocation. ok is false for anything it does not expect.
func unquoteChecked(v []byte) (s string, ok bool) {
	if len(v) < 2 {
		return "", false
	}
	v = v[1 : len(v)-1]
	var b strings.Builder
	b.Grow(len(v))
	for {
		i := bytes.IndexByte(v, '\\')
		if i < 0 {
			b.Write(v)
			return b.String(), true
		}
		b.Write(v[:i])
		if i+1 >= len(v) {
			return "", false
		}
		switch c := v[i+1]; c {
		case '"', '\\', '/':
			b.WriteByte(c)
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'u':
			r, ok := hex4(v[i+2:])
			if !ok {
				return "", false
			}
			if utf16.IsSurrogate(r) {
				lo, ok := hex4(v[i+8:])
				if !ok || v[i+6] != '\\' || v[i+7] != 'u' {
					return "", false
				}
				if r = utf16.DecodeRune(r, lo); r == utf8.RuneError {
					return "", false
				}
				i += 6
			}
			b.WriteRune(r)
			v = v[i+6:]
			continue
		default:
			return "", false
		}
		v = v[i+2:]
	}
}

// hex4 parses the four hex digits at the start of b.
func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// keySet records the keys of one object, to report duplicates. Objects have a handful of keys,
// so a short list beats a map until a hostile one has many.
type keySet struct {
	few  [16]string
	n    int
	many map[string]bool
}

// add records key and reports whether it was new.
func (s *keySet) add(key string) bool {
	if s.many != nil {
		if s.many[key] {
			return false
		}
		s.many[key] = true
		return true
	}
	if slices.Contains(s.few[:s.n], key) {
		return false
	}
	if s.n == len(s.few) {
		s.many = make(map[string]bool, 2*len(s.few))
		for _, k := range s.few {
			s.many[k] = true
		}
		s.many[key] = true
		return true
	}
	s.few[s.n] = key
	s.n++
	return true
}
