package gate

import (
	"errors"
	"fmt"
	"io/fs"
	"reflect"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// .github/releasegate.yml holds the gate's policy (release, environments) and the keys of
// other readers of the repository's settings (the triage bot's triage and playbooks). This
// loader stays the one strict parser of the file: it knows every top-level key, so a key no
// reader knows is an error for every reader, with a suggestion among all of them, and a file
// one reader accepts is never rejected by another for a section it does not use. Each reader
// decodes and checks the sections it uses, with the same walk, lines and messages as the
// policy; the others it accepts unchecked. docs/bot.md describes the bot's keys.

// otherSections are the top-level keys other readers own, with the document describing them.
// A reader's section must be listed here, so that every reader of the file accepts it.
var otherSections = map[string]string{
	"triage":    "docs/bot.md",
	"playbooks": "docs/bot.md",
}

var yamlNodeType = reflect.TypeFor[yaml.Node]()

// Section is a top-level key of the file that a reader other than the gate decodes.
type Section struct {
	// Value is a non-nil pointer the key's value is decoded into, as strictly as the policy:
	// unknown keys (with a suggestion), wrong types and values without a value are problems
	// with their lines. It is set only when the whole file loads.
	Value any
	// Check, when set and the key is in the file, returns the problems of the decoded value,
	// each naming its field by its path in the file ("playbooks[1].match.tags[0]"); the loader
	// adds the file and the line. written says whether a field is written in the file, so a
	// zero written there can be an error rather than "use the default". A problem about a
	// field that could not be decoded is not reported twice.
	Check func(value any, written func(field string) bool) []PolicyProblem
}

// Sections are the top-level keys a reader decodes, by name.
type Sections map[string]Section

// LoadSections reads the file as strictly as LoadPolicy, but decodes and checks only the
// sections given: the gate's own keys and the other readers' are accepted unchecked. An empty
// file, or one without a section, leaves the section's value as it was. The error is a
// *PolicyError, like LoadPolicy's.
func LoadSections(data []byte, file string, sections Sections) error {
	l, err := newPolicyLoader(file, false, sections)
	if err != nil {
		return err
	}
	l.load(data)
	if err := l.err(); err != nil {
		return err
	}
	l.assignSections()
	return nil
}

// ReadSections reads the file at name in fsys (a work tree on disk or a commit's tree) and
// loads it as LoadSections does. label names the file in messages ("" for name). A missing
// file is an error wrapping fs.ErrNotExist.
func ReadSections(fsys fs.FS, name, label string, sections Sections) error {
	if label == "" {
		label = name
	}
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = &fs.PathError{Op: pe.Op, Path: label, Err: pe.Err}
		}
		return fmt.Errorf("reading the settings: %w", err)
	}
	return LoadSections(data, label, sections)
}

func newPolicyLoader(file string, policy bool, sections Sections) (*policyLoader, error) {
	root, err := fileType(policy, sections)
	if err != nil {
		return nil, err
	}
	return &policyLoader{
		file: file, lines: map[string]int{}, written: map[string]bool{}, following: map[*yaml.Node]bool{},
		decodeFields: map[string]bool{}, decodeParents: map[string]bool{},
		policy: policy, sections: sections, root: root,
	}, nil
}

// fileType is the struct the whole file decodes into: the policy inline (or its keys as
// yaml.Node, accepted unchecked), then every other section, as its reader's type when given,
// else as a yaml.Node. Strict decoding into it and the walk over it then know every key.
func fileType(policy bool, sections Sections) (reflect.Type, error) {
	policyKeyNames := policyKeys(reflect.TypeFor[Policy]())
	var fields []reflect.StructField
	if policy {
		fields = append(fields, reflect.StructField{Name: "Policy", Type: reflect.TypeFor[Policy](), Tag: `yaml:",inline"`})
	} else {
		for _, k := range policyKeyNames {
			fields = append(fields, sectionField(len(fields), k, yamlNodeType))
		}
	}
	for name, s := range sections {
		if _, ok := otherSections[name]; !ok {
			return nil, fmt.Errorf("gate: %q is not a top-level key of %s that other readers accept; add it to otherSections", name, PolicyPath)
		}
		if t := reflect.TypeOf(s.Value); t == nil || t.Kind() != reflect.Pointer || reflect.ValueOf(s.Value).IsNil() {
			return nil, fmt.Errorf("gate: the section %q needs a non-nil pointer to decode into, not %T", name, s.Value)
		}
	}
	names := make([]string, 0, len(otherSections))
	for name := range otherSections {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		t := yamlNodeType
		if s, ok := sections[name]; ok {
			t = reflect.TypeOf(s.Value).Elem()
		}
		fields = append(fields, sectionField(len(fields), name, t))
	}
	return reflect.StructOf(fields), nil
}

func sectionField(i int, key string, t reflect.Type) reflect.StructField {
	return reflect.StructField{Name: fmt.Sprintf("Section%d", i), Type: t, Tag: reflect.StructTag(`yaml:"` + key + `"`)}
}

// sectionValue is the decoded value of the top-level key name.
func (l *policyLoader) sectionValue(name string) reflect.Value {
	v := l.decoded.Elem()
	for i := range l.root.NumField() {
		if key, _, _ := strings.Cut(l.root.Field(i).Tag.Get("yaml"), ","); key == name {
			return v.Field(i)
		}
	}
	panic("gate: no field for section " + name)
}

// checkSections runs the given sections' checks on the keys written in the file.
func (l *policyLoader) checkSections(written func(string) bool) []PolicyProblem {
	var problems []PolicyProblem
	for name, s := range l.sections {
		if s.Check == nil || !l.written[name] || l.decodeFields[name] {
			continue
		}
		problems = append(problems, s.Check(l.sectionValue(name).Addr().Interface(), written)...)
	}
	return problems
}

// assignSections copies the decoded sections into their readers' values, once the file loaded.
func (l *policyLoader) assignSections() {
	if !l.decoded.IsValid() {
		return
	}
	for name, s := range l.sections {
		if l.written[name] {
			reflect.ValueOf(s.Value).Elem().Set(l.sectionValue(name))
		}
	}
}
