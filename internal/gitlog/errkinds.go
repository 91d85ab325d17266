package gitlog

import "github.com/releasegate/releasegate/errkind"

// A git history that cannot be read (no git, not a checkout, a revision it does not have, a
// remote it lacks) is the checkout's configuration, for the user to fix: the sentinels are
// errkind.Config, and so is every failed git command.

// ErrorKind is errkind.Config.
func (e *Error) ErrorKind() errkind.Kind { return errkind.Config }
