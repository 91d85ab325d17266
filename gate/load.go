package gate

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/releasegate/releasegate/didyoumean"
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

// LoadPolicy reads a policy file (.github/releasegate.yml) strictly: an unknown key, a value
// of the wrong type, a bad duration and a value Validate rejects are all errors, reported
// together as a *PolicyError whose problems name file and line. file is only used in messages.
//
// The policy returned has every environment's Name set and every default filled in
// (release name {sha}, soak 30m, deadline 2h, confidence 0.95, window 1h, on_error and
// on_timeout fail, min_sessions 50, min_share 95, action warn). A key written with a zero or
// empty value is an error, not the default: leave the key out for that.
func LoadPolicy(data []byte, file string) (*Policy, error) {
	l := &policyLoader{
		file: file, lines: map[string]int{}, written: map[string]bool{}, following: map[*yaml.Node]bool{},
		decodeFields: map[string]bool{}, decodeParents: map[string]bool{},
	}
	p := l.load(data)
	if len(l.problems) > 0 {
		sort.SliceStable(l.problems, func(i, j int) bool { return l.problems[i].Line < l.problems[j].Line })
		problems := slices.Compact(l.problems)
		if len(problems) > policyMaxProblems {
			more := problems[policyMaxProblems]
			more.Field, more.Msg = "", "and "+plural(len(problems)-policyMaxProblems, "more problem")
			problems = append(problems[:policyMaxProblems], more)
		}
		return nil, &PolicyError{Problems: problems}
	}
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
	following     map[*yaml.Node]bool // anchors being walked through an alias (to stop at cycles)
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
		l.add("", 1, policyEmptyMsg)
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
		l.add("", max(doc.Line, 1), policyEmptyMsg)
		return nil
	}
	root := doc.Content[0]
	l.rootLine = max(root.Line, 1)

	// The value, decoded strictly by yaml.v3 itself.
	var p Policy
	var yamlErrors []string
	strict := yaml.NewDecoder(bytes.NewReader(data))
	strict.KnownFields(true)
	err = recoverYAML(func() error { return strict.Decode(&p) })
	var typeErr *yaml.TypeError
	switch {
	case errors.As(err, &typeErr):
		yamlErrors = typeErr.Errors
	}

	// Our own walk over the nodes: unknown keys with suggestions, types with field paths.
	before := len(l.problems)
	l.walk(root, reflect.TypeFor[Policy](), "")
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

	for _, pr := range p.validate(func(field string) bool { return l.written[field] }) {
		if l.followsFromDecodeProblem(pr.Field) {
			continue
		}
		l.add(pr.Field, l.lineOf(pr.Field), pr.Msg)
	}
	return &p
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

// UnmarshalYAML reads a Go duration ("30m", "2h", "1h30m"). A bare number ("30") is an error
// saying which unit to write, and so is a negative duration. Whether zero makes sense is
// Validate's to say.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	v, msg := parsePolicyDuration(n)
	if msg != "" {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: %s", n.Line, msg)}}
	}
	*d = v
	return nil
}

var bareNumberRE = regexp.MustCompile(`^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)$`)

// parsePolicyDuration reads a duration node; msg says what is wrong, "" when nothing is.
func parsePolicyDuration(n *yaml.Node) (d Duration, msg string) {
	if n.Kind != yaml.ScalarNode {
		return 0, "must be a duration such as 30m, not " + describeNode(n)
	}
	s := strings.TrimSpace(n.Value)
	if bareNumberRE.MatchString(s) {
		if strings.HasPrefix(s, "-") {
			return 0, "must not be negative: " + s
		}
		return 0, fmt.Sprintf("needs a unit: write %sm, not %s", s, s)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		if days, ok := strings.CutSuffix(s, "d"); ok && bareNumberRE.MatchString(days) {
			if f, err := strconv.ParseFloat(days, 64); err == nil && f > 0 && f < 10_000 {
				return 0, fmt.Sprintf("%q is not a duration (there is no d unit): write %s", s, policyDurationText(time.Duration(f*float64(24*time.Hour))))
			}
		}
		return 0, fmt.Sprintf("%s is not a duration: write it like 30m, 2h or 1h30m", describeNode(n))
	}
	if v < 0 {
		return 0, "must not be negative: " + s
	}
	return Duration(v), ""
}

// policyDurationText writes d as in a policy file: "2h", "1h30m", "30m", "45s".
func policyDurationText(d time.Duration) string {
	s := d.Round(time.Second).String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}

// Validate reports every problem of the policy, each naming its field by its path in the
// file ("environments.production.new_issues.events_per_hour: must be > 0"). Fields left zero
// take their defaults; LoadPolicy also rejects a zero it finds written in the file.
func (p *Policy) Validate() []PolicyProblem {
	return p.validate(nil)
}

// policyCheck collects Validate's problems; written says which fields the file sets (nil:
// none known), so that a zero there is an error rather than "use the default".
type policyCheck struct {
	written  func(string) bool
	problems []PolicyProblem
}

func (c *policyCheck) add(field, msg string) {
	c.problems = append(c.problems, PolicyProblem{Field: field, Msg: msg})
}

func (c *policyCheck) set(field string) bool {
	return c.written != nil && c.written(field)
}

func (p *Policy) validate(written func(string) bool) []PolicyProblem {
	c := &policyCheck{written: written}
	if p.Release.Name != "" || c.set("release.name") {
		if msg := releaseTemplateProblem(p.Release.Name); msg != "" {
			c.add("release.name", msg)
		}
	}
	if len(p.Environments) == 0 {
		c.add("environments", "list at least one environment with its projects and a check, e.g. production: {projects: [web], new_issues: {events_per_hour: 10}}")
		return c.problems
	}
	names := p.environmentNames()
	for _, name := range names {
		c.environment(p, name, names)
	}
	c.evidenceCycles(p, names)
	return c.problems
}

func (p *Policy) environmentNames() []string {
	names := make([]string, 0, len(p.Environments))
	for name := range p.Environments {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

var (
	projectSlugRE = regexp.MustCompile(`^[a-z0-9_-]+$`)
	sentryLevels  = []string{"fatal", "error", "warning", "info", "debug"}
)

func (c *policyCheck) environment(p *Policy, name string, names []string) {
	f := "environments." + name
	e := p.Environments[name]
	switch {
	case name == "":
		c.add(f, "an environment needs a name")
	case strings.ContainsAny(name, " /\n\r\t\v\f"):
		c.add(f, fmt.Sprintf("%q is not a Sentry environment name: it must not contain spaces, '/' or line breaks", name))
	case len(name) > 64:
		c.add(f, "is longer than 64 characters, Sentry's limit for environment names")
	case strings.EqualFold(name, "none"):
		c.add(f, "None is not allowed as an environment name by Sentry")
	}
	if e == nil {
		c.add(f, "has no policy: give it projects and at least one check")
		return
	}

	if len(e.Projects) == 0 {
		c.add(f+".projects", "list the Sentry projects whose evidence counts, e.g. [web]")
	}
	projects := map[string]bool{}
	for i, slug := range e.Projects {
		pf := fmt.Sprintf("%s.projects[%d]", f, i)
		dup := projects[slug]
		projects[slug] = true
		switch {
		case slug == "":
			c.add(pf, "must not be empty")
		case !projectSlugRE.MatchString(slug):
			c.add(pf, fmt.Sprintf("%q is not a Sentry project slug: slugs are lower-case letters, digits, '-' and '_'", slug))
		case dup:
			c.add(pf, fmt.Sprintf("lists %q twice", slug))
		}
	}

	switch ev := e.Evidence; {
	case ev == "" && c.set(f+".evidence"):
		c.add(f+".evidence", "must name an environment; leave it out to judge "+name+" by its own evidence")
	case ev == "":
	case ev == name:
		c.add(f+".evidence", "names "+name+" itself; leave evidence out to judge it by its own evidence")
	case !hasKey(p.Environments, ev):
		msg := fmt.Sprintf("no environment %q in this policy", ev)
		if s := closestName(ev, names); s != "" {
			msg += "; did you mean " + s + "?"
		} else {
			msg += "; it has " + strings.Join(names, ", ")
		}
		c.add(f+".evidence", msg)
	}

	c.duration(f+".soak", e.Soak, policyDefaultSoak)
	c.duration(f+".deadline", e.Deadline, policyDefaultDeadline)
	c.duration(f+".window", e.Window, policyDefaultWindow)
	soak, deadline := durationOr(e.Soak, policyDefaultSoak), durationOr(e.Deadline, policyDefaultDeadline)
	if soak > 0 && deadline > 0 && soak > deadline {
		c.add(f+".soak", fmt.Sprintf("%s is longer than the deadline (%s): the gate would time out before a check could pass", policyDurationText(soak), policyDurationText(deadline)))
	}
	if e.Confidence != 0 || c.set(f+".confidence") {
		switch conf := e.Confidence; {
		case conf > 50 && conf < 100:
			c.add(f+".confidence", fmt.Sprintf("must be between 0.5 and 1 (both excluded), a fraction: write %g, not %g", conf/100, conf))
		case !(conf > 0.5 && conf < 1):
			c.add(f+".confidence", "must be between 0.5 and 1 (both excluded), e.g. 0.95")
		}
	}
	c.outcome(f+".on_error", e.OnError)
	c.outcome(f+".on_timeout", e.OnTimeout)

	if e.NewIssues == nil && e.Regressions == nil && e.Health == nil && e.Context == nil {
		c.add(f, "configure at least one check: new_issues, regressions, health or context")
	}
	if ni := e.NewIssues; ni != nil {
		nf := f + ".new_issues"
		c.thresholds(nf, ni.Thresholds)
		if !c.thresholdsGiven(nf, ni.Thresholds) && ni.Unhandled == nil {
			c.add(nf, "set events_per_hour, users_per_hour or session_share (or unhandled: with them)")
		}
		if ni.Unhandled != nil {
			c.thresholds(nf+".unhandled", *ni.Unhandled)
			if !c.thresholdsGiven(nf+".unhandled", *ni.Unhandled) {
				c.add(nf+".unhandled", "set events_per_hour, users_per_hour or session_share")
			}
		}
		for i, r := range ni.Ignore {
			c.ignoreRule(fmt.Sprintf("%s.ignore[%d]", nf, i), r)
		}
	}
	if r := e.Regressions; r != nil {
		c.thresholds(f+".regressions", r.Thresholds)
	}
	if h := e.Health; h != nil {
		hf := f + ".health"
		if h.MinSessions < 0 || (h.MinSessions == 0 && c.set(hf+".min_sessions")) {
			c.add(hf+".min_sessions", fmt.Sprintf("must be > 0 (leave it out for the default, %d)", policyDefaultMinSessions))
		}
		if h.CrashFreeSessions == nil && h.CrashFreeUsers == nil {
			c.add(hf, "set crash_free_sessions or crash_free_users, each with a floor or a max_drop")
		}
		c.rateRule(hf+".crash_free_sessions", h.CrashFreeSessions)
		c.rateRule(hf+".crash_free_users", h.CrashFreeUsers)
	}
	if x := e.Context; x != nil {
		xf := f + ".context"
		if len(x.Required) == 0 {
			c.add(xf+".required", "list the keys each error event must carry, e.g. [request_id, user.id]")
		}
		keys := map[string]bool{}
		for i, key := range x.Required {
			kf := fmt.Sprintf("%s.required[%d]", xf, i)
			dup := keys[key]
			keys[key] = true
			switch {
			case key == "":
				c.add(kf, "must not be empty")
			case strings.IndexFunc(key, func(r rune) bool { return r <= ' ' || r == 0x7f }) >= 0:
				c.add(kf, fmt.Sprintf("%q must not contain spaces or control characters", key))
			case dup:
				c.add(kf, fmt.Sprintf("lists %q twice", key))
			}
		}
		c.percent(xf+".min_share", x.MinShare)
		if x.Action != "" || c.set(xf+".action") {
			if x.Action != "warn" && x.Action != "fail" {
				c.add(xf+".action", fmt.Sprintf("must be warn or fail, not %q", x.Action))
			}
		}
	}
}

func durationOr(d Duration, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return time.Duration(d)
}

func (c *policyCheck) duration(field string, d Duration, def time.Duration) {
	if d < 0 || (d == 0 && c.set(field)) {
		c.add(field, fmt.Sprintf("must be > 0 (leave it out for the default, %s)", policyDurationText(def)))
	}
}

func (c *policyCheck) outcome(field string, o Outcome) {
	if (o != "" || c.set(field)) && o != OutcomePass && o != OutcomeFail {
		c.add(field, fmt.Sprintf("must be pass or fail, not %q", string(o)))
	}
}

// positive checks a value that must be > 0 when set (zero: not set).
func (c *policyCheck) positive(field string, v float64) {
	if v == 0 && !c.set(field) {
		return
	}
	switch {
	case math.IsNaN(v):
		c.add(field, "must be a number")
	case math.IsInf(v, 0):
		c.add(field, "must be a finite number")
	case v <= 0:
		c.add(field, "must be > 0")
	}
}

// percent checks a percentage, which must be in (0, 100] when set (zero: not set).
func (c *policyCheck) percent(field string, v float64) {
	if (v != 0 || c.set(field)) && !(v > 0 && v <= 100) {
		c.add(field, "must be a percentage: more than 0, at most 100")
	}
}

func (c *policyCheck) thresholds(field string, t Thresholds) {
	c.positive(field+".events_per_hour", t.EventsPerHour)
	c.positive(field+".users_per_hour", t.UsersPerHour)
	c.percent(field+".session_share", t.SessionShare)
	if t.PassBelow != 0 || c.set(field+".pass_below") {
		switch pb := t.PassBelow; {
		case !(pb > 0 && pb < 100):
			c.add(field+".pass_below", "must be a percentage of the thresholds: more than 0, less than 100 (leave it out for no indifference zone)")
		case t.EventsPerHour == 0 && t.UsersPerHour == 0 && !c.set(field+".events_per_hour") && !c.set(field+".users_per_hour"):
			c.add(field+".pass_below", "applies to events_per_hour and users_per_hour: set one of them with it")
		}
	}
}

// thresholdsGiven says whether any threshold is set, or written (if as zero: reported apart).
func (c *policyCheck) thresholdsGiven(field string, t Thresholds) bool {
	return t.EventsPerHour != 0 || t.UsersPerHour != 0 || t.SessionShare != 0 ||
		c.set(field+".events_per_hour") || c.set(field+".users_per_hour") || c.set(field+".session_share")
}

func (c *policyCheck) rateRule(field string, r *RateRule) {
	if r == nil {
		return
	}
	c.percent(field+".floor", r.Floor)
	c.percent(field+".max_drop", r.MaxDrop)
	if r.Floor == 0 && r.MaxDrop == 0 && !c.set(field+".floor") && !c.set(field+".max_drop") {
		c.add(field, "set floor, max_drop or both")
	}
}

func (c *policyCheck) ignoreRule(field string, r IgnoreRule) {
	if r.Title == "" && r.Tag == "" && r.Level == "" && !c.set(field+".title") && !c.set(field+".tag") && !c.set(field+".level") {
		c.add(field, "set title, tag or level: a rule with none would ignore every issue")
		return
	}
	if r.Title != "" || c.set(field+".title") {
		if r.Title == "" {
			c.add(field+".title", "must not be empty")
		} else if _, err := path.Match(r.Title, ""); err != nil {
			c.add(field+".title", fmt.Sprintf("%q is not a valid glob (a '[' without ']', or a '\\' at the end?)", r.Title))
		}
	}
	if r.Tag != "" || c.set(field+".tag") {
		key, glob, ok := strings.Cut(r.Tag, ":")
		switch {
		case !ok || key == "" || glob == "":
			c.add(field+".tag", fmt.Sprintf("must be key:glob, e.g. browser:Opera*, not %q", r.Tag))
		default:
			if _, err := path.Match(glob, ""); err != nil {
				c.add(field+".tag", fmt.Sprintf("%q is not a valid glob (a '[' without ']', or a '\\' at the end?)", glob))
			}
		}
	}
	if (r.Level != "" || c.set(field+".level")) && !slices.Contains(sentryLevels, r.Level) {
		c.add(field+".level", fmt.Sprintf("must be one of %s, not %q", strings.Join(sentryLevels, ", "), r.Level))
	}
}

func hasKey[V any](m map[string]V, k string) bool {
	_, ok := m[k]
	return ok
}

// evidenceCycles reports environments judged, through their evidence, by themselves: each
// cycle once, at its first name.
func (c *policyCheck) evidenceCycles(p *Policy, names []string) {
	const (
		unseen = iota
		onPath
		done
	)
	state := make(map[string]int, len(names))
	for _, start := range names {
		var chain []string
		at := map[string]int{} // position in chain
		cur := start
		for state[cur] == unseen {
			state[cur] = onPath
			at[cur] = len(chain)
			chain = append(chain, cur)
			e := p.Environments[cur]
			if e == nil || e.Evidence == "" || e.Evidence == cur || p.Environments[e.Evidence] == nil {
				break
			}
			cur = e.Evidence
		}
		if i, ok := at[cur]; ok && state[cur] == onPath && len(chain)-i > 1 && cur != chain[len(chain)-1] {
			cycle := chain[i:]
			first := slices.Index(cycle, slices.Min(cycle))
			cycle = append(cycle[first:len(cycle):len(cycle)], cycle[:first]...)
			text := strings.Join(cycle, " → ")
			if len(cycle) > 8 {
				text = strings.Join(cycle[:4], " → ") + fmt.Sprintf(" → … (%d more) → ", len(cycle)-6) + strings.Join(cycle[len(cycle)-2:], " → ")
			}
			c.add("environments."+cycle[0]+".evidence", fmt.Sprintf("evidence goes round in a cycle (%s → %s): one of them must be judged by its own evidence", text, cycle[0]))
		}
		for _, n := range chain {
			state[n] = done
		}
	}
}

// Environment is the policy of the named environment, a copy with Name set and every default
// filled in. An unknown name is an error listing the environments the policy has.
func (p *Policy) Environment(name string) (*Environment, error) {
	e := p.Environments[name]
	if e == nil {
		names := p.environmentNames()
		if len(names) == 0 {
			return nil, fmt.Errorf("the policy has no environment %q: it configures no environments", name)
		}
		msg := fmt.Sprintf("the policy has no environment %q", name)
		if s := closestName(name, names); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
		return nil, fmt.Errorf("%s; it configures %s", msg, strings.Join(names, ", "))
	}
	env := e.WithDefaults()
	env.Name = name
	return &env, nil
}

// WithDefaults returns a copy of e with every default filled in; the copy shares no pointer
// with e that it could change (Health, Context).
func (e *Environment) WithDefaults() Environment {
	env := *e
	if env.Health != nil {
		h := *env.Health
		env.Health = &h
	}
	if env.Context != nil {
		x := *env.Context
		env.Context = &x
	}
	env.applyPolicyDefaults()
	return env
}

// applyPolicyDefaults fills in the defaults of the fields left zero.
func (e *Environment) applyPolicyDefaults() {
	if e.Soak == 0 {
		e.Soak = Duration(policyDefaultSoak)
	}
	if e.Deadline == 0 {
		e.Deadline = Duration(policyDefaultDeadline)
	}
	if e.Confidence == 0 {
		e.Confidence = policyDefaultConfidence
	}
	if e.Window == 0 {
		e.Window = Duration(policyDefaultWindow)
	}
	if e.OnError == "" {
		e.OnError = policyDefaultOutcome
	}
	if e.OnTimeout == "" {
		e.OnTimeout = policyDefaultOutcome
	}
	if e.Health != nil && e.Health.MinSessions == 0 {
		e.Health.MinSessions = policyDefaultMinSessions
	}
	if e.Context != nil {
		if e.Context.MinShare == 0 {
			e.Context.MinShare = policyDefaultMinShare
		}
		if e.Context.Action == "" {
			e.Context.Action = policyDefaultAction
		}
	}
}

// releaseTemplatePart is literal text or, when placeholder is set, one of {sha}, {short_sha},
// {ref_name}, {project}.
type releaseTemplatePart struct {
	text        string
	placeholder string
}

var releasePlaceholders = []string{"sha", "short_sha", "ref_name", "project"}

func parseReleaseTemplate(tmpl string) ([]releaseTemplatePart, error) {
	var parts []releaseTemplatePart
	rest := tmpl
	for rest != "" {
		open := strings.IndexByte(rest, '{')
		if close := strings.IndexByte(rest, '}'); close >= 0 && (open < 0 || close < open) {
			return nil, errors.New(`has a "}" without "{"`)
		}
		if open < 0 {
			parts = append(parts, releaseTemplatePart{text: rest})
			break
		}
		if open > 0 {
			parts = append(parts, releaseTemplatePart{text: rest[:open]})
		}
		end := strings.IndexByte(rest[open:], '}')
		if end < 0 {
			return nil, errors.New(`has a "{" without "}"`)
		}
		name := rest[open+1 : open+end]
		if !slices.Contains(releasePlaceholders, name) {
			return nil, fmt.Errorf("has an unknown placeholder {%s}: use {sha}, {short_sha}, {ref_name} or {project}", name)
		}
		parts = append(parts, releaseTemplatePart{placeholder: name})
		rest = rest[open+end+1:]
	}
	return parts, nil
}

// releaseTemplateProblem says what is wrong with a release.name template, "" if nothing.
func releaseTemplateProblem(tmpl string) string {
	if tmpl == "" {
		return "must not be empty (leave it out for the default, " + policyDefaultReleaseName + ")"
	}
	parts, err := parseReleaseTemplate(tmpl)
	if err != nil {
		return err.Error()
	}
	perCommit := slices.ContainsFunc(parts, func(p releaseTemplatePart) bool {
		return p.placeholder == "sha" || p.placeholder == "short_sha" || p.placeholder == "ref_name"
	})
	if !perCommit {
		return "uses none of {sha}, {short_sha} and {ref_name}: every commit would have the same release name"
	}
	// The literal text must make a valid release name with any commit.
	sample := renderReleaseTemplate(parts, strings.Repeat("0123456789", 4), "main", "web")
	if msg := releaseNameProblem(sample); msg != "" {
		return fmt.Sprintf("makes release names like %q, which Sentry rejects: %s", sample, msg)
	}
	return ""
}

func renderReleaseTemplate(parts []releaseTemplatePart, sha, refName, project string) string {
	var b strings.Builder
	for _, p := range parts {
		switch p.placeholder {
		case "":
			b.WriteString(p.text)
		case "sha":
			b.WriteString(sha)
		case "short_sha":
			b.WriteString(sha[:min(12, len(sha))])
		case "ref_name":
			b.WriteString(refName)
		case "project":
			b.WriteString(project)
		}
	}
	return b.String()
}

// releaseNameProblem applies Sentry's rules for release names (as internal/sentryconf's
// CheckRelease does, plus the backslash and "latest" Sentry also refuses); "" when valid.
func releaseNameProblem(r string) string {
	switch {
	case r == "":
		return "it is empty"
	case r == "." || r == "..":
		return "it is . or .."
	case strings.EqualFold(r, "latest"):
		return `"latest" is reserved`
	case strings.TrimSpace(r) != r:
		return "it has leading or trailing spaces"
	case strings.ContainsAny(r, "/\\\n\t\v\f\r"):
		return "it contains '/', '\\' or a control character"
	case len(r) > 200:
		return "it is longer than 200 characters"
	}
	return ""
}

var commitSHARE = regexp.MustCompile(`^[0-9a-fA-F]{7,64}$`)

// ReleaseName names the release of a commit with the policy's release.name template (default
// "{sha}"): {sha} is the commit SHA, {short_sha} its first 12 characters, {ref_name} the branch
// or tag (GITHUB_REF_NAME), {project} the Sentry project. The result must be a release name
// Sentry accepts.
func (p *Policy) ReleaseName(sha, refName, project string) (string, error) {
	tmpl := p.Release.Name
	if tmpl == "" {
		tmpl = policyDefaultReleaseName
	}
	parts, err := parseReleaseTemplate(tmpl)
	if err != nil {
		return "", fmt.Errorf("release.name %q %w", tmpl, err)
	}
	for _, part := range parts {
		switch part.placeholder {
		case "sha", "short_sha":
			if !commitSHARE.MatchString(sha) {
				return "", fmt.Errorf("release.name %q needs the commit SHA, and %q is not one (7 to 64 hex digits)", tmpl, sha)
			}
		case "ref_name":
			if refName == "" {
				return "", fmt.Errorf("release.name %q uses {ref_name}, but no branch or tag name was given (GITHUB_REF_NAME in GitHub Actions)", tmpl)
			}
		case "project":
			if project == "" {
				return "", fmt.Errorf("release.name %q uses {project}, but no Sentry project was given", tmpl)
			}
		}
	}
	name := renderReleaseTemplate(parts, sha, refName, project)
	if msg := releaseNameProblem(name); msg != "" {
		return "", fmt.Errorf("release.name %q makes %q, which Sentry does not accept as a release name: %s", tmpl, name, msg)
	}
	return name, nil
}
