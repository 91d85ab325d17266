package main

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// githubOperations is the one list of GitHub REST operations releasegate calls, or will call in
// the next issues, as "METHOD path" in the description's spelling. The fake GitHub
// (internal/githubapi/githubapitest) serves these and validates every request and response
// against them, so a new call starts here.
var githubOperations = []string{
	// The App itself, its installations and the manifest flow.
	"GET /app",
	"POST /app/installations/{installation_id}/access_tokens",
	"GET /repos/{owner}/{repo}/installation",
	"POST /app-manifests/{code}/conversions",
	// The policy file at the deployed commit.
	"GET /repos/{owner}/{repo}/contents/{path}",
	// The deployment protection rule: the review, and the run's pending deployments.
	"POST /repos/{owner}/{repo}/actions/runs/{run_id}/deployment_protection_rule",
	"GET /repos/{owner}/{repo}/actions/runs/{run_id}/pending_deployments",
	// Check runs carrying the report.
	"POST /repos/{owner}/{repo}/check-runs",
	"PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}",
	"GET /repos/{owner}/{repo}/check-runs/{check_run_id}",
	"GET /repos/{owner}/{repo}/commits/{ref}/check-runs",
	// The PR bot's comment: found by its marker, created once, then updated.
	"GET /repos/{owner}/{repo}/issues/{issue_number}/comments",
	"POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
	"PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}",
	"GET /repos/{owner}/{repo}/issues/comments/{comment_id}",
	// Pull requests of a commit, their files, and review comments with suggestions.
	"GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls",
	"GET /repos/{owner}/{repo}/pulls/{pull_number}",
	"GET /repos/{owner}/{repo}/pulls/{pull_number}/files",
	// A pull request's commits, for "Fixes WEB-123" in their messages.
	"GET /repos/{owner}/{repo}/pulls/{pull_number}/commits",
	"POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews",
	"POST /repos/{owner}/{repo}/pulls",
	// A commit's files, for the ownership rules at the deployed commit.
	"GET /repos/{owner}/{repo}/git/trees/{tree_sha}",
	// Commits, comparisons and the git data a fix pull request is built from.
	"GET /repos/{owner}/{repo}/commits/{ref}",
	"GET /repos/{owner}/{repo}/compare/{basehead}",
	"GET /repos/{owner}/{repo}/git/ref/{ref}",
	"POST /repos/{owner}/{repo}/git/refs",
	"PATCH /repos/{owner}/{repo}/git/refs/{ref}",
	"POST /repos/{owner}/{repo}/git/commits",
	"POST /repos/{owner}/{repo}/git/trees",
	"POST /repos/{owner}/{repo}/git/blobs",
	// A fix pull request: the repository's default branch to open it against, its branch found
	// again after a crash (pulls listed by head), the owning team and the on-call engineer.
	"GET /repos/{owner}/{repo}",
	"GET /repos/{owner}/{repo}/pulls",
	"POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers",
	"POST /repos/{owner}/{repo}/issues/{issue_number}/assignees",
	// A suggestion reviewed on an open pull request, found again by its marker after a crash.
	"GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews",
}

// githubAdditions are operations of githubOperations that the shared copy lacks (it was
// trimmed before they were needed), taken unchanged from the same package and version
// (@octokit/openapi 23.0.2, generated/api.github.com.json) as {"paths": {path: {method: op}}}.
// The shared copy's own operation wins once it has one; the components they reach are already
// in it.
//
//go:embed github-additions.json
var githubAdditions []byte

// githubEvents are the webhook events the App handles (X-GitHub-Event), for the webhook
// description and the example payloads kept.
var githubEvents = []string{
	"check_run",
	"deployment_protection_rule",
	"installation",
	"installation_repositories",
	"ping",
	"pull_request",
	"push",
}

// githubWebhookActions narrows an event's webhooks to the actions the App acts on; the
// pull_request event alone has 25, and each carries the whole pull request schema.
var githubWebhookActions = map[string][]string{
	"pull_request": {"opened", "reopened", "synchronize", "edited", "closed", "ready_for_review"},
}

// octokitLicense is the LICENSE file of the npm packages @octokit/openapi 23.0.2 and
// @octokit/openapi-webhooks 12.1.0 (identical in both), which the shared originals do not carry.
const octokitLicense = `MIT License Copyright (c) 2020 Octokit contributors

Permission is hereby granted, free of charge, to any person obtaining a copy of this software and associated documentation files (the "Software"), to deal in the Software without restriction, including without limitation the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the Software is furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice (including the next paragraph) shall be included in all copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
`

// buildGitHubOpenAPI keeps, of GitHub's REST description, the operations in githubOperations
// and, of its webhook description, the webhooks of githubEvents; each keeps only the components
// its kept parts reach, and media-type examples (the bulk of the originals, read by no test) go.
func buildGitHubOpenAPI(dir string) (map[string][]byte, error) {
	rest, err := readJSON(filepath.Join(dir, "api.github.com.trimmed.json"))
	if err != nil {
		return nil, err
	}
	restPaths, _ := rest["paths"].(map[string]any)
	additions, err := decodeJSON(githubAdditions)
	if err != nil {
		return nil, fmt.Errorf("github-additions.json: %w", err)
	}
	addedPaths, _ := additions["paths"].(map[string]any)
	keptPaths := map[string]any{}
	var added []string
	for _, op := range githubOperations {
		method, path, _ := strings.Cut(op, " ")
		m := strings.ToLower(method)
		item, _ := restPaths[path].(map[string]any)
		if item == nil || item[m] == nil {
			extra, _ := addedPaths[path].(map[string]any)
			if extra == nil || extra[m] == nil {
				return nil, fmt.Errorf("api.github.com.trimmed.json has no operation %s, and github-additions.json neither; add it there from @octokit/openapi 23.0.2", op)
			}
			item = extra
			added = append(added, op)
		}
		kept, _ := keptPaths[path].(map[string]any)
		if kept == nil {
			kept = map[string]any{}
			keptPaths[path] = kept
		}
		if params, ok := item["parameters"]; ok {
			kept["parameters"] = params
		}
		kept[m] = item[m]
	}
	rest["paths"] = keptPaths
	delete(rest, "x-webhooks")
	delete(rest, "tags")
	restOut, err := trimComponents(rest)
	if err != nil {
		return nil, fmt.Errorf("api.github.com.trimmed.json: %w", err)
	}

	hooks, err := readJSON(filepath.Join(dir, "webhooks.trimmed.json"))
	if err != nil {
		return nil, err
	}
	allHooks, _ := hooks["webhooks"].(map[string]any)
	keptHooks := map[string]any{}
	for name, item := range allHooks {
		post, _ := item.(map[string]any)["post"].(map[string]any)
		xgh, _ := post["x-github"].(map[string]any)
		event, _ := xgh["subcategory"].(string)
		if !slices.Contains(githubEvents, event) {
			continue
		}
		action := strings.TrimPrefix(name, strings.ReplaceAll(event, "_", "-")+"-")
		if actions, narrowed := githubWebhookActions[event]; narrowed && !slices.Contains(actions, strings.ReplaceAll(action, "-", "_")) {
			continue
		}
		keptHooks[name] = item
	}
	hooks["webhooks"] = keptHooks
	delete(hooks, "tags")
	hooksOut, err := trimComponents(hooks)
	if err != nil {
		return nil, fmt.Errorf("webhooks.trimmed.json: %w", err)
	}

	origin, err := os.ReadFile(filepath.Join(dir, "SOURCE"))
	if err != nil {
		return nil, err
	}
	hookNames := sortedNames(keptHooks)
	return map[string][]byte{
		"api.github.com.json":   restOut,
		"webhooks.trimmed.json": hooksOut,
		"LICENSE":               []byte(octokitLicense),
		"SOURCE": []byte(fmt.Sprintf(`Origin (as the shared copy's SOURCE says):
  %s
Licence: MIT (LICENSE: the licence file both npm packages ship, identical in each).

api.github.com.json keeps %d operations of the REST description, those releasegate calls or
will call (githubOperations in scripts/vendor-external/github.go, the one list), with every
component they reach; webhooks.trimmed.json keeps the %d webhooks of the events the App
handles (githubEvents there; pull_request only for the actions in githubWebhookActions), with
every component they reach:
  %s
Media-type examples and the unreached components are left out; the kept text is otherwise unchanged (re-indented with
one space). GitHub's description has no ping webhook: the ping examples stand for it.%s
Rebuild: go run ./scripts/vendor-external (from ../shared/testdata/github-openapi).

Operations kept:
  %s

Webhooks kept:
  %s
`, strings.TrimSpace(string(origin)), len(githubOperations), len(keptHooks), strings.Join(githubEvents, ", "),
			additionsNote(added), strings.Join(githubOperations, "\n  "), strings.Join(hookNames, "\n  "))),
	}, nil
}

// buildGitHubWebhookExamples keeps the example payloads of the events the App handles,
// unchanged (EVENT.ACTION.N.json).
func buildGitHubWebhookExamples(dir string) (map[string][]byte, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	files := map[string][]byte{}
	var events []string
	for _, e := range entries {
		name := e.Name()
		event, _, _ := strings.Cut(name, ".")
		if !strings.HasSuffix(name, ".json") || !slices.Contains(githubEvents, event) {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		files[name] = data
		if !slices.Contains(events, event) {
			events = append(events, event)
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%s holds no example of the events %s", dir, strings.Join(githubEvents, ", "))
	}
	sort.Strings(events)
	origin, err := os.ReadFile(filepath.Join(dir, "SOURCE"))
	if err != nil {
		return nil, err
	}
	files["LICENSE"] = []byte("The npm package @octokit/webhooks-examples 7.6.1 declares \"license\": \"MIT\" in its\npackage.json and ships no licence file. The MIT licence as Octokit's packages state it\n(the LICENSE of @octokit/openapi 23.0.2):\n\n" + octokitLicense)
	files["SOURCE"] = []byte(fmt.Sprintf(`Origin (as the shared copy's SOURCE says):
  %s
Licence: MIT (see LICENSE).

Kept: the %d examples of the events the App handles, unchanged:
  %s
The other events' examples are left out. GitHub publishes no deployment_protection_rule example:
the tests build those payloads to the webhook schema (../github-openapi/webhooks.trimmed.json).
Rebuild: go run ./scripts/vendor-external (from ../shared/testdata/github-webhook-examples).
`, strings.TrimSpace(string(origin)), len(files), strings.Join(events, ", ")))
	return files, nil
}

// trimComponents drops media-type examples and every component that the rest of doc does not
// reach through $ref, then renders doc indented with one space.
func trimComponents(doc map[string]any) ([]byte, error) {
	components, _ := doc["components"].(map[string]any)
	delete(doc, "components")
	dropMediaExamples(doc)
	for _, c := range components {
		dropMediaExamples(c)
	}
	reached := map[string]bool{}
	var visit func(v any)
	visit = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok {
				if !reached[ref] {
					reached[ref] = true
					kind, name, ok := strings.Cut(strings.TrimPrefix(ref, "#/components/"), "/")
					target, _ := components[kind].(map[string]any)
					if !ok || target[name] == nil {
						panic(fmt.Sprintf("unresolved $ref %s", ref))
					}
					visit(target[name])
				}
			}
			for _, x := range v {
				visit(x)
			}
		case []any:
			for _, x := range v {
				visit(x)
			}
		}
	}
	var err error
	func() {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("%v", r)
			}
		}()
		visit(doc)
	}()
	if err != nil {
		return nil, err
	}
	kept := map[string]any{}
	for kind, all := range components {
		m, _ := all.(map[string]any)
		out := map[string]any{}
		for name, v := range m {
			if kind == "securitySchemes" || reached["#/components/"+kind+"/"+name] {
				out[name] = v
			}
		}
		if len(out) > 0 {
			kept[kind] = out
		}
	}
	doc["components"] = kept
	// Map keys come out sorted, so the output is the same on every run; <, > and & stay as
	// the description writes them.
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// dropMediaExamples removes "examples" and "example" from every media type object (the values
// of a "content" map), wherever it sits.
func dropMediaExamples(v any) {
	switch v := v.(type) {
	case map[string]any:
		if content, ok := v["content"].(map[string]any); ok {
			for _, mt := range content {
				if m, ok := mt.(map[string]any); ok {
					delete(m, "examples")
					delete(m, "example")
				}
			}
		}
		for _, x := range v {
			dropMediaExamples(x)
		}
	case []any:
		for _, x := range v {
			dropMediaExamples(x)
		}
	}
}

// additionsNote says, in SOURCE, which operations came from github-additions.json.
func additionsNote(added []string) string {
	if len(added) == 0 {
		return ""
	}
	return fmt.Sprintf(`
The shared copy lacks %s; taken unchanged from the same
package and version (scripts/vendor-external/github-additions.json).`, strings.Join(added, ", "))
}

func readJSON(path string) (map[string]any, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	doc, err := decodeJSON(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	return doc, nil
}

func decodeJSON(raw []byte) (map[string]any, error) {
	// Numbers stay as written: examples hold IDs beyond float64's exact integers.
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	return doc, nil
}

func sortedNames(m map[string]any) []string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}
