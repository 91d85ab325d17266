package sentryapi

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/releasegate/releasegate/internal/apiclient"
)

// maxServerWait bounds what a header can ask for (apiclient.MaxServerWait);
// Options.MaxRetryWait then decides whether to wait that long at all.
const maxServerWait = apiclient.MaxServerWait

// serverWait returns how long Sentry asks the client to wait before calling again: Retry-After
// (delay in seconds, or an HTTP date) when present, else X-Sentry-Rate-Limit-Reset (the UTC epoch
// second at which the next rate-limit window starts; Sentry's rate-limit middleware sends only
// this one). ok is false when neither header holds a usable value. now is passed in so that tests
// and the caller's clock agree.
func serverWait(h http.Header, now time.Time) (wait time.Duration, ok bool) {
	if v := h.Get("Retry-After"); v != "" {
		if d, ok := apiclient.RetryAfter(v, now); ok {
			return d, true
		}
	}
	if v := h.Get("X-Sentry-Rate-Limit-Reset"); v != "" {
		if d, ok := parseResetEpoch(v, now); ok {
			return d, true
		}
	}
	return 0, false
}

// parseResetEpoch parses X-Sentry-Rate-Limit-Reset, epoch seconds (possibly fractional), into
// the wait from now.
func parseResetEpoch(v string, now time.Time) (time.Duration, bool) {
	secs, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || math.IsNaN(secs) || math.IsInf(secs, 0) || secs < 0 {
		return 0, false
	}
	// Far-future values would overflow time.Unix arithmetic; anything beyond the cap is the cap.
	if secs > float64(now.Unix())+maxServerWait.Seconds() {
		return maxServerWait, true
	}
	whole, frac := math.Modf(secs)
	reset := time.Unix(int64(whole), int64(frac*1e9))
	return apiclient.ClampWait(reset.Sub(now)), true
}
