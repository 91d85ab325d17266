// Package githubapitest is a fake GitHub for tests: an httptest server that speaks the parts
// of GitHub's REST API a GitHub App uses (the App and its installation tokens, the manifest
// conversion, file contents and a commit's tree, deployment protection rule reviews, check runs, issue comments,
// pull requests of a commit with their files), keeping its state in memory. For webhooks it
// builds deployment_protection_rule payloads to GitHub's webhook schema
// ([Server.ProtectionRulePayload], checked with [ValidateWebhook]) and signed deliveries
// ([Delivery]).
//
// It is strict where GitHub is: App calls need a JWT signed with the App's key (RS256, iss
// the App ID, at most ten minutes long), installation calls need a token the server minted
// (it expires after an hour), the repository must be in the installation (404 otherwise) and
// the installation must have the route's permission (403 "Resource not accessible by
// integration" otherwise). The App's key is generated once per test binary; [Server.PrivateKey]
// gives it to the client under test, whose ghinstallation transport really signs with it.
//
// Fidelity is checked, not assumed: every request is validated against GitHub's published
// REST description (testdata/external/github-openapi, vendored) with kin-openapi's
// openapi3filter, and so is every answer the server gives. A request that fails validation, or
// that reaches no route, fails the test when it ends (unless Options.Lenient). Every request
// is recorded ([Server.Calls], [Server.CallsTo]), and the effects are kept for assertions
// ([Server.Reviews], [Server.CheckRuns], [Server.Comments]). A route not in the vendored
// description cannot be added: githubOperations in scripts/vendor-external is the one list.
//
// Faults are injected on demand ([Server.InjectFault]): error statuses, primary and secondary
// rate limits with or without Retry-After, redirects to another host, null bodies, and slow or
// dripping answers. [Server.SetTreeLimit] makes tree listings truncated, as a large
// repository's are.
package githubapitest
