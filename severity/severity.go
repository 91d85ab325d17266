// Package severity is the one scale of every finding releasegate reports, whatever found it
// (a source map check, an ownership check): an error makes the verdict no, a warning does not.
// sourcemaps and ownership use it under their own names (type aliases), so their findings sort,
// count and render alike.
package severity

import "fmt"

// Severity says whether a finding makes what it is about wrong (Error) or only weaker or
// unusual (Warning).
type Severity uint8

// The severities.
const (
	Error Severity = iota + 1
	Warning
)

func (s Severity) String() string {
	switch s {
	case Error:
		return "error"
	case Warning:
		return "warning"
	}
	return fmt.Sprintf("severity(%d)", uint8(s))
}

// MarshalText writes the severity as "error" or "warning", the words of the JSON contracts.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }
