package sourcemaps

import (
	"cmp"
	"slices"
)

// Finding is one thing wrong with a build's source maps, located in a file. Line and Column are
// 1-based positions in the file named by Path (0 when not known). When Path is a generated file
// and the problem lies in its map, Map names the map.
//
// The JSON form is part of the output contract of `releasegate sourcemaps validate --format json`.
type Finding struct {
	Code     string   `json:"code"`
	Severity Severity `json:"severity"`
	Path     string   `json:"path"`
	Line     int      `json:"line,omitempty"`
	Column   int      `json:"column,omitempty"`
	Map      string   `json:"map,omitempty"`
	Message  string   `json:"message"`
}

// Codes of findings about files and pairs (parse problems use the codes in problem.go).
const (
	CodeFileUnreadable        = "file-unreadable"
	CodeFileTooLarge          = "file-too-large"
	CodeSymlinkLoop           = "symlink-loop"
	CodePathMissing           = "path-missing"
	CodeMapReferenceMissing   = "map-reference-missing"
	CodeMapReferenceSibling   = "map-reference-sibling-folder"
	CodeMapReferenceRemote    = "map-reference-remote"
	CodeMapReferenceLegacy    = "map-reference-legacy-syntax"
	CodeMapReferenceAmbiguous = "map-guess-ambiguous"
	CodeInlineMapInvalid      = "inline-map-invalid"
	CodeInlineMapUnsupported  = "inline-map-not-base64-json"
	CodeNoMap                 = "js-without-map"
	CodeMapNotAMap            = "map-not-a-source-map"
	CodeOrphanMap             = "map-without-js"
	CodeNothingFound          = "no-generated-files"
	CodeMapOutsideRoot        = "map-outside-root"
	CodeSymlinkOutsideRoot    = "symlink-outside-root"
	CodeNotRegularFile        = "not-a-regular-file"
)

// SortFindings orders findings by file, then position, then code, so output is stable whatever
// order the parallel checks finished in.
func SortFindings(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return cmp.Or(
			cmp.Compare(a.Path, b.Path),
			cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Column, b.Column),
			cmp.Compare(a.Code, b.Code),
		)
	})
}
