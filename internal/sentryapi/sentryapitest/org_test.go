package sentryapitest

import (
	"slices"
	"testing"
)

func TestOwnership(t *testing.T) {
	t.Parallel()
	srv := newServer(t, Options{Now: t0, Projects: []string{"web", "api"}})
	srv.AddTeam("acme", "frontend", "web")
	srv.AddTeam("acme", "backend", "api")
	srv.AddMember("acme", "jane@example.com", "frontend")
	srv.AddMember("acme", "joe@example.com", "backend")
	c := client(t, srv)
	path := "/api/0/projects/acme/web/ownership/"

	var own map[string]any
	c.get(path, 200, &own)
	if own["raw"] != nil || own["dateCreated"] != nil || own["schema"] != nil || own["fallthrough"] != true || own["autoAssignment"] != "Auto Assign to Issue Owner" {
		t.Errorf("default ownership = %v", own)
	}

	raw := "# checkout\npath:src/checkout/* #frontend\n  url:https://shop.example/cart/* Jane@Example.com\n*.css #frontend\ntags.tenant:\"big co\" jane@example.com\n"
	c.send("PUT", path, map[string]any{"raw": raw, "fallthrough": false}, 200, &own)
	if own["raw"] != raw || own["fallthrough"] != false || own["dateCreated"] != "2026-03-10T12:00:00.000000Z" {
		t.Errorf("after PUT: %v", own)
	}
	rules := own["schema"].(map[string]any)["rules"].([]any)
	var got []string
	for _, r := range rules {
		m := r.(map[string]any)["matcher"].(map[string]any)
		o := r.(map[string]any)["owners"].([]any)[0].(map[string]any)
		got = append(got, m["type"].(string)+":"+m["pattern"].(string)+" "+o["type"].(string)+":"+o["name"].(string))
	}
	want := []string{"path:src/checkout/* team:frontend", "url:https://shop.example/cart/* user:jane@example.com", "path:*.css team:frontend", "tags.tenant:big co user:jane@example.com"}
	if !slices.Equal(got, want) {
		t.Errorf("rules = %q, want %q", got, want)
	}
	if snap, _ := srv.Ownership("web"); snap.Raw != raw || snap.Fallthrough {
		t.Errorf("snapshot = %+v", snap)
	}

	for _, tc := range []struct {
		body  map[string]any
		field string
		msg   string
	}{
		{map[string]any{"raw": "path:* #backend joe@example.com nobody@example.com"}, "raw", "Invalid rule owners: #backend, joe@example.com, nobody@example.com"},
		{map[string]any{"raw": "codeowners:*.js #frontend"}, "raw", "Codeowner type paths can only be added by importing CODEOWNER files"},
		{map[string]any{"raw": "path:\"unterminated #frontend"}, "raw", "Parse error: matcher (line 1, column 6)"},
		{map[string]any{"autoAssignment": "Sometimes"}, "autoAssignment", "Invalid selection."},
	} {
		var e map[string][]string
		c.send("PUT", path, tc.body, 400, &e)
		if len(e[tc.field]) != 1 || e[tc.field][0] != tc.msg {
			t.Errorf("%v: %v", tc.body, e)
		}
	}
	c.send("PUT", path, map[string]any{"autoAssignment": "Turn off Auto-Assignment", "codeownersAutoSync": false}, 200, &own)
	if own["autoAssignment"] != "Turn off Auto-Assignment" || own["codeownersAutoSync"] != false || own["raw"] != raw {
		t.Errorf("after settings PUT: %v", own)
	}
	c.send("PUT", path, map[string]any{"raw": "  \n"}, 200, &own)
	if own["raw"] != nil || own["schema"] != nil {
		t.Errorf("blank rules: %v", own)
	}
	c.get("/api/0/projects/acme/nope/ownership/", 404, nil)
}

func TestTeamsAndMembers(t *testing.T) {
	t.Parallel()
	srv := newServer(t, Options{Now: t0, Projects: []string{"web", "api"}})
	srv.AddTeam("acme", "frontend", "web")
	srv.AddTeam("acme", "platform", "web", "api")
	jane := srv.AddMember("acme", "jane@example.com", "frontend", "platform")
	srv.AddMember("acme", "joe@example.com", "platform")
	srv.AddMember("acme", "outsider@example.com")
	c := client(t, srv)

	var teams []map[string]any
	c.get("/api/0/organizations/acme/teams/", 200, &teams)
	if len(teams) != 2 || teams[1]["slug"] != "platform" || teams[1]["memberCount"] != 2.0 || len(teams[1]["projects"].([]any)) != 2 {
		t.Errorf("teams = %v", teams)
	}
	c.get("/api/0/projects/acme/api/teams/", 200, &teams)
	if len(teams) != 1 || teams[0]["slug"] != "platform" {
		t.Errorf("api teams = %v", teams)
	}
	var members []map[string]any
	c.get("/api/0/teams/acme/frontend/members/", 200, &members)
	if len(members) != 1 || members[0]["email"] != "jane@example.com" || members[0]["teamSlug"] != "frontend" {
		t.Errorf("frontend members = %v", members)
	}
	c.get("/api/0/organizations/acme/members/", 200, &members)
	if len(members) != 3 {
		t.Errorf("members = %v", members)
	}
	c.get("/api/0/organizations/acme/members/?query=joe", 200, &members)
	if len(members) != 1 || members[0]["user"].(map[string]any)["email"] != "joe@example.com" {
		t.Errorf("members matching joe = %v", members)
	}
	c.get("/api/0/projects/acme/web/members/", 200, &members)
	if len(members) != 2 {
		t.Errorf("web members = %v", members)
	}
	var m map[string]any
	c.get("/api/0/organizations/acme/members/"+jane.ID+"/", 200, &m)
	if !slices.Equal(toStrings(m["teams"]), []string{"frontend", "platform"}) {
		t.Errorf("jane's teams = %v", m["teams"])
	}
	c.get("/api/0/organizations/acme/members/1/", 404, nil)
	c.get("/api/0/teams/acme/nope/members/", 404, nil)
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}
