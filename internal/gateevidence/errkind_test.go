package gateevidence

import (
	"context"
	"fmt"
	"testing"

	"github.com/releasegate/releasegate/errkind"
	"github.com/releasegate/releasegate/internal/sentryapi"
)

func TestErrorKinds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want errkind.Kind
	}{
		{"an unknown release", fmt.Errorf("%w: Sentry organization %q has no release %q (%w)", ErrUnknownRelease, "acme", "1.2.3", &sentryapi.APIError{Status: 404}), errkind.Config},
		{"interrupted", &UndecidedError{While: "asking Sentry", Err: context.Canceled}, errkind.Undecided},
		{"an unreadable regression", fmt.Errorf("%w: no activity", ErrUnreadableRegression), errkind.Undecided},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := errkind.Of(tt.err); got != tt.want {
				t.Errorf("kind %v, want %v", got, tt.want)
			}
		})
	}
}
