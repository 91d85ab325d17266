package main

import (
	"encoding/json"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/releasegate/releasegate/bot/suggest"
)

// TestTriageJSONDocumented: docs/output.md lists exactly the fields `triage --format json` can
// emit (from the output's type, so a field only an absent object carries counts too), and
// every field the golden run emits is listed.
func TestTriageJSONDocumented(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("../../docs/output.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(doc), "## `releasegate triage")
	if !ok {
		t.Fatal("docs/output.md has no section for releasegate triage")
	}
	if i := strings.Index(section, "\n## "); i >= 0 {
		section = section[:i]
	}
	var documented []string
	for _, m := range regexp.MustCompile("(?m)^\\| `([a-zA-Z_.\\[\\]]+)` \\|").FindAllStringSubmatch(section, -1) {
		documented = append(documented, m[1])
	}
	fromType := jsonPaths(reflect.TypeFor[triageOutput](), "")
	slices.Sort(documented)
	slices.Sort(fromType)
	if !slices.Equal(documented, fromType) {
		t.Errorf("docs/output.md's triage fields differ from the command's:\n documented only: %v\n emitted only: %v",
			minus(documented, fromType), minus(fromType, documented))
	}

	golden, err := os.ReadFile("testdata/golden/triage-json.golden")
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(golden, &v); err != nil {
		t.Fatal(err)
	}
	var emitted []string
	valuePaths(v, "", &emitted)
	if m := minus(emitted, documented); len(m) > 0 {
		t.Errorf("the command emits fields docs/output.md does not list: %v", m)
	}
}

func jsonPaths(t reflect.Type, prefix string) []string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var out []string
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		p := prefix + name
		out = append(out, p)
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		switch {
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
			out = append(out, jsonPaths(ft.Elem(), p+"[].")...)
		case ft.Kind() == reflect.Struct && ft != reflect.TypeFor[time.Time]():
			out = append(out, jsonPaths(ft, p+".")...)
		}
	}
	return out
}

func valuePaths(v any, prefix string, out *[]string) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			p := prefix + k
			if !slices.Contains(*out, p) {
				*out = append(*out, p)
			}
			valuePaths(x, p+".", out)
		}
	case []any:
		for _, x := range v {
			valuePaths(x, strings.TrimSuffix(prefix, ".")+"[].", out)
		}
	}
}

func minus(a, b []string) []string {
	var out []string
	for _, s := range a {
		if !slices.Contains(b, s) {
			out = append(out, s)
		}
	}
	return out
}

// TestSuggestJSONDocumented: docs/output.md lists exactly the fields `suggest --format json`
// emits, from the result's type.
func TestSuggestJSONDocumented(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("../../docs/output.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(doc), "## `releasegate suggest")
	if !ok {
		t.Fatal("docs/output.md has no section for releasegate suggest")
	}
	if i := strings.Index(section, "\n## "); i >= 0 {
		section = section[:i]
	}
	var documented []string
	for _, m := range regexp.MustCompile("(?m)^\\| `([a-zA-Z_.\\[\\]]+)` \\|").FindAllStringSubmatch(section, -1) {
		documented = append(documented, m[1])
	}
	fromType := jsonPaths(reflect.TypeFor[suggest.Result](), "")
	slices.Sort(documented)
	slices.Sort(fromType)
	if !slices.Equal(documented, fromType) {
		t.Errorf("docs/output.md's suggest fields differ from the command's:\n documented only: %v\n emitted only: %v",
			minus(documented, fromType), minus(fromType, documented))
	}
}
