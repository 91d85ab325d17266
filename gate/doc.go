// Package gate decides whether a release may be promoted, from Sentry evidence, and explains
// the decision.
//
// It is a pure package: a Policy (read from .github/releasegate.yml), the Evidence gathered
// about a release and the current time go in; a Decision comes out. It does no I/O, reads no
// clock and no environment, and does not log. Gathering the evidence is an adapter's job
// (internal/gateevidence); rendering the decision is Render's, from the Decision value alone, so
// every format says the same thing.
//
// The decision is statistical, not a raw count: a new issue fails the gate only when the lower
// confidence bound of its rate since the start is above the policy's threshold, and clears once
// the soak time has passed and the upper bound is below it; in between the check is pending.
// The rate bounds hold at every look at once (SequentialRateTest), so polling the gate does not
// raise its error rates; a verdict the deadline forces says so (ByDeadline). docs/gate.md
// explains the statistics with worked examples.
package gate
