// Package protection decides what the GitHub App does about one deployment protection rule at
// one moment: approve, reject, post a progress report, or look again later — and what the
// check run on the commit says. It is pure: the evaluation (or the reason there is none), the
// reports already posted and the time come in; a Plan comes out. The bot sends what the plan
// says and stores it, so every path to a review (a decision, a configuration error, a deadline,
// the sweep) goes through the same rules:
//
//   - a configuration error rejects, and names the error: never an approval by accident;
//   - a deployment no policy covers gets the configured answer, with a comment saying why;
//   - a pending gate is looked at again, and never waits past its deadline: on_timeout decides;
//   - GitHub's limits hold: at most 10 status reports per deployment, 1,024 characters each.
package protection
