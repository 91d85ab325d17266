package gitlog

import (
	"context"
	"fmt"
	"testing"

	"github.com/releasegate/releasegate/errkind"
)

func TestErrorKinds(t *testing.T) {
	t.Parallel()
	_, notRepo := Open(context.Background(), t.TempDir(), nil) // ErrGitMissing where git is not installed
	tests := []struct {
		name string
		err  error
	}{
		{"not a work tree", notRepo},
		{"a failed git command", &Error{Args: []string{"log"}, ExitCode: 128}},
		{"an unknown revision", fmt.Errorf("%q: %w", "v9", ErrUnknownRevision)},
		{"git missing", ErrGitMissing},
		{"no remote", ErrNoRemote},
		{"someone else's repository", &Error{Args: []string{"log"}, err: ErrUnsafeRepository}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := errkind.Of(tt.err); got != errkind.Config {
				t.Errorf("kind %v, want config (%v)", got, tt.err)
			}
		})
	}
}
