package sentryapitest

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

func TestReleases(t *testing.T) {
	t.Parallel()
	srv := newServer(t, Options{Now: t0, Projects: []string{"web", "api"}})
	srv.AddRepository("acme", "shop/web")
	c := client(t, srv)
	web, _ := srv.Project("web")

	var r map[string]any
	c.send("POST", "/api/0/organizations/acme/releases/", map[string]any{
		"version": "web@1.4.2", "projects": []any{"web"}, "ref": "abc",
		"commits": []any{
			map[string]any{"id": "c1", "repository": "shop/web", "message": "fix cart", "author_name": "Ann", "author_email": "Ann@example.com", "timestamp": "2026-03-09T10:00:00Z"},
			map[string]any{"id": "c2", "repository": "shop/web", "message": "tweak", "author_email": "bo@example.com"},
		},
	}, 201, &r)
	if r["version"] != "web@1.4.2" || r["shortVersion"] != "1.4.2" || r["dateReleased"] != nil || r["commitCount"] != 2.0 {
		t.Errorf("created release = %v", r)
	}
	if vi := r["versionInfo"].(map[string]any); vi["package"] != "web" || vi["version"].(map[string]any)["major"] != 1.0 {
		t.Errorf("versionInfo = %v", vi)
	}
	if len(r["authors"].([]any)) != 2 {
		t.Errorf("authors = %v", r["authors"])
	}
	// The last commit is the first of the list given: commits come newest first.
	if lc, _ := r["lastCommit"].(map[string]any); lc == nil || lc["id"] != "c1" {
		t.Errorf("lastCommit = %v, want c1", r["lastCommit"])
	}
	// Creating it again answers 208 and adds the project.
	c.send("POST", "/api/0/organizations/acme/releases/", map[string]any{"version": "web@1.4.2", "projects": []any{"api"}}, 208, &r)
	if len(r["projects"].([]any)) != 2 {
		t.Errorf("projects after the second create = %v", r["projects"])
	}
	// Project IDs work as well as slugs; invalid input answers 400 with Sentry's field errors.
	c.send("POST", "/api/0/organizations/acme/releases/", map[string]any{"version": "deadbeefdeadbeefdeadbeefdeadbeefdeadbeef", "projects": []any{mustAtoi(t, web.ID)}}, 201, &r)
	if r["shortVersion"] != "deadbeefdead" || r["versionInfo"].(map[string]any)["buildHash"] != "deadbeefdeadbeefdeadbeefdeadbeefdeadbeef" {
		t.Errorf("sha release = %v %v", r["shortVersion"], r["versionInfo"])
	}
	for _, tc := range []struct {
		body  map[string]any
		field string
		msg   string
	}{
		{map[string]any{"projects": []any{"web"}}, "version", "This field is required."},
		{map[string]any{"version": "latest", "projects": []any{"web"}}, "version", "Release with name latest is not allowed"},
		{map[string]any{"version": "a/b", "projects": []any{"web"}}, "version", "Release with name a/b is not allowed"},
		{map[string]any{"version": "v1"}, "projects", "This field is required."},
		{map[string]any{"version": "v1", "projects": []any{"nope"}}, "projects", "Invalid project ids or slugs"},
		{map[string]any{"version": "v1", "projects": []any{"web"}, "refs": []any{map[string]any{"repository": "other/repo", "commit": "x"}}}, "refs", "Invalid repository names: other/repo"},
	} {
		var e map[string][]string
		c.send("POST", "/api/0/organizations/acme/releases/", tc.body, 400, &e)
		if len(e[tc.field]) != 1 || e[tc.field][0] != tc.msg {
			t.Errorf("%v: %v", tc.body, e)
		}
	}

	path := "/api/0/organizations/acme/releases/" + url.PathEscape("web@1.4.2") + "/"
	// Setting refs replaces the commits with the head commits (a local server cannot fetch the
	// range from the provider); a PUT without dateReleased does not finalize.
	c.send("PUT", path, map[string]any{"refs": []any{map[string]any{"repository": "shop/web", "commit": "c9", "previousCommit": "c1"}}}, 200, &r)
	if r["dateReleased"] != nil || r["commitCount"] != 1.0 {
		t.Errorf("after refs: dateReleased %v commitCount %v", r["dateReleased"], r["commitCount"])
	}
	c.send("PUT", path, map[string]any{"dateReleased": "2026-03-10T11:00:00Z", "url": "https://shop.example"}, 200, &r)
	if r["dateReleased"] != "2026-03-10T11:00:00.000000Z" || r["url"] != "https://shop.example" {
		t.Errorf("finalized: %v %v", r["dateReleased"], r["url"])
	}
	snap, ok := srv.Release("acme", "web@1.4.2")
	if !ok || snap.DateReleased.IsZero() || !slices.Equal(snap.Commits, []string{"shop/web@c9"}) || snap.Refs[0].PreviousCommit != "c1" {
		t.Errorf("snapshot = %+v", snap)
	}
	c.get(path, 200, &r)
	c.get(path+"?health=1&project="+web.ID, 200, &r)
	c.get("/api/0/organizations/acme/releases/nope/", 404, nil)

	var commits []map[string]any
	c.get(path+"commits/", 200, &commits)
	if len(commits) != 1 || commits[0]["id"] != "c9" || commits[0]["repository"].(map[string]any)["name"] != "shop/web" {
		t.Errorf("commits = %v", commits)
	}
	c.get("/api/0/projects/acme/web/releases/"+url.PathEscape("web@1.4.2")+"/commits/", 200, &commits)

	var d map[string]any
	c.send("POST", path+"deploys/", map[string]any{"environment": "production", "name": "deploy 7", "url": "https://ci.example/7"}, 201, &d)
	if d["environment"] != "production" || d["dateFinished"] != "2026-03-10T12:00:00.000000Z" {
		t.Errorf("deploy = %v", d)
	}
	c.send("POST", path+"deploys/", map[string]any{"environment": "staging", "dateStarted": "2026-03-10T11:50:00Z", "dateFinished": "2026-03-10T11:55:00Z"}, 201, nil)
	var e map[string][]string
	c.send("POST", path+"deploys/", map[string]any{"environment": "production", "name": strings.Repeat("n", 65)}, 400, &e)
	if len(e["name"]) != 1 || e["name"][0] != "Ensure this field has no more than 64 characters." {
		t.Errorf("deploy with a 65-character name: %v", e)
	}
	e = nil
	c.send("POST", path+"deploys/", map[string]any{"name": "x"}, 400, &e)
	if e["environment"][0] != "This field is required." {
		t.Errorf("deploy without environment: %v", e)
	}
	var deploys []map[string]any
	c.get(path+"deploys/", 200, &deploys)
	if len(deploys) != 2 || deploys[0]["environment"] != "staging" {
		t.Errorf("deploys = %v", deploys)
	}
	c.get(path, 200, &r)
	if r["deployCount"] != 2.0 || r["lastDeploy"].(map[string]any)["environment"] != "staging" {
		t.Errorf("release deploys: %v %v", r["deployCount"], r["lastDeploy"])
	}

	// Lists: newest first, filtered by project and query.
	mustIngest(t, srv, "api", Event{Release: "api@2.0.0", Message: "x", Environment: "production"})
	var list []map[string]any
	c.get("/api/0/organizations/acme/releases/", 200, &list)
	if got := versions(list); !slices.Equal(got, []string{"api@2.0.0", "deadbeefdeadbeefdeadbeefdeadbeefdeadbeef", "web@1.4.2"}) {
		t.Errorf("releases = %v", got)
	}
	c.get("/api/0/organizations/acme/releases/?query=web&project="+web.ID, 200, &list)
	if got := versions(list); !slices.Equal(got, []string{"web@1.4.2"}) {
		t.Errorf("releases of web matching web = %v", got)
	}
	c.get("/api/0/organizations/acme/releases/?environment=production", 200, &list)
	if got := versions(list); !slices.Equal(got, []string{"api@2.0.0", "web@1.4.2"}) {
		t.Errorf("releases in production = %v", got)
	}
	c.get("/api/0/projects/acme/api/releases/?per_page=1", 200, &list)
	if got := versions(list); !slices.Equal(got, []string{"api@2.0.0"}) {
		t.Errorf("api releases = %v", got)
	}

	// A release with issues cannot be deleted; one without can.
	var detail map[string]string
	c.send("DELETE", "/api/0/organizations/acme/releases/api@2.0.0/", nil, 400, &detail)
	if r := c.do("DELETE", "/api/0/organizations/acme/releases/deadbeefdeadbeefdeadbeefdeadbeefdeadbeef/", nil); r.status != 204 {
		t.Errorf("delete: %d %s", r.status, r.body)
	}

	// The project route (sentry-cli 2.x) creates releases too.
	c.send("POST", "/api/0/projects/acme/web/releases/", map[string]any{"version": "web@2.0.0"}, 201, &r)
	if r["projects"].([]any)[0].(map[string]any)["slug"] != "web" {
		t.Errorf("project release = %v", r)
	}
}

func versions(list []map[string]any) []string {
	var out []string
	for _, r := range list {
		out = append(out, r["version"].(string))
	}
	return out
}

func TestReleaseFiles(t *testing.T) {
	t.Parallel()
	srv := newServer(t, Options{Now: t0})
	c := client(t, srv)
	c.send("POST", "/api/0/projects/acme/web/releases/", map[string]any{"version": "1.0"}, 201, nil)

	upload := func(path, name, dist string, headers ...string) reply {
		t.Helper()
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, _ := mw.CreateFormFile("file", "app.js")
		fw.Write([]byte("console.log(1)\n"))
		if name != "" {
			mw.WriteField("name", name)
		}
		if dist != "" {
			mw.WriteField("dist", dist)
		}
		for _, h := range headers {
			mw.WriteField("header", h)
		}
		mw.Close()
		req, _ := http.NewRequest("POST", srv.URL()+path, &body)
		req.Header.Set("Authorization", "Bearer "+srv.Token())
		req.Header.Set("Content-Type", mw.FormDataContentType())
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b bytes.Buffer
		b.ReadFrom(resp.Body)
		return reply{status: resp.StatusCode, header: resp.Header, body: b.Bytes()}
	}
	base := "/api/0/projects/acme/web/releases/1.0/files/"
	r := upload(base, "~/static/app.js", "", "debug-id:a9f9a996-4e6c-5119-b8b8-e64559a6554c", "Sourcemap:app.js.map")
	var f map[string]any
	c.expect(r, "upload", 201, &f)
	if f["name"] != "~/static/app.js" || f["sha1"] != "4f34d4184dfcb3ee7509f2f48258ce9241d98107" || f["headers"].(map[string]any)["Sourcemap"] != "app.js.map" {
		t.Errorf("file = %v", f)
	}
	if r := upload(base, "~/static/app.js", ""); r.status != 409 {
		t.Errorf("duplicate upload: %d", r.status)
	}
	c.expect(upload("/api/0/organizations/acme/releases/1.0/files/", "", "web"), "org upload", 201, nil)
	var list []map[string]any
	c.get(base+"?checksum=4f34d4184dfcb3ee7509f2f48258ce9241d98107", 200, &list)
	if len(list) != 2 {
		t.Errorf("files by checksum = %v", list)
	}
	c.get("/api/0/organizations/acme/releases/1.0/files/?query=static", 200, &list)
	if len(list) != 1 {
		t.Errorf("files matching static = %v", list)
	}
	id := f["id"].(string)
	c.get(base+id+"/", 200, &f)
	if r := c.do("GET", base+id+"/?download=1", nil); string(r.body) != "console.log(1)\n" {
		t.Errorf("download = %q", r.body)
	}
	c.send("PUT", base+id+"/", map[string]any{"name": "~/static/main.js"}, 200, &f)
	c.send("PUT", "/api/0/organizations/acme/releases/1.0/files/"+id+"/", map[string]any{"dist": "web"}, 200, &f)
	c.get("/api/0/organizations/acme/releases/1.0/files/"+id+"/", 200, &f)
	if f["name"] != "~/static/main.js" || f["dist"] != "web" {
		t.Errorf("renamed file = %v", f)
	}
	if r := c.do("DELETE", "/api/0/organizations/acme/releases/1.0/files/"+id+"/", nil); r.status != 204 {
		t.Errorf("delete: %d", r.status)
	}
	if r := c.do("DELETE", base+id+"/", nil); r.status != 404 {
		t.Errorf("second delete: %d", r.status)
	}
	var extra map[string]any
	c.expect(upload(base, "~/extra.js", ""), "upload", 201, &extra)
	if r := c.do("DELETE", base+extra["id"].(string)+"/", nil); r.status != 204 {
		t.Errorf("delete through the project: %d", r.status)
	}
	snap, _ := srv.Release("acme", "1.0")
	if !slices.Equal(snap.Files, []string{"app.js"}) {
		t.Errorf("files left = %v", snap.Files)
	}
}
