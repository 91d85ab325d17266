package ownership

import (
	"slices"
	"sort"
	"strings"
	"unicode/utf8"
)

// checkValues are the values Check tests rules against, built from the repository's files
// once, when a rule first needs them.
type checkValues struct {
	files       []string
	paths, repo *keyIndex
}

// pathIndex holds what path: rules are tested against: every path and every folder suffix
// of it, backslashes read as '/', lower-cased, each also with a leading '/'.
func (v *checkValues) pathIndex() *keyIndex {
	if v.paths == nil {
		sl := slashedSuffixes(v.files)
		slices.Sort(sl) // sorts the suffixes too: they all follow the same '/'
		keys := make([]string, len(sl))
		for i, k := range sl {
			keys[i] = k[1:]
		}
		v.paths = newKeyIndex(keys, true)
		v.paths.slashed, v.paths.slashClosed = sl, true
	}
	return v.paths
}

// repoIndex holds what codeowners: rules are tested against: the files' paths from the
// repository root, as written (CODEOWNERS matching is case-sensitive).
func (v *checkValues) repoIndex() *keyIndex {
	if v.repo == nil {
		keys := make([]string, 0, len(v.files))
		for _, f := range v.files {
			if k := repoKey(f); k != "" {
				keys = append(keys, k)
			}
		}
		v.repo = newKeyIndex(keys, false)
	}
	return v.repo
}

// repoKey is a file's path as codeowners: rules see it: '\' read as '/', no leading '/'.
func repoKey(f string) string {
	return strings.TrimLeft(strings.ReplaceAll(f, `\`, "/"), "/")
}

// foldPath is a path as path: rules see it: '\' read as '/', lower-cased (path_normalize and
// ignorecase).
func foldPath(f string) string {
	return strings.ToLower(strings.ReplaceAll(f, `\`, "/"))
}

// appendFoldedPath appends foldPath(f) to b without allocating for ASCII paths.
func appendFoldedPath(b []byte, f string) []byte {
	for i := 0; i < len(f); i++ {
		if f[i] >= utf8.RuneSelf {
			return append(b, foldPath(f)...)
		}
	}
	for i := 0; i < len(f); i++ {
		c := f[i]
		switch {
		case c == '\\':
			c = '/'
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return b
}

// slashedSuffixes returns, without duplicates, "/" + every suffix from a segment of every
// folded path. All are substrings of one string holding "/"+foldPath(f) for each file f.
func slashedSuffixes(files []string) []string {
	total := 0
	for _, f := range files {
		total += len(f) + 1
	}
	b := make([]byte, 0, total)
	ends := make([]int, 0, len(files))
	for _, f := range files {
		b = append(b, '/')
		b = appendFoldedPath(b, f)
		ends = append(ends, len(b))
	}
	all := string(b)
	seen := make(map[string]struct{}, 2*len(files))
	out := make([]string, 0, 2*len(files))
	start := 0
	for _, end := range ends {
		s := all[start:end] // "/" + the folded path
		start = end
		for i := 0; i < len(s)-1; i++ {
			if s[i] != '/' {
				continue
			}
			if _, dup := seen[s[i:]]; !dup {
				seen[s[i:]] = struct{}{}
				out = append(out, s[i:])
			}
		}
	}
	return out
}

// keyIndex is a set of values, sorted and sorted by their reversed bytes, so a pattern with
// a literal prefix or suffix finds the values sharing it by binary search (the idea of
// sortedCands). Values are addressed by id: id i < len(keys) is keys[i]; when slashed is
// set, id len(keys)+i is slashed[i], which is "/"+keys[i]. Sorting and searching only the
// keys halves the work for the path values, half of which are the other half with a '/'.
type keyIndex struct {
	keys    []string // sorted, without duplicates
	slashed []string // nil, or "/"+keys[i] for each i
	rev     []string // the keys reversed, sorted
	revAt   []int32  // revAt[j] is the id of the key rev[j] is the reverse of
	// slashClosed says that for every value, the part of it from any '/' on is a value too,
	// as it is for the path values.
	slashClosed bool

	seg   *segIndex // built on first use
	mark  []int32   // scratch: mark[id] == gen when id is already in a result
	gen   int32
	cands []int32 // scratch: values to test
}

// ids is the number of value ids.
func (x *keyIndex) ids() int { return len(x.keys) + len(x.slashed) }

func (x *keyIndex) key(id int32) string {
	if int(id) < len(x.keys) {
		return x.keys[id]
	}
	return x.slashed[int(id)-len(x.keys)]
}

// newKeyIndex sorts keys (in place) and drops duplicates. With withRev it also builds the
// reversed order.
func newKeyIndex(keys []string, withRev bool) *keyIndex {
	slices.Sort(keys)
	x := &keyIndex{keys: slices.Compact(keys)}
	if !withRev {
		return x
	}
	total := 0
	for _, k := range x.keys {
		total += len(k)
	}
	// Each reversed key is followed by a NUL and its id, so sorting these strings sorts by
	// reversed key (keys are distinct and NUL sorts first) and carries the id along.
	b := make([]byte, 0, total+5*len(x.keys))
	nul := false
	for i, k := range x.keys {
		for j := len(k) - 1; j >= 0; j-- {
			b = append(b, k[j])
			nul = nul || k[j] == 0
		}
		b = append(b, 0, byte(i>>24), byte(i>>16), byte(i>>8), byte(i))
	}
	all := string(b) // one allocation for every reversed key
	x.rev, x.revAt = make([]string, len(x.keys)), make([]int32, len(x.keys))
	for i, k := range x.keys {
		x.rev[i], all = all[:len(k)+5], all[len(k)+5:]
	}
	if nul {
		slices.SortFunc(x.rev, func(a, b string) int { return strings.Compare(a[:len(a)-5], b[:len(b)-5]) })
	} else {
		slices.Sort(x.rev)
	}
	for j, r := range x.rev {
		n := len(r) - 5
		x.rev[j], x.revAt[j] = r[:n], int32(r[n+1])<<24|int32(r[n+2])<<16|int32(r[n+3])<<8|int32(r[n+4])
	}
	return x
}

// prefixRange returns the range of sorted keys that start with p.
func prefixRange(keys []string, p string) (lo, hi int) {
	lo, _ = slices.BinarySearch(keys, p)
	hi = lo + sort.Search(len(keys)-lo, func(i int) bool { return !strings.HasPrefix(keys[lo+i], p) })
	return lo, hi
}

// revRange returns the range of x.rev that starts with s reversed: the keys ending with s.
func (x *keyIndex) revRange(s string) (lo, hi int) {
	lo = sort.Search(len(x.rev), func(j int) bool { return revCompare(x.rev[j], s) >= 0 })
	hi = lo + sort.Search(len(x.rev)-lo, func(j int) bool { return !hasRevPrefix(x.rev[lo+j], s) })
	return lo, hi
}

// revCompare compares r with s reversed.
func revCompare(r, s string) int {
	for i := range min(len(r), len(s)) {
		if a, b := r[i], s[len(s)-1-i]; a != b {
			if a < b {
				return -1
			}
			return 1
		}
	}
	return len(r) - len(s)
}

// hasRevPrefix reports whether r starts with s reversed.
func hasRevPrefix(r, s string) bool {
	if len(r) < len(s) {
		return false
	}
	for i := range len(s) {
		if r[i] != s[len(s)-1-i] {
			return false
		}
	}
	return true
}

func appendRange(buf []int32, lo, hi int) []int32 {
	for i := lo; i < hi; i++ {
		buf = append(buf, int32(i))
	}
	return buf
}

// prefixCount is how many values start with p; appendPrefix appends their ids. A slashed
// value starts with p when p starts with '/' and its key starts with the rest of p.
func (x *keyIndex) prefixCount(p string) int {
	lo, hi := prefixRange(x.keys, p)
	n := hi - lo
	if x.slashed != nil && p != "" && p[0] == '/' {
		lo, hi = prefixRange(x.keys, p[1:])
		n += hi - lo
	}
	return n
}

func (x *keyIndex) appendPrefix(buf []int32, p string) []int32 {
	if p == "" {
		return appendRange(buf, 0, x.ids())
	}
	lo, hi := prefixRange(x.keys, p)
	buf = appendRange(buf, lo, hi)
	if x.slashed != nil && p[0] == '/' {
		lo, hi = prefixRange(x.keys, p[1:])
		for i := lo; i < hi; i++ {
			buf = append(buf, int32(len(x.keys)+i))
		}
	}
	return buf
}

// suffixCount is how many values end with s (about: it counts one slashed value that is
// exactly s once too often at most); appendSuffix appends their ids. A slashed value ends
// with s when its key does, or when it is s.
func (x *keyIndex) suffixCount(s string) int {
	lo, hi := x.revRange(s)
	if x.slashed != nil {
		return 2*(hi-lo) + 1
	}
	return hi - lo
}

func (x *keyIndex) appendSuffix(buf []int32, s string) []int32 {
	if s == "" {
		return appendRange(buf, 0, x.ids())
	}
	lo, hi := x.revRange(s)
	buf = append(buf, x.revAt[lo:hi]...)
	if x.slashed != nil {
		for _, i := range x.revAt[lo:hi] {
			buf = append(buf, int32(len(x.keys))+i)
		}
		if s[0] == '/' {
			if i, ok := slices.BinarySearch(x.keys, s[1:]); ok {
				buf = append(buf, int32(len(x.keys)+i))
			}
		}
	}
	return buf
}

// appendExact appends the id of the value k, if there is one.
func (x *keyIndex) appendExact(buf []int32, k string) []int32 {
	if i, ok := slices.BinarySearch(x.keys, k); ok {
		buf = append(buf, int32(i))
	}
	if x.slashed != nil && k != "" && k[0] == '/' {
		if i, ok := slices.BinarySearch(x.keys, k[1:]); ok {
			buf = append(buf, int32(len(x.keys)+i))
		}
	}
	return buf
}

// segIndex lists the distinct segments of the keys and the keys each is in. A folder segment
// is written with its '/' ("docs/"), the last segment without ("a.md").
type segIndex struct {
	tokens []string
	ids    map[string]int32
	start  []int32 // the keys holding tokens[t] are keys[start[t]:start[t+1]]
	keys   []int32
}

func (x *keyIndex) segments() *segIndex {
	if x.seg != nil {
		return x.seg
	}
	s := &segIndex{ids: map[string]int32{}}
	var occTok, occKey []int32
	for ki, k := range x.keys {
		for rest := k; ; {
			j := strings.IndexByte(rest, '/')
			tok := rest
			if j >= 0 {
				tok = rest[:j+1]
			}
			id, ok := s.ids[tok]
			if !ok {
				id = int32(len(s.tokens))
				s.ids[tok] = id
				s.tokens = append(s.tokens, tok)
			}
			occTok, occKey = append(occTok, id), append(occKey, int32(ki))
			if j < 0 {
				break
			}
			rest = rest[j+1:]
		}
	}
	s.start = make([]int32, len(s.tokens)+1)
	for _, t := range occTok {
		s.start[t+1]++
	}
	for t := range s.tokens {
		s.start[t+1] += s.start[t]
	}
	next := slices.Clone(s.start[:len(s.tokens)])
	s.keys = make([]int32, len(occKey))
	for o, t := range occTok {
		s.keys[next[t]] = occKey[o]
		next[t]++
	}
	x.seg = s
	if x.mark == nil {
		x.mark = make([]int32, x.ids())
	}
	return s
}

// segmentMatches appends the index of every key holding a segment that m's pattern matches
// (m.coSeg must be set), each once.
func (x *keyIndex) segmentMatches(m *ruleMatcher, buf []int32) []int32 {
	s := x.segments()
	x.gen++
	add := func(t int32) {
		for _, k := range s.keys[s.start[t]:s.start[t+1]] {
			if x.mark[k] != x.gen {
				x.mark[k] = x.gen
				buf = append(buf, k)
			}
		}
	}
	if m.coBodyLit {
		if t, ok := s.ids[m.coBody+"/"]; ok {
			add(t)
		}
		if t, ok := s.ids[m.coBody]; ok && !strings.HasSuffix(m.norm, "/") {
			add(t)
		}
		return buf
	}
	for t, tok := range s.tokens {
		if m.co.match(tok) {
			add(int32(t))
		}
	}
	return buf
}

// globMatches appends the id of every value g matches. Patterns of the shapes "lit",
// "lit*", "*lit" and "*" are answered from the sorted orders alone, "*lit*" by a substring
// search; others are tested on the values sharing their literal prefix or suffix (whichever
// are fewer), or on all values when they have neither, after a cheap test for their longest
// inner literal.
func (x *keyIndex) globMatches(g *glob, buf []int32) []int32 {
	t := g.toks
	switch {
	case x.slashClosed && len(t) >= 3 && t[0].kind == gStar && t[1].kind == gLit && strings.Contains(t[1].lit, "/"):
		return x.starSlashMatches(t, buf)
	case len(t) == 1 && t[0].kind == gStar:
		return appendRange(buf, 0, x.ids())
	case len(t) == 1 && t[0].kind == gLit:
		return x.appendExact(buf, t[0].lit)
	case len(t) == 2 && t[0].kind == gLit && t[1].kind == gStar:
		return x.appendPrefix(buf, g.prefix)
	case len(t) == 2 && t[0].kind == gStar && t[1].kind == gLit && x.rev != nil:
		return x.appendSuffix(buf, g.suffix)
	case len(t) == 3 && t[0].kind == gStar && t[1].kind == gLit && t[2].kind == gStar:
		for id := range int32(x.ids()) {
			if strings.Contains(x.key(id), t[1].lit) {
				buf = append(buf, id)
			}
		}
		return buf
	}
	cs := x.cands[:0]
	switch {
	case g.prefix != "" && (g.suffix == "" || x.rev == nil || x.prefixCount(g.prefix) <= x.suffixCount(g.suffix)):
		cs = x.appendPrefix(cs, g.prefix)
	case g.suffix != "" && x.rev != nil:
		cs = x.appendSuffix(cs, g.suffix)
	default:
		cs = appendRange(cs, 0, x.ids())
	}
	x.cands = cs
	needle := innerLiteral(t)
	for _, id := range cs {
		k := x.key(id)
		if needle != "" && !strings.Contains(k, needle) {
			continue
		}
		if g.match(k) {
			buf = append(buf, id)
		}
	}
	return buf
}

// starSlashMatches is globMatches for a pattern "*" + head + "/" + rest, where head is
// literal without '/', on values that are closed under taking the part from a '/' on. A value
// matches exactly when it ends with head + u, for a value u that matches "/" + rest: u is the
// part of the value from the '/' after head, which is a value too. So the values matching
// "/" + rest, found by their literal prefix, lead by binary search in the reversed order to
// the values that end with head + u, and only those are looked at.
func (x *keyIndex) starSlashMatches(t []gtok, buf []int32) []int32 {
	lit := t[1].lit
	d := strings.IndexByte(lit, '/')
	head := lit[:d]
	sub := globFromToks(append([]gtok{{kind: gLit, lit: lit[d:]}}, t[2:]...))
	us := x.globMatches(sub, nil)
	if len(us) == 0 {
		return buf
	}
	if x.mark == nil {
		x.mark = make([]int32, x.ids())
	}
	x.gen++
	start := len(buf)
	for _, u := range us {
		s := x.key(u)
		if head != "" {
			s = head + s
		}
		buf = x.appendSuffix(buf, s)
	}
	// Drop repeats: a value can end with head + u for more than one u.
	out := buf[:start]
	for _, id := range buf[start:] {
		if x.mark[id] != x.gen {
			x.mark[id] = x.gen
			out = append(out, id)
		}
	}
	return out
}

// globFromToks makes a glob of tokens taken from a compiled one, as compileGlob would.
func globFromToks(t []gtok) *glob {
	g := &glob{toks: t, fold: true}
	for _, k := range t {
		switch k.kind {
		case gLit:
			g.minLen += len(k.lit)
		case gOne, gClass:
			g.minLen++
		}
	}
	if len(t) > 0 && t[0].kind == gLit {
		g.prefix = t[0].lit
	}
	if n := len(t); n > 1 && t[n-1].kind == gLit {
		g.suffix = t[n-1].lit
		g.rsuffix = reverse(g.suffix)
	}
	return g
}

// innerLiteral is the longest literal token that is neither the first nor the last (those
// are the prefix and suffix, which glob.match tests first anyway).
func innerLiteral(t []gtok) string {
	var best string
	for i := 1; i < len(t)-1; i++ {
		if t[i].kind == gLit && len(t[i].lit) > len(best) {
			best = t[i].lit
		}
	}
	return best
}

// codeownersMatches appends the index of every key m's CODEOWNERS pattern matches. Anchored
// patterns only look at keys sharing their literal prefix; anchored patterns without
// wildcards need no regular expression at all.
func (x *keyIndex) codeownersMatches(m *ruleMatcher, buf []int32) []int32 {
	co := m.co
	if co.all {
		return appendRange(buf, 0, len(x.keys))
	}
	lo, hi := 0, len(x.keys)
	if co.prefix != "" {
		lo, hi = prefixRange(x.keys, co.prefix)
	}
	if m.coIsLit {
		n := len(m.coLit)
		for j := lo; j < hi; j++ {
			k := x.keys[j]
			if len(k) > n && k[n] == '/' && strings.HasPrefix(k, m.coLit) || !m.coDir && k == m.coLit {
				buf = append(buf, int32(j))
			}
		}
		return buf
	}
	if m.coSeg {
		return x.segmentMatches(m, buf)
	}
	for j := lo; j < hi; j++ {
		if co.match(x.keys[j]) {
			buf = append(buf, int32(j))
		}
	}
	return buf
}
