package main

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// jiraSwaggersLicense is the LICENSE file of the repository the shared copy of Jira's
// description comes from (salto-io/jira-swaggers, at the commit its SOURCE names), which the
// shared originals do not carry.
//
//go:embed jira-swaggers-LICENSE
var jiraSwaggersLicense []byte

// buildJiraOpenAPI copies Jira Cloud's v3 description unchanged: the shared copy is already
// trimmed to the paths an issue-tracker integration calls. It must still parse as JSON and
// hold the operations the fake Jira (internal/jira/jiratest) serves.
func buildJiraOpenAPI(dir string) (map[string][]byte, error) {
	const name = "jira-platform-v3.trimmed.json"
	raw, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return nil, err
	}
	var doc struct {
		OpenAPI string                     `json:"openapi"`
		Paths   map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	for _, p := range []string{"/rest/api/3/issue", "/rest/api/3/issue/{issueIdOrKey}/remotelink"} {
		if _, ok := doc.Paths[p]; !ok {
			return nil, fmt.Errorf("%s has no path %s, which the fake Jira serves", name, p)
		}
	}
	commit, err := originCommit(dir)
	if err != nil {
		return nil, err
	}
	paths := make([]string, 0, len(doc.Paths))
	for p := range doc.Paths {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	return map[string][]byte{
		name:      raw,
		"LICENSE": jiraSwaggersLicense,
		"SOURCE": []byte(fmt.Sprintf(`Origin: Jira Cloud platform REST API v3, Atlassian's published OpenAPI %s description, as
mirrored by the public repository https://github.com/salto-io/jira-swaggers (platform-swagger.v3.json)
Commit: %s (2022-07-16)
Licence: Apache-2.0 (LICENSE, copied from that repository at that commit)
Kept: the shared copy unchanged, already trimmed to %d paths an issue-tracker integration uses
and the schemas they reach. It predates /rest/api/3/search/jql (Jira Cloud's search since
2025): the fake Jira checks that call's parameters by hand and its issues against IssueBean.
Jira Data Center serves the same resources under /rest/api/2/ with wiki-markup text; the fake
maps those paths onto these operations.
Rebuild: go run ./scripts/vendor-external (from ../shared/testdata/jira-openapi).

Paths kept:
  %s
`, doc.OpenAPI, commit, len(paths), strings.Join(paths, "\n  "))),
	}, nil
}
