package ownership

import (
	"path"
	"strings"
)

// Event is what matching needs from a Sentry event.
type Event struct {
	// Platform is the event's platform ("java", "cocoa", "javascript", "other", …). Sentry
	// derives extra "munged" file paths from frames only when it is set.
	Platform string
	// SDKName is sdk.name ("sentry.dart.flutter" turns on Dart package paths).
	SDKName string
	// Frames are every stack frame of the event (exceptions, the top-level stack trace and
	// threads), each stack in Sentry's order: caller first, the frame that raised last. With
	// Options.FramePriority a later frame counts as nearer the error, so put the stack of the
	// exception that was raised last.
	Frames []Frame
	URL    string // request.url; empty when the event has none
	Tags   map[string]string
	User   EventUser
}

// Frame is one stack frame.
type Frame struct {
	Filename string
	AbsPath  string
	Module   string
	Package  string // frame.package: the binary image, used for Cocoa paths
	// InApp is the frame's in_app flag: nil when the event does not say. codeowners: rules
	// skip only frames that are explicitly not in-app.
	InApp *bool
}

// EventUser is the event's user object, which tags.user.<field> rules test.
type EventUser struct {
	ID        string
	Email     string
	Username  string
	IPAddress string
	Name      string
	Data      map[string]string // user.data, one level deep
}

// field returns the user attribute a tags.user.<name> rule tests.
func (u EventUser) field(name string) (string, bool) {
	var v string
	switch name {
	case "id":
		v = u.ID
	case "email":
		v = u.Email
	case "username":
		v = u.Username
	case "ip_address", "ip":
		v = u.IPAddress
	case "name":
		v = u.Name
	}
	if v != "" {
		return v, true
	}
	v, ok := u.Data[name]
	return v, ok
}

// mungedPath derives the platform-specific path Sentry also tests for path rules (§5.2).
// Only the three forms the reference shows are derived; the rest of Sentry's mungers
// were not read, so other platforms get none.
func mungedPath(ev *Event, f *Frame) string {
	if ev.Platform == "" {
		return ""
	}
	switch {
	case ev.Platform == "java":
		// Module "a.b.C" and file "C.java" give "a/b/C.java".
		file := f.AbsPath
		if file == "" {
			file = f.Filename
		}
		i := strings.LastIndexByte(f.Module, '.')
		if i <= 0 || file == "" {
			return ""
		}
		return strings.ReplaceAll(f.Module[:i], ".", "/") + "/" + path.Base(file)
	case ev.Platform == "cocoa":
		// The path from the binary image's directory down: ".../SampleProject/Classes/x.swift".
		if f.Package == "" || f.AbsPath == "" {
			return ""
		}
		pkg := "/" + path.Base(strings.ReplaceAll(f.Package, `\`, "/")) + "/"
		if i := strings.Index(f.AbsPath, pkg); i >= 0 {
			return f.AbsPath[i+1:]
		}
	case ev.SDKName == "sentry.dart.flutter":
		// "package:name/a/b.dart" gives "a/b.dart".
		if rest, ok := strings.CutPrefix(f.AbsPath, "package:"); ok {
			if i := strings.IndexByte(rest, '/'); i >= 0 {
				return rest[i+1:]
			}
		}
	}
	return ""
}
