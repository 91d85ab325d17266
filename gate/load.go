package gate

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/releasegate/releasegate/didyoumean"
	"github.com/releasegate/releasegate/errkind"
)

// Defaults of the policy, applied by LoadPolicy and Environment to what the file leaves out.
const (
	policyDefaultReleaseName = "{sha}"
	policyDefaultSoak        = 30 * time.Minute
	policyDefaultDeadline    = 2 * time.Hour
	policyDefaultConfidence  = 0.95
	policyDefaultWindow      = time.Hour
	policyDefaultOutcome     = OutcomeFail
	policyDefaultMinSessions = 50
	policyDefaultMinShare    = 95
	policyDefaultAction      = "warn"
)

// policyMaxNodes bounds how many YAML nodes LoadPolicy visits, aliases expanded. A policy has a
// few hundred; the bound keeps a file full of aliases from taking minutes.
const policyMaxNodes = 100_000

// policyMaxProblems is how many problems LoadPolicy lists; the rest are counted.
const policyMaxProblems = 50

// PolicyProblem is one thing wrong with a policy.
type PolicyProblem struct {
	File  string // the file, as named to LoadPolicy; "" from Validate
	Line  int    // 1-based; 0 when unknown (Validate on a policy built in code)
	Field string // the key's path, "environments.production.soak"; "" for the file as a whole
	Msg   string
}

// String formats the problem as "file:line: field: message", leaving out what is unknown.
func (p PolicyProblem) String() string {
	var b strings.Builder
	switch {
	case p.File != "" && p.Line > 0:
		fmt.Fprintf(&b, "%s:%d: ", p.File, p.Line)
	case p.File != "":
		b.WriteString(p.File + ": ")
	case p.Line > 0:
		fmt.Fprintf(&b, "line %d: ", p.Line)
	}
	if p.Field != "" {
		b.WriteString(p.Field + ": ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

// PolicyError is every problem LoadPolicy found in a policy file, in the order of the file.
type PolicyError struct {
	Problems []PolicyProblem
}

// Error lists the problems, one per line.
func (e *PolicyError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// ErrorKind is errkind.Config: a policy that does not load is a configuration error.
func (e *PolicyError) ErrorKind() errkind.Kind { return errkind.Config }

// LoadPolicy reads a policy file (.github/releasegate.yml) strictly: an unknown key, a value
// of the wrong type, a bad duration and a value Validate rejects are all errors, reported
// together as a *PolicyError whose problems name file and line. file is only used in messages.
//
// The policy returned has every environment's Name set and every default filled in
// (release name {sha}, soak 30m, deadline 2h, confidence 0.95, window 1h, on_error and
// on_timeout fail, min_sessions 50, min_share 95, action warn). A key written with a zero or
// empty value is an error, not the default: leave the key out for that.
//
// The top-level keys of the file's other readers (the triage bot's triage and playbooks,
// sections.go) are accepted unchecked; a top-level key no reader knows is an error.
func LoadPolicy(data []byte, file string) (*Policy, error) {
	return LoadPolicyWith(data, file, nil)
}

// LoadPolicyWith loads the policy as LoadPolicy does and, in the same strict pass, the
// sections given (sections.go): a reader of the file that uses the gate's policy and more.
func LoadPolicyWith(data []byte, file string, sections Sections) (*Policy, error) {
	l, err := newPolicyLoader(file, true, sections)
	if err != nil {
		return nil, err
	}
	p := l.load(data)
	if err := l.err(); err != nil {
		return nil, err
	}
	l.assignSections()
	for name, e := range p.Environments {
		e.Name = name
		e.applyPolicyDefaults()
		// window shaped the one-look rates; the every-look decision uses the whole exposure
		// since the start, so the key is accepted (a policy that names it still loads) but
		// said to be spent.
		if f := "environments." + name + ".window"; l.written[f] {
			p.Warnings = append(p.Warnings, PolicyProblem{File: file, Line: l.lines[f], Field: f,
				Msg: "no longer changes any decision: rates are judged over the whole exposure since the start, so that the confidence holds on every look (docs/gate.md); remove the key"})
		}
	}
	sort.Slice(p.Warnings, func(i, j int) bool { return p.Warnings[i].Line < p.Warnings[j].Line })
	if p.Release.Name == "" {
		p.Release.Name = policyDefaultReleaseName
	}
	return p, nil
}

// err is the loader's problems as a *PolicyError, in the order of the file and capped; nil
// when there are none.
func (l *policyLoader) err() error {
	if len(l.problems) == 0 {
		return nil
	}
	sort.SliceStable(l.problems, func(i, j int) bool { return l.problems[i].Line < l.problems[j].Line })
	problems := slices.Compact(l.problems)
	if len(problems) > policyMaxProblems {
		more := problems[policyMaxProblems]
		more.Field, more.Msg = "", "and "+plural(len(problems)-policyMaxProblems, "more problem")
		problems = append(problems[:policyMaxProblems], more)
	}
	return &PolicyError{Problems: problems}
}

// policyLoader collects the problems of one file and where each key of it is written.
type policyLoader struct {
	file     string
	problems []PolicyProblem
	// decodeFields are the fields with a problem found reading the YAML, and decodeParents
	// every field containing one: Validate's problems about them, what they contain or what
	// contains them follow from those and are not reported.
	decodeFields  map[string]bool
	decodeParents map[string]bool
	lines         map[string]int  // field path → line of its key (or list item)
	written       map[string]bool // field paths written in the file (directly or by a << merge)
	rootLine      int
	visits        int
	// policy says whether the gate's own keys are read and checked (LoadPolicy) or only
	// accepted (LoadSections); sections are the other keys read, root the type the whole file
	// decodes into (sections.go) and decoded its value.
	policy    bool
	sections  Sections
	root      reflect.Type
	decoded   reflect.Value
	following map[*yaml.Node]bool // anchors being walked through an alias (to stop at cycles)
}

func (l *policyLoader) add(field string, line int, msg string) {
	l.problems = append(l.problems, PolicyProblem{File: l.file, Line: line, Field: field, Msg: msg})
}

func (l *policyLoader) addDecode(field string, line int, msg string) {
	l.add(field, line, msg)
	l.markDecode(field)
}

func (l *policyLoader) markDecode(field string) {
	l.decodeFields[field] = true
	for f := parentPolicyPath(field); f != "" && !l.decodeParents[f]; f = parentPolicyPath(f) {
		l.decodeParents[f] = true
	}
}

const policyEmptyMsg = "the policy is empty: write an environments: mapping with at least one environment, its projects and a check (docs/gate-policy.md has an example)"

func (l *policyLoader) load(data []byte) *Policy {
	// The document as nodes: positions for every key, and syntax errors.
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	err := recoverYAML(func() error { return dec.Decode(&doc) })
	if errors.Is(err, io.EOF) {
		if l.policy {
			l.add("", 1, policyEmptyMsg)
		}
		return nil
	}
	if err != nil {
		l.addSyntaxError(data, err)
		return nil
	}
	var extra yaml.Node
	switch err := recoverYAML(func() error { return dec.Decode(&extra) }); {
	case err == nil:
		l.add("", max(extra.Line, 1), "a second YAML document: a policy file holds one; remove this --- and what follows, or merge the two")
	case !errors.Is(err, io.EOF):
		l.addSyntaxError(data, err)
	}
	if len(doc.Content) == 0 || (doc.Content[0].Kind == yaml.ScalarNode && doc.Content[0].ShortTag() == "!!null") {
		if l.policy {
			l.add("", max(doc.Line, 1), policyEmptyMsg)
		}
		return nil
	}
	root := doc.Content[0]
	l.rootLine = max(root.Line, 1)

	// The value, decoded strictly by yaml.v3 itself.
	l.decoded = reflect.New(l.root)
	var yamlErrors []string
	strict := yaml.NewDecoder(bytes.NewReader(data))
	strict.KnownFields(true)
	err = recoverYAML(func() error { return strict.Decode(l.decoded.Interface()) })
	var typeErr *yaml.TypeError
	switch {
	case errors.As(err, &typeErr):
		yamlErrors = typeErr.Errors
	}

	// Our own walk over the nodes: unknown keys with suggestions, types with field paths.
	before := len(l.problems)
	l.walk(root, l.root, "")
	if err != nil && typeErr == nil && len(l.problems) == before {
		// yaml.v3 gave up (a merge of a non-mapping, an anchor inside itself, too many
		// aliases) where the walk found nothing to say: its message is all there is.
		l.addSyntaxError(data, err)
	}
	if l.visits > policyMaxNodes {
		l.problems = l.problems[:before]
		l.add("", l.rootLine, fmt.Sprintf("the policy is too large: more than %d YAML values once aliases are expanded", policyMaxNodes))
		return nil
	}
	if err != nil && typeErr == nil {
		return nil
	}
	l.addYAMLErrors(yamlErrors)
	if root.Kind != yaml.MappingNode {
		return nil
	}

	written := func(field string) bool { return l.written[field] }
	var problems []PolicyProblem
	var p *Policy
	if l.policy {
		p = l.decoded.Elem().Field(0).Addr().Interface().(*Policy)
		problems = p.validate(written)
	}
	problems = append(problems, l.checkSections(written)...)
	for _, pr := range problems {
		if l.followsFromDecodeProblem(pr.Field) {
			continue
		}
		l.add(pr.Field, l.lineOf(pr.Field), pr.Msg)
	}
	return p
}

// recoverYAML runs a yaml.v3 call, turning a panic of the library into an error: a policy
// file, however broken, must not crash the gate.
func recoverYAML(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: the YAML parser failed: %v", r)
		}
	}()
	return f()
}

// yamlParserErrors are the messages of yaml.v3's parser (not its scanner).
var yamlParserErrors = []string{
	"did not find expected ',' or '}'", "did not find expected ',' or ']'", "did not find expected key",
	"did not find expected '-' indicator", "did not find expected node content",
	"did not find expected <document start>", "did not find expected <stream-start>",
	"found duplicate %YAML directive", "found incompatible YAML document", "found duplicate %TAG directive",
	"found undefined tag handle",
}

var (
	yamlLineRE       = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)
	yamlAnchorRE     = regexp.MustCompile(`unknown anchor '([^']*)' referenced`)
	yamlSelfAnchorRE = regexp.MustCompile(`anchor '([^']*)' value contains itself`)
	// yamlStarValueRE finds an unquoted value starting with '*' (an alias, to YAML).
	yamlStarValueRE = regexp.MustCompile(`(?:^|[:\[,{-])\s*\*[^\s,\]}]*\*`)
)

// addSyntaxError reports an error that stopped yaml.v3, with its line and a hint for the
// usual causes.
func (l *policyLoader) addSyntaxError(data []byte, err error) {
	msg := err.Error()
	line := 0
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	if slices.Contains(yamlParserErrors, msg) {
		// yaml.v3 numbers the lines of its parser's errors from 0 (its scanner's from 1); the
		// line is where the mapping or list being parsed starts.
		line++
	}
	text := strings.Split(string(data), "\n")
	if m := yamlSelfAnchorRE.FindStringSubmatch(msg); m != nil {
		for i, s := range text {
			if strings.Contains(s, "&"+m[1]) {
				line = i + 1
				break
			}
		}
	}
	if m := yamlAnchorRE.FindStringSubmatch(msg); m != nil {
		for i, s := range text {
			if strings.Contains(s, "*"+m[1]) {
				line = i + 1
				break
			}
		}
	}
	if line > 0 && line <= len(text) && (yamlAnchorRE.MatchString(msg) || yamlStarValueRE.MatchString(text[line-1])) {
		msg += ": a value starting with * is an alias in YAML; quote globs, e.g. title: \"*ResizeObserver*\""
	}
	if strings.Contains(msg, "cannot start any token") && line > 0 && line <= len(text) && strings.Contains(text[line-1], "\t") {
		msg += ": YAML indents with spaces, not tabs"
	}
	l.add("", max(line, 1), "invalid YAML: "+msg)
}

var (
	yamlCannotRE    = regexp.MustCompile("^cannot unmarshal (\\S+)(?: `(.*)`)? into (.+)$")
	yamlNotFoundRE  = regexp.MustCompile(`^field (.+) not found in type (.+)$`)
	yamlDuplicateRE = regexp.MustCompile(`^mapping key "(.*)" already defined at line (\d+)$`)
)

// addYAMLErrors adds what yaml.v3 found that the walk did not already report on the same
// line (the walk's messages name the field; these only the line).
func (l *policyLoader) addYAMLErrors(errs []string) {
	covered := map[int]bool{}
	for _, p := range l.problems {
		covered[p.Line] = true
	}
	for _, e := range errs {
		line := l.rootLine
		msg := e
		if m := yamlLineRE.FindStringSubmatch(e); m != nil {
			line, _ = strconv.Atoi(m[1])
			msg = m[2]
		}
		if covered[line] {
			continue
		}
		covered[line] = true
		if m := yamlCannotRE.FindStringSubmatch(msg); m != nil {
			msg = fmt.Sprintf("cannot use %s%s here", yamlTagText(m[1]), strings.TrimSuffix(" "+strconv.Quote(m[2]), ` ""`))
		} else if m := yamlNotFoundRE.FindStringSubmatch(msg); m != nil {
			msg = fmt.Sprintf("unknown key %q", m[1])
		} else if m := yamlDuplicateRE.FindStringSubmatch(msg); m != nil {
			msg = fmt.Sprintf("key %q appears twice (first at line %s)", m[1], m[2])
		}
		l.add("", line, msg)
	}
}

func yamlTagText(tag string) string {
	switch tag {
	case "!!seq":
		return "a list"
	case "!!map":
		return "a mapping"
	case "!!str":
		return "text"
	case "!!int", "!!float":
		return "a number"
	case "!!bool":
		return "true/false"
	}
	return "a value tagged " + tag
}

// followsFromDecodeProblem says whether a problem Validate found about field may be a
// consequence of a problem reading the YAML: the same field, one inside it, or one containing it.
func (l *policyLoader) followsFromDecodeProblem(field string) bool {
	if l.decodeFields[""] || l.decodeFields[field] || l.decodeParents[field] {
		return true
	}
	for f := parentPolicyPath(field); f != ""; f = parentPolicyPath(f) {
		if l.decodeFields[f] {
			return true
		}
	}
	return false
}

// lineOf is the line of field, else of the nearest key containing it that is written.
func (l *policyLoader) lineOf(field string) int {
	for f := field; f != ""; f = parentPolicyPath(f) {
		if line, ok := l.lines[f]; ok {
			return line
		}
	}
	return l.rootLine
}

func parentPolicyPath(field string) string {
	if strings.HasSuffix(field, "]") {
		if i := strings.LastIndexByte(field, '['); i >= 0 {
			return field[:i]
		}
	}
	if i := strings.LastIndexByte(field, '.'); i >= 0 {
		return field[:i]
	}
	return ""
}

func joinPolicyPath(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

var durationType = reflect.TypeFor[Duration]()

// walk checks node n against the Go type t it decodes into: kinds, scalar values, unknown and
// duplicate keys; and records the line of every key.
func (l *policyLoader) walk(n *yaml.Node, t reflect.Type, field string) {
	l.visits++
	if l.visits > policyMaxNodes {
		return
	}
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil || l.following[n.Alias] {
			return // yaml.v3 reports an anchor that contains itself
		}
		l.following[n.Alias] = true
		defer delete(l.following, n.Alias)
		n = n.Alias
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == yamlNodeType {
		return // a key this reader accepts but leaves to the reader that uses it
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		msg := "has no value: give it one, or leave the key out"
		if t == reflect.TypeFor[RegressionsPolicy]() {
			msg = "has no value: write regressions: {} to fail on any regression, or leave the key out"
		}
		l.addDecode(field, n.Line, msg)
		return
	}
	if t == durationType {
		if _, msg := parsePolicyDuration(n); msg != "" {
			l.addDecode(field, n.Line, msg)
		}
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			msg := "must be a mapping (key: value) with keys such as " + strings.Join(policyKeys(t), ", ") + ", not " + describeNode(n)
			if field == "" {
				msg = "the policy must be a mapping with the keys environments (and release), not " + describeNode(n)
				if !l.policy {
					msg = "the file must be a mapping with keys such as " + strings.Join(policyKeys(t), ", ") + ", not " + describeNode(n)
				}
			}
			l.addDecode(field, n.Line, msg)
			return
		}
		l.mapping(n, t, field, map[string]int{}, false)
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			l.addDecode(field, n.Line, "must be a mapping of environment names to their policy, e.g. production: {projects: [web], new_issues: {events_per_hour: 10}}, not "+describeNode(n))
			return
		}
		l.mapping(n, t, field, map[string]int{}, false)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			msg := "must be a list, not " + describeNode(n)
			if n.Kind == yaml.ScalarNode {
				msg = listSuggestion(t.Elem(), n.Value)
			}
			l.addDecode(field, n.Line, msg)
			return
		}
		for i, item := range n.Content {
			f := fmt.Sprintf("%s[%d]", field, i)
			l.lines[f] = item.Line
			l.written[f] = true
			l.walk(item, t.Elem(), f)
		}
	default:
		if n.Kind != yaml.ScalarNode {
			l.addDecode(field, n.Line, "must be "+policyTypeText(t)+", not "+describeNode(n))
			return
		}
		err := recoverYAML(func() error { return n.Decode(reflect.New(t).Interface()) })
		if err == nil && policyTypeText(t) == "a whole number" {
			// yaml.v3 truncates 1.5 to 1 in an integer.
			var f float64
			if n.Decode(&f) == nil && f != math.Trunc(f) {
				err = errors.New("not whole")
			}
		}
		if err != nil {
			l.addDecode(field, n.Line, "must be "+policyTypeText(t)+", not "+describeNode(n))
		}
	}
}

// mapping walks the keys of a mapping node decoded into t (a struct or a map), then the
// mappings it merges (<<: *anchor), whose keys count only where not written here. seen holds
// the keys already taken, with their lines; in a merged mapping, keys taken above win silently.
func (l *policyLoader) mapping(n *yaml.Node, t reflect.Type, field string, seen map[string]int, merged bool) {
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Value == "<<" && k.ShortTag() == "!!merge" {
			merges = append(merges, v)
			continue
		}
		if k.Kind != yaml.ScalarNode {
			l.addDecode(field, k.Line, "keys must be plain names, not "+describeNode(k))
			continue
		}
		name := k.Value
		if t.Kind() == reflect.Map {
			_ = recoverYAML(func() error { return k.Decode(&name) }) // the string yaml.v3 makes of it
		}
		f := joinPolicyPath(field, name)
		if first, dup := seen[name]; dup {
			if !merged {
				l.addDecode(f, k.Line, fmt.Sprintf("appears twice (first at line %d)", first))
			}
			continue
		}
		seen[name] = k.Line
		var vt reflect.Type
		if t.Kind() == reflect.Map {
			vt = t.Elem()
			if v.Kind != yaml.MappingNode && v.Kind != yaml.AliasNode && slices.Contains(policyKeys(reflect.TypeFor[Environment]()), name) {
				l.addDecode(f, k.Line, fmt.Sprintf("%s is a key of an environment, not an environment's name: put it under one, e.g. environments: {production: {%s: …}}", name, name))
				continue
			}
		} else {
			sf, ok := policyField(t, name)
			if !ok {
				l.addDecode(f, k.Line, unknownKeyMsg(name, t))
				if s := closestName(name, policyKeys(t)); s != "" {
					// What Validate says about the key meant follows from the typo.
					l.markDecode(joinPolicyPath(field, s))
				}
				continue
			}
			vt = sf.Type
		}
		if _, ok := l.lines[f]; !ok {
			l.lines[f] = k.Line
		}
		l.written[f] = true
		l.walk(v, vt, f)
	}
	for _, m := range merges {
		l.merge(m, t, field, seen)
	}
}

func (l *policyLoader) merge(m *yaml.Node, t reflect.Type, field string, seen map[string]int) {
	l.visits++
	if l.visits > policyMaxNodes {
		return
	}
	if m.Kind == yaml.AliasNode {
		if m.Alias == nil || l.following[m.Alias] {
			return
		}
		l.following[m.Alias] = true
		defer delete(l.following, m.Alias)
		m = m.Alias
	}
	switch m.Kind {
	case yaml.MappingNode:
		l.mapping(m, t, field, seen, true)
	case yaml.SequenceNode:
		for _, item := range m.Content {
			if item.Kind == yaml.SequenceNode {
				l.addDecode(field, item.Line, "<< merges mappings: write <<: *name, or <<: [*a, *b], where &name marks a mapping")
				continue
			}
			l.merge(item, t, field, seen)
		}
	default:
		l.addDecode(field, m.Line, "<< merges mappings: write <<: *name, or <<: [*a, *b], where &name marks a mapping")
	}
}

// policyKeys are the YAML keys of struct type t, inline structs flattened, in field order.
// listSuggestion says how to write a single value as the list a field wants. The example is
// made by the YAML encoder, so it is valid YAML whatever the value holds (a glob starting with
// "*" is an alias unless quoted), and a list of mappings is shown as one.
func listSuggestion(elem reflect.Type, value string) string {
	for elem.Kind() == reflect.Pointer {
		elem = elem.Elem()
	}
	item := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: value}
	what := "a list"
	if elem.Kind() == reflect.Struct {
		keys := policyKeys(elem)
		item = &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle, Content: []*yaml.Node{
			{Kind: yaml.ScalarNode, Value: keys[0]}, item,
		}}
		what = "a list of mappings with the keys " + strings.Join(keys, ", ")
	}
	out, err := yaml.Marshal(&yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle, Content: []*yaml.Node{item}})
	if err != nil {
		return "must be " + what
	}
	return "must be " + what + ", e.g. " + strings.TrimSpace(string(out))
}

func policyKeys(t reflect.Type) []string {
	var keys []string
	for f := range t.Fields() {
		name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		switch {
		case name == "-":
		case opts == "inline":
			keys = append(keys, policyKeys(f.Type)...)
		case name != "":
			keys = append(keys, name)
		}
	}
	return keys
}

// policyField is the field of struct t written as key, looking into inline structs.
func policyField(t reflect.Type, key string) (reflect.StructField, bool) {
	for f := range t.Fields() {
		name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		switch {
		case name == "-":
		case opts == "inline":
			if sf, ok := policyField(f.Type, key); ok {
				return sf, true
			}
		case name == key:
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// unknownKeyMsg explains an unknown key of struct t: a close key, the keys nested under which
// it belongs, or the keys allowed here.
func unknownKeyMsg(key string, t reflect.Type) string {
	keys := policyKeys(t)
	if s := closestName(key, keys); s != "" {
		return "unknown key; did you mean " + s + "?"
	}
	var under []string
	for f := range t.Fields() {
		name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if name == "" || name == "-" || opts == "inline" || ft.Kind() != reflect.Struct || ft == durationType {
			continue
		}
		if _, ok := policyField(ft, key); ok {
			under = append(under, name)
		}
	}
	if len(under) > 0 {
		return fmt.Sprintf("unknown key here; %s belongs under %s", key, orList(under))
	}
	return "unknown key; the keys here are " + strings.Join(keys, ", ")
}

func orList(items []string) string {
	if len(items) <= 1 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}

// closestName is the name in names closest to s by edit distance (case, '-' and '_' aside),
// if close enough to be a typo; "" otherwise.
func closestName(s string, names []string) string {
	norm := func(x string) string { return strings.ReplaceAll(strings.ToLower(x), "-", "_") }
	limit := 1
	switch n := len([]rune(s)); {
	case n > 8:
		limit = 3
	case n > 4:
		limit = 2
	}
	best, bestD := "", limit+1
	for _, name := range names {
		if d := didyoumean.Distance(norm(s), norm(name)); d < bestD {
			best, bestD = name, d
		}
	}
	return best
}

func describeNode(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	case yaml.AliasNode:
		return "an alias"
	}
	v := n.Value
	if r := []rune(v); len(r) > 40 {
		v = string(r[:37]) + "..."
	}
	if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 && n.ShortTag() == "!!str" {
		return fmt.Sprintf("the quoted text %q", v)
	}
	return strconv.Quote(v)
}

func policyTypeText(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Bool:
		return "true or false"
	}
	return "text"
}
