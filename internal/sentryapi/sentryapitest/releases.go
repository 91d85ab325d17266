package sentryapitest

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

type release struct {
	id           int
	org          *org
	version      string
	ref, url     string
	status       string // "open" or "archived"
	dateCreated  time.Time
	dateReleased time.Time
	projects     []*project
	commits      []*commit
	refs         []releaseRef
	deploys      []*deploy
	files        []*releaseFile
	firstEvent   time.Time
	lastEvent    time.Time
}

type releaseRef struct{ Repository, Commit, PreviousCommit string }

type commit struct {
	id          int
	sha         string
	repo        *repository
	message     string
	authorName  string
	authorEmail string
	date        time.Time
	releases    []*release
}

type deploy struct {
	id                      int
	environment, name, url  string
	dateStarted, dateFinish time.Time
}

type releaseFile struct {
	id          int
	name, dist  string
	headers     map[string]string
	content     []byte
	dateCreated time.Time
}

// Release is a snapshot of a release, for assertions.
type Release struct {
	Version      string
	Projects     []string
	Ref, URL     string
	DateReleased time.Time // zero until finalized
	Commits      []string  // "repository@sha", in the order given
	Refs         []ReleaseRef
	Deploys      []string // environments, oldest first
	Files        []string // legacy release file names
}

// ReleaseRef is a head commit a release was given through "refs".
type ReleaseRef struct{ Repository, Commit, PreviousCommit string }

// Release returns a snapshot of a release of the organization.
func (s *Server) Release(orgSlug, version string) (Release, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.findOrg(orgSlug)
	if o == nil {
		return Release{}, false
	}
	r := o.release(version)
	if r == nil {
		return Release{}, false
	}
	out := Release{Version: r.version, Ref: r.ref, URL: r.url, DateReleased: r.dateReleased}
	for _, p := range r.projects {
		out.Projects = append(out.Projects, p.slug)
	}
	for _, cm := range r.commits {
		out.Commits = append(out.Commits, cm.repo.name+"@"+cm.sha)
	}
	for _, ref := range r.refs {
		out.Refs = append(out.Refs, ReleaseRef(ref))
	}
	for _, d := range r.deploys {
		out.Deploys = append(out.Deploys, d.environment)
	}
	for _, f := range r.files {
		out.Files = append(out.Files, f.name)
	}
	return out, true
}

func (o *org) release(version string) *release {
	for _, r := range o.releases {
		if r.version == version {
			return r
		}
	}
	return nil
}

// releaseFor finds or creates the release an event names and adds the project to it, as
// Sentry does on ingestion.
func (s *Server) releaseFor(p *project, version string, at time.Time) *release {
	o := p.org
	r := o.release(version)
	if r == nil {
		r = &release{id: s.newID(), org: o, version: version, status: "open", dateCreated: at}
		o.releases = append(o.releases, r)
	}
	if !slices.Contains(r.projects, p) {
		r.projects = append(r.projects, p)
	}
	return r
}

// validVersion applies Sentry's rules for release names.
func validVersion(v string) error {
	t := strings.TrimSpace(v)
	switch {
	case t == "", t == ".", t == "..", strings.EqualFold(t, "latest"), strings.ContainsAny(v, "\r\n\f\v\t/\\"):
		return fmt.Errorf("Release with name %s is not allowed", v)
	case len(v) > 200:
		return fmt.Errorf("Ensure this field has no more than 200 characters.")
	}
	return nil
}

var (
	semverRe = regexp.MustCompile(`^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.\-]+))?(?:\+([0-9A-Za-z.\-]+))?$`)
	sha1Re   = regexp.MustCompile(`^[0-9a-f]{40}$`)
)

// versionInfo parses a version the way Sentry shows it: "package@1.2.3+build" gives a package
// and a semantic version, a bare commit SHA a build hash.
func versionInfo(v string) (info map[string]any, short string) {
	pkg, ver, hasPkg := strings.Cut(v, "@")
	if !hasPkg || pkg == "" {
		pkg, ver = "", v
	}
	version := map[string]any{"raw": ver}
	short = ver
	var buildHash any
	if m := semverRe.FindStringSubmatch(ver); m != nil {
		comps := 1
		num := func(s string) int { n, _ := strconv.Atoi(s); return n }
		for _, x := range m[2:5] {
			if x != "" {
				comps++
			}
		}
		version["major"], version["minor"], version["patch"] = num(m[1]), num(m[2]), num(m[3])
		version["revision"] = num(m[4])
		version["pre"] = strOrNil(m[5])
		version["buildCode"] = strOrNil(m[6])
		version["components"] = comps
	} else if sha1Re.MatchString(ver) {
		buildHash = ver
		short = ver[:12]
	}
	return map[string]any{"package": strOrNil(pkg), "version": version, "description": short, "buildHash": buildHash}, short
}

// shortJSON is a release as an issue's firstRelease/lastRelease shows it.
func (r *release) shortJSON() map[string]any {
	info, short := versionInfo(r.version)
	return map[string]any{
		"version": r.version, "shortVersion": short, "versionInfo": info,
		"ref": strOrNil(r.ref), "url": strOrNil(r.url),
		"dateCreated": timestamp(r.dateCreated), "dateReleased": timeOrNil(r.dateReleased),
		"firstEvent": timeOrNil(r.firstEvent), "lastEvent": timeOrNil(r.lastEvent),
	}
}

// eventJSON is a release as an event shows it.
func (r *release) eventJSON() map[string]any {
	info, _ := versionInfo(r.version)
	var lastCommit, lastDeploy any
	// Sentry's set-commits takes the first commit of the list given (newest first) as the
	// release's last commit.
	if len(r.commits) > 0 {
		lastCommit = map[string]any{"id": r.commits[0].sha}
	}
	if n := len(r.deploys); n > 0 {
		lastDeploy = r.deploys[n-1].json()
	}
	return map[string]any{
		"id": r.id, "commitCount": len(r.commits), "data": map[string]any{},
		"dateCreated": timestamp(r.dateCreated), "dateReleased": timeOrNil(r.dateReleased),
		"deployCount": len(r.deploys), "ref": strOrNil(r.ref), "lastCommit": lastCommit,
		"lastDeploy": lastDeploy, "status": r.status, "url": strOrNil(r.url), "userAgent": nil,
		"version": r.version, "versionInfo": info,
	}
}

func (d *deploy) json() map[string]any {
	return map[string]any{
		"id": strconv.Itoa(d.id), "environment": d.environment, "dateStarted": timeOrNil(d.dateStarted),
		"dateFinished": timestamp(d.dateFinish), "name": strOrNil(d.name), "url": strOrNil(d.url),
	}
}

// newGroups counts the issues first seen in the release (in the given project, or all).
func (r *release) newGroups(p *project) int {
	n := 0
	for _, q := range r.projects {
		if p != nil && q != p {
			continue
		}
		for _, g := range q.groups {
			if !g.deleted && g.firstRelease == r {
				n++
			}
		}
	}
	return n
}

// releaseJSON is Sentry's release serializer. health adds healthData per project, computed
// from the recorded sessions.
func (s *Server) releaseJSON(c *call, r *release, health bool) map[string]any {
	info, short := versionInfo(r.version)
	var lastCommit, lastDeploy any
	if len(r.commits) > 0 {
		lastCommit = r.commits[0].json(r.org) // the newest, as above
	}
	if n := len(r.deploys); n > 0 {
		lastDeploy = r.deploys[n-1].json()
	}
	authors := []any{}
	seen := map[string]bool{}
	for _, cm := range r.commits {
		if cm.authorEmail != "" && !seen[cm.authorEmail] {
			seen[cm.authorEmail] = true
			authors = append(authors, map[string]any{"name": strOrNil(cm.authorName), "email": cm.authorEmail})
		}
	}
	projects := []any{}
	for _, p := range r.projects {
		pj := map[string]any{
			"id": p.id, "slug": p.slug, "name": p.name, "platform": p.platform, "platforms": []string{p.platform},
			"newGroups": r.newGroups(p), "hasHealthData": p.hasSessions(r.version),
		}
		if health {
			pj["healthData"] = s.healthData(c, p, r.version)
		}
		projects = append(projects, pj)
	}
	return map[string]any{
		"id": r.id, "version": r.version, "shortVersion": short, "status": r.status,
		"ref": strOrNil(r.ref), "url": strOrNil(r.url),
		"dateReleased": timeOrNil(r.dateReleased), "dateCreated": timestamp(r.dateCreated), "dateStarted": nil,
		"owner": nil, "lastCommit": lastCommit, "lastDeploy": lastDeploy,
		"firstEvent": timeOrNil(r.firstEvent), "lastEvent": timeOrNil(r.lastEvent),
		"currentProjectMeta": map[string]any{}, "userAgent": nil,
		"versionInfo": info, "data": map[string]any{}, "newGroups": r.newGroups(nil),
		"commitCount": len(r.commits), "deployCount": len(r.deploys), "authors": authors, "projects": projects,
	}
}

func (cm *commit) json(o *org) map[string]any {
	rels := []any{}
	for _, r := range cm.releases {
		_, short := versionInfo(r.version)
		rels = append(rels, map[string]any{
			"version": r.version, "shortVersion": short, "ref": strOrNil(r.ref), "url": strOrNil(r.url),
			"dateReleased": timeOrNil(r.dateReleased), "dateCreated": timestamp(r.dateCreated),
		})
	}
	j := map[string]any{
		"id": cm.sha, "message": strOrNil(cm.message), "dateCreated": timestamp(cm.date),
		"pullRequest": nil, "suspectCommitType": "", "releases": rels,
		"repository": map[string]any{
			"id": strconv.Itoa(cm.repo.id), "name": cm.repo.name, "url": strOrNil(cm.repo.url),
			"provider":    map[string]any{"id": cmp.Or(cm.repo.provider, "unknown"), "name": providerName(cm.repo.provider)},
			"status":      "active",
			"dateCreated": timestamp(cm.repo.dateCreated), "integrationId": nil, "externalSlug": nil, "externalId": nil,
		},
	}
	if cm.authorEmail != "" {
		j["author"] = map[string]any{"name": strOrNil(cm.authorName), "email": cm.authorEmail}
	}
	return j
}

func providerName(p string) string {
	if p == "integrations:github" {
		return "GitHub"
	}
	return "Unknown Provider"
}

// commitFor finds or records a commit of a repository.
func (o *org) commitFor(s *Server, repo *repository, sha string) *commit {
	for _, r := range o.releases {
		for _, cm := range r.commits {
			if cm.repo == repo && cm.sha == sha {
				return cm
			}
		}
	}
	return &commit{id: s.newID(), sha: sha, repo: repo, date: s.clock()}
}

// releaseParam resolves {version}, and on project routes checks the release is the project's.
func (c *call) releaseParam() (*org, *release, bool) {
	o, ok := c.org()
	if !ok {
		return nil, nil, false
	}
	r := o.release(c.param("version"))
	if r == nil {
		c.notFound()
		return nil, nil, false
	}
	if ps := c.param("project_id_or_slug"); ps != "" {
		p := o.project(ps)
		if p == nil || !slices.Contains(r.projects, p) {
			c.notFound()
			return nil, nil, false
		}
	}
	return o, r, true
}

func (s *Server) listReleases(c *call) {
	o, ok := c.org()
	if !ok {
		return
	}
	only, ok := c.projectFilter(o)
	if !ok {
		return
	}
	if ps := c.param("project_id_or_slug"); ps != "" {
		p := o.project(ps)
		if p == nil {
			c.notFound()
			return
		}
		only = map[*project]bool{p: true}
	}
	envs := c.environmentFilter()
	q := c.query("query")
	status := cmp.Or(c.query("status"), "open")
	var list []*release
	for _, r := range o.releases {
		if only != nil && !slices.ContainsFunc(r.projects, func(p *project) bool { return only[p] }) {
			continue
		}
		if q != "" && !strings.Contains(r.version, q) {
			continue
		}
		if status != "any" && r.status != status {
			continue
		}
		if envs != nil && !r.inEnvironment(envs) {
			continue
		}
		list = append(list, r)
	}
	slices.SortStableFunc(list, func(a, b *release) int { return cmp.Or(b.dateCreated.Compare(a.dateCreated), cmp.Compare(b.id, a.id)) })
	servePage(c, len(list), "per_page", 100, 100, func(i int) any { return s.releaseJSON(c, list[i], false) })
}

// inEnvironment says whether the release was seen (events or deploys) in one of envs.
func (r *release) inEnvironment(envs map[string]bool) bool {
	for _, d := range r.deploys {
		if envs[d.environment] {
			return true
		}
	}
	for _, p := range r.projects {
		for _, g := range p.groups {
			for _, e := range g.events {
				if e.release == r && envs[e.ev.Environment] {
					return true
				}
			}
		}
	}
	return false
}

type commitInput struct {
	ID          string `json:"id"`
	Repository  string `json:"repository"`
	Message     string `json:"message"`
	AuthorName  string `json:"author_name"`
	AuthorEmail string `json:"author_email"`
	Timestamp   string `json:"timestamp"`
}

type releaseInput struct {
	Version      *string           `json:"version"`
	Projects     []json.RawMessage `json:"projects"`
	Ref          *string           `json:"ref"`
	URL          *string           `json:"url"`
	DateReleased *string           `json:"dateReleased"`
	Commits      []commitInput     `json:"commits"`
	Refs         []releaseRef      `json:"refs"`
	Status       *string           `json:"status"`
}

func (s *Server) createRelease(c *call) {
	o, ok := c.org()
	if !ok {
		return
	}
	var in releaseInput
	if !c.decode(&in) {
		return
	}
	if in.Version == nil {
		c.fieldError("version", "This field is required.")
		return
	}
	if err := validVersion(*in.Version); err != nil {
		c.fieldError("version", err.Error())
		return
	}
	var projects []*project
	if ps := c.param("project_id_or_slug"); ps != "" {
		p := o.project(ps)
		if p == nil {
			c.notFound()
			return
		}
		projects = []*project{p}
	} else {
		if len(in.Projects) == 0 {
			c.fieldError("projects", "This field is required.")
			return
		}
		for _, raw := range in.Projects {
			p := o.project(jsonNumberString(raw))
			if p == nil {
				c.fieldError("projects", "Invalid project ids or slugs")
				return
			}
			projects = append(projects, p)
		}
	}
	if !c.validateReleaseInput(o, in) {
		return
	}
	r := o.release(*in.Version)
	status := http.StatusCreated
	if r == nil {
		r = &release{id: s.newID(), org: o, version: *in.Version, status: "open", dateCreated: s.clock()}
		o.releases = append(o.releases, r)
	} else {
		status = http.StatusAlreadyReported
	}
	for _, p := range projects {
		if !slices.Contains(r.projects, p) {
			r.projects = append(r.projects, p)
		}
	}
	s.applyReleaseInput(o, r, in)
	c.json(status, s.releaseJSON(c, r, false))
}

// validateReleaseInput checks the optional fields shared by create and update.
func (c *call) validateReleaseInput(o *org, in releaseInput) bool {
	if in.DateReleased != nil && *in.DateReleased != "" {
		if _, err := parseISO(*in.DateReleased); err != nil {
			c.fieldError("dateReleased", "Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].")
			return false
		}
	}
	if in.Status != nil && *in.Status != "open" && *in.Status != "archived" {
		c.fieldError("status", "Invalid status "+*in.Status)
		return false
	}
	for i, cm := range in.Commits {
		if cm.ID == "" {
			c.json(http.StatusBadRequest, map[string]any{"commits": []any{map[string][]string{"id": {"This field is required."}}}})
			return false
		}
		if cm.Timestamp != "" {
			if _, err := parseISO(cm.Timestamp); err != nil {
				c.json(http.StatusBadRequest, map[string]any{"commits": map[string]any{strconv.Itoa(i): map[string][]string{"timestamp": {"Datetime has wrong format."}}}})
				return false
			}
		}
	}
	var unknown []string
	for _, ref := range in.Refs {
		if ref.Repository == "" || ref.Commit == "" {
			c.json(http.StatusBadRequest, map[string]any{"refs": []string{"Each ref needs a repository and a commit."}})
			return false
		}
		if o.repository(c.s, ref.Repository, "") == nil && !slices.Contains(unknown, ref.Repository) {
			unknown = append(unknown, ref.Repository)
		}
	}
	if len(unknown) > 0 {
		c.fieldError("refs", "Invalid repository names: "+strings.Join(unknown, ","))
		return false
	}
	return true
}

// applyReleaseInput sets what create and update may set. Commits replace the release's
// commits; refs record the head commits (Sentry would also fetch the commits in between from
// the repository's provider, which a local server cannot).
func (s *Server) applyReleaseInput(o *org, r *release, in releaseInput) {
	if in.Ref != nil {
		r.ref = *in.Ref
	}
	if in.URL != nil {
		r.url = *in.URL
	}
	if in.DateReleased != nil {
		r.dateReleased = time.Time{}
		if t, err := parseISO(*in.DateReleased); err == nil {
			r.dateReleased = t
		}
	}
	if in.Status != nil {
		r.status = *in.Status
	}
	if in.Commits != nil {
		r.commits = nil
		for _, ci := range in.Commits {
			repo := o.repository(s, cmp.Or(ci.Repository, fmt.Sprintf("organization-%d", o.id)), "unknown")
			cm := o.commitFor(s, repo, ci.ID)
			cm.message = cmp.Or(ci.Message, cm.message)
			cm.authorName = cmp.Or(ci.AuthorName, cm.authorName)
			cm.authorEmail = cmp.Or(strings.ToLower(ci.AuthorEmail), cm.authorEmail)
			if t, err := parseISO(ci.Timestamp); err == nil {
				cm.date = t
			}
			if !slices.Contains(cm.releases, r) {
				cm.releases = append(cm.releases, r)
			}
			r.commits = append(r.commits, cm)
		}
	}
	if in.Refs != nil {
		r.refs = slices.Clone(in.Refs)
		if in.Commits == nil {
			r.commits = nil
			for _, ref := range in.Refs {
				cm := o.commitFor(s, o.repository(s, ref.Repository, ""), ref.Commit)
				if !slices.Contains(cm.releases, r) {
					cm.releases = append(cm.releases, r)
				}
				r.commits = append(r.commits, cm)
			}
		}
	}
}

func (s *Server) getRelease(c *call) {
	_, r, ok := c.releaseParam()
	if !ok {
		return
	}
	c.json(http.StatusOK, s.releaseJSON(c, r, c.query("health") == "1"))
}

// updateRelease sets the fields sent. Finalizing is setting dateReleased; a body without it
// leaves the release as it was.
func (s *Server) updateRelease(c *call) {
	o, r, ok := c.releaseParam()
	if !ok {
		return
	}
	var in releaseInput
	if !c.decode(&in) {
		return
	}
	if !c.validateReleaseInput(o, in) {
		return
	}
	s.applyReleaseInput(o, r, in)
	c.json(http.StatusOK, s.releaseJSON(c, r, false))
}

func (s *Server) deleteRelease(c *call) {
	o, r, ok := c.releaseParam()
	if !ok {
		return
	}
	if r.newGroups(nil) > 0 {
		c.detail(http.StatusBadRequest, "This release is referenced by active issues and cannot be removed.")
		return
	}
	o.releases = slices.DeleteFunc(o.releases, func(x *release) bool { return x == r })
	c.noContent()
}

func (s *Server) listReleaseCommits(c *call) {
	o, r, ok := c.releaseParam()
	if !ok {
		return
	}
	servePage(c, len(r.commits), "per_page", 100, 100, func(i int) any { return r.commits[i].json(o) })
}

func (s *Server) listDeploys(c *call) {
	_, r, ok := c.releaseParam()
	if !ok {
		return
	}
	list := slices.Clone(r.deploys)
	slices.Reverse(list)
	servePage(c, len(list), "per_page", 100, 100, func(i int) any { return list[i].json() })
}

func (s *Server) createDeploy(c *call) {
	_, r, ok := c.releaseParam()
	if !ok {
		return
	}
	var in struct {
		Environment  *string  `json:"environment"`
		Name         *string  `json:"name"`
		URL          *string  `json:"url"`
		DateStarted  *string  `json:"dateStarted"`
		DateFinished *string  `json:"dateFinished"`
		Projects     []string `json:"projects"`
	}
	if !c.decode(&in) {
		return
	}
	if in.Environment == nil {
		c.fieldError("environment", "This field is required.")
		return
	}
	env := *in.Environment
	if env == "" || len(env) > 64 || strings.ContainsAny(env, "/\r\n\t\f") || env == "none" {
		c.fieldError("environment", "Invalid value for environment")
		return
	}
	// DeploySerializer's name: CharField(max_length=64), counted in characters.
	if in.Name != nil && utf8.RuneCountInString(*in.Name) > 64 {
		c.fieldError("name", "Ensure this field has no more than 64 characters.")
		return
	}
	d := &deploy{id: c.s.newID(), environment: env, dateFinish: c.s.clock()}
	if in.Name != nil {
		d.name = *in.Name
	}
	if in.URL != nil {
		d.url = *in.URL
	}
	for field, v := range map[string]*string{"dateStarted": in.DateStarted, "dateFinished": in.DateFinished} {
		if v == nil || *v == "" {
			continue
		}
		t, err := parseISO(*v)
		if err != nil {
			c.fieldError(field, "Datetime has wrong format.")
			return
		}
		if field == "dateStarted" {
			d.dateStarted = t
		} else {
			d.dateFinish = t
		}
	}
	for _, ps := range in.Projects {
		if !slices.ContainsFunc(r.projects, func(p *project) bool { return p.slug == ps }) {
			c.fieldError("projects", "Invalid projects")
			return
		}
	}
	r.deploys = append(r.deploys, d)
	c.json(http.StatusCreated, d.json())
}

// jsonNumberString reads an ID sent as a number or a string.
func jsonNumberString(raw json.RawMessage) string {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return ""
	}
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return ""
}
