package sourcemaps

import "github.com/releasegate/releasegate/errkind"

// The kinds of the package's errors (errkind), so each front door answers them alike. The
// build is the thing under test: a map the spec rejects, a file too large to be a build's,
// and debug IDs that cannot be written into it are its verdict, not a misuse of the tool.

// ErrorKind is errkind.Verdict: a map that cannot be used at all is a broken build.
func (e *ParseError) ErrorKind() errkind.Kind { return errkind.Verdict }

// ErrorKind is errkind.Verdict: a map the spec rejects is a broken build.
func (e *MapError) ErrorKind() errkind.Kind { return errkind.Verdict }

// ErrorKind is errkind.Verdict: debug IDs that cannot be written leave the build unfit to upload.
func (e *ApplyError) ErrorKind() errkind.Kind { return errkind.Verdict }

// ErrorKind is errkind.Verdict: a file over the size limit is a broken build (its message says how to raise it).
func (e *TooLargeError) ErrorKind() errkind.Kind { return errkind.Verdict }

// ErrorKind is errkind.Undecided: an inject stopped before it changed anything decided nothing.
func (e *InterruptedError) ErrorKind() errkind.Kind { return errkind.Undecided }
