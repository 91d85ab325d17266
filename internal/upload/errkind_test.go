package upload

import (
	"context"
	"errors"
	"testing"

	"github.com/releasegate/releasegate/errkind"
	"github.com/releasegate/releasegate/internal/sentryapi"
)

func TestErrorKinds(t *testing.T) {
	t.Parallel()
	_, noOrg := Upload(context.Background(), nil, nil, Options{})
	_, nothing := Upload(context.Background(), nil, nil, Options{Org: "acme", Projects: []string{"web"}})
	tests := []struct {
		name string
		err  error
		want errkind.Kind
		hint string
	}{
		{"no organization", noOrg, errkind.Config, "set --org or SENTRY_ORG"},
		{"nothing to upload", nothing, errkind.Usage, "check the path of the build output"},
		{"a server that needs a release", &Error{Op: "upload", Err: ErrNeedsRelease, Hint: "pass --release"}, errkind.Config, "pass --release"},
		{"a token Sentry refuses", failed("upload", &sentryapi.APIError{Status: 401, Hint: "check the token"}, "retry"), errkind.Config, "check the token"},
		{"an outage", failed("upload", &sentryapi.APIError{Status: 503}, "retry"), errkind.Undecided, "retry"},
		{"out of time", failed("upload", context.DeadlineExceeded, ""), errkind.Undecided, "the upload ran out of time (its deadline passed); allow it longer, or check why Sentry answers slowly"},
		{"a server bug", &Error{Op: "upload", Err: errors.New("asked for chunks not in the bundle")}, errkind.Undecided, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.err == nil {
				t.Fatal("no error")
			}
			if got := errkind.Of(tt.err); got != tt.want {
				t.Errorf("kind %v, want %v (%v)", got, tt.want, tt.err)
			}
			if got := errkind.HintOf(tt.err); got != tt.hint {
				t.Errorf("hint %q, want %q", got, tt.hint)
			}
		})
	}
}
