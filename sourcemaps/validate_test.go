package sourcemaps

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/releasegate/releasegate/sourcemaps/sourcemapstest"
)

// TestValidate checks the findings of every case of the shared table, which the commands' tests
// also run through inject and upload.
func TestValidate(t *testing.T) {
	t.Parallel()
	cases := sourcemapstest.ValidateCases()
	errorCases := 0
	for _, tt := range cases {
		if tt.HasError() {
			errorCases++
		}
		t.Run(tt.Name, func(t *testing.T) {
			t.Parallel()
			root := sourcemapstest.WriteTree(t, tt.Files)
			r := Validate(Discover(tt.Roots(root), DiscoverOptions{}), ValidateOptions{})
			var got []sourcemapstest.Want
			for _, f := range r.Findings {
				got = append(got, sourcemapstest.Want{Code: f.Code, Severity: f.Severity.String(), Line: f.Line, Column: f.Column})
				if f.Message == "" {
					t.Errorf("finding %s has no message", f.Code)
				}
			}
			if !slices.Equal(got, tt.Want) {
				t.Fatalf("findings:\n got %v\nwant %v\n%s", got, tt.Want, dump(r.Findings))
			}
			errs := 0
			for _, f := range tt.Want {
				if f.Severity == "error" {
					errs++
				}
			}
			if r.Errors != errs {
				t.Errorf("Errors = %d, want %d", r.Errors, errs)
			}
			if r.Broken() != tt.HasError() {
				t.Errorf("Broken() = %v with %d errors", r.Broken(), r.Errors)
			}
		})
	}
	if errorCases < 10 {
		t.Fatalf("the shared table has %d cases with errors; the commands' tests rely on it", errorCases)
	}
}

func dump(fs []Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "  %s %s %s:%d:%d %s\n", f.Severity, f.Code, f.Path, f.Line, f.Column, f.Message)
	}
	return b.String()
}
