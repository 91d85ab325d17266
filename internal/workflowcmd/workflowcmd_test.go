package workflowcmd

import "testing"

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
