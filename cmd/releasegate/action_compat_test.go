package main

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/releasegate/releasegate/internal/testenv"
)

// TestActionReleaseInputs: the action is a drop-in for getsentry/action-release v3. Every input
// of its action.yml (vendored under testdata/external/action-release) is one of ours, marked as
// action-release's, deprecated where it is deprecated, with a default that means the same; every
// output it sets is one of ours; and no input is marked as action-release's that it lacks.
func TestActionReleaseInputs(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(testenv.RepoRoot(t), "testdata", "external", "action-release")
	var theirs struct {
		Inputs map[string]struct {
			Default            *string `yaml:"default"`
			DeprecationMessage string  `yaml:"deprecationMessage"`
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, &theirs); err != nil {
		t.Fatalf("action-release's action.yml: %v", err)
	}
	if len(theirs.Inputs) < 20 {
		t.Fatalf("read %d inputs from action-release's action.yml, want its full list", len(theirs.Inputs))
	}
	ours := map[string]actionInput{}
	for _, in := range actionInputs {
		ours[in.Name] = in
	}
	for name, their := range theirs.Inputs {
		in, ok := ours[name]
		switch {
		case !ok:
			t.Errorf("action-release has the input %q, which releasegate lacks: a workflow switching over would lose it", name)
			continue
		case !in.ActionRelease:
			t.Errorf("input %q is action-release's, but not marked ActionRelease (docs/action.md says which are)", name)
		case (their.DeprecationMessage != "") != (in.Deprecated != ""):
			t.Errorf("input %q: deprecated in action-release %v, in releasegate %v", name, their.DeprecationMessage != "", in.Deprecated != "")
		}
		if their.Default == nil {
			continue
		}
		// A boolean default must mean the same; action-release writes them unquoted.
		theirBool, okTheirs := parseActionBool(*their.Default)
		ourBool, okOurs := parseActionBool(in.Default)
		if okTheirs && (!okOurs || theirBool != ourBool) {
			t.Errorf("input %q: default %q in action-release, %q here", name, *their.Default, in.Default)
		}
	}
	for _, in := range actionInputs {
		if _, ok := theirs.Inputs[in.Name]; in.ActionRelease && !ok {
			t.Errorf("input %q is marked ActionRelease, but action-release has no such input", in.Name)
		}
	}

	var outputs map[string]string
	data, err = os.ReadFile(filepath.Join(dir, "outputs.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, &outputs); err != nil || len(outputs) == 0 {
		t.Fatalf("action-release's outputs: %v (%d)", err, len(outputs))
	}
	for name := range outputs {
		if !slices.ContainsFunc(actionOutputs, func(o actionOutput) bool { return o.Name == name }) {
			t.Errorf("action-release sets the output %q, which releasegate lacks", name)
		}
	}
}
