package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// dataSet is one vendored folder: where its original lives under the shared test data, and how
// to build the trimmed copy (file name → content, SOURCE and LICENSE included).
type dataSet struct {
	name   string
	origin string
	build  func(dir string) (map[string][]byte, error)
}

var dataSets = []dataSet{
	{"tc39-source-map-tests", "tc39-source-map-tests", buildTC39},
	{"sentry-openapi", "sentry-openapi", buildSentryOpenAPI},
	{"github-openapi", "github-openapi", buildGitHubOpenAPI},
	{"github-webhook-examples", "github-webhook-examples", buildGitHubWebhookExamples},
	{"jira-openapi", "jira-openapi", buildJiraOpenAPI},
}

// buildTC39 keeps the suite's test list and every map it names (the conformance test reads
// them; the fuzzers seed from them). The generated and original JavaScript files are not read.
func buildTC39(dir string) (map[string][]byte, error) {
	suiteRaw, err := os.ReadFile(filepath.Join(dir, "source-map-spec-tests.json"))
	if err != nil {
		return nil, err
	}
	var suite struct {
		Tests []struct {
			SourceMapFile string `json:"sourceMapFile"`
			TestActions   []struct {
				IntermediateMaps []string `json:"intermediateMaps"`
			} `json:"testActions"`
		} `json:"tests"`
	}
	if err := json.Unmarshal(suiteRaw, &suite); err != nil {
		return nil, fmt.Errorf("source-map-spec-tests.json: %w", err)
	}
	files := map[string][]byte{"source-map-spec-tests.json": suiteRaw}
	for _, tc := range suite.Tests {
		names := []string{tc.SourceMapFile}
		for _, a := range tc.TestActions {
			names = append(names, a.IntermediateMaps...)
		}
		for _, n := range names {
			if n == "" || strings.ContainsAny(n, `/\`) {
				return nil, fmt.Errorf("unexpected resource name %q", n)
			}
			data, err := os.ReadFile(filepath.Join(dir, "resources", n))
			if err != nil {
				return nil, err
			}
			files["resources/"+n] = data
		}
	}
	commit, err := originCommit(dir)
	if err != nil {
		return nil, err
	}
	license, err := os.ReadFile(filepath.Join(dir, "LICENSE.md"))
	if err != nil {
		return nil, err
	}
	files["LICENSE"] = license
	files["SOURCE"] = []byte(fmt.Sprintf(`Origin: https://github.com/tc39/source-map-tests
Commit: %s
Licence: BSD 3-Clause (LICENSE, copied from the repository's LICENSE.md)
Kept: source-map-spec-tests.json and the %d maps under resources/ that its cases name
(sourceMapFile and intermediateMaps); the generated and original JavaScript files, the
decoding/ folder and the range-mappings proposal are left out because no test reads them.
Rebuild: go run ./scripts/vendor-external (from ../shared/testdata/tc39-source-map-tests).
`, commit, len(files)-1))
	return files, nil
}

// sentryPathKept selects the paths of Sentry's description that releasegate calls, its fake
// serves, or a test reads: the organization and project themselves, and whole families of
// endpoints (releases, issues, events, ownership, teams, members, health), so a new call within
// a family is validated without re-vendoring.
var sentryPathKept = regexp.MustCompile(`^/api/0/(` +
	`organizations/\{organization_id_or_slug\}/((releases|issues|shortids|sentry-app-installations|sessions|events-timeseries|events|eventids|teams|members|projects|release-threshold-statuses|repos)/.*)?` +
	`|projects/\{organization_id_or_slug\}/\{project_id_or_slug\}/((releases|ownership|teams|members|events|issues|keys)/.*)?` +
	`|teams/\{organization_id_or_slug\}/\{team_id_or_slug\}/((members|projects)/)?` +
	`|sentry-app-installations/.*` +
	`)$`)

// buildSentryOpenAPI keeps the selected paths of Sentry's dereferenced description and the
// security schemes; components.schemas goes, since the description is dereferenced and nothing
// in the kept paths refers to it.
func buildSentryOpenAPI(dir string) (map[string][]byte, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "openapi-derefed.json"))
	if err != nil {
		return nil, err
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("openapi-derefed.json: %w", err)
	}
	if bytes.Contains(raw, []byte(`"$ref"`)) {
		return nil, fmt.Errorf("openapi-derefed.json has $ref: it is no longer dereferenced, so components.schemas cannot be dropped")
	}
	var paths map[string]json.RawMessage
	if err := json.Unmarshal(doc["paths"], &paths); err != nil {
		return nil, fmt.Errorf("openapi-derefed.json paths: %w", err)
	}
	kept := map[string]json.RawMessage{}
	for p, v := range paths {
		if sentryPathKept.MatchString(p) {
			kept[p] = v
		}
	}
	var components map[string]json.RawMessage
	if err := json.Unmarshal(doc["components"], &components); err != nil {
		return nil, fmt.Errorf("openapi-derefed.json components: %w", err)
	}
	doc["components"], err = json.Marshal(map[string]json.RawMessage{"securitySchemes": components["securitySchemes"]})
	if err != nil {
		return nil, err
	}
	if doc["paths"], err = json.Marshal(kept); err != nil {
		return nil, err
	}
	delete(doc, "tags")
	compact, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, compact, "", " "); err != nil {
		return nil, err
	}
	out.WriteByte('\n')

	commit, err := originCommit(dir)
	if err != nil {
		return nil, err
	}
	license, err := os.ReadFile(filepath.Join(dir, "LICENSE.md"))
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(kept))
	for p := range kept {
		names = append(names, p)
	}
	sort.Strings(names)
	return map[string][]byte{
		"openapi-derefed.json": out.Bytes(),
		"LICENSE":              license,
		"SOURCE": []byte(fmt.Sprintf(`Origin: https://github.com/getsentry/sentry-api-schema (openapi-derefed.json)
Commit: %s
Licence: FSL-1.1-Apache-2.0 (LICENSE, copied from the repository's LICENSE.md)
Kept: %d of the description's %d paths, those releasegate calls, its fake Sentry serves or a
test reads (the families matched by sentryPathKept in scripts/vendor-external/datasets.go),
and components.securitySchemes. The description is dereferenced, so components.schemas and
tags are left out. Re-indented with one space; otherwise the kept text is unchanged.
Rebuild: go run ./scripts/vendor-external (from ../shared/testdata/sentry-openapi).

Paths kept:
  %s
`, commit, len(kept), len(paths), strings.Join(names, "\n  "))),
	}, nil
}

// originCommit reads the 40-hex commit from a data set's SOURCE file.
func originCommit(dir string) (string, error) {
	source, err := os.ReadFile(filepath.Join(dir, "SOURCE"))
	if err != nil {
		return "", err
	}
	commit := regexp.MustCompile(`[0-9a-f]{40}`).Find(source)
	if commit == nil {
		return "", fmt.Errorf("%s/SOURCE names no commit", dir)
	}
	return string(commit), nil
}
