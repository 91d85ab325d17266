package sentryapi

import (
	"fmt"
	"testing"

	"github.com/releasegate/releasegate/errkind"
)

func TestErrorKinds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want errkind.Kind
		hint string
	}{
		{"401: the token", &APIError{Status: 401, Hint: "check SENTRY_AUTH_TOKEN"}, errkind.Config, "check SENTRY_AUTH_TOKEN"},
		{"403: its scopes", &APIError{Status: 403}, errkind.Config, ""},
		{"404 of what the configuration names", &APIError{Status: 404}, errkind.Config, ""},
		{"404 of data (an issue, an event)", &APIError{Status: 404, absentIsData: true}, errkind.Undecided, ""},
		{"400", &APIError{Status: 400}, errkind.Undecided, ""},
		{"409", &APIError{Status: 409}, errkind.Undecided, ""},
		{"429 after the retries", &APIError{Status: 429}, errkind.Undecided, ""},
		{"500 after the retries", &APIError{Status: 500, Hint: "try again later"}, errkind.Undecided, "try again later"},
		{"wrapped", fmt.Errorf("creating release: %w", &APIError{Status: 403}), errkind.Config, ""},
		{"an answer of the wrong shape", &ProtocolError{Op: "list issues", Err: fmt.Errorf("not JSON")}, errkind.Undecided, ""},
		{"a stall", fmt.Errorf("get: %w", &StallError{Phase: "waiting for the answer"}), errkind.Undecided, ""},
		{"a name too long", &LimitError{Field: "release"}, errkind.Usage, ""},
		{"plain http to another machine", &InsecureURLError{URL: "http://sentry.example"}, errkind.Config, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := errkind.Of(tt.err); got != tt.want {
				t.Errorf("kind %v, want %v", got, tt.want)
			}
			if got := errkind.HintOf(tt.err); got != tt.hint {
				t.Errorf("hint %q, want %q", got, tt.hint)
			}
		})
	}
}
