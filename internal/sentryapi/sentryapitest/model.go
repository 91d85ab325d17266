package sentryapitest

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

type org struct {
	id          int
	slug, name  string
	dateCreated time.Time
	projects    []*project
	teams       []*team
	members     []*member
	repos       []*repository
	releases    []*release // in creation order
	installs    []*installation
	blobs       map[string][]byte // chunk blobs by SHA-1
	assembles   map[string]*assembleJob
	bundles     []*Bundle
}

type project struct {
	id          int
	org         *org
	slug, name  string
	platform    string
	key         string // the DSN's public key
	dateCreated time.Time
	teams       []*team
	ownership   *ownership
	groups      []*group
	byKey       map[string]*group // by grouping key
	shortSeq    int
	sessions    []*session
}

type team struct {
	id          int
	slug, name  string
	dateCreated time.Time
	projects    []*project
}

type member struct {
	id, userID  int
	email, name string
	role        string
	teams       []*team
	dateCreated time.Time
}

type repository struct {
	id          int
	name        string
	url         string
	provider    string
	dateCreated time.Time
}

type installation struct {
	uuid, appUUID string
	appSlug       string
	appID         int
	external      []*externalIssue
}

type externalIssue struct {
	id                int
	install           *installation
	group             *group
	webURL            string
	project, ident    string
	serviceType, name string
}

// Project describes a seeded project.
type Project struct {
	Org, Slug string
	ID        string
	// Key is the DSN's public key.
	Key string
	// DSN is what sentry-go needs to send events here.
	DSN string
}

// Member describes a seeded organization member.
type Member struct {
	ID, UserID string
	Email      string
}

// AddOrg creates an organization (the slug is also its name). It panics if the slug is taken.
func (s *Server) AddOrg(slug string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.findOrg(slug) != nil {
		panic(fmt.Sprintf("sentryapitest: organization %q exists", slug))
	}
	s.orgs = append(s.orgs, &org{
		id: s.newID(), slug: slug, name: slug, dateCreated: s.clock(),
		blobs: map[string][]byte{}, assembles: map[string]*assembleJob{},
	})
}

// AddProject creates a project in an organization and returns its DSN. It panics when the
// organization is unknown or the slug is taken in it.
func (s *Server) AddProject(orgSlug, slug string) Project {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.mustOrg(orgSlug)
	if o.project(slug) != nil {
		panic(fmt.Sprintf("sentryapitest: project %q exists in %q", slug, orgSlug))
	}
	p := &project{
		id: s.newID(), org: o, slug: slug, name: slug, platform: "other",
		dateCreated: s.clock(), byKey: map[string]*group{},
	}
	sum := sha1.Sum([]byte("sentryapitest key " + strconv.Itoa(p.id)))
	p.key = hex.EncodeToString(sum[:16])
	o.projects = append(o.projects, p)
	return s.projectInfo(p)
}

// Project describes an existing project ("slug" in the default organization, or "org/slug").
func (s *Server) Project(ref string) (Project, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.findProject(ref)
	if p == nil {
		return Project{}, false
	}
	return s.projectInfo(p), true
}

// DSN returns the DSN of a project ("slug" in the default organization, or "org/slug"); it
// panics when the project is unknown.
func (s *Server) DSN(ref string) string {
	p, ok := s.Project(ref)
	if !ok {
		panic(fmt.Sprintf("sentryapitest: no project %q", ref))
	}
	return p.DSN
}

func (s *Server) projectInfo(p *project) Project {
	u, _ := url.Parse(s.ts.URL)
	dsn := fmt.Sprintf("%s://%s@%s%s/%d", u.Scheme, p.key, u.Host, s.prefix, p.id)
	return Project{Org: p.org.slug, Slug: p.slug, ID: strconv.Itoa(p.id), Key: p.key, DSN: dsn}
}

// AddTeam creates a team with access to the given projects. It panics on unknown names.
func (s *Server) AddTeam(orgSlug, slug string, projects ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.mustOrg(orgSlug)
	if o.team(slug) != nil {
		panic(fmt.Sprintf("sentryapitest: team %q exists in %q", slug, orgSlug))
	}
	t := &team{id: s.newID(), slug: slug, name: slug, dateCreated: s.clock()}
	for _, ps := range projects {
		p := o.project(ps)
		if p == nil {
			panic(fmt.Sprintf("sentryapitest: no project %q in %q", ps, orgSlug))
		}
		t.projects = append(t.projects, p)
		p.teams = append(p.teams, t)
	}
	o.teams = append(o.teams, t)
}

// AddMember adds a member (a user identified by email) to the organization and to the given
// teams. It panics on unknown names.
func (s *Server) AddMember(orgSlug, email string, teams ...string) Member {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.mustOrg(orgSlug)
	name, _, _ := strings.Cut(email, "@")
	m := &member{id: s.newID(), userID: s.newID(), email: strings.ToLower(email), name: name, role: "member", dateCreated: s.clock()}
	for _, ts := range teams {
		t := o.team(ts)
		if t == nil {
			panic(fmt.Sprintf("sentryapitest: no team %q in %q", ts, orgSlug))
		}
		m.teams = append(m.teams, t)
	}
	o.members = append(o.members, m)
	return Member{ID: strconv.Itoa(m.id), UserID: strconv.Itoa(m.userID), Email: m.email}
}

// AddRepository registers a repository ("owner/name") with the organization, as installing a
// GitHub integration does. Release refs must name a known repository.
func (s *Server) AddRepository(orgSlug, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.mustOrg(orgSlug)
	o.repository(s, name, "integrations:github")
}

// AddSentryAppInstallation installs a Sentry app (an integration such as a Jira bridge) in the
// organization and returns the installation UUID that external-issue calls use.
func (s *Server) AddSentryAppInstallation(orgSlug, appSlug string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.mustOrg(orgSlug)
	id := s.newID()
	in := &installation{
		uuid:    uuidFrom(fmt.Sprintf("installation %d", id)),
		appUUID: uuidFrom("app " + appSlug),
		appSlug: appSlug,
		appID:   s.newID(),
	}
	o.installs = append(o.installs, in)
	return in.uuid
}

// uuidFrom makes a stable UUID-shaped identifier from a seed.
func uuidFrom(seed string) string {
	h := sha1.Sum([]byte(seed))
	x := hex.EncodeToString(h[:16])
	return x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32]
}

func (s *Server) findOrg(ref string) *org {
	for _, o := range s.orgs {
		if o.slug == ref || strconv.Itoa(o.id) == ref {
			return o
		}
	}
	return nil
}

func (s *Server) mustOrg(ref string) *org {
	o := s.findOrg(ref)
	if o == nil {
		panic(fmt.Sprintf("sentryapitest: no organization %q", ref))
	}
	return o
}

// findProject resolves "slug" (default organization), "org/slug" or a numeric project ID.
func (s *Server) findProject(ref string) *project {
	if o, p, ok := strings.Cut(ref, "/"); ok {
		if org := s.findOrg(o); org != nil {
			return org.project(p)
		}
		return nil
	}
	if id, err := strconv.Atoi(ref); err == nil {
		for _, o := range s.orgs {
			for _, p := range o.projects {
				if p.id == id {
					return p
				}
			}
		}
	}
	if o := s.findOrg(s.opts.Org); o != nil {
		return o.project(ref)
	}
	return nil
}

func (o *org) project(ref string) *project {
	for _, p := range o.projects {
		if p.slug == ref || strconv.Itoa(p.id) == ref {
			return p
		}
	}
	return nil
}

func (o *org) team(ref string) *team {
	for _, t := range o.teams {
		if t.slug == ref || strconv.Itoa(t.id) == ref {
			return t
		}
	}
	return nil
}

// repository finds a repository by name, creating it (as Sentry does for commits that name an
// unknown repository) when provider is not empty.
func (o *org) repository(s *Server, name, provider string) *repository {
	for _, r := range o.repos {
		if r.name == name {
			return r
		}
	}
	if provider == "" {
		return nil
	}
	r := &repository{id: s.newID(), name: name, provider: provider, dateCreated: s.clock()}
	if provider == "integrations:github" {
		r.url = "https://github.com/" + name
	}
	o.repos = append(o.repos, r)
	return r
}

func (o *org) installation(uuid string) *installation {
	for _, in := range o.installs {
		if in.uuid == uuid {
			return in
		}
	}
	return nil
}

// memberByRef finds a member by member ID, user ID, email or username (Sentry's usernames are
// the email address for most accounts).
func (o *org) memberByRef(ref string) *member {
	for _, m := range o.members {
		if strconv.Itoa(m.id) == ref || strconv.Itoa(m.userID) == ref || strings.EqualFold(m.email, ref) {
			return m
		}
	}
	return nil
}

// hasAccess says whether a member belongs to a team with access to the project.
func (m *member) hasAccess(p *project) bool {
	return slices.ContainsFunc(m.teams, func(t *team) bool { return slices.Contains(t.projects, p) })
}

// userJSON is Sentry's user serializer, with every field the API description requires.
func (m *member) userJSON() map[string]any {
	return map[string]any{
		"id":              strconv.Itoa(m.userID),
		"name":            m.name,
		"username":        m.email,
		"email":           m.email,
		"avatarUrl":       "",
		"isActive":        true,
		"isSuspended":     false,
		"hasPasswordAuth": true,
		"isManaged":       false,
		"dateJoined":      timestamp(m.dateCreated),
		"lastLogin":       nil,
		"has2fa":          false,
		"lastActive":      nil,
		"isSuperuser":     false,
		"isStaff":         false,
		"experiments":     map[string]any{},
		"emails":          []any{map[string]any{"id": strconv.Itoa(m.userID), "email": m.email, "is_verified": true}},
		"avatar":          map[string]any{"avatarType": "letter_avatar", "avatarUuid": nil},
	}
}
