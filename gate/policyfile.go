package gate

import (
	"errors"
	"fmt"
	"io/fs"
)

// PolicyPath is where a repository keeps its gate policy, relative to its root.
const PolicyPath = ".github/releasegate.yml"

// ReadPolicy reads the policy at name in fsys, which may be a work tree on disk or a commit's
// tree fetched from GitHub, and loads it as LoadPolicy does. label names the file in messages
// ("" for name). A missing file is an error wrapping fs.ErrNotExist, for the caller to say
// how to write one.
func ReadPolicy(fsys fs.FS, name, label string) (*Policy, error) {
	if label == "" {
		label = name
	}
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = &fs.PathError{Op: pe.Op, Path: label, Err: pe.Err}
		}
		return nil, fmt.Errorf("reading the policy: %w", err)
	}
	return LoadPolicy(data, label)
}
