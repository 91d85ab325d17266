package serveconf

import (
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// Jira is one owner's Jira: where the triage bot opens tickets, and how it fills them.
type Jira struct {
	// URL is the site (https://acme.atlassian.net, or a Data Center server's base).
	URL string
	// Flavour is "cloud" (email + API token, REST v3) or "datacenter" (personal access token, v2).
	Flavour string
	// Email is the Cloud token's user; unused on Data Center.
	Email string
	Token Secret
	// Project and IssueType say where tickets go; Labels, Component and Priority fill them.
	Project, IssueType string
	Labels             []string
	Component          string
	Priority           string
	// Accounts maps an owner as the ownership rules write it ("#checkout", "jo@acme.com") to
	// the Jira account the ticket is assigned to (an account ID on Cloud, a user name on Data
	// Center).
	Accounts map[string]string
	// Line is where the jira: key is written.
	Line int
}

var (
	jiraKeys   = []string{"url", "flavour", "email", "token_env", "token_file", "project", "issue_type", "labels", "component", "priority", "accounts"}
	jiraKey    = regexp.MustCompile(`^[A-Z][A-Z0-9_]{0,254}$`)
	uuidLike   = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	jiraLabelC = " \t\r\n"
)

// jira reads an installation's jira: mapping strictly: every problem names its line.
func (l *loader) jira(n *yaml.Node, problem func(int, string, string, ...any), field string) *Jira {
	if !l.isMapping(n, problem, field) {
		return nil
	}
	j := &Jira{Flavour: "cloud", IssueType: "Bug", Line: n.Line}
	var tokenEnv, tokenFile *yaml.Node
	text := func(v *yaml.Node, f string) (string, bool) {
		if v.Kind != yaml.ScalarNode || v.Value == "" {
			problem(v.Line, f, "needs a text value")
			return "", false
		}
		return v.Value, true
	}
	for k, v := range l.pairs(n, jiraKeys, problem, field) {
		f := field + "." + k.Value
		switch k.Value {
		case "labels":
			if v.Kind != yaml.SequenceNode {
				problem(v.Line, f, "must be a list of labels, e.g. [sentry, triage]")
				continue
			}
			for _, item := range v.Content {
				s, ok := text(item, f)
				if ok && strings.ContainsAny(s, jiraLabelC) {
					problem(item.Line, f, "%q: a Jira label has no spaces", s)
					continue
				}
				if ok {
					j.Labels = append(j.Labels, s)
				}
			}
		case "accounts":
			if !l.isMapping(v, problem, f) {
				continue
			}
			j.Accounts = map[string]string{}
			for ok, ov := range l.pairs(v, nil, problem, f) {
				if s, good := text(ov, f+"."+ok.Value); good {
					j.Accounts[ok.Value] = s
				}
			}
		default:
			s, ok := text(v, f)
			if !ok {
				continue
			}
			switch k.Value {
			case "url":
				if msg := CheckHTTPS(s); msg != "" {
					problem(v.Line, f, "%s", msg)
				}
				j.URL = s
			case "flavour":
				if s != "cloud" && s != "datacenter" {
					problem(v.Line, f, "%q: write cloud (Jira Cloud) or datacenter (Jira Data Center or Server)", s)
				}
				j.Flavour = s
			case "email":
				j.Email = s
			case "token_env":
				tokenEnv = v
			case "token_file":
				tokenFile = v
			case "project":
				if !jiraKey.MatchString(s) {
					problem(v.Line, f, "%q is not a Jira project key (capitals, digits and _, starting with a letter: WEB)", s)
				}
				j.Project = s
			case "issue_type":
				j.IssueType = s
			case "component":
				j.Component = s
			case "priority":
				j.Priority = s
			}
		}
	}
	if j.URL == "" {
		problem(n.Line, field+".url", "required: the Jira site, e.g. https://acme.atlassian.net")
	}
	if j.Project == "" {
		problem(n.Line, field+".project", "required: the key of the Jira project tickets go to, e.g. WEB")
	}
	if j.Flavour == "cloud" && j.Email == "" {
		problem(n.Line, field+".email", "required on Jira Cloud: the email of the API token's user")
	}
	j.Token = l.secretRef(tokenEnv, tokenFile, "token", field, problem)
	if !j.Token.IsSet() && tokenEnv == nil && tokenFile == nil {
		problem(n.Line, field, "no token: set token_env or token_file (an API token on Cloud, a personal access token on Data Center)")
	}
	return j
}

// secretRef reads a secret named by name_env or name_file (one of them; both is a problem).
func (l *loader) secretRef(env, file *yaml.Node, name, field string, problem func(int, string, string, ...any)) Secret {
	switch {
	case env != nil && file != nil:
		problem(file.Line, field, "%s_env and %s_file are both set: keep one", name, name)
	case env != nil:
		v := l.getenv(env.Value)
		if v == "" {
			problem(env.Line, field+"."+name+"_env", "the variable %s is not set", env.Value)
		}
		return NewSecret(v)
	case file != nil:
		data, err := l.readFile(file.Value)
		if err != nil {
			problem(file.Line, field+"."+name+"_file", "reading %s: %v", file.Value, unwrapPath(err))
			return Secret{}
		}
		v := strings.TrimRight(string(data), "\r\n")
		if v == "" {
			problem(file.Line, field+"."+name+"_file", "%s is empty", file.Value)
		}
		return NewSecret(v)
	}
	return Secret{}
}
