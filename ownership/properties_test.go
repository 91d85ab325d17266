package ownership

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseProperties(t *testing.T) {
	t.Parallel()
	type kv struct {
		Key, Value string
		Line       int
	}
	tests := []struct {
		name string
		src  string
		want []kv
	}{
		{"separators", "a=1\nb:2\nc 3\nd\t=\t4\ne\n", []kv{{"a", "1", 1}, {"b", "2", 2}, {"c", "3", 3}, {"d", "4", 4}, {"e", "", 5}}},
		{"comments and blanks", "# c\n! c\n\n   \n  # indented\nk=v\n", []kv{{"k", "v", 6}}},
		{"only the first separator", "a = b = c:d\n", []kv{{"a", "b = c:d", 1}}},
		{"escapes", `k=\t\n\r\f\\\u0041\q\=\:` + "\n", []kv{{"k", "\t\n\r\f\\Aq=:", 1}}},
		{"escaped key", `a\ b\=c\:d=v`, []kv{{"a b=c:d", "v", 1}}},
		{"surrogate pair", `k=\uD83D\uDE00`, []kv{{"k", "😀", 1}}},
		{"lone surrogate", `k=\uD83D`, []kv{{"k", "\uFFFD", 1}}},
		{"continuation", "k=a\\\n    b\\\n\tc\nx=y", []kv{{"k", "abc", 1}, {"x", "y", 4}}},
		{"even backslashes do not continue", "k=a\\\\\nx=y", []kv{{"k", `a\`, 1}, {"x", "y", 2}}},
		{"continuation at end of file", "k=a\\", []kv{{"k", "a", 1}}},
		{"comment does not continue", "# c\\\nk=v", []kv{{"k", "v", 2}}},
		{"BOM", "\uFEFFk=v\n", []kv{{"k", "v", 1}}},
		{"CRLF", "a=1\r\nb=2\\\r\n  3\r\n", []kv{{"a", "1", 1}, {"b", "23", 2}}},
		{"CR", "a=1\rb=2\r", []kv{{"a", "1", 1}, {"b", "2", 2}}},
		{"trailing space kept", "k = v  \n", []kv{{"k", "v  ", 1}}},
		{"duplicates all kept", "k=1\nk=2\n", []kv{{"k", "1", 1}, {"k", "2", 2}}},
		{"utf-8", "clé=välue\n", []kv{{"clé", "välue", 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			es, err := ParseProperties([]byte(tt.src), "p")
			if err != nil {
				t.Fatal(err)
			}
			var got []kv
			for _, e := range es {
				got = append(got, kv{e.Key, e.Value, e.Line})
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParsePropertiesSegments(t *testing.T) {
	t.Parallel()
	es, err := ParseProperties([]byte("x=1\nk = \\\n  a\\\n  b\\n c\\\n\n"), "p")
	if err != nil {
		t.Fatal(err)
	}
	want := []Segment{{3, "a"}, {4, "b\n c"}, {5, ""}}
	if !reflect.DeepEqual(es[1].Segments, want) {
		t.Errorf("segments %+v, want %+v", es[1].Segments, want)
	}
}

func TestParsePropertiesErrors(t *testing.T) {
	t.Parallel()
	_, err := ParseProperties([]byte("a=1\nb=\\u12\nc\\uZZZZ=1\n"), "p.properties")
	want := "2 problems in the ownership configuration:\n  p.properties:2: malformed \\uXXXX escape \"\\\\u12\"\n  p.properties:3: malformed \\uXXXX escape \"\\\\uZZZZ\""
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}

// formatProperties writes entries so that ParseProperties reads them back unchanged.
func formatProperties(es []Entry) string {
	esc := func(s string, key bool) string {
		var b strings.Builder
		for i, r := range s {
			switch {
			case r == '\\':
				b.WriteString(`\\`)
			case r == '\n':
				b.WriteString(`\n`)
			case r == '\r':
				b.WriteString(`\r`)
			case r == '\t':
				b.WriteString(`\t`)
			case r == '\f':
				b.WriteString(`\f`)
			case r == 0xFEFF:
				b.WriteString(`\uFEFF`)
			case r == ' ' && (key || i == 0):
				b.WriteString(`\ `)
			case key && strings.ContainsRune("=:#!", r), !key && i == 0 && strings.ContainsRune("=:", r):
				b.WriteByte('\\')
				b.WriteRune(r)
			default:
				b.WriteRune(r)
			}
		}
		return b.String()
	}
	var b strings.Builder
	for _, e := range es {
		fmt.Fprintf(&b, "%s=%s\n", esc(e.Key, true), esc(e.Value, false))
	}
	return b.String()
}

// FuzzProperties checks invariants of ParseProperties on any input and that valid UTF-8
// entries survive a write and re-read.
func FuzzProperties(f *testing.F) {
	for _, s := range []string{
		"a=1\nb:2\nc 3\n# x\n! y\n",
		"k=a\\\n   b\\\\\nx\\ y=\\u0041\\t\r\n",
		"\uFEFFk=\\uD83D\\uDE00\rz",
		"ownership.rules = \\\n  path:src/* #team\\\n  *.js a@b.co\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		es, err := ParseProperties(src, "f")
		malformed := 0
		for _, e := range es {
			if e.Malformed {
				malformed++
			}
		}
		if err != nil {
			if pe := (*ParseError)(nil); !errors.As(err, &pe) || len(pe.Problems) == 0 {
				t.Fatalf("error %v is not a non-empty *ParseError", err)
			}
			// Every other entry comes back too: the bad ones are marked, none is lost.
			if malformed == 0 {
				t.Fatalf("error %v, but no entry is marked Malformed", err)
			}
			return
		}
		if malformed > 0 {
			t.Fatalf("%d entries marked Malformed without an error", malformed)
		}
		last := 0
		for _, e := range es {
			if e.Line <= last || len(e.Segments) == 0 || e.Segments[0].Line < e.Line {
				t.Fatalf("bad lines in %+v after line %d", e, last)
			}
			var joined strings.Builder
			for _, s := range e.Segments {
				joined.WriteString(s.Text)
			}
			if joined.String() != e.Value {
				t.Fatalf("segments %+v do not join to %q", e.Segments, e.Value)
			}
			last = e.Segments[len(e.Segments)-1].Line
		}
		for _, e := range es {
			if !utf8.ValidString(e.Key) || !utf8.ValidString(e.Value) || strings.ContainsRune(e.Key+e.Value, utf8.RuneError) {
				return
			}
		}
		out := formatProperties(es)
		again, err := ParseProperties([]byte(out), "f")
		if err != nil || len(again) != len(es) {
			t.Fatalf("re-read of %q: %v, %d entries, want %d", out, err, len(again), len(es))
		}
		for i := range es {
			if again[i].Key != es[i].Key || again[i].Value != es[i].Value {
				t.Fatalf("entry %d: got %q=%q, want %q=%q (from %q)", i, again[i].Key, again[i].Value, es[i].Key, es[i].Value, out)
			}
		}
	})
}
