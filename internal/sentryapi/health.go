package sentryapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

const scopeOrgRead = "org:read"

// SessionsQuery asks for release health numbers.
type SessionsQuery struct {
	// Fields are the aggregates, e.g. "sum(session)", "count_unique(user)",
	// "crash_free_rate(session)", "crash_rate(user)". At least one is required.
	Fields []string
	// GroupBy splits the numbers by project, release, environment and/or session.status.
	GroupBy []string
	// Query filters sessions, e.g. "release:api@1.4.2".
	Query        string
	Projects     []string // project IDs
	Environments []string
	TimeRange
	// Interval is the series bucket, in StatsPeriod syntax ("1h" minimum and default, at most
	// "1d", dividing a day).
	Interval string
	// OrderBy is one of Fields, "-" prefixed for descending; PerPage limits the groups.
	OrderBy string
	PerPage int
	// OmitTotals and OmitSeries leave out the parts not needed.
	OmitTotals, OmitSeries bool
}

// Sessions is the answer of the sessions endpoint.
type Sessions struct {
	Start     time.Time      `json:"start"`
	End       time.Time      `json:"end"`
	Intervals []time.Time    `json:"intervals"`
	Groups    []SessionGroup `json:"groups"`
	Query     string         `json:"query"`
}

// SessionGroup holds the numbers of one group. A value is nil when Sentry has no data for it
// (a crash-free rate without sessions).
type SessionGroup struct {
	By     SessionGroupKey       `json:"by"`
	Totals map[string]*float64   `json:"totals"`
	Series map[string][]*float64 `json:"series"`
}

// SessionGroupKey names a group; only the GroupBy fields are set.
type SessionGroupKey struct {
	Project       int64  `json:"project"`
	Release       string `json:"release"`
	Environment   string `json:"environment"`
	SessionStatus string `json:"session.status"` // healthy, errored, crashed, abnormal
}

// Sessions queries release health (sessions and users, crash rates) for an organization.
func (c *Client) Sessions(ctx context.Context, org string, sq SessionsQuery) (*Sessions, error) {
	if len(sq.Fields) == 0 {
		return nil, errors.New("sentryapi: query sessions: no Fields given (e.g. sum(session))")
	}
	q := url.Values{}
	addAll(q, "field", sq.Fields)
	addAll(q, "groupBy", sq.GroupBy)
	if sq.Query != "" {
		q.Set("query", sq.Query)
	}
	addAll(q, "project", sq.Projects)
	addAll(q, "environment", sq.Environments)
	if err := sq.TimeRange.encode(q); err != nil {
		return nil, fmt.Errorf("sentryapi: query sessions: %w", err)
	}
	if sq.Interval != "" {
		if !statsPeriodRE.MatchString(sq.Interval) {
			return nil, fmt.Errorf("sentryapi: query sessions: Interval %q is not a number followed by s, m, h, d or w", sq.Interval)
		}
		q.Set("interval", sq.Interval)
	}
	if sq.OrderBy != "" {
		q.Set("orderBy", sq.OrderBy)
	}
	if sq.PerPage > 0 {
		q.Set("per_page", strconv.Itoa(sq.PerPage))
	}
	if sq.OmitTotals {
		q.Set("includeTotals", "0")
	}
	if sq.OmitSeries {
		q.Set("includeSeries", "0")
	}
	cl := &call{
		op: "query sessions", method: http.MethodGet,
		path:  []string{"organizations", org, "sessions"},
		query: q, scope: scopeOrgRead, notFound: fmt.Sprintf("check the organization slug %q", org),
	}
	s := new(Sessions)
	if _, _, err := c.do(ctx, cl, s); err != nil {
		return nil, err
	}
	return s, nil
}

// TimeseriesQuery asks for an events time series (Sentry's events-timeseries endpoint).
type TimeseriesQuery struct {
	// Dataset is "errors" (the default here), "spans", "logs", …
	Dataset string
	// YAxis is the aggregate; empty: count().
	YAxis string
	// Query filters events, e.g. "issue.id:123 release:1.2.3".
	Query        string
	Projects     []string // project IDs (or slugs)
	Environments []string
	TimeRange
	// Interval is the bucket size, sent in whole seconds; 0: Sentry picks one.
	Interval time.Duration
	// GroupBy, TopEvents (1–10) and Sort ask for one series per top group; ExcludeOther drops
	// the "other" series.
	GroupBy      []string
	TopEvents    int
	Sort         string
	ExcludeOther bool
}

// Timeseries is the answer of the events-timeseries endpoint.
type Timeseries struct {
	Meta struct {
		Dataset string `json:"dataset"`
		// Start and End are Unix milliseconds.
		Start float64 `json:"start"`
		End   float64 `json:"end"`
	} `json:"meta"`
	TimeSeries []Series `json:"timeSeries"`
}

// Series is one time series.
type Series struct {
	YAxis   string        `json:"yAxis"`
	Values  []SeriesPoint `json:"values"`
	GroupBy []SeriesGroup `json:"groupBy"`
	Meta    struct {
		// Interval is the bucket size as Sentry reports it (see the package's notes: the
		// published example shows 3600 for an hour).
		Interval  float64 `json:"interval"`
		ValueType string  `json:"valueType"`
		ValueUnit string  `json:"valueUnit"`
		IsOther   bool    `json:"isOther"`
		Order     int     `json:"order"`
	} `json:"meta"`
}

// SeriesPoint is one bucket. Timestamp is Unix milliseconds; Value is nil when there is no data.
type SeriesPoint struct {
	Timestamp  float64  `json:"timestamp"`
	Value      *float64 `json:"value"`
	Incomplete bool     `json:"incomplete"`
}

// Time returns the bucket's start.
func (p SeriesPoint) Time() time.Time { return time.UnixMilli(int64(p.Timestamp)).UTC() }

// SeriesGroup is one key of a grouped series; Value is a string, number or null.
type SeriesGroup struct {
	Key   string          `json:"key"`
	Value json.RawMessage `json:"value"`
}

// EventsTimeseries queries an events time series, e.g. the hourly event count of one issue in one
// release.
func (c *Client) EventsTimeseries(ctx context.Context, org string, tq TimeseriesQuery) (*Timeseries, error) {
	q := url.Values{}
	ds := tq.Dataset
	if ds == "" {
		ds = "errors"
	}
	q.Set("dataset", ds)
	if tq.YAxis != "" {
		q.Set("yAxis", tq.YAxis)
	}
	if tq.Query != "" {
		q.Set("query", tq.Query)
	}
	addAll(q, "project", tq.Projects)
	addAll(q, "environment", tq.Environments)
	if err := tq.TimeRange.encode(q); err != nil {
		return nil, fmt.Errorf("sentryapi: query events timeseries: %w", err)
	}
	switch {
	case tq.Interval < 0 || tq.Interval%time.Second != 0:
		return nil, fmt.Errorf("sentryapi: query events timeseries: Interval %s is not a whole number of seconds", tq.Interval)
	case tq.Interval > 0:
		q.Set("interval", strconv.FormatInt(int64(tq.Interval/time.Second), 10))
	}
	addAll(q, "groupBy", tq.GroupBy)
	if tq.TopEvents != 0 {
		if tq.TopEvents < 1 || tq.TopEvents > 10 || len(tq.GroupBy) == 0 || tq.Sort == "" {
			return nil, errors.New("sentryapi: query events timeseries: TopEvents must be 1–10 and needs GroupBy and Sort")
		}
		q.Set("topEvents", strconv.Itoa(tq.TopEvents))
	}
	if tq.Sort != "" {
		q.Set("sort", tq.Sort)
	}
	if tq.ExcludeOther {
		q.Set("excludeOther", "1")
	}
	cl := &call{
		op: "query events timeseries", method: http.MethodGet,
		path:  []string{"organizations", org, "events-timeseries"},
		query: q, scope: scopeOrgRead, notFound: fmt.Sprintf("check the organization slug %q", org),
	}
	ts := new(Timeseries)
	if _, _, err := c.do(ctx, cl, ts); err != nil {
		return nil, err
	}
	return ts, nil
}
