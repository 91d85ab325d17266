// Package richtext is a small, format-neutral document: the few block and inline elements a
// ticket or a comment needs (headings, paragraphs, a code block, bullet and task lists, links,
// strong and code text). Whoever writes a document builds one Doc; each destination renders it
// in its own format (GitHub Markdown here; Jira Cloud's document format and Jira Data Center's
// wiki markup in internal/jira, whose formats they are), so the words are decided once and
// escaping belongs to the renderer alone: no text in a Doc is markup. It is the project's one
// document model: a destination with a new format adds a renderer, not a model.
package richtext

import "strings"

// Doc is a document: its blocks in order.
type Doc struct {
	Blocks []Block
}

// Block is one of Heading, Paragraph, Code, List or Tasks.
type Block interface{ block() }

// Inline is one of Text or Link.
type Inline interface{ inline() }

// Heading is a section title, Level 1 (largest) to 6.
type Heading struct {
	Level   int
	Content []Inline
}

// Paragraph is running text.
type Paragraph struct {
	Content []Inline
}

// Code is a block of preformatted text shown as written (a stack trace); Language may name
// its syntax ("text", "go"), or be empty.
type Code struct {
	Language string
	Text     string
}

// List is a bullet list; each item is a line of inline content.
type List struct {
	Items [][]Inline
}

// Tasks is a checklist; Done items are ticked.
type Tasks struct {
	Items []Task
}

// Task is one item of a checklist.
type Task struct {
	Done    bool
	Content []Inline
}

// Text is a run of plain text, optionally strong or in code style. It is never markup.
type Text struct {
	Text   string
	Strong bool
	Code   bool
}

// Link is text pointing at an absolute URL; an empty Text shows the URL. Only a WebURL
// becomes a link: any other (javascript:, a relative path) is shown as text, by every renderer.
type Link struct {
	Text string
	URL  string
}

// WebURL reports whether u is an absolute http or https URL, the only kind of URL a renderer
// makes a link of.
func WebURL(u string) bool {
	return strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")
}

func (Heading) block()   {}
func (Paragraph) block() {}
func (Code) block()      {}
func (List) block()      {}
func (Tasks) block()     {}
func (Text) inline()     {}
func (Link) inline()     {}

// Plain is plain text.
func Plain(s string) Text { return Text{Text: s} }

// Strong is strong (bold) text.
func Strong(s string) Text { return Text{Text: s, Strong: true} }

// Mono is text in code style (a file name, a release).
func Mono(s string) Text { return Text{Text: s, Code: true} }

// Line is a list item or paragraph built from its parts, for brevity at call sites.
func Line(parts ...Inline) []Inline { return parts }

// Para is a paragraph of the given parts.
func Para(parts ...Inline) Paragraph { return Paragraph{Content: parts} }

// Title is a heading of the given level holding plain text.
func Title(level int, s string) Heading { return Heading{Level: level, Content: []Inline{Plain(s)}} }
