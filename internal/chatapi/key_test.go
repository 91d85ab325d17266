package chatapi_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/releasegate/releasegate/internal/chatapi"
	"github.com/releasegate/releasegate/internal/chatapi/chatapitest"
)

// TestKeyNeverShown runs calls that succeed, fail, retry, are refused and are redirected to
// a sink on another origin, with a server that echoes the key back in every way it can, and
// scans everything a person could see — errors in every format, the log, the options and
// the client printed — for the key or a piece of it. The sink must receive nothing.
func TestKeyNeverShown(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	key := r.srv.APIKey()
	sink := chatapitest.StartSink(t)
	var seen []string
	show := func(format string, args ...any) { seen = append(seen, fmt.Sprintf(format, args...)) }
	showErr := func(err error) {
		if err == nil {
			t.Error("a call that should fail succeeded")
			return
		}
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
			show(verb, err)
		}
		for u := errors.Unwrap(err); u != nil; u = errors.Unwrap(u) {
			show("%#v", u)
		}
	}
	r.srv.Script(
		chatapitest.Failure(401, "Incorrect API key provided: "+key+"."),
		chatapitest.Reply{Status: 502, Body: "<html>upstream refused Authorization: Bearer " + key + "</html>", ContentType: "text/html"},
		chatapitest.Reply{Status: 502, Body: "<html>upstream refused Authorization: Bearer " + key + "</html>", ContentType: "text/html"},
		chatapitest.Reply{Status: 502, Body: "<html>upstream refused Authorization: Bearer " + key + "</html>", ContentType: "text/html"},
		chatapitest.Reply{Body: "<html>Signed in as " + key + "</html>", ContentType: "text/html"},
		chatapitest.Refused("I will not repeat the key "+key),
		chatapitest.Redirect(sink.URL()+"/v1/chat/completions?api_key="+key),
		chatapitest.Failure(500, "boom "+key),
		chatapitest.Answer(`{"abstain":true,"reason":"`+key+`"}`),
	)
	for range 5 {
		_, err := r.c.Complete(t.Context(), question)
		showErr(err)
	}
	if _, err := r.c.Complete(t.Context(), question); err != nil {
		t.Fatalf("the retried call: %v", err)
	}
	if calls := sink.Calls(); len(calls) != 0 {
		t.Errorf("the sink on another origin was called: %+v", calls)
	}
	if r.srv.Pending() != 0 {
		t.Errorf("%d replies left: the calls did not go as planned", r.srv.Pending())
	}

	showErr(chatapi.Options{BaseURL: "https://u:" + key + "@api.example.com/v1", Model: "m", APIKey: key}.Validate())
	showErr(chatapi.Options{BaseURL: "https://api.example.com/v1", Model: "m", APIKey: key + "\n"}.Validate())
	showErr(chatapi.Options{BaseURL: "http://api.example.com/v1", Model: "m", APIKey: key}.Validate())
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%d", "%x", "%q", "%T"} {
		show(verb, r.opts)
		show(verb, &r.opts)
		show(verb, r.c)
		show(verb, struct{ O chatapi.Options }{r.opts})
	}
	js, _ := json.Marshal(r.opts)
	show("%s", js)
	logger := slog.New(slog.NewJSONHandler(r.logs, nil))
	logger.Info("configured", "options", r.opts, "client", r.c)

	seen = append(seen, r.logs.String())
	all := strings.Join(seen, "\n")
	for _, piece := range []string{key, key[len(key)-16:], key[8:24]} {
		if i := strings.Index(all, piece); i >= 0 {
			t.Fatalf("the key (or a piece of it) is shown: …%s<KEY>…", all[max(0, i-200):i])
		}
	}
	// The scan must have had something to scan.
	for _, want := range []string{"Incorrect API key provided: [redacted]", "Bearer [redacted]", "the model refused: I will not repeat the key [redacted]",
		"redirected (307) to http://127.0.0.1:", "chatapi: retrying", "APIKey: [redacted]", "api_key_set"} {
		if !strings.Contains(all, want) {
			t.Errorf("expected %q in the output; the test no longer exercises that path", want)
		}
	}
}
