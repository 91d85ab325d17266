package gateevidence

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/releasegate/releasegate/errkind"
	"github.com/releasegate/releasegate/gate"
	"github.com/releasegate/releasegate/internal/sentryapi"
)

// regressedFor is how long Sentry keeps a regressed issue's substatus "regressed" before it
// marks it "ongoing".
const regressedFor = 7 * 24 * time.Hour

// ErrUnreadableRegression is returned, wrapped with the issue and what was missing, when
// Sentry lists an issue as regressed but its activity does not say in which release it
// regressed, nor that it was resolved when this release started. The gate cannot tell this
// release's regression from an older one's, so it decides nothing (exit 3, on_error) rather
// than pass the release or fail it for another release's regression: its kind is
// errkind.Undecided.
var ErrUnreadableRegression = errkind.New(errkind.Undecided, "cannot tell in which release the issue regressed")

// regressions lists the issues that came back in this release (see the package
// documentation): Sentry's regressed issues with events in the release, each kept only when
// its activity says it regressed in this release, or that it was resolved when the release
// started. newIDs waits for the IDs of the issues new in this release, which are never counted
// as regressions.
func (gs *gathering) regressions(ctx context.Context, newIDs func(context.Context) (map[string]bool, error)) ([]gate.Issue, error) {
	rq := quote(gs.q.Release)
	searches := []struct{ query, substatus string }{{"is:regressed release:" + rq, "regressed"}}
	if gs.now.Sub(gs.earliest()) > regressedFor {
		// Sentry marks a regressed issue ongoing after 7 days: a regression older than that
		// is among the ongoing issues.
		searches = append(searches, struct{ query, substatus string }{"is:ongoing release:" + rq, "ongoing"})
	}
	type candidate struct {
		si        sentryapi.Issue
		regressed bool // listed as regressed (not ongoing)
	}
	var cands []candidate
	seen := map[sentryapi.ID]bool{}
	for _, s := range searches {
		found, err := gs.searchIssues(ctx, fmt.Sprintf("listing the issues %s in %s (%s)", s.substatus, gs.where(), s.query), s.query)
		if err != nil {
			return nil, err
		}
		for _, si := range found {
			if si.Substatus != "" && si.Substatus != s.substatus {
				continue // a server that ignored the is: filter
			}
			if !seen[si.ID] {
				seen[si.ID] = true
				cands = append(cands, candidate{si: si, regressed: s.substatus == "regressed"})
			}
		}
	}
	isNew, err := newIDs(ctx)
	if err != nil {
		return nil, err
	}
	cands = slices.DeleteFunc(cands, func(c candidate) bool { return isNew[string(c.si.ID)] })

	r := gs.r
	keep := make([]bool, len(cands))
	fg, fctx := errgroup.WithContext(ctx)
	fg.SetLimit(r.limit())
	for i, c := range cands {
		fg.Go(func() error {
			var d *sentryapi.IssueDetails
			err := r.call(fctx, fmt.Sprintf("fetching the activity of issue %s to tell in which release it regressed", c.si.ShortID), func(ctx context.Context) error {
				var err error
				d, err = r.c.GetIssue(ctx, gs.q.Org, string(c.si.ID), r.envs...)
				return err
			})
			if err != nil {
				return err
			}
			ok, err := regressedIn(d.Activity, gs.q.Release, gs.start, c.regressed)
			if err != nil {
				return fmt.Errorf("issue %s (%s) of %s: %w; its page in Sentry shows in which release it came back",
					c.si.ShortID, c.si.Permalink, gs.where(), err)
			}
			keep[i] = ok
			return nil
		})
	}
	if err := fg.Wait(); err != nil {
		return nil, err
	}
	var issues []gate.Issue
	for i, c := range cands {
		if keep[i] {
			issues = append(issues, gs.toIssue(c.si))
		}
	}
	return issues, gs.detail(ctx, issues, false)
}

// earliest is the earliest time an event of the release can have regressed an issue: its
// creation (it may have had events before Start, elsewhere), else Start.
func (gs *gathering) earliest() time.Time {
	if c := gs.rel.DateCreated; c != nil && c.Before(gs.start) {
		return c.UTC()
	}
	return gs.start
}

// statusActivity are the activity types that change an issue's status; resolving says which
// of them resolve it.
var (
	statusActivity = []string{
		sentryapi.ActivityFirstSeen, sentryapi.ActivitySetRegression, sentryapi.ActivitySetUnresolved,
		sentryapi.ActivitySetIgnored, sentryapi.ActivitySetEscalating,
		sentryapi.ActivitySetResolved, sentryapi.ActivitySetResolvedInRelease,
		sentryapi.ActivitySetResolvedInCommit, sentryapi.ActivitySetResolvedByAge,
	}
	resolving = []string{
		sentryapi.ActivitySetResolved, sentryapi.ActivitySetResolvedInRelease,
		sentryapi.ActivitySetResolvedInCommit, sentryapi.ActivitySetResolvedByAge,
	}
)

// regressedIn says whether an issue with events in release since start came back in that
// release, from its activity: its latest set_regression names the release (data.version), or
// its status when the release started was resolved (whichever release's event reopened it
// since, this release has it). regressed says Sentry lists the issue as regressed now; one
// listed as ongoing without any regression never regressed.
//
// When neither can be read (no activity, a regressed issue without a set_regression entry, or
// one whose data.version is missing or not a string, and no resolution before start), the
// answer is ErrUnreadableRegression: not a pass, and not a failure for another release.
func regressedIn(acts []sentryapi.Activity, release string, start time.Time, regressed bool) (bool, error) {
	if acts == nil {
		return false, fmt.Errorf("%w: Sentry's answer has no activity for it", ErrUnreadableRegression)
	}
	var status []sentryapi.Activity
	for _, a := range acts {
		if !slices.Contains(statusActivity, a.Type) {
			continue
		}
		if a.DateCreated == nil {
			return false, fmt.Errorf("%w: its %s activity (id %s) has no date", ErrUnreadableRegression, a.Type, a.ID)
		}
		status = append(status, a)
	}
	// Newest first, whatever order the answer had (Sentry sends newest first).
	slices.SortStableFunc(status, func(a, b sentryapi.Activity) int { return b.DateCreated.Compare(*a.DateCreated) })

	resolvedAtStart := false
	for _, a := range status {
		if a.DateCreated.Before(start) {
			resolvedAtStart = slices.Contains(resolving, a.Type)
			break
		}
	}
	i := slices.IndexFunc(status, func(a sentryapi.Activity) bool { return a.Type == sentryapi.ActivitySetRegression })
	if i < 0 {
		if resolvedAtStart || !regressed {
			return resolvedAtStart, nil
		}
		return false, fmt.Errorf("%w: Sentry lists it as regressed, but its activity (the latest %d entries) has no %s entry",
			ErrUnreadableRegression, len(acts), sentryapi.ActivitySetRegression)
	}
	version, ok := status[i].DataString("version")
	switch {
	case ok && version == release:
		return true, nil
	case resolvedAtStart:
		return true, nil
	case ok:
		return false, nil // it came back in another release (or from an event without one) before this one started
	}
	return false, fmt.Errorf("%w: its %s activity of %s has no data.version naming the release (data: %s)",
		ErrUnreadableRegression, sentryapi.ActivitySetRegression, status[i].DateCreated.UTC().Format(time.RFC3339), cmp.Or(string(status[i].Data), "none"))
}
