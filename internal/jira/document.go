package jira

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// Document is text for Jira in a format-neutral model: the description of an issue, or a
// comment. The client renders it to Atlassian Document Format (Cloud) or wiki markup (Data
// Center); the renderings escape everything given as text, so text from an error report (a
// message, a file name) cannot become markup.
type Document struct {
	Blocks []Block
}

// Block is one block of a Document: a Paragraph, Heading, CodeBlock, BulletList or TaskList.
type Block interface{ block() }

// Paragraph is a run of inline content.
type Paragraph struct{ Content []Inline }

// Heading is a heading of Level 1 to 6 (out of range is clamped).
type Heading struct {
	Level   int
	Content []Inline
}

// CodeBlock is preformatted text (a stack trace), with an optional language for highlighting.
type CodeBlock struct{ Language, Text string }

// BulletList is an unordered list; each item is one line of inline content.
type BulletList struct{ Items [][]Inline }

// TaskList is a checklist.
type TaskList struct{ Items []Task }

// Task is one item of a TaskList.
type Task struct {
	Done    bool
	Content []Inline
}

func (Paragraph) block()  {}
func (Heading) block()    {}
func (CodeBlock) block()  {}
func (BulletList) block() {}
func (TaskList) block()   {}

// Inline is text within a block: Text or Link.
type Inline interface{ inline() }

// Text is plain text, optionally strong or code.
type Text struct {
	Text         string
	Strong, Code bool
}

// Link is a hyperlink; an empty Text shows the URL.
type Link struct{ Text, URL string }

func (Text) inline() {}
func (Link) inline() {}

// T is plain text.
func T(s string) Text { return Text{Text: s} }

// B is strong text.
func B(s string) Text { return Text{Text: s, Strong: true} }

// C is inline code.
func C(s string) Text { return Text{Text: s, Code: true} }

// P is a paragraph of the inlines.
func P(content ...Inline) Paragraph { return Paragraph{Content: content} }

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
func (d Document) ADF() json.RawMessage {
	data, err := json.Marshal(d.adf())
	if err != nil {
		panic(fmt.Sprintf("jira: encoding ADF: %v", err)) // only strings and maps: cannot fail
	}
	return data
}

func (d Document) adf() adfNode {
	doc := adfNode{Type: "doc", Version: 1, Content: []adfNode{}}
	for i, b := range d.Blocks {
		if n, ok := adfBlock(b, i); ok {
			doc.Content = append(doc.Content, n)
		}
	}
	return doc
}

func adfBlock(b Block, index int) (adfNode, bool) {
	switch b := b.(type) {
	case Paragraph:
		return adfNode{Type: "paragraph", Content: adfInlines(b.Content)}, true
	case Heading:
		return adfNode{Type: "heading", Attrs: map[string]any{"level": clampLevel(b.Level)}, Content: adfInlines(b.Content)}, true
	case CodeBlock:
		n := adfNode{Type: "codeBlock"}
		if b.Language != "" {
			n.Attrs = map[string]any{"language": b.Language}
		}
		if b.Text != "" { // ADF forbids empty text nodes
			n.Content = []adfNode{{Type: "text", Text: b.Text}}
		}
		return n, true
	case BulletList:
		if len(b.Items) == 0 {
			return adfNode{}, false // ADF lists need an item
		}
		n := adfNode{Type: "bulletList"}
		for _, item := range b.Items {
			n.Content = append(n.Content, adfNode{Type: "listItem", Content: []adfNode{{Type: "paragraph", Content: adfInlines(item)}}})
		}
		return n, true
	case TaskList:
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

func adfInlines(in []Inline) []adfNode {
	var out []adfNode
	for _, x := range in {
		switch x := x.(type) {
		case Text:
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
		case Link:
			text := x.Text
			if text == "" {
				text = x.URL
			}
			switch {
			case text == "":
			case x.URL == "":
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
func (d Document) Wiki() string {
	var parts []string
	for _, b := range d.Blocks {
		if s, ok := wikiBlock(b); ok {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "\n\n")
}

func wikiBlock(b Block) (string, bool) {
	switch b := b.(type) {
	case Paragraph:
		s := wikiInlines(b.Content)
		return s, s != ""
	case Heading:
		return fmt.Sprintf("h%d. %s", clampLevel(b.Level), oneLine(wikiInlines(b.Content))), true
	case CodeBlock:
		return wikiCode(b), true
	case BulletList:
		if len(b.Items) == 0 {
			return "", false
		}
		lines := make([]string, len(b.Items))
		for i, item := range b.Items {
			lines[i] = "* " + oneLine(wikiInlines(item))
		}
		return strings.Join(lines, "\n"), true
	case TaskList:
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
func wikiCode(b CodeBlock) string {
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

func wikiInlines(in []Inline) string {
	var b strings.Builder
	for _, x := range in {
		switch x := x.(type) {
		case Text:
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
		case Link:
			u := wikiURL(x.URL)
			if u == "" {
				b.WriteString(wikiEscape(x.Text))
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
