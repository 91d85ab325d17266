package sourcemaps

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Only regular files of a build are ever read. A device (/dev/zero never ends), a FIFO (a read
// waits for a writer for ever), a socket, or a pseudo-file of the kernel (/proc/self/environ
// holds the process environment, SENTRY_AUTH_TOKEN included, and stat reports it as a regular
// file of size 0) is refused before it is opened, whatever points at it: a sourceMappingURL, a
// symlink, or a path on the command line.

// pseudoFileSystems hold files that are not part of any build.
var pseudoFileSystems = []string{"/proc", "/sys", "/dev"}

// NotRegularError is a path that is not a regular file of a build.
type NotRegularError struct {
	Path string
	// What says what it is instead ("a FIFO", "a file of /proc").
	What string
}

func (e *NotRegularError) Error() string {
	return fmt.Sprintf("%s is %s, not a regular file; releasegate reads only the build's regular files", e.Path, e.What)
}

// checkRegular refuses p (taken against d; info is its os.Stat) unless it is a regular file
// outside the kernel's pseudo-file systems.
func (d folder) checkRegular(p string, info fs.FileInfo) error {
	switch m := info.Mode(); {
	case m.IsRegular():
	case m.IsDir():
		return &NotRegularError{Path: p, What: "a folder"}
	case m&fs.ModeNamedPipe != 0:
		return &NotRegularError{Path: p, What: "a FIFO"}
	case m&fs.ModeSocket != 0:
		return &NotRegularError{Path: p, What: "a socket"}
	case m&fs.ModeDevice != 0:
		return &NotRegularError{Path: p, What: "a device"}
	default:
		return &NotRegularError{Path: p, What: "not a regular file (" + m.Type().String() + ")"}
	}
	if real, err := d.realPath(p); err == nil {
		for _, root := range pseudoFileSystems {
			if within(real, root) {
				return &NotRegularError{Path: p, What: "a file of " + root + " (the kernel's, not the build's)"}
			}
		}
	}
	return nil
}

// readRegular reads p (taken against d) if it is a regular file of at most max bytes. The size
// is checked before reading and again while reading, so a file that grows cannot exceed it
// either. Errors name p as given.
func (d folder) readRegular(p string, max int64) ([]byte, error) {
	if max <= 0 {
		max = DefaultMaxFileSize
	}
	info, err := d.stat(p)
	if err != nil {
		return nil, err
	}
	if err := d.checkRegular(p, info); err != nil {
		return nil, err
	}
	if info.Size() > max {
		return nil, &TooLargeError{Path: p, Size: info.Size(), Max: max}
	}
	f, err := os.Open(d.abs(p))
	if err != nil {
		return nil, d.asGiven(err, p)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, d.asGiven(err, p)
	}
	if int64(len(data)) > max {
		return nil, &TooLargeError{Path: p, Size: int64(len(data)), Max: max}
	}
	return data, nil
}

// TooLargeError is a file over the size limit.
type TooLargeError struct {
	Path      string
	Size, Max int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s is over the %d MiB limit; a file this large is a broken build (or raise --max-file-size)", e.Path, e.Max>>20)
}

// realPath is p made absolute with every symlink resolved.
func realPath(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	return filepath.EvalSymlinks(abs)
}

// within reports whether p is dir or below it (both absolute and clean).
func within(p, dir string) bool {
	if p == dir {
		return true
	}
	return strings.HasPrefix(p, strings.TrimSuffix(dir, string(filepath.Separator))+string(filepath.Separator))
}

// isNotRegular reports whether err is a refusal of a non-regular file.
func isNotRegular(err error) bool {
	var nr *NotRegularError
	return errors.As(err, &nr)
}

// unwrapOr is the cause of a *fs.PathError (whose message repeats the path), else err itself.
func unwrapOr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
