package githubapi

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"path"
	"slices"
	"sync"
	"time"
)

// CommitFS is a commit's files as an [fs.FS], for the loaders that read a repository from
// any file tree (ownership.Tree, the gate's policy): each file is read once, through
// [Client.ReadFile] at sha, when first asked for, and kept. Pair it with [Client.CommitTree]
// for the list of files, which it does not give.
//
// The FS has no context of its own to take per read, since fs.FS has none: ctx, given here,
// bounds every read, so the FS is for the work that ctx covers and not to be kept past it.
//
// A file missing at the commit is fs.ErrNotExist; a file above maxFileSize (0:
// DefaultMaxFileSize) is a *FileTooLargeError and a folder or submodule a *NotAFileError,
// each in an *fs.PathError; every other failure is ReadFile's error (ErrUnavailable,
// ErrMisconfigured, …), also in an *fs.PathError, and is not kept, so a later read tries
// again. Open, ReadFile and Stat work on files; folders are not listed (CommitTree lists
// the files). The FS is safe for concurrent use.
func CommitFS(ctx context.Context, c *Client, owner, repo, sha string, maxFileSize int64) fs.FS {
	return &commitFS{ctx: ctx, c: c, owner: owner, repo: repo, sha: sha, max: maxFileSize, files: map[string]*fileRead{}}
}

type commitFS struct {
	ctx              context.Context
	c                *Client
	owner, repo, sha string
	max              int64

	mu    sync.Mutex
	files map[string]*fileRead
}

// fileRead is one file's read: concurrent readers of a file wait for the first one's answer.
type fileRead struct {
	done chan struct{}
	data []byte
	err  error
}

var (
	_ fs.ReadFileFS = (*commitFS)(nil)
	_ fs.StatFS     = (*commitFS)(nil)
)

// read returns a file's content (shared: callers copy before handing it out).
func (f *commitFS) read(op, name string) ([]byte, error) {
	if !fs.ValidPath(name) || name == "." {
		return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	f.mu.Lock()
	r, ok := f.files[name]
	if !ok {
		r = &fileRead{done: make(chan struct{})}
		f.files[name] = r
	}
	f.mu.Unlock()
	if !ok {
		r.data, r.err = f.c.ReadFile(f.ctx, f.owner, f.repo, name, f.sha, f.max)
		if r.err != nil && !lasting(r.err) {
			f.mu.Lock()
			delete(f.files, name)
			f.mu.Unlock()
		}
		close(r.done)
	} else {
		<-r.done
	}
	if r.err != nil {
		err := r.err
		if errors.Is(err, ErrNotFound) {
			err = fs.ErrNotExist
		}
		return nil, &fs.PathError{Op: op, Path: name, Err: err}
	}
	return r.data, nil
}

// lasting says a read's failure is the commit's, and so the same on every read: a missing
// file, a folder, a file too large. Outages and cancellations are not kept.
func lasting(err error) bool {
	var nf *NotAFileError
	var tl *FileTooLargeError
	return errors.Is(err, ErrNotFound) || errors.As(err, &nf) || errors.As(err, &tl)
}

func (f *commitFS) Open(name string) (fs.File, error) {
	data, err := f.read("open", name)
	if err != nil {
		return nil, err
	}
	return &memFile{info: fileInfo{name: path.Base(name), size: int64(len(data))}, r: bytes.NewReader(data)}, nil
}

func (f *commitFS) ReadFile(name string) ([]byte, error) {
	// "open", as os.ReadFile and fstest.MapFS name it, so messages read the same from a
	// commit as from a work tree.
	data, err := f.read("open", name)
	if err != nil {
		return nil, err
	}
	return slices.Clone(data), nil
}

func (f *commitFS) Stat(name string) (fs.FileInfo, error) {
	data, err := f.read("stat", name)
	if err != nil {
		return nil, err
	}
	return fileInfo{name: path.Base(name), size: int64(len(data))}, nil
}

// memFile is an opened file of a commit, read from memory.
type memFile struct {
	info fileInfo
	r    *bytes.Reader
}

func (m *memFile) Stat() (fs.FileInfo, error) { return m.info, nil }
func (m *memFile) Read(p []byte) (int, error) { return m.r.Read(p) }
func (m *memFile) Close() error               { return nil }

// fileInfo describes a file of a commit: read-only, with no time (a commit's files have
// none of their own).
type fileInfo struct {
	name string
	size int64
}

func (i fileInfo) Name() string       { return i.name }
func (i fileInfo) Size() int64        { return i.size }
func (i fileInfo) Mode() fs.FileMode  { return 0o444 }
func (i fileInfo) ModTime() time.Time { return time.Time{} }
func (i fileInfo) IsDir() bool        { return false }
func (i fileInfo) Sys() any           { return nil }
