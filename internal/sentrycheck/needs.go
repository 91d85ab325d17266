// Package sentrycheck tells, before a run sends anything, whether a Sentry auth token can do
// what the run will ask of Sentry: for each capability (upload, release, ownership, gate) it
// says ok, which scope is missing, or which organization or project Sentry does not know.
//
// [Needs] lists the scopes each capability needs, from Sentry's permission classes (the API
// description's per-operation security, §7.2 of the reference); docs/sentry-token.md is the
// same table for people, and a test keeps the two equal. [Check] asks Sentry once for the
// token's scopes (its API root) and once per capability for the organization and each
// project, all at once, so a check costs one round trip.
package sentrycheck

import (
	"fmt"
	"slices"
	"strings"
)

// Capability is one kind of thing a run does with Sentry.
type Capability string

// The capabilities, in the order a run uses them.
const (
	// Upload is `sourcemaps upload`: chunk upload and artifact-bundle assembly.
	Upload Capability = "upload"
	// Release is `release new|set-commits|deploy|finalize|info`.
	Release Capability = "release"
	// Ownership is `ownership check` (owners checked against Sentry's teams and members) and
	// `ownership sync` (the project's rules read and written).
	Ownership Capability = "ownership"
	// Gate is `gate`: the release and its deploys, the issue search, events time series and
	// release health.
	Gate Capability = "gate"
)

// All are the capabilities, in order.
var All = []Capability{Upload, Release, Ownership, Gate}

// ParseCapabilities reads a list such as "upload,gate"; empty means All.
func ParseCapabilities(names []string) ([]Capability, error) {
	var out []Capability
	for _, n := range names {
		for _, part := range strings.Split(n, ",") {
			c := Capability(strings.TrimSpace(part))
			switch {
			case c == "":
				continue
			case !slices.Contains(All, c):
				return nil, fmt.Errorf("unknown capability %q: use %s", c, strings.Join(capNames(All), ", "))
			case !slices.Contains(out, c):
				out = append(out, c)
			}
		}
	}
	if len(out) == 0 {
		return slices.Clone(All), nil
	}
	slices.SortFunc(out, func(a, b Capability) int { return slices.Index(All, a) - slices.Index(All, b) })
	return out, nil
}

func capNames(cs []Capability) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = string(c)
	}
	return out
}

// Need is one scope a capability needs: Scope is the one to grant, and any one of Grants (Scope
// first) meets the need, as Sentry's permission classes allow.
type Need struct {
	Scope  string
	Grants []string
	// For says which calls need it.
	For string
}

// The scope sets of Sentry's permission classes (the API description's security lists).
var (
	releaseWrite = []string{"project:releases", "org:ci", "project:write", "project:admin"}
	releaseRead  = []string{"project:read", "project:releases", "org:ci", "project:write", "project:admin"}
	orgRead      = []string{"org:read", "org:write", "org:admin"}
	memberRead   = []string{"member:read", "member:write", "member:admin"}
	teamRead     = []string{"team:read", "team:write", "team:admin"}
	projectRead  = []string{"project:read", "project:write", "project:admin"}
	eventRead    = []string{"event:read", "event:write", "event:admin"}
)

// Needs lists the scopes a capability needs, each with what needs it.
func Needs(c Capability) []Need {
	switch c {
	case Upload:
		return []Need{{"project:releases", releaseWrite, "chunk upload and bundle assembly"}}
	case Release:
		return []Need{{"project:releases", releaseWrite, "creating, updating and finalizing releases, their commits and deploys"}}
	case Ownership:
		return []Need{
			{"org:read", orgRead, "listing the organization's teams"},
			{"member:read", memberRead, "listing the organization's members"},
			{"team:read", teamRead, "listing each team's members"},
			// Sentry's ProjectOwnershipPermission takes project:read for PUT too.
			{"project:read", projectRead, "listing the project's teams, reading and writing its ownership rules"},
		}
	case Gate:
		return []Need{
			{"project:read", releaseRead, "reading the release, its deploys and the baseline"},
			{"event:read", eventRead, "searching the issues and reading their tags and latest events"},
			{"org:read", orgRead, "events time series and release health (sessions)"},
		}
	}
	return nil
}

// Missing lists the needs of c that a token with scopes does not meet.
func Missing(c Capability, scopes []string) []Need {
	var out []Need
	for _, n := range Needs(c) {
		if !slices.ContainsFunc(n.Grants, func(s string) bool { return slices.Contains(scopes, s) }) {
			out = append(out, n)
		}
	}
	return out
}
