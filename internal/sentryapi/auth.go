package sentryapi

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// Auth is what Sentry's API root says about the token a request carried.
type Auth struct {
	// Scopes are the token's scopes (an organization token has ["org:ci"]). Known is false when
	// the server did not say, and Scopes is then nil.
	Scopes []string
	Known  bool
}

// TokenAuth asks Sentry's API root (GET /api/0/) which scopes the token has. The root needs
// no scope: Sentry describes any token it accepts ({"auth": {"scopes": [...]}}, as
// `sentry-cli info` shows them) and answers 401 (ErrUnauthorized) to one it does not.
func (c *Client) TokenAuth(ctx context.Context) (*Auth, error) {
	var root struct {
		Auth *struct {
			Scopes []string `json:"scopes"`
		} `json:"auth"`
	}
	if _, _, err := c.do(ctx, &call{
		op: "describe the token", method: http.MethodGet,
		notFound: "check that the Sentry URL is the server's root URL (the API root answered 404)",
	}, &root); err != nil {
		return nil, err
	}
	if root.Auth == nil || root.Auth.Scopes == nil {
		return &Auth{}, nil
	}
	return &Auth{Scopes: root.Auth.Scopes, Known: true}, nil
}

// ListProjectReleases lists a project's releases, newest first, perPage (1..100, 0: Sentry's
// default) at a time. Unlike ListReleases it names the project by its slug, so a 404 says the
// organization or the project does not exist (or the token cannot see it).
func (c *Client) ListProjectReleases(ctx context.Context, org, project string, perPage int, fn func([]Release) error) error {
	q := url.Values{}
	if perPage < 0 || perPage > 100 {
		return fmt.Errorf("sentryapi: list project releases: per page %d is outside 1..100", perPage)
	}
	if perPage > 0 {
		q.Set("per_page", strconv.Itoa(perPage))
	}
	return list(ctx, c, &call{
		op: "list project releases", method: http.MethodGet,
		path:  []string{"projects", org, project, "releases"},
		query: q, scope: scopeReleases, notFound: projectNotFound(org, project),
	}, fn)
}
