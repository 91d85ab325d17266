package ownership

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
)

// DecodeEvent reads one Sentry event given as JSON and returns what matching needs from it.
// Both shapes Sentry uses are accepted, and the shape is not declared but recognised field by
// field:
//
//   - the API shape, as returned by GET …/projects/{org}/{project}/events/{event_id}/ and
//     …/issues/{issue_id}/events/{event_id}/ (including "latest"): camelCase, the stacks and
//     the request inside "entries" ({"type": "exception" | "stacktrace" | "threads" |
//     "request", "data": …}), tags as a list of {"key", "value"} objects;
//   - the ingestion shape that SDKs send and webhooks carry: snake_case, top-level
//     "exception" (an object with "values" or a bare list), "stacktrace", "threads" (the same
//     two forms as exception) and "request", tags as an object or a list of [key, value] pairs.
//
// Frame fields may be spelled either way (abs_path or absPath, in_app or inApp).
//
// What is read: platform, sdk.name, request.url, tags, the user (id, email, username,
// ip_address, name, and user.data one level deep) and the frames (filename, abs_path, module,
// package, in_app) of every thread, of the top-level stack trace and of every exception. Raw
// stack traces (raw_stacktrace, rawStacktrace: the frames before symbolication and source
// maps) are not read, as Sentry's matchers read only "stacktrace". Every other field is
// skipped without being decoded, so large events cost little beyond their frames.
//
// Frames keep Sentry's order within each stack (caller first, the raising frame last), and the
// stacks are put one after the other as threads, then the top-level stack trace, then the
// exceptions in the order given. Sentry lists chained exceptions with the one raised last at the
// end, so the raising frame of the last-raised exception ends Event.Frames, which is what
// Options.FramePriority takes as nearest the error. Frames with no filename, abs_path or module
// (address-only native frames) are left out: no rule can match them, and leaving them out does
// not change the order of the others. Frame.InApp is nil when the frame does not say.
//
// Values: null is the same as an absent field everywhere. A tag value that is a number, a
// boolean, an object or an array is kept as its JSON text; a tag listed twice keeps its first
// value. user.data values that are strings, numbers or booleans are kept (the latter two as
// their JSON text); nested objects and arrays are skipped. User fields given as numbers or
// booleans are kept as their JSON text.
//
// The input must be a single JSON object. Invalid JSON (including invalid UTF-8 and an
// object naming a member twice) and a known field of the wrong JSON type are errors naming
// the JSON path, e.g. "sentry event: exception.values[2].stacktrace.frames: expected an array,
// found a string". The whole input is decoded in one pass.
func DecodeEvent(data []byte) (Event, error) {
	// A bytes.Buffer lets the decoder read data in place instead of copying it in chunks.
	d := &eventDecoder{dec: jsontext.NewDecoder(bytes.NewBuffer(data))}
	k, err := d.peek()
	if err != nil {
		return Event{}, err
	}
	if k != jsontext.KindBeginObject {
		return Event{}, d.errorf("expected a JSON object, found %s", kindName(k))
	}
	if err := d.object(d.eventMember); err != nil {
		return Event{}, err
	}
	end := d.dec.InputOffset()
	if _, err := d.dec.ReadToken(); !errors.Is(err, io.EOF) {
		end += int64(len(data[end:]) - len(bytes.TrimLeft(data[end:], " \t\r\n")))
		return Event{}, d.errorf("unexpected data after the event object at byte offset %d", end)
	}
	ev := d.ev
	if n := len(d.threads) + len(d.top) + len(d.exc); n > 0 {
		ev.Frames = make([]Frame, 0, n)
		ev.Frames = append(ev.Frames, d.threads...)
		ev.Frames = append(ev.Frames, d.top...)
		ev.Frames = append(ev.Frames, d.exc...)
	}
	return ev, nil
}

// eventDecoder decodes an event token by token. path is where it is, kept as segments and
// turned into text only for an error.
type eventDecoder struct {
	dec  *jsontext.Decoder
	path []pathSeg
	ev   Event
	// The frames of each kind of stack, joined in this order at the end.
	threads, top, exc []Frame
}

// pathSeg is an object member name, or an array index when index >= 0.
type pathSeg struct {
	name  string
	index int
}

func (d *eventDecoder) pathString() string {
	var b strings.Builder
	for _, s := range d.path {
		switch {
		case s.index >= 0:
			b.WriteString("[" + strconv.Itoa(s.index) + "]")
		case isPlainName(s.name):
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s.name)
		default:
			b.WriteString("[" + strconv.Quote(s.name) + "]")
		}
	}
	return b.String()
}

func isPlainName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r == '-' || r == '$' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

func (d *eventDecoder) errorf(format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if p := d.pathString(); p != "" {
		msg = p + ": " + msg
	}
	return errors.New("sentry event: " + msg)
}

// fail turns an error from the JSON decoder into one that says where it happened.
func (d *eventDecoder) fail(err error) error {
	var se *jsontext.SyntacticError
	switch {
	case errors.As(err, &se):
		if errors.Is(se.Err, io.ErrUnexpectedEOF) {
			return d.errorf("invalid JSON: unexpected end of input")
		}
		if errors.Is(se.Err, jsontext.ErrDuplicateName) {
			return d.errorf("invalid JSON at byte offset %d: member %q appears twice", se.ByteOffset, se.JSONPointer.LastToken())
		}
		return d.errorf("invalid JSON at byte offset %d: %v", se.ByteOffset, se.Err)
	case errors.Is(err, io.EOF) && len(d.path) == 0:
		return d.errorf("empty input: expected a JSON object")
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return d.errorf("invalid JSON: unexpected end of input")
	}
	return d.errorf("%v", err)
}

// peek returns the kind of the next value.
func (d *eventDecoder) peek() (jsontext.Kind, error) {
	if k := d.dec.PeekKind(); k != jsontext.KindInvalid {
		return k, nil
	}
	_, err := d.dec.ReadToken()
	if err == nil {
		err = errors.New("unexpected token")
	}
	return 0, d.fail(err)
}

func kindName(k jsontext.Kind) string {
	switch k {
	case jsontext.KindNull:
		return "null"
	case jsontext.KindTrue, jsontext.KindFalse:
		return "a boolean"
	case jsontext.KindString:
		return "a string"
	case jsontext.KindNumber:
		return "a number"
	case jsontext.KindBeginObject:
		return "an object"
	case jsontext.KindBeginArray:
		return "an array"
	}
	return "an invalid token"
}

func (d *eventDecoder) read() (jsontext.Token, error) {
	tok, err := d.dec.ReadToken()
	if err != nil {
		return tok, d.fail(err)
	}
	return tok, nil
}

func (d *eventDecoder) skip() error {
	if err := d.dec.SkipValue(); err != nil {
		return d.fail(err)
	}
	return nil
}

// object reads an object, or a null (which has no members), calling member with each name;
// member must consume the member's value.
func (d *eventDecoder) object(member func(name string) error) error {
	k, err := d.peek()
	if err != nil {
		return err
	}
	switch k {
	case jsontext.KindNull:
		_, err := d.read()
		return err
	case jsontext.KindBeginObject:
	default:
		return d.errorf("expected an object, found %s", kindName(k))
	}
	if _, err := d.read(); err != nil {
		return err
	}
	for {
		tok, err := d.read()
		if err != nil {
			return err
		}
		if tok.Kind() == jsontext.KindEndObject {
			return nil
		}
		name := tok.String()
		d.path = append(d.path, pathSeg{name: name, index: -1})
		if err := member(name); err != nil {
			return err
		}
		d.path = d.path[:len(d.path)-1]
	}
}

// array reads an array, or a null (which has no elements), calling elem for each element;
// elem must consume the element.
func (d *eventDecoder) array(elem func(i int) error) error {
	k, err := d.peek()
	if err != nil {
		return err
	}
	switch k {
	case jsontext.KindNull:
		_, err := d.read()
		return err
	case jsontext.KindBeginArray:
	default:
		return d.errorf("expected an array, found %s", kindName(k))
	}
	if _, err := d.read(); err != nil {
		return err
	}
	for i := 0; ; i++ {
		if d.dec.PeekKind() == jsontext.KindEndArray {
			_, err := d.read()
			return err
		}
		d.path = append(d.path, pathSeg{index: i})
		if err := elem(i); err != nil {
			return err
		}
		d.path = d.path[:len(d.path)-1]
	}
}

// str reads a string into *dst; null leaves *dst alone.
func (d *eventDecoder) str(dst *string) error {
	k, err := d.peek()
	if err != nil {
		return err
	}
	switch k {
	case jsontext.KindString:
		tok, err := d.read()
		*dst = tok.String()
		return err
	case jsontext.KindNull:
		_, err := d.read()
		return err
	}
	return d.errorf("expected a string, found %s", kindName(k))
}

// scalar reads a string, number or boolean as text (the latter two as their JSON text).
// ok is false for null; objects and arrays are an error.
func (d *eventDecoder) scalar() (s string, ok bool, err error) {
	k, err := d.peek()
	if err != nil {
		return "", false, err
	}
	switch k {
	case jsontext.KindString, jsontext.KindNumber, jsontext.KindTrue, jsontext.KindFalse:
		tok, err := d.read()
		return tok.String(), err == nil, err
	case jsontext.KindNull:
		_, err := d.read()
		return "", false, err
	}
	return "", false, d.errorf("expected a string, found %s", kindName(k))
}

// boolPtr reads a boolean into a new *bool; null leaves *dst alone.
func (d *eventDecoder) boolPtr(dst **bool) error {
	k, err := d.peek()
	if err != nil {
		return err
	}
	switch k {
	case jsontext.KindTrue, jsontext.KindFalse:
		if _, err := d.read(); err != nil {
			return err
		}
		b := k == jsontext.KindTrue
		*dst = &b
		return nil
	case jsontext.KindNull:
		_, err := d.read()
		return err
	}
	return d.errorf("expected a boolean, found %s", kindName(k))
}

func (d *eventDecoder) eventMember(name string) error {
	switch name {
	case "platform":
		return d.str(&d.ev.Platform)
	case "sdk":
		return d.object(func(name string) error {
			if name == "name" {
				return d.str(&d.ev.SDKName)
			}
			return d.skip()
		})
	case "exception":
		return d.values(&d.exc)
	case "threads":
		return d.values(&d.threads)
	case "stacktrace":
		return d.stack(&d.top)
	case "request":
		return d.request()
	case "tags":
		return d.tags()
	case "user":
		return d.user()
	case "entries":
		return d.array(func(int) error { return d.entry() })
	}
	return d.skip()
}

// entry reads one element of the API shape's "entries". Its data is decoded as it is read
// when "type" comes first (as Sentry writes it); otherwise it is kept and decoded after.
func (d *eventDecoder) entry() error {
	var typ string
	var typeSeen bool
	var pending jsontext.Value
	err := d.object(func(name string) error {
		switch name {
		case "type":
			typeSeen = true
			return d.str(&typ)
		case "data":
			if typeSeen {
				return d.entryData(typ)
			}
			v, err := d.dec.ReadValue()
			if err != nil {
				return d.fail(err)
			}
			pending = v.Clone()
		default:
			return d.skip()
		}
		return nil
	})
	if err != nil || pending == nil {
		return err
	}
	outer := d.dec
	d.dec = jsontext.NewDecoder(bytes.NewBuffer(pending))
	d.path = append(d.path, pathSeg{name: "data", index: -1})
	if err := d.entryData(typ); err != nil {
		return err
	}
	d.path = d.path[:len(d.path)-1]
	d.dec = outer
	return nil
}

func (d *eventDecoder) entryData(typ string) error {
	switch typ {
	case "exception":
		return d.values(&d.exc)
	case "threads":
		return d.values(&d.threads)
	case "stacktrace":
		return d.stack(&d.top)
	case "request":
		return d.request()
	}
	return d.skip()
}

// values reads an exception or threads interface: {"values": [...]} or the bare list, each
// element having a "stacktrace".
func (d *eventDecoder) values(dst *[]Frame) error {
	elem := func(int) error {
		return d.object(func(name string) error {
			if name == "stacktrace" {
				return d.stack(dst)
			}
			return d.skip()
		})
	}
	k, err := d.peek()
	if err != nil {
		return err
	}
	switch k {
	case jsontext.KindBeginArray:
		return d.array(elem)
	case jsontext.KindBeginObject, jsontext.KindNull:
		return d.object(func(name string) error {
			if name == "values" {
				return d.array(elem)
			}
			return d.skip()
		})
	}
	return d.errorf(`expected an object with "values" or an array, found %s`, kindName(k))
}

// stack reads a stack trace's frames onto *dst.
func (d *eventDecoder) stack(dst *[]Frame) error {
	return d.object(func(name string) error {
		if name != "frames" {
			return d.skip()
		}
		return d.array(func(int) error {
			var f Frame
			err := d.object(func(name string) error {
				switch name {
				case "filename":
					return d.str(&f.Filename)
				case "abs_path", "absPath":
					return d.str(&f.AbsPath)
				case "module":
					return d.str(&f.Module)
				case "package":
					return d.str(&f.Package)
				case "in_app", "inApp":
					return d.boolPtr(&f.InApp)
				}
				return d.skip()
			})
			if err == nil && (f.Filename != "" || f.AbsPath != "" || f.Module != "") {
				*dst = append(*dst, f)
			}
			return err
		})
	})
}

func (d *eventDecoder) request() error {
	return d.object(func(name string) error {
		if name == "url" {
			return d.str(&d.ev.URL)
		}
		return d.skip()
	})
}

func (d *eventDecoder) user() error {
	u := &d.ev.User
	return d.object(func(name string) error {
		var dst *string
		switch name {
		case "id":
			dst = &u.ID
		case "email":
			dst = &u.Email
		case "username":
			dst = &u.Username
		case "ip_address":
			dst = &u.IPAddress
		case "name":
			dst = &u.Name
		case "data":
			return d.object(func(key string) error {
				k, err := d.peek()
				if err != nil {
					return err
				}
				if k == jsontext.KindBeginObject || k == jsontext.KindBeginArray {
					return d.skip() // one level only
				}
				v, ok, err := d.scalar()
				if ok {
					if u.Data == nil {
						u.Data = map[string]string{}
					}
					u.Data[key] = v
				}
				return err
			})
		default:
			return d.skip()
		}
		v, _, err := d.scalar()
		*dst = v
		return err
	})
}

// tags reads the tags as an object, a list of [key, value] pairs or a list of {key, value}
// objects. Null entries and null values are skipped; the first value of a key is kept.
func (d *eventDecoder) tags() error {
	add := func(key, value string) {
		if d.ev.Tags == nil {
			d.ev.Tags = map[string]string{}
		}
		if _, dup := d.ev.Tags[key]; !dup {
			d.ev.Tags[key] = value
		}
	}
	k, err := d.peek()
	if err != nil {
		return err
	}
	if k != jsontext.KindBeginArray {
		if k != jsontext.KindBeginObject && k != jsontext.KindNull {
			return d.errorf("expected an object or an array, found %s", kindName(k))
		}
		return d.object(func(key string) error {
			v, ok, err := d.tagValue()
			if ok {
				add(key, v)
			}
			return err
		})
	}
	return d.array(func(int) error {
		var key, value string
		var hasKey, hasValue bool
		k, err := d.peek()
		if err != nil {
			return err
		}
		switch k {
		case jsontext.KindNull:
			_, err := d.read()
			return err
		case jsontext.KindBeginArray:
			n := 0
			err = d.array(func(i int) error {
				n++
				switch i {
				case 0:
					return d.tagKey(&key, &hasKey)
				case 1:
					var err error
					value, hasValue, err = d.tagValue()
					return err
				}
				return d.errorf("expected a [key, value] pair, found more than 2 elements")
			})
			if err == nil && n != 2 {
				what := "only 1 element"
				if n != 1 {
					what = fmt.Sprintf("%d elements", n)
				}
				err = d.errorf("expected a [key, value] pair, found %s", what)
			}
		case jsontext.KindBeginObject:
			err = d.object(func(name string) error {
				switch name {
				case "key":
					return d.tagKey(&key, &hasKey)
				case "value":
					var err error
					value, hasValue, err = d.tagValue()
					return err
				}
				return d.skip()
			})
		default:
			return d.errorf("expected a [key, value] pair or a {key, value} object, found %s", kindName(k))
		}
		if hasKey && hasValue {
			add(key, value)
		}
		return err
	})
}

// tagKey reads a tag key: a string, or null (no key).
func (d *eventDecoder) tagKey(key *string, ok *bool) error {
	k, err := d.peek()
	if err != nil {
		return err
	}
	*ok = k == jsontext.KindString
	return d.str(key)
}

// tagValue reads a tag value: strings as they are, other values as their JSON text; ok is
// false for null.
func (d *eventDecoder) tagValue() (string, bool, error) {
	k, err := d.peek()
	if err != nil {
		return "", false, err
	}
	if k != jsontext.KindBeginObject && k != jsontext.KindBeginArray {
		return d.scalar()
	}
	v, err := d.dec.ReadValue()
	if err != nil {
		return "", false, d.fail(err)
	}
	v = v.Clone() // the decoder's value is only borrowed; Compact rewrites it
	if err := v.Compact(); err != nil {
		return "", false, d.fail(err)
	}
	return string(v), true, nil
}
