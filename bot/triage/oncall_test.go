package triage

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

const scheduleFile = `teams:
  "#checkout":
    github_team: checkout
    shifts:
      - {login: alice, from: 2026-03-09T09:00:00Z, until: 2026-03-16T09:00:00Z}
      - {login: "@bob", from: 2026-03-10T00:00:00+01:00, until: 2026-03-11T00:00:00+01:00}
  "@acme/payments":
    shifts: []
`

func TestParseSchedule(t *testing.T) {
	t.Parallel()
	s, err := ParseSchedule([]byte(scheduleFile), ".github/oncall.yml")
	if err != nil {
		t.Fatal(err)
	}
	if c := s.Teams["#checkout"]; c.GitHubTeam != "checkout" || len(c.Shifts) != 2 || c.Shifts[1].Login != "bob" {
		t.Errorf("#checkout = %+v", c)
	}
	cases := []struct {
		name, data string
		want       string // in the error, with file:line
	}{
		{name: "empty", data: "", want: ".github/oncall.yml: the on-call schedule is empty"},
		{name: "not YAML", data: "teams: [", want: "not YAML"},
		{name: "unknown top key", data: "team: {}\n", want: ".github/oncall.yml:1: schedule.team: unknown key"},
		{name: "unknown team key", data: "teams:\n  \"#a\":\n    github: x\n    shifts: []\n", want: ":3: teams.#a.github: unknown key"},
		{name: "not an owner", data: "teams:\n  checkout:\n    shifts: []\n", want: `:3: teams.checkout: "checkout" is not an owner`},
		{name: "missing shifts", data: "teams:\n  \"#a\":\n    github_team: a\n", want: ":3: teams.#a.shifts: missing"},
		{name: "bad login", data: "teams:\n  \"#a\":\n    shifts:\n      - {login: \"a b\", from: 2026-03-09T09:00:00Z, until: 2026-03-10T09:00:00Z}\n", want: `:4: teams.#a.shifts[0].login: "a b" is not a GitHub login`},
		{name: "no offset", data: "teams:\n  \"#a\":\n    shifts:\n      - {login: a, from: 2026-03-09T09:00:00, until: 2026-03-10T09:00:00Z}\n", want: "shifts[0].from: \"2026-03-09T09:00:00\" is not an RFC 3339 time"},
		{name: "backwards", data: "teams:\n  \"#a\":\n    shifts:\n      - {login: a, from: 2026-03-10T09:00:00Z, until: 2026-03-09T09:00:00Z}\n", want: "shifts[0]: until (2026-03-09T09:00:00Z) must be after from"},
		{name: "missing until", data: "teams:\n  \"#a\":\n    shifts:\n      - {login: a, from: 2026-03-10T09:00:00Z}\n", want: "shifts[0].until: missing"},
		{name: "team twice", data: "teams:\n  \"#a\": {shifts: []}\n  \"#a\": {shifts: []}\n", want: ":3: teams.#a: written twice"},
		{name: "two documents", data: "teams: {}\n---\nteams: {}\n", want: "one YAML document"},
		{name: "bad github team", data: "teams:\n  \"#a\":\n    github_team: Check Out\n    shifts: []\n", want: `github_team: "Check Out" is not a team slug`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := ParseSchedule([]byte(tc.data), ".github/oncall.yml")
			if err == nil || s != nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ParseSchedule = %+v, %v; want an error with %q", s, err, tc.want)
			}
		})
	}
}

func TestOnCall(t *testing.T) {
	t.Parallel()
	s, err := ParseSchedule([]byte(scheduleFile), "oncall.yml")
	if err != nil {
		t.Fatal(err)
	}
	at := func(v string) time.Time {
		tm, err := time.Parse(time.RFC3339, v)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	cases := []struct {
		name, team, now, want string
	}{
		{name: "in a shift", team: "#checkout", now: "2026-03-12T10:00:00Z", want: "alice"},
		{name: "at a shift's start", team: "#checkout", now: "2026-03-09T09:00:00Z", want: "alice"},
		{name: "at a shift's end", team: "#checkout", now: "2026-03-16T09:00:00Z"},
		{name: "an override wins", team: "#checkout", now: "2026-03-10T12:00:00Z", want: "bob"},
		{name: "before every shift", team: "#checkout", now: "2026-03-01T00:00:00Z"},
		{name: "a team without shifts", team: "@acme/payments", now: "2026-03-12T10:00:00Z"},
		{name: "an unknown team", team: "#search", now: "2026-03-12T10:00:00Z"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, ok := OnCall(s, tc.team, at(tc.now))
			if got != tc.want || ok != (tc.want != "") {
				t.Errorf("OnCall = %q, %v; want %q", got, ok, tc.want)
			}
		})
	}
	if got, ok := OnCall(nil, "#checkout", at("2026-03-12T10:00:00Z")); ok || got != "" {
		t.Errorf("OnCall without a schedule = %q", got)
	}
}

func TestPeopleFor(t *testing.T) {
	t.Parallel()
	s, err := ParseSchedule([]byte(scheduleFile), "oncall.yml")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 12, 10, 0, 0, 0, time.UTC)
	cases := []struct {
		name     string
		owners   []string
		schedule *Schedule
		users    []string
		teams    []string
		assignee string
	}{
		{name: "schedule", owners: []string{"#checkout", "mara@acme.example"}, schedule: s, teams: []string{"checkout"}, assignee: "alice"},
		{name: "the schedule wins over a login", owners: []string{"@carol", "#checkout"}, schedule: s, users: []string{"carol"}, teams: []string{"checkout"}, assignee: "alice"},
		{name: "GitHub owners without a schedule", owners: []string{"@acme/checkout", "@carol", "@other-org/team"}, users: []string{"carol"}, teams: []string{"checkout"}, assignee: "carol"},
		{name: "the App is no reviewer", owners: []string{"@releasegate[bot]", "@gatebot"}, users: nil, assignee: ""},
		{name: "nothing known", owners: []string{"#search", "li@acme.example"}, schedule: s},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := PeopleFor(tc.owners, "acme", tc.schedule, now, "gatebot")
			if !slices.Equal(p.Users, tc.users) || !slices.Equal(p.Teams, tc.teams) || p.Assignee != tc.assignee {
				t.Errorf("PeopleFor = %+v; want users %v, teams %v, assignee %q", p, tc.users, tc.teams, tc.assignee)
			}
		})
	}
}

var problemLine = regexp.MustCompile(`^oncall\.yml(:\d+)?: `)

// FuzzOnCallSchedule: whatever the file, ParseSchedule returns a schedule or an error whose
// every line names the file; an accepted schedule has valid logins and forward shifts.
func FuzzOnCallSchedule(f *testing.F) {
	f.Add([]byte(scheduleFile))
	f.Add([]byte("teams:\n  \"#a\":\n    shifts:\n      - {login: a, from: 2026-03-10T09:00:00Z, until: 2026-03-09T09:00:00Z}\n"))
	f.Add([]byte("teams: {\"@o/t\": {github_team: t, shifts: [{login: x, from: 2026-01-01T00:00:00Z, until: 2026-01-02T00:00:00Z}]}}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseSchedule(data, "oncall.yml")
		if err != nil {
			if s != nil {
				t.Fatalf("a schedule and an error: %+v, %v", s, err)
			}
			for _, line := range strings.Split(err.Error(), "\n") {
				if !problemLine.MatchString(line) {
					t.Fatalf("a problem without the file: %q", line)
				}
			}
			return
		}
		for name, team := range s.Teams {
			if !validOwner(name) {
				t.Fatalf("accepted the team %q", name)
			}
			for _, sh := range team.Shifts {
				if !loginRE.MatchString(sh.Login) || !sh.Until.After(sh.From) {
					t.Fatalf("accepted the shift %+v", sh)
				}
				if got, ok := OnCall(s, name, sh.From); !ok || got == "" {
					t.Fatalf("no one on call at the start of %+v", sh)
				}
			}
		}
	})
}
