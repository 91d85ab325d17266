package ownership

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// compiled is a rule's pattern, compiled once.
type compiled struct {
	g  *glob      // path, url, module, tags
	co *coMatcher // codeowners
}

func compile(t MatcherType, pattern string) (*compiled, error) {
	switch t {
	case Path, Module:
		// path_normalize: backslashes are separators; the same is done to values.
		g, err := compileGlob(strings.ReplaceAll(pattern, `\`, "/"), true)
		return &compiled{g: g}, err
	case URL:
		g, err := compileGlob(pattern, true)
		return &compiled{g: g}, err
	case Tag:
		g, err := compileGlob(pattern, false) // tags are case-sensitive
		return &compiled{g: g}, err
	case CodeOwners:
		co, err := compileCodeowners(pattern)
		return &compiled{co: co}, err
	}
	return nil, fmt.Errorf("unknown matcher type %q", t)
}

// Options choose between Sentry's documented and newest precedence.
type Options struct {
	// FramePriority ranks matches by stack frame as the newest Sentry code does
	// (projectownership.py): the rule matching the frame nearest the error wins; among rules
	// matching the same frame, ownership rules beat codeowners: rules and then the later rule
	// wins; url: and tags. rules rank after every frame match. "Nearest the error" is taken to
	// be the last frame of Event.Frames (Sentry's order puts the raising frame last); the
	// reference could not confirm Sentry's indexing (§9.1), so treat this mode as provisional.
	//
	// Without it, the documented rule applies: codeowners: rules are evaluated first, then the
	// ownership rules, each in file order, and the last matching rule wins.
	FramePriority bool
}

// Match is a rule that matched, with what it matched.
type Match struct {
	Rule  Rule
	Frame int    // index into Event.Frames, or -1 for url: and tags. rules
	Value string // the frame path, module, URL or tag value that matched
}

// Decision is the outcome of Owners.
type Decision struct {
	// Owners are the owners of the matching rules in precedence order (the deciding rule's
	// first), without duplicates. A matching rule without owners ends the list: it takes
	// ownership away from the rules it outranks (this is our reading of Sentry's owner-less
	// rules, whose effect at match time the reference could not confirm, §9.2).
	Owners []Owner
	// Assignee is the deciding rule's leftmost owner; nil when no rule matched or the
	// deciding rule has no owners.
	Assignee *Owner
	// Rule is the deciding rule; nil when no rule matched.
	Rule *Rule
	// Matches are every matching rule in evaluation order: codeowners: rules, then the others,
	// each in the order given.
	Matches []Match
}

// cand is one value from the event that frame rules test.
type cand struct {
	key   string // normalised (and for glob rules lower-cased) value
	rkey  string // key reversed, for suffix lookups
	raw   string
	frame int
}

// sortedCands is a set of values sorted two ways, so a pattern with a literal prefix or
// suffix only looks at the values that share it instead of all of them. Pointers keep the
// sorts cheap.
type sortedCands struct {
	byKey, byRev []*cand
}

func byKey(a, b *cand) int { return strings.Compare(a.key, b.key) }

func sortedPtrs(cs []cand) []*cand {
	ps := make([]*cand, len(cs))
	for i := range cs {
		ps[i] = &cs[i]
	}
	slices.SortFunc(ps, byKey)
	return ps
}

func newSortedCands(cs []cand) sortedCands {
	var buf strings.Builder // one allocation for every reversed key
	total := 0
	for i := range cs {
		total += len(cs[i].key)
	}
	buf.Grow(total)
	for i := range cs {
		for j := len(cs[i].key) - 1; j >= 0; j-- {
			buf.WriteByte(cs[i].key[j])
		}
	}
	all := buf.String()
	for i := range cs {
		cs[i].rkey, all = all[:len(cs[i].key)], all[len(cs[i].key):]
	}
	s := sortedCands{byKey: sortedPtrs(cs), byRev: make([]*cand, len(cs))}
	for i := range cs {
		s.byRev[i] = &cs[i]
	}
	slices.SortFunc(s.byRev, func(a, b *cand) int { return strings.Compare(a.rkey, b.rkey) })
	return s
}

// withPrefix returns the values whose key (or, with reversed, rkey) starts with p.
func withPrefix(cs []*cand, p string, reversed bool) []*cand {
	key := func(i int) string {
		if reversed {
			return cs[i].rkey
		}
		return cs[i].key
	}
	lo := sort.Search(len(cs), func(i int) bool { return key(i) >= p })
	hi := lo
	for hi < len(cs) && strings.HasPrefix(key(hi), p) {
		hi++
	}
	return cs[lo:hi]
}

// eventIndex holds the event's values, normalised once per Owners call so rules only compare.
type eventIndex struct {
	paths, modules sortedCands
	coPaths        []*cand // filename and abs_path of frames not explicitly out of the app, sorted
	coTrim         []*cand // the same without a leading '/', sorted
	url            string  // lower-cased
}

func indexEvent(ev *Event) *eventIndex {
	x := &eventIndex{url: strings.ToLower(ev.URL)}
	n := len(ev.Frames)
	paths, modules := make([]cand, 0, 3*n), make([]cand, 0, n)
	coPaths, coTrim := make([]cand, 0, 2*n), make([]cand, 0, 2*n)
	for i := range ev.Frames {
		f := &ev.Frames[i]
		for _, p := range []string{f.Filename, f.AbsPath, mungedPath(ev, f)} {
			if p != "" {
				paths = append(paths, cand{key: strings.ToLower(strings.ReplaceAll(p, `\`, "/")), raw: p, frame: i})
			}
		}
		if f.Module != "" {
			modules = append(modules, cand{key: strings.ToLower(strings.ReplaceAll(f.Module, `\`, "/")), raw: f.Module, frame: i})
		}
		if f.InApp != nil && !*f.InApp {
			continue // codeowners: skips frames that say they are not in the app
		}
		for _, p := range []string{f.Filename, f.AbsPath} {
			if p != "" {
				n := strings.ReplaceAll(p, `\`, "/")
				coPaths = append(coPaths, cand{key: n, raw: p, frame: i})
				coTrim = append(coTrim, cand{key: strings.TrimPrefix(n, "/"), raw: p, frame: i})
			}
		}
	}
	x.paths = newSortedCands(paths)
	x.modules = newSortedCands(modules)
	x.coPaths = sortedPtrs(coPaths)
	x.coTrim = sortedPtrs(coTrim)
	return x
}

// nearest returns the candidate nearest the error (highest frame index) that match accepts.
func nearest(cs []*cand, match func(string) bool) (*cand, bool) {
	var best *cand
	for _, c := range cs {
		if (best == nil || c.frame > best.frame) && match(c.key) {
			best = c
		}
	}
	return best, best != nil
}

// matchGlob tests g against the values that share its literal prefix or suffix.
func matchGlob(g *glob, s sortedCands) (*cand, bool) {
	cs := s.byKey
	switch {
	case g.prefix != "":
		cs = withPrefix(s.byKey, g.prefix, false)
	case g.rsuffix != "":
		cs = withPrefix(s.byRev, g.rsuffix, true)
	}
	return nearest(cs, g.match)
}

// test matches one rule against the event.
func (x *eventIndex) test(r *Rule, c *compiled, ev *Event) (Match, bool) {
	switch r.Type {
	case Path:
		if k, ok := matchGlob(c.g, x.paths); ok {
			return Match{Rule: *r, Frame: k.frame, Value: k.raw}, true
		}
	case Module:
		if k, ok := matchGlob(c.g, x.modules); ok {
			return Match{Rule: *r, Frame: k.frame, Value: k.raw}, true
		}
	case URL:
		if ev.URL != "" && c.g.match(x.url) {
			return Match{Rule: *r, Frame: -1, Value: ev.URL}, true
		}
	case CodeOwners:
		cs := x.coPaths
		if c.co.anchored {
			cs = x.coTrim
		}
		if c.co.prefix != "" {
			cs = withPrefix(cs, c.co.prefix, false)
		}
		if k, ok := nearest(cs, c.co.matchPrepared); ok {
			return Match{Rule: *r, Frame: k.frame, Value: k.raw}, true
		}
	case Tag:
		// Sentry also tries tag aliases (EventSubjectTemplateData.tag_aliases); the reference
		// does not list them, so only the key as written is tried.
		if field, ok := strings.CutPrefix(r.TagKey, "user."); ok {
			if v, ok := ev.User.field(field); ok && c.g.match(v) {
				return Match{Rule: *r, Frame: -1, Value: v}, true
			}
		}
		if v, ok := ev.Tags[r.TagKey]; ok && c.g.match(v) {
			return Match{Rule: *r, Frame: -1, Value: v}, true
		}
	}
	return Match{}, false
}

// Owners decides who owns ev under rules (as returned by Parse; hand-built rules are
// compiled here, and ones that do not compile never match).
func Owners(rules []Rule, ev Event, opts Options) Decision {
	x := indexEvent(&ev)
	var d Decision
	// Evaluation order: codeowners: rules first, then ownership rules, each in given order.
	for pass := range 2 {
		for i := range rules {
			r := &rules[i]
			if (r.Type == CodeOwners) != (pass == 0) {
				continue
			}
			c, err := r.compiledRule()
			if err != nil {
				continue
			}
			if m, ok := x.test(r, c, &ev); ok {
				d.Matches = append(d.Matches, m)
			}
		}
	}
	if len(d.Matches) == 0 {
		return d
	}
	// ranked: precedence order, the deciding match first.
	ranked := make([]int, len(d.Matches))
	for i := range ranked {
		ranked[i] = len(ranked) - 1 - i // documented: the last match wins
	}
	if opts.FramePriority {
		slices.SortStableFunc(ranked, func(a, b int) int {
			ma, mb := d.Matches[a], d.Matches[b]
			// Nearer the error (a higher frame index) first; url: and tags. (-1) last.
			if c := cmp.Compare(mb.Frame, ma.Frame); c != 0 {
				return c
			}
			// Same frame: ownership rules before codeowners:, then the later rule (the
			// stable reverse order already puts later rules first).
			return cmp.Compare(isCO(ma), isCO(mb))
		})
	}
	win := d.Matches[ranked[0]].Rule
	d.Rule = &win
	seen := map[Owner]bool{}
	for _, i := range ranked {
		rule := &d.Matches[i].Rule
		if len(rule.Owners) == 0 {
			break
		}
		for _, o := range rule.Owners {
			if !seen[o] {
				seen[o] = true
				d.Owners = append(d.Owners, o)
			}
		}
	}
	if len(win.Owners) > 0 {
		a := win.Owners[0]
		d.Assignee = &a
	}
	return d
}

func isCO(m Match) int {
	if m.Rule.Type == CodeOwners {
		return 1
	}
	return 0
}
