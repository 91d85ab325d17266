package releasecommits

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/releasegate/releasegate/internal/sentryapi"
	"github.com/releasegate/releasegate/internal/sentryapi/sentryapitest"
)

const (
	sha1 = "1111111111111111111111111111111111111111"
	sha2 = "2222222222222222222222222222222222222222"
	sha3 = "3333333333333333333333333333333333333333"
)

// release is one release the local Sentry holds before the lookup: created an hour after the
// one before, with commits of the repositories named.
type release struct {
	version  string
	projects []string
	commits  []sentryapi.Commit
}

func commit(repo, sha string) sentryapi.Commit { return sentryapi.Commit{ID: sha, Repository: repo} }

// TestPreviousCommit: the previous release is found through Sentry alone, as the GitHub App
// must find it (no git here): the newest earlier release of the same projects with commits
// of the repository, its head commit of that repository.
func TestPreviousCommit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		earlier  []release
		projects []string // of the release asked about
		later    []release
		want     Previous
	}{
		{
			name:     "a first release has none",
			projects: []string{"web"},
			want:     Previous{},
		},
		{
			name: "the newest earlier release with commits, its first commit of the repository",
			earlier: []release{
				{version: "web@1", projects: []string{"web"}, commits: []sentryapi.Commit{commit("acme/web", sha1)}},
				{version: "web@2", projects: []string{"web"}, commits: []sentryapi.Commit{commit("acme/api", sha3), commit("acme/web", sha2), commit("acme/web", sha1)}},
			},
			projects: []string{"web"},
			want:     Previous{Version: "web@2", SHA: sha2},
		},
		{
			name: "a release without commits of the repository is passed over",
			earlier: []release{
				{version: "web@1", projects: []string{"web"}, commits: []sentryapi.Commit{commit("acme/web", sha1)}},
				{version: "web@2", projects: []string{"web"}, commits: []sentryapi.Commit{commit("acme/api", sha3)}},
				{version: "web@3", projects: []string{"web"}},
			},
			projects: []string{"web"},
			want:     Previous{Version: "web@1", SHA: sha1},
		},
		{
			name: "the repository's name is compared without case, the SHA is lower-cased",
			earlier: []release{
				{version: "web@1", projects: []string{"web"}, commits: []sentryapi.Commit{commit("Acme/Web", strings.ToUpper("abcdef"+sha1[6:]))}},
			},
			projects: []string{"web"},
			want:     Previous{Version: "web@1", SHA: "abcdef" + sha1[6:]},
		},
		{
			name: "a release of another project does not count",
			earlier: []release{
				{version: "api@1", projects: []string{"api"}, commits: []sentryapi.Commit{commit("acme/web", sha1)}},
			},
			projects: []string{"web"},
			want:     Previous{},
		},
		{
			name: "a later release does not count",
			earlier: []release{
				{version: "web@1", projects: []string{"web"}, commits: []sentryapi.Commit{commit("acme/web", sha1)}},
			},
			projects: []string{"web"},
			later: []release{
				{version: "web@3", projects: []string{"web"}, commits: []sentryapi.Commit{commit("acme/web", sha3)}},
			},
			want: Previous{Version: "web@1", SHA: sha1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			srv := sentryapitest.Start(t, sentryapitest.Options{Org: "acme", Projects: []string{"web", "api"}, Now: time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)})
			c, err := sentryapi.New(sentryapi.Options{BaseURL: srv.URL(), Token: srv.Token(), HTTPClient: srv.Client()})
			if err != nil {
				t.Fatal(err)
			}
			create := func(r release) {
				t.Helper()
				srv.Advance(time.Hour)
				if _, _, err := c.CreateRelease(ctx, "acme", sentryapi.NewRelease{Version: r.version, Projects: r.projects}); err != nil {
					t.Fatal(err)
				}
				if len(r.commits) > 0 {
					if _, err := c.SetReleaseCommits(ctx, "acme", r.version, nil, r.commits); err != nil {
						t.Fatal(err)
					}
				}
			}
			for _, r := range tt.earlier {
				create(r)
			}
			create(release{version: "web@this", projects: tt.projects, commits: []sentryapi.Commit{commit("acme/web", sha3)}})
			for _, r := range tt.later {
				create(r)
			}
			rel, err := c.GetRelease(ctx, "acme", "web@this", sentryapi.ReleaseOptions{})
			if err != nil {
				t.Fatal(err)
			}
			got, err := PreviousCommit(ctx, c, "acme", rel, "acme/web")
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("PreviousCommit = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestPreviousCommitSentryFails: Sentry's failure is returned, for the caller to word.
func TestPreviousCommitSentryFails(t *testing.T) {
	t.Parallel()
	srv := sentryapitest.Start(t, sentryapitest.Options{Org: "acme", Projects: []string{"web"}})
	c, err := sentryapi.New(sentryapi.Options{BaseURL: srv.URL(), Token: "not-the-token", HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	rel := &sentryapi.Release{Version: "web@2", Projects: []sentryapi.ReleaseProject{{ID: "1", Slug: "web"}}}
	if _, err := PreviousCommit(context.Background(), c, "acme", rel, "acme/web"); err == nil {
		t.Fatal("a token Sentry refuses gave no error")
	}
}

func TestReleaseDate(t *testing.T) {
	t.Parallel()
	created, released := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 5, 2, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		rel  sentryapi.Release
		want *time.Time
	}{
		{name: "released", rel: sentryapi.Release{DateCreated: &created, DateReleased: &released}, want: &released},
		{name: "only created", rel: sentryapi.Release{DateCreated: &created}, want: &created},
		{name: "neither", rel: sentryapi.Release{}, want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := ReleaseDate(&tt.rel); got != tt.want {
				t.Errorf("ReleaseDate = %v, want %v", got, tt.want)
			}
		})
	}
}
