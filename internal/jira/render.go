package jira

import (
	"cmp"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/releasegate/releasegate/internal/richtext"
)

// The renderings of a [richtext.Doc] in Jira's two text formats: Atlassian Document Format
// for Cloud's REST v3 and wiki markup for Data Center's REST v2. They are Jira's formats, so
// they live in the Jira adapter; the document itself is written once, by whoever writes the
// ticket or comment. Everything given as text is escaped, so text from an error report (a
// message, a file name) cannot become markup; a link whose URL is not http(s) shows as text
// (richtext.WebURL), as it does in Markdown.

// --- Atlassian Document Format ---

// adfNode is a node of ADF; fields are omitted where ADF has none.
type adfNode struct {
	Type    string         `json:"type"`
	Version int            `json:"version,omitempty"`
	Attrs   map[string]any `json:"attrs,omitempty"`
	Content []adfNode      `json:"content,omitempty"`
	Text    string         `json:"text,omitempty"`
	Marks   []adfMark      `json:"marks,omitempty"`
}

type adfMark struct {
	Type  string         `json:"type"`
	Attrs map[string]any `json:"attrs,omitempty"`
}

// ADF renders d as an Atlassian Document Format document (version 1), as JSON. Task lists get
// local IDs from their position, so the same document always renders the same bytes.
func ADF(d richtext.Doc) json.RawMessage {
	data, err := json.Marshal(adfDoc(d))
	if err != nil {
		panic(fmt.Sprintf("jira: encoding ADF: %v", err)) // only strings and maps: cannot fail
	}
	return data
}

func adfDoc(d richtext.Doc) adfNode {
	doc := adfNode{Type: "doc", Version: 1, Content: []adfNode{}}
	for i, b := range d.Blocks {
		if n, ok := adfBlock(b, i); ok {
			doc.Content = append(doc.Content, n)
		}
	}
	return doc
}

func adfBlock(b richtext.Block, index int) (adfNode, bool) {
	switch b := b.(type) {
	case richtext.Paragraph:
		return adfNode{Type: "paragraph", Content: adfInlines(b.Content)}, true
	case richtext.Heading:
		return adfNode{Type: "heading", Attrs: map[string]any{"level": clampLevel(b.Level)}, Content: adfInlines(b.Content)}, true
	case richtext.Code:
		n := adfNode{Type: "codeBlock"}
		if b.Language != "" {
			n.Attrs = map[string]any{"language": b.Language}
		}
		if b.Text != "" { // ADF forbids empty text nodes
			n.Content = []adfNode{{Type: "text", Text: b.Text}}
		}
		return n, true
	case richtext.List:
		if len(b.Items) == 0 {
			return adfNode{}, false // ADF lists need an item
		}
		n := adfNode{Type: "bulletList"}
		for _, item := range b.Items {
			n.Content = append(n.Content, adfNode{Type: "listItem", Content: []adfNode{{Type: "paragraph", Content: adfInlines(item)}}})
		}
		return n, true
	case richtext.Tasks:
		if len(b.Items) == 0 {
			return adfNode{}, false
		}
		n := adfNode{Type: "taskList", Attrs: map[string]any{"localId": fmt.Sprintf("tasks-%d", index+1)}}
		for j, t := range b.Items {
			state := "TODO"
			if t.Done {
				state = "DONE"
			}
			n.Content = append(n.Content, adfNode{
				Type:    "taskItem",
				Attrs:   map[string]any{"localId": fmt.Sprintf("task-%d-%d", index+1, j+1), "state": state},
				Content: adfInlines(t.Content),
			})
		}
		return n, true
	}
	return adfNode{}, false
}

func adfInlines(in []richtext.Inline) []adfNode {
	var out []adfNode
	for _, x := range in {
		switch x := x.(type) {
		case richtext.Text:
			if x.Text == "" {
				continue
			}
			n := adfNode{Type: "text", Text: x.Text}
			if x.Code {
				// ADF allows code only with link among the marks.
				n.Marks = []adfMark{{Type: "code"}}
			} else if x.Strong {
				n.Marks = []adfMark{{Type: "strong"}}
			}
			out = append(out, n)
		case richtext.Link:
			text := cmp.Or(x.Text, x.URL)
			switch {
			case text == "":
			case !richtext.WebURL(x.URL):
				out = append(out, adfNode{Type: "text", Text: text})
			default:
				out = append(out, adfNode{Type: "text", Text: text, Marks: []adfMark{{Type: "link", Attrs: map[string]any{"href": x.URL}}}})
			}
		}
	}
	return out
}

func clampLevel(l int) int { return min(max(l, 1), 6) }

// --- wiki markup ---

// Wiki renders d as Jira wiki markup (Data Center's text fields). Blocks are separated by a
// blank line; a task list is a bullet list whose items start (/) when done and ( ) when not,
// since wiki markup has no checklist.
func Wiki(d richtext.Doc) string {
	var parts []string
	for _, b := range d.Blocks {
		if s, ok := wikiBlock(b); ok {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "\n\n")
}

func wikiBlock(b richtext.Block) (string, bool) {
	switch b := b.(type) {
	case richtext.Paragraph:
		s := wikiInlines(b.Content)
		return s, s != ""
	case richtext.Heading:
		return fmt.Sprintf("h%d. %s", clampLevel(b.Level), oneLine(wikiInlines(b.Content))), true
	case richtext.Code:
		return wikiCode(b), true
	case richtext.List:
		if len(b.Items) == 0 {
			return "", false
		}
		lines := make([]string, len(b.Items))
		for i, item := range b.Items {
			lines[i] = "* " + oneLine(wikiInlines(item))
		}
		return strings.Join(lines, "\n"), true
	case richtext.Tasks:
		if len(b.Items) == 0 {
			return "", false
		}
		lines := make([]string, len(b.Items))
		for i, t := range b.Items {
			box := "( )"
			if t.Done {
				box = "(/)"
			}
			lines[i] = "* " + box + " " + oneLine(wikiInlines(t.Content))
		}
		return strings.Join(lines, "\n"), true
	}
	return "", false
}

// wikiCode chooses the macro the text cannot close: {code}, else {noformat}; text holding
// both has its braces of the closing words broken with a zero-width space.
func wikiCode(b richtext.Code) string {
	text := strings.TrimRight(b.Text, "\n")
	switch {
	case !strings.Contains(text, "{code"):
		lang := ""
		if l := wikiLanguage.FindString(b.Language); l == b.Language && l != "" {
			lang = ":" + l
		}
		return "{code" + lang + "}\n" + text + "\n{code}"
	case !strings.Contains(text, "{noformat"):
		return "{noformat}\n" + text + "\n{noformat}"
	}
	return "{noformat}\n" + strings.ReplaceAll(text, "{noformat", "{\u200bnoformat") + "\n{noformat}"
}

var wikiLanguage = regexp.MustCompile(`^[A-Za-z0-9+#-]+$`)

// oneLine keeps a list item or heading on its line, as wiki markup needs.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func wikiInlines(in []richtext.Inline) string {
	var b strings.Builder
	for _, x := range in {
		switch x := x.(type) {
		case richtext.Text:
			if strings.TrimSpace(x.Text) == "" {
				b.WriteString(wikiEscape(x.Text))
				continue
			}
			switch {
			case x.Code:
				b.WriteString("{{" + wikiEscape(x.Text) + "}}")
			case x.Strong:
				// The markers must touch the words: spaces stay outside.
				lead := x.Text[:len(x.Text)-len(strings.TrimLeft(x.Text, " "))]
				trail := x.Text[len(strings.TrimRight(x.Text, " ")):]
				b.WriteString(lead + "*" + wikiEscape(strings.TrimSpace(x.Text)) + "*" + trail)
			default:
				b.WriteString(wikiEscape(x.Text))
			}
		case richtext.Link:
			u := wikiURL(x.URL)
			if !richtext.WebURL(x.URL) || u == "" {
				b.WriteString(wikiEscape(cmp.Or(x.Text, x.URL)))
				continue
			}
			if x.Text == "" || x.Text == x.URL {
				b.WriteString("[" + u + "]")
			} else {
				b.WriteString("[" + wikiEscape(x.Text) + "|" + u + "]")
			}
		}
	}
	// A blank line would end the paragraph; a single line break is kept. A line that reads as
	// a heading or a quote ("h2. ", "bq. ") has its dot escaped.
	s := blankLines.ReplaceAllString(b.String(), "\n")
	return blockWord.ReplaceAllString(s, `$1\.`)
}

var (
	blankLines = regexp.MustCompile(`\n\s*\n`)
	blockWord  = regexp.MustCompile(`(?m)^(\s*(?:h[1-6]|bq))\.`)
)

// wikiSpecial are the characters that start or end wiki markup: emphasis, macros, links,
// tables, images, lists and headings, emoticons; each is escaped with a backslash.
const wikiSpecial = `\*_{}[]|!^~+-?#()`

func wikiEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r == '\r' {
			continue
		}
		if strings.ContainsRune(wikiSpecial, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// wikiURL percent-encodes what would end a link in wiki markup.
func wikiURL(u string) string {
	return strings.NewReplacer("|", "%7C", "]", "%5D", "[", "%5B", " ", "%20", "\n", "", "\r", "").Replace(u)
}
