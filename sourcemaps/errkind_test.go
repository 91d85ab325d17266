package sourcemaps

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/releasegate/releasegate/errkind"
)

func TestErrorKinds(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, content string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("broken.js.map", `{"version": "3"}`)
	broken := write("broken.js", "x\n//# sourceMappingURL=broken.js.map\n")
	big := write("big.js", "a file of more than 64 bytes, over the limit that this test reads with")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()

	_, _, parseErr := Parse([]byte(`{"version": "3"}`), Limits{})
	_, _, mapErr := LoadMapFor(broken, LoadMapOptions{MaxFileSize: 1 << 20})
	_, largeErr := folder("").readRegular(big, 64)
	tests := []struct {
		name string
		err  error
		want errkind.Kind
	}{
		{"a map that cannot be used", parseErr, errkind.Verdict},
		{"a map the spec rejects", mapErr, errkind.Verdict},
		{"a file over the size limit", largeErr, errkind.Verdict},
		{"debug IDs that cannot be written", &ApplyError{Path: "dist/app.js", Err: os.ErrPermission, msg: "cannot write"}, errkind.Verdict},
		{"an inject interrupted", checkInterrupted(ctx), errkind.Undecided},
		{"a missing file states no kind", fmt.Errorf("reading: %w", os.ErrNotExist), errkind.Unknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.err == nil {
				t.Fatal("no error")
			}
			if got := errkind.Of(tt.err); got != tt.want {
				t.Errorf("kind %v, want %v (%T: %v)", got, tt.want, errors.Unwrap(tt.err), tt.err)
			}
		})
	}
}
