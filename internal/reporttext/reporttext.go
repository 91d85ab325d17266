// Package reporttext words the counts, durations and sizes in releasegate's reports (the
// commands' output, the action's job summary), so that every report says them alike, and
// keeps the first error writing one (Writer), so that none is dropped.
package reporttext

import (
	"fmt"
	"io"
)

// Plural is n and the word, with an s unless n is 1: "1 file", "3 files".
func Plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// Millis is a duration in milliseconds: "850ms" below a second, else "1.2s".
func Millis(ms int64) string {
	if ms < 1000 {
		return fmt.Sprintf("%dms", ms)
	}
	return fmt.Sprintf("%.1fs", float64(ms)/1000)
}

// Bytes is a size in B, KiB or MiB, one decimal.
func Bytes(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// PropertiesCount is how many sentry.properties files: "1 sentry.properties", "2
// sentry.properties files".
func PropertiesCount(n int) string {
	if n == 1 {
		return "1 sentry.properties"
	}
	return fmt.Sprintf("%d sentry.properties files", n)
}

// Writer writes a report with Printf and keeps the first error, after which it writes
// nothing: a renderer checks Err once at the end instead of after every line.
type Writer struct {
	W   io.Writer
	Err error
}

// Printf is fmt.Fprintf to W, unless a write has failed.
func (w *Writer) Printf(format string, args ...any) {
	if w.Err == nil {
		_, w.Err = fmt.Fprintf(w.W, format, args...)
	}
}
