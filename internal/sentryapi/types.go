package sentryapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"time"
)

// ID is an identifier Sentry sends as a JSON string in some places and as a number in others
// (a release's id is a number, an issue's a string; ownership owner ids vary by version).
type ID string

// UnmarshalJSON accepts a string, a number or null.
func (id *ID) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*id = ""
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*id = ID(s)
	default:
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return fmt.Errorf("id: want a string or number, got %s", b)
		}
		*id = ID(n.String())
	}
	return nil
}

// Count is an event count, which Sentry sends as a string ("150") in issues and as a number
// elsewhere.
type Count int64

// UnmarshalJSON accepts a number, a string holding a number, or null (0).
func (c *Count) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		*c = 0
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		b = []byte(s)
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(string(b), 64)
		if ferr != nil {
			return fmt.Errorf("count: want a number, got %q", b)
		}
		n = int64(f)
	}
	*c = Count(n)
	return nil
}

// TimeRange selects the period of a query: either StatsPeriod (e.g. "24h", "14d") or Start and
// End. Zero: Sentry's default for the endpoint.
type TimeRange struct {
	// StatsPeriod is a number followed by s, m, h, d or w, counting back from now.
	StatsPeriod string
	// Start and End bound an absolute period (both or neither).
	Start, End time.Time
}

var statsPeriodRE = regexp.MustCompile(`^[0-9]+[smhdw]$`)

// encode adds the range to q, after checking it.
func (r TimeRange) encode(q url.Values) error {
	switch {
	case r.StatsPeriod != "" && (!r.Start.IsZero() || !r.End.IsZero()):
		return fmt.Errorf("set either StatsPeriod (%q) or Start and End, not both", r.StatsPeriod)
	case r.StatsPeriod != "" && !statsPeriodRE.MatchString(r.StatsPeriod):
		return fmt.Errorf("StatsPeriod %q is not a number followed by s, m, h, d or w (e.g. 24h)", r.StatsPeriod)
	case r.Start.IsZero() != r.End.IsZero():
		return fmt.Errorf("set both Start and End (or StatsPeriod)")
	case !r.Start.IsZero() && !r.End.After(r.Start):
		return fmt.Errorf("the end (%s) is not after the start (%s)", r.End.Format(time.RFC3339), r.Start.Format(time.RFC3339))
	}
	if r.StatsPeriod != "" {
		q.Set("statsPeriod", r.StatsPeriod)
	}
	if !r.Start.IsZero() {
		q.Set("start", formatTime(r.Start))
		q.Set("end", formatTime(r.End))
	}
	return nil
}

// formatTime writes a time as Sentry's query parameters expect it: ISO 8601 in UTC.
func formatTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// addAll adds every value of vs under key (Sentry's repeatable parameters: ?project=1&project=2).
func addAll(q url.Values, key string, vs []string) {
	for _, v := range vs {
		q.Add(key, v)
	}
}

// ProjectRef is the short project object embedded in issues and teams.
type ProjectRef struct {
	ID       ID     `json:"id"`
	Slug     string `json:"slug"`
	Name     string `json:"name"`
	Platform string `json:"platform"`
}
