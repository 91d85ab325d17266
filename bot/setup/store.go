package setup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/releasegate/releasegate/internal/githubapi"
)

// credential is one file FileStore writes.
type credential struct {
	name, variable string
	value          func(*githubapi.AppCredentials) string
}

// credentials are the files of an App, in the order written. The App ID is no secret, but
// `serve` reads it as a plain variable, so its file is for scripts ($(cat app-id)).
var credentials = []credential{
	{"app-id", "RELEASEGATE_GITHUB_APP_ID", func(c *githubapi.AppCredentials) string { return strconv.FormatInt(c.ID, 10) }},
	{"private-key.pem", "RELEASEGATE_GITHUB_PRIVATE_KEY_FILE", func(c *githubapi.AppCredentials) string { return c.PEM }},
	{"webhook-secret", "RELEASEGATE_GITHUB_WEBHOOK_SECRET_FILE", func(c *githubapi.AppCredentials) string { return c.WebhookSecret }},
	// The OAuth client: unused by the service today, kept because GitHub shows its secret once.
	{"client-id", "", func(c *githubapi.AppCredentials) string { return c.ClientID }},
	{"client-secret", "", func(c *githubapi.AppCredentials) string { return c.ClientSecret }},
}

// CredentialFiles are the names FileStore may write, for messages and docs.
func CredentialFiles() []string {
	out := make([]string, len(credentials))
	for i, c := range credentials {
		out[i] = c.name
	}
	return out
}

// FileStore writes the credentials as files in Dir, each of mode 0600 and created atomically
// (written under a temporary name, synced, then linked into place), so the service never reads
// half a key. An existing file is never replaced unless Force is set.
type FileStore struct {
	Dir   string
	Force bool
}

// ExistsError is a credential file already there, without Force.
type ExistsError struct{ Path string }

func (e *ExistsError) Error() string {
	return fmt.Sprintf("%s already exists: move it away, choose another --out, or pass --force to replace it", e.Path)
}

// Check makes Dir (mode 0700) when missing and makes sure the files can be written: called
// before the flow starts, since GitHub shows the private key only once.
func (s FileStore) Check() error {
	if s.Dir == "" {
		return errors.New("no folder for the credentials: pass --out DIR (or --print)")
	}
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return fmt.Errorf("making the credentials folder: %w", err)
	}
	fi, err := os.Stat(s.Dir)
	if err != nil {
		return fmt.Errorf("the credentials folder: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is not a folder: --out names the folder the credential files go in", s.Dir)
	}
	if !s.Force {
		for _, c := range credentials {
			p := filepath.Join(s.Dir, c.name)
			if _, err := os.Lstat(p); err == nil {
				return &ExistsError{Path: p}
			}
		}
	}
	// Writable? A probe file, removed at once, rather than guessing from the mode bits.
	f, err := os.CreateTemp(s.Dir, ".releasegate-probe-*")
	if err != nil {
		return fmt.Errorf("the credentials folder cannot be written: %w", err)
	}
	name := f.Name()
	_ = f.Close()
	return os.Remove(name)
}

// Store writes the files. On a failure the files it had created are removed again (with Force,
// the ones it replaced are gone already: a new key can be made in the App's settings).
func (s FileStore) Store(_ context.Context, creds *githubapi.AppCredentials) (Stored, error) {
	if err := s.Check(); err != nil {
		return Stored{}, err
	}
	var out Stored
	var created []string
	for _, c := range credentials {
		v := c.value(creds)
		if v == "" {
			continue // a client secret GitHub did not give
		}
		p := filepath.Join(s.Dir, c.name)
		if err := writeAtomic(p, []byte(strings.TrimRight(v, "\n")+"\n"), s.Force); err != nil {
			for _, q := range created {
				_ = os.Remove(q)
			}
			return Stored{}, err
		}
		created = append(created, p)
		out.Files = append(out.Files, StoredFile{Path: p, Variable: c.variable})
	}
	syncDir(s.Dir)
	out.Where = fmt.Sprintf("Its credentials are in %s, each file readable by its owner only (mode 0600).", s.Dir)
	return out, nil
}

// writeAtomic puts data at path with mode 0600: a temporary file beside it, synced, then
// linked to path (which fails when path exists) or, with force, renamed over it.
func writeAtomic(path string, data []byte, force bool) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = os.Remove(tmp)
		}
	}()
	if err := f.Chmod(0o600); err != nil { // CreateTemp's 0600 already; said for the reader
		_ = f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		_ = f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if force {
		if err := os.Rename(tmp, path); err != nil {
			return fmt.Errorf("writing %s: %w", path, err)
		}
		return nil
	}
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return &ExistsError{Path: path}
		}
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return os.Remove(tmp)
}

// syncDir makes the new names durable; where a folder cannot be synced, nothing better exists.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}

// PrintStore shows the credentials once on W (the terminal that ran the command), for a
// secret store; nothing is written to disk.
type PrintStore struct{ W io.Writer }

// Store prints the credentials.
func (s PrintStore) Store(_ context.Context, creds *githubapi.AppCredentials) (Stored, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "\nThe App's credentials, shown this once: put them in your secret store now.\n\n")
	fmt.Fprintf(&b, "RELEASEGATE_GITHUB_APP_ID=%d\n", creds.ID)
	fmt.Fprintf(&b, "RELEASEGATE_GITHUB_WEBHOOK_SECRET=%s\n", creds.WebhookSecret)
	if creds.ClientID != "" {
		fmt.Fprintf(&b, "client ID (OAuth, unused by the service): %s\n", creds.ClientID)
	}
	if creds.ClientSecret != "" {
		fmt.Fprintf(&b, "client secret (OAuth, unused by the service): %s\n", creds.ClientSecret)
	}
	fmt.Fprintf(&b, "RELEASEGATE_GITHUB_PRIVATE_KEY (every line, BEGIN to END):\n%s\n", strings.TrimRight(creds.PEM, "\n"))
	if _, err := io.WriteString(s.W, b.String()); err != nil {
		return Stored{}, fmt.Errorf("printing the credentials: %w", err)
	}
	return Stored{Where: "Its credentials were printed once on the terminal that ran `releasegate app setup`: put them in your secret store."}, nil
}
