package gitlog

import (
	"strings"
	"testing"
)

var repoNameTests = []struct {
	name, remote, want string
}{
	{"github https", "https://github.com/acme/web.git", "acme/web"},
	{"github https without .git, trailing slash", "https://github.com/acme/web/", "acme/web"},
	{"github scp", "git@github.com:acme/web.git", "acme/web"},
	{"upper case is lowered, as sentry-cli does", "https://github.com/Acme/Web.git", "acme/web"},
	{"ssh with port", "ssh://git@gitlab.example.com:2222/acme/web.git", "acme/web"},
	{"git+ssh", "git+ssh://git@github.com/acme/web.git", "acme/web"},
	{"git protocol", "git://github.com/acme/web", "acme/web"},
	{"token in the URL", "https://x-access-token:s3cret@github.com/acme/web.git", "acme/web"},
	{"gitlab subgroup", "https://gitlab.com/group/sub/web.git", "group/sub/web"},
	{"github enterprise", "https://github.acme.internal/platform/web.git", "platform/web"},
	{"azure https", "https://dev.azure.com/acme/Web%20App/_git/web", "acme/web%20app"},
	{"azure ssh", "git@ssh.dev.azure.com:v3/acme/proj/repo", "acme/proj"},
	{"visualstudio account", "https://acme.visualstudio.com/_git/web", "acme/web"},
	{"visualstudio project", "https://acme.visualstudio.com/proj/repo/_git", "proj/repo"},
	{"bitbucket server", "https://bitbucket.acme.com/projects/WEB/repos/app/browse", "web/app"},
	{"bitbucket cloud scp", "git@bitbucket.org:acme/web.git", "acme/web"},
}

func TestRepoName(t *testing.T) {
	t.Parallel()
	for _, tt := range repoNameTests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := RepoName(tt.remote)
			if err != nil || got != tt.want {
				t.Errorf("RepoName(%q) = %q, %v; want %q", tt.remote, got, err, tt.want)
			}
		})
	}
}

func TestRepoNameErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, remote, wantErr string }{
		{"empty", "", "empty"},
		{"absolute path", "/srv/git/web.git", "local path"},
		{"relative path", "../web", "local path"},
		{"windows path", `C:\src\web`, "local path"},
		{"file URL", "file:///srv/git/web.git", "local path"},
		{"no owner", "https://github.com/web.git", "owner and name"},
		{"azure without project", "https://dev.azure.com/acme", "owner and name"},
		{"password stays hidden", "https://user:s3cret@example.com/web", "xxxxx"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := RepoName(tt.remote)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("RepoName(%q) = %q, %v; want an error containing %q", tt.remote, got, err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Errorf("error shows the password: %v", err)
			}
		})
	}
}

func TestRedact(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"https://github.com/acme/web.git", "https://github.com/acme/web.git"},
		{"https://user:s3cret@github.com/acme/web.git", "https://user:xxxxx@github.com/acme/web.git"},
		{"https://ghp_s3cret@github.com/acme/web.git", "https://xxxxx@github.com/acme/web.git"},
		{"ssh://git@github.com/acme/web.git", "ssh://git@github.com/acme/web.git"},
		{"git@github.com:acme/web.git", "git@github.com:acme/web.git"},
		{"https://user:s3cret@exa mple.com/%zz", "https://…@exa mple.com/%zz"},
	}
	for _, tt := range tests {
		if got := Redact(tt.in); got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
