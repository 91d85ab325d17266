package serveconf

import (
	"encoding/json"
	"log/slog"
)

// Secret holds a credential. Every way a value gets printed (fmt's verbs, slog, JSON) shows
// "[redacted]", so a secret that reaches a log line or an error by mistake still does not leak;
// Reveal is the one way to read it, at the place it is used.
type Secret struct{ value string }

// NewSecret wraps a credential.
func NewSecret(v string) Secret { return Secret{value: v} }

// Reveal returns the credential.
func (s Secret) Reveal() string { return s.value }

// IsSet says whether a value was given.
func (s Secret) IsSet() bool { return s.value != "" }

const redacted = "[redacted]"

func (s Secret) String() string   { return redacted }
func (s Secret) GoString() string { return redacted }

// LogValue keeps the secret out of structured logs.
func (s Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalJSON keeps the secret out of JSON.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(redacted) }
