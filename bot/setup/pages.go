package setup

import (
	"bytes"
	"html/template"
	"net/http"

	"github.com/releasegate/releasegate/bot/manifest"
	"github.com/releasegate/releasegate/internal/githubapi"
)

// The pages read well without JavaScript: the form is one button, the next steps plain text.
var pages = template.Must(template.New("").Parse(`
{{define "head"}}<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>{{.}} · releasegate setup</title>
<style>
body{font:15px/1.5 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:0 auto;max-width:820px;padding:1.5em;color:#1f2328}
h1{font-size:1.5em} table{border-collapse:collapse;width:100%} th,td{border-bottom:1px solid #d0d7de;padding:.35em .5em;text-align:left;vertical-align:top}
code,pre{background:#f6f8fa;border-radius:4px} code{padding:.1em .3em} pre{padding:.6em;overflow-x:auto}
button{font-size:1.05em;padding:.5em 1.2em;background:#1a7f37;color:#fff;border:0;border-radius:6px;cursor:pointer}
.meta{color:#59636e}
</style></head><body>{{end}}

{{define "start"}}{{template "head" "Create the GitHub App"}}
<h1>Create the GitHub App</h1>
<p>This registers <strong>{{.Name}}</strong> on GitHub {{if .Org}}for the organization <strong>{{.Org}}</strong>{{else}}under your own account{{end}},
with its webhooks going to <code>{{.PublicURL}}/webhooks/github</code>. GitHub asks you to confirm the name, then sends you back here
and releasegate stores the App's credentials.</p>
<form method="post" action="{{.Action}}">
<input type="hidden" name="manifest" value="{{.Manifest}}">
<button type="submit">Create the App on GitHub</button>
</form>
<h2>What the App may do</h2>
<table><tr><th>Permission</th><th>Access</th><th>Why</th></tr>
{{range .Permissions}}<tr><td>{{.Name}}</td><td>{{.Access}}</td><td>{{.Why}}</td></tr>
{{end}}</table>
<p class="meta">This link works for an hour and for one App; reload it for a fresh start.</p>
</body></html>{{end}}

{{define "done"}}{{template "head" "The App is created"}}
<h1>The App is created</h1>
<p>GitHub registered <strong>{{.App.Name}}</strong> (ID {{.App.ID}}{{if .App.Slug}}, <code>{{.App.Slug}}</code>{{end}}). {{.Stored.Where}}</p>
{{if .Stored.Files}}<table><tr><th>File</th><th>Read by</th></tr>
{{range .Stored.Files}}<tr><td><code>{{.Path}}</code></td><td>{{if .Variable}}<code>{{.Variable}}</code>{{else}}—{{end}}</td></tr>
{{end}}</table>{{end}}
<h2>Next</h2>
<ol>
<li>{{if .InstallURL}}<a href="{{.InstallURL}}">Install the App</a>{{else}}Install the App{{end}} on the repositories whose deployments it should gate.</li>
<li>In each repository, enable it on an environment: Settings → Environments → the environment → Deployment protection rules → <strong>{{.App.Name}}</strong> → Save protection rules.</li>
<li>Start the service with the App's identity:
<pre>RELEASEGATE_GITHUB_APP_ID={{.App.ID}}
RELEASEGATE_GITHUB_PRIVATE_KEY_FILE=…/private-key.pem
RELEASEGATE_GITHUB_WEBHOOK_SECRET_FILE=…/webhook-secret
releasegate serve --config installations.yml</pre></li>
</ol>
<p class="meta">docs/app.md walks through each step. This setup run is over; you can close this page.</p>
</body></html>{{end}}

{{define "error"}}{{template "head" .Title}}
<h1>{{.Title}}</h1>
<p>{{.Message}}</p>
</body></html>{{end}}
`))

type startPage struct {
	Action, Manifest, Name, Org, PublicURL string
	Permissions                            []manifest.Permission
}

type donePage struct {
	App        *githubapi.AppCredentials
	Stored     Stored
	InstallURL string
}

type errorPage struct{ Title, Message string }

// page renders one of the pages with its status; a template failure is a 500 with no page.
func (h *Handler) page(w http.ResponseWriter, status int, data any) {
	name := "error"
	switch data.(type) {
	case startPage:
		name = "start"
	case donePage:
		name = "done"
	}
	var b bytes.Buffer
	if err := pages.ExecuteTemplate(&b, name, data); err != nil {
		h.opts.Logger.Error("setup: rendering a page", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	// No form-action: the post to GitHub may pass through its sign-in, whose redirects a
	// form-action list would have to foresee.
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}
