package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// SelfReporter sends the service's own failures to Sentry — a job's error or panic, a
// handler's panic — with what identifies the work on the scope (the delivery or request ID,
// the job's kind and attempt). releasegate asks teams to report their errors with request_id,
// tenant and user; it does the same for itself.
type SelfReporter struct {
	hub *sentry.Hub
	log *slog.Logger
}

// NewSelfReporter reports to dsn ("" reports nothing; the methods still log).
func NewSelfReporter(dsn, release string, transport http.RoundTripper, log *slog.Logger) (*SelfReporter, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	r := &SelfReporter{log: log}
	if dsn == "" {
		return r, nil
	}
	client, err := sentry.NewClient(sentry.ClientOptions{
		// Reports name the work (tags set below), never the secrets: the SDK's defaults send
		// no request bodies, headers or cookies, and no request is attached to a scope.
		Dsn: dsn, Release: "releasegate@" + release, ServerName: "releasegate-serve", HTTPTransport: transport,
	})
	if err != nil {
		return nil, fmt.Errorf("RELEASEGATE_SENTRY_DSN: %w", err)
	}
	r.hub = sentry.NewHub(client, sentry.NewScope())
	return r, nil
}

// HandleError reports a job's failed attempt (river.ErrorHandler).
func (r *SelfReporter) HandleError(ctx context.Context, job *rivertype.JobRow, err error) *river.ErrorHandlerResult {
	r.log.ErrorContext(ctx, "job failed", "kind", job.Kind, "job", job.ID, "attempt", job.Attempt, "err", err)
	r.capture(func(s *sentry.Scope) {
		s.SetTag("job_kind", job.Kind)
		s.SetTag("job_id", strconv.FormatInt(job.ID, 10))
		s.SetContext("job", sentry.Context{"attempt": job.Attempt, "args": string(job.EncodedArgs)})
		// Every report is captured from here, so Sentry's stack grouping would make one issue
		// of them all: group by what failed instead.
		s.SetFingerprint([]string{"job-error", job.Kind, errorTitle(err)})
	}, err)
	return nil
}

// HandlePanic reports a job's panic (river.ErrorHandler).
func (r *SelfReporter) HandlePanic(ctx context.Context, job *rivertype.JobRow, v any, trace string) *river.ErrorHandlerResult {
	r.log.ErrorContext(ctx, "job panicked", "kind", job.Kind, "job", job.ID, "panic", fmt.Sprint(v))
	r.capture(func(s *sentry.Scope) {
		s.SetTag("job_kind", job.Kind)
		s.SetTag("job_id", strconv.FormatInt(job.ID, 10))
		s.SetContext("job", sentry.Context{"attempt": job.Attempt, "trace": trace})
		s.SetFingerprint([]string{"job-panic", job.Kind, fmt.Sprint(v)})
	}, fmt.Errorf("job %s panicked: %v", job.Kind, v))
	return nil
}

// Panic reports a handler's panic, with the delivery or request ID that was being served.
func (r *SelfReporter) Panic(req *http.Request, v any) {
	id := req.Header.Get("X-GitHub-Delivery")
	if id == "" {
		id = req.Header.Get("Request-ID")
	}
	r.capture(func(s *sentry.Scope) {
		s.SetTag("request_id", id)
		s.SetTag("path", req.URL.Path)
		if inst := req.Header.Get("X-GitHub-Hook-Installation-Target-ID"); inst != "" {
			s.SetTag("installation", inst)
		}
		s.SetFingerprint([]string{"handler-panic", req.URL.Path, fmt.Sprint(v)})
	}, fmt.Errorf("handler panicked: %v", v))
}

func (r *SelfReporter) capture(scope func(*sentry.Scope), err error) {
	if r.hub == nil || err == nil || errors.Is(err, context.Canceled) {
		return
	}
	r.hub.WithScope(func(s *sentry.Scope) {
		scope(s)
		r.hub.CaptureException(err)
	})
}

// Flush waits (up to timeout) for reports in flight.
func (r *SelfReporter) Flush(timeout time.Duration) {
	if r.hub != nil {
		r.hub.Flush(timeout)
	}
}

// errorTitle is an error's message without the numbers that differ between occurrences (IDs,
// counts), so one kind of failure is one issue.
func errorTitle(err error) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return '#'
		}
		return r
	}, err.Error())
}
