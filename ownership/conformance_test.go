package ownership

import (
	"reflect"
	"testing"
)

// The cases of §5.6 of the reference (Sentry's tests/sentry/issues/ownership/test_grammar.py),
// one named case per check, exactly as listed there.

func TestConformanceParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		line string
		want Rule
	}{
		{"1 bare pattern is path, emails lower-cased", "*.js   #frontend m@ROBENOLT.com",
			Rule{Type: Path, Pattern: "*.js", Owners: []Owner{{Team, "frontend"}, {User, "m@robenolt.com"}}}},
		{"2 leading spaces, url", "  url:http://google.com/* #backend",
			Rule{Type: URL, Pattern: "http://google.com/*", Owners: []Owner{{Team, "backend"}}}},
		{"3 quoted tag pattern", `tags.foo:"bar baz"  tagperson@sentry.io`,
			Rule{Type: Tag, TagKey: "foo", Pattern: "bar baz", Owners: []Owner{{User, "tagperson@sentry.io"}}}},
		{"4 quoted module pattern", `module:"foo bar"  meow@sentry.io`,
			Rule{Type: Module, Pattern: "foo bar", Owners: []Owner{{User, "meow@sentry.io"}}}},
		{"5 codeowners", "codeowners:frontend/*.ts  githubmod@sentry.io",
			Rule{Type: CodeOwners, Pattern: "frontend/*.ts", Owners: []Owner{{User, "githubmod@sentry.io"}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rules, err := Parse([]byte(tc.line), "ownership")
			if err != nil {
				t.Fatal(err)
			}
			if len(rules) != 1 {
				t.Fatalf("got %d rules, want 1", len(rules))
			}
			got := rules[0]
			got.m, got.File, got.Line, got.Text = nil, "", 0, ""
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
	t.Run("5 comments and empty lines give no rule", func(t *testing.T) {
		t.Parallel()
		rules, err := Parse([]byte("# a comment\n\n   \n  # indented\n"), "ownership")
		if err != nil || len(rules) != 0 {
			t.Fatalf("got %v, %v; want no rules", rules, err)
		}
	})
	t.Run("round trip does not re-add quotes", func(t *testing.T) {
		t.Parallel()
		rules, err := Parse([]byte("*.js #frontend m@ROBENOLT.com\nmodule:\"foo bar\" meow@sentry.io\n"), "f")
		if err != nil {
			t.Fatal(err)
		}
		if got := rules[0].String() + "\n" + rules[1].String(); got != "path:*.js #frontend m@robenolt.com\nmodule:foo bar meow@sentry.io" {
			t.Errorf("got %q", got)
		}
	})
}

func bp(b bool) *bool { return &b }

type matchCase struct {
	name string
	rule string
	ev   Event
	want bool
}

func runMatchCases(t *testing.T, cases []matchCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rules, err := Parse([]byte(tc.rule+" #team"), "ownership")
			if err != nil {
				t.Fatal(err)
			}
			d := Owners(rules, tc.ev, Options{})
			if got := len(d.Matches) == 1; got != tc.want {
				t.Errorf("%s matched = %v, want %v", tc.rule, got, tc.want)
			}
		})
	}
}

func TestConformanceMatch(t *testing.T) {
	t.Parallel()
	// Frames from exception, top-level stacktrace (st) or threads all end up in Event.Frames,
	// so case 6's three variants are one event here.
	ev6 := Event{Frames: []Frame{{Filename: "foo/file.py"}, {AbsPath: "/usr/local/src/other/app.py"}}}
	ev7 := Event{Frames: []Frame{{Filename: "foo/file.py", AbsPath: "/usr/local/src/other/app.py"}}}
	ev8 := Event{URL: "http://example.com/foo.js"}
	ev9 := Event{Tags: map[string]string{"foo": "foo_value", "bar": "barval"}}
	ev10 := Event{Frames: []Frame{
		{Module: "com.android.internal.os.Init"},
		{Module: "com.android.internal.os.RuntimeInit$MethodAndArgsCaller"},
		{Module: "com.sentry.somethinginthemiddle.CustomModuleForMeowing"},
	}}
	ev11 := Event{Platform: "javascript", Frames: []Frame{
		{Filename: "src/screens/EndToEndTestsScreen.tsx", AbsPath: "app:///src/screens/EndToEndTestsScreen.tsx", InApp: bp(true)},
		// The reference names only the node_modules/react-native/… frame; this is its full path.
		{Filename: "node_modules/react-native/Libraries/BatchedBridge/MessageQueue.js",
			AbsPath: "app:///node_modules/react-native/Libraries/BatchedBridge/MessageQueue.js", InApp: bp(false)},
	}}
	javaFrame := Frame{Module: "jdk.internal.reflect.NativeMethodAccessorImpl", AbsPath: "NativeMethodAccessor.java", Filename: "NativeMethodAccessorImpl.java"}
	ev12 := Event{Platform: "java", Frames: []Frame{javaFrame}}
	ev12none := Event{Frames: []Frame{{Module: javaFrame.Module, Filename: javaFrame.Filename}}}
	ev13 := Event{Platform: "cocoa", Frames: []Frame{{Package: "SampleProject",
		AbsPath: "/Users/gszeto/code/SwiftySampleProject/SampleProject/Classes/App Delegate/AppDelegate.swift"}}}
	ev14 := Event{Platform: "other", SDKName: "sentry.dart.flutter", Frames: []Frame{
		{AbsPath: "package:sentry_flutter_example/a/b/test.dart", Filename: "test.dart", InApp: bp(true)},
		// The reference names only the non-in-app frame's pattern; this is Flutter's usual path.
		{AbsPath: "package:flutter/src/material/ink_well.dart", Filename: "ink_well.dart", InApp: bp(false)},
	}}
	noURL := Event{}

	runMatchCases(t, []matchCase{
		{"6 path:*.py", "path:*.py", ev6, true},
		{"6 path:foo/*.py", "path:foo/*.py", ev6, true},
		{"6 path:/usr/local/src/*/app.py", "path:/usr/local/src/*/app.py", ev6, true},
		{"6 path:*.js", "path:*.js", ev6, false},
		{"6 path:*.jsx", "path:*.jsx", ev6, false},
		{"6 url:*.py", "url:*.py", ev6, false},

		{"7 abs_path tried", "path:/usr/local/src/*/app.py", ev7, true},
		{"7 path:*local/src/*", "path:*local/src/*", ev7, true},

		{"8 url:*.js", "url:*.js", ev8, true},
		{"8 url:http://*.com/foo.js", "url:http://*.com/foo.js", ev8, true},
		{"8 url:*.py", "url:*.py", ev8, false},
		{"8 url:*.jsx", "url:*.jsx", ev8, false},
		{"8 path:*.js against url", "path:*.js", ev8, false},
		{"8 no request", "url:*.js", noURL, false},

		{"9 tags.foo:foo_value", "tags.foo:foo_value", ev9, true},
		{"9 tags.bar:barval", "tags.bar:barval", ev9, true},
		{"9 tags.barz:barval", "tags.barz:barval", ev9, false},
		{"9 tags missing", "tags.foo:foo_value", Event{}, false},

		{"10 module:*os.Init", "module:*os.Init", ev10, true},
		{"10 module:*somethinginthemiddle*", "module:*somethinginthemiddle*", ev10, true},
		{"10 module:com.android*", "module:com.android*", ev10, true},
		{"10 full module", "module:com.android.internal.os.RuntimeInit$MethodAndArgsCaller", ev10, true},
		{"10 module:com.android", "module:com.android", ev10, false},
		{"10 module:os.Init", "module:os.Init", ev10, false},
		{"10 module:com.android.internal.os", "module:com.android.internal.os", ev10, false},
		{"10 module:*somethingattheend", "module:*somethingattheend", ev10, false},

		{"11 path:src/*/EndToEndTestsScreen.tsx", "path:src/*/EndToEndTestsScreen.tsx", ev11, true},
		{"11 path:*/EndToEndTestsScreen.tsx", "path:*/EndToEndTestsScreen.tsx", ev11, true},
		{"11 path:**/EndToEndTestsScreen.tsx", "path:**/EndToEndTestsScreen.tsx", ev11, true},
		{"11 path:*.tsx", "path:*.tsx", ev11, true},
		{"11 path:app:///src/screens/EndToEndTestsScreen.tsx", "path:app:///src/screens/EndToEndTestsScreen.tsx", ev11, true},
		{"11 non-in-app frame", "path:**/Libraries/BatchedBridge/MessageQueue.js", ev11, true},
		{"11 url:*.tsx", "url:*.tsx", ev11, false},

		{"12 java munged jdk/internal/reflect/*.java", "path:jdk/internal/reflect/*.java", ev12, true},
		{"12 java munged jdk/internal/*/NativeMethodAccessor.java", "path:jdk/internal/*/NativeMethodAccessor.java", ev12, true},
		{"12 no platform filename", "path:NativeMethodAccessorImpl.java", ev12none, true},
		{"12 no platform *.java", "path:*.java", ev12none, true},
		{"12 no platform no munging", "path:jdk/internal/reflect/*.java", ev12none, false},

		{"13 cocoa munged", `path:"SampleProject/Classes/App Delegate/AppDelegate.swift"`, ev13, true},
		{"13 cocoa not from above package", `path:"SwiftySampleProject/SampleProject/Classes/App Delegate/AppDelegate.swift"`, ev13, false},
		{"13 cocoa **/", `path:"**/App Delegate/AppDelegate.swift"`, ev13, true},

		{"14 flutter a/b/test.dart", "path:a/b/test.dart", ev14, true},
		{"14 flutter a/*/test.dart", "path:a/*/test.dart", ev14, true},
		{"14 flutter package: path", "path:package:sentry_flutter_example/a/b/test.dart", ev14, true},
		{"14 flutter non-in-app frame", "path:src/material/ink_well.dart", ev14, true},
	})
}

// coEvent is the frame list of cases 15–21: [{filename: F}, {abs_path: "/usr/local/src/"+F}].
func coEvent(f string) Event {
	return Event{Frames: []Frame{{Filename: f}, {AbsPath: "/usr/local/src/" + f}}}
}

func TestConformanceCodeowners(t *testing.T) {
	t.Parallel()
	var cases []matchCase
	add := func(n, pattern, file string, want bool) {
		cases = append(cases, matchCase{n + " " + pattern + " vs " + file, "codeowners:" + pattern, coEvent(file), want})
	}
	add("15", "test.py", "foo/test.py", true)
	add("15", "test.py", "config/subdir/baz.py", false)
	add("15", "test.py", "config/test.py/not_test.json", true)
	add("16", "*.py", "foo/test.py", true)
	add("16", "*.py", "config/subdir/baz.txt", false)
	add("16", "*.py", "config/dir.py/baz.js", true)
	add("17", "/usr/local/src/foo/*.py", "foo/test.py", true)
	add("17", "/usr/local/src/foo/*.py", "foo/dir.py/py_dir.txt", true)
	add("17", "/usr/local/src/foo/*.py", "foo/test.txt", false)
	add("17", "/usr/local/src/foo/*.py", "config/foo/test.py", false)
	add("18", "foo/*/test.py", "foo/bar/test.py", true)
	add("18", "foo/*/test.py", "foo/bar/baz/test.py", false)
	add("18", "foo/*/test.py", "foo/test.py", false)
	add("18", "foo/**/test.py", "foo/bar/test.py", true)
	add("18", "foo/**/test.py", "foo/bar/baz/test.py", true)
	add("18", "foo/**/test.py", "foo/test.py", true)
	add("18", "foo/**/test.py", "test.py", false)
	for _, p := range []string{"/usr/local/src/foo/", "/usr/local/src/foo/**"} {
		add("19", p, "foo/test.py", true)
		add("19", p, "foo/subdir/baz.py", true)
		add("19", p, "foo", false)
		add("19", p, "config/src/foo/subdir/test.py", false)
	}
	// Case 19 looks at odds with case 17: "foo/*.py" covers foo/dir.py/py_dir.txt (a
	// directory matched), yet "foo/*" does not cover foo/subdir/baz.py. Both are kept as
	// Sentry's tests state them; a trailing "/*" is matched against entries directly inside.
	add("19", "/usr/local/src/foo/*", "foo/test.py", true)
	add("19", "/usr/local/src/foo/*", "foo/subdir/baz.py", false)
	add("20", "test.?y", "foo/test.py", true)
	add("20", "test.?y", "foo/test.jy", true)
	add("20", "test.?y", "foo/test.;y", true)
	add("20", "test.?y", "foo/test.pt", false)
	add("20", "test.?y", "foo/test./y", false)
	add("21", "foo/", "foo/test.py", true)
	add("21", "foo/", "bar/foo/test.py", true)
	add("21", "foo/", "foo", false)
	inApp := func(a, b *bool) Event {
		return Event{Frames: []Frame{{Filename: "foo/test.py", InApp: a}, {AbsPath: "/usr/local/src/foo/test.py", InApp: b}}}
	}
	cases = append(cases,
		matchCase{"22 both not in-app", "codeowners:test.py", inApp(bp(false), bp(false)), false},
		matchCase{"22 both in-app", "codeowners:test.py", inApp(bp(true), bp(true)), true},
		matchCase{"22 in_app absent", "codeowners:test.py", inApp(nil, nil), true},
		matchCase{"22 one false one true", "codeowners:test.py", inApp(bp(false), bp(true)), true},
	)
	// Cases 23–25 test single file names, not the coEvent pair.
	one := func(f string) Event { return Event{Frames: []Frame{{Filename: f}}} }
	cases = append(cases,
		matchCase{"23 unanchored-by-slash vs leading slash", "codeowners:libs/web/views/index/**", one("/libs/web/views/index/src/x.tsx"), false},
		matchCase{"23 leading slash both", "codeowners:/libs/web/views/index/**", one("/libs/web/views/index/src/x.tsx"), true},
		matchCase{"23 no leading slash both", "codeowners:libs/web/views/index/**", one("libs/web/views/index/src/x.tsx"), true},
		matchCase{"23 leading slash pattern only", "codeowners:/libs/web/views/index/**", one("libs/web/views/index/home.tsx"), true},
		matchCase{"24 bad_example", "codeowners:/**/example.py", one("/src/bad_example.py"), false},
		matchCase{"24 my_example", "codeowners:/**/example.py", one("/src/my_example.py"), false},
		matchCase{"24 **/example.py", "codeowners:**/example.py", one("/src/example.py"), true},
		matchCase{"25 **", "codeowners:**", one("src/a/b.py"), true},
		matchCase{"25 *", "codeowners:*", one("src/a/b.py"), true},
		matchCase{"25 /", "codeowners:/", one("/src/a/b.py"), true},
	)
	runMatchCases(t, cases)
}
