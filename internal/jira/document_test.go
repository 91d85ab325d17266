package jira_test

import "github.com/releasegate/releasegate/internal/jira"

// everyElement is a document with every element the model has, and text that would be markup.
func everyElement() jira.Document {
	return jira.Document{Blocks: []jira.Block{
		jira.Heading{Level: 2, Content: []jira.Inline{jira.T("TypeError in checkout")}},
		jira.P(jira.T("First seen in "), jira.C("web@1.4.2"), jira.T(", "), jira.B("412 users"), jira.T(" in 9 tenants.")),
		jira.P(jira.T("Suspect pull request: "), jira.Link{Text: "#42 Refactor cart [WIP] | fast", URL: "https://github.com/acme/web/pull/42"}),
		jira.P(jira.T("Markup that must stay text: *bold* _em_ {code} [link|x] -strike- h1. not a heading\n\nsecond line (/) !img.png!")),
		jira.CodeBlock{Language: "javascript", Text: "TypeError: x is undefined\n    at total (src/cart.ts:12:5)\n    at {code} in a frame"},
		jira.BulletList{Items: [][]jira.Inline{
			{jira.T("Owner: "), jira.B("@acme/payments")},
			{jira.T("Sentry: "), jira.Link{URL: "https://acme.sentry.io/issues/123/"}},
		}},
		jira.Heading{Level: 3, Content: []jira.Inline{jira.T("Triage checklist")}},
		jira.TaskList{Items: []jira.Task{
			{Done: true, Content: []jira.Inline{jira.T("Owner assigned")}},
			{Done: true, Content: []jira.Inline{jira.T("Duplicates checked")}},
			{Done: false, Content: []jira.Inline{jira.T("Fix released")}},
		}},
	}}
}
