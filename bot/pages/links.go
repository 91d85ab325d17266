package pages

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"
)

// DefaultLinkTTL is how long a signed link works: long enough to read a deployment's review
// weeks later, short enough that a leaked link expires.
const DefaultLinkTTL = 90 * 24 * time.Hour

// Signer makes and checks the signed links to decision pages.
type Signer struct {
	Key []byte
	TTL time.Duration // 0: DefaultLinkTTL
	Now func() time.Time
}

// ErrBadLink is a link whose signature does not match or that has expired.
var ErrBadLink = errors.New("this link is not valid (wrong signature or expired): open the newest link from the review comment or check run")

// DeriveKey turns another secret into the link key, so the service needs no extra secret:
// HMAC-SHA256 keyed by the secret over a fixed label (a key derived for one purpose only).
func DeriveKey(secret string) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("releasegate decision links v1"))
	return m.Sum(nil)
}

// Sign returns the query (exp and sig) that opens the page of a decision.
func (s Signer) Sign(id string) url.Values {
	ttl := s.TTL
	if ttl <= 0 {
		ttl = DefaultLinkTTL
	}
	exp := s.Now().Add(ttl).Unix()
	return url.Values{"exp": {strconv.FormatInt(exp, 10)}, "sig": {s.mac(id, exp)}}
}

// Verify checks a decision page's query.
func (s Signer) Verify(id string, q url.Values) error {
	exp, err := strconv.ParseInt(q.Get("exp"), 10, 64)
	if err != nil || len(s.Key) == 0 {
		return ErrBadLink
	}
	if !hmac.Equal([]byte(q.Get("sig")), []byte(s.mac(id, exp))) {
		return ErrBadLink
	}
	if s.Now().Unix() > exp {
		return ErrBadLink
	}
	return nil
}

func (s Signer) mac(id string, exp int64) string {
	m := hmac.New(sha256.New, s.Key)
	fmt.Fprintf(m, "decision:%s:%d", id, exp)
	return hex.EncodeToString(m.Sum(nil))
}
