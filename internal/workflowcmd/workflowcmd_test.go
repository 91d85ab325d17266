package workflowcmd

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestAnnotation(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		a    Annotation
		want string
	}{
		"message only":                      {Annotation{Level: "notice", Message: "ok"}, "::notice::ok"},
		"file, line, column":                {Annotation{Level: "error", File: "dist/a.js.map", Line: 3, Col: 7, Title: "releasegate: bad-vlq", Message: "bad"}, "::error file=dist/a.js.map,line=3,col=7,title=releasegate%3A bad-vlq::bad"},
		"a column needs a line":             {Annotation{Level: "warning", File: "a.js", Col: 7, Message: "m"}, "::warning file=a.js::m"},
		"user text cannot forge a command":  {Annotation{Level: "error", Title: "a,b:c", Message: "50%\n::error::forged\r"}, "::error title=a%2Cb%3Ac::50%25%0A::error::forged%0D"},
		"file names with commas and colons": {Annotation{Level: "error", File: "C:\\x,y.js", Message: "m"}, "::error file=C%3A\\x%2Cy.js::m"},
	}
	for name, tc := range tests {
		if got := tc.a.String(); got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", name, got, tc.want)
		}
	}
}

type failingWriter struct{ n int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.n == 0 {
		return 0, errors.New("disk full")
	}
	w.n--
	return len(p), nil
}

// TestCapped: each level is capped on its own, the summary annotation always goes out, and the
// first write error is kept rather than dropped.
func TestCapped(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	c := NewCapped(&b)
	for i := range 25 {
		c.Write(Annotation{Level: "error", Message: fmt.Sprint("e", i)})
		if i < 3 {
			c.Write(Annotation{Level: "warning", Message: fmt.Sprint("w", i)})
		}
	}
	c.WriteAlways(Annotation{Level: "error", Message: "summary"})
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if c.Held != 15 || len(lines) != PerLevelCap+3+1 || lines[len(lines)-1] != "::error::summary" || c.Err() != nil {
		t.Fatalf("held %d, %d lines, last %q, err %v", c.Held, len(lines), lines[len(lines)-1], c.Err())
	}
	f := NewCapped(&failingWriter{n: 1})
	f.Write(Annotation{Level: "error", Message: "one"})
	f.Write(Annotation{Level: "error", Message: "two"})
	f.Write(Annotation{Level: "error", Message: "three"})
	if f.Err() == nil || f.Err().Error() != "disk full" {
		t.Errorf("Err() = %v, want the first write error", f.Err())
	}
}
