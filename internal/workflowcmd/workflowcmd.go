// Package workflowcmd writes GitHub Actions workflow commands (annotations) with the escaping
// the Actions toolkit uses, so user text (titles, paths, messages) cannot end a command early
// or forge another one.
package workflowcmd

import (
	"fmt"
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
