// Package triage is the triage bot's judgement, pure: from a Sentry error to the pull request
// that most likely caused it, the playbook that already knows it, how far it reaches, and the
// words of the PR comment and the Jira ticket. Values come in (the event's frames, the
// repository's file list, the candidate pull requests with their patches, tag distributions,
// the time); values come out. The bot fetches and sends; nothing here calls, logs or reads the
// environment.
//
//   - Locate: the event's top in-app frame as a path of the repository, whatever form the SDK
//     gave it (app:///, webpack://, ./src/…, a Python module, a Java class, a Go package).
//   - FindSuspect: the pull request whose diff touches that file, preferring the one whose
//     hunks hold the frame's line (mapped back through later pull requests' hunks), then the
//     latest; with the evidence and a confidence. No confident match, no suspect: the
//     candidates are still listed.
//   - Playbook.Matches: the configured playbooks, first match wins, in the gate's ignore syntax.
//   - Blast: tenants, users, the top tenants' shares, events per hour.
//   - RenderComment and Ticket: the PR comment (one per PR, found again by its hidden marker)
//     and the ticket as an internal/richtext document.
//   - ParseFixes: "Fixes WEB-123" in titles, bodies and commit messages.
package triage
