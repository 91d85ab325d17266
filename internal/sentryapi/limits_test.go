package sentryapi

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestLimits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		check func(string) error
		value string
		want  string // "" when valid
	}{
		{"release semver", CheckRelease, "web@1.4.2+build.7", ""},
		{"release of 200 characters", CheckRelease, strings.Repeat("r", 200), ""},
		{"release of 201 characters", CheckRelease, strings.Repeat("r", 201), "at most 200 characters, this has 201"},
		{"release of 200 non-ASCII characters", CheckRelease, strings.Repeat("é", 200), ""},
		{"release empty", CheckRelease, "", "empty"},
		{"release dot", CheckRelease, ".", ". or .."},
		{"release latest", CheckRelease, "LATEST", `reserves "latest"`},
		{"release with a slash", CheckRelease, "feature/x", "'/'"},
		{"release with a backslash", CheckRelease, `a\b`, "'/'"},
		{"release with a tab", CheckRelease, "a\tb", "control characters"},
		{"release with a trailing space", CheckRelease, "1.0 ", "trailing spaces"},
		{"environment", CheckEnvironment, "production", ""},
		{"environment with a tab", CheckEnvironment, "prod\tEU", ""},
		{"environment of 64 characters", CheckEnvironment, strings.Repeat("e", 64), ""},
		{"environment of 65 characters", CheckEnvironment, strings.Repeat("e", 65), "at most 64 characters, this has 65"},
		{"environment none", CheckEnvironment, "none", `reserves "none"`},
		{"environment with a slash", CheckEnvironment, "prod/eu", "'/'"},
		{"environment with a line break", CheckEnvironment, "prod\n", "line breaks"},
		{"environment empty", CheckEnvironment, "", "empty"},
		{"dist empty", CheckDist, "", ""},
		{"dist of 64 characters", CheckDist, strings.Repeat("d", 64), ""},
		{"dist of 65 characters", CheckDist, strings.Repeat("d", 65), "at most 64 characters"},
		{"dist with spaces", CheckDist, " 7", "leading or trailing spaces"},
		{"deploy name empty", CheckDeployName, "", ""},
		{"deploy name of 64 characters", CheckDeployName, strings.Repeat("n", 64), ""},
		{"deploy name of 65 characters", CheckDeployName, strings.Repeat("n", 65), "at most 64 characters, this has 65"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.check(tt.value)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("%q: unexpected error %v", tt.value, err)
			case tt.want == "":
				return
			case err == nil:
				t.Fatalf("%q: no error, want one saying %q", tt.value, tt.want)
			case !strings.Contains(err.Error(), tt.want):
				t.Errorf("error %q does not say %q", err, tt.want)
			}
			var le *LimitError
			if !errors.As(err, &le) || le.Value != tt.value || !errors.Is(err, ErrLimit) {
				t.Errorf("error %#v is not a *LimitError for %q matching ErrLimit", err, tt.value)
			}
		})
	}
}

func TestTruncateDeployName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, head, end, want string
	}{
		{"short", "deploy", " #12", "deploy #12"},
		{"exactly 64", strings.Repeat("w", 60), " #12", strings.Repeat("w", 60) + " #12"},
		{"65 keeps the run number", strings.Repeat("w", 61), " #12", strings.Repeat("w", 59) + "… #12"},
		{"spaces before the cut go", strings.Repeat("w", 50) + "          xxxxxx", " #7", strings.Repeat("w", 50) + "… #7"},
		{"non-ASCII counted as characters", strings.Repeat("é", 70), " #1", strings.Repeat("é", 60) + "… #1"},
		{"an end longer than the limit keeps its tail", "x", strings.Repeat("1", 70), strings.Repeat("1", 64)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := TruncateDeployName(tt.head, tt.end)
			if got != tt.want {
				t.Errorf("TruncateDeployName(%q, %q) = %q, want %q", tt.head, tt.end, got, tt.want)
			}
			if err := CheckDeployName(got); err != nil {
				t.Errorf("the truncated name fails the check: %v", err)
			}
		})
	}
}

// FuzzTruncateDeployName: whatever the workflow is called, the generated name passes Sentry's
// limit, and a name that fitted is left alone.
func FuzzTruncateDeployName(f *testing.F) {
	f.Add("CI / build and deploy to production", " #1234")
	f.Add(strings.Repeat("é", 80), " #9")
	f.Add("", "")
	f.Fuzz(func(t *testing.T, head, end string) {
		got := TruncateDeployName(head, end)
		if err := CheckDeployName(got); err != nil {
			t.Fatalf("TruncateDeployName(%q, %q) = %q: %v", head, end, got, err)
		}
		if utf8.RuneCountInString(head+end) <= MaxDeployNameLength && got != head+end {
			t.Fatalf("a name that fits was changed: %q → %q", head+end, got)
		}
		if utf8.RuneCountInString(end) < MaxDeployNameLength && !strings.HasSuffix(got, end) {
			t.Fatalf("the end %q was lost: %q", end, got)
		}
	})
}
