package githubapi

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/google/go-github/v88/github"
)

// DefaultMaxWebhookBody caps a delivery's body: GitHub caps payloads at 25 MB.
const DefaultMaxWebhookBody = 25 << 20

// Webhook header names, as GitHub sends them.
const (
	HeaderEvent     = "X-GitHub-Event"
	HeaderDelivery  = "X-GitHub-Delivery"
	HeaderSignature = "X-Hub-Signature-256"
	HeaderHookID    = "X-GitHub-Hook-ID"
)

var (
	// ErrBadSignature: the delivery's X-Hub-Signature-256 is missing, malformed or does not
	// match the body under any configured secret. Nothing of the body may be trusted.
	ErrBadSignature = errors.New("webhook signature check failed")
	// ErrBadDelivery: the delivery is signed but unusable (no event or delivery ID, a body
	// that is not a JSON object, an unsupported content type, or a body over the cap).
	ErrBadDelivery = errors.New("malformed webhook delivery")
)

// Delivery is one verified webhook delivery.
type Delivery struct {
	// ID (X-GitHub-Delivery) is the same on a redelivery: the key to process it once.
	ID string
	// Event is X-GitHub-Event, Action the payload's action ("" when it has none).
	Event, Action string
	// HookID is X-GitHub-Hook-ID.
	HookID string
	// Installation is the payload's installation.id, 0 when absent.
	Installation int64
	// SHA and Ref are the payload's top-level sha and ref when it has them. For
	// deployment_protection_rule they name the commit to gate, also when the job created no
	// deployment; go-github's event type drops both.
	SHA, Ref string
	// Payload is the JSON payload, as signed (the form field's value for form deliveries).
	Payload []byte
	// Parsed is go-github's type for the event (*github.DeploymentProtectionRuleEvent, …);
	// nil for an event go-github does not know, which a caller acknowledges and ignores.
	Parsed any
	// ParseError is set, and Parsed nil, when go-github cannot read a signed JSON payload of
	// an event it knows (GitHub's own 2018 check_run examples carry timestamps it rejects). The
	// delivery is still GitHub's: store it and decide, rather than answering an error GitHub
	// will not retry.
	ParseError error
}

// VerifySignature checks header (X-Hub-Signature-256, "sha256=<hex>") against the HMAC-SHA256
// of body under each secret, in constant time; several secrets allow rotating it. Only SHA-256
// is accepted: the legacy SHA-1 header is not enough.
func VerifySignature(header string, body []byte, secrets ...[]byte) error {
	hexSum, ok := strings.CutPrefix(strings.TrimSpace(header), "sha256=")
	if !ok {
		if header == "" {
			return fmt.Errorf("%w: no %s header (is a webhook secret set on the App?)", ErrBadSignature, HeaderSignature)
		}
		return fmt.Errorf("%w: %s is not sha256=<hex>", ErrBadSignature, HeaderSignature)
	}
	got, err := hex.DecodeString(hexSum)
	if err != nil || len(got) != sha256.Size {
		return fmt.Errorf("%w: %s is not sha256=<64 hex digits>", ErrBadSignature, HeaderSignature)
	}
	for _, secret := range secrets {
		if len(secret) == 0 {
			continue
		}
		mac := hmac.New(sha256.New, secret)
		mac.Write(body)
		if hmac.Equal(got, mac.Sum(nil)) {
			return nil
		}
	}
	return fmt.Errorf("%w: the signature does not match the body (is the webhook secret the App's?)", ErrBadSignature)
}

// Sign returns the X-Hub-Signature-256 value of body under secret, as GitHub computes it.
func Sign(secret, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// ParseDelivery verifies a delivery's signature and parses it. Nothing of the body is read
// before the signature is checked. The content type is GitHub's application/json or its
// form encoding (payload=…); an empty one is taken as JSON.
func ParseDelivery(header http.Header, body []byte, secrets ...[]byte) (*Delivery, error) {
	if err := VerifySignature(header.Get(HeaderSignature), body, secrets...); err != nil {
		return nil, err
	}
	payload, err := payloadOf(header.Get("Content-Type"), body)
	if err != nil {
		return nil, err
	}
	return ParseVerified(header.Get(HeaderEvent), header.Get(HeaderDelivery), header.Get(HeaderHookID), payload)
}

// ParseVerified parses a delivery whose signature was checked already: the service verifies
// at intake, stores the raw payload, and parses it when a job processes it.
func ParseVerified(event, id, hookID string, payload []byte) (*Delivery, error) {
	d := &Delivery{ID: strings.TrimSpace(id), Event: strings.TrimSpace(event), HookID: hookID, Payload: payload}
	switch {
	case d.Event == "":
		return nil, fmt.Errorf("%w: no %s header", ErrBadDelivery, HeaderEvent)
	case d.ID == "":
		return nil, fmt.Errorf("%w: no %s header", ErrBadDelivery, HeaderDelivery)
	case len(d.ID) > 200 || strings.ContainsFunc(d.ID+d.Event, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return nil, fmt.Errorf("%w: the event or delivery ID header is not a plain short value", ErrBadDelivery)
	}
	var err error
	var common struct {
		SHA          any     `json:"sha"`
		Ref          any     `json:"ref"`
		Action       *string `json:"action"`
		Installation *struct {
			ID int64 `json:"id"`
		} `json:"installation"`
	}
	if err := json.Unmarshal(payload, &common); err != nil {
		return nil, fmt.Errorf("%w: the payload is not a JSON object: %w", ErrBadDelivery, err)
	}
	if common.Action != nil {
		d.Action = *common.Action
	}
	if common.Installation != nil {
		d.Installation = common.Installation.ID
	}
	// Strings only: another event may use the names for something else.
	d.SHA, _ = common.SHA.(string)
	d.Ref, _ = common.Ref.(string)
	if !slices.Contains(github.MessageTypes(), d.Event) {
		return d, nil
	}
	if d.Parsed, err = github.ParseWebHook(d.Event, payload); err != nil {
		d.Parsed, d.ParseError = nil, fmt.Errorf("githubapi: go-github cannot read this %s payload: %w", d.Event, err)
	}
	return d, nil
}

func payloadOf(contentType string, body []byte) ([]byte, error) {
	mediaType := "application/json"
	if contentType != "" {
		mt, _, err := mime.ParseMediaType(contentType)
		if err != nil {
			return nil, fmt.Errorf("%w: Content-Type %q: %w", ErrBadDelivery, contentType, err)
		}
		mediaType = mt
	}
	switch mediaType {
	case "application/json":
		return body, nil
	case "application/x-www-form-urlencoded":
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, fmt.Errorf("%w: the form body: %w", ErrBadDelivery, err)
		}
		if p := form.Get("payload"); p != "" {
			return []byte(p), nil
		}
		return nil, fmt.Errorf("%w: the form body has no payload field", ErrBadDelivery)
	}
	return nil, fmt.Errorf("%w: Content-Type %q is neither application/json nor a form (set the App's webhook to JSON)", ErrBadDelivery, contentType)
}

// ReadDelivery reads at most maxBody bytes (0: DefaultMaxWebhookBody) of r's body and parses
// it with ParseDelivery. A larger body is ErrBadDelivery, read no further.
func ReadDelivery(r *http.Request, maxBody int64, secrets ...[]byte) (*Delivery, error) {
	if maxBody <= 0 {
		maxBody = DefaultMaxWebhookBody
	}
	if r.ContentLength > maxBody {
		return nil, fmt.Errorf("%w: the body is %d bytes, more than the %d allowed", ErrBadDelivery, r.ContentLength, maxBody)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return nil, fmt.Errorf("%w: reading the body: %w", ErrBadDelivery, err)
	}
	if int64(len(body)) > maxBody {
		return nil, fmt.Errorf("%w: the body is more than the %d bytes allowed", ErrBadDelivery, maxBody)
	}
	return ParseDelivery(r.Header, body, secrets...)
}
