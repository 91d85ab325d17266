package sentryapitest

import (
	"net/http"
	"slices"
	"strings"
)

// allScopes are the scopes a token configured without a list has, as GET /api/0/ reports
// them: every scope Sentry's API description names.
var allScopes = []string{
	"alerts:read", "alerts:write",
	"event:admin", "event:read", "event:write",
	"member:admin", "member:invite", "member:read", "member:write",
	"org:admin", "org:ci", "org:integrations", "org:read", "org:write",
	"project:admin", "project:distribution", "project:read", "project:releases", "project:write",
	"team:admin", "team:read", "team:write",
}

// index answers GET /api/0/ as Sentry's IndexEndpoint does (src/sentry/api/endpoints/index.py):
// no permission is needed, a bearer token that is not valid is refused with 401 by the
// authentication, and a valid one is described by its scopes: {"version": "0", "auth":
// {"scopes": [...]}, "user": ...}. This server has no users, so user is null.
func (s *Server) index(c *call) {
	var auth any
	if h := c.r.Header.Get("Authorization"); h != "" {
		scheme, token, ok := strings.Cut(h, " ")
		ti, known := c.s.tokens[strings.TrimSpace(token)]
		if !ok || !strings.EqualFold(scheme, "Bearer") || !known {
			c.detail(http.StatusUnauthorized, "Invalid token")
			return
		}
		scopes := ti.scopes
		if scopes == nil {
			scopes = allScopes
		}
		auth = map[string]any{"scopes": slices.Sorted(slices.Values(scopes))}
	}
	c.json(http.StatusOK, map[string]any{"version": "0", "auth": auth, "user": nil})
}
