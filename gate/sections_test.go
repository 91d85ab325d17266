package gate

import (
	"errors"
	"fmt"
	"io/fs"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
)

// sectionKeys stands for another reader's section: the gate's tests do not know the bot's types.
type sectionKeys struct {
	Enabled *bool    `yaml:"enabled"`
	Count   int      `yaml:"count"`
	Names   []string `yaml:"names"`
}

// sectionItem stands for an item of a list section.
type sectionItem struct {
	Name  string `yaml:"name"`
	Match struct {
		Tags []string `yaml:"tags"`
	} `yaml:"match"`
}

// testSections reads triage: into k (count must be ≥ 1 when written) and playbooks: into items
// (every tag must hold a ':').
func testSections(k *sectionKeys, items *[]sectionItem) Sections {
	return Sections{
		"triage": {Value: k, Check: func(v any, written func(string) bool) []PolicyProblem {
			if k := v.(*sectionKeys); written("triage.count") && k.Count < 1 {
				return []PolicyProblem{{Field: "triage.count", Msg: "must be at least 1"}}
			}
			return nil
		}},
		"playbooks": {Value: items, Check: func(v any, _ func(string) bool) []PolicyProblem {
			var out []PolicyProblem
			for i, it := range *v.(*[]sectionItem) {
				for j, tag := range it.Match.Tags {
					if !strings.Contains(tag, ":") {
						out = append(out, PolicyProblem{Field: fmt.Sprintf("playbooks[%d].match.tags[%d]", i, j), Msg: "must be key:glob"})
					}
				}
			}
			return out
		}},
	}
}

const goodPolicy = "environments:\n  production:\n    projects: [web]\n    new_issues: {events_per_hour: 10}\n"

// TestLoadPolicyAcceptsOtherSections: the gate accepts the other readers' keys unchecked, so the
// one file serves both; a top-level key nobody knows is still an error, with the key meant.
func TestLoadPolicyAcceptsOtherSections(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		yaml string
		want string // the error; "" for a policy
	}{
		"the bot's keys, valid":           {yaml: goodPolicy + "triage: {enabled: false}\nplaybooks:\n  - name: a\n    match: {title: x}\n"},
		"the bot's keys, wrong: not ours": {yaml: goodPolicy + "triage: {no_such: [1]}\nplaybooks: 7\n"},
		"the bot's keys without a value":  {yaml: goodPolicy + "triage:\n"},
		"a typo of triage":                {yaml: goodPolicy + "triaje: {}\n", want: "p.yml:5: triaje: unknown key; did you mean triage?"},
		"a key nobody knows":              {yaml: goodPolicy + "deploys: {}\n", want: "p.yml:5: deploys: unknown key; the keys here are release, environments, playbooks, triage"},
		"only the bot's keys: no policy":  {yaml: "triage: {enabled: true}\n", want: "p.yml:1: environments: list at least one environment with its projects and a check, e.g. production: {projects: [web], new_issues: {events_per_hour: 10}}"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p, err := LoadPolicy([]byte(tt.yaml), "p.yml")
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("LoadPolicy: %v", err)
			case tt.want == "" && p.Environments["production"] == nil:
				t.Fatalf("LoadPolicy = %+v: want production", p)
			case tt.want != "" && (err == nil || err.Error() != tt.want):
				t.Fatalf("LoadPolicy error\n%v\nwant\n%s", err, tt.want)
			}
		})
	}
}

// TestLoadSections: a reader's sections decoded as strictly as the policy, with lines; the gate's
// keys accepted unchecked; the values set only when the file loads.
func TestLoadSections(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		yaml      string
		want      string // the error; "" for none
		wantKeys  sectionKeys
		wantItems []sectionItem
	}{
		"empty file": {yaml: ""},
		"broken gate keys are the gate's to report": {yaml: "environments:\n  production:\n    soak: 30\n"},
		"decoded": {
			yaml:     "triage:\n  count: 2\n  names: [a]\nplaybooks:\n  - name: x\n    match: {tags: [\"k:v\"]}\n",
			wantKeys: sectionKeys{Count: 2, Names: []string{"a"}},
			wantItems: []sectionItem{{Name: "x", Match: struct {
				Tags []string `yaml:"tags"`
			}{Tags: []string{"k:v"}}}},
		},
		"unknown key in a section, with the key meant": {
			yaml: "triage:\n  cuont: 2\n", want: "s.yml:2: triage.cuont: unknown key; did you mean count?",
		},
		"wrong types and the check, all at once, at their lines": {
			yaml: "triage:\n  enabled: 3\n  count: 0\nplaybooks:\n  - name: x\n    match:\n      tags: [\"k:v\", nocolon]\n  - name: [y]\n",
			want: "s.yml:2: triage.enabled: must be true or false, not \"3\"\n" +
				"s.yml:3: triage.count: must be at least 1\n" +
				"s.yml:7: playbooks[0].match.tags[1]: must be key:glob\n" +
				"s.yml:8: playbooks[1].name: must be text, not a list",
		},
		"a section without a value": {yaml: "playbooks:\n", want: "s.yml:1: playbooks: has no value: give it one, or leave the key out"},
		"an unknown top-level key":  {yaml: "playbook: []\n", want: "s.yml:1: playbook: unknown key; did you mean playbooks?"},
		"not a mapping": {
			yaml: "7\n", want: "s.yml:1: the file must be a mapping with keys such as release, environments, playbooks, triage, not \"7\"",
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var k sectionKeys
			var items []sectionItem
			err := LoadSections([]byte(tt.yaml), "s.yml", testSections(&k, &items))
			if tt.want != "" {
				var pe *PolicyError
				if !errors.As(err, &pe) || err.Error() != tt.want {
					t.Fatalf("error\n%v\nwant\n%s", err, tt.want)
				}
				if !reflect.DeepEqual(k, sectionKeys{}) || items != nil {
					t.Errorf("values set from a file that does not load: %+v %+v", k, items)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(k, tt.wantKeys) || !reflect.DeepEqual(items, tt.wantItems) {
				t.Errorf("got %+v %+v\nwant %+v %+v", k, items, tt.wantKeys, tt.wantItems)
			}
		})
	}
}

// TestLoadPolicyWith: the policy and the sections in one pass, problems of both together.
func TestLoadPolicyWith(t *testing.T) {
	t.Parallel()
	var k sectionKeys
	var items []sectionItem
	p, err := LoadPolicyWith([]byte(goodPolicy+"triage: {count: 3}\n"), "p.yml", testSections(&k, &items))
	if err != nil || p.Environments["production"].Soak != Duration(policyDefaultSoak) || k.Count != 3 {
		t.Fatalf("LoadPolicyWith = %+v, %+v, %v", p, k, err)
	}
	_, err = LoadPolicyWith([]byte("environments:\n  production:\n    projects: [web]\ntriage: {count: 0}\n"), "p.yml", testSections(&k, &items))
	want := "p.yml:2: environments.production: set at least one check: new_issues, regressions, health or context\np.yml:4: triage.count: must be at least 1"
	if err == nil || !strings.HasPrefix(err.Error(), "p.yml:2: environments.production: ") || !strings.HasSuffix(err.Error(), "\np.yml:4: triage.count: must be at least 1") {
		t.Errorf("error\n%v\nwant like\n%s", err, want)
	}
}

// TestSectionsMisuse: a section the other readers would reject, or nothing to decode into, is
// the caller's mistake, said plainly rather than a file's problem.
func TestSectionsMisuse(t *testing.T) {
	t.Parallel()
	var k sectionKeys
	tests := map[string]Sections{
		"a name not in otherSections": {"deploys": {Value: &k}},
		"one of the gate's own keys":  {"environments": {Value: &k}},
		"not a pointer":               {"triage": {Value: k}},
		"a nil pointer":               {"triage": {Value: (*sectionKeys)(nil)}},
		"no value":                    {"triage": {}},
	}
	for name, s := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			err := LoadSections([]byte("triage: {}\n"), "s.yml", s)
			var pe *PolicyError
			if err == nil || errors.As(err, &pe) || !strings.HasPrefix(err.Error(), "gate: ") {
				t.Errorf("error %v: want the caller's mistake", err)
			}
		})
	}
}

// TestReadSections: from any fs.FS; a missing file wraps fs.ErrNotExist under its label.
func TestReadSections(t *testing.T) {
	t.Parallel()
	var k sectionKeys
	var items []sectionItem
	fsys := fstest.MapFS{PolicyPath: {Data: []byte("triage: {count: 4}\n")}}
	if err := ReadSections(fsys, PolicyPath, "", testSections(&k, &items)); err != nil || k.Count != 4 {
		t.Errorf("ReadSections = %v, %+v", err, k)
	}
	err := ReadSections(fstest.MapFS{}, PolicyPath, "acme/web@abc:.github/releasegate.yml", testSections(&k, &items))
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "acme/web@abc:.github/releasegate.yml") {
		t.Errorf("missing file: %v", err)
	}
}
