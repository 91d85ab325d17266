package sentryapi

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestFlexibleDecoders(t *testing.T) {
	t.Parallel()
	var v struct {
		ID    ID            `json:"id"`
		N     Count         `json:"n"`
		P     StatsPoint    `json:"p"`
		Lines []ContextLine `json:"lines"`
	}
	tests := []struct {
		in    string
		check func() bool
	}{
		{`{"id":"42"}`, func() bool { return v.ID == "42" }},
		{`{"id":1122684517}`, func() bool { return v.ID == "1122684517" }},
		{`{"id":null}`, func() bool { return v.ID == "" }},
		{`{"n":"150"}`, func() bool { return v.N == 150 }},
		{`{"n":7}`, func() bool { return v.N == 7 }},
		{`{"n":null}`, func() bool { return v.N == 0 }},
		{`{"n":"1.5e3"}`, func() bool { return v.N == 1500 }},
		{`{"p":[1541455200, 473]}`, func() bool { return v.P.Count == 473 && v.P.Time.Equal(time.Unix(1541455200, 0)) }},
		{`{"p":[1541455200, null]}`, func() bool { return v.P.Count == 0 }},
		{`{"lines":[[66,"  }"],[67,null]]}`, func() bool {
			return len(v.Lines) == 2 && v.Lines[0].Line == 66 && v.Lines[0].Text == "  }" && v.Lines[1].Text == ""
		}},
	}
	for _, tc := range tests {
		v.ID, v.N, v.P, v.Lines = "x", -1, StatsPoint{}, nil
		if err := json.Unmarshal([]byte(tc.in), &v); err != nil || !tc.check() {
			t.Errorf("%s: err %v, got %+v", tc.in, err, v)
		}
	}
	for _, bad := range []string{`{"id":true}`, `{"n":"many"}`, `{"p":[1]}`, `{"p":"x"}`, `{"lines":[[1]]}`, `{"lines":[["a","b"]]}`} {
		if err := json.Unmarshal([]byte(bad), &v); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

func TestActivityDataString(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, data string
		want       string
		ok         bool
	}{
		{"version", `{"version":"web@2.0.0","event_id":"abc"}`, "web@2.0.0", true},
		{"empty version: the event had no release", `{"version":""}`, "", true},
		{"no version", `{}`, "", false},
		{"version not a string", `{"version":2}`, "", false},
		{"version null", `{"version":null}`, "", false},
		{"data null", `null`, "", false},
		{"data not an object", `"web@2.0.0"`, "", false},
		{"data missing", ``, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a := Activity{Type: ActivitySetRegression, Data: json.RawMessage(tc.data)}
			got, ok := a.DataString("version")
			if got != tc.want || ok != tc.ok {
				t.Errorf("DataString(version) = %q, %v; want %q, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}

// FuzzDecoders feeds arbitrary JSON to the hand-written decoders and the error-detail parser:
// they may reject it but must not panic.
func FuzzDecoders(f *testing.F) {
	for _, s := range []string{`"150"`, `42`, `null`, `[1541455200, 473]`, `[66, "line"]`, `{"detail":{"message":"m"}}`, `{"a":["b",{"c":1}]}`, `{"type":"set_regression","data":{"version":"1.0"}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var id ID
		_ = json.Unmarshal(b, &id)
		var n Count
		_ = json.Unmarshal(b, &n)
		var p StatsPoint
		_ = json.Unmarshal(b, &p)
		var l ContextLine
		_ = json.Unmarshal(b, &l)
		var a Activity
		if json.Unmarshal(b, &a) == nil {
			_, _ = a.DataString("version")
		}
		_ = errorDetail(b)
	})
}

// FuzzEscapeSegment checks that every segment the client accepts reaches the server unchanged
// and stays one segment.
func FuzzEscapeSegment(f *testing.F) {
	for _, s := range []string{"app@1.0+build 7", "100%", "ünï", "a?b#c", "..."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if checkSegment(s) != nil {
			return
		}
		e := escapeSegment(s)
		if strings.ContainsAny(e, "/?#+ ;") {
			t.Errorf("escapeSegment(%q) = %q keeps a reserved character", s, e)
		}
		if got, err := url.PathUnescape(e); err != nil || got != s {
			t.Errorf("PathUnescape(escapeSegment(%q)) = %q, %v", s, got, err)
		}
	})
}
