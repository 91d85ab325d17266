// Package sentryconf works out which Sentry server, organization, projects and token a command
// uses, reading the same places sentry-cli reads so that a project set up for sentry-cli works
// unchanged: flags, then SENTRY_* environment variables, then sentry.properties (the nearest one
// up the tree from the working directory, or the file named by SENTRY_PROPERTIES), then
// .sentryclirc (the nearest one up the tree, then the one in the home folder).
//
// The environment is passed in as a lookup function (cmd/ reads it); nothing here reads os.Getenv.
// The token is never put into an error or a description of where values came from.
package sentryconf

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/magiconair/properties"
	"gopkg.in/ini.v1"

	"github.com/releasegate/releasegate/internal/sentryapi"
)

// DefaultURL is sentry.io, as for sentry-cli.
const DefaultURL = "https://sentry.io/"

// Connection is everything needed to talk to one Sentry organization.
type Connection struct {
	URL      string
	Org      string
	Projects []string
	Token    string
	Release  string
	Dist     string
	// Environment is the deploy environment (SENTRY_ENVIRONMENT).
	Environment string
	// AllowInsecure allows a plain http:// URL on another machine (flag --allow-insecure only;
	// no file or variable can turn it on for a whole machine).
	AllowInsecure bool
	// MaxRetries is how often a failed request is retried (SENTRY_HTTP_MAX_RETRIES, or
	// http.max_retries in .sentryclirc, as for sentry-cli); -1 when not set (the client's default).
	MaxRetries int
	// Origins says where each field came from ("flag --org", "env SENTRY_ORG",
	// "sentry.properties (/repo/web/sentry.properties)", ...), for messages.
	Origins map[string]string
	// Warnings are things worth telling the user (e.g. an org token overriding --org).
	Warnings []string
}

// Input is what Load reads from.
type Input struct {
	// Flags holds the values given on the command line (empty: not given).
	Flags Connection
	// Getenv looks up an environment variable (nil: no environment).
	Getenv func(string) string
	// Dir is the working directory; Home the user's home folder ("" to skip home files).
	Dir, Home string
}

// layer is one source of values, lowest precedence first in Load.
type layer struct {
	name                                string
	url, org, token, release, dist, env string
	retries                             string
	projects                            []string
}

// Load merges the sources, highest precedence winning field by field, and checks the result's
// shape (not its presence: whether an org or token is required depends on the command; see
// Require).
func Load(in Input) (Connection, error) {
	getenv := in.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	var layers []layer // lowest precedence first
	if in.Home != "" {
		if l, ok, err := readSentryclirc(filepath.Join(in.Home, ".sentryclirc")); err != nil {
			return Connection{}, err
		} else if ok {
			l.name = ".sentryclirc (" + filepath.Join(in.Home, ".sentryclirc") + ")"
			layers = append(layers, l)
		}
	}
	if p := findUp(in.Dir, ".sentryclirc"); p != "" && (in.Home == "" || filepath.Dir(p) != filepath.Clean(in.Home)) {
		l, _, err := readSentryclirc(p)
		if err != nil {
			return Connection{}, err
		}
		l.name = ".sentryclirc (" + p + ")"
		layers = append(layers, l)
	}
	propsPath := getenv("SENTRY_PROPERTIES")
	if propsPath == "" {
		propsPath = findUp(in.Dir, "sentry.properties")
	} else if !filepath.IsAbs(propsPath) {
		propsPath = filepath.Join(in.Dir, propsPath)
	}
	if propsPath != "" {
		l, err := readProperties(propsPath)
		if err != nil {
			return Connection{}, err
		}
		l.name = "sentry.properties (" + propsPath + ")"
		layers = append(layers, l)
	}
	envLayer := layer{
		name: "env", url: getenv("SENTRY_URL"), org: getenv("SENTRY_ORG"), token: getenv("SENTRY_AUTH_TOKEN"),
		release: validRelease(getenv("SENTRY_RELEASE")), dist: getenv("SENTRY_DIST"), env: getenv("SENTRY_ENVIRONMENT"),
		retries: getenv("SENTRY_HTTP_MAX_RETRIES"),
	}
	if p := getenv("SENTRY_PROJECT"); p != "" {
		envLayer.projects = []string{p}
	}
	layers = append(layers, envLayer)
	f := in.Flags
	layers = append(layers, layer{name: "flag", url: f.URL, org: f.Org, token: f.Token, release: f.Release, dist: f.Dist, env: f.Environment, projects: f.Projects})

	c := Connection{URL: DefaultURL, MaxRetries: -1, AllowInsecure: f.AllowInsecure, Origins: map[string]string{"url": "default"}}
	for _, l := range layers {
		set := func(field string, dst *string, v string) {
			if v != "" {
				*dst = v
				c.Origins[field] = l.name
			}
		}
		set("url", &c.URL, l.url)
		set("org", &c.Org, l.org)
		set("token", &c.Token, l.token)
		set("release", &c.Release, l.release)
		set("dist", &c.Dist, l.dist)
		set("environment", &c.Environment, l.env)
		if len(l.projects) > 0 {
			c.Projects = l.projects
			c.Origins["projects"] = l.name
		}
	}
	for _, l := range layers {
		if l.retries != "" {
			n, err := strconv.Atoi(l.retries)
			if err != nil || n < 0 || n > 100 {
				return Connection{}, fmt.Errorf("max retries: %q (from %s) must be a whole number from 0 to 100", l.retries, l.name)
			}
			c.MaxRetries = n
			c.Origins["maxRetries"] = l.name
		}
	}
	if err := c.applyOrgToken(); err != nil {
		return Connection{}, err
	}
	return c, c.validate()
}

// applyOrgToken lets an organization token (sntrys_<payload>_<secret>) name its own server and
// organization, as sentry-cli does: the token only works there, so it wins, with a warning when
// the configuration said otherwise.
func (c *Connection) applyOrgToken() error {
	rest, ok := strings.CutPrefix(c.Token, "sntrys_")
	if !ok {
		return nil
	}
	payload, _, ok := strings.Cut(rest, "_")
	if !ok {
		return errors.New("the auth token starts with sntrys_ but is not a complete organization token; copy it again from Sentry (Settings > Developer Settings > Organization Tokens)")
	}
	raw, err := base64.StdEncoding.DecodeString(payload)
	if err != nil {
		raw, err = base64.RawStdEncoding.DecodeString(payload)
	}
	var claims struct {
		URL       string `json:"url"`
		RegionURL string `json:"region_url"`
		Org       string `json:"org"`
	}
	if err != nil || json.Unmarshal(raw, &claims) != nil {
		return errors.New("the organization auth token's payload cannot be read; copy the token again from Sentry")
	}
	if claims.Org != "" {
		if c.Org != "" && c.Org != claims.Org {
			c.Warnings = append(c.Warnings, fmt.Sprintf("the auth token belongs to organization %q, not %q (from %s); using %q", claims.Org, c.Org, c.Origins["org"], claims.Org))
		}
		c.Org = claims.Org
		c.Origins["org"] = "organization auth token"
	}
	if u := cmpOr(claims.RegionURL, claims.URL); u != "" {
		if c.Origins["url"] != "default" && strings.TrimSuffix(c.URL, "/") != strings.TrimSuffix(u, "/") && strings.TrimSuffix(c.URL, "/") != strings.TrimSuffix(claims.URL, "/") {
			c.Warnings = append(c.Warnings, fmt.Sprintf("the auth token is for %s, not %s (from %s); using %s", u, c.URL, c.Origins["url"], u))
		}
		c.URL = u
		c.Origins["url"] = "organization auth token"
	}
	return nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (c *Connection) validate() error {
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("url: %q (from %s) is not an http(s) URL; set it to your Sentry server, e.g. https://sentry.io/", c.URL, c.Origins["url"])
	}
	if c.Release != "" {
		if err := CheckRelease(c.Release); err != nil {
			return fmt.Errorf("release (from %s): %w", c.Origins["release"], err)
		}
	}
	if err := sentryapi.CheckDist(c.Dist); err != nil {
		return fmt.Errorf("dist (from %s): %w", c.Origins["dist"], err)
	}
	for _, p := range c.Projects {
		if p == "" || strings.ContainsAny(p, "/ \t\n") {
			return fmt.Errorf("project: %q (from %s) is not a project slug", p, c.Origins["projects"])
		}
	}
	return nil
}

// Require checks that the fields a command needs are set, naming every way to set each one.
func (c *Connection) Require(org, token, project bool) error {
	var missing []string
	if org && c.Org == "" {
		missing = append(missing, "an organization (--org, SENTRY_ORG, defaults.org in sentry.properties or .sentryclirc, or an organization auth token)")
	}
	if project && len(c.Projects) == 0 {
		missing = append(missing, "a project (--project, SENTRY_PROJECT, or defaults.project in sentry.properties or .sentryclirc)")
	}
	if token && c.Token == "" {
		missing = append(missing, "an auth token (--auth-token, SENTRY_AUTH_TOKEN, or auth.token in sentry.properties or .sentryclirc)")
	}
	if len(missing) == 0 {
		return nil
	}
	return fmt.Errorf("missing %s", strings.Join(missing, "; and "))
}

// CheckRelease applies Sentry's rules for release names (sentryapi.CheckRelease: one place
// for Sentry's limits).
func CheckRelease(r string) error { return sentryapi.CheckRelease(r) }

// validRelease drops an invalid SENTRY_RELEASE, as sentry-cli ignores it.
func validRelease(r string) string {
	if r == "" || CheckRelease(r) != nil {
		return ""
	}
	return r
}

// findUp returns the path of the first file called name in dir or a folder above it.
func findUp(dir, name string) string {
	if dir == "" {
		return ""
	}
	for {
		p := filepath.Join(dir, name)
		if info, err := os.Stat(p); err == nil && info.Mode().IsRegular() {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// readProperties reads sentry.properties (Java properties; keys like defaults.org, auth.token).
// Keys releasegate does not know are left for other readers (ownership.* is read elsewhere).
func readProperties(path string) (layer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return layer{}, fmt.Errorf("reading %s: %w", path, err)
	}
	p, err := properties.Load(data, properties.UTF8)
	if err != nil {
		return layer{}, fmt.Errorf("%s: %w; it must be a Java properties file (key=value lines)", path, err)
	}
	get := func(k string) string { v, _ := p.Get(k); return strings.TrimSpace(v) }
	l := layer{
		// defaults.url: the Sentry server (default https://sentry.io/); SENTRY_URL and --url win over it.
		url: get("defaults.url"),
		// defaults.org: the organization slug; SENTRY_ORG and --org win over it, and an
		// organization auth token names its own.
		org: get("defaults.org"),
		// auth.token: the auth token (docs/sentry-token.md lists the scopes each command needs);
		// SENTRY_AUTH_TOKEN and --auth-token win over it. Better kept out of the repository.
		token: get("auth.token"),
	}
	// defaults.project: the project slug; SENTRY_PROJECT and --project win over it. In a
	// monorepo each service's sentry.properties names its project.
	if pr := get("defaults.project"); pr != "" {
		l.projects = []string{pr}
	}
	return l, nil
}

// readSentryclirc reads an INI .sentryclirc ([defaults] url/org/project, [auth] token).
func readSentryclirc(path string) (layer, bool, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return layer{}, false, nil
	}
	if err != nil {
		return layer{}, false, fmt.Errorf("reading %s: %w", path, err)
	}
	f, err := ini.LoadSources(ini.LoadOptions{Insensitive: false}, data)
	if err != nil {
		return layer{}, false, fmt.Errorf("%s: %w; it must be an INI file ([defaults], [auth] sections)", path, err)
	}
	d, a := f.Section("defaults"), f.Section("auth")
	l := layer{url: d.Key("url").String(), org: d.Key("org").String(), token: a.Key("token").String(),
		retries: f.Section("http").Key("max_retries").String()}
	if pr := d.Key("project").String(); pr != "" {
		l.projects = []string{pr}
	}
	return l, true, nil
}
