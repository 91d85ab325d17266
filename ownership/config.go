package ownership

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/releasegate/releasegate/didyoumean"
)

// Config is the ownership part of a sentry.properties file. docs/ownership.md describes the
// keys.
type Config struct {
	File      string // the properties file, as given to LoadConfig
	RulesFile string // ownership.file resolved against File's folder; "" if unset
	Rules     []Rule
	// RulesGiven says the file sets the rules (ownership.rules, ownership.rule.<n> or
	// ownership.file), so syncing replaces Sentry's; an empty list then clears them.
	RulesGiven         bool
	Fallthrough        *bool  // nil: not set, leave Sentry's value alone
	AutoAssignment     string // one of Sentry's exact strings; "" if unset
	CodeownersImport   bool
	CodeownersAutoSync *bool
	// Codeowners says where the CODEOWNERS file is and how its paths and owners translate
	// to Sentry's; it is read only when CodeownersImport is true.
	Codeowners CodeownersSettings
}

// CodeownersSettings are the ownership.codeowners.* keys.
type CodeownersSettings struct {
	// File is ownership.codeowners.file resolved against the properties folder; "" means
	// GitHub's own search (CodeownersLocations at the repository root).
	File string
	// StackRoot and SourceRoot are Sentry's code mapping: repository paths under SourceRoot
	// appear under StackRoot in stack frames.
	StackRoot, SourceRoot string
	// Owners maps GitHub owners as written in CODEOWNERS ("@acme/web", "@alice"), lower-cased,
	// to Sentry owners.
	Owners map[string]Owner
	// OwnerLines gives the properties line of each Owners entry, for messages.
	OwnerLines map[string]int
}

// Sentry's exact autoAssignment values (the project ownership API accepts only these).
const (
	AutoAssignIssueOwner     = "Auto Assign to Issue Owner"
	AutoAssignSuspectCommits = "Auto Assign to Suspect Commits"
	AutoAssignOff            = "Turn off Auto-Assignment"
)

// autoAssignValues maps what a person may write (lower-cased) to Sentry's value: the exact
// strings, and short forms that are easier to type in a properties file.
var autoAssignValues = map[string]string{
	strings.ToLower(AutoAssignIssueOwner):     AutoAssignIssueOwner,
	strings.ToLower(AutoAssignSuspectCommits): AutoAssignSuspectCommits,
	strings.ToLower(AutoAssignOff):            AutoAssignOff,
	"issue-owner":                             AutoAssignIssueOwner,
	"suspect-commits":                         AutoAssignSuspectCommits,
	"off":                                     AutoAssignOff,
}

// ownershipKeys are the keys LoadConfig reads; ownership.rule.<n> comes on top.
var ownershipKeys = []string{
	"ownership.rules", "ownership.file", "ownership.codeowners", "ownership.fallthrough",
	"ownership.autoAssignment", "ownership.codeownersAutoSync",
}

// cliKeys are the sentry-cli keys a sentry.properties may hold; LoadConfig allows and ignores
// them. Any http.* key is allowed too.
var cliKeys = []string{
	"auth.token", "auth.dsn", "auth.api_key",
	"defaults.url", "defaults.org", "defaults.project", "defaults.pipeline",
	"defaults.custom_header", "defaults.vcs_remote", "defaults.environment",
	"log.level", "update.disable_check",
	"cli.executable", // written by Sentry's React Native and Gradle tooling
}

// LoadConfig reads the ownership.* keys of a sentry.properties file. file labels messages
// and is the base for ownership.file, which is read with readFile (the package does no I/O;
// a nil readFile makes ownership.file an error).
//
// It is strict: an unknown key (with a suggestion where one is close), a duplicated key, a
// bad value, rules given in more than one way, and rule syntax errors are all problems naming
// file and line. Inline rules report the properties line they are on; rules from
// ownership.file report that file's lines. On problems it returns a *ParseError listing all
// of them.
func LoadConfig(data []byte, file string, readFile func(name string) ([]byte, error)) (*Config, error) {
	entries, err := ParseProperties(data, file)
	var probs []Problem
	if pe := (*ParseError)(nil); errors.As(err, &pe) {
		// The lines with a bad escape are reported; the checks below still run on the others.
		probs = append(probs, pe.Problems...)
	} else if err != nil {
		return nil, err
	}
	cfg := &Config{File: file}
	bad := func(line int, format string, args ...any) {
		probs = append(probs, Problem{File: file, Line: line, Msg: fmt.Sprintf(format, args...)})
	}
	boolean := func(e Entry) (bool, bool) {
		switch strings.ToLower(strings.TrimSpace(e.Value)) {
		case "true":
			return true, true
		case "false":
			return false, true
		}
		bad(e.Line, "%s: %q is not true or false", e.Key, e.Value)
		return false, false
	}

	seen := map[string]int{}
	var inline *Entry
	var numbered []Entry
	var fileEntry *Entry
	for _, e := range entries {
		if e.Malformed {
			// Already reported; its value cannot be trusted, but its key is taken.
			seen[e.Key] = e.Line
			continue
		}
		if prev, ok := seen[e.Key]; ok {
			bad(e.Line, "%s is set again (first set on line %d)", e.Key, prev)
			continue
		}
		seen[e.Key] = e.Line
		switch {
		// ownership.rules: rules in Sentry's syntax, one a line of the value (a line ending in a
		// backslash continues the value; an escaped \n also starts a rule); Sentry's raw field.
		case e.Key == "ownership.rules":
			inline = &e
		// ownership.rule.<n>: one rule; <n> is a positive whole number and rules are ordered by it
		// numerically (2 before 10); Sentry's raw field.
		case strings.HasPrefix(e.Key, "ownership.rule."):
			num := strings.TrimPrefix(e.Key, "ownership.rule.")
			if n, err := strconv.Atoi(num); err != nil || n < 1 || num[0] == '+' {
				bad(e.Line, "%s: the number after ownership.rule. must be a positive whole number", e.Key)
				continue
			}
			numbered = append(numbered, e)
		// ownership.file: a rules file in Sentry's syntax, relative to the sentry.properties folder;
		// Sentry's raw field. Rules come from exactly one of ownership.rules, ownership.rule.<n> and
		// ownership.file.
		case e.Key == "ownership.file":
			if strings.TrimSpace(e.Value) == "" {
				bad(e.Line, "ownership.file is empty")
				continue
			}
			fileEntry = &e
		// ownership.codeowners: true or false: import the repository's CODEOWNERS as Sentry does
		// (default false).
		case e.Key == "ownership.codeowners":
			cfg.CodeownersImport, _ = boolean(e)
		// ownership.codeowners.file: the CODEOWNERS file, relative to the sentry.properties folder
		// (default: GitHub's own search, .github/CODEOWNERS, CODEOWNERS, docs/CODEOWNERS at the
		// repository root).
		case e.Key == "ownership.codeowners.file":
			name := strings.TrimSpace(e.Value)
			if name == "" {
				bad(e.Line, "ownership.codeowners.file is empty (leave it out to use GitHub's locations)")
				continue
			}
			if !filepath.IsAbs(name) {
				name = filepath.Join(filepath.Dir(file), name)
			}
			cfg.Codeowners.File = name
		// ownership.codeowners.stackRoot: with sourceRoot, Sentry's code mapping: repository paths under
		// sourceRoot appear under stackRoot in stack frames; give both or neither.
		case e.Key == "ownership.codeowners.stackRoot":
			cfg.Codeowners.StackRoot = strings.TrimSpace(e.Value)
		// ownership.codeowners.sourceRoot: the repository folder that stackRoot stands for in stack
		// frames; give both or neither.
		case e.Key == "ownership.codeowners.sourceRoot":
			cfg.Codeowners.SourceRoot = strings.TrimSpace(e.Value)
		// ownership.codeowners.owner.<github owner>: the Sentry owner (#team or an email) of a
		// CODEOWNERS owner (@org/team, @user), as Sentry's external team and user mappings do.
		case strings.HasPrefix(e.Key, "ownership.codeowners.owner."):
			name := strings.ToLower(strings.TrimPrefix(e.Key, "ownership.codeowners.owner."))
			if !strings.HasPrefix(name, "@") && !strings.Contains(name, "@") {
				bad(e.Line, "%s: %q is not a GitHub owner; write it as in CODEOWNERS (@org/team, @user or an email)", e.Key, name)
				continue
			}
			if prev, ok := cfg.Codeowners.OwnerLines[name]; ok {
				bad(e.Line, "%s maps %s again (first mapped on line %d)", e.Key, name, prev)
				continue
			}
			o, msg := parseOwner(strings.TrimSpace(e.Value))
			if msg != "" {
				bad(e.Line, "%s: %s", e.Key, msg)
				continue
			}
			if cfg.Codeowners.Owners == nil {
				cfg.Codeowners.Owners, cfg.Codeowners.OwnerLines = map[string]Owner{}, map[string]int{}
			}
			cfg.Codeowners.Owners[name], cfg.Codeowners.OwnerLines[name] = o, e.Line
		// ownership.fallthrough: true or false: with no matching rule, make every project member an
		// owner; Sentry's fallthrough field (not set: Sentry's value is left alone).
		case e.Key == "ownership.fallthrough":
			if v, ok := boolean(e); ok {
				cfg.Fallthrough = &v
			}
		// ownership.codeownersAutoSync: true or false: re-sync CODEOWNERS on each release; Sentry's
		// codeownersAutoSync field (not set: Sentry's value is left alone).
		case e.Key == "ownership.codeownersAutoSync":
			if v, ok := boolean(e); ok {
				cfg.CodeownersAutoSync = &v
			}
		// ownership.autoAssignment: Auto Assign to Issue Owner, Auto Assign to Suspect Commits or Turn
		// off Auto-Assignment (case ignored), or the short forms issue-owner, suspect-commits, off;
		// Sentry's autoAssignment field (not set: Sentry's value is left alone).
		case e.Key == "ownership.autoAssignment":
			v, ok := autoAssignValues[strings.ToLower(strings.TrimSpace(e.Value))]
			if !ok {
				bad(e.Line, "ownership.autoAssignment: %q is not one of %q, %q, %q (or issue-owner, suspect-commits, off)",
					e.Value, AutoAssignIssueOwner, AutoAssignSuspectCommits, AutoAssignOff)
				continue
			}
			cfg.AutoAssignment = v
		case slices.Contains(cliKeys, e.Key) || strings.HasPrefix(e.Key, "http."):
			// sentry-cli's connection settings: read elsewhere.
		default:
			msg := fmt.Sprintf("unknown key %q", e.Key)
			if s := suggestKey(e.Key); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			bad(e.Line, "%s", msg)
		}
	}

	// One source of rules only: mixing them would leave their order to guesswork.
	var sources []string
	if inline != nil {
		sources = append(sources, fmt.Sprintf("ownership.rules (line %d)", inline.Line))
	}
	if len(numbered) > 0 {
		sources = append(sources, fmt.Sprintf("ownership.rule.<n> (line %d)", numbered[0].Line))
	}
	if fileEntry != nil {
		sources = append(sources, fmt.Sprintf("ownership.file (line %d)", fileEntry.Line))
	}
	cfg.RulesGiven = len(sources) > 0
	if len(sources) > 1 {
		bad(1, "rules are given by %s: use only one of them", strings.Join(sources, " and "))
	}

	// addRules parses text as rules and labels them and their problems with the properties
	// line. It returns how many rules it added.
	addRules := func(text string, line int) int {
		rules, err := Parse([]byte(text), file)
		if pe := (*ParseError)(nil); errors.As(err, &pe) {
			for _, p := range pe.Problems {
				p.Line = line
				probs = append(probs, p)
			}
			return 0
		}
		for _, r := range rules {
			r.Line = line
			if r.Type == CodeOwners {
				probs = append(probs, codeownersRuleProblem(r))
				continue
			}
			cfg.Rules = append(cfg.Rules, r)
		}
		return len(rules)
	}
	switch {
	case len(sources) > 1:
	case inline != nil:
		// One rule a physical line; an escaped \n also starts a new rule on the same line.
		for _, s := range inline.Segments {
			for part := range strings.SplitSeq(s.Text, "\n") {
				addRules(part, s.Line)
			}
		}
	case len(numbered) > 0:
		slices.SortStableFunc(numbered, func(a, b Entry) int {
			return ruleNumber(a.Key) - ruleNumber(b.Key)
		})
		for i, e := range numbered {
			if i > 0 && ruleNumber(e.Key) == ruleNumber(numbered[i-1].Key) {
				bad(e.Line, "%s is the same rule number as %s on line %d", e.Key, numbered[i-1].Key, numbered[i-1].Line)
				continue
			}
			if strings.Contains(e.Value, "\n") {
				bad(e.Line, "%s holds more than one line: use ownership.rules for several rules", e.Key)
				continue
			}
			n0 := len(probs)
			if addRules(e.Value, e.Line) == 0 && len(probs) == n0 {
				// Empty, or "#…" read as a comment: a numbered key that is silently no rule
				// is surely a mistake.
				bad(e.Line, "%s holds no rule", e.Key)
			}
		}
	case fileEntry != nil:
		name := strings.TrimSpace(fileEntry.Value)
		if !filepath.IsAbs(name) {
			name = filepath.Join(filepath.Dir(file), name)
		}
		cfg.RulesFile = name
		if readFile == nil {
			bad(fileEntry.Line, "ownership.file: no way to read %s here", name)
		} else if src, err := readFile(name); err != nil {
			bad(fileEntry.Line, "ownership.file: %v", err)
		} else if rules, err := Parse(src, name); err != nil {
			if pe := (*ParseError)(nil); errors.As(err, &pe) {
				probs = append(probs, pe.Problems...)
			}
		} else {
			for _, r := range rules {
				if r.Type == CodeOwners {
					probs = append(probs, codeownersRuleProblem(r))
					continue
				}
				cfg.Rules = append(cfg.Rules, r)
			}
		}
	}
	if (cfg.Codeowners.File != "" || cfg.Codeowners.StackRoot != "" || cfg.Codeowners.SourceRoot != "" ||
		len(cfg.Codeowners.Owners) > 0) && !cfg.CodeownersImport {
		line := seen["ownership.codeowners.file"]
		for _, k := range []string{"ownership.codeowners.stackRoot", "ownership.codeowners.sourceRoot"} {
			if l, ok := seen[k]; ok && (line == 0 || l < line) {
				line = l
			}
		}
		for _, l := range cfg.Codeowners.OwnerLines {
			if line == 0 || l < line {
				line = l
			}
		}
		bad(line, "ownership.codeowners.* settings are given but ownership.codeowners is not true: set ownership.codeowners = true to import CODEOWNERS, or remove them")
	}
	if (cfg.Codeowners.StackRoot == "") != (cfg.Codeowners.SourceRoot == "") {
		bad(max(seen["ownership.codeowners.stackRoot"], seen["ownership.codeowners.sourceRoot"]),
			"a code mapping needs both ownership.codeowners.stackRoot and ownership.codeowners.sourceRoot")
	}
	if len(probs) > 0 {
		slices.SortStableFunc(probs, func(a, b Problem) int {
			if a.File != b.File {
				return strings.Compare(a.File, b.File)
			}
			return a.Line - b.Line
		})
		return nil, &ParseError{Problems: probs}
	}
	return cfg, nil
}

// codeownersRuleProblem explains why a hand-written codeowners: rule is refused: Sentry only
// accepts them from a CODEOWNERS import, so syncing it would fail.
func codeownersRuleProblem(r Rule) Problem {
	return Problem{File: r.File, Line: r.Line, Msg: fmt.Sprintf(
		"%s: Sentry accepts codeowners: rules only from a CODEOWNERS import; write it as a path: rule, or set ownership.codeowners = true to import CODEOWNERS",
		r.Matcher())}
}

func ruleNumber(key string) int {
	n, _ := strconv.Atoi(strings.TrimPrefix(key, "ownership.rule."))
	return n
}

// suggestKey returns the known key closest to key, or "" if none is close. Case is ignored
// when comparing, so "ownership.autoassignment" finds its camel-cased form.
func suggestKey(key string) string {
	best, bestD := "", 4
	for _, k := range append(append([]string{"ownership.rule.1"}, ownershipKeys...), cliKeys...) {
		if d := didyoumean.Distance(strings.ToLower(key), strings.ToLower(k)); d < bestD {
			best, bestD = k, d
		}
	}
	if bestD > len(key)/3 {
		return ""
	}
	return best
}
