package sentryapitest

import (
	"bufio"
	"bytes"
	"cmp"
	"compress/flate"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Relay's clock rules: an event from the future (beyond a minute of skew) or older than the
// retention window gets the time it was received instead.
const (
	maxFutureSkew = time.Minute
	maxEventAge   = 30 * 24 * time.Hour
)

// ingestEnvelope accepts what sentry-go sends: an envelope of event, session and other items.
func (s *Server) ingestEnvelope(c *call) {
	p, ok := c.ingestProject()
	if !ok {
		return
	}
	body, err := decodeContent(c.r.Header.Get("Content-Encoding"), c.body)
	if err != nil {
		c.detail(http.StatusBadRequest, "invalid body: "+err.Error())
		return
	}
	header, items, err := parseEnvelope(body)
	if err != nil {
		c.detail(http.StatusBadRequest, "invalid envelope: "+err.Error())
		return
	}
	received := s.clock()
	// Relay corrects the SDK's clock: timestamps move by the difference between when the
	// envelope says it was sent and when it arrived.
	var drift time.Duration
	if sentAt, ok := header["sent_at"].(string); ok {
		if t, err := time.Parse(time.RFC3339Nano, sentAt); err == nil {
			drift = received.Sub(t)
		}
	}
	for _, it := range items {
		switch it.typ {
		case "event":
			ev, err := decodeEvent(it.payload)
			if err != nil {
				c.detail(http.StatusBadRequest, "invalid event: "+err.Error())
				return
			}
			s.storeFromRelay(p, ev, received, drift)
		case "session":
			if err := s.storeSessionUpdate(p, it.payload, received, drift); err != nil {
				c.detail(http.StatusBadRequest, "invalid session: "+err.Error())
				return
			}
		case "sessions":
			if err := s.storeSessionAggregates(p, it.payload, received, drift); err != nil {
				c.detail(http.StatusBadRequest, "invalid sessions: "+err.Error())
				return
			}
		}
		// Transactions, client reports, logs, attachments and the rest are accepted and dropped.
	}
	resp := map[string]any{}
	if id, ok := header["event_id"].(string); ok && id != "" {
		resp["id"] = id
	}
	c.json(http.StatusOK, resp)
}

// ingestStore accepts the legacy store endpoint: one JSON event per request.
func (s *Server) ingestStore(c *call) {
	p, ok := c.ingestProject()
	if !ok {
		return
	}
	body, err := decodeContent(c.r.Header.Get("Content-Encoding"), c.body)
	if err != nil {
		c.detail(http.StatusBadRequest, "invalid body: "+err.Error())
		return
	}
	ev, err := decodeEvent(body)
	if err != nil {
		c.detail(http.StatusBadRequest, "invalid event: "+err.Error())
		return
	}
	se := s.storeFromRelay(p, ev, s.clock(), 0)
	c.json(http.StatusOK, map[string]string{"id": se.id})
}

func (s *Server) storeFromRelay(p *project, ev Event, received time.Time, drift time.Duration) *storedEvent {
	if !ev.Timestamp.IsZero() {
		ts := ev.Timestamp.Add(drift)
		if ts.After(received.Add(maxFutureSkew)) || ts.Before(received.Add(-maxEventAge)) {
			ts = received
		}
		ev.Timestamp = ts
	}
	if ev.Release != "" && validVersion(ev.Release) != nil {
		// Relay drops a release Sentry would refuse, keeping the event.
		ev.Release = ""
	}
	se, _ := s.store(p, ev, received)
	return se
}

// ingestProject checks the project ID in the path and the DSN key (X-Sentry-Auth, the
// sentry_key query parameter, or an Authorization header of the "Sentry" scheme).
func (c *call) ingestProject() (*project, bool) {
	var p *project
	id := c.param("project_id")
	for _, o := range c.s.orgs {
		for _, q := range o.projects {
			if strconv.Itoa(q.id) == id {
				p = q
			}
		}
	}
	key := c.r.URL.Query().Get("sentry_key")
	for _, h := range []string{c.r.Header.Get("X-Sentry-Auth"), c.r.Header.Get("Authorization")} {
		rest, ok := strings.CutPrefix(h, "Sentry ")
		if !ok {
			continue
		}
		for _, kv := range strings.Split(rest, ",") {
			k, v, _ := strings.Cut(strings.TrimSpace(kv), "=")
			if k == "sentry_key" {
				key = v
			}
		}
	}
	switch {
	case key == "":
		c.detail(http.StatusUnauthorized, "missing authorization information")
		return nil, false
	case p == nil:
		c.detail(http.StatusForbidden, "event submission rejected with_reason: ProjectId")
		return nil, false
	case key != p.key:
		c.detail(http.StatusUnauthorized, "invalid authorization")
		return nil, false
	}
	return p, true
}

func decodeContent(encoding string, body []byte) ([]byte, error) {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "", "identity":
		return body, nil
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		return io.ReadAll(zr)
	case "deflate":
		return io.ReadAll(flate.NewReader(bytes.NewReader(body)))
	}
	return nil, fmt.Errorf("unsupported Content-Encoding %q", encoding)
}

type envelopeItem struct {
	typ     string
	payload []byte
}

// parseEnvelope splits an envelope: a JSON header line, then items, each a JSON header line
// and a payload that is either "length" bytes long or runs to the end of the line.
func parseEnvelope(body []byte) (map[string]any, []envelopeItem, error) {
	r := bufio.NewReader(bytes.NewReader(body))
	line, err := r.ReadBytes('\n')
	if err != nil && err != io.EOF {
		return nil, nil, err
	}
	var header map[string]any
	if err := json.Unmarshal(bytes.TrimSpace(line), &header); err != nil {
		return nil, nil, fmt.Errorf("envelope header: %w", err)
	}
	var items []envelopeItem
	for {
		line, err := r.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) == 0 {
			if err != nil {
				break
			}
			continue
		}
		var ih struct {
			Type   string `json:"type"`
			Length *int   `json:"length"`
		}
		if err := json.Unmarshal(bytes.TrimSpace(line), &ih); err != nil {
			return nil, nil, fmt.Errorf("item header: %w", err)
		}
		var payload []byte
		if ih.Length != nil {
			payload = make([]byte, *ih.Length)
			if _, err := io.ReadFull(r, payload); err != nil {
				return nil, nil, fmt.Errorf("%s item: %d bytes announced: %w", ih.Type, *ih.Length, err)
			}
			// The newline after a payload of known length is optional.
			if b, err := r.Peek(1); err == nil && b[0] == '\n' {
				_, _ = r.ReadByte()
			}
		} else {
			payload, err = r.ReadBytes('\n')
			if err != nil && err != io.EOF {
				return nil, nil, err
			}
			payload = bytes.TrimSuffix(payload, []byte("\n"))
		}
		items = append(items, envelopeItem{typ: ih.Type, payload: payload})
	}
	return header, items, nil
}

// rawEvent is the ingestion format as SDKs send it, with the variants Relay accepts: exception
// as a list or as {"values": [...]}, tags as an object or as pairs, timestamps as RFC 3339
// strings or Unix seconds, message as a string or a logentry.
type rawEvent struct {
	EventID     string                    `json:"event_id"`
	Timestamp   json.RawMessage           `json:"timestamp"`
	Level       string                    `json:"level"`
	Platform    string                    `json:"platform"`
	Logger      string                    `json:"logger"`
	Message     json.RawMessage           `json:"message"`
	Logentry    *rawLogentry              `json:"logentry"`
	Release     string                    `json:"release"`
	Dist        string                    `json:"dist"`
	Environment string                    `json:"environment"`
	ServerName  string                    `json:"server_name"`
	Transaction string                    `json:"transaction"`
	Tags        json.RawMessage           `json:"tags"`
	User        *rawUser                  `json:"user"`
	Exception   json.RawMessage           `json:"exception"`
	Fingerprint []string                  `json:"fingerprint"`
	Contexts    map[string]map[string]any `json:"contexts"`
	SDK         *struct {
		Name    string `json:"name"`
		Version string `json:"version"`
	} `json:"sdk"`
	Request *struct {
		URL string `json:"url"`
	} `json:"request"`
}

type rawLogentry struct {
	Formatted string `json:"formatted"`
	Message   string `json:"message"`
}

type rawUser struct {
	ID        json.RawMessage `json:"id"`
	Email     string          `json:"email"`
	Username  string          `json:"username"`
	IPAddress string          `json:"ip_address"`
	Name      string          `json:"name"`
}

type rawException struct {
	Type      string `json:"type"`
	Value     string `json:"value"`
	Module    string `json:"module"`
	Mechanism *struct {
		Type    string `json:"type"`
		Handled *bool  `json:"handled"`
	} `json:"mechanism"`
	Stacktrace *struct {
		Frames []rawFrame `json:"frames"`
	} `json:"stacktrace"`
}

type rawFrame struct {
	Function    string `json:"function"`
	Module      string `json:"module"`
	Package     string `json:"package"`
	Filename    string `json:"filename"`
	AbsPath     string `json:"abs_path"`
	Lineno      int    `json:"lineno"`
	Colno       int    `json:"colno"`
	InApp       *bool  `json:"in_app"`
	ContextLine string `json:"context_line"`
}

func decodeEvent(b []byte) (Event, error) {
	var raw rawEvent
	if err := json.Unmarshal(b, &raw); err != nil {
		return Event{}, err
	}
	ev := Event{
		EventID: raw.EventID, Level: raw.Level, Platform: raw.Platform, Logger: raw.Logger,
		Release: raw.Release, Dist: raw.Dist, Environment: raw.Environment,
		ServerName: raw.ServerName, Transaction: raw.Transaction,
		Fingerprint: raw.Fingerprint, Contexts: raw.Contexts,
	}
	if raw.SDK != nil {
		ev.SDKName, ev.SDKVersion = raw.SDK.Name, raw.SDK.Version
	}
	if raw.Request != nil {
		ev.RequestURL = raw.Request.URL
	}
	ts, err := decodeTimestamp(raw.Timestamp)
	if err != nil {
		return Event{}, err
	}
	ev.Timestamp = ts

	if len(raw.Message) > 0 && string(raw.Message) != "null" {
		var msg string
		if err := json.Unmarshal(raw.Message, &msg); err != nil {
			var le rawLogentry
			if err := json.Unmarshal(raw.Message, &le); err != nil {
				return Event{}, fmt.Errorf("message: %w", err)
			}
			msg = cmp.Or(le.Formatted, le.Message)
		}
		ev.Message = msg
	}
	if raw.Logentry != nil && ev.Message == "" {
		ev.Message = cmp.Or(raw.Logentry.Formatted, raw.Logentry.Message)
	}

	if len(raw.Tags) > 0 && string(raw.Tags) != "null" {
		ev.Tags = map[string]string{}
		var obj map[string]any
		if err := json.Unmarshal(raw.Tags, &obj); err == nil {
			for k, v := range obj {
				ev.Tags[k] = fmt.Sprint(v)
			}
		} else {
			var pairs [][]any
			if err := json.Unmarshal(raw.Tags, &pairs); err != nil {
				return Event{}, fmt.Errorf("tags: neither an object nor a list of pairs")
			}
			for _, p := range pairs {
				if len(p) == 2 {
					ev.Tags[fmt.Sprint(p[0])] = fmt.Sprint(p[1])
				}
			}
		}
	}

	if u := raw.User; u != nil {
		ev.User = &User{Email: u.Email, Username: u.Username, IPAddress: u.IPAddress, Name: u.Name}
		if len(u.ID) > 0 && string(u.ID) != "null" {
			var id any
			_ = json.Unmarshal(u.ID, &id)
			switch v := id.(type) {
			case string:
				ev.User.ID = v
			case float64:
				ev.User.ID = strconv.FormatFloat(v, 'f', -1, 64)
			}
		}
	}

	if len(raw.Exception) > 0 && string(raw.Exception) != "null" {
		var list []rawException
		if err := json.Unmarshal(raw.Exception, &list); err != nil {
			var wrapped struct {
				Values []rawException `json:"values"`
			}
			if err := json.Unmarshal(raw.Exception, &wrapped); err != nil {
				return Event{}, fmt.Errorf("exception: neither a list nor {\"values\": [...]}")
			}
			list = wrapped.Values
		}
		for _, rx := range list {
			x := Exception{Type: rx.Type, Value: rx.Value, Module: rx.Module}
			if rx.Mechanism != nil {
				x.Mechanism, x.Handled = rx.Mechanism.Type, rx.Mechanism.Handled
			}
			if rx.Stacktrace != nil {
				for _, rf := range rx.Stacktrace.Frames {
					x.Frames = append(x.Frames, Frame{
						Function: rf.Function, Module: rf.Module, Package: rf.Package,
						Filename: rf.Filename, AbsPath: rf.AbsPath, Lineno: rf.Lineno, Colno: rf.Colno,
						InApp: rf.InApp != nil && *rf.InApp, ContextLine: rf.ContextLine,
					})
				}
			}
			ev.Exceptions = append(ev.Exceptions, x)
		}
	}
	return ev, nil
}

func decodeTimestamp(raw json.RawMessage) (time.Time, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return time.Time{}, nil
	}
	var str string
	if err := json.Unmarshal(raw, &str); err == nil {
		if t, err := time.Parse(time.RFC3339Nano, str); err == nil {
			return t.UTC(), nil
		}
		if t, err := parseISO(str); err == nil {
			return t, nil
		}
		return time.Time{}, fmt.Errorf("timestamp %q is not RFC 3339", str)
	}
	var secs float64
	if err := json.Unmarshal(raw, &secs); err != nil {
		return time.Time{}, fmt.Errorf("timestamp: %w", err)
	}
	return time.Unix(0, int64(secs*1e9)).UTC(), nil
}
