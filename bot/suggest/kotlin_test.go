package suggest

import (
	"encoding/json"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/releasegate/releasegate/internal/sentryapi"
	"github.com/releasegate/releasegate/internal/testenv"
)

const ktSession = `package com.acme.shop.session

import okhttp3.WebSocket

class SessionManager(private val prefs: Prefs) {
    private var socket: WebSocket? = null
    private var token: String? = null
    private lateinit var adapter: Adapter

    fun signOut() {
        socket!!.close(1000, "signed out")
        socket = null
    }

    fun last() {
        prefs.save()
        socket!!.close(1000, "bye")
    }

    fun name(): String = token!!.trim()

    fun both() {
        socket!!.send(token!!)
        prefs.save()
    }

    fun chained() {
        socket!!.request().cancel()
        prefs.save()
    }

    fun template() {
        socket!!.send("token ${token!!}")
        prefs.save()
    }

    fun used() {
        val n = socket!!.queueSize()
        prefs.save(n)
    }

    fun lambda(button: Button) {
        button.setOnClickListener {
            socket!!.close(1000, "click")
        }
    }

    fun continued() {
        val ok = prefs.ready() &&
            socket!!.send("x")
        prefs.save(ok)
    }

    fun plain() {
        prefs.save()
        prefs.flush()
    }

    fun show() {
        adapter.submit()
        prefs.save()
    }

    fun cast(x: Any?) {
        val s = x as String
        prefs.save(s)
    }
}
`

// kotlinRun prepares an input as Suggest does and runs kotlinRule (jvm.go calls it for Kotlin
// files), checking a fix the way Suggest checks it.
func kotlinRun(t *testing.T, src, at, typ, value string) Result {
	t.Helper()
	line := 0
	for i, l := range strings.Split(src, "\n") {
		if strings.Contains(l, at) {
			line = i + 1
			break
		}
	}
	if line == 0 {
		t.Fatalf("no line holds %q", at)
	}
	return kotlinSuggest(t, Input{Exception: Exception{Type: typ, Value: value}, Frame: Frame{Path: "app/src/main/kotlin/com/acme/shop/session/SessionManager.kt", Line: line}, Source: []byte(src)})
}

func kotlinSuggest(t *testing.T, in Input) Result {
	t.Helper()
	res := Result{Suggester: ByRules, File: in.Frame.Path, Line: in.Frame.Line}
	c, why := prepare(in)
	if why != "" {
		t.Fatalf("prepare: %s", why)
	}
	fix, abstain := kotlinRule(c)
	switch {
	case abstain != "":
		res.AbstainReason = abstain
		return res
	case fix == nil:
		res.AbstainReason = "no rule knows " + describe(in.Exception)
		return res
	}
	return finish(c, fix, Options{}, res)
}

func TestKotlinNotNullAssertion(t *testing.T) {
	t.Parallel()
	const npe = "java.lang.NullPointerException"
	tests := []struct {
		name, at, typ, value string
		with                 string
		abstain              string
	}{
		{name: "a lone call followed by another statement", at: `socket!!.close(1000, "signed out")`, typ: npe, with: `        socket?.close(1000, "signed out")`},
		{name: "the last statement of a function's body", at: `socket!!.close(1000, "bye")`, typ: "NullPointerException", with: `        socket?.close(1000, "bye")`},
		{name: "Kotlin before 1.4", at: `socket!!.close(1000, "signed out")`, typ: "kotlin.KotlinNullPointerException", with: `        socket?.close(1000, "signed out")`},
		{name: "an expression body uses the value", at: "token!!.trim()", typ: npe, abstain: "not a lone call"},
		{name: "two assertions", at: "socket!!.send(token!!)", typ: npe, abstain: "holds 2 `!!`"},
		{name: "called on again", at: "socket!!.request().cancel()", typ: npe, abstain: "not a lone call"},
		{name: "another assertion in a string template", at: `socket!!.send("token ${token!!}")`, typ: npe, abstain: "string template"},
		{name: "the value is assigned", at: "val n = socket!!.queueSize()", typ: npe, abstain: "not a lone call"},
		{name: "a lambda's last statement", at: `socket!!.close(1000, "click")`, typ: npe, abstain: "the last of a block"},
		{name: "continues the line before", at: `socket!!.send("x")`, typ: npe, abstain: "continues the line before"},
		{name: "no assertion on the line", at: "prefs.flush()", typ: npe, abstain: "has no `!!`"},
		{name: "lateinit", at: "adapter.submit()", typ: "kotlin.UninitializedPropertyAccessException", value: "lateinit property adapter has not been initialized", abstain: "`adapter` is a lateinit property"},
		{name: "a cast of null", at: "val s = x as String", typ: npe, value: "null cannot be cast to non-null type kotlin.String", abstain: "cast with `as`"},
		{name: "Java passed null", at: "prefs.flush()", typ: npe, value: "Parameter specified as non-null is null: method com.acme.shop.session.SessionManager.plain, parameter x", abstain: "the fix belongs at the caller"},
		{name: "a helpful JVM message is the Java rules'", at: "prefs.flush()", typ: npe, value: `Cannot invoke "Prefs.flush()" because "this.prefs" is null`, abstain: "no rule knows"},
		{name: "another exception", at: "prefs.flush()", typ: "java.lang.IllegalStateException", value: "closed", abstain: "no rule knows"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := kotlinRun(t, ktSession, tc.at, tc.typ, tc.value)
			if tc.abstain != "" {
				if res.Suggested || !strings.Contains(res.AbstainReason, tc.abstain) {
					t.Fatalf("got suggested=%v %q, want an abstention containing %q\n%s", res.Suggested, res.AbstainReason, tc.abstain, res.Diff)
				}
				return
			}
			if !res.Suggested {
				t.Fatalf("abstained: %s", res.AbstainReason)
			}
			if res.Change.Start != res.Line || res.Change.End != res.Line || len(res.Change.New) != 1 || res.Change.New[0] != tc.with {
				t.Fatalf("change %d..%d %q, want line %d → %q", res.Change.Start, res.Change.End, res.Change.New, res.Line, tc.with)
			}
			if res.Family != "kt-not-null-assertion" || res.Confidence != Medium {
				t.Errorf("family %q confidence %q", res.Family, res.Confidence)
			}
			if err := CheckBalanced(Kotlin)("x.kt", res.Patched); err != nil {
				t.Errorf("patched file: %v", err)
			}
			if !strings.Contains(res.Explanation, "`socket` is null at app/src/main/kotlin/com/acme/shop/session/SessionManager.kt:") {
				t.Errorf("explanation: %s", res.Explanation)
			}
		})
	}
}

func TestKotlinRuleIgnoresOtherLanguages(t *testing.T) {
	t.Parallel()
	c, why := prepare(Input{Exception: Exception{Type: "java.lang.NullPointerException"}, Frame: Frame{Path: "A.java", Line: 1}, Source: []byte("class A { void f() { x!!.g(); } }\n")})
	if why != "" {
		t.Fatal(why)
	}
	if fix, abstain := kotlinRule(c); fix != nil || abstain != "" {
		t.Fatalf("kotlinRule answered for Java: %v %q", fix, abstain)
	}
}

// TestKotlinCorpusCases runs the corpus's Kotlin cases through kotlinRule directly: the corpus
// harness reaches it only through jvm.go's rules. The event's top in-app frame must name the
// case's one file, and the result must be what case.json says.
func TestKotlinCorpusCases(t *testing.T) {
	t.Parallel()
	dirs, err := filepath.Glob(filepath.Join(testenv.RepoRoot(t), "testdata", "suggest-corpus", "kt-*"))
	if err != nil || len(dirs) < 4 {
		t.Fatalf("kt-* cases: %d, %v", len(dirs), err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			in, want := kotlinCorpusInput(t, dir)
			res := kotlinSuggest(t, in)
			switch want.Want {
			case "abstain":
				if res.Suggested || !strings.Contains(res.AbstainReason, want.Because) {
					t.Fatalf("got suggested=%v %q, want an abstention containing %q", res.Suggested, res.AbstainReason, want.Because)
				}
			case "suggest":
				if !res.Suggested {
					t.Fatalf("abstained: %s", res.AbstainReason)
				}
				if res.Family != want.Family || res.Line != want.Line || res.Change.Start != want.Start || res.Change.End != want.End || strings.Join(res.Change.New, "\n") != strings.Join(want.With, "\n") {
					t.Fatalf("got %s line %d, %d..%d %q; want %+v", res.Family, res.Line, res.Change.Start, res.Change.End, res.Change.New, want)
				}
			default:
				t.Fatalf("case.json wants %q", want.Want)
			}
		})
	}
}

type kotlinCorpusCase struct {
	Want, Family, Because string
	Line, Start, End      int
	With                  []string
}

func kotlinCorpusInput(t *testing.T, dir string) (Input, kotlinCorpusCase) {
	t.Helper()
	var want kotlinCorpusCase
	b, err := os.ReadFile(filepath.Join(dir, "case.json"))
	if err == nil {
		err = json.Unmarshal(b, &want)
	}
	if err != nil {
		t.Fatal(err)
	}
	b, err = os.ReadFile(filepath.Join(dir, "event.json"))
	if err != nil {
		t.Fatal(err)
	}
	ev, err := sentryapi.DecodeEvent(b)
	if err != nil {
		t.Fatal(err)
	}
	excs, err := ev.Exceptions()
	if err != nil || len(excs) == 0 || excs[len(excs)-1].Stacktrace == nil {
		t.Fatalf("exceptions: %v", err)
	}
	exc := excs[len(excs)-1]
	var top *sentryapi.Frame
	for i := range exc.Stacktrace.Frames {
		if exc.Stacktrace.Frames[i].InApp {
			top = &exc.Stacktrace.Frames[i]
		}
	}
	var files []string
	repo := filepath.Join(dir, "repo")
	err = filepath.WalkDir(repo, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, p)
		}
		return err
	})
	if err != nil || len(files) != 1 || top == nil || filepath.Base(files[0]) != top.Filename {
		t.Fatalf("want one file named as the top in-app frame; files %v, frame %+v, %v", files, top, err)
	}
	rel, _ := filepath.Rel(repo, files[0])
	rel = filepath.ToSlash(rel)
	if pkg := strings.ReplaceAll(top.Module, ".", "/"); !strings.HasSuffix(rel, path.Dir(pkg)+"/"+top.Filename) {
		t.Fatalf("%s is not where module %s puts %s", rel, top.Module, top.Filename)
	}
	src, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	in := Input{Exception: Exception{Type: exc.Type, Value: exc.Value}, Frame: Frame{Path: rel, Line: top.LineNo, Function: top.Function, Module: top.Module}, Source: src}
	for _, cl := range top.Context {
		in.Frame.Context = append(in.Frame.Context, ContextLine{Line: cl.Line, Text: cl.Text})
	}
	return in, want
}
