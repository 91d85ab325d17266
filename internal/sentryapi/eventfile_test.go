package sentryapi

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDecodeEvent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		wantErr string
		check   func(t *testing.T, ev *Event)
	}{
		{
			name: "SDK event with context lines",
			in: `{"event_id":"e1","platform":"python","release":"billing@3.2.0","environment":"production",
			 "tags":{"tenant_id":"acme"},"user":{"id":"u1"},
			 "exception":{"values":[{"type":"KeyError","value":"'vat_rate'","stacktrace":{"frames":[
			   {"filename":"billing/invoices.py","abs_path":"/srv/app/billing/invoices.py","module":"billing.invoices","function":"total","lineno":12,"in_app":true,
			    "pre_context":["def total(inv):","    rates = load()"],"context_line":"    return rates['vat_rate']","post_context":[""]}]}}]}}`,
			check: func(t *testing.T, ev *Event) {
				excs, err := ev.Exceptions()
				if err != nil || len(excs) != 1 {
					t.Fatalf("exceptions %v, %v", excs, err)
				}
				fr := excs[0].Stacktrace.Frames[0]
				if fr.AbsPath != "/srv/app/billing/invoices.py" || fr.LineNo != 12 || !fr.InApp || fr.Module != "billing.invoices" {
					t.Errorf("frame %+v", fr)
				}
				want := []ContextLine{{10, "def total(inv):"}, {11, "    rates = load()"}, {12, "    return rates['vat_rate']"}, {13, ""}}
				if len(fr.Context) != len(want) {
					t.Fatalf("context %+v", fr.Context)
				}
				for i := range want {
					if fr.Context[i] != want[i] {
						t.Errorf("context line %d = %+v, want %+v", i, fr.Context[i], want[i])
					}
				}
				if v, _ := ev.Tag("environment"); v != "production" {
					t.Errorf("environment tag %q", v)
				}
				if v, _ := ev.Tag("tenant_id"); v != "acme" {
					t.Errorf("tenant_id tag %q", v)
				}
				if ev.Release == nil || ev.Release.Version != "billing@3.2.0" || ev.Title != "KeyError: 'vat_rate'" {
					t.Errorf("release %+v title %q", ev.Release, ev.Title)
				}
			},
		},
		{
			name: "SDK exception as a bare list, tags as pairs",
			in:   `{"event_id":"e2","tags":[["route","/a"]],"exception":[{"type":"Error","value":"x"}]}`,
			check: func(t *testing.T, ev *Event) {
				excs, _ := ev.Exceptions()
				if len(excs) != 1 || excs[0].Type != "Error" {
					t.Errorf("exceptions %+v", excs)
				}
				if v, _ := ev.Tag("route"); v != "/a" {
					t.Errorf("route %q", v)
				}
			},
		},
		{
			name: "SDK message event",
			in:   `{"event_id":"e3","message":{"formatted":"hello"}}`,
			check: func(t *testing.T, ev *Event) {
				if excs, _ := ev.Exceptions(); excs != nil || ev.Message != "hello" {
					t.Errorf("exceptions %+v message %q", excs, ev.Message)
				}
			},
		},
		{name: "not an object", in: `[1,2]`, wantErr: "not a JSON object"},
		{name: "empty", in: ``, wantErr: "not a JSON object"},
		{name: "truncated", in: `{"event_id":`, wantErr: "not valid JSON"},
		{name: "neither form", in: `{"foo":1}`, wantErr: "neither a Web API event"},
		{name: "bad frames", in: `{"event_id":"x","exception":{"values":[{"stacktrace":{"frames":[{"lineno":"twelve"}]}}]}}`, wantErr: "SDK event that does not decode"},
		{name: "bad tags", in: `{"event_id":"x","tags":7}`, wantErr: "tags are neither"},
		{name: "bad exception entry", in: `{"entries":[{"type":"exception","data":{"values":7}}]}`, wantErr: "decode exception entry"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ev, err := DecodeEvent([]byte(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, ev)
		})
	}
}

// TestDecodeEventWebAPI reads the triage corpus (Web API events) unchanged.
func TestDecodeEventWebAPI(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("..", "..", "testdata", "sentry-events", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus events (%v)", err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		ev, err := DecodeEvent(b)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if ev.EventID == "" {
			t.Errorf("%s: no event ID", f)
		}
	}
}

// FuzzDecodeEvent: any input decodes or is refused with an error; never a panic, and a decoded
// event's exceptions decode too. Seeds: testdata/fuzz/FuzzDecodeEvent.
func FuzzDecodeEvent(f *testing.F) {
	f.Add([]byte(`{"event_id":"a","exception":{"values":[{"type":"E","stacktrace":{"frames":[{"lineno":3,"context_line":"x","pre_context":["a","b","c","d"]}]}}]}}`))
	f.Add([]byte(`{"entries":[{"type":"exception","data":{"values":[]}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ev, err := DecodeEvent(data)
		if err != nil {
			return
		}
		if _, err := ev.Exceptions(); err != nil {
			t.Fatalf("decoded, but its exceptions do not: %v", err)
		}
	})
}
