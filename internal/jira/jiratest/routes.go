package jiratest

import (
	"crypto/subtle"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
)

// route is one call the server answers: its pattern, the v3 operation it is validated
// against ("" for /search/jql, checked by hand), and its handler.
type route struct {
	s        *Server
	method   string
	path     string // the ServeMux path
	specPath string
	op       *specOp
	handler  func(*call)
}

// call is one request being served.
type call struct {
	s      *Server
	rt     *route
	w      *responseBuffer
	r      *http.Request
	body   []byte
	params map[string]string
}

func (s *Server) routeTable() []*route {
	v := s.api()
	rt := func(method, path, specPath string, h func(*call)) *route {
		return &route{s: s, method: method, path: v + path, specPath: specPath, handler: h}
	}
	routes := []*route{
		rt("POST", "/issue", "/rest/api/3/issue", (*call).createIssue),
		rt("GET", "/issue/{issueIdOrKey}", "/rest/api/3/issue/{issueIdOrKey}", (*call).getIssue),
		rt("POST", "/issue/{issueIdOrKey}/comment", "/rest/api/3/issue/{issueIdOrKey}/comment", (*call).addComment),
		rt("GET", "/issue/{issueIdOrKey}/remotelink", "/rest/api/3/issue/{issueIdOrKey}/remotelink", (*call).getRemoteLinks),
		rt("POST", "/issue/{issueIdOrKey}/remotelink", "/rest/api/3/issue/{issueIdOrKey}/remotelink", (*call).upsertRemoteLink),
		rt("PUT", "/issue/{issueIdOrKey}/assignee", "/rest/api/3/issue/{issueIdOrKey}/assignee", (*call).assign),
		rt("GET", "/issue/{issueIdOrKey}/transitions", "/rest/api/3/issue/{issueIdOrKey}/transitions", (*call).getTransitions),
		rt("POST", "/issue/{issueIdOrKey}/transitions", "/rest/api/3/issue/{issueIdOrKey}/transitions", (*call).doTransition),
		rt("GET", "/myself", "/rest/api/3/myself", (*call).myself),
	}
	if s.opts.DataCenter {
		routes = append(routes, rt("POST", "/search", "/rest/api/3/search", (*call).searchDC))
	} else {
		routes = append(routes,
			rt("POST", "/search/jql", "", (*call).searchJQL),
			// Cloud removed the old search: it answers 410 (CHANGE-2046).
			rt("POST", "/search", "/rest/api/3/search", (*call).searchGone),
			rt("GET", "/search", "/rest/api/3/search", (*call).searchGone))
	}
	return routes
}

var pathParam = regexp.MustCompile(`\{(\w+)\}`)

// ServeHTTP runs the call: authentication, the request's validation, the handler under the
// lock, then the answer's validation.
func (rt *route) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	buf := w.(*responseBuffer)
	body, _ := io.ReadAll(r.Body)
	c := &call{s: rt.s, rt: rt, w: buf, r: r, body: body, params: map[string]string{}}
	for _, m := range pathParam.FindAllStringSubmatch(rt.path, -1) {
		c.params[m[1]] = r.PathValue(m[1])
	}
	if !c.authenticate() {
		return
	}
	if rt.op != nil {
		if err := rt.op.checkRequest(r.Context(), r, body, c.params); err != nil {
			rt.s.addInvalid("request %s %s does not match Jira's description of %s %s: %v", r.Method, r.URL.EscapedPath(), rt.op.method, rt.op.path, err)
			c.errors(http.StatusBadRequest, []string{"Invalid request: " + err.Error()}, nil)
			return
		}
	}
	func() {
		rt.s.mu.Lock()
		defer rt.s.mu.Unlock()
		rt.handler(c)
	}()
	if rt.op != nil && buf.status != http.StatusGone {
		if err := rt.op.checkResponse(r.Context(), r, c.params, buf); err != nil {
			rt.s.addInvalid("the fake's answer %d to %s %s does not match Jira's description: %v", buf.status, r.Method, r.URL.EscapedPath(), err)
		}
	}
}

// authenticate checks the credentials of the flavour: Basic email:token on Cloud, Bearer on
// Data Center (which, like Jira, refuses a personal access token as a Basic password).
func (c *call) authenticate() bool {
	ok := false
	if c.s.opts.DataCenter {
		tok, found := strings.CutPrefix(c.r.Header.Get("Authorization"), "Bearer ")
		ok = found && subtle.ConstantTimeCompare([]byte(tok), []byte(c.s.opts.Token)) == 1
	} else {
		user, pass, found := c.r.BasicAuth()
		ok = found && user == c.s.opts.Email && subtle.ConstantTimeCompare([]byte(pass), []byte(c.s.opts.Token)) == 1
	}
	if !ok {
		c.errors(http.StatusUnauthorized, []string{"You are not authenticated. Authentication required to perform this operation."}, nil)
	}
	return ok
}

func (c *call) json(status int, v any) { writeJSON(c.w, status, v) }

// errors answers Jira's ErrorCollection.
func (c *call) errors(status int, messages []string, fields map[string]string) {
	if messages == nil {
		messages = []string{}
	}
	if fields == nil {
		fields = map[string]string{}
	}
	c.json(status, errorCollection{ErrorMessages: messages, Errors: fields})
}

func (c *call) noContent() { c.w.WriteHeader(http.StatusNoContent) }

// invalid records a request the description cannot catch and answers 400 as Jira would.
func (c *call) invalid(msg string) {
	c.s.invalid = append(c.s.invalid, c.r.Method+" "+c.r.URL.EscapedPath()+": "+msg)
	c.errors(http.StatusBadRequest, []string{msg}, nil)
}

func (c *call) decode(v any) bool {
	if err := json.Unmarshal(c.body, v); err != nil {
		c.invalid("the body is not the JSON expected: " + err.Error())
		return false
	}
	return true
}

// baseURL is the site as the client reached it, for self links.
func (c *call) baseURL() string { return "http://" + c.r.Host + c.s.opts.Prefix }

// issueNotFound is Jira's answer for an issue that does not exist or cannot be seen.
func (c *call) issueNotFound() {
	c.errors(http.StatusNotFound, []string{"Issue does not exist or you do not have permission to see it."}, nil)
}

func (c *call) searchGone() {
	c.errors(http.StatusGone, []string{"The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046"}, nil)
}

func (c *call) myself() {
	if c.s.opts.DataCenter {
		c.json(http.StatusOK, map[string]any{"self": c.baseURL() + "/rest/api/2/user?username=bot", "name": "bot", "key": "bot", "displayName": "releasegate", "active": true})
		return
	}
	c.json(http.StatusOK, map[string]any{"self": c.baseURL() + "/rest/api/3/user?accountId=bot", "accountId": "bot", "accountType": "app", "emailAddress": c.s.opts.Email, "displayName": "releasegate", "active": true})
}
