package sourcemaps

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
)

// StripSourcePrefixes removes the first matching prefix from every "sources" entry of a map (and
// of each section's map in an index map), as sentry-cli's --strip-prefix does, so that frames show
// "src/app.ts" instead of "../../home/ci/build/src/app.ts". Only the "sources" arrays change; the
// rest of the text is kept byte for byte. It reports whether anything changed.
func StripSourcePrefixes(mapData []byte, prefixes []string) ([]byte, bool, error) {
	if len(prefixes) == 0 {
		return mapData, false, nil
	}
	var edits []sourcesEdit
	if err := findSources(mapData, 0, &edits); err != nil {
		return nil, false, fmt.Errorf("stripping source prefixes: %w", err)
	}
	var out bytes.Buffer
	changed := false
	var last int64
	for _, e := range edits {
		var sources []*string
		if err := json.Unmarshal(mapData[e.start:e.end], &sources); err != nil {
			return nil, false, fmt.Errorf("stripping source prefixes: \"sources\" is not a list of strings: %w", err)
		}
		any := false
		for _, s := range sources {
			if s == nil {
				continue
			}
			for _, p := range prefixes {
				if rest, ok := strings.CutPrefix(*s, p); ok {
					*s = strings.TrimPrefix(rest, "/")
					any = true
					break
				}
			}
		}
		if !any {
			continue
		}
		enc, err := json.Marshal(sources)
		if err != nil {
			return nil, false, err
		}
		out.Write(mapData[last:e.start])
		out.Write(enc)
		last = e.end
		changed = true
	}
	if !changed {
		return mapData, false, nil
	}
	out.Write(mapData[last:])
	return out.Bytes(), true, nil
}

// sourcesEdit is the byte span of one "sources" array in a map's text.
type sourcesEdit struct{ start, end int64 }

// findSources records the span of the "sources" array of the map object at data[base:], and
// of every section map's, in text order.
func findSources(data []byte, base int64, edits *[]sourcesEdit) error {
	dec := jsontext.NewDecoder(bytes.NewReader(data[base:]), jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
	if tok, err := dec.ReadToken(); err != nil || tok.Kind() != '{' {
		return errors.New("the map is not a JSON object")
	}
	for dec.PeekKind() != '}' {
		tok, err := dec.ReadToken()
		if err != nil {
			return err
		}
		key := tok.String()
		switch key {
		case "sources":
			v, err := dec.ReadValue()
			if err != nil {
				return err
			}
			end := dec.InputOffset()
			// The value may be preceded by ':' and spaces: the span is the value's own bytes.
			start := end - int64(len(v))
			*edits = append(*edits, sourcesEdit{base + start, base + end})
		case "sections":
			if err := findSectionSources(dec, data, base, edits); err != nil {
				return err
			}
		default:
			if err := dec.SkipValue(); err != nil {
				return err
			}
		}
	}
	return nil
}

func findSectionSources(dec *jsontext.Decoder, data []byte, base int64, edits *[]sourcesEdit) error {
	if tok, err := dec.ReadToken(); err != nil || tok.Kind() != '[' {
		return errors.New("\"sections\" is not a list")
	}
	for dec.PeekKind() != ']' {
		if tok, err := dec.ReadToken(); err != nil || tok.Kind() != '{' {
			return errors.New("a section is not an object")
		}
		for dec.PeekKind() != '}' {
			tok, err := dec.ReadToken()
			if err != nil {
				return err
			}
			if tok.String() != "map" {
				if err := dec.SkipValue(); err != nil {
					return err
				}
				continue
			}
			v, err := dec.ReadValue()
			if err != nil {
				return err
			}
			end := dec.InputOffset()
			if err := findSources(data, base+end-int64(len(v)), edits); err != nil {
				return err
			}
		}
		if _, err := dec.ReadToken(); err != nil {
			return err
		}
	}
	_, err := dec.ReadToken()
	if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}

// SourceNames returns every "sources" entry of a map (and of its sections), in order; null
// entries are left out.
func SourceNames(mapData []byte) ([]string, error) {
	var edits []sourcesEdit
	if err := findSources(mapData, 0, &edits); err != nil {
		return nil, fmt.Errorf("reading the map's sources: %w", err)
	}
	var out []string
	for _, e := range edits {
		var sources []*string
		if err := json.Unmarshal(mapData[e.start:e.end], &sources); err != nil {
			return nil, fmt.Errorf("reading the map's sources: \"sources\" is not a list of strings: %w", err)
		}
		for _, s := range sources {
			if s != nil {
				out = append(out, *s)
			}
		}
	}
	return out, nil
}

// CommonSourcePrefix is the prefix every source name of every map in d shares
// ([CommonSourcePrefix] of them all): what --strip-common-prefix strips. Maps discovered lazily
// are read one at a time and let go again, so the build need not fit in memory.
func (d *Discovery) CommonSourcePrefix() (string, error) {
	var names []string
	for i := range d.Pairs {
		p := &d.Pairs[i]
		loaded, err := p.Load()
		if err != nil {
			return "", err
		}
		if p.MapData != nil {
			n, err := SourceNames(p.MapData)
			if err != nil {
				return "", fmt.Errorf("%s: %w", cmp.Or(p.Map, p.JS), err)
			}
			names = append(names, n...)
		}
		if loaded {
			p.Unload()
		}
	}
	return CommonSourcePrefix(names), nil
}

// CommonSourcePrefix is the longest prefix, ending with '/', that every non-empty source name
// shares: what sentry-cli's --strip-common-prefix removes ("../../src/a.ts" and
// "../../src/b/c.ts" share "../../src/"). Names are compared as written; a name that is only the
// prefix itself is never left empty, so the prefix stops before a name's last segment.
func CommonSourcePrefix(names []string) string {
	prefix, first := "", true
	for _, n := range names {
		if n == "" {
			continue
		}
		dir := n[:strings.LastIndex(n, "/")+1] // the name's folder, "" when it has none
		if first {
			prefix, first = dir, false
			continue
		}
		for !strings.HasPrefix(dir, prefix) {
			// Drop the prefix's last segment.
			trimmed := strings.TrimSuffix(prefix, "/")
			prefix = trimmed[:strings.LastIndex(trimmed, "/")+1]
		}
		if prefix == "" {
			return ""
		}
	}
	return prefix
}
