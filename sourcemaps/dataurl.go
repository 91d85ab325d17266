package sourcemaps

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// inlineMapPrefix is the only spelling of an inline map that sentry-cli injects into as a map;
// any other data: URL makes it treat the file as having none.
const inlineMapPrefix = "data:application/json;base64,"

// decodeDataURL returns the payload of a data: URL ("data:[<media type>][;base64],<data>").
// Base64 must be standard and padded, as sentry-cli requires.
func decodeDataURL(ref string) ([]byte, error) {
	rest, ok := strings.CutPrefix(ref, "data:")
	if !ok {
		return nil, errors.New("not a data: URL")
	}
	meta, payload, ok := strings.Cut(rest, ",")
	if !ok {
		return nil, errors.New("the data: URL has no ',' before its payload")
	}
	media := strings.ToLower(meta)
	isBase64 := strings.HasSuffix(media, ";base64")
	media = strings.TrimSuffix(media, ";base64")
	if media != "" && !strings.HasPrefix(media, "application/json") && !strings.HasPrefix(media, "text/plain") {
		return nil, fmt.Errorf("the data: URL has media type %q, not application/json", meta)
	}
	if isBase64 {
		b, err := base64.StdEncoding.DecodeString(payload)
		if err != nil {
			return nil, fmt.Errorf("the payload is not valid base64 (%w)", err)
		}
		return b, nil
	}
	s, err := url.PathUnescape(payload)
	if err != nil {
		return nil, fmt.Errorf("the payload is not valid percent-encoding (%w)", err)
	}
	return []byte(s), nil
}
