package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/releasegate/releasegate/errkind"
	"github.com/releasegate/releasegate/gate"
	"github.com/releasegate/releasegate/internal/gateevidence"
	"github.com/releasegate/releasegate/internal/githubapi"
	"github.com/releasegate/releasegate/internal/issueowners"
)

// gateCacheTTL is how long the gate API reuses a decision: Argo and Flagger poll every few
// seconds to minutes, and each evaluation is tens of requests to Sentry.
const gateCacheTTL = 15 * time.Second

// gateCache remembers recent decisions of the gate API, and makes concurrent askers of the
// same question share one evaluation.
type gateCache struct {
	group singleflight.Group
	mu    sync.Mutex
	items map[string]cachedDecision
}

type cachedDecision struct {
	d  gate.Decision
	at time.Time
}

// gateOf evaluates the gate for a release the caller names (not a commit): the policy is read
// from the repository's default branch.
func (b *Bot) gateOf(ctx context.Context, owner, repo, release, environment string) (gate.Decision, error) {
	key := strings.ToLower(owner+"/"+repo) + "\x00" + release + "\x00" + environment
	now := b.now()
	b.gates.mu.Lock()
	if c, ok := b.gates.items[key]; ok && now.Sub(c.at) < gateCacheTTL {
		b.gates.mu.Unlock()
		return c.d, nil
	}
	b.gates.mu.Unlock()
	v, err, _ := b.gates.group.Do(key, func() (any, error) {
		d, err := b.evaluateRelease(ctx, owner, repo, release, environment)
		if err != nil {
			return gate.Decision{}, err
		}
		b.gates.mu.Lock()
		if b.gates.items == nil || len(b.gates.items) > 10_000 {
			b.gates.items = map[string]cachedDecision{}
		}
		b.gates.items[key] = cachedDecision{d: d, at: b.now()}
		b.gates.mu.Unlock()
		return d, nil
	})
	if err != nil {
		return gate.Decision{}, err
	}
	return v.(gate.Decision), nil
}

func (b *Bot) evaluateRelease(ctx context.Context, owner, repo, release, environment string) (gate.Decision, error) {
	app, err := b.github.App()
	if err != nil {
		return gate.Decision{}, errkind.Wrap(errkind.Config, err)
	}
	inst, err := app.RepositoryInstallation(ctx, owner, repo)
	switch {
	case errors.Is(err, githubapi.ErrNotFound), errors.Is(err, githubapi.ErrMisconfigured):
		return gate.Decision{}, errkind.WithHint(errkind.Config, fmt.Errorf("the App is not installed on %s/%s: %w", owner, repo, err), "install the App on the repository (docs/app.md)")
	case err != nil:
		return gate.Decision{}, errkind.Wrap(errkind.Undecided, err)
	}
	client, err := b.github.Installation(inst.GetID())
	if err != nil {
		return gate.Decision{}, errkind.Wrap(errkind.Config, err)
	}
	src, err := readPolicy(ctx, client, owner, repo, "")
	switch {
	case err != nil && errkind.Of(err) == errkind.Config:
		return gate.Decision{}, err
	case err != nil:
		return gate.Decision{}, errkind.Wrap(errkind.Undecided, err)
	case src == nil:
		return gate.Decision{}, errkind.Errorf(errkind.Config, "no policy covers %s/%s: there is no %s on its default branch and no %s in %s/%s", owner, repo, gate.PolicyPath, orgPolicyPath, owner, orgPolicyRepo)
	}
	env, err := src.Policy.Environment(environment)
	if err != nil {
		return gate.Decision{}, errkind.Wrap(errkind.Config, fmt.Errorf("%s: %w", src.Label, err))
	}
	sentry, ok := b.sentry(owner)
	if !ok {
		return gate.Decision{}, errkind.Errorf(errkind.Config, "the service has no Sentry connection for %s: add it under installations: in the service's configuration file (docs/app.md)", owner)
	}
	evidenceEnv := environment
	if env.Evidence != "" {
		evidenceEnv = env.Evidence
	}
	// The caller names a release, not a commit: owners come from the default branch's rules.
	lookup := &issueowners.Lookup{Client: sentry.client, Org: sentry.org, Load: func(ctx context.Context) issueowners.Rules {
		return b.ownershipAt(ctx, client, owner, repo, "HEAD")
	}}
	g := &gateevidence.Gatherer{Client: sentry.client, Owners: lookup.Owners}
	d, _, err := g.Evaluate(ctx, gateevidence.Query{Org: sentry.org, Projects: env.Projects, Release: release, Environment: evidenceEnv, Now: b.now()}, env, environment)
	switch {
	case errors.Is(err, gateevidence.ErrUnknownRelease):
		return gate.Decision{}, errkind.Wrap(errkind.Config, err)
	case err != nil && errkind.Of(err) == errkind.Unknown:
		return gate.Decision{}, errkind.Wrap(errkind.Undecided, err)
	case err != nil:
		return gate.Decision{}, err
	}
	return d, nil
}
