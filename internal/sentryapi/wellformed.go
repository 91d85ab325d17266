package sentryapi

import (
	"errors"
	"fmt"
	"reflect"
)

// An answer that decodes but lacks what names the thing it describes ({} for a release, an issue
// without an id) would otherwise read as an empty release or a nameless issue: `release info`
// once printed an empty release for {}. The types callers rely on say what they cannot be
// without; decode checks it for a single answer and for every element of a list.

// wellFormed is implemented by answers that name what they describe.
type wellFormed interface {
	wellFormed() error
}

var errMissingField = errors.New("a field the API always sends is missing")

func missing(field string) error { return fmt.Errorf("%w: %s", errMissingField, field) }

func (r Release) wellFormed() error {
	if r.Version == "" {
		return missing("version")
	}
	return nil
}

func (d Deploy) wellFormed() error {
	if d.Environment == "" {
		return missing("environment")
	}
	return nil
}

func (i IssueFields) wellFormed() error {
	switch {
	case i.ID == "":
		return missing("id")
	case i.Status == "":
		return missing("status")
	}
	return nil
}

func (t Team) wellFormed() error {
	if t.Slug == "" {
		return missing("slug")
	}
	return nil
}

func (m Member) wellFormed() error {
	if m.ID == "" {
		return missing("id")
	}
	return nil
}

func (t TagDetails) wellFormed() error {
	if t.Key == "" {
		return missing("key")
	}
	return nil
}

func (v TagValue) wellFormed() error {
	if v.Value == "" {
		return missing("value")
	}
	return nil
}

func (s ShortIDLookup) wellFormed() error {
	if s.GroupID == "" {
		return missing("groupId")
	}
	return s.Group.wellFormed()
}

func (e Event) wellFormed() error {
	if e.EventID == "" && e.ID == "" {
		return missing("eventID")
	}
	return nil
}

func (f ReleaseFileInfo) wellFormed() error {
	if f.Name == "" {
		return missing("name")
	}
	return nil
}

func (x ExternalIssue) wellFormed() error {
	if x.ID == "" {
		return missing("id")
	}
	return nil
}

func (c ReleaseCommit) wellFormed() error {
	if c.ID == "" {
		return missing("id")
	}
	return nil
}

func (s Sessions) wellFormed() error {
	switch {
	case s.Start.IsZero():
		return missing("start")
	case s.Groups == nil:
		return missing("groups")
	}
	return nil
}

func (t Timeseries) wellFormed() error {
	if t.TimeSeries == nil {
		return missing("timeSeries")
	}
	return nil
}

// checkWellFormed checks out (a pointer to a decoded answer) and, for a list, each element.
func checkWellFormed(out any) error {
	if w, ok := out.(wellFormed); ok {
		return w.wellFormed()
	}
	v := reflect.ValueOf(out)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return nil
	}
	v = v.Elem()
	if w, ok := v.Interface().(wellFormed); ok {
		return w.wellFormed()
	}
	if v.Kind() != reflect.Slice {
		return nil
	}
	for i := range v.Len() {
		if w, ok := v.Index(i).Interface().(wellFormed); ok {
			if err := w.wellFormed(); err != nil {
				return fmt.Errorf("item %d: %w", i, err)
			}
		}
	}
	return nil
}
