package gitlog

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// RepoName derives the repository's name as Sentry knows it ("owner/repo", or
// "group/subgroup/repo" on GitLab) from a remote URL, the way sentry-cli does so that commits
// land on the same repository whichever tool sent them:
//
//   - https://github.com/Acme/Web.git, git@github.com:acme/web.git, ssh://git@host:22/acme/web
//     and git+https:// forms all give "acme/web": the path without ".git", lower-cased.
//   - Azure DevOps (dev.azure.com/org/project/_git/repo, git@ssh.dev.azure.com:v3/org/project/repo)
//     gives "org/project"; *.visualstudio.com the two names before "_git" (or the account and
//     the repository when only one is there).
//   - Bitbucket Server (…/projects/KEY/repos/name/…) gives "key/name".
//
// Local paths and file:// remotes have no owner, and are an error.
func RepoName(remote string) (string, error) {
	host, path, err := splitRemote(strings.TrimSpace(remote))
	if err != nil {
		return "", err
	}
	path = strings.Trim(path, "/")
	path = strings.TrimSuffix(path, ".git")
	path = strings.Trim(path, "/")
	segs := strings.FieldsFunc(path, func(r rune) bool { return r == '/' })
	var name []string
	switch {
	case host == "dev.azure.com" || host == "ssh.dev.azure.com":
		if host == "ssh.dev.azure.com" && len(segs) > 0 && segs[0] == "v3" {
			segs = segs[1:]
		}
		if len(segs) >= 2 {
			name = segs[:2]
		}
	case strings.HasSuffix(host, ".visualstudio.com"):
		account := strings.TrimSuffix(host, ".visualstudio.com")
		if k := slices.Index(segs, "_git"); k >= 2 {
			name = segs[k-2 : k]
		} else if k == 1 {
			name = []string{account, segs[0]}
		} else if k == 0 && len(segs) > 1 {
			name = []string{account, segs[1]}
		}
	case len(segs) >= 4 && segs[0] == "projects" && segs[2] == "repos":
		name = []string{segs[1], segs[3]}
	case len(segs) >= 2:
		name = segs
	}
	if len(name) < 2 || name[0] == "" || name[1] == "" {
		return "", fmt.Errorf("cannot tell the repository's owner and name from the remote URL %s", Redact(remote))
	}
	return strings.ToLower(strings.Join(name, "/")), nil
}

// splitRemote returns the lower-cased host and the (still escaped) path of a remote URL, in
// either URL form (scheme://[user@]host[:port]/path) or scp form ([user@]host:path).
func splitRemote(remote string) (host, path string, err error) {
	if remote == "" {
		return "", "", fmt.Errorf("the remote URL is empty")
	}
	if strings.Contains(remote, "://") {
		u, err := url.Parse(remote)
		if err != nil {
			return "", "", fmt.Errorf("the remote URL %s cannot be parsed: %w", Redact(remote), unwrapURLError(err))
		}
		if u.Scheme == "file" || u.Host == "" {
			return "", "", fmt.Errorf("the remote %s is a local path, not a hosted repository", Redact(remote))
		}
		// The escaped path keeps names such as "Repo%20Online" as sentry-cli writes them.
		return strings.ToLower(u.Hostname()), u.EscapedPath(), nil
	}
	// scp form: a colon before any slash. "C:\repo" and "./a:b" are local paths.
	colon := strings.IndexByte(remote, ':')
	slash := strings.IndexAny(remote, `/\`)
	if colon <= 0 || (slash >= 0 && slash < colon) {
		return "", "", fmt.Errorf("the remote %s is a local path, not a hosted repository", Redact(remote))
	}
	hostPart := remote[:colon]
	if at := strings.LastIndexByte(hostPart, '@'); at >= 0 {
		hostPart = hostPart[at+1:]
	}
	if len(hostPart) == 1 {
		return "", "", fmt.Errorf("the remote %s is a local path, not a hosted repository", Redact(remote))
	}
	return strings.ToLower(hostPart), remote[colon+1:], nil
}

// Redact hides a password or token in a remote URL (https://user:token@host/…), which CI
// systems sometimes put there, so that the URL can be shown in messages.
func Redact(remote string) string {
	u, err := url.Parse(remote)
	if err != nil {
		// Not a URL we can take apart: show only what comes after any credentials.
		if scheme, rest, ok := strings.Cut(remote, "://"); ok {
			if at := strings.LastIndexByte(rest, '@'); at >= 0 {
				return scheme + "://…@" + rest[at+1:]
			}
		}
		return remote
	}
	if u.User == nil {
		return remote
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
		return u.String()
	}
	// A user name alone may itself be a token (https://<token>@github.com/…).
	if name := u.User.Username(); name != "" && name != "git" {
		u.User = url.User("xxxxx")
	}
	return u.String()
}

// unwrapURLError drops url.Error's copy of the URL, which may hold credentials.
func unwrapURLError(err error) error {
	if ue, ok := errors.AsType[*url.Error](err); ok {
		return ue.Err
	}
	return err
}
