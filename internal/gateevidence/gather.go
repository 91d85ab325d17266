package gateevidence

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/releasegate/releasegate/errkind"
	"github.com/releasegate/releasegate/gate"
	"github.com/releasegate/releasegate/internal/sentryapi"
)

// ErrUnknownRelease is returned, wrapped with the release and organization, when Sentry does
// not know the release (or the baseline given), or the release belongs to none of the projects
// asked about. The gate must not pass a release it cannot see. Its kind is errkind.Config: the
// release's name comes from the configuration, and retrying cannot make Sentry know it.
var ErrUnknownRelease = errkind.New(errkind.Config, "unknown release")

// DefaultConcurrency is Gatherer.Concurrency when it is 0.
const DefaultConcurrency = 8

// DefaultTopTags are the tags whose top values Enrich fetches when Gatherer.TopTags is nil.
var DefaultTopTags = []string{"tenant_id", "user"}

// baselineCandidates is how many of the newest releases seen in the environment are considered
// when looking for the baseline.
const baselineCandidates = 25

// Query names the release to gather evidence about.
type Query struct {
	// Org is the organization slug. Required.
	Org string
	// Projects are project slugs (or IDs); empty: every project of the release.
	Projects []string
	// Release is the release version. Required.
	Release string
	// Environment is the environment whose evidence judges; empty: every environment.
	Environment string
	// Baseline is the release to compare release health with; "" finds it: the release
	// deployed to Environment most recently before this one (see the package documentation).
	Baseline string
	// Now is the time of gathering; zero: the current time.
	Now time.Time
}

// Gatherer gathers gate evidence from Sentry. Its methods are safe for concurrent use.
type Gatherer struct {
	Client *sentryapi.Client
	// Concurrency bounds the requests in flight at once (default DefaultConcurrency).
	Concurrency int
	// Owners, when set, names an issue's owners (the CLI wires the ownership package); it may
	// make requests through the same client. Enrich calls it for the failing issues.
	Owners func(ctx context.Context, is gate.Issue) ([]string, error)
	// TopTags are the tags whose most common values Enrich fetches (default DefaultTopTags).
	TopTags []string

	mu   sync.Mutex
	orgs map[evidenceKey]string // the organization each gathered evidence came from, for Enrich
}

type evidenceKey struct{ release, environment string }

// run is one Gather or Enrich: the request slots and the request count.
type run struct {
	c    *sentryapi.Client
	org  string
	envs []string
	sem  chan struct{}
	n    atomic.Int64
}

func (g *Gatherer) newRun(org, environment string) *run {
	limit := g.Concurrency
	if limit <= 0 {
		limit = DefaultConcurrency
	}
	r := &run{c: g.Client, org: org, sem: make(chan struct{}, limit)}
	if environment != "" {
		r.envs = []string{environment}
	}
	return r
}

func (r *run) limit() int { return cap(r.sem) }

func (r *run) acquire(ctx context.Context) error {
	select {
	case r.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (r *run) release() { <-r.sem }

// call makes one request in a slot, wrapping its error with what was being fetched.
func (r *run) call(ctx context.Context, what string, fn func(context.Context) error) error {
	if err := r.acquire(ctx); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	defer r.release()
	r.n.Add(1)
	if err := fn(ctx); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// list makes a paginated request in one slot (its pages follow each other); fn calls page for
// every page it receives, and each page counts as a request.
func (r *run) list(ctx context.Context, what string, fn func(ctx context.Context, page func()) error) error {
	if err := r.acquire(ctx); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	defer r.release()
	var pages int64
	err := fn(ctx, func() { pages++ })
	if err != nil {
		r.n.Add(pages + 1) // the pages received and the request that failed
		return fmt.Errorf("%s: %w", what, err)
	}
	r.n.Add(max(pages, 1)) // an empty answer is still a request
	return nil
}

// Gather collects the evidence about q.Release in q.Environment that policy p needs: the
// release's start, its new issues and regressions with their counts, series for the issues
// that may matter, the baseline, release health and context coverage. The package
// documentation lists the requests. An error names what was being fetched; a release Sentry
// does not know is ErrUnknownRelease.
func (g *Gatherer) Gather(ctx context.Context, q Query, p *gate.Environment) (gate.Evidence, error) {
	switch {
	case g.Client == nil:
		return gate.Evidence{}, errors.New("gateevidence: Gatherer.Client is nil")
	case q.Org == "":
		return gate.Evidence{}, errors.New("gateevidence: no organization given")
	case q.Release == "":
		return gate.Evidence{}, errors.New("gateevidence: no release given")
	}
	if p == nil {
		p = &gate.Environment{}
	}
	pol := p.WithDefaults()
	now := q.Now
	if now.IsZero() {
		now = time.Now()
	}
	now = now.UTC()
	r := g.newRun(q.Org, q.Environment)
	gs := &gathering{r: r, q: q, pol: &pol, now: now, health: wantsHealth(&pol)}

	ev, err := gs.gather(ctx)
	ev.Requests = int(r.n.Load())
	if err != nil {
		return ev, err
	}
	g.mu.Lock()
	if g.orgs == nil {
		g.orgs = map[evidenceKey]string{}
	}
	g.orgs[evidenceKey{ev.Release, ev.Environment}] = q.Org
	g.mu.Unlock()
	return ev, nil
}

// gathering is the state of one Gather.
type gathering struct {
	r      *run
	q      Query
	pol    *gate.Environment
	now    time.Time
	health bool // the policy uses release health

	rel      *sentryapi.Release
	ids      []string // project IDs
	start    time.Time
	interval time.Duration
}

func (gs *gathering) where() string {
	if gs.q.Environment == "" {
		return fmt.Sprintf("release %q", gs.q.Release)
	}
	return fmt.Sprintf("release %q in %s", gs.q.Release, gs.q.Environment)
}

// baseline is the release compared with, and when it began to take traffic.
type baseline struct {
	version string
	start   time.Time // its latest deploy to the environment before Start, else its creation
	health  bool      // it has release health data (as far as known)
}

func (gs *gathering) gather(ctx context.Context) (gate.Evidence, error) {
	q, r := gs.q, gs.r
	ev := gate.Evidence{Release: q.Release, Environment: q.Environment}

	// Round 1: the release and its deploys (and a given baseline's), all at once.
	var deploys, baseDeploys []sentryapi.Deploy
	var baseRel *sentryapi.Release
	var relErr, depErr, baseRelErr, baseDepErr error
	var wg sync.WaitGroup
	fetchRelease := func(version string, out **sentryapi.Release, errOut *error) {
		defer wg.Done()
		*errOut = r.call(ctx, fmt.Sprintf("fetching release %q", version), func(ctx context.Context) error {
			rel, err := r.c.GetRelease(ctx, q.Org, version, sentryapi.ReleaseOptions{Health: gs.health})
			*out = rel
			return err
		})
	}
	fetchDeploys := func(version string, out *[]sentryapi.Deploy, errOut *error) {
		defer wg.Done()
		*errOut = r.list(ctx, fmt.Sprintf("listing the deploys of release %q", version), func(ctx context.Context, page func()) error {
			return r.c.ListDeploys(ctx, q.Org, version, func(d []sentryapi.Deploy) error {
				page()
				*out = append(*out, d...)
				return nil
			})
		})
	}
	wg.Add(2)
	go fetchRelease(q.Release, &gs.rel, &relErr)
	go fetchDeploys(q.Release, &deploys, &depErr)
	if q.Baseline != "" {
		wg.Add(2)
		go fetchRelease(q.Baseline, &baseRel, &baseRelErr)
		go fetchDeploys(q.Baseline, &baseDeploys, &baseDepErr)
	}
	wg.Wait()
	if err := unknown(relErr, "", q.Release, q.Org); err != nil {
		return ev, err
	}
	if depErr != nil {
		return ev, depErr
	}
	if q.Baseline != "" {
		if err := unknown(cmp.Or(baseRelErr, baseDepErr), "baseline ", q.Baseline, q.Org); err != nil {
			return ev, err
		}
	}
	ids, releaseHealth, err := gs.projects()
	if err != nil {
		return ev, err
	}
	gs.ids = ids
	ev.ReleaseURL = releaseURL(r.c, q.Org, q.Release, q.Environment)

	gs.start, ev.Deployed = firstDeploy(deploys, q.Environment, gs.now)
	if !ev.Deployed {
		gs.start = gs.now
		if gs.rel.DateCreated != nil {
			gs.start = gs.rel.DateCreated.UTC()
		}
	}
	ev.Start = gs.start
	gs.interval = intervalFor(gs.now.Sub(gs.start))
	ev.Interval = gs.interval

	var base *baseline
	if q.Baseline != "" {
		base = &baseline{version: q.Baseline, health: hasHealth(baseRel, ids)}
		if t, ok := lastDeployBefore(baseDeploys, q.Environment, gs.start); ok {
			base.start = t
		} else if t, ok := firstDeploy(baseDeploys, q.Environment, gs.now); ok {
			base.start = t
		} else if baseRel.DateCreated != nil {
			base.start = baseRel.DateCreated.UTC()
		} else {
			base.start = gs.start
		}
	}

	// Round 2: everything else, as concurrently as the slots allow.
	eg, ctx := errgroup.WithContext(ctx)
	// The regressions wait for the list of new issues: an issue new in this release is
	// counted as new, never as a regression too.
	newListed := make(chan struct{})
	var newIDs map[string]bool
	eg.Go(func() error {
		issues, err := gs.newIssues(ctx, func(ids map[string]bool) {
			newIDs = ids
			close(newListed)
		})
		ev.NewIssues = issues
		return err
	})
	if gs.pol.Regressions != nil {
		eg.Go(func() error {
			issues, err := gs.regressions(ctx, func(ctx context.Context) (map[string]bool, error) {
				select {
				case <-newListed:
					return newIDs, nil
				case <-ctx.Done():
					return nil, ctx.Err()
				}
			})
			ev.Regressions = issues
			return err
		})
	}
	// Sessions are asked for when the policy uses them and the release or the baseline has
	// health data; whether the baseline has is known once it is found.
	var relStats, baseStats *gate.SessionStats
	releaseSessions := func(ctx context.Context) error {
		st, err := gs.sessions(ctx, q.Release, gs.start)
		relStats = st
		return err
	}
	if gs.health && releaseHealth {
		eg.Go(func() error { return releaseSessions(ctx) })
	}
	eg.Go(func() error {
		if base == nil {
			var err error
			if base, err = gs.discoverBaseline(ctx); err != nil || base == nil {
				return err
			}
		}
		ev.Baseline = base.version
		bg, ctx := errgroup.WithContext(ctx)
		bg.Go(func() error {
			series, err := gs.baselineSeries(ctx, base)
			ev.BaselineSeries = series
			return err
		})
		if gs.health && (base.health || releaseHealth) {
			bg.Go(func() error {
				st, err := gs.sessions(ctx, base.version, base.start)
				baseStats = st
				return err
			})
			if !releaseHealth {
				bg.Go(func() error { return releaseSessions(ctx) })
			}
		}
		return bg.Wait()
	})
	if gs.pol.Context != nil && len(gs.pol.Context.Required) > 0 {
		eg.Go(func() error {
			cov, err := gs.contextCoverage(ctx)
			ev.Context = cov
			return err
		})
	}
	if err := eg.Wait(); err != nil {
		return ev, err
	}
	if relStats != nil && (relStats.Sessions > 0 || (baseStats != nil && baseStats.Sessions > 0)) {
		ev.Health = &gate.Health{Release: *relStats, Baseline: baseStats}
	}
	return ev, nil
}

// unknown turns a 404 for a release into ErrUnknownRelease; other errors pass through.
func unknown(err error, what, version, org string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sentryapi.ErrNotFound) {
		return fmt.Errorf("%w: Sentry organization %q has no %srelease %q (%w)", ErrUnknownRelease, org, what, version, err)
	}
	return err
}

// projects picks the release's projects that the query names, as numeric IDs, and says
// whether any has release health data.
func (gs *gathering) projects() (ids []string, health bool, err error) {
	var have []string
	for _, p := range gs.rel.Projects {
		have = append(have, p.Slug)
		if len(gs.q.Projects) > 0 && !slices.Contains(gs.q.Projects, p.Slug) && !slices.Contains(gs.q.Projects, string(p.ID)) {
			continue
		}
		if p.ID != "" {
			ids = append(ids, string(p.ID))
		}
		health = health || p.HasHealthData || (p.HealthData != nil && p.HealthData.HasHealthData)
	}
	if len(ids) == 0 {
		return nil, false, fmt.Errorf("%w: release %q of organization %q belongs to none of the projects %s (its projects: %s)",
			ErrUnknownRelease, gs.q.Release, gs.q.Org, strings.Join(gs.q.Projects, ", "), strings.Join(have, ", "))
	}
	return ids, health, nil
}

func hasHealth(rel *sentryapi.Release, ids []string) bool {
	if rel == nil {
		return false
	}
	for _, p := range rel.Projects {
		if slices.Contains(ids, string(p.ID)) && (p.HasHealthData || (p.HealthData != nil && p.HealthData.HasHealthData)) {
			return true
		}
	}
	return false
}

// wantsHealth says whether the policy uses release health: its own check, or a threshold on
// the share of sessions.
func wantsHealth(p *gate.Environment) bool {
	if p.Health != nil {
		return true
	}
	share := func(t *gate.Thresholds) bool { return t != nil && t.SessionShare > 0 }
	if n := p.NewIssues; n != nil && (share(&n.Thresholds) || share(n.Unhandled)) {
		return true
	}
	return p.Regressions != nil && share(&p.Regressions.Thresholds)
}

// discoverBaseline finds the release deployed to the environment most recently before Start
// (see the package documentation); nil when there is none.
func (gs *gathering) discoverBaseline(ctx context.Context) (*baseline, error) {
	q, r := gs.q, gs.r
	var rels []sentryapi.Release
	err := r.list(ctx, fmt.Sprintf("listing the releases of %s to find the baseline of %s", q.Environment, q.Release), func(ctx context.Context, page func()) error {
		return r.c.ListReleases(ctx, q.Org, sentryapi.ReleaseQuery{Projects: gs.ids, Environments: r.envs, PerPage: baselineCandidates}, func(p []sentryapi.Release) error {
			page()
			rels = append(rels, p...)
			return sentryapi.ErrStop // the newest page is enough
		})
	})
	if err != nil {
		return nil, err
	}
	type candidate struct {
		rel      sentryapi.Release
		deployed time.Time // latest deploy to the environment before Start
	}
	var cands []*candidate
	for _, rel := range rels {
		if rel.Version == q.Release || rel.DateCreated == nil || !rel.DateCreated.Before(gs.start) {
			continue
		}
		cands = append(cands, &candidate{rel: rel})
	}
	slices.SortStableFunc(cands, func(a, b *candidate) int { return b.rel.DateCreated.Compare(*a.rel.DateCreated) })
	var ask []*candidate
	for _, c := range cands {
		if c.rel.DeployCount == 0 && c.rel.LastDeploy == nil {
			continue // never deployed
		}
		if d := c.rel.LastDeploy; d != nil && deployedTo(*d, q.Environment) {
			if t, ok := deployTime(*d); ok && t.Before(gs.start) {
				c.deployed = t // its latest deploy of all went to the environment before Start
				continue
			}
		}
		ask = append(ask, c)
	}
	fg, fctx := errgroup.WithContext(ctx)
	fg.SetLimit(r.limit())
	for _, c := range ask {
		fg.Go(func() error {
			var deploys []sentryapi.Deploy
			err := r.list(fctx, fmt.Sprintf("listing the deploys of release %q to find the baseline", c.rel.Version), func(ctx context.Context, page func()) error {
				return r.c.ListDeploys(ctx, q.Org, c.rel.Version, func(d []sentryapi.Deploy) error {
					page()
					deploys = append(deploys, d...)
					return nil
				})
			})
			if err != nil {
				return err
			}
			c.deployed, _ = lastDeployBefore(deploys, q.Environment, gs.start)
			return nil
		})
	}
	if err := fg.Wait(); err != nil {
		return nil, err
	}
	var best *candidate
	for _, c := range cands {
		if !c.deployed.IsZero() && (best == nil || c.deployed.After(best.deployed)) {
			best = c
		}
	}
	if best != nil {
		return &baseline{version: best.rel.Version, start: best.deployed, health: hasHealth(&best.rel, gs.ids)}, nil
	}
	if len(cands) > 0 {
		// No release was ever deployed there: the newest one seen there before this one.
		c := cands[0]
		return &baseline{version: c.rel.Version, start: c.rel.DateCreated.UTC(), health: hasHealth(&c.rel, gs.ids)}, nil
	}
	return nil, nil
}

// searchIssues lists every page of an issue search in the release's projects and environment
// since Start.
func (gs *gathering) searchIssues(ctx context.Context, what, query string) ([]sentryapi.Issue, error) {
	r := gs.r
	var out []sentryapi.Issue
	seen := map[sentryapi.ID]bool{}
	err := r.list(ctx, what, func(ctx context.Context, page func()) error {
		return r.c.ListIssues(ctx, gs.q.Org, sentryapi.IssueQuery{
			Query: query, Projects: gs.ids, Environments: r.envs,
			TimeRange: timeRange(gs.start, gs.now), Sort: sentryapi.SortNew, Limit: 100,
		}, func(issues []sentryapi.Issue) error {
			page()
			for _, is := range issues {
				if !seen[is.ID] { // an issue can move between pages while they are read
					seen[is.ID] = true
					out = append(out, is)
				}
			}
			return nil
		})
	})
	return out, err
}

// newIssues lists the issues first seen in the release; listed receives their IDs as soon as
// the list is complete.
func (gs *gathering) newIssues(ctx context.Context, listed func(ids map[string]bool)) ([]gate.Issue, error) {
	rq := quote(gs.q.Release)
	query := "firstRelease:" + rq + " release:" + rq
	found, err := gs.searchIssues(ctx, fmt.Sprintf("listing the issues first seen in %s (%s)", gs.where(), query), query)
	if err != nil {
		return nil, err
	}
	ids := make(map[string]bool, len(found))
	issues := make([]gate.Issue, len(found))
	for i, si := range found {
		issues[i] = gs.toIssue(si)
		ids[string(si.ID)] = true
	}
	listed(ids)
	return issues, gs.detail(ctx, issues, true)
}

// toIssue is an issue of the list as the gate sees it, with its counts in the release.
func (gs *gathering) toIssue(si sentryapi.Issue) gate.Issue {
	is := gate.Issue{
		ID: string(si.ID), ShortID: si.ShortID, Project: si.Project.Slug, Title: si.Title,
		Culprit: si.Culprit, Level: si.Level, Status: si.Status, Unhandled: si.IsUnhandled,
		Permalink: si.Permalink, Events: int64(si.Count), Users: si.UserCount,
		Tags: map[string]string{},
	}
	if si.FirstSeen != nil {
		is.FirstSeen = si.FirstSeen.UTC()
	}
	if si.LastSeen != nil {
		is.LastSeen = si.LastSeen.UTC()
	}
	if l := si.Lifetime; l != nil && l.FirstSeen != nil {
		is.FirstSeen = l.FirstSeen.UTC()
	}
	if f := si.Filtered; f != nil {
		// The events of this release only (release: is an event filter).
		is.Events, is.Users = int64(f.Count), f.UserCount
		if f.LastSeen != nil {
			is.LastSeen = f.LastSeen.UTC()
		}
	}
	if is.Level != "" {
		is.Tags["level"] = is.Level
	}
	if gs.q.Environment != "" {
		is.Tags["environment"] = gs.q.Environment
	}
	return is
}

// detail fetches, for the issues that may matter only, their series and (for new issues) the
// tags the ignore rules name.
func (gs *gathering) detail(ctx context.Context, issues []gate.Issue, isNew bool) error {
	var keys []string
	if n := gs.pol.NewIssues; isNew && n != nil {
		for _, rule := range n.Ignore {
			if k, _, ok := strings.Cut(rule.Tag, ":"); ok && k != "level" && k != "environment" && !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	r := gs.r
	fg, ctx := errgroup.WithContext(ctx)
	fg.SetLimit(r.limit())
	var mu sync.Mutex
	for i := range issues {
		is := &issues[i]
		if !gs.pol.MayMatter(*is, !isNew, gs.start, gs.now) {
			continue
		}
		fg.Go(func() error {
			series, err := gs.series(ctx, fmt.Sprintf("fetching the events per %s of issue %s in %s", gs.interval, is.ShortID, gs.where()),
				"issue.id:"+is.ID+" release:"+quote(gs.q.Release), gs.start, gs.now)
			if err != nil {
				return err
			}
			is.Series, is.Interval = series, gs.interval
			return nil
		})
		for _, key := range keys {
			fg.Go(func() error {
				var td *sentryapi.TagDetails
				err := r.call(ctx, fmt.Sprintf("fetching the %s tag of issue %s", key, is.ShortID), func(ctx context.Context) error {
					var err error
					td, err = r.c.GetIssueTag(ctx, gs.q.Org, is.ID, key, r.envs...)
					return err
				})
				if errors.Is(err, sentryapi.ErrNotFound) {
					return nil // no event carries the tag
				}
				if err != nil {
					return err
				}
				if len(td.TopValues) > 0 {
					mu.Lock()
					is.Tags[key] = td.TopValues[0].Value
					mu.Unlock()
				}
				return nil
			})
		}
	}
	return fg.Wait()
}

// series is the error events per interval matching query in the projects and environment.
func (gs *gathering) series(ctx context.Context, what, query string, from, to time.Time) ([]gate.Bucket, error) {
	ts, err := gs.timeseries(ctx, what, query, from, to, gs.interval)
	if err != nil {
		return nil, err
	}
	out := []gate.Bucket{}
	if len(ts.TimeSeries) > 0 {
		for _, v := range ts.TimeSeries[0].Values {
			b := gate.Bucket{Start: v.Time()}
			if v.Value != nil {
				b.Count = int64(*v.Value)
			}
			out = append(out, b)
		}
	}
	return out, nil
}

func (gs *gathering) timeseries(ctx context.Context, what, query string, from, to time.Time, interval time.Duration) (*sentryapi.Timeseries, error) {
	r := gs.r
	var ts *sentryapi.Timeseries
	err := r.call(ctx, what, func(ctx context.Context) error {
		var err error
		ts, err = r.c.EventsTimeseries(ctx, gs.q.Org, sentryapi.TimeseriesQuery{
			Dataset: "errors", Query: query, Projects: gs.ids, Environments: r.envs,
			TimeRange: timeRange(from, to), Interval: interval,
		})
		return err
	})
	return ts, err
}

// count is the number of error events matching query since Start.
func (gs *gathering) count(ctx context.Context, what, query string) (int64, error) {
	// Buckets of the series' size: Sentry aligns the first bucket to its size, and a small
	// one keeps events from before Start out.
	ts, err := gs.timeseries(ctx, what, query, gs.start, gs.now, gs.interval)
	if err != nil {
		return 0, err
	}
	var n int64
	for _, s := range ts.TimeSeries {
		for _, v := range s.Values {
			if v.Value != nil {
				n += int64(*v.Value)
			}
		}
	}
	return n, nil
}

// baselineSeries is the baseline's error events per interval, from its start for as long as
// the release has run.
func (gs *gathering) baselineSeries(ctx context.Context, b *baseline) ([]gate.Bucket, error) {
	age := gs.now.Sub(gs.start)
	if age < time.Second {
		return nil, nil
	}
	return gs.series(ctx, fmt.Sprintf("fetching the events per %s of the baseline release %q", gs.interval, b.version),
		"release:"+quote(b.version), b.start, b.start.Add(age))
}

// sessions totals a release's sessions and users in the environment since from, by outcome.
func (gs *gathering) sessions(ctx context.Context, version string, from time.Time) (*gate.SessionStats, error) {
	r := gs.r
	interval := "1h" // the API's minimum; the totals do not depend on it
	if gs.now.Sub(from) > 7*24*time.Hour {
		interval = "1d"
	}
	var s *sentryapi.Sessions
	err := r.call(ctx, fmt.Sprintf("fetching the sessions of release %q", version), func(ctx context.Context) error {
		var err error
		s, err = r.c.Sessions(ctx, gs.q.Org, sentryapi.SessionsQuery{
			Fields:  []string{"sum(session)", "count_unique(user)"},
			GroupBy: []string{"session.status"},
			Query:   "release:" + quote(version), Projects: gs.ids, Environments: r.envs,
			TimeRange: timeRange(from, gs.now), Interval: interval, OmitSeries: true,
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	st := &gate.SessionStats{}
	val := func(g sentryapi.SessionGroup, f string) int64 {
		if v := g.Totals[f]; v != nil {
			return int64(*v + 0.5)
		}
		return 0
	}
	for _, g := range s.Groups {
		n, u := val(g, "sum(session)"), val(g, "count_unique(user)")
		st.Sessions += n
		st.Users += u
		if g.By.SessionStatus == "crashed" {
			st.CrashedSessions += n
			st.CrashedUsers += u
		}
	}
	return st, nil
}

// contextCoverage counts the release's error events since Start, and those carrying each
// required key.
func (gs *gathering) contextCoverage(ctx context.Context) (*gate.ContextCoverage, error) {
	var keys []string
	for _, k := range gs.pol.Context.Required {
		if k != "" && !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	cov := &gate.ContextCoverage{With: make(map[string]int64, len(keys))}
	var mu sync.Mutex
	fg, ctx := errgroup.WithContext(ctx)
	fg.SetLimit(gs.r.limit())
	base := "release:" + quote(gs.q.Release)
	fg.Go(func() error {
		n, err := gs.count(ctx, fmt.Sprintf("counting the error events of %s", gs.where()), base)
		cov.Events = n
		return err
	})
	for _, k := range keys {
		fg.Go(func() error {
			n, err := gs.count(ctx, fmt.Sprintf("counting the error events of %s that have %s", gs.where(), k), base+" has:"+k)
			mu.Lock()
			cov.With[k] = n
			mu.Unlock()
			return err
		})
	}
	if err := fg.Wait(); err != nil {
		return nil, err
	}
	return cov, nil
}
