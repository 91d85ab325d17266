package main

import (
	"fmt"
	"go/types"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/releasegate/releasegate/bot/triage"
	"github.com/releasegate/releasegate/gate"
)

// keyRow is one key of a configuration file in a reference table.
type keyRow struct {
	Key, Type, Default, Doc string
}

// yamlWalker lists the keys of a YAML-decoded type: names from the yaml tags, types from the
// Go types, descriptions from the doc comments.
type yamlWalker struct {
	src  *source
	rows []keyRow
	// defaults are the values a key left out takes, by key path.
	defaults map[string]string
	// docFallback, when set, gives the field whose doc comment describes a field without one
	// (triage's keys are described on the Settings they fill).
	docFallback func(owner *types.Named, f *types.Var) *types.Var
}

// walk adds a row per key of the struct named, under prefix.
func (w *yamlWalker) walk(prefix string, named *types.Named) error {
	st, ok := named.Underlying().(*types.Struct)
	if !ok {
		return fmt.Errorf("%s is not a struct", named)
	}
	for i := range st.NumFields() {
		f := st.Field(i)
		name, opts, _ := strings.Cut(reflect.StructTag(st.Tag(i)).Get("yaml"), ",")
		if name == "-" || !f.Exported() && !strings.Contains(opts, "inline") {
			continue
		}
		if strings.Contains(opts, "inline") {
			inner, ok := deref(f.Type()).(*types.Named)
			if !ok {
				return fmt.Errorf("%s.%s: an inline field must be a named struct", named.Obj().Name(), f.Name())
			}
			if err := w.walk(prefix, inner); err != nil {
				return err
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name()) // yaml.v3's default
		}
		key := joinKey(prefix, name)
		doc := w.src.fieldDoc(f)
		if doc == "" && w.docFallback != nil {
			if alt := w.docFallback(named, f); alt != nil {
				doc = w.src.fieldDoc(alt)
			}
		}
		if doc == "" {
			return fmt.Errorf("%s.%s (%s) has no doc comment: describe it there, the reference is generated from it", named.Obj().Name(), f.Name(), key)
		}
		typ, inner, suffix := yamlType(f.Type())
		w.rows = append(w.rows, keyRow{Key: key, Type: typ, Default: w.defaults[key], Doc: keyedDoc(doc, f.Name(), name)})
		if inner != nil {
			if err := w.walk(key+suffix, inner); err != nil {
				return err
			}
		}
	}
	return nil
}

func joinKey(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

func deref(t types.Type) types.Type {
	if p, ok := t.(*types.Pointer); ok {
		return p.Elem()
	}
	return t
}

// yamlType describes t as written in YAML; inner is the struct to list the keys of, under
// the key plus suffix.
func yamlType(t types.Type) (desc string, inner *types.Named, suffix string) {
	t = deref(t)
	if n, ok := t.(*types.Named); ok {
		switch n.Obj().Name() {
		case "Duration":
			return "duration (`30m`, `2h`)", nil, ""
		}
		if _, ok := n.Underlying().(*types.Struct); ok {
			return "mapping", n, ""
		}
	}
	switch u := t.Underlying().(type) {
	case *types.Basic:
		switch {
		case u.Info()&types.IsBoolean != 0:
			return "boolean", nil, ""
		case u.Info()&types.IsInteger != 0:
			return "whole number", nil, ""
		case u.Info()&types.IsFloat != 0:
			return "number", nil, ""
		case u.Info()&types.IsString != 0:
			return "text", nil, ""
		}
	case *types.Slice:
		d, in, _ := yamlType(u.Elem())
		if in != nil {
			return "list of mappings", in, "[]"
		}
		return "list of " + d, nil, ""
	case *types.Map:
		d, in, _ := yamlType(u.Elem())
		if in != nil {
			return "mapping of names to mappings", in, ".<name>"
		}
		return "mapping of names to " + d, nil, ""
	}
	return t.String(), nil, ""
}

// keyedDoc puts the key in place of the Go field's name that starts a doc comment.
func keyedDoc(doc, goName, key string) string {
	if rest, ok := strings.CutPrefix(doc, goName+" "); ok {
		return "`" + key + "` " + rest
	}
	return doc
}

// releasegateYAMLRows lists every key of .github/releasegate.yml: the gate's policy and the
// triage bot's sections.
func releasegateYAMLRows(src *source) (gateRows, triageRows, playbookRows []keyRow, err error) {
	defaults, err := gateDefaults()
	if err != nil {
		return nil, nil, nil, err
	}
	policy, err := src.lookup(modulePath+"/gate", "Policy")
	if err != nil {
		return nil, nil, nil, err
	}
	w := &yamlWalker{src: src, defaults: defaults}
	if err := w.walk("", policy); err != nil {
		return nil, nil, nil, err
	}
	gateRows = w.rows

	keys, err := src.lookup(modulePath+"/bot/triage", "triageKeys")
	if err != nil {
		return nil, nil, nil, err
	}
	settings, err := src.lookup(modulePath+"/bot/triage", "Settings")
	if err != nil {
		return nil, nil, nil, err
	}
	tw := &yamlWalker{src: src, defaults: triageDefaults(keys), docFallback: func(owner *types.Named, f *types.Var) *types.Var {
		if owner.Obj() != keys.Obj() {
			return nil
		}
		st := settings.Underlying().(*types.Struct)
		for i := range st.NumFields() {
			if st.Field(i).Name() == f.Name() {
				return st.Field(i)
			}
		}
		return nil
	}}
	if err := tw.walk("triage", keys); err != nil {
		return nil, nil, nil, err
	}
	triageRows = tw.rows

	playbook, err := src.lookup(modulePath+"/bot/triage", "Playbook")
	if err != nil {
		return nil, nil, nil, err
	}
	pw := &yamlWalker{src: src, defaults: map[string]string{}}
	if err := pw.walk("playbooks[]", playbook); err != nil {
		return nil, nil, nil, err
	}
	return gateRows, triageRows, pw.rows, nil
}

// gateDefaults are the policy's defaults, from the gate's own code: what LoadPolicy and
// Environment.WithDefaults fill in.
func gateDefaults() (map[string]string, error) {
	p, err := gate.LoadPolicy([]byte("environments: {production: {projects: [web], new_issues: {events_per_hour: 1}}}\n"), "minimal.yml")
	if err != nil {
		return nil, fmt.Errorf("loading a minimal policy for its defaults: %w", err)
	}
	out := map[string]string{"release.name": p.Release.Name}
	env := (&gate.Environment{Health: &gate.HealthPolicy{}, Context: &gate.ContextPolicy{}}).WithDefaults()
	collectDefaults(out, "environments.<name>", reflect.ValueOf(env))
	return out, nil
}

// collectDefaults records the non-zero values under v by their yaml key.
func collectDefaults(out map[string]string, prefix string, v reflect.Value) {
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		key := prefix
		if !strings.Contains(opts, "inline") {
			key = joinKey(prefix, name)
		}
		fv := v.Field(i)
		if fv.Kind() == reflect.Struct || fv.Kind() == reflect.Pointer && fv.Type().Elem().Kind() == reflect.Struct {
			collectDefaults(out, key, fv)
			continue
		}
		if !fv.IsZero() {
			out[key] = defaultText(fv)
		}
	}
}

// triageDefaults are the triage section's defaults: triage.DefaultSettings, by the Settings
// field each key fills (same Go name).
func triageDefaults(keys *types.Named) map[string]string {
	names := map[string]string{}
	st := keys.Underlying().(*types.Struct)
	for i := range st.NumFields() {
		name, _, _ := strings.Cut(reflect.StructTag(st.Tag(i)).Get("yaml"), ",")
		names[st.Field(i).Name()] = "triage." + name
	}
	out := map[string]string{}
	v := reflect.ValueOf(triage.DefaultSettings())
	for i := range v.NumField() {
		key, ok := names[v.Type().Field(i).Name]
		fv := v.Field(i)
		if !ok || fv.Kind() == reflect.Slice || fv.Kind() == reflect.String && fv.String() == "" {
			continue
		}
		out[key] = defaultText(fv)
	}
	return out
}

func defaultText(v reflect.Value) string {
	if d, ok := v.Interface().(gate.Duration); ok {
		return durationText(time.Duration(d))
	}
	switch v.Kind() {
	case reflect.Float64, reflect.Float32:
		return strconv.FormatFloat(v.Float(), 'f', -1, 64)
	}
	return fmt.Sprint(v.Interface())
}

// durationText writes a duration as the policy file does: 30m, 2h, 1h30m.
func durationText(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
