package triage

import (
	"math"
	"testing"
	"time"
)

func TestBlast(t *testing.T) {
	t.Parallel()
	tenants := &TagDistribution{Key: "tenant_id", UniqueValues: 14, TotalValues: 900, Top: []TagValue{
		{Value: "globex", Count: 100}, {Value: "acme", Count: 369}, {Value: "initech", Count: 90}, {Value: "hooli", Count: 90},
		{Value: "umbrella", Count: 50}, {Value: "stark", Count: 1}}}
	tests := map[string]struct {
		in            BlastInput
		tenants       int64
		known         bool
		without       int64
		top           []string
		firstPercent  float64
		users         int64
		usersFrom     string
		eventsPerHour float64
	}{
		"tenants and users from tags": {in: BlastInput{Events: 1000, UserCount: 300, FirstSeen: t0, Now: t0.Add(4 * time.Hour), Tenants: tenants,
			Users: &TagDistribution{Key: "user", UniqueValues: 312, TotalValues: 950}},
			tenants: 14, known: true, without: 100, top: []string{"acme", "globex", "hooli", "initech", "umbrella"}, firstPercent: 41,
			users: 312, usersFrom: "tag", eventsPerHour: 250},
		"no tenant tag, users from the issue": {in: BlastInput{Events: 30, UserCount: 9, FirstSeen: t0, Now: t0.Add(10 * time.Minute)},
			users: 9, usersFrom: "issue", eventsPerHour: 30},
		"nothing known": {in: BlastInput{Now: t0}},
		"an empty tenant tag is unknown": {in: BlastInput{Events: 5, FirstSeen: t0, Now: t0.Add(2 * time.Hour), Tenants: &TagDistribution{Key: "tenant_id"}},
			eventsPerHour: 2.5},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b := Blast(tt.in)
			if b.Tenants != tt.tenants || b.TenantsKnown != tt.known || b.WithoutTenant != tt.without {
				t.Errorf("tenants %d known %v without %d; want %d %v %d", b.Tenants, b.TenantsKnown, b.WithoutTenant, tt.tenants, tt.known, tt.without)
			}
			var top []string
			for _, s := range b.TopTenants {
				top = append(top, s.Tenant)
			}
			if len(top) != len(tt.top) || (len(top) > 0 && (top[0] != tt.top[0] || top[4] != tt.top[4])) {
				t.Errorf("top tenants %q, want %q", top, tt.top)
			}
			if len(b.TopTenants) > 0 && math.Round(b.TopTenants[0].Percent) != tt.firstPercent {
				t.Errorf("first share %.2f%%, want %.0f%%", b.TopTenants[0].Percent, tt.firstPercent)
			}
			if b.Users != tt.users || b.UsersFrom != tt.usersFrom {
				t.Errorf("users %d from %q, want %d from %q", b.Users, b.UsersFrom, tt.users, tt.usersFrom)
			}
			if math.Abs(b.EventsPerHour-tt.eventsPerHour) > 1e-9 {
				t.Errorf("%.3f events/hour, want %.3f", b.EventsPerHour, tt.eventsPerHour)
			}
		})
	}
}
