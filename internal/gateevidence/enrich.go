package gateevidence

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/releasegate/releasegate/gate"
	"github.com/releasegate/releasegate/internal/sentryapi"
)

// Enrich: what explains a failing issue (its owners, the top values of its tags), fetched only
// once the verdict is known.

// Enrich fetches, for the given issues of ev only (the failing ones after a first Decide), the
// top values of the tags reports name (TopTags: tenant_id and user) in the evidence's
// environment, and their owners (when Owners is set). ev must come from this Gatherer's
// Gather. The requests are added to ev.Requests (those Owners makes are not counted).
func (g *Gatherer) Enrich(ctx context.Context, ev *gate.Evidence, issueIDs []string) error {
	if g.Client == nil {
		return errors.New("gateevidence: Gatherer.Client is nil")
	}
	if len(issueIDs) == 0 {
		return nil
	}
	g.mu.Lock()
	org, ok := g.orgs[evidenceKey{ev.Release, ev.Environment}]
	g.mu.Unlock()
	if !ok {
		return fmt.Errorf("gateevidence: Enrich: the evidence about release %q was not gathered by this Gatherer", ev.Release)
	}
	tags := g.TopTags
	if tags == nil {
		tags = DefaultTopTags
	}
	var targets []*gate.Issue
	var snapshots []gate.Issue // what Owners sees, taken before anything changes
	seen := map[string]bool{}
	for _, list := range [][]gate.Issue{ev.NewIssues, ev.Regressions} {
		for i := range list {
			if is := &list[i]; slices.Contains(issueIDs, is.ID) && !seen[is.ID] {
				seen[is.ID] = true
				targets = append(targets, is)
				snapshots = append(snapshots, *is)
			}
		}
	}
	r := g.newRun(org, ev.Environment)
	fg, ctx := errgroup.WithContext(ctx)
	fg.SetLimit(r.limit())
	var mu sync.Mutex
	for i, is := range targets {
		snapshot := snapshots[i]
		for _, key := range tags {
			fg.Go(func() error {
				var td *sentryapi.TagDetails
				err := r.call(ctx, fmt.Sprintf("fetching the top %s values of issue %s", key, is.ShortID), func(ctx context.Context) error {
					var err error
					td, err = r.c.GetIssueTag(ctx, org, is.ID, key, r.envs...)
					return err
				})
				if errors.Is(err, sentryapi.ErrNotFound) {
					return nil // no event of the issue carries the tag
				}
				if err != nil {
					return err
				}
				var values []gate.TagCount
				for _, v := range td.TopValues {
					values = append(values, gate.TagCount{Value: v.Value, Count: v.Count})
				}
				mu.Lock()
				defer mu.Unlock()
				if is.TopValues == nil {
					is.TopValues = map[string][]gate.TagCount{}
				}
				is.TopValues[key] = values
				return nil
			})
		}
		if g.Owners != nil {
			fg.Go(func() error {
				// A slot bounds the owners' requests too; they are not counted.
				if err := r.acquire(ctx); err != nil {
					return err
				}
				defer r.release()
				owners, err := g.Owners(ctx, snapshot)
				if err != nil {
					return fmt.Errorf("naming the owners of issue %s: %w", is.ShortID, err)
				}
				mu.Lock()
				is.Owners = owners
				mu.Unlock()
				return nil
			})
		}
	}
	err := fg.Wait()
	ev.Requests += int(r.n.Load())
	return err
}
