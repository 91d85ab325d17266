// Package ownership reads Sentry's ownership rules and decides which teams and users own an
// event, the way Sentry does.
//
// It is a pure package: rules come in as bytes, events as values, and decisions go out as
// values. It does no I/O, reads no environment and does not log.
//
// Parse reads the rule text ("type:pattern owner owner…", one rule a line) and compiles every
// pattern once. Owners matches one Event against the rules and returns a Decision: the owners,
// the assignee, the rule that decided and every rule that matched, in evaluation order.
//
// LoadProjects reads every sentry.properties of a Tree (an fs.FS and the repository's list of
// files: a work tree, or a commit's tree fetched from GitHub) with the rules files and the
// CODEOWNERS they name. PlanSync says what a sync must change to make Sentry's settings match.
//
// Where Sentry's behaviour is unknown or loosely defined, this package is stricter than Sentry
// and says so on the function or type concerned, so a rule accepted here means the same thing
// in Sentry.
package ownership
