package ownership

import (
	"fmt"
	"strings"
)

// MatcherType is the part of a rule before the colon: what the pattern is tested against.
type MatcherType string

// The matcher types of Sentry's grammar.
const (
	Path       MatcherType = "path"
	URL        MatcherType = "url"
	Module     MatcherType = "module"
	CodeOwners MatcherType = "codeowners"
	Tag        MatcherType = "tags" // written "tags.<key>:"; the key is in Rule.TagKey
)

// OwnerType tells a team from a user.
type OwnerType string

// Owner types.
const (
	Team OwnerType = "team"
	User OwnerType = "user"
)

// Owner is a team (by slug) or a user (by lower-cased email).
type Owner struct {
	Type       OwnerType
	Identifier string // team slug without '#', or the user's email
}

// String writes the owner as it appears in a rule: "#slug" or the email.
func (o Owner) String() string {
	if o.Type == Team {
		return "#" + o.Identifier
	}
	return o.Identifier
}

// Rule is one parsed line of ownership rules.
type Rule struct {
	File    string // as given to Parse, for messages
	Line    int    // 1-based
	Text    string // the line as written, without its line break
	Type    MatcherType
	Pattern string // unquoted; escapes decoded
	TagKey  string // for Type == Tag only: the key after "tags."
	Owners  []Owner
	// RepoPattern is for rules imported from CODEOWNERS: the pattern as written in CODEOWNERS,
	// before the code mapping.
	RepoPattern string

	m *compiled // set by Parse; rules built by hand are compiled on use
}

// Matcher writes the rule's matcher as Sentry's text form does ("tags.key:pattern").
func (r Rule) Matcher() string {
	if r.Type == Tag {
		return "tags." + r.TagKey + ":" + r.Pattern
	}
	return string(r.Type) + ":" + r.Pattern
}

// String returns the rule in Sentry's text form ("type:pattern owner…"). Like Sentry's
// convert_schema_to_rules_text it does not re-add quotes around patterns with spaces.
func (r Rule) String() string {
	var b strings.Builder
	b.WriteString(r.Matcher())
	for _, o := range r.Owners {
		b.WriteByte(' ')
		b.WriteString(o.String())
	}
	return b.String()
}

// Position is "file:line", as used in messages.
func (r Rule) Position() string { return fmt.Sprintf("%s:%d", r.File, r.Line) }

// compiledRule returns the rule's matcher, compiling it if the rule was built by hand.
func (r *Rule) compiledRule() (*compiled, error) {
	if r.m != nil {
		return r.m, nil
	}
	return compile(r.Type, r.Pattern)
}
