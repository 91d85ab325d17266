package issueowners

import (
	"context"
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
		{"a token without event:read", &FetchError{What: "fetching the latest event", Err: &sentryapi.APIError{Status: 403}}, errkind.Config},
		{"an issue that is gone", &FetchError{What: "fetching the latest event", Err: &sentryapi.APIError{Status: 500}}, errkind.Undecided},
		{"cancelled", &FetchError{What: "fetching the latest event", Err: context.Canceled}, errkind.Undecided},
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
