package errkind

import (
	"errors"
	"fmt"
	"testing"
)

// typed is a domain error that states its kind itself, as gate.PolicyError does.
type typed struct {
	kind Kind
	hint string
	err  error
}

func (e *typed) Error() string     { return "typed" }
func (e *typed) ErrorKind() Kind   { return e.kind }
func (e *typed) ErrorHint() string { return e.hint }
func (e *typed) Unwrap() error     { return e.err }

func TestOfAndHintOf(t *testing.T) {
	t.Parallel()
	plain := errors.New("plain")
	tests := []struct {
		name string
		err  error
		kind Kind
		hint string
	}{
		{"nil", nil, Unknown, ""},
		{"plain error", plain, Unknown, ""},
		{"wrapped with a kind", Wrap(Config, plain), Config, ""},
		{"with a hint", WithHint(Usage, plain, "give --release"), Usage, "give --release"},
		{"under fmt.Errorf wraps", fmt.Errorf("b: %w", fmt.Errorf("a: %w", Wrap(Verdict, plain))), Verdict, ""},
		{"typed error", fmt.Errorf("loading: %w", &typed{kind: Config, hint: "fix line 3"}), Config, "fix line 3"},
		{"outermost wins", Wrap(Config, fmt.Errorf("x: %w", Wrap(Undecided, plain))), Config, ""},
		{"outermost wins over a typed error", Wrap(Usage, &typed{kind: Verdict}), Usage, ""},
		{"a typed error deferring to its cause", &typed{kind: Unknown, err: Wrap(Undecided, plain)}, Undecided, ""},
		{"hint from deeper than the kind", Wrap(Config, WithHint(Undecided, plain, "retry")), Config, "retry"},
		{"the outermost hint", WithHint(Config, WithHint(Config, plain, "inner"), "outer"), Config, "outer"},
		{"join: the first branch with a kind", errors.Join(plain, Wrap(Undecided, plain), Wrap(Config, plain)), Undecided, ""},
		{"join inside a wrap", fmt.Errorf("both: %w", errors.Join(plain, &typed{kind: Verdict, hint: "h"})), Verdict, "h"},
		{"join of a kind and a hint", errors.Join(Wrap(Usage, plain), WithHint(Config, plain, "h")), Usage, "h"},
		{"fmt.Errorf with several %w", fmt.Errorf("%w and %w", plain, Wrap(Verdict, plain)), Verdict, ""},
		{"join of unkinded errors", errors.Join(plain, plain), Unknown, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Of(tt.err); got != tt.kind {
				t.Errorf("Of = %v, want %v", got, tt.kind)
			}
			if got := HintOf(tt.err); got != tt.hint {
				t.Errorf("HintOf = %q, want %q", got, tt.hint)
			}
		})
	}
}

func TestErrorMessage(t *testing.T) {
	t.Parallel()
	cause := errors.New("sentryapi: 403 Forbidden")
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"the cause's message", Wrap(Undecided, cause), "sentryapi: 403 Forbidden"},
		{"then the hint", WithHint(Config, cause, "see docs/sentry-token.md"), "sentryapi: 403 Forbidden; see docs/sentry-token.md"},
		{"Errorf", Errorf(Usage, "--wait: %w", cause), "--wait: sentryapi: 403 Forbidden"},
		{"New", New(Config, "unknown release"), "unknown release"},
		{"no cause names the kind", &Error{Kind: Verdict}, "verdict"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNilStaysNil(t *testing.T) {
	t.Parallel()
	if Wrap(Config, nil) != nil || WithHint(Config, nil, "h") != nil {
		t.Error("wrapping nil gave an error")
	}
}

func TestErrorsIsThroughError(t *testing.T) {
	t.Parallel()
	sentinel := New(Config, "unknown release")
	err := fmt.Errorf("gate: %w", WithHint(Config, fmt.Errorf("%w: 1.2.3", sentinel), "check --release"))
	if !errors.Is(err, sentinel) {
		t.Error("errors.Is does not find the sentinel through an *Error")
	}
}

func TestKindString(t *testing.T) {
	t.Parallel()
	for k, want := range map[Kind]string{Unknown: "unknown", Usage: "usage", Config: "config", Undecided: "undecided", Verdict: "verdict", 9: "kind(9)"} {
		if got := k.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", k, got, want)
		}
	}
}
