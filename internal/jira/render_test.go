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
	"github.com/releasegate/releasegate/internal/richtext"
)

// everyElement is a document with every element the model has, and text that would be markup.
func everyElement() richtext.Doc {
	return richtext.Doc{Blocks: []richtext.Block{
		richtext.Title(2, "TypeError in checkout"),
		richtext.Para(richtext.Plain("First seen in "), richtext.Mono("web@1.4.2"), richtext.Plain(", "), richtext.Strong("412 users"), richtext.Plain(" in 9 tenants.")),
		richtext.Para(richtext.Plain("Suspect pull request: "), richtext.Link{Text: "#42 Refactor cart [WIP] | fast", URL: "https://github.com/acme/web/pull/42"}),
		richtext.Para(richtext.Plain("Markup that must stay text: *bold* _em_ {code} [link|x] -strike- h1. not a heading\n\nsecond line (/) !img.png!")),
		richtext.Code{Language: "javascript", Text: "TypeError: x is undefined\n    at total (src/cart.ts:12:5)\n    at {code} in a frame"},
		richtext.List{Items: [][]richtext.Inline{
			richtext.Line(richtext.Plain("Owner: "), richtext.Strong("@acme/payments")),
			richtext.Line(richtext.Plain("Sentry: "), richtext.Link{URL: "https://acme.sentry.io/issues/123/"}),
		}},
		richtext.Title(3, "Triage checklist"),
		richtext.Tasks{Items: []richtext.Task{
			{Done: true, Content: richtext.Line(richtext.Plain("Owner assigned"))},
			{Done: true, Content: richtext.Line(richtext.Plain("Duplicates checked"))},
			{Done: false, Content: richtext.Line(richtext.Plain("Fix released"))},
		}},
	}}
}

var update = flag.Bool("update", false, "rewrite the golden files in testdata with the current output")

// TestRenderings compares the ADF and wiki renderings of a document with every element to
// their golden files (go test -update rewrites them).
func TestRenderings(t *testing.T) {
	t.Parallel()
	var adf bytes.Buffer
	if err := json.Indent(&adf, jira.ADF(everyElement()), "", "  "); err != nil {
		t.Fatal(err)
	}
	adf.WriteByte('\n')
	cases := []struct{ file, got string }{
		{"document.adf.json.golden", adf.String()},
		{"document.wiki.golden", jira.Wiki(everyElement()) + "\n"},
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
	d := richtext.Doc{Blocks: []richtext.Block{
		richtext.List{}, richtext.Tasks{}, richtext.Code{}, richtext.Para(richtext.Plain(""), richtext.Link{}),
	}}
	if got := string(jira.ADF(d)); got != `{"type":"doc","version":1,"content":[{"type":"codeBlock"},{"type":"paragraph"}]}` {
		t.Errorf("ADF = %s", got)
	}
	if got := jira.Wiki(d); got != "{code}\n\n{code}" {
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
		d := richtext.Doc{Blocks: []richtext.Block{richtext.Para(richtext.Plain(s))}}
		wiki := jira.Wiki(d)
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
		if err := json.Unmarshal(jira.ADF(d), &doc); err != nil {
			t.Fatal(err)
		}
		if s != "" && (len(doc.Content) != 1 || len(doc.Content[0].Content) != 1 || doc.Content[0].Content[0].Text != s) {
			t.Fatalf("ADF of %q lost the text: %s", s, jira.ADF(d))
		}
	})
}

// TestLinks: only http(s) URLs become links, in both formats, as in Markdown; a link without
// text shows its URL, one without a URL its text.
func TestLinks(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		link      richtext.Link
		adf, wiki string
	}{
		"text and URL": {link: richtext.Link{Text: "PR #4", URL: "https://x.example/4"},
			adf:  `[{"type":"text","text":"PR #4","marks":[{"type":"link","attrs":{"href":"https://x.example/4"}}]}]`,
			wiki: `[PR \#4|https://x.example/4]`},
		"no text: the URL shows": {link: richtext.Link{URL: "http://x.example/a|b"},
			adf:  `[{"type":"text","text":"http://x.example/a|b","marks":[{"type":"link","attrs":{"href":"http://x.example/a|b"}}]}]`,
			wiki: `[http://x.example/a%7Cb]`},
		"no URL: the text": {link: richtext.Link{Text: "WEB-1"},
			adf: `[{"type":"text","text":"WEB-1"}]`, wiki: `WEB\-1`},
		"not a web URL: text only": {link: richtext.Link{Text: "click", URL: "javascript:alert(1)"},
			adf: `[{"type":"text","text":"click"}]`, wiki: `click`},
		"not a web URL, no text: the URL as text": {link: richtext.Link{URL: "javascript:alert(1)"},
			adf: `[{"type":"text","text":"javascript:alert(1)"}]`, wiki: `javascript:alert\(1\)`},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			d := richtext.Doc{Blocks: []richtext.Block{richtext.Para(tt.link)}}
			var doc struct {
				Content []struct {
					Content json.RawMessage `json:"content"`
				} `json:"content"`
			}
			if err := json.Unmarshal(jira.ADF(d), &doc); err != nil || len(doc.Content) != 1 {
				t.Fatalf("ADF %s: %v", jira.ADF(d), err)
			}
			if got := string(doc.Content[0].Content); got != tt.adf {
				t.Errorf("ADF inlines = %s, want %s", got, tt.adf)
			}
			if got := jira.Wiki(d); got != tt.wiki {
				t.Errorf("wiki = %q, want %q", got, tt.wiki)
			}
		})
	}
}
