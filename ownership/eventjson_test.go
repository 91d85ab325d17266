package ownership

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/getsentry/sentry-go"

	"github.com/releasegate/releasegate/internal/testenv"
)

func TestDecodeEvent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		src  string
		want Event
	}{
		{
			name: "ingestion shape",
			src: `{
				"event_id": "fc6d8c0c43fc4630ad850ee518f1b9d0", "platform": "python",
				"sdk": {"name": "sentry.python", "version": "2.0.0", "integrations": ["django"]},
				"exception": {"values": [{"type": "KeyError", "value": "'x'", "stacktrace": {"frames": [
					{"filename": "django/core/handlers.py", "abs_path": "/venv/lib/django/core/handlers.py", "module": "django.core.handlers", "in_app": false, "lineno": 47, "vars": {"request": "<WSGIRequest>"}},
					{"filename": "src/api/views.py", "abs_path": "/app/src/api/views.py", "module": "api.views", "function": "get", "in_app": true, "pre_context": ["a"], "context_line": "b"}
				]}}]},
				"request": {"url": "https://shop.example.com/api/cart", "method": "GET", "headers": [["Host", "shop.example.com"]]},
				"tags": {"environment": "prod", "server_name": "web-1"},
				"user": {"id": "7", "email": "ada@example.com", "username": "ada", "ip_address": "10.0.0.1", "name": "Ada", "data": {"plan": "gold"}}
			}`,
			want: Event{
				Platform: "python", SDKName: "sentry.python",
				Frames: []Frame{
					{Filename: "django/core/handlers.py", AbsPath: "/venv/lib/django/core/handlers.py", Module: "django.core.handlers", InApp: bp(false)},
					{Filename: "src/api/views.py", AbsPath: "/app/src/api/views.py", Module: "api.views", InApp: bp(true)},
				},
				URL:  "https://shop.example.com/api/cart",
				Tags: map[string]string{"environment": "prod", "server_name": "web-1"},
				User: EventUser{ID: "7", Email: "ada@example.com", Username: "ada", IPAddress: "10.0.0.1", Name: "Ada", Data: map[string]string{"plan": "gold"}},
			},
		},
		{
			name: "API shape",
			src: `{
				"id": "1", "eventID": "fc6d8c0c43fc4630ad850ee518f1b9d0", "platform": "javascript",
				"sdk": {"name": "sentry.javascript.browser", "version": "5.17.0"},
				"tags": [{"key": "browser", "value": "Chrome 83", "query": "browser:\"Chrome 83\""}, {"key": "level", "value": "error"}],
				"user": {"id": "550747", "email": "hell@boy.cat", "username": null, "ip_address": "192.168.1.1", "name": "Hell Boy", "data": {"isStaff": false}},
				"entries": [
					{"type": "exception", "data": {"values": [{"type": "Error", "stacktrace": {"frames": [
						{"filename": "./app/index.js", "absPath": "webpack:///./app/index.js", "module": "app/index", "package": null, "inApp": true, "lineNo": 3, "context": [[3, "x()"]]}
					], "framesOmitted": null, "hasSystemFrames": false}, "rawStacktrace": {"frames": [{"filename": "/dist/app.min.js"}]}}], "excOmitted": null}},
					{"type": "breadcrumbs", "data": {"values": [{"category": "xhr", "data": {"url": "/api/x"}}]}},
					{"type": "request", "data": {"url": "https://sentry.io/organizations/x/issues/", "method": null, "query": [["project", "1"]]}}
				]
			}`,
			want: Event{
				Platform: "javascript", SDKName: "sentry.javascript.browser",
				Frames: []Frame{{Filename: "./app/index.js", AbsPath: "webpack:///./app/index.js", Module: "app/index", InApp: bp(true)}},
				URL:    "https://sentry.io/organizations/x/issues/",
				Tags:   map[string]string{"browser": "Chrome 83", "level": "error"},
				User:   EventUser{ID: "550747", Email: "hell@boy.cat", IPAddress: "192.168.1.1", Name: "Hell Boy", Data: map[string]string{"isStaff": "false"}},
			},
		},
		{
			// Stacks are joined as threads, top-level stacktrace, exceptions in the order given,
			// whatever order the members come in.
			name: "ingestion chained exceptions with threads and stacktrace",
			src: `{
				"exception": {"values": [
					{"type": "KeyError", "stacktrace": {"frames": [{"filename": "inner/a.py"}, {"filename": "inner/b.py"}]}},
					{"type": "ValueError", "mechanism": {"type": "chained", "exception_id": 1, "parent_id": 0}, "stacktrace": {"frames": [{"filename": "outer/a.py"}, {"filename": "outer/b.py"}]}}
				]},
				"stacktrace": {"frames": [{"filename": "top.py"}]},
				"threads": {"values": [
					{"id": 1, "crashed": false, "stacktrace": {"frames": [{"module": "thread.one"}]}},
					{"id": 2, "stacktrace": null},
					{"id": 3, "stacktrace": {"frames": [{"module": "thread.three"}]}}
				]}
			}`,
			want: Event{Frames: []Frame{
				{Module: "thread.one"}, {Module: "thread.three"},
				{Filename: "top.py"},
				{Filename: "inner/a.py"}, {Filename: "inner/b.py"},
				{Filename: "outer/a.py"}, {Filename: "outer/b.py"},
			}},
		},
		{
			name: "API threads and stacktrace entries",
			src: `{"entries": [
				{"type": "exception", "data": {"values": [{"stacktrace": {"frames": [{"filename": "exc.js"}]}}]}},
				{"type": "stacktrace", "data": {"frames": [{"filename": "top.js"}], "framesOmitted": null}},
				{"type": "threads", "data": {"values": [{"id": 0, "crashed": true, "stacktrace": {"frames": [{"filename": "thread.js"}]}, "rawStacktrace": null}]}}
			]}`,
			want: Event{Frames: []Frame{{Filename: "thread.js"}, {Filename: "top.js"}, {Filename: "exc.js"}}},
		},
		{
			name: "API entry with data before type",
			src: `{"entries": [
				{"data": {"url": "https://example.com/checkout"}, "type": "request"},
				{"data": {"values": [{"stacktrace": {"frames": [{"absPath": "/a.js"}]}}]}, "type": "exception"},
				{"data": {"values": [{"stacktrace": {"frames": [{"absPath": "/ignored.js"}]}}]}, "type": "debugmeta"},
				{"data": {"frames": [{"absPath": "/no-type.js"}]}}
			]}`,
			want: Event{URL: "https://example.com/checkout", Frames: []Frame{{AbsPath: "/a.js"}}},
		},
		{
			name: "bare-list exception and threads (sentry-go writes these)",
			src: `{"exception": [{"stacktrace": {"frames": [{"filename": "e1.go"}]}}, null, {"stacktrace": {"frames": [{"filename": "e2.go"}]}}],
				"threads": [{"stacktrace": {"frames": [{"filename": "t.go"}]}}]}`,
			want: Event{Frames: []Frame{{Filename: "t.go"}, {Filename: "e1.go"}, {Filename: "e2.go"}}},
		},
		{
			name: "tags as a list of pairs",
			src:  `{"tags": [["foo", "foo_value"], ["bar", "barval"], null, ["n", 3], ["b", true], ["gone", null], [null, "x"], ["foo", "second"]]}`,
			want: Event{Tags: map[string]string{"foo": "foo_value", "bar": "barval", "n": "3", "b": "true"}},
		},
		{
			name: "tags as a map with values of every type",
			src:  `{"tags": {"s": "x", "n": 1.50, "f": false, "null": null, "o": {"a": [1, 2]}, "a": [ 1 , "y" ]}}`,
			want: Event{Tags: map[string]string{"s": "x", "n": "1.50", "f": "false", "o": `{"a":[1,2]}`, "a": `[1,"y"]`}},
		},
		{
			name: "tags as a list of key value objects",
			src:  `{"tags": [{"key": "release", "value": "1.2.3"}, {"value": "no key"}, {"key": "nothing"}, {"key": "lvl", "value": "error", "query": "level:error"}]}`,
			want: Event{Tags: map[string]string{"release": "1.2.3", "lvl": "error"}},
		},
		{
			name: "empty and null tags leave the map nil",
			src:  `{"tags": [], "user": {"data": {}}}`,
			want: Event{},
		},
		{
			name: "user data one level and lenient user fields",
			src:  `{"user": {"id": 42, "email": null, "username": true, "geo": {"city": "Vienna"}, "data": {"plan": "gold", "seats": 12, "staff": false, "none": null, "nested": {"a": "b"}, "list": ["x"]}}}`,
			want: Event{User: EventUser{ID: "42", Username: "true", Data: map[string]string{"plan": "gold", "seats": "12", "staff": "false"}}},
		},
		{
			name: "in_app true false null and absent",
			src: `{"stacktrace": {"frames": [
				{"filename": "a", "in_app": true}, {"filename": "b", "in_app": false},
				{"filename": "c", "in_app": null}, {"filename": "d"}, {"filename": "e", "inApp": false}
			]}}`,
			want: Event{Frames: []Frame{
				{Filename: "a", InApp: bp(true)}, {Filename: "b", InApp: bp(false)},
				{Filename: "c"}, {Filename: "d"}, {Filename: "e", InApp: bp(false)},
			}},
		},
		{
			name: "frames nothing can match are left out",
			src: `{"stacktrace": {"frames": [
				{"instruction_addr": "0x1000", "package": "/usr/lib/libc.so", "in_app": false},
				null, {}, {"filename": "", "abs_path": null, "function": "main"},
				{"package": "App", "abs_path": "/src/App/main.swift"}
			]}}`,
			want: Event{Frames: []Frame{{Package: "App", AbsPath: "/src/App/main.swift"}}},
		},
		{
			name: "nulls are absent",
			src: `{"platform": null, "sdk": null, "exception": null, "stacktrace": null, "threads": null,
				"request": null, "tags": null, "user": null, "entries": null}`,
			want: Event{},
		},
		{
			name: "null url and null values",
			src:  `{"request": {"url": null}, "exception": {"values": null}, "stacktrace": {"frames": null}, "tags": [null]}`,
			want: Event{},
		},
		{
			name: "unknown fields of any shape are skipped",
			src: `{"contexts": {"os": {"name": "Linux", "x": [1, {"y": [null, true]}]}}, "extra": {"exception": "not ours"},
				"breadcrumbs": {"values": [{"data": {"url": 3}}]}, "platform": "go", "_meta": {"tags": {"": {"err": ["x"]}}},
				"entries": [{"type": "message", "data": {"formatted": "hi"}}, {"type": "breadcrumbs", "data": [1, 2]}]}`,
			want: Event{Platform: "go"},
		},
		{
			name: "escaped names and values",
			src:  `{"pl\u0061tform": "j\u0061va", "tags": {"k\"ey": "v\nw"}}`,
			want: Event{Platform: "java", Tags: map[string]string{"k\"ey": "v\nw"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := DecodeEvent([]byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %s\nwant %s", dumpEvent(got), dumpEvent(tt.want))
			}
		})
	}
}

func TestDecodeEventErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, src, want string
	}{
		{"empty input", ``, "sentry event: empty input: expected a JSON object"},
		{"blank input", " \n", "sentry event: empty input: expected a JSON object"},
		{"array", `[{"platform": "java"}]`, "sentry event: expected a JSON object, found an array"},
		{"string", `"event"`, "sentry event: expected a JSON object, found a string"},
		{"null", `null`, "sentry event: expected a JSON object, found null"},
		{"two objects", `{} {}`, "sentry event: unexpected data after the event object at byte offset 3"},
		{"garbage after the object", "{}\n]", "sentry event: unexpected data after the event object at byte offset 3"},
		{"truncated", `{"exception": {"values": [`, "sentry event: exception.values[0]: invalid JSON: unexpected end of input"},
		{"syntax error in a skipped field", `{"contexts": {"os": [1,}}`, "sentry event: contexts: invalid JSON at byte offset 22: "},
		{"duplicate member", `{"platform": "a", "platform": "b"}`, `sentry event: invalid JSON at byte offset 18: member "platform" appears twice`},
		{"duplicate member in a frame", `{"stacktrace": {"frames": [{"filename": "a", "filename": "b"}]}}`,
			`sentry event: stacktrace.frames[0]: invalid JSON at byte offset 45: member "filename" appears twice`},
		{"invalid UTF-8", "{\"platform\": \"\xff\"}", "sentry event: platform: invalid JSON at byte"},
		{"exception a string", `{"exception": "boom"}`, `sentry event: exception: expected an object with "values" or an array, found a string`},
		{"frames not a list", `{"exception": {"values": [{}, {"stacktrace": null}, {"stacktrace": {"frames": {"0": {}}}}]}}`,
			"sentry event: exception.values[2].stacktrace.frames: expected an array, found an object"},
		{"bare list exception frames", `{"exception": [{"stacktrace": {"frames": "x"}}]}`,
			"sentry event: exception[0].stacktrace.frames: expected an array, found a string"},
		{"frame not an object", `{"threads": {"values": [{"stacktrace": {"frames": [{"filename": "a"}, 7]}}]}}`,
			"sentry event: threads.values[0].stacktrace.frames[1]: expected an object, found a number"},
		{"filename a number", `{"stacktrace": {"frames": [{"filename": 1}]}}`,
			"sentry event: stacktrace.frames[0].filename: expected a string, found a number"},
		{"in_app a string", `{"stacktrace": {"frames": [{"filename": "a", "in_app": "yes"}]}}`,
			"sentry event: stacktrace.frames[0].in_app: expected a boolean, found a string"},
		{"API frame absPath", `{"entries": [{"type": "exception", "data": {"values": [{"stacktrace": {"frames": [{"absPath": ["x"]}]}}]}}]}`,
			"sentry event: entries[0].data.values[0].stacktrace.frames[0].absPath: expected a string, found an array"},
		{"API data before type", `{"entries": [{"type": "message"}, {"data": {"frames": "x"}, "type": "stacktrace"}]}`,
			"sentry event: entries[1].data.frames: expected an array, found a string"},
		{"entries an object", `{"entries": {"type": "exception"}}`, "sentry event: entries: expected an array, found an object"},
		{"entry type a number", `{"entries": [{"type": 1}]}`, "sentry event: entries[0].type: expected a string, found a number"},
		{"request a string", `{"request": "https://x"}`, "sentry event: request: expected an object, found a string"},
		{"url a number", `{"request": {"url": 1}}`, "sentry event: request.url: expected a string, found a number"},
		{"tags a string", `{"tags": "a:b"}`, "sentry event: tags: expected an object or an array, found a string"},
		{"tag pair too long", `{"tags": [["a", "b", "c"]]}`, "sentry event: tags[0][2]: expected a [key, value] pair, found more than 2 elements"},
		{"tag pair too short", `{"tags": [["a"]]}`, "sentry event: tags[0]: expected a [key, value] pair, found only 1 element"},
		{"tag pair empty", `{"tags": [[]]}`, "sentry event: tags[0]: expected a [key, value] pair, found 0 elements"},
		{"tag entry a string", `{"tags": ["a:b"]}`, "sentry event: tags[0]: expected a [key, value] pair or a {key, value} object, found a string"},
		{"tag key a number", `{"tags": [{"key": 1, "value": "x"}]}`, "sentry event: tags[0].key: expected a string, found a number"},
		{"user a list", `{"user": ["ada"]}`, "sentry event: user: expected an object, found an array"},
		{"user email an object", `{"user": {"email": {"a": 1}}}`, "sentry event: user.email: expected a string, found an object"},
		{"user data a list", `{"user": {"data": []}}`, "sentry event: user.data: expected an object, found an array"},
		{"sdk name a bool", `{"sdk": {"name": true}}`, "sentry event: sdk.name: expected a string, found a boolean"},
		{"odd member names are quoted", `{"my field": {"x": [1,}}`, `sentry event: ["my field"]: invalid JSON at byte`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ev, err := DecodeEvent([]byte(tt.src))
			if err == nil {
				t.Fatalf("no error; got %s", dumpEvent(ev))
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error %q\nwant prefix %q", err, tt.want)
			}
			if !reflect.DeepEqual(ev, Event{}) {
				t.Errorf("error comes with a non-zero event %s", dumpEvent(ev))
			}
		})
	}
}

// A Java event decoded from JSON gets the munged path (module + file name) in Owners.
func TestDecodeEventJavaMungedPath(t *testing.T) {
	t.Parallel()
	ev, err := DecodeEvent([]byte(`{"platform": "java", "exception": {"values": [{"stacktrace": {"frames": [
		{"module": "java.lang.Thread", "filename": "Thread.java", "in_app": false},
		{"module": "com.example.billing.InvoiceService", "filename": "InvoiceService.java", "abs_path": "InvoiceService.java", "in_app": true}
	]}}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	rules, err := Parse([]byte("path:com/example/billing/* #billing\npath:java/lang/*.java #jvm"), "rules")
	if err != nil {
		t.Fatal(err)
	}
	d := Owners(rules, ev, Options{FramePriority: true})
	if d.Assignee == nil || d.Assignee.String() != "#billing" || len(d.Matches) != 2 || d.Matches[0].Value != "com/example/billing/InvoiceService.java" {
		t.Fatalf("decision %+v", d)
	}
	// Without the platform there is no munging, and only the file names are tried.
	ev.Platform = ""
	if d := Owners(rules, ev, Options{}); d.Rule != nil {
		t.Fatalf("matched %v without a platform", d.Rule)
	}
}

// End to end: an event built with the real Go SDK's types and marshalled as the SDK sends it.
func TestDecodeEventFromSentryGo(t *testing.T) {
	t.Parallel()
	sev := sentry.NewEvent()
	sev.EventID = "fc6d8c0c43fc4630ad850ee518f1b9d0"
	sev.Platform = "go"
	sev.Level = sentry.LevelError
	sev.Sdk = sentry.SdkInfo{Name: "sentry.go", Version: "0.50.0"}
	sev.Exception = []sentry.Exception{
		{Type: "*fs.PathError", Value: "open config.yaml: no such file", Stacktrace: &sentry.Stacktrace{Frames: []sentry.Frame{
			{Function: "Load", Module: "example.com/shop/src/config", Filename: "src/config/load.go", AbsPath: "/build/src/config/load.go", Lineno: 20, InApp: true},
		}}},
		{Type: "*errors.errorString", Value: "checkout failed", Stacktrace: &sentry.Stacktrace{Frames: []sentry.Frame{
			{Function: "ServeHTTP", Module: "net/http", Filename: "net/http/server.go", AbsPath: "/usr/local/go/src/net/http/server.go", Lineno: 2166, InApp: false},
			{Function: "Checkout", Module: "example.com/shop/src/api", Filename: "src/api/checkout.go", AbsPath: "/build/src/api/checkout.go", Lineno: 42, InApp: true,
				PreContext: []string{"func Checkout() {"}, ContextLine: "\treturn errors.New(\"checkout failed\")", Vars: map[string]any{"cart": 3}},
		}}},
	}
	sev.Request = &sentry.Request{URL: "https://shop.example.com/checkout", Method: "POST", Headers: map[string]string{"Accept": "*/*"}}
	sev.Tags["environment"] = "production"
	sev.Tags["region"] = "eu-west-1"
	sev.User = sentry.User{ID: "42", Email: "ada@example.com", IPAddress: "203.0.113.7", Username: "ada", Name: "Ada L.", Data: map[string]string{"plan": "enterprise"}}
	sev.Contexts["os"] = sentry.Context{"name": "linux"}
	data, err := json.Marshal(sev)
	if err != nil {
		t.Fatal(err)
	}

	ev, err := DecodeEvent(data)
	if err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	want := Event{
		Platform: "go", SDKName: "sentry.go",
		Frames: []Frame{
			{Filename: "src/config/load.go", AbsPath: "/build/src/config/load.go", Module: "example.com/shop/src/config", InApp: bp(true)},
			{Filename: "net/http/server.go", AbsPath: "/usr/local/go/src/net/http/server.go", Module: "net/http", InApp: bp(false)},
			{Filename: "src/api/checkout.go", AbsPath: "/build/src/api/checkout.go", Module: "example.com/shop/src/api", InApp: bp(true)},
		},
		URL:  "https://shop.example.com/checkout",
		Tags: map[string]string{"environment": "production", "region": "eu-west-1"},
		User: EventUser{ID: "42", Email: "ada@example.com", Username: "ada", IPAddress: "203.0.113.7", Name: "Ada L.", Data: map[string]string{"plan": "enterprise"}},
	}
	if !reflect.DeepEqual(ev, want) {
		t.Fatalf("got  %s\nwant %s\nfrom %s", dumpEvent(ev), dumpEvent(want), data)
	}

	rules, err := Parse([]byte("path:src/api/* #backend\nurl:*checkout* #payments"), "rules")
	if err != nil {
		t.Fatal(err)
	}
	// Documented precedence: the last matching rule wins.
	d := Owners(rules, ev, Options{})
	if d.Assignee == nil || d.Assignee.String() != "#payments" || len(d.Matches) != 2 {
		t.Errorf("documented: %+v", d)
	}
	if got := owners(d); !reflect.DeepEqual(got, []string{"#payments", "#backend"}) {
		t.Errorf("documented owners %v", got)
	}
	// Frame priority: the path match on the raising frame (last) outranks the url: match.
	d = Owners(rules, ev, Options{FramePriority: true})
	if d.Assignee == nil || d.Assignee.String() != "#backend" || d.Matches[0].Frame != 2 {
		t.Errorf("frame priority: %+v", d)
	}
	// tags.user.<field> rules see the decoded user, data included.
	rules, err = Parse([]byte("tags.user.plan:enterprise #vip\ntags.region:eu-* #eu"), "rules")
	if err != nil {
		t.Fatal(err)
	}
	if d := Owners(rules, ev, Options{}); len(d.Matches) != 2 || d.Assignee.String() != "#eu" {
		t.Errorf("tags: %+v", d)
	}
}

// The event example of Sentry's OpenAPI description, as the API returns it.
func TestDecodeEventOpenAPIExample(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile(testenv.External(t, "sentry-openapi", "openapi-derefed.json"))
	if err != nil {
		t.Fatal(err)
	}
	var spec struct {
		Paths map[string]map[string]struct {
			Responses map[string]struct {
				Content map[string]struct {
					Examples map[string]struct {
						Value json.RawMessage `json:"value"`
					} `json:"examples"`
				} `json:"content"`
			} `json:"responses"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(raw, &spec); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{
		"/api/0/projects/{organization_id_or_slug}/{project_id_or_slug}/events/{event_id}/",
		"/api/0/organizations/{organization_id_or_slug}/issues/{issue_id}/events/{event_id}/",
	} {
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			ex := spec.Paths[path]["get"].Responses["200"].Content["application/json"].Examples["ReturnAnIssueEvent"].Value
			if len(ex) == 0 {
				t.Fatalf("no ReturnAnIssueEvent example for GET %s", path)
			}
			ev, err := DecodeEvent(ex)
			if err != nil {
				t.Fatal(err)
			}
			const base = "/usr/src/getsentry/src/sentry/node_modules/"
			want := Event{
				Platform: "javascript",
				SDKName:  "sentry.javascript.browser",
				// The processed stack trace only; rawStacktrace (vendor.js) is not read.
				Frames: []Frame{
					{Filename: base + "@sentry/browser/esm/helpers.js", AbsPath: "webpack:///" + base + "@sentry/browser/esm/helpers.js", Module: base[1:] + "@sentry/browser/esm/helpers", InApp: bp(false)},
					{Filename: base + "reflux-core/lib/PublisherMethods.js", AbsPath: "webpack:///" + base + "reflux-core/lib/PublisherMethods.js", Module: base[1:] + "reflux-core/lib/PublisherMethods", InApp: bp(false)},
				},
				URL: "https://sentry.io/organizations/hellboy-meowmeow/issues/",
				Tags: map[string]string{
					"browser": "Chrome 83.0.4103", "browser.name": "Chrome", "environment": "prod",
					"handled": "yes", "level": "error", "mechanism": "generic",
				},
				User: EventUser{ID: "550747", Email: "hell@boy.cat", IPAddress: "192.168.1.1", Name: "Hell Boy", Data: map[string]string{"isStaff": "false"}},
			}
			if !reflect.DeepEqual(ev, want) {
				t.Fatalf("got  %s\nwant %s", dumpEvent(ev), dumpEvent(want))
			}
			rules, err := Parse([]byte("codeowners:*.js #frontend\npath:*/reflux-core/* #vendor\nurl:https://sentry.io/organizations/* #web\ntags.user.isStaff:false #support"), "rules")
			if err != nil {
				t.Fatal(err)
			}
			d := Owners(rules, ev, Options{FramePriority: true})
			// Both frames say inApp false, so the codeowners: rule skips them.
			var matched []string
			for _, m := range d.Matches {
				matched = append(matched, m.Rule.Matcher())
			}
			if want := []string{"path:*/reflux-core/*", "url:https://sentry.io/organizations/*", "tags.user.isStaff:false"}; !reflect.DeepEqual(matched, want) {
				t.Errorf("matched %q, want %q", matched, want)
			}
			if d.Assignee == nil || d.Assignee.String() != "#vendor" {
				t.Errorf("assignee %v", d.Assignee)
			}
		})
	}
}

// A 10 MB event with tens of thousands of frames full of fields nobody reads decodes whole.
func TestDecodeEventLarge(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString(`{"platform": "python", "breadcrumbs": {"values": [`)
	for i := range 2000 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"message": %q, "data": {"i": %d}}`, strings.Repeat("crumb ", 40), i)
	}
	b.WriteString(`]}, "exception": {"values": [{"stacktrace": {"frames": [`)
	const frames = 25000
	for i := range frames {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"filename": "src/mod%d.py", "abs_path": "/app/src/mod%d.py", "module": "mod%d", "in_app": %t, "lineno": %d, "pre_context": [%q, %q], "context_line": %q, "vars": {"self": %q, "args": [1, 2, {"k": "v"}]}}`,
			i, i, i, i%2 == 0, i, strings.Repeat("#", 60), strings.Repeat("x", 60), strings.Repeat("y", 80), strings.Repeat("<obj>", 20))
	}
	b.WriteString(`]}}]}}`)
	data := []byte(b.String())
	if len(data) < 10<<20 {
		t.Fatalf("test event is only %d bytes", len(data))
	}
	ev, err := DecodeEvent(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(ev.Frames) != frames || ev.Frames[frames-1].Module != fmt.Sprintf("mod%d", frames-1) || *ev.Frames[1].InApp {
		t.Fatalf("got %d frames, last %+v", len(ev.Frames), ev.Frames[len(ev.Frames)-1])
	}
}

func dumpEvent(ev Event) string {
	var b strings.Builder
	fmt.Fprintf(&b, "{Platform:%q SDKName:%q URL:%q Tags:%v User:%+v Frames:[", ev.Platform, ev.SDKName, ev.URL, ev.Tags, ev.User)
	for i, f := range ev.Frames {
		if i > 0 {
			b.WriteString(" ")
		}
		inApp := "nil"
		if f.InApp != nil {
			inApp = fmt.Sprint(*f.InApp)
		}
		fmt.Fprintf(&b, "{%q %q %q %q %s}", f.Filename, f.AbsPath, f.Module, f.Package, inApp)
	}
	b.WriteString("]}")
	return b.String()
}

// encodeEvent writes ev as an event of the given shape ("ingestion" or "api"), all frames in
// the top-level stack trace, for round trips.
func encodeEvent(ev Event, shape string) []byte {
	absKey, inAppKey := "abs_path", "in_app"
	if shape == "api" {
		absKey, inAppKey = "absPath", "inApp"
	}
	frames := []map[string]any{}
	for _, f := range ev.Frames {
		m := map[string]any{"filename": f.Filename, absKey: f.AbsPath, "module": f.Module, "package": f.Package}
		if f.InApp != nil {
			m[inAppKey] = *f.InApp
		}
		frames = append(frames, m)
	}
	user := map[string]any{"id": ev.User.ID, "email": ev.User.Email, "username": ev.User.Username,
		"ip_address": ev.User.IPAddress, "name": ev.User.Name, "data": ev.User.Data}
	out := map[string]any{"platform": ev.Platform, "sdk": map[string]any{"name": ev.SDKName}, "user": user}
	if shape == "api" {
		var tags []map[string]string
		for k, v := range ev.Tags {
			tags = append(tags, map[string]string{"key": k, "value": v})
		}
		out["tags"] = tags
		out["entries"] = []any{
			map[string]any{"type": "stacktrace", "data": map[string]any{"frames": frames}},
			map[string]any{"type": "request", "data": map[string]any{"url": ev.URL}},
		}
	} else {
		out["tags"] = ev.Tags
		out["stacktrace"] = map[string]any{"frames": frames}
		out["request"] = map[string]any{"url": ev.URL}
	}
	data, err := json.Marshal(out)
	if err != nil {
		panic(err)
	}
	return data
}

// FuzzDecodeEvent checks that DecodeEvent never panics, accepts only valid JSON, keeps only
// frames a rule could match, and that what it returns survives a round trip through both
// shapes unchanged.
func FuzzDecodeEvent(f *testing.F) {
	for _, s := range []string{
		`{"platform":"java","exception":{"values":[{"stacktrace":{"frames":[{"module":"a.b.C","filename":"C.java","in_app":true}]}}]},"tags":[["k","v"]]}`,
		`{"entries":[{"type":"exception","data":{"values":[{"stacktrace":{"frames":[{"absPath":"/x.js","inApp":false}]}}]}},{"data":{"url":"https://e.com/c"},"type":"request"}],"tags":[{"key":"a","value":1}]}`,
		`{"exception":[{"stacktrace":{"frames":[{"filename":"e.go"}]}}],"threads":[{"stacktrace":{"frames":[{"module":"m"}]}}],"stacktrace":{"frames":[null,{}]}}`,
		`{"user":{"id":1,"data":{"a":"b","n":2,"o":{}}},"tags":{"x":{"y":[1]},"z":null},"request":{"url":null}}`,
		`{"exception":"x"}`,
		`{"tags":[["a","b","c"]]}`,
	} {
		f.Add([]byte(s))
	}
	rules, err := Parse([]byte("path:src/* #a\nmodule:*.b.* #b\ncodeowners:*.go #c\nurl:*e* #d\ntags.user.a:b #e\ntags.k:* #f"), "fuzz")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ev, err := DecodeEvent(data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "sentry event: ") {
				t.Fatalf("error without the prefix: %v", err)
			}
			if !reflect.DeepEqual(ev, Event{}) {
				t.Fatalf("error %v with a non-zero event", err)
			}
			return
		}
		if !json.Valid(data) {
			t.Fatalf("accepted invalid JSON %q", data)
		}
		for i, fr := range ev.Frames {
			if fr.Filename == "" && fr.AbsPath == "" && fr.Module == "" {
				t.Fatalf("frame %d has nothing a rule could match: %+v", i, fr)
			}
		}
		if ev.Tags != nil && len(ev.Tags) == 0 || ev.User.Data != nil && len(ev.User.Data) == 0 {
			t.Fatalf("empty non-nil map in %s", dumpEvent(ev))
		}
		for _, shape := range []string{"ingestion", "api"} {
			again, err := DecodeEvent(encodeEvent(ev, shape))
			if err != nil {
				t.Fatalf("%s round trip: %v", shape, err)
			}
			if !reflect.DeepEqual(again, ev) {
				t.Fatalf("%s round trip:\n got %s\nwant %s", shape, dumpEvent(again), dumpEvent(ev))
			}
		}
		Owners(rules, ev, Options{FramePriority: true})
		Owners(rules, ev, Options{})
	})
}
