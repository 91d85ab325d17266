package sourcemaps

import (
	"fmt"

	"github.com/releasegate/releasegate/severity"
)

// Severity says whether a problem stops a map from working (error) or only degrades it or
// departs from common practice (warning): releasegate's one scale (package severity).
type Severity = severity.Severity

// The severities, under this package's names.
const (
	SeverityError   = severity.Error
	SeverityWarning = severity.Warning
)

// Problem is something wrong with one source map, found while parsing it. Code is stable (scripts
// match on it); Message says what is wrong and what to do.
type Problem struct {
	Code     string
	Severity Severity
	Message  string
	// Offset is the byte offset in the map's JSON text the problem is at, or -1.
	Offset int64
	// GenLine and GenColumn are the 0-based generated position of the offending mapping
	// segment, or -1 when the problem is not about a segment.
	GenLine, GenColumn int
}

func newProblem(code string, sev Severity, offset int64, format string, args ...any) Problem {
	return Problem{Code: code, Severity: sev, Message: fmt.Sprintf(format, args...), Offset: offset, GenLine: -1, GenColumn: -1}
}

// Codes of problems found while parsing a map. They are part of the JSON output contract:
// never rename one, only add.
const (
	CodeMapNotJSON            = "map-not-json"
	CodeMapNotObject          = "map-not-object"
	CodeMapXSSIPrefix         = "map-xssi-prefix"
	CodeVersionMissing        = "version-missing"
	CodeVersionInvalid        = "version-invalid"
	CodeFieldType             = "field-wrong-type"
	CodeMappingsMissing       = "mappings-missing"
	CodeSourcesMissing        = "sources-missing"
	CodeSourcesContentLength  = "sources-content-length-mismatch"
	CodeIgnoreListOutOfRange  = "ignore-list-out-of-range"
	CodeDebugIDInvalid        = "debug-id-invalid"
	CodeDuplicateKey          = "duplicate-key"
	CodeTooManySources        = "too-many-sources"
	CodeVLQInvalidChar        = "vlq-invalid-character"
	CodeVLQUnterminated       = "vlq-unterminated"
	CodeVLQOverflow           = "vlq-overflow"
	CodeSegmentFieldCount     = "mapping-segment-field-count"
	CodeSegmentNegative       = "mapping-negative-value"
	CodeSourceOutOfRange      = "mapping-source-out-of-range"
	CodeNameOutOfRange        = "mapping-name-out-of-range"
	CodeSegmentsUnsorted      = "mapping-segments-unsorted"
	CodeIndexMapMappings      = "index-map-has-mappings"
	CodeIndexMapNested        = "index-map-nested"
	CodeIndexMapSectionOrder  = "index-map-sections-unordered"
	CodeIndexMapSectionsOverl = "index-map-sections-overlap"
	CodeIndexMapSectionField  = "index-map-section-invalid"
)
