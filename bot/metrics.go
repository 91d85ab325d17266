package bot

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/releasegate/releasegate/internal/githubapi"
)

// Metrics are the service's Prometheus metrics, on their own registry (served at /metrics).
type Metrics struct {
	Registry *prometheus.Registry

	deliveries  *prometheus.CounterVec
	jobSeconds  *prometheus.HistogramVec
	jobFailures *prometheus.CounterVec
	decisions   *prometheus.CounterVec
	apiSeconds  *prometheus.HistogramVec
	rateLimit   *prometheus.GaugeVec
	apiLimit    *prometheus.GaugeVec
	gateAPI     *prometheus.CounterVec
}

// NewMetrics registers the metrics on reg (nil: a new registry with the Go and process
// collectors).
func NewMetrics(reg *prometheus.Registry) *Metrics {
	if reg == nil {
		reg = prometheus.NewRegistry()
		reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	m := &Metrics{
		Registry: reg,
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "releasegate_deliveries_total", Help: "Webhook deliveries received, by source, event and outcome (stored, duplicate, ignored, bad_signature, …).",
		}, []string{"source", "event", "outcome"}),
		jobSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "releasegate_job_duration_seconds", Help: "How long a job's attempt took, by kind.",
			Buckets: prometheus.ExponentialBuckets(0.005, 4, 9),
		}, []string{"kind"}),
		jobFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "releasegate_job_failures_total", Help: "Job attempts that failed (and will be retried or discarded), by kind.",
		}, []string{"kind"}),
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "releasegate_decisions_total", Help: "Protection rules decided, by outcome (pass, fail, deadline, uncovered, config_error).",
		}, []string{"outcome"}),
		apiSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "releasegate_api_request_duration_seconds", Help: "Requests to GitHub and Sentry, by API and status class.",
			Buckets: prometheus.ExponentialBuckets(0.01, 3, 8),
		}, []string{"api", "status"}),
		rateLimit: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "releasegate_github_rate_limit_remaining", Help: "Requests left in GitHub's rate limit window, by installation and resource.",
		}, []string{"installation", "resource"}),
		apiLimit: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "releasegate_api_rate_limit_remaining", Help: "Requests left in the rate limit window, as the API's last answer said (X-RateLimit-Remaining, X-Sentry-Rate-Limit-Remaining).",
		}, []string{"api"}),
		gateAPI: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "releasegate_gate_api_answers_total", Help: "Answers of /api/v1, by endpoint and verdict.",
		}, []string{"endpoint", "verdict"}),
	}
	reg.MustRegister(m.deliveries, m.jobSeconds, m.jobFailures, m.decisions, m.apiSeconds, m.rateLimit, m.apiLimit, m.gateAPI)
	return m
}

// Delivery counts one webhook delivery (intake.Handler.Observe).
func (m *Metrics) Delivery(source, event, outcome string) {
	m.deliveries.WithLabelValues(source, event, outcome).Inc()
}

// GateAPI counts one answer of the gate API (gateapi.Handler.Observe).
func (m *Metrics) GateAPI(endpoint, verdict string) {
	m.gateAPI.WithLabelValues(endpoint, verdict).Inc()
}

// RateLimit records GitHub's rate limit (githubapi.Options.OnRateLimit).
func (m *Metrics) RateLimit(r githubapi.RateLimit) {
	m.rateLimit.WithLabelValues(strconv.FormatInt(r.Installation, 10), r.Resource).Set(float64(r.Remaining))
}

func (m *Metrics) job(kind string, took time.Duration, err error) {
	m.jobSeconds.WithLabelValues(kind).Observe(took.Seconds())
	if err != nil {
		m.jobFailures.WithLabelValues(kind).Inc()
	}
}

func (m *Metrics) decided(outcome string) { m.decisions.WithLabelValues(outcome).Inc() }

// Transport times the requests of one API (github, sentry) through next.
func (m *Metrics) Transport(api string, next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		start := time.Now()
		res, err := next.RoundTrip(r)
		status := "error"
		if err == nil {
			status = strconv.Itoa(res.StatusCode/100) + "xx"
			for _, h := range []string{"X-RateLimit-Remaining", "X-Sentry-Rate-Limit-Remaining"} {
				if n, perr := strconv.ParseFloat(res.Header.Get(h), 64); perr == nil {
					m.apiLimit.WithLabelValues(api).Set(n)
				}
			}
		}
		m.apiSeconds.WithLabelValues(api, status).Observe(time.Since(start).Seconds())
		return res, err
	})
}

func (m *Metrics) sentryTransport(next http.RoundTripper) http.RoundTripper {
	return m.Transport("sentry", next)
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
