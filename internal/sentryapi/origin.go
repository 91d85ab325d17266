package sentryapi

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/net/publicsuffix"

	"github.com/releasegate/releasegate/internal/apiclient"
)

// regionHostOf reports whether u may receive the token as a host Sentry named in an answer
// from base: https, and the same registrable domain (Sentry SaaS names region hosts such as
// https://o1.ingest.us.sentry.io or https://us.sentry.io for https://sentry.io). An IP address
// or a single-label host has no registrable domain, so only base itself qualifies.
func regionHostOf(base, u *url.URL) bool {
	if !strings.EqualFold(u.Scheme, "https") {
		return false
	}
	bh, uh := strings.ToLower(base.Hostname()), strings.ToLower(u.Hostname())
	if net.ParseIP(bh) != nil || net.ParseIP(uh) != nil {
		return false
	}
	bd, err := publicsuffix.EffectiveTLDPlusOne(bh)
	if err != nil {
		return false
	}
	ud, err := publicsuffix.EffectiveTLDPlusOne(uh)
	return err == nil && bd == ud
}

// checkRedirect follows a redirect only within the origin of the request that started the
// chain. An answer from another host is not Sentry's answer: it could name itself as the
// upload URL, or say "ok" to an assemble it never saw. The redirect itself comes back to the
// caller as a 3xx, which send reports with the target.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return fmt.Errorf("stopped after 10 redirects")
	}
	if apiclient.OriginOf(req.URL) != apiclient.OriginOf(via[0].URL) {
		return http.ErrUseLastResponse
	}
	return nil
}

// redirectTarget describes where a 3xx answer pointed, without its query (which may carry
// credentials of the other side).
func redirectTarget(resp *http.Response) string {
	loc, err := resp.Location()
	if err != nil {
		return ""
	}
	loc.RawQuery, loc.Fragment, loc.User = "", "", nil
	return loc.Redacted()
}
