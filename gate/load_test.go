package gate

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// TestLoadPolicyGoodFiles: the files under testdata/policy that are valid load, with what they
// say and the defaults for what they leave out.
func TestLoadPolicyGoodFiles(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		file  string
		check func(t *testing.T, p *Policy)
	}{
		"minimal file takes every default": {
			file: "minimal.yml",
			check: func(t *testing.T, p *Policy) {
				want := &Environment{
					Name: "production", Projects: []string{"web"},
					Soak: Duration(30 * time.Minute), Deadline: Duration(2 * time.Hour),
					Confidence: 0.95, Window: Duration(time.Hour), OnError: OutcomeFail, OnTimeout: OutcomeFail,
					NewIssues: &NewIssuesPolicy{Thresholds: Thresholds{EventsPerHour: 10}},
				}
				if got := p.Environments["production"]; !reflect.DeepEqual(got, want) {
					t.Errorf("production = %+v\nwant %+v", got, want)
				}
				if p.Release.Name != "{sha}" {
					t.Errorf("release.name = %q, want the default {sha}", p.Release.Name)
				}
			},
		},
		"merge keys share settings, keys beside << win": {
			file: "merge-keys.yml",
			check: func(t *testing.T, p *Policy) {
				prod, staging := p.Environments["production"], p.Environments["staging"]
				if prod.Evidence != "staging" || prod.Soak != Duration(45*time.Minute) || prod.Deadline != Duration(3*time.Hour) {
					t.Errorf("production = %+v: want its own evidence, soak and deadline", prod)
				}
				if !reflect.DeepEqual(prod.Projects, []string{"web", "api"}) || prod.NewIssues == nil || prod.NewIssues.EventsPerHour != 20 || prod.Regressions == nil {
					t.Errorf("production = %+v: want projects and checks merged from staging", prod)
				}
				if staging.Soak != Duration(15*time.Minute) || staging.Evidence != "" {
					t.Errorf("staging = %+v: the merge must not change it", staging)
				}
			},
		},
		"every key": {
			file: "every-key.yml",
			check: func(t *testing.T, p *Policy) {
				c := p.Environments["canary"]
				want := Environment{
					Name: "canary", Projects: []string{"checkout-api", "checkout_web"},
					Soak: Duration(10 * time.Minute), Deadline: Duration(40 * time.Minute), Confidence: 0.9,
					Window: Duration(30 * time.Minute), OnError: OutcomePass, OnTimeout: OutcomePass,
					NewIssues: &NewIssuesPolicy{
						Thresholds: Thresholds{EventsPerHour: 12.5, UsersPerHour: 3, SessionShare: 1, PassBelow: 50},
						Unhandled:  &Thresholds{EventsPerHour: 2, UsersPerHour: 1, SessionShare: 0.1},
						Ignore: []IgnoreRule{
							{Title: "*ResizeObserver loop*", Tag: "browser:Opera*", Level: "warning"},
							{Title: "Non-Error promise rejection captured with value: [a-z]*"},
						},
					},
					Regressions: &RegressionsPolicy{Thresholds: Thresholds{UsersPerHour: 2}},
					Health: &HealthPolicy{
						MinSessions:       500,
						CrashFreeSessions: &RateRule{Floor: 99.9, MaxDrop: 0.2},
						CrashFreeUsers:    &RateRule{MaxDrop: 1},
					},
					Context: &ContextPolicy{Required: []string{"request_id", "tenant_id", "user.id", "trace.trace_id"}, MinShare: 99, Action: "fail"},
				}
				if !reflect.DeepEqual(*c, want) {
					t.Errorf("canary = %+v\nwant %+v", *c, want)
				}
				prod := p.Environments["production"]
				if prod.Context.MinShare != 95 || prod.Context.Action != "warn" {
					t.Errorf("production context = %+v, want the defaults min_share 95, action warn", *prod.Context)
				}
				if p.Release.Name != "{project}-{ref_name}+{short_sha}" {
					t.Errorf("release.name = %q", p.Release.Name)
				}
			},
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			file := filepath.Join("testdata", "policy", tt.file)
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			p, err := LoadPolicy(data, file)
			if err != nil {
				t.Fatalf("LoadPolicy: %v", err)
			}
			if problems := p.Validate(); len(problems) > 0 {
				t.Errorf("Validate after loading: %v", problems)
			}
			tt.check(t, p)
		})
	}
}

// TestLoadPolicyManyProblems: one file with a problem of nearly every kind reports them all,
// in the order of the file, each with its line and field.
func TestLoadPolicyManyProblems(t *testing.T) {
	t.Parallel()
	const file = "testdata/policy/many-problems.yml"
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	_, err = LoadPolicy(data, file)
	want := `testdata/policy/many-problems.yml:3: release.name: has an unknown placeholder {branch}: use {sha}, {short_sha}, {ref_name} or {project}
testdata/policy/many-problems.yml:6: environments.production.projects[0]: "Web" is not a Sentry project slug: slugs are lower-case letters, digits, '-' and '_'
testdata/policy/many-problems.yml:6: environments.production.projects[2]: lists "api" twice
testdata/policy/many-problems.yml:7: environments.production.evidence: no environment "stagin" in this policy; did you mean staging?
testdata/policy/many-problems.yml:8: environments.production.soak: needs a unit: write 30m, not 30
testdata/policy/many-problems.yml:9: environments.production.deadline: "1d" is not a duration (there is no d unit): write 24h
testdata/policy/many-problems.yml:10: environments.production.confidence: must be between 0.5 and 1 (both excluded), a fraction: write 0.95, not 95
testdata/policy/many-problems.yml:11: environments.production.on_error: must be pass or fail, not "Fail"
testdata/policy/many-problems.yml:13: environments.production.new_issues.event_per_hour: unknown key; did you mean events_per_hour?
testdata/policy/many-problems.yml:14: environments.production.new_issues.users_per_hour: must be > 0
testdata/policy/many-problems.yml:15: environments.production.new_issues.session_share: must be a percentage: more than 0, at most 100
testdata/policy/many-problems.yml:17: environments.production.new_issues.ignore[0].title: "[Resize" is not a valid glob (a '[' without ']', or a '\' at the end?)
testdata/policy/many-problems.yml:18: environments.production.new_issues.ignore[1].tag: must be key:glob, e.g. browser:Opera*, not "browser"
testdata/policy/many-problems.yml:19: environments.production.new_issues.ignore[2]: set title, tag or level: a rule with none would ignore every issue
testdata/policy/many-problems.yml:21: environments.production.health.min_sessions: must be a whole number, not "lots"
testdata/policy/many-problems.yml:22: environments.production.health.crash_free_users: set floor, max_drop or both
testdata/policy/many-problems.yml:24: environments.production.context.required[1]: lists "request_id" twice
testdata/policy/many-problems.yml:25: environments.production.context.action: must be warn or fail, not "block"
testdata/policy/many-problems.yml:28: environments.staging.threshold: unknown key; the keys here are projects, evidence, soak, deadline, confidence, window, on_error, on_timeout, new_issues, regressions, health, context`
	if err == nil || err.Error() != want {
		t.Errorf("LoadPolicy error:\n%v\nwant:\n%s", err, want)
	}
	var pe *PolicyError
	if !errors.As(err, &pe) || len(pe.Problems) != strings.Count(want, "\n")+1 {
		t.Fatalf("error %T is not a *PolicyError with one problem a line", err)
	}
	if p := pe.Problems[3]; p.File != file || p.Line != 7 || p.Field != "environments.production.evidence" {
		t.Errorf("problem = %+v: want file, line 7 and the field apart", p)
	}
}

// TestLoadPolicyProblems: each kind of problem, alone, with the exact message.
func TestLoadPolicyProblems(t *testing.T) {
	t.Parallel()
	// A valid environment to add beside the one with a problem.
	tests := []struct {
		name, yaml, want string
	}{
		// The file as a whole.
		{"empty file", "", "p.yml:1: the policy is empty: write an environments: mapping with at least one environment, its projects and a check (docs/gate-policy.md has an example)"},
		{"only comments", "# nothing yet\n", "p.yml:1: the policy is empty: write an environments: mapping with at least one environment, its projects and a check (docs/gate-policy.md has an example)"},
		{"no environments", "environments: {}\n", "p.yml:1: environments: list at least one environment with its projects and a check, e.g. production: {projects: [web], new_issues: {events_per_hour: 10}}"},
		{"release only", "release: {name: \"{sha}\"}\n", "p.yml:1: environments: list at least one environment with its projects and a check, e.g. production: {projects: [web], new_issues: {events_per_hour: 10}}"},
		{"a list, not a mapping", "- production\n", "p.yml:1: the policy must be a mapping with the keys environments (and release), not a list"},
		{"two documents", "environments: {p: {projects: [web], regressions: {}}}\n---\nenvironments: {}\n", "p.yml:2: a second YAML document: a policy file holds one; remove this --- and what follows, or merge the two"},
		{"syntax error", "environments:\n  p: {projects: [web]\n", "p.yml:2: invalid YAML: did not find expected ',' or '}'"},
		{"parser error in a block", "environments:\n  p:\n    projects: [web]\n   regressions: {}\n", "p.yml:2: invalid YAML: did not find expected key"},
		{"scanner error on line 1", "environments: p: {}\n", "p.yml:1: invalid YAML: mapping values are not allowed in this context"},
		{"tab indentation", "environments:\n  p:\n\tprojects: [web]\n", "p.yml:3: invalid YAML: found character that cannot start any token: YAML indents with spaces, not tabs"},
		{"unquoted glob", "environments:\n  p:\n    projects: [web]\n    new_issues:\n      events_per_hour: 1\n      ignore:\n        - title: *Resize*\n",
			`p.yml:7: invalid YAML: did not find expected alphabetic or numeric character: a value starting with * is an alias in YAML; quote globs, e.g. title: "*ResizeObserver*"`},
		{"unknown anchor", "environments:\n  p:\n    projects: [web]\n    new_issues:\n      events_per_hour: 1\n      ignore:\n        - title: *Resize\n",
			`p.yml:7: invalid YAML: unknown anchor 'Resize' referenced: a value starting with * is an alias in YAML; quote globs, e.g. title: "*ResizeObserver*"`},
		{"anchor inside itself", "environments:\n  p: &x {projects: [web], regressions: {}, <<: *x}\n", "p.yml:2: invalid YAML: anchor 'x' value contains itself"},

		// Keys.
		{"unknown key with a suggestion", "environments:\n  p:\n    projects: [web]\n    new_issues:\n      event_per_hour: 10\n",
			"p.yml:5: environments.p.new_issues.event_per_hour: unknown key; did you mean events_per_hour?"},
		{"unknown top-level key", "environment:\n  p: {projects: [web], regressions: {}}\n", "p.yml:1: environment: unknown key; did you mean environments?"},
		{"key in another case or with a dash", "environments:\n  p: {projects: [web], regressions: {}, Soak: 1m, on-error: pass}\n",
			"p.yml:2: environments.p.Soak: unknown key; did you mean soak?\np.yml:2: environments.p.on-error: unknown key; did you mean on_error?"},
		{"key one level too high", "environments:\n  p:\n    projects: [web]\n    events_per_hour: 3\n    regressions: {}\n",
			"p.yml:4: environments.p.events_per_hour: unknown key here; events_per_hour belongs under new_issues or regressions"},
		{"unknown key without a close one", "environments:\n  p:\n    projects: [web]\n    regressions: {}\n    owner: alice\n",
			"p.yml:5: environments.p.owner: unknown key; the keys here are projects, evidence, soak, deadline, confidence, window, on_error, on_timeout, new_issues, regressions, health, context"},
		{"environment keys without an environment", "environments:\n  projects: [web]\n",
			"p.yml:2: environments.projects: projects is a key of an environment, not an environment's name: put it under one, e.g. environments: {production: {projects: …}}"},
		{"duplicate key", "environments:\n  p:\n    projects: [web]\n    projects: [api]\n    regressions: {}\n", "p.yml:4: environments.p.projects: appears twice (first at line 3)"},
		{"key without a value", "environments:\n  p:\n    projects: [web]\n    new_issues:\n", "p.yml:4: environments.p.new_issues: has no value: give it one, or leave the key out"},
		{"regressions without a value", "environments:\n  p:\n    projects: [web]\n    regressions:\n", "p.yml:4: environments.p.regressions: has no value: write regressions: {} to fail on any regression, or leave the key out"},
		{"environment without a value", "environments:\n  p:\n  q: {projects: [web], regressions: {}}\n", "p.yml:2: environments.p: has no value: give it one, or leave the key out"},
		{"merge of a non-mapping", "environments:\n  s: &x {projects: [web], regressions: {}}\n  p: {<<: [*x, 3], evidence: s}\n",
			"p.yml:3: environments.p: << merges mappings: write <<: *name, or <<: [*a, *b], where &name marks a mapping"},
		{"problem in a merged mapping, reported where merged too", "environments:\n  s: &x {projects: [web], regressions: {}, soak: 1}\n  p: {<<: *x, evidence: s}\n",
			"p.yml:2: environments.s.soak: needs a unit: write 1m, not 1\np.yml:2: environments.p.soak: needs a unit: write 1m, not 1"},

		// Types.
		{"text for a number", "environments:\n  p:\n    projects: [web]\n    new_issues: {events_per_hour: lots}\n", `p.yml:4: environments.p.new_issues.events_per_hour: must be a number, not "lots"`},
		{"quoted number", "environments:\n  p:\n    projects: [web]\n    new_issues: {events_per_hour: \"10\"}\n", `p.yml:4: environments.p.new_issues.events_per_hour: must be a number, not the quoted text "10"`},
		{"fraction for a whole number", "environments:\n  p:\n    projects: [web]\n    health: {min_sessions: 1.5, crash_free_users: {floor: 99}}\n", `p.yml:4: environments.p.health.min_sessions: must be a whole number, not "1.5"`},
		{"one project, not a list", "environments:\n  p:\n    projects: web\n    regressions: {}\n", "p.yml:3: environments.p.projects: must be a list, e.g. [web]"},
		{"one glob, not a list of rules", "environments:\n  p:\n    projects: [web]\n    new_issues: {ignore: \"*ResizeObserver*\"}\n",
			"p.yml:4: environments.p.new_issues.ignore: must be a list of mappings with the keys title, tag, level, e.g. [{title: '*ResizeObserver*'}]"},
		{"one required key, not a list", "environments:\n  p:\n    projects: [web]\n    regressions: {}\n    context: {required: \"*id\"}\n",
			"p.yml:5: environments.p.context.required: must be a list, e.g. ['*id']"},
		{"list for a check", "environments:\n  p:\n    projects: [web]\n    new_issues: [1]\n",
			"p.yml:4: environments.p.new_issues: must be a mapping (key: value) with keys such as events_per_hour, users_per_hour, session_share, pass_below, unhandled, ignore, not a list"},
		{"mapping for text", "environments:\n  p:\n    projects: [web]\n    regressions: {}\n    evidence: {name: s}\n", "p.yml:5: environments.p.evidence: must be text, not a mapping"},
		{"environments as a list", "environments:\n  - production\n",
			"p.yml:2: environments: must be a mapping of environment names to their policy, e.g. production: {projects: [web], new_issues: {events_per_hour: 10}}, not a list"},

		// Durations.
		{"duration without a unit", "environments:\n  p:\n    projects: [web]\n    regressions: {}\n    soak: 30\n", "p.yml:5: environments.p.soak: needs a unit: write 30m, not 30"},
		{"duration in days", "environments:\n  p:\n    projects: [web]\n    regressions: {}\n    deadline: 2d\n", `p.yml:5: environments.p.deadline: "2d" is not a duration (there is no d unit): write 48h`},
		{"negative duration", "environments:\n  p:\n    projects: [web]\n    regressions: {}\n    window: -5m\n", "p.yml:5: environments.p.window: must not be negative: -5m"},
		{"not a duration", "environments:\n  p:\n    projects: [web]\n    regressions: {}\n    soak: half an hour\n", `p.yml:5: environments.p.soak: "half an hour" is not a duration: write it like 30m, 2h or 1h30m`},
		{"zero duration", "environments:\n  p:\n    projects: [web]\n    regressions: {}\n    soak: 0s\n", "p.yml:5: environments.p.soak: must be > 0 (leave it out for the default, 30m)"},
		{"list for a duration", "environments:\n  p:\n    projects: [web]\n    regressions: {}\n    soak: [1m]\n", "p.yml:5: environments.p.soak: must be a duration such as 30m, not a list"},
		{"soak longer than the deadline", "environments:\n  p:\n    projects: [web]\n    regressions: {}\n    soak: 3h\n",
			"p.yml:5: environments.p.soak: 3h is longer than the deadline (2h): the gate would time out before a check could pass"},

		// Values.
		{"negative threshold", "environments:\n  p:\n    projects: [web]\n    new_issues:\n      events_per_hour: -1\n", "p.yml:5: environments.p.new_issues.events_per_hour: must be > 0"},
		{"zero threshold", "environments:\n  p:\n    projects: [web]\n    new_issues:\n      events_per_hour: 0\n", "p.yml:5: environments.p.new_issues.events_per_hour: must be > 0"},
		{"NaN threshold", "environments:\n  p:\n    projects: [web]\n    regressions: {users_per_hour: .nan}\n", "p.yml:4: environments.p.regressions.users_per_hour: must be a number"},
		{"infinite threshold", "environments:\n  p:\n    projects: [web]\n    regressions: {users_per_hour: .inf}\n", "p.yml:4: environments.p.regressions.users_per_hour: must be a finite number"},
		{"percentage above 100", "environments:\n  p:\n    projects: [web]\n    new_issues: {session_share: 150}\n", "p.yml:4: environments.p.new_issues.session_share: must be a percentage: more than 0, at most 100"},
		{"pass_below at 100", "environments:\n  p:\n    projects: [web]\n    new_issues: {events_per_hour: 30, pass_below: 100}\n",
			"p.yml:4: environments.p.new_issues.pass_below: must be a percentage of the thresholds: more than 0, less than 100 (leave it out for no indifference zone)"},
		{"pass_below written as zero", "environments:\n  p:\n    projects: [web]\n    new_issues: {events_per_hour: 30, pass_below: 0}\n",
			"p.yml:4: environments.p.new_issues.pass_below: must be a percentage of the thresholds: more than 0, less than 100 (leave it out for no indifference zone)"},
		{"pass_below without a rate", "environments:\n  p:\n    projects: [web]\n    regressions: {session_share: 1, pass_below: 50}\n",
			"p.yml:4: environments.p.regressions.pass_below: applies to events_per_hour and users_per_hour: set one of them with it"},
		{"new issues without thresholds", "environments:\n  p:\n    projects: [web]\n    new_issues: {}\n", "p.yml:4: environments.p.new_issues: set events_per_hour, users_per_hour or session_share (or unhandled: with them)"},
		{"unhandled without thresholds", "environments:\n  p:\n    projects: [web]\n    new_issues: {events_per_hour: 1, unhandled: {}}\n", "p.yml:4: environments.p.new_issues.unhandled: set events_per_hour, users_per_hour or session_share"},
		{"confidence out of range", "environments:\n  p:\n    projects: [web]\n    regressions: {}\n    confidence: 0.5\n", "p.yml:5: environments.p.confidence: must be between 0.5 and 1 (both excluded), e.g. 0.95"},
		{"confidence in percent", "environments:\n  p:\n    projects: [web]\n    regressions: {}\n    confidence: 99\n", "p.yml:5: environments.p.confidence: must be between 0.5 and 1 (both excluded), a fraction: write 0.99, not 99"},
		{"on_error neither pass nor fail", "environments:\n  p:\n    projects: [web]\n    regressions: {}\n    on_error: skip\n", `p.yml:5: environments.p.on_error: must be pass or fail, not "skip"`},
		{"empty on_timeout", "environments:\n  p:\n    projects: [web]\n    regressions: {}\n    on_timeout: \"\"\n", `p.yml:5: environments.p.on_timeout: must be pass or fail, not ""`},
		{"no check", "environments:\n  p:\n    projects: [web]\n", "p.yml:2: environments.p: configure at least one check: new_issues, regressions, health or context"},
		{"no projects", "environments:\n  p:\n    regressions: {}\n", "p.yml:2: environments.p.projects: list the Sentry projects whose evidence counts, e.g. [web]"},
		{"bad project slugs", "environments:\n  p:\n    projects: [Web, \"\", api, api]\n    regressions: {}\n",
			"p.yml:3: environments.p.projects[0]: \"Web\" is not a Sentry project slug: slugs are lower-case letters, digits, '-' and '_'\np.yml:3: environments.p.projects[1]: must not be empty\np.yml:3: environments.p.projects[3]: lists \"api\" twice"},
		{"bad environment names", "environments:\n  a/b: {projects: [web], regressions: {}}\n  None: {projects: [web], regressions: {}}\n",
			"p.yml:2: environments.a/b: \"a/b\" is not a Sentry environment name: it must not contain spaces, '/' or line breaks\np.yml:3: environments.None: None is not allowed as an environment name by Sentry"},
		{"evidence names a missing environment", "environments:\n  production:\n    projects: [web]\n    evidence: stagin\n    regressions: {}\n  staging: {projects: [web], regressions: {}}\n",
			`p.yml:4: environments.production.evidence: no environment "stagin" in this policy; did you mean staging?`},
		{"evidence names an unrelated environment", "environments:\n  production:\n    projects: [web]\n    evidence: qa\n    regressions: {}\n  staging: {projects: [web], regressions: {}}\n",
			`p.yml:4: environments.production.evidence: no environment "qa" in this policy; it has production, staging`},
		{"evidence names itself", "environments:\n  production:\n    projects: [web]\n    evidence: production\n    regressions: {}\n",
			"p.yml:4: environments.production.evidence: names production itself; leave evidence out to judge it by its own evidence"},
		{"evidence cycle", "environments:\n  a: {projects: [w], evidence: b, regressions: {}}\n  b: {projects: [w], evidence: c, regressions: {}}\n  c: {projects: [w], evidence: a, regressions: {}}\n",
			"p.yml:2: environments.a.evidence: evidence goes round in a cycle (a → b → c → a): one of them must be judged by its own evidence"},
		{"ignore rules", "environments:\n  p:\n    projects: [web]\n    new_issues:\n      events_per_hour: 1\n      ignore:\n        - {}\n        - tag: nokey\n        - {level: warn, title: \"[a\"}\n        - title: \"\"\n        - tag: \"browser:[\"\n",
			"p.yml:7: environments.p.new_issues.ignore[0]: set title, tag or level: a rule with none would ignore every issue\n" +
				"p.yml:8: environments.p.new_issues.ignore[1].tag: must be key:glob, e.g. browser:Opera*, not \"nokey\"\n" +
				"p.yml:9: environments.p.new_issues.ignore[2].title: \"[a\" is not a valid glob (a '[' without ']', or a '\\' at the end?)\n" +
				"p.yml:9: environments.p.new_issues.ignore[2].level: must be one of fatal, error, warning, info, debug, not \"warn\"\n" +
				"p.yml:10: environments.p.new_issues.ignore[3].title: must not be empty\n" +
				"p.yml:11: environments.p.new_issues.ignore[4].tag: \"[\" is not a valid glob (a '[' without ']', or a '\\' at the end?)"},
		{"health", "environments:\n  p:\n    projects: [web]\n    health:\n      min_sessions: 0\n      crash_free_sessions: {floor: 100.5, max_drop: -1}\n      crash_free_users: {}\n",
			"p.yml:5: environments.p.health.min_sessions: must be > 0 (leave it out for the default, 50)\n" +
				"p.yml:6: environments.p.health.crash_free_sessions.floor: must be a percentage: more than 0, at most 100\n" +
				"p.yml:6: environments.p.health.crash_free_sessions.max_drop: must be a percentage: more than 0, at most 100\n" +
				"p.yml:7: environments.p.health.crash_free_users: set floor, max_drop or both"},
		{"health without a rate", "environments:\n  p:\n    projects: [web]\n    health: {min_sessions: 10}\n", "p.yml:4: environments.p.health: set crash_free_sessions or crash_free_users, each with a floor or a max_drop"},
		{"context", "environments:\n  p:\n    projects: [web]\n    context:\n      required: [a, a, \"b c\"]\n      min_share: 0\n      action: block\n",
			"p.yml:5: environments.p.context.required[1]: lists \"a\" twice\n" +
				"p.yml:5: environments.p.context.required[2]: \"b c\" must not contain spaces or control characters\n" +
				"p.yml:6: environments.p.context.min_share: must be a percentage: more than 0, at most 100\n" +
				"p.yml:7: environments.p.context.action: must be warn or fail, not \"block\""},
		{"context without keys", "environments:\n  p:\n    projects: [web]\n    context: {required: []}\n", "p.yml:4: environments.p.context.required: list the keys each error event must carry, e.g. [request_id, user.id]"},

		// Release names.
		{"unknown placeholder", "release:\n  name: \"{branch}-{sha}\"\nenvironments: {p: {projects: [web], regressions: {}}}\n", "p.yml:2: release.name: has an unknown placeholder {branch}: use {sha}, {short_sha}, {ref_name} or {project}"},
		{"unclosed placeholder", "release: {name: \"{sha\"}\nenvironments: {p: {projects: [web], regressions: {}}}\n", `p.yml:1: release.name: has a "{" without "}"`},
		{"stray brace", "release: {name: \"v}{sha}\"}\nenvironments: {p: {projects: [web], regressions: {}}}\n", `p.yml:1: release.name: has a "}" without "{"`},
		{"the same name for every commit", "release: {name: \"{project}\"}\nenvironments: {p: {projects: [web], regressions: {}}}\n", "p.yml:1: release.name: uses none of {sha}, {short_sha} and {ref_name}: every commit would have the same release name"},
		{"slash in the name", "release: {name: \"web/{sha}\"}\nenvironments: {p: {projects: [web], regressions: {}}}\n",
			`p.yml:1: release.name: makes release names like "web/0123456789012345678901234567890123456789", which Sentry rejects: it contains '/', '\' or a control character`},
		{"empty name", "release: {name: \"\"}\nenvironments: {p: {projects: [web], regressions: {}}}\n", "p.yml:1: release.name: must not be empty (leave it out for the default, {sha})"},
		{"release as text", "release: web\nenvironments: {p: {projects: [web], regressions: {}}}\n", `p.yml:1: release: must be a mapping (key: value) with keys such as name, not "web"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := LoadPolicy([]byte(tt.yaml), "p.yml")
			if err == nil {
				t.Fatalf("LoadPolicy accepted it: %+v", p)
			}
			if err.Error() != tt.want {
				t.Errorf("LoadPolicy:\n%v\nwant:\n%s", err, tt.want)
			}
			if p != nil {
				t.Errorf("LoadPolicy returned a policy with its error")
			}
		})
	}
}

// TestExamplePolicyLoads: the example in testdata/ (and docs/gate-policy.md) is valid and says
// what its comments say.
func TestExamplePolicyLoads(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join("..", "testdata", "releasegate.yml"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := LoadPolicy(data, "testdata/releasegate.yml")
	if err != nil {
		t.Fatalf("LoadPolicy: %v", err)
	}
	prod, err := p.Environment("production")
	if err != nil {
		t.Fatal(err)
	}
	if prod.Evidence != "staging" {
		t.Errorf("production evidence = %q, want staging", prod.Evidence)
	}
	if prod.NewIssues == nil || prod.NewIssues.Unhandled == nil || len(prod.NewIssues.Ignore) == 0 ||
		prod.Regressions == nil || prod.Health == nil || prod.Health.CrashFreeSessions == nil || prod.Health.CrashFreeSessions.MaxDrop == 0 ||
		prod.Context == nil || len(prod.Context.Required) == 0 {
		t.Errorf("production = %+v: want new issues with unhandled thresholds and ignore rules, regressions, health with a floor and max_drop, and context", prod)
	}
	if _, err := p.Environment("staging"); err != nil {
		t.Error(err)
	}
	name, err := p.ReleaseName("3b18e512dba79e4c8300dd08aeb37f8e728b8dad", "main", "web")
	if err != nil || name != "web@3b18e512dba7" {
		t.Errorf("ReleaseName = %q, %v", name, err)
	}
}

// TestGatePolicyDocExample: docs/gate-policy.md shows testdata/releasegate.yml byte for byte, so
// the documented example is one the loader accepts.
func TestGatePolicyDocExample(t *testing.T) {
	t.Parallel()
	example, err := os.ReadFile(filepath.Join("..", "testdata", "releasegate.yml"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile(filepath.Join("..", "docs", "gate-policy.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := bytes.Cut(doc, []byte("\n## Example\n"))
	if !ok {
		t.Fatal(`docs/gate-policy.md has no "## Example" section`)
	}
	_, block, ok := bytes.Cut(after, []byte("\n```yaml\n"))
	if !ok {
		t.Fatal("docs/gate-policy.md: the Example section has no ```yaml block")
	}
	block, _, ok = bytes.Cut(block, []byte("\n```\n"))
	if !ok {
		t.Fatal("docs/gate-policy.md: the example's ```yaml block is not closed")
	}
	if got := append(block, '\n'); !bytes.Equal(got, example) {
		t.Errorf("the example in docs/gate-policy.md differs from testdata/releasegate.yml; copy the file into the doc.\ndoc:\n%s\nfile:\n%s", got, example)
	}
}

// TestGatePolicyDocKeys: docs/gate-policy.md describes every key of the policy file.
func TestGatePolicyDocKeys(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile(filepath.Join("..", "docs", "gate-policy.md"))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[reflect.Type]bool{}
	var keys func(t reflect.Type) []string
	keys = func(t reflect.Type) []string {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || t == durationType || seen[t] {
			return nil
		}
		seen[t] = true
		out := policyKeys(t)
		for _, k := range policyKeys(t) {
			f, _ := policyField(t, k)
			out = append(out, keys(f.Type)...)
		}
		return out
	}
	for _, k := range keys(reflect.TypeFor[Policy]()) {
		if !bytes.Contains(doc, []byte("`"+k+"`")) && !bytes.Contains(doc, []byte("."+k+"`")) {
			t.Errorf("docs/gate-policy.md does not describe the key %s", k)
		}
	}
}

// TestDurationUnmarshalYAML: Go durations are read; bare numbers, negatives and days are
// errors that say what to write.
func TestDurationUnmarshalYAML(t *testing.T) {
	t.Parallel()
	tests := []struct {
		yaml    string
		want    time.Duration
		wantErr string
	}{
		{"30m", 30 * time.Minute, ""},
		{"2h", 2 * time.Hour, ""},
		{"1h30m", 90 * time.Minute, ""},
		{"'45s'", 45 * time.Second, ""},
		{"0s", 0, ""},
		{"30", 0, "yaml: unmarshal errors:\n  line 1: needs a unit: write 30m, not 30"},
		{"1.5", 0, "yaml: unmarshal errors:\n  line 1: needs a unit: write 1.5m, not 1.5"},
		{"-30m", 0, "yaml: unmarshal errors:\n  line 1: must not be negative: -30m"},
		{"-5", 0, "yaml: unmarshal errors:\n  line 1: must not be negative: -5"},
		{"7d", 0, "yaml: unmarshal errors:\n  line 1: \"7d\" is not a duration (there is no d unit): write 168h"},
		{"soon", 0, "yaml: unmarshal errors:\n  line 1: \"soon\" is not a duration: write it like 30m, 2h or 1h30m"},
		{"[1m]", 0, "yaml: unmarshal errors:\n  line 1: must be a duration such as 30m, not a list"},
	}
	for _, tt := range tests {
		t.Run(tt.yaml, func(t *testing.T) {
			t.Parallel()
			var d Duration
			err := yaml.Unmarshal([]byte(tt.yaml), &d)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("error %v", err)
			case tt.wantErr != "" && (err == nil || err.Error() != tt.wantErr):
				t.Fatalf("error %v, want %q", err, tt.wantErr)
			}
			if time.Duration(d) != tt.want {
				t.Errorf("= %v, want %v", time.Duration(d), tt.want)
			}
		})
	}
}

// TestPolicyValidate: on a policy built in code, zero fields mean their defaults; anything else
// out of range is named by its field path, with no file or line.
func TestPolicyValidate(t *testing.T) {
	t.Parallel()
	ok := func() *Policy {
		return &Policy{Environments: map[string]*Environment{
			"staging":    {Projects: []string{"web"}, NewIssues: &NewIssuesPolicy{Thresholds: Thresholds{EventsPerHour: 10}}},
			"production": {Projects: []string{"web"}, Evidence: "staging", Regressions: &RegressionsPolicy{}},
		}}
	}
	tests := map[string]struct {
		edit func(p *Policy)
		want []PolicyProblem
	}{
		"zero fields take the defaults": {edit: func(*Policy) {}},
		"negative threshold": {
			edit: func(p *Policy) { p.Environments["production"].Regressions.EventsPerHour = -1 },
			want: []PolicyProblem{{Field: "environments.production.regressions.events_per_hour", Msg: "must be > 0"}},
		},
		"negative soak": {
			edit: func(p *Policy) { p.Environments["staging"].Soak = Duration(-time.Minute) },
			want: []PolicyProblem{{Field: "environments.staging.soak", Msg: "must be > 0 (leave it out for the default, 30m)"}},
		},
		"soak against the default deadline": {
			edit: func(p *Policy) { p.Environments["staging"].Soak = Duration(150 * time.Minute) },
			want: []PolicyProblem{{Field: "environments.staging.soak", Msg: "2h30m is longer than the deadline (2h): the gate would time out before a check could pass"}},
		},
		"nil environment": {
			edit: func(p *Policy) { p.Environments["qa"] = nil },
			want: []PolicyProblem{{Field: "environments.qa", Msg: "has no policy: give it projects and at least one check"}},
		},
		"two-environment cycle": {
			edit: func(p *Policy) { p.Environments["staging"].Evidence = "production" },
			want: []PolicyProblem{{Field: "environments.production.evidence", Msg: "evidence goes round in a cycle (production → staging → production): one of them must be judged by its own evidence"}},
		},
		"evidence chain without a cycle": {
			edit: func(p *Policy) {
				p.Environments["dev"] = &Environment{Projects: []string{"web"}, Regressions: &RegressionsPolicy{}}
				p.Environments["staging"].Evidence = "dev"
			},
		},
		"bad release template": {
			edit: func(p *Policy) { p.Release.Name = "{sha}\t" },
			want: []PolicyProblem{{Field: "release.name", Msg: `makes release names like "0123456789012345678901234567890123456789\t", which Sentry rejects: it has leading or trailing spaces`}},
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p := ok()
			tt.edit(p)
			if got := p.Validate(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Validate() = %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// TestPolicyEnvironment: an environment comes back with its name and defaults, as a copy; an
// unknown one is an error naming those there are.
func TestPolicyEnvironment(t *testing.T) {
	t.Parallel()
	p := &Policy{Environments: map[string]*Environment{
		"staging":    {Projects: []string{"web"}, Health: &HealthPolicy{CrashFreeUsers: &RateRule{Floor: 99}}},
		"production": {Projects: []string{"web"}, Evidence: "staging", Context: &ContextPolicy{Required: []string{"request_id"}}, OnError: OutcomePass},
	}}
	e, err := p.Environment("production")
	if err != nil {
		t.Fatal(err)
	}
	want := Environment{
		Name: "production", Projects: []string{"web"}, Evidence: "staging",
		Soak: Duration(30 * time.Minute), Deadline: Duration(2 * time.Hour), Confidence: 0.95, Window: Duration(time.Hour),
		OnError: OutcomePass, OnTimeout: OutcomeFail,
		Context: &ContextPolicy{Required: []string{"request_id"}, MinShare: 95, Action: "warn"},
	}
	if !reflect.DeepEqual(*e, want) {
		t.Errorf("Environment = %+v\nwant %+v", *e, want)
	}
	s, err := p.Environment("staging")
	if err != nil || s.Health.MinSessions != 50 {
		t.Errorf("staging = %+v, %v: want min_sessions 50", s, err)
	}
	if p.Environments["production"].Name != "" || p.Environments["production"].Context.MinShare != 0 || p.Environments["staging"].Health.MinSessions != 0 {
		t.Errorf("Environment changed the policy itself")
	}

	tests := map[string]string{
		"prod":       `the policy has no environment "prod"; it configures production, staging`,
		"productoin": `the policy has no environment "productoin" (did you mean "production"?); it configures production, staging`,
		"":           `the policy has no environment ""; it configures production, staging`,
	}
	for name, want := range tests {
		if _, err := p.Environment(name); err == nil || err.Error() != want {
			t.Errorf("Environment(%q) error = %v, want %q", name, err, want)
		}
	}
	if _, err := (&Policy{}).Environment("production"); err == nil || err.Error() != `the policy has no environment "production": it configures no environments` {
		t.Errorf("Environment on an empty policy: %v", err)
	}
}

// TestPolicyReleaseName: the template's placeholders, its default, and names Sentry would refuse.
func TestPolicyReleaseName(t *testing.T) {
	t.Parallel()
	const sha = "3b18e512dba79e4c8300dd08aeb37f8e728b8dad"
	tests := []struct {
		name, tmpl, sha, ref, project string
		want, wantErr                 string
	}{
		{name: "default is the full SHA", sha: sha, want: sha},
		{name: "every placeholder", tmpl: "{project}@{ref_name}+{short_sha}", sha: sha, ref: "v1.2.3", project: "web", want: "web@v1.2.3+3b18e512dba7"},
		{name: "short SHA of a short SHA", tmpl: "{short_sha}", sha: "3b18e51", want: "3b18e51"},
		{name: "not a SHA", tmpl: "{sha}", sha: "HEAD", wantErr: `release.name "{sha}" needs the commit SHA, and "HEAD" is not one (7 to 64 hex digits)`},
		{name: "no SHA", sha: "", wantErr: `release.name "{sha}" needs the commit SHA, and "" is not one (7 to 64 hex digits)`},
		{name: "no ref name", tmpl: "{ref_name}-{short_sha}", sha: sha, wantErr: `release.name "{ref_name}-{short_sha}" uses {ref_name}, but no branch or tag name was given (GITHUB_REF_NAME in GitHub Actions)`},
		{name: "no project", tmpl: "{project}@{sha}", sha: sha, wantErr: `release.name "{project}@{sha}" uses {project}, but no Sentry project was given`},
		{name: "branch with a slash", tmpl: "{ref_name}", sha: sha, ref: "feature/login",
			wantErr: `release.name "{ref_name}" makes "feature/login", which Sentry does not accept as a release name: it contains '/', '\' or a control character`},
		{name: "latest", tmpl: "{ref_name}", ref: "latest", wantErr: `release.name "{ref_name}" makes "latest", which Sentry does not accept as a release name: "latest" is reserved`},
		{name: "dot", tmpl: "{ref_name}", ref: ".", wantErr: `release.name "{ref_name}" makes ".", which Sentry does not accept as a release name: it is . or ..`},
		{name: "too long", tmpl: "{ref_name}", ref: strings.Repeat("x", 201), wantErr: `release.name "{ref_name}" makes "` + strings.Repeat("x", 201) + `", which Sentry does not accept as a release name: it is longer than 200 characters`},
		{name: "bad template", tmpl: "{version}", sha: sha, wantErr: `release.name "{version}" has an unknown placeholder {version}: use {sha}, {short_sha}, {ref_name} or {project}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := &Policy{Release: ReleaseNaming{Name: tt.tmpl}}
			got, err := p.ReleaseName(tt.sha, tt.ref, tt.project)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("ReleaseName = %q, %v; want error %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("ReleaseName = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

// TestPolicyProblemString: the parts of a problem's text, each left out when unknown.
func TestPolicyProblemString(t *testing.T) {
	t.Parallel()
	tests := map[string]PolicyProblem{
		"f.yml:3: a.b: bad":  {File: "f.yml", Line: 3, Field: "a.b", Msg: "bad"},
		"f.yml: bad":         {File: "f.yml", Msg: "bad"},
		"line 2: a: bad":     {Line: 2, Field: "a", Msg: "bad"},
		"a.b: must be > 0":   {Field: "a.b", Msg: "must be > 0"},
		"f.yml:1: the whole": {File: "f.yml", Line: 1, Msg: "the whole"},
	}
	for want, p := range tests {
		if got := p.String(); got != want {
			t.Errorf("%+v.String() = %q, want %q", p, got, want)
		}
	}
	err := &PolicyError{Problems: []PolicyProblem{{File: "f", Line: 1, Msg: "one"}, {File: "f", Line: 2, Msg: "two"}}}
	if got := err.Error(); got != "f:1: one\nf:2: two" {
		t.Errorf("Error() = %q", got)
	}
}

// FuzzLoadPolicy: LoadPolicy and LoadSections never panic; a policy it accepts validates and every environment
// of it resolves; a policy it refuses comes with located problems.
func FuzzLoadPolicy(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "policy", "*.yml"))
	files = append(files, filepath.Join("..", "testdata", "releasegate.yml"))
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// The same file read by another reader of it: decoded sections, or located problems.
		var k sectionKeys
		var items []sectionItem
		if err := LoadSections(data, "fuzz.yml", testSections(&k, &items)); err != nil {
			var pe *PolicyError
			if !errors.As(err, &pe) || len(pe.Problems) == 0 || pe.Problems[0].Line < 1 {
				t.Fatalf("LoadSections: error %T %v is not a *PolicyError with located problems", err, err)
			}
		} else if k.Count < 0 {
			t.Fatalf("LoadSections accepted triage.count %d, which its check rejects", k.Count)
		}
		p, err := LoadPolicy(data, "fuzz.yml")
		if err != nil {
			if p != nil {
				t.Fatal("a policy and an error")
			}
			var pe *PolicyError
			if !errors.As(err, &pe) || len(pe.Problems) == 0 {
				t.Fatalf("error %T %v is not a *PolicyError with problems", err, err)
			}
			for _, pr := range pe.Problems {
				if pr.File != "fuzz.yml" || pr.Line < 1 || pr.Msg == "" {
					t.Fatalf("problem without file, line or message: %+v", pr)
				}
			}
			return
		}
		if problems := p.Validate(); len(problems) > 0 {
			t.Fatalf("LoadPolicy accepted a policy Validate rejects: %v", problems)
		}
		if len(p.Environments) == 0 {
			t.Fatal("LoadPolicy accepted a policy without environments")
		}
		for name, e := range p.Environments {
			got, err := p.Environment(name)
			if err != nil {
				t.Fatalf("Environment(%q): %v", name, err)
			}
			if got.Name != name || e.Name != name {
				t.Fatalf("Environment(%q) is named %q", name, got.Name)
			}
			if got.NewIssues == nil && got.Regressions == nil && got.Health == nil && got.Context == nil {
				t.Fatalf("environment %q has no check", name)
			}
			if got.Soak <= 0 || got.Deadline < got.Soak || got.Window <= 0 || got.Confidence <= 0.5 || got.Confidence >= 1 {
				t.Fatalf("environment %q has a bad timing after defaults: %+v", name, got)
			}
			if got.Evidence != "" {
				if _, err := p.Environment(got.Evidence); err != nil {
					t.Fatalf("environment %q judges by %q: %v", name, got.Evidence, err)
				}
			}
		}
		if _, err := p.ReleaseName(strings.Repeat("0123456789", 4), "main", "web"); err != nil {
			t.Fatalf("an accepted release.name cannot name a release: %v", err)
		}
	})
}

// TestReadmePolicyLoads: every policy file shown in README.md and docs/gate.md (a ```yaml block
// with environments:) loads without a problem, so the docs never show a policy that fails.
func TestReadmePolicyLoads(t *testing.T) {
	t.Parallel()
	found := 0
	for _, doc := range []string{filepath.Join("..", "README.md"), filepath.Join("..", "docs", "gate.md")} {
		data, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		for _, block := range strings.Split(string(data), "```yaml\n")[1:] {
			body, _, ok := strings.Cut(block, "```")
			if !ok || !strings.HasPrefix(body, "environments:") {
				continue
			}
			found++
			if _, err := LoadPolicy([]byte(body), doc); err != nil {
				t.Errorf("%s: the policy shown does not load: %v", doc, err)
			}
		}
	}
	if found == 0 {
		t.Error("README.md shows no policy file (a ```yaml block starting with environments:)")
	}
}

// TestLoadPolicySuggestionsLoad: where a problem suggests what to write ("e.g. …"), writing
// exactly that in place of the bad value gives a policy that loads. A suggestion that is itself
// invalid YAML (an unquoted leading *, which YAML reads as an alias) or the wrong shape (a
// string where a rule mapping belongs) would send the user round in circles.
func TestLoadPolicySuggestionsLoad(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, key, bad, tmpl string // tmpl holds %s where the value goes
	}{
		{"a glob for the ignore rules", "ignore", `"*ResizeObserver*"`, "environments:\n  p:\n    projects: [web]\n    new_issues: {events_per_hour: 10, ignore: %s}\n"},
		{"a plain word for the ignore rules", "ignore", `noise`, "environments:\n  p:\n    projects: [web]\n    new_issues: {events_per_hour: 10, ignore: %s}\n"},
		{"a glob for the required keys", "required", `"*id"`, "environments:\n  p:\n    projects: [web]\n    regressions: {}\n    context: {required: %s}\n"},
		{"one project", "projects", `web`, "environments:\n  p:\n    projects: %s\n    regressions: {}\n"},
		{"a duration without a unit", "soak", `30`, "environments:\n  p:\n    projects: [web]\n    regressions: {}\n    soak: %s\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := LoadPolicy(fmt.Appendf(nil, tt.tmpl, tt.bad), "p.yml")
			if err == nil {
				t.Fatal("the bad value was accepted")
			}
			msg := err.Error()
			var fix string
			if _, after, ok := strings.Cut(msg, ", e.g. "); ok {
				fix = after
			} else if _, after, ok := strings.Cut(msg, ": write "); ok {
				fix, _, _ = strings.Cut(after, ", not ")
			}
			if fix == "" || strings.Contains(fix, "\n") {
				t.Fatalf("no single suggestion in %q", msg)
			}
			if _, err := LoadPolicy(fmt.Appendf(nil, tt.tmpl, fix), "p.yml"); err != nil {
				t.Fatalf("the suggestion %q does not load: %v\n(problem: %s)", fix, err, msg)
			}
		})
	}
}

// TestLoadPolicyWarnsOfWindow: window no longer changes a decision; a policy that sets it still
// loads, and says so with the key's line, while one without it says nothing.
func TestLoadPolicyWarnsOfWindow(t *testing.T) {
	t.Parallel()
	p, err := LoadPolicy([]byte("environments:\n  production:\n    projects: [web]\n    window: 30m\n    new_issues: {events_per_hour: 10}\n"), "p.yml")
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Warnings) != 1 || p.Warnings[0].Line != 4 || !strings.Contains(p.Warnings[0].String(), "p.yml:4: environments.production.window: no longer changes any decision") {
		t.Fatalf("warnings %v, want one for window at p.yml:4", p.Warnings)
	}
	p, err = LoadPolicy([]byte("environments:\n  production:\n    projects: [web]\n    new_issues: {events_per_hour: 10}\n"), "p.yml")
	if err != nil || len(p.Warnings) != 0 {
		t.Fatalf("warnings %v (%v), want none", p.Warnings, err)
	}
}
