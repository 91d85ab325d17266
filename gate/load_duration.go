package gate

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Durations in the policy file: Go durations with a unit, never negative.

// UnmarshalYAML reads a Go duration ("30m", "2h", "1h30m"). A bare number ("30") is an error
// saying which unit to write, and so is a negative duration. Whether zero makes sense is
// Validate's to say.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	v, msg := parsePolicyDuration(n)
	if msg != "" {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: %s", n.Line, msg)}}
	}
	*d = v
	return nil
}

var bareNumberRE = regexp.MustCompile(`^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)$`)

// parsePolicyDuration reads a duration node; msg says what is wrong, "" when nothing is.
func parsePolicyDuration(n *yaml.Node) (d Duration, msg string) {
	if n.Kind != yaml.ScalarNode {
		return 0, "must be a duration such as 30m, not " + describeNode(n)
	}
	s := strings.TrimSpace(n.Value)
	if bareNumberRE.MatchString(s) {
		if strings.HasPrefix(s, "-") {
			return 0, "must not be negative: " + s
		}
		return 0, fmt.Sprintf("needs a unit: write %sm, not %s", s, s)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		if days, ok := strings.CutSuffix(s, "d"); ok && bareNumberRE.MatchString(days) {
			if f, err := strconv.ParseFloat(days, 64); err == nil && f > 0 && f < 10_000 {
				return 0, fmt.Sprintf("%q is not a duration (there is no d unit): write %s", s, policyDurationText(time.Duration(f*float64(24*time.Hour))))
			}
		}
		return 0, fmt.Sprintf("%s is not a duration: write it like 30m, 2h or 1h30m", describeNode(n))
	}
	if v < 0 {
		return 0, "must not be negative: " + s
	}
	return Duration(v), ""
}

// policyDurationText writes d as in a policy file: "2h", "1h30m", "30m", "45s".
func policyDurationText(d time.Duration) string {
	s := d.Round(time.Second).String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}
