package triage

import (
	"cmp"
	"slices"
	"time"
)

// TagValue is one value of an issue's tag and how many events carry it.
type TagValue struct {
	Value     string
	Count     int64
	FirstSeen time.Time
	LastSeen  time.Time
}

// TagDistribution is one tag of an issue as Sentry summarises it: how many distinct values,
// how many events carry the tag, and the most common values.
type TagDistribution struct {
	Key          string
	UniqueValues int64
	TotalValues  int64
	Top          []TagValue
}

// BlastInput is what the blast radius is measured from. Tenants and Users are nil when the
// issue's events do not carry the tag (no tenant_id set; no user on the scope).
type BlastInput struct {
	Events    int64 // the events
	UserCount int64 // Sentry's count of users, used when there is no user tag
	FirstSeen time.Time
	LastSeen  time.Time
	Tenants   *TagDistribution // tenant_id
	Users     *TagDistribution // user (values "id:42", "email:…"), or user.id
	Now       time.Time
}

// Share is a tenant's part of the events.
type Share struct {
	Tenant  string
	Events  int64
	Percent float64 // of the events that carry a tenant
}

// BlastRadius is how far an issue reaches: the numbers the guide's triage checklist asks for.
type BlastRadius struct {
	// Tenants is the number of tenants hit; TenantsKnown is false when no event names one.
	Tenants      int64
	TenantsKnown bool
	// WithoutTenant counts the events that name no tenant (background jobs, anonymous pages).
	WithoutTenant int64
	TopTenants    []Share
	Users         int64
	// UsersFrom says where Users came from: "tag" (the user tag's distinct values), "issue"
	// (Sentry's user count) or "" when neither knows.
	UsersFrom string
	Events    int64
	FirstSeen time.Time
	LastSeen  time.Time
	// EventsPerHour is the average since the first event; a first hour counts as a whole
	// hour, so a burst in the first minutes is not multiplied up into a rate never seen.
	EventsPerHour float64
}

// TopTenants is how many tenants the blast radius names.
const TopTenants = 5

// Blast measures the blast radius.
func Blast(in BlastInput) BlastRadius {
	b := BlastRadius{Events: in.Events, FirstSeen: in.FirstSeen, LastSeen: in.LastSeen}
	if t := in.Tenants; t != nil && t.TotalValues > 0 {
		b.TenantsKnown = true
		b.Tenants = max(t.UniqueValues, int64(len(t.Top)))
		b.WithoutTenant = max(in.Events-t.TotalValues, 0)
		top := slices.Clone(t.Top)
		slices.SortStableFunc(top, func(x, y TagValue) int { return cmp.Or(cmp.Compare(y.Count, x.Count), cmp.Compare(x.Value, y.Value)) })
		for _, v := range top[:min(len(top), TopTenants)] {
			b.TopTenants = append(b.TopTenants, Share{Tenant: v.Value, Events: v.Count, Percent: 100 * float64(v.Count) / float64(t.TotalValues)})
		}
	}
	switch {
	case in.Users != nil && in.Users.UniqueValues > 0:
		b.Users, b.UsersFrom = in.Users.UniqueValues, "tag"
	case in.UserCount > 0:
		b.Users, b.UsersFrom = in.UserCount, "issue"
	}
	if !in.FirstSeen.IsZero() && in.Events > 0 {
		hours := max(in.Now.Sub(in.FirstSeen).Hours(), 1)
		b.EventsPerHour = float64(in.Events) / hours
	}
	return b
}
