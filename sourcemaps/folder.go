package sourcemaps

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// A folder is where relative paths are taken from (DiscoverOptions.Dir, LoadMapOptions.Dir), so
// that a caller with no working directory of its own (the GitHub App, a test running in
// parallel) says where the build is instead of changing the process's. The paths a caller gives,
// and the paths built from them, stay as given: they are what findings, reports and messages
// show. Only the calls into the file system see them joined to the folder. "" is the process's
// working directory, as before folders were given.
type folder string

// abs is p taken against d: p itself when it is absolute, empty, or d is "".
func (d folder) abs(p string) string {
	if d == "" || p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(string(d), p)
}

// asGiven makes an error of the file system name the path as the caller gave it (p), where
// the call was handed p taken against d, so messages read as they would have without a folder.
// A path below d that is not p itself (a parent folder, a symlink's target) is shown relative
// to d.
func (d folder) asGiven(err error, p string) error {
	pe, ok := errors.AsType[*fs.PathError](err)
	if !ok || d == "" {
		return err
	}
	switch prefix := strings.TrimSuffix(string(d), string(filepath.Separator)) + string(filepath.Separator); {
	case pe.Path == d.abs(p):
		pe.Path = p
	case strings.HasPrefix(pe.Path, prefix):
		pe.Path = strings.TrimPrefix(pe.Path, prefix)
	}
	return err
}

func (d folder) stat(p string) (fs.FileInfo, error) {
	info, err := os.Stat(d.abs(p))
	return info, d.asGiven(err, p)
}

func (d folder) readDir(p string) ([]fs.DirEntry, error) {
	entries, err := os.ReadDir(d.abs(p))
	return entries, d.asGiven(err, p)
}

// realPath is p made absolute (against d) with every symlink resolved.
func (d folder) realPath(p string) (string, error) {
	return realPath(d.abs(p))
}

// size is a file's size on disk, 0 when it cannot be known (the read that follows reports why).
func (d folder) size(p string) int64 {
	if p == "" {
		return 0
	}
	info, err := d.stat(p)
	if err != nil {
		return 0
	}
	return info.Size()
}
