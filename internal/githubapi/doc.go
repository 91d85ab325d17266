// Package githubapi is releasegate's GitHub App client: a [Factory] that hands out go-github
// clients authenticated as the App (a JWT) or as one of its installations (a token minted by
// ghinstallation and cached until a minute before it expires), thin wrappers for the calls
// the App makes, and webhook verification and parsing.
//
// # Connecting
//
// [New] takes the REST API's root (GitHub.com, or a GitHub Enterprise Server's
// https://HOST/api/v3/), the App's ID and PEM private key, and a user agent. Credentials are
// bound to that origin (scheme, host and port): a redirect elsewhere is not followed, and a
// request to another origin carries no Authorization header. Plain http is refused off this
// machine unless Options.AllowInsecure says otherwise.
//
// # Reliability
//
// Every call takes a [context.Context]. Each attempt is bounded from request to last byte
// (Options.AttemptTimeout), and a call stops trying after Options.RetryBudget. Rate limits are
// retried for every method after the wait GitHub asks for: Retry-After, else the reset of an
// exhausted x-ratelimit-remaining, else a minute for a secondary limit; a wait longer than
// Options.MaxRetryWait fails at once with [ErrRateLimited]. Server errors and failed
// connections are retried with backoff for calls that are safe to repeat (reads, updates,
// token minting), not for creates and reviews, which GitHub may already have done.
// Options.OnRateLimit sees the rate-limit headers of every answer, for metrics.
//
// # Errors
//
// A failed call returns an [*APIError], a [*NetworkError] or a [*ProtocolError] (a 2xx answer
// without what the call needs, such as a null body), naming the call and what to do. Callers
// branch on two sentinels: [ErrMisconfigured] (a 401, a 403 that is not a rate limit, a 404 of
// the repository or installation, a redirect away from the API: someone must fix the App or
// its configuration, and a gate must reject rather than wait) and [ErrUnavailable] (5xx, rate
// limits, network failures, bad answers: undecided, try later). [ErrNotFound] marks a missing
// file, which is data.
//
// # A commit's files
//
// [Client.CommitTree] lists a commit's files (the trees API, recursive; a listing GitHub
// truncates is a [*TreeTruncatedError], never a partial list), and [CommitFS] reads them as an
// [io/fs.FS] through the contents API at the commit, each once, so the loaders that take any
// file tree (ownership.Tree, the gate's policy) read a deployed commit as they read a work
// tree.
//
// # Webhooks
//
// [ParseDelivery] and [ReadDelivery] check X-Hub-Signature-256 in constant time before
// reading anything of the body, and parse the payload with go-github; [Sign] computes the
// header as GitHub does, for tests and tools.
package githubapi
