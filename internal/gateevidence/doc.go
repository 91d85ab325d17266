// Package gateevidence gathers the release gate's evidence from Sentry: it turns a release
// name, an environment and a policy into a [gate.Evidence] through the Web API client of
// internal/sentryapi, with a bounded number of concurrent requests, and counts the requests it
// makes.
//
// # What is asked, and why
//
// Section numbers refer to the Sentry API reference (reference/sentry-api.md).
//
//   - The release: GET organizations/{org}/releases/{version}/ (§3). A 404 is
//     [ErrUnknownRelease], never empty evidence. Its projects give the numeric project IDs
//     every other call filters on (Sentry's project parameter takes IDs, §0), and, with
//     health=1, whether they have release health data (§2.1).
//   - Start: GET …/releases/{version}/deploys/ (§3). The release's first deploy to the
//     environment (its dateFinished, else dateStarted) is when it began to take traffic there,
//     as Sentry's own release thresholds start their window at a deploy (§2.2); without one,
//     the release's dateCreated, and Evidence.Deployed is false.
//   - Baseline, when not given: GET organizations/{org}/releases/?project=…&environment=E
//     (§3), one page of the newest releases seen in the environment. For each one created
//     before Start, the latest deploy to E before Start is read from its lastDeploy when that
//     deploy went to E (free), else from its deploy list (one request per such release, all
//     concurrent; releases never deployed cost nothing). The baseline is the release whose
//     deploy to E came last before Start (a rolled-back release redeployed counts from the
//     redeploy); its start is that deploy. When no candidate was ever deployed to E, the
//     newest release created before this one is taken, from its creation date. Cost: one
//     request, plus one per candidate whose last deploy went elsewhere. A given baseline costs
//     two requests (its details and deploys), made together with the release's.
//   - New issues: GET organizations/{org}/issues/ (§1.1) with query
//     `firstRelease:<release> release:<release>`, the project IDs, the environment,
//     start=Start and end=now, sort=new, limit=100, every page followed. The query is always
//     sent, so Sentry does not add is:unresolved and issues of every status come back (§1.1).
//     firstRelease selects issues first seen in the release (§1.2; with an environment, the
//     first release in that environment). release: is an event filter, so the issue's
//     `filtered` numbers (§1.3) count only its events in this release, in the environment,
//     since Start; those are Issue.Events and Issue.Users. collapse=stats is deliberately not
//     sent: Sentry's serializer computes filtered and lifetime only when stats are not
//     collapsed.
//   - Regressions (only when the policy has a regressions check): the same endpoint with
//     `is:regressed release:<release>`, and, when the release was created more than 7 days
//     ago, `is:ongoing release:<release>` too: Sentry keeps a reopened issue's substatus
//     "regressed" for 7 days, then marks it "ongoing". is:regressed is not in the reference's
//     list of is: values (§1.2), but the substatus is (§1.3), and Sentry's issue stream offers
//     it as its "Regressed" tab. A regressed issue with events in the release did not
//     necessarily come back in it: it may have come back in the previous release, days ago.
//     The issues new in the release (the search above) are dropped first: they count as new,
//     never as regressions too. The issue list has no activity (§1.3), so each remaining
//     candidate costs one GET organizations/{org}/issues/{id}/ (with the environment), whose
//     `activity` decides. It counts when its latest set_regression entry's data.version is the
//     release (Sentry writes the release of the event that reopened it there), or when its
//     status at Start was resolved (the newest status change before Start is a set_resolved*:
//     whichever release reopened it since, this release has its events). Otherwise it came
//     back before this release, and does not count. The activity's shape is not in Sentry's
//     API description: when it is missing, a regressed issue has no set_regression entry
//     (Sentry sends the latest 100 entries) or its data.version is not a string, and no
//     resolution before Start says otherwise, Gather returns [ErrUnreadableRegression]
//     naming the issue: the gate is undecided, rather than pass the release or fail it for
//     another release's regression.
//   - Series, only for issues the policy says may matter ([gate.Environment.MayMatter] on
//     their totals): GET organizations/{org}/events-timeseries/ (§1.5, the public time
//     series) with dataset=errors, query `issue.id:<id> release:<release>`, the environment,
//     from Start to now, interval 1m for a release younger than an hour, 5m below 6 hours,
//     else 1h. One request per such issue: harmless issues cost nothing beyond their page of
//     the issue list. For those issues only, the tags that the policy's ignore rules name are
//     read from GET organizations/{org}/issues/{id}/tags/{key}/ (§1.4), one request per key.
//   - Baseline series: one events-timeseries request, query `release:<baseline>`, over as long
//     as the release has run, from the baseline's own start.
//   - Health (only when the policy uses sessions, and the release or the baseline has health
//     data): GET organizations/{org}/sessions/ (§2.1) per release, fields sum(session) and
//     count_unique(user), groupBy=session.status, query `release:<version>`, the environment,
//     includeSeries=0. Grouping by status gives integer crashed counts, so the scale of
//     crash_rate (a fraction or a percentage, §9 item 4) does not matter. The release is
//     counted from Start, the baseline from its own start. Health is nil when neither has a
//     session in the environment.
//   - Context coverage (only when the policy requires context keys): events-timeseries counts
//     of `release:<release>` and, per key, `release:<release> has:<key>`, since Start.
//
// # Concurrency and requests
//
// Every request holds one of [Gatherer.Concurrency] slots; independent pieces run at once,
// the issue list's pages follow each other. [gate.Evidence.Requests] counts the requests the
// gatherer makes, call by call (each page of a list is one): the client does not expose its
// transport, so the client's own retries of a failed attempt are not counted, nor are the
// requests of [Gatherer.Owners].
package gateevidence
