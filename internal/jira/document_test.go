package jira_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/releasegate/releasegate/internal/jira"
)

// everyElement is a document with every element the model has, and text that would be markup.
func everyElement() jira.Document {
	return jira.Document{Blocks: []jira.Block{
		jira.Heading{Level: 2, Content: []jira.Inline{jira.T("TypeError in checkout")}},
		jira.P(jira.T("First seen in "), jira.C("web@1.4.2"), jira.T(", "), jira.B("412 users"), jira.T(" in 9 tenants.")),
		jira.P(jira.T("Suspect pull request: "), jira.Link{Text: "#42 Refactor cart [WIP] | fast", URL: "https://github.com/acme/web/pull/42"}),
		jira.P(jira.T("Markup that must stay text: *bold* _em_ {code} [link|x] -strike- h1. not a heading\n\nsecond line (/) !img.png!")),
		jira.CodeBlock{Language: "javascript", Text: "TypeError: x is undefined\n    at total (src/cart.ts:12:5)\n    at {code} in a frame"},
		jira.BulletList{Items: [][]jira.Inline{
			{jira.T("Owner: "), jira.B("@acme/payments")},
			{jira.T("Sentry: "), jira.Link{URL: "https://acme.sentry.io/issues/123/"}},
		}},
		jira.Heading{Level: 3, Content: []jira.Inline{jira.T("Triage checklist")}},
		jira.TaskList{Items: []jira.Task{
			{Done: true, Content: []jira.Inline{jira.T("Owner assigned")}},
			{Done: true, Content: []jira.Inline{jira.T("Duplicates checked")}},
			{Done: false, Content: []jira.Inline{jira.T("Fix released")}},
		}},
	}}
}

var update = flag.Bool("update", false, "rewrite the golden files in testdata with the current output")

// TestRenderings compares the ADF and wiki renderings of a document with every element to
// their golden files (go test -update rewrites them).
func TestRenderings(t *testing.T) {
	t.Parallel()
	var adf bytes.Buffer
	if err := json.Indent(&adf, everyElement().ADF(), "", "  "); err != nil {
		t.Fatal(err)
	}
	adf.WriteByte('\n')
	cases := []struct{ file, got string }{
		{"document.adf.json.golden", adf.String()},
		{"document.wiki.golden", everyElement().Wiki() + "\n"},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join("testdata", tc.file)
			if *update {
				if err := os.WriteFile(path, []byte(tc.got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if string(want) != strings.ReplaceAll(tc.got, "\r\n", "\n") {
				t.Errorf("%s differs from the rendering (go test -update rewrites it):\n%s", path, tc.got)
			}
		})
	}
}

// TestEmptyParts: empty lists and texts render nothing ADF would refuse.
func TestEmptyParts(t *testing.T) {
	t.Parallel()
	d := jira.Document{Blocks: []jira.Block{
		jira.BulletList{}, jira.TaskList{}, jira.CodeBlock{}, jira.P(jira.T(""), jira.Link{}),
	}}
	if got := string(d.ADF()); got != `{"type":"doc","version":1,"content":[{"type":"codeBlock"},{"type":"paragraph"}]}` {
		t.Errorf("ADF = %s", got)
	}
	if got := d.Wiki(); got != "{code}\n\n{code}" {
		t.Errorf("wiki = %q", got)
	}
}

// FuzzRenderText: text given as text never becomes markup. In wiki markup every special
// character is escaped, a paragraph never holds a blank line, and no line reads as a heading;
// the ADF is valid JSON holding the text unchanged.
func FuzzRenderText(f *testing.F) {
	for _, s := range []string{"plain", "*bold* _em_ {code} [a|b]", "h1. title", "x\n\n\ny", "\\", "(/) !img!", "\r\n-", "é ☃"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		d := jira.Document{Blocks: []jira.Block{jira.P(jira.T(s))}}
		wiki := d.Wiki()
		for i := 0; i < len(wiki); i++ {
			if wiki[i] == '\\' {
				i++ // an escape and what it escapes
				continue
			}
			if strings.IndexByte(`*_{}[]|!^~+-?#()`, wiki[i]) >= 0 {
				t.Fatalf("%q renders %q with an unescaped %q", s, wiki, wiki[i])
			}
		}
		if strings.Contains(wiki, "\n\n") {
			t.Fatalf("%q renders a blank line: %q", s, wiki)
		}
		for _, line := range strings.Split(wiki, "\n") {
			l := strings.TrimSpace(line)
			if len(l) >= 3 && l[0] == 'h' && l[1] >= '1' && l[1] <= '6' && l[2] == '.' {
				t.Fatalf("%q renders a heading line %q", s, line)
			}
		}
		var doc struct {
			Content []struct {
				Content []struct{ Text string } `json:"content"`
			} `json:"content"`
		}
		if err := json.Unmarshal(d.ADF(), &doc); err != nil {
			t.Fatal(err)
		}
		if s != "" && (len(doc.Content) != 1 || len(doc.Content[0].Content) != 1 || doc.Content[0].Content[0].Text != s) {
			t.Fatalf("ADF of %q lost the text: %s", s, d.ADF())
		}
	})
}
