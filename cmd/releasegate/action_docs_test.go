package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/releasegate/releasegate/internal/testenv"
)

// actionVersionPin matches the version action.yml downloads; the generator keeps what the file
// says (the release process bumps it, see docs/releasing.md).
var actionVersionPin = regexp.MustCompile(`(?m)^(\s+RELEASEGATE_VERSION: )(\S+)$`)

// TestActionFilesAreGenerated: the inputs and outputs of action.yml and the tables of
// docs/action.md are generated from actionInputs and actionOutputs, so the action, its
// documentation and the code that reads the inputs cannot drift apart. Run with -update after
// changing the table.
//
// Not parallel: with -update it rewrites docs/action.md, which
// TestDocumentedWorkflowsUseRealInputs reads.
func TestActionFilesAreGenerated(t *testing.T) { //nolint:paralleltest // see above
	root := testenv.RepoRoot(t)
	ymlPath := filepath.Join(root, "action.yml")
	old, _ := os.ReadFile(ymlPath)
	pin := "v0.1.0"
	if m := actionVersionPin.FindSubmatch(old); m != nil {
		pin = string(m[2])
	}
	yml := generateActionYAML(pin)
	var parsed struct {
		Name    string
		Inputs  map[string]map[string]any
		Outputs map[string]map[string]any
		Runs    struct {
			Using string
			Steps []map[string]any
		}
	}
	if err := yaml.Unmarshal(yml, &parsed); err != nil {
		t.Fatalf("the generated action.yml is not YAML: %v\n%s", err, yml)
	}
	if parsed.Runs.Using != "composite" || len(parsed.Inputs) != len(actionInputs) || len(parsed.Outputs) != len(actionOutputs) {
		t.Fatalf("generated action.yml: using %q, %d inputs, %d outputs", parsed.Runs.Using, len(parsed.Inputs), len(parsed.Outputs))
	}

	docPath := filepath.Join(root, "docs", "action.md")
	doc, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatalf("reading docs/action.md: %v", err)
	}
	newDoc, err := replaceGenerated(doc, "inputs", actionInputsTable())
	if err == nil {
		newDoc, err = replaceGenerated(newDoc, "outputs", actionOutputsTable())
	}
	if err != nil {
		t.Fatalf("docs/action.md: %v", err)
	}
	if *update {
		for path, data := range map[string][]byte{ymlPath: yml, docPath: newDoc} {
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	if !bytes.Equal(old, yml) {
		t.Errorf("action.yml is not what actionInputs generates: run `go test ./cmd/releasegate -run TestActionFilesAreGenerated -update`")
	}
	if !bytes.Equal(doc, newDoc) {
		t.Errorf("docs/action.md's tables are not what actionInputs generates: run `go test ./cmd/releasegate -run TestActionFilesAreGenerated -update`")
	}
}

// yamlString quotes s as a YAML double-quoted scalar (a JSON string is one).
func yamlString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func envName(input string) string {
	return "INPUT_" + strings.ToUpper(strings.ReplaceAll(input, " ", "_"))
}

func generateActionYAML(pin string) []byte {
	var b strings.Builder
	b.WriteString(`# releasegate: validate and upload source maps, keep Sentry ownership in the repository, and
# gate deploys on Sentry evidence. docs/action.md describes every input and output.
#
# The inputs and outputs below are generated from cmd/releasegate/action_inputs.go by
# ` + "`go test ./cmd/releasegate -run TestActionFilesAreGenerated -update`" + `: edit the table there.
name: releasegate
description: Validate and upload source maps, sync Sentry ownership rules, and gate deploys on new high-frequency errors
author: releasegate
branding:
  icon: shield
  color: purple
inputs:
`)
	for _, in := range actionInputs {
		fmt.Fprintf(&b, "  %s:\n    description: %s\n    required: false\n", in.Name, yamlString(in.Description))
		if in.Default != "" {
			fmt.Fprintf(&b, "    default: %s\n", yamlString(in.Default))
		}
		if in.Deprecated != "" {
			fmt.Fprintf(&b, "    deprecationMessage: %s\n", yamlString(in.Deprecated))
		}
	}
	b.WriteString("outputs:\n")
	for _, out := range actionOutputs {
		fmt.Fprintf(&b, "  %s:\n    description: %s\n    value: ${{ steps.run.outputs.%s }}\n", out.Name, yamlString(out.Description), out.Name)
	}
	fmt.Fprintf(&b, `runs:
  using: composite
  steps:
    # The binary of the version pinned here, checked against the release's checksums; a ref
    # with no release (a branch, a fork) builds it from this checkout with the runner's Go.
    - id: install
      shell: bash
      env:
        RELEASEGATE_VERSION: %s
      run: bash "$GITHUB_ACTION_PATH/action/install.sh"
    - id: run
      shell: bash
      env:
        RELEASEGATE_BIN: ${{ steps.install.outputs.path }}
`, pin)
	for _, in := range actionInputs {
		fmt.Fprintf(&b, "        %s: ${{ inputs.%s }}\n", envName(in.Name), in.Name)
	}
	b.WriteString("      run: '\"$RELEASEGATE_BIN\" action'\n")
	return []byte(b.String())
}

func actionInputsTable() string {
	var b strings.Builder
	b.WriteString("| Input | Default | action-release | Description |\n|---|---|---|---|\n")
	for _, in := range actionInputs {
		def := "—"
		if in.Default != "" {
			def = "`" + in.Default + "`"
		}
		same := ""
		if in.ActionRelease {
			same = "same"
		}
		desc := in.Description
		if len(in.Choices) > 0 {
			desc += " One of: `" + strings.Join(in.Choices, "`, `") + "`."
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", in.Name, def, same, strings.ReplaceAll(desc, "|", `\|`))
	}
	return b.String()
}

func actionOutputsTable() string {
	var b strings.Builder
	b.WriteString("| Output | Description |\n|---|---|\n")
	for _, out := range actionOutputs {
		fmt.Fprintf(&b, "| `%s` | %s |\n", out.Name, out.Description)
	}
	return b.String()
}

// replaceGenerated replaces what lies between <!-- name:begin --> and <!-- name:end -->.
func replaceGenerated(doc []byte, name, content string) ([]byte, error) {
	begin, end := []byte("<!-- "+name+":begin (generated, do not edit) -->\n"), []byte("<!-- "+name+":end -->")
	i, j := bytes.Index(doc, begin), bytes.Index(doc, end)
	if i < 0 || j < i {
		return nil, fmt.Errorf("no %q and %q markers", begin, end)
	}
	var out bytes.Buffer
	out.Write(doc[:i+len(begin)])
	out.WriteString(content)
	out.Write(doc[j:])
	return out.Bytes(), nil
}

// TestDocumentedWorkflowsUseRealInputs: every workflow shown in README.md and docs/action.md
// is YAML, and each step using the action gives only inputs the action has.
func TestDocumentedWorkflowsUseRealInputs(t *testing.T) {
	t.Parallel()
	root := testenv.RepoRoot(t)
	steps := 0
	for _, doc := range []string{"README.md", filepath.Join("docs", "action.md")} {
		data, err := os.ReadFile(filepath.Join(root, doc))
		if err != nil {
			t.Fatal(err)
		}
		for _, block := range strings.Split(string(data), "```yaml\n")[1:] {
			body, _, _ := strings.Cut(block, "```")
			if !strings.Contains(body, "uses: releasegate/releasegate@") {
				continue
			}
			// A job shown alone (indented under jobs:) is wrapped to make a document.
			if strings.HasPrefix(body, "  ") {
				body = "jobs:\n" + body
			}
			var node yaml.Node
			if err := yaml.Unmarshal([]byte(body), &node); err != nil {
				t.Errorf("%s: a workflow is not YAML: %v\n%s", doc, err, body)
				continue
			}
			walkSteps(&node, func(step map[string]any) {
				if uses, _ := step["uses"].(string); !strings.HasPrefix(uses, "releasegate/releasegate@") {
					return
				}
				steps++
				with, _ := step["with"].(map[string]any)
				for name := range with {
					if !isActionInput(name) {
						t.Errorf("%s: a step gives the action the input %q, which it does not have", doc, name)
					}
				}
			})
		}
	}
	if steps < 3 {
		t.Errorf("found %d steps using the action in the docs, want the README's workflows and docs/action.md's", steps)
	}
}

// walkSteps calls fn for every mapping in a list under a "steps" key.
func walkSteps(n *yaml.Node, fn func(map[string]any)) {
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == "steps" && n.Content[i+1].Kind == yaml.SequenceNode {
				for _, s := range n.Content[i+1].Content {
					var step map[string]any
					if s.Decode(&step) == nil {
						fn(step)
					}
				}
			}
		}
	}
	for _, c := range n.Content {
		walkSteps(c, fn)
	}
}
