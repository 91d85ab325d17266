package triage

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/releasegate/releasegate/gate"
)

func ptr[T any](v T) *T { return &v }

// TestLoadSettings: the settings a file gives, defaults for what it leaves out, and the gate's
// keys left to the gate.
func TestLoadSettings(t *testing.T) {
	t.Parallel()
	defaults := DefaultSettings()
	defaults.File = "r.yml"
	tests := map[string]struct {
		yaml string
		want func(s *Settings)
	}{
		"empty file: the defaults": {yaml: ""},
		"only the gate's keys, even broken ones: the defaults": {
			yaml: "environments:\n  production:\n    soak: 30\n    no_such_key: 1\n",
		},
		"every key": {
			yaml: "triage:\n  enabled: false\n  environments: [production, canary]\n  min_events: 3\n" +
				"  max_issues_per_comment: 25\n  comments: false\n  tickets: false\n" +
				"playbooks:\n  - name: Timeouts\n    match: {exception_type: TimeoutError, tags: [\"tenant_id:acme-*\"]}\n" +
				"    runbook: https://wiki.example.com/t\n    owner: \"#payments\"\n    ticket: false\n",
			want: func(s *Settings) {
				s.Enabled, s.Comments, s.Tickets = false, false, false
				s.Environments = []string{"production", "canary"}
				s.MinEvents, s.MaxIssuesPerComment = 3, 25
				s.Playbooks = []Playbook{{
					Name: "Timeouts", Match: PlaybookMatch{ExceptionType: "TimeoutError", Tags: []string{"tenant_id:acme-*"}},
					Runbook: "https://wiki.example.com/t", Owner: "#payments", Ticket: ptr(false),
				}}
			},
		},
		"false written where the default is true": {
			yaml: "triage: {comments: false}\n",
			want: func(s *Settings) { s.Comments = false },
		},
		"the bounds of max_issues_per_comment": {
			yaml: "triage: {max_issues_per_comment: 50, min_events: 1}\n",
			want: func(s *Settings) { s.MaxIssuesPerComment = 50 },
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := LoadSettings([]byte(tt.yaml), "r.yml")
			if err != nil {
				t.Fatal(err)
			}
			want := defaults
			if tt.want != nil {
				tt.want(&want)
			}
			if !reflect.DeepEqual(*got, want) {
				t.Errorf("got  %+v\nwant %+v", *got, want)
			}
		})
	}
}

// TestLoadSettingsProblems: every problem at once, each with the file, its line and the field's
// path; unknown keys with the key meant; zero values are errors, not the defaults.
func TestLoadSettingsProblems(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		yaml string
		want string
	}{
		"unknown key with a suggestion and its line": {
			yaml: "triage:\n  enabled: true\n  min_event: 3\n",
			want: "r.yml:3: triage.min_event: unknown key; did you mean min_events?",
		},
		"unknown top-level key": {
			yaml: "environments: {}\ntriaje:\n  enabled: false\n",
			want: "r.yml:2: triaje: unknown key; did you mean triage?",
		},
		"a key of triage under playbooks": {
			yaml: "playbooks:\n  - name: a\n    match: {level: warning}\n    tickets: false\n",
			want: "r.yml:4: playbooks[0].tickets: unknown key; did you mean ticket?",
		},
		"wrong types, all at once": {
			yaml: "triage:\n  enabled: maybe\n  environments: production\n  min_events: 1.5\n  comments: [yes]\n",
			want: "r.yml:2: triage.enabled: must be true or false, not \"maybe\"\n" +
				"r.yml:3: triage.environments: must be a list, e.g. [production]\n" +
				"r.yml:4: triage.min_events: must be a whole number, not \"1.5\"\n" +
				"r.yml:5: triage.comments: must be true or false, not a list",
		},
		"zero values are errors, not defaults": {
			yaml: "triage:\n  min_events: 0\n  max_issues_per_comment: 0\n  environments: []\nplaybooks: []\n",
			want: "r.yml:2: triage.min_events: must be at least 1, not 0: leave the key out for the default, 1\n" +
				"r.yml:3: triage.max_issues_per_comment: must be between 1 and 50, not 0: leave the key out for the default, 10; comments: false turns the comment off\n" +
				"r.yml:4: triage.environments: an empty list triages nothing: leave the key out for every environment, or write enabled: false\n" +
				"r.yml:5: playbooks: an empty list: leave the key out, or list a playbook with its name and match",
		},
		"a key without a value": {
			yaml: "triage:\n  tickets:\n",
			want: "r.yml:2: triage.tickets: has no value: give it one, or leave the key out",
		},
		"bad environment names": {
			yaml: "triage:\n  environments:\n    - production\n    - my env\n    - production\n",
			want: "r.yml:4: triage.environments[1]: \"my env\" is not a Sentry environment name: it must not contain spaces, '/' or line breaks\n" +
				"r.yml:5: triage.environments[2]: \"production\" is also environments[0]",
		},
		"a playbook's bad tag and glob at their lines": {
			yaml: "playbooks:\n  - name: ok\n    match: {title: \"*x*\"}\n  - name: bad\n    match:\n      culprit: \"app/[checkout\"\n" +
				"      tags:\n        - enterprise\n    runbook: wiki/page\n",
			want: "r.yml:6: playbooks[1].match.culprit: \"app/[checkout\" is not a valid glob (a '[' without ']', or a '\\' at the end?)\n" +
				"r.yml:8: playbooks[1].match.tags[0]: must be key:glob, e.g. tenant_id:enterprise-*, not \"enterprise\"\n" +
				"r.yml:9: playbooks[1].runbook: \"wiki/page\" is not an absolute http(s) URL",
		},
		"a playbook matching everything, and a name twice": {
			yaml: "playbooks:\n  - name: a\n    match: {level: info}\n  - name: a\n    runbook: https://x.example/\n",
			want: "r.yml:4: playbooks[1].name: \"a\" is also playbooks[0]'s name\n" +
				"r.yml:4: playbooks[1].match: set title, culprit, exception_type, level or tags: a playbook matching every issue hides the rest",
		},
		"a level Sentry never gives": {
			yaml: "playbooks:\n  - name: a\n    match:\n      level: critical\n",
			want: "r.yml:4: playbooks[0].match.level: \"critical\" is not a Sentry level: write fatal, error, warning, info, debug",
		},
		"an unquoted glob is a YAML alias": {
			yaml: "playbooks:\n  - name: a\n    match: {title: *Resize*}\n",
			want: "r.yml:3: invalid YAML: did not find expected alphabetic or numeric character: a value starting with * is an alias in YAML; quote globs, e.g. title: \"*ResizeObserver*\"",
		},
		"not a mapping": {
			yaml: "- triage\n",
			want: "r.yml:1: the file must be a mapping with keys such as release, environments, playbooks, triage, not a list",
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s, err := LoadSettings([]byte(tt.yaml), "r.yml")
			var pe *gate.PolicyError
			if s != nil || !errors.As(err, &pe) {
				t.Fatalf("got %+v, %v; want a *gate.PolicyError", s, err)
			}
			if err.Error() != tt.want {
				t.Errorf("got\n%s\nwant\n%s", err, tt.want)
			}
		})
	}
}

// TestReadSettings: from a work tree or a commit's tree; no file is the defaults.
func TestReadSettings(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{gate.PolicyPath: {Data: []byte("triage: {min_events: 2}\n")}}
	s, err := ReadSettings(fsys, gate.PolicyPath, "acme/web@abc:.github/releasegate.yml")
	if err != nil || s.MinEvents != 2 || s.File != "acme/web@abc:.github/releasegate.yml" {
		t.Errorf("ReadSettings = %+v, %v; want min_events 2 from the label", s, err)
	}
	s, err = ReadSettings(fstest.MapFS{}, gate.PolicyPath, "")
	if want := DefaultSettings(); err != nil || !reflect.DeepEqual(*s, want) {
		t.Errorf("no file: %+v, %v; want the defaults %+v", s, err, want)
	}
	_, err = ReadSettings(fstest.MapFS{gate.PolicyPath: {Data: []byte("triage: 1\n")}}, gate.PolicyPath, "")
	if err == nil || !strings.HasPrefix(err.Error(), gate.PolicyPath+":1: triage: must be a mapping") {
		t.Errorf("a bad file: %v; want the problem named by the path", err)
	}
}

// TestSettingsCovers: on/off, environments, minimum events, and the ticket.
func TestSettingsCovers(t *testing.T) {
	t.Parallel()
	prod := DefaultSettings()
	prod.Environments, prod.MinEvents = []string{"production"}, 5
	off := DefaultSettings()
	off.Enabled = false
	tests := map[string]struct {
		s      Settings
		env    string
		events int
		want   bool
	}{
		"defaults, first event":        {DefaultSettings(), "staging", 1, true},
		"off":                          {off, "production", 100, false},
		"other environment":            {prod, "staging", 100, false},
		"listed, enough events":        {prod, "production", 5, true},
		"listed, not enough events":    {prod, "production", 4, false},
		"environment names match case": {prod, "Production", 5, false},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := tt.s.Covers(tt.env, tt.events); got != tt.want {
				t.Errorf("Covers(%q, %d) = %v, want %v", tt.env, tt.events, got, tt.want)
			}
		})
	}
	noTickets := DefaultSettings()
	noTickets.Tickets = false
	for name, c := range map[string]struct {
		s    Settings
		p    *Playbook
		want bool
	}{
		"no playbook":                 {DefaultSettings(), nil, true},
		"playbook without ticket":     {DefaultSettings(), &Playbook{Ticket: ptr(false)}, false},
		"tickets off wins":            {noTickets, &Playbook{Ticket: ptr(true)}, false},
		"playbook saying nothing":     {DefaultSettings(), &Playbook{}, true},
		"tickets off and no playbook": {noTickets, nil, false},
	} {
		if got := c.s.OpensTicket(c.p); got != c.want {
			t.Errorf("%s: OpensTicket = %v, want %v", name, got, c.want)
		}
	}
}

// TestExampleFile: the repository's example serves both readers: the gate loads its policy, the
// bot its settings.
func TestExampleFile(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "releasegate.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gate.LoadPolicy(data, "testdata/releasegate.yml"); err != nil {
		t.Fatalf("the gate rejects the example: %v", err)
	}
	s, err := LoadSettings(data, "testdata/releasegate.yml")
	if err != nil {
		t.Fatalf("the bot rejects the example: %v", err)
	}
	if !reflect.DeepEqual(s.Environments, []string{"production"}) || s.MinEvents != 5 || len(s.Playbooks) != 2 || s.Playbooks[1].OpensTicket() {
		t.Errorf("the example's settings = %+v", s)
	}
}

// TestBotDocs: docs/bot.md names every key of the settings, and its example loads.
func TestBotDocs(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "bot.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, typ := range []reflect.Type{reflect.TypeFor[triageKeys](), reflect.TypeFor[Playbook](), reflect.TypeFor[PlaybookMatch]()} {
		for f := range typ.Fields() {
			key, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if key != "" && key != "-" && !bytes.Contains(doc, []byte("| `"+key+"` |")) {
				t.Errorf("docs/bot.md has no row for the key %s (%s.%s)", key, typ.Name(), f.Name)
			}
		}
	}
	_, after, _ := bytes.Cut(doc, []byte("\n## Example\n"))
	_, block, ok := bytes.Cut(after, []byte("\n```yaml\n"))
	block, _, ok2 := bytes.Cut(block, []byte("\n```\n"))
	if !ok || !ok2 {
		t.Fatal("docs/bot.md has no ```yaml block under ## Example")
	}
	s, err := LoadSettings(block, "docs/bot.md")
	if err != nil {
		t.Fatalf("the example in docs/bot.md does not load: %v", err)
	}
	if s.MinEvents != 5 || len(s.Playbooks) != 2 {
		t.Errorf("the example's settings = %+v", s)
	}
	example, err := os.ReadFile(filepath.Join("..", "..", "testdata", "releasegate.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(example, append(block, '\n')) {
		t.Error("testdata/releasegate.yml does not end with the example of docs/bot.md; keep the two the same")
	}
}

// FuzzLoadSettings: whatever the file, LoadSettings returns settings or a *gate.PolicyError
// whose problems have a file, a line and a message, and accepted settings are within bounds.
func FuzzLoadSettings(f *testing.F) {
	example, err := os.ReadFile(filepath.Join("..", "..", "testdata", "releasegate.yml"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(example)
	f.Add([]byte("triage: {enabled: false, min_events: 2}\nplaybooks:\n  - name: a\n    match: {tags: [\"k:v*\"]}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := LoadSettings(data, "fuzz.yml")
		if err != nil {
			var pe *gate.PolicyError
			if s != nil || !errors.As(err, &pe) || len(pe.Problems) == 0 {
				t.Fatalf("got %+v, %v: want nil and a *gate.PolicyError with problems", s, err)
			}
			for _, p := range pe.Problems {
				if p.File != "fuzz.yml" || p.Line < 1 || p.Msg == "" {
					t.Fatalf("problem without file, line or message: %+v", p)
				}
			}
			return
		}
		if s.MinEvents < 1 || s.MaxIssuesPerComment < 1 || s.MaxIssuesPerComment > maxIssuesPerComment {
			t.Fatalf("accepted out-of-range settings %+v", s)
		}
		if problems := CheckPlaybooks(s.Playbooks); len(problems) > 0 {
			t.Fatalf("accepted playbooks CheckPlaybooks rejects: %v", problems)
		}
	})
}
