package githubapi_test

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/releasegate/releasegate/internal/githubapi"
	"github.com/releasegate/releasegate/internal/githubapi/githubapitest"
)

const marker = "<!-- releasegate:triage -->"

func TestComments(t *testing.T) {
	t.Parallel()
	b := setup(t, githubapitest.Options{AppSlug: "gatebot"}, func(o *githubapi.Options) { o.AppSlug = "gatebot" })
	b.gh.AddPull("acme", "web", githubapitest.Pull{Number: 12, HeadSHA: "h"})
	c := b.installation(t)
	ctx := t.Context()

	// Someone quoting the marker, and other comments over several pages, are passed over.
	for range 120 {
		b.gh.AddComment("acme", "web", 12, "ana", "looks good")
	}
	b.gh.AddComment("acme", "web", 12, "ana", "quoting: "+marker)
	b.gh.AddComment("acme", "web", 12, "other-app[bot]", marker+" not ours")
	if got, err := c.FindComment(ctx, "acme", "web", 12, marker); err != nil || got != nil {
		t.Fatalf("FindComment before ours = %+v, %v; want none", got, err)
	}
	created, err := c.CreateComment(ctx, "acme", "web", 12, marker+"\n"+strings.Repeat("x", githubapi.MaxCommentBody))
	if err != nil {
		t.Fatal(err)
	}
	if n := utf8.RuneCountInString(created.Body); n != githubapi.MaxCommentBody || created.Author != "gatebot[bot]" || !strings.HasPrefix(created.Body, marker) {
		t.Errorf("created %d characters by %s", n, created.Author)
	}
	found, err := c.FindComment(ctx, "acme", "web", 12, marker)
	if err != nil || found == nil || found.ID != created.ID {
		t.Fatalf("FindComment = %+v, %v; want %d", found, err, created.ID)
	}
	updated, err := c.UpdateComment(ctx, "acme", "web", found.ID, marker+"\nsecond")
	if err != nil || updated.Body != marker+"\nsecond" {
		t.Fatalf("UpdateComment = %+v, %v", updated, err)
	}
	// Only the App's slug was used: no GET /app.
	if n := len(b.gh.CallsTo("GET /app")); n != 0 {
		t.Errorf("GET /app asked %d times though the slug was given", n)
	}
	if _, err := c.UpdateComment(ctx, "acme", "web", 999999, marker); !errors.Is(err, githubapi.ErrNotFound) || errors.Is(err, githubapi.ErrMisconfigured) {
		t.Errorf("a deleted comment: %v", err)
	}
	for _, bad := range []string{"", "releasegate", "<!-- -->", "<!-- a -- b -->"} {
		if _, err := c.FindComment(ctx, "acme", "web", 12, bad); err == nil {
			t.Errorf("marker %q was taken", bad)
		}
	}
	if _, err := c.CreateComment(ctx, "acme", "web", 12, "  "); err == nil {
		t.Error("an empty comment was sent")
	}
}

// TestBotLoginAskedOnce: without Options.AppSlug, the slug is asked of GitHub once.
func TestBotLoginAskedOnce(t *testing.T) {
	t.Parallel()
	b := setup(t, githubapitest.Options{AppSlug: "gate"})
	b.gh.AddPull("acme", "web", githubapitest.Pull{Number: 3, HeadSHA: "h"})
	c := b.installation(t)
	if _, err := c.CreateComment(t.Context(), "acme", "web", 3, marker); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		got, err := c.FindComment(t.Context(), "acme", "web", 3, marker)
		if err != nil || got == nil || got.Author != "gate[bot]" {
			t.Fatalf("FindComment = %+v, %v", got, err)
		}
	}
	if n := len(b.gh.CallsTo("GET /app")); n != 1 {
		t.Errorf("GET /app asked %d times; want once", n)
	}
	if _, err := githubapi.New(githubapi.Options{AppSlug: "Not A/Slug"}); err == nil {
		t.Error("a bad slug was taken")
	}
}

func TestCommentRetries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		fault    githubapitest.Fault
		update   bool
		attempts int
		is       error
	}{
		{name: "create is not repeated after a 5xx", fault: githubapitest.Fault{Status: 502, Times: 1}, attempts: 1, is: githubapi.ErrUnavailable},
		{name: "create waits out a secondary limit", fault: withTimes(githubapitest.SecondaryRateLimited(2*time.Second), 1), attempts: 2},
		{name: "update is repeated after a 5xx", fault: githubapitest.Fault{Status: 502, Times: 1}, update: true, attempts: 2},
		{name: "update waits out a secondary limit", fault: githubapitest.Fault{SecondaryRateLimit: true, Times: 1}, update: true, attempts: 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, githubapitest.Options{}, func(o *githubapi.Options) { o.AppSlug = "releasegate-test" })
			b.gh.AddPull("acme", "web", githubapitest.Pull{Number: 5, HeadSHA: "h"})
			c := b.installation(t)
			first, err := c.CreateComment(t.Context(), "acme", "web", 5, marker+"\none")
			if err != nil {
				t.Fatal(err)
			}
			f := tc.fault
			route := "POST /repos/{owner}/{repo}/issues/{issue_number}/comments"
			before := 1
			if tc.update {
				f.Method, f.Path = "PATCH", "/repos/acme/web/issues/comments/*"
				route, before = "PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}", 0
				b.gh.InjectFault(f)
				_, err = c.UpdateComment(t.Context(), "acme", "web", first.ID, marker+"\ntwo")
			} else {
				f.Method, f.Path = "POST", "/repos/acme/web/issues/5/comments"
				b.gh.InjectFault(f)
				_, err = c.CreateComment(t.Context(), "acme", "web", 5, marker+"\ntwo")
			}
			if n := len(b.gh.CallsTo(route)) - before; n != tc.attempts {
				t.Errorf("%d attempts; want %d", n, tc.attempts)
			}
			if tc.is == nil && err != nil || tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %v; want %v", err, tc.is)
			}
		})
	}
}
