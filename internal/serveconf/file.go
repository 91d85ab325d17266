package serveconf

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/releasegate/releasegate/didyoumean"
)

// The installations file:
//
//	installations:
//	  acme:                                # the GitHub owner that installed the App
//	    sentry:
//	      url: https://sentry.io/          # default
//	      org: acme
//	      token_file: /run/secrets/acme-sentry-token      # or token_env: ACME_SENTRY_TOKEN
//	      client_secret_env: ACME_SENTRY_CLIENT_SECRET    # or client_secret_file
//
// Secrets are never written in the file itself, only where to find them: the file is
// configuration that gets reviewed and copied around.

var (
	fileKeys         = []string{"installations"}
	installationKeys = []string{"sentry", "jira"}
	sentryKeys       = []string{"url", "org", "token_env", "token_file", "client_secret_env", "client_secret_file", "integration_uuid"}
	// A GitHub login: letters, digits and single hyphens, at most 39 characters.
	githubLogin = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9]|-[A-Za-z0-9]){0,38}$`)
)

// ValidLogin says whether s is a GitHub login (an organization or user name).
func ValidLogin(s string) bool { return githubLogin.MatchString(s) }

// installations reads the file's installations, adding a problem per mistake, each as
// file:line: field: message.
func (l *loader) installations(file string, data []byte) map[string]Installation {
	problem := func(line int, field, format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		if field != "" {
			msg = field + ": " + msg
		}
		l.problemf("%s:%d: %s", file, max(line, 1), msg)
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			problem(1, "", "the file is empty: write an installations: mapping (docs/app.md has an example)")
		} else {
			problem(yamlErrorLine(err), "", "not YAML: %s", yamlLine.ReplaceAllString(strings.TrimPrefix(err.Error(), "yaml: "), ""))
		}
		return nil
	}
	if len(doc.Content) == 0 {
		problem(1, "", "the file is empty: write an installations: mapping (docs/app.md has an example)")
		return nil
	}
	root := doc.Content[0]
	if !l.isMapping(root, problem, "") {
		return nil
	}
	out := map[string]Installation{}
	for key, value := range l.pairs(root, fileKeys, problem, "") {
		if key.Value != "installations" || !l.isMapping(value, problem, "installations") {
			continue
		}
		for owner, v := range l.pairs(value, nil, problem, "installations") {
			field := "installations." + owner.Value
			if !ValidLogin(owner.Value) {
				problem(owner.Line, field, "not a GitHub login (an organization or user name)")
				continue
			}
			if prev, dup := findFold(out, owner.Value); dup {
				problem(owner.Line, field, "written twice (also on line %d; owners are compared ignoring case)", prev.Line)
				continue
			}
			in := Installation{Owner: owner.Value, SentryURL: DefaultSentryURL, Line: owner.Line}
			if l.isMapping(v, problem, field) {
				for k, sv := range l.pairs(v, installationKeys, problem, field) {
					switch k.Value {
					case "sentry":
						l.sentry(&in, sv, problem, field+".sentry")
					case "jira":
						in.Jira = l.jira(sv, problem, field+".jira")
					}
				}
			}
			if in.SentryOrg == "" {
				problem(owner.Line, field+".sentry.org", "required: the Sentry organization slug of this owner")
			}
			if !in.SentryToken.IsSet() {
				problem(owner.Line, field+".sentry", "no token: set token_env or token_file (docs/sentry-token.md lists the scopes)")
			}
			out[owner.Value] = in
		}
	}
	return out
}

// sentry reads an installation's sentry: mapping.
func (l *loader) sentry(in *Installation, n *yaml.Node, problem func(int, string, string, ...any), field string) {
	if !l.isMapping(n, problem, field) {
		return
	}
	type secretRef struct{ env, file *yaml.Node }
	var token, client secretRef
	for k, v := range l.pairs(n, sentryKeys, problem, field) {
		f := field + "." + k.Value
		if v.Kind != yaml.ScalarNode || v.Value == "" {
			problem(v.Line, f, "needs a text value")
			continue
		}
		switch k.Value {
		case "url":
			if msg := CheckHTTPS(v.Value); msg != "" {
				problem(v.Line, f, "%s", msg)
			}
			in.SentryURL = v.Value
		case "org":
			in.SentryOrg = v.Value
		case "token_env":
			token.env = v
		case "token_file":
			token.file = v
		case "client_secret_env":
			client.env = v
		case "client_secret_file":
			client.file = v
		case "integration_uuid":
			if !uuidLike.MatchString(v.Value) {
				problem(v.Line, f, "%q is not an installation UUID (the uuid Sentry's webhooks carry under installation)", v.Value)
			}
			in.SentryIntegration = v.Value
		}
	}
	read := func(ref secretRef, name string) Secret {
		return l.secretRef(ref.env, ref.file, name, field, problem)
	}
	in.SentryToken = read(token, "token")
	in.SentryClientSecret = read(client, "client_secret")
}

// isMapping says whether n is a mapping, adding a problem when it is not.
func (l *loader) isMapping(n *yaml.Node, problem func(int, string, string, ...any), field string) bool {
	if n.Kind == yaml.MappingNode {
		return true
	}
	problem(n.Line, field, "must be a mapping (key: value lines)")
	return false
}

// pairs yields a mapping's keys and values, adding a problem for each key not in known (nil:
// any key) and for each key written twice.
func (l *loader) pairs(n *yaml.Node, known []string, problem func(int, string, string, ...any), field string) func(func(*yaml.Node, *yaml.Node) bool) {
	return func(yield func(*yaml.Node, *yaml.Node) bool) {
		seen := map[string]int{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			f := k.Value
			if field != "" {
				f = field + "." + k.Value
			}
			if k.Kind != yaml.ScalarNode {
				problem(k.Line, field, "keys must be text")
				continue
			}
			if k.Value == "<<" || v.Kind == yaml.AliasNode {
				problem(k.Line, f, "anchors, aliases and merges are not supported here: write the values out")
				continue
			}
			if line, dup := seen[k.Value]; dup {
				problem(k.Line, f, "written twice (also on line %d)", line)
				continue
			}
			seen[k.Value] = k.Line
			if known != nil && !slices.Contains(known, k.Value) {
				problem(k.Line, f, "unknown key%s", suggest(k.Value, known))
				continue
			}
			if !yield(k, v) {
				return
			}
		}
	}
}

// suggest is "; did you mean X?" for the known key nearest a mistyped one, or the list.
func suggest(key string, known []string) string {
	best, bestDist := "", 3
	for _, k := range known {
		if d := didyoumean.Distance(key, k); d < bestDist {
			best, bestDist = k, d
		}
	}
	if best != "" {
		return "; did you mean " + best + "?"
	}
	return "; the keys here are " + strings.Join(known, ", ")
}

func findFold(m map[string]Installation, owner string) (Installation, bool) {
	for k, v := range m {
		if strings.EqualFold(k, owner) {
			return v, true
		}
	}
	return Installation{}, false
}

var yamlLine = regexp.MustCompile(`line (\d+): `)

// yamlErrorLine finds the line yaml.v3 names in a syntax error (1 when none).
func yamlErrorLine(err error) int {
	m := yamlLine.FindStringSubmatch(err.Error())
	if m == nil {
		return 1
	}
	n, err := strconv.Atoi(m[1])
	if err != nil {
		return 1
	}
	return n
}
