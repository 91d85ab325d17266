// Package workflowcmd writes GitHub Actions workflow commands (annotations) with the escaping
// the Actions toolkit uses, so user text (titles, paths, messages) cannot end a command early
// or forge another one.
package workflowcmd

import (
	"fmt"
	"io"
	"strings"
)

var (
	dataEscaper     = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	propertyEscaper = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
)

// Data escapes a command's message.
func Data(s string) string { return dataEscaper.Replace(s) }

// Property escapes a command property's value (file, title).
func Property(s string) string { return propertyEscaper.Replace(s) }

// Annotation is an error, warning or notice annotation, optionally on a file and line.
type Annotation struct {
	Level     string // error, warning or notice
	Title     string
	File      string
	Line, Col int
	Message   string
}

// String is the workflow command, without the line break that ends it.
func (a Annotation) String() string {
	var props []string
	if a.File != "" {
		props = append(props, "file="+Property(a.File))
		if a.Line > 0 {
			props = append(props, fmt.Sprintf("line=%d", a.Line))
			if a.Col > 0 {
				props = append(props, fmt.Sprintf("col=%d", a.Col))
			}
		}
	}
	if a.Title != "" {
		props = append(props, "title="+Property(a.Title))
	}
	cmd := "::" + a.Level
	if len(props) > 0 {
		cmd += " " + strings.Join(props, ",")
	}
	return cmd + "::" + Data(a.Message)
}

// PerLevelCap is how many error, and how many warning, annotations GitHub shows for one step;
// the rest are dropped without a word, so writers hold them back and say how many.
const PerLevelCap = 10

// Capped writes annotations to w, at most PerLevelCap of each level, and counts the ones it
// held back. The first write error is kept: rendering errors are returned, never dropped.
type Capped struct {
	w     io.Writer
	shown map[string]int
	// Held counts the annotations held back by the cap.
	Held int
	err  error
}

// NewCapped returns a Capped writing to w.
func NewCapped(w io.Writer) *Capped { return &Capped{w: w, shown: map[string]int{}} }

// Write writes a, one command a line, unless its level has reached the cap.
func (c *Capped) Write(a Annotation) {
	if c.shown[a.Level] >= PerLevelCap {
		c.Held++
		return
	}
	c.shown[a.Level]++
	c.WriteAlways(a)
}

// WriteAlways writes a whatever the cap: for the one annotation that sums up the others.
func (c *Capped) WriteAlways(a Annotation) {
	if c.err == nil {
		_, c.err = io.WriteString(c.w, a.String()+"\n")
	}
}

// Err is the first error writing to w.
func (c *Capped) Err() error { return c.err }
