package intake

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
)

// SentrySecret is one Sentry integration's client secret and the GitHub owner it belongs to.
type SentrySecret struct {
	Owner  string
	Secret string
}

// ErrBadSignature is a delivery whose signature matches no configured secret.
var ErrBadSignature = errors.New("the signature does not match: check the webhook secret (GitHub) or the integration's client secret (Sentry)")

// VerifySentry checks Sentry-Hook-Signature (lower-case hex HMAC-SHA256 of the raw body, keyed
// by the integration's client secret) against every configured secret and returns the owner
// whose secret signed it. Every secret is tried, whatever matched, so the time taken does not
// tell which owner's secret is which.
func VerifySentry(body []byte, signature string, secrets []SentrySecret) (owner string, err error) {
	got, err := hex.DecodeString(strings.TrimSpace(signature))
	if err != nil || len(got) != sha256.Size {
		return "", ErrBadSignature
	}
	found := -1
	for i, s := range secrets {
		if s.Secret == "" {
			continue
		}
		m := hmac.New(sha256.New, []byte(s.Secret))
		m.Write(body)
		if hmac.Equal(m.Sum(nil), got) && found < 0 {
			found = i
		}
	}
	if found < 0 {
		return "", ErrBadSignature
	}
	return secrets[found].Owner, nil
}
