package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Word lists for identifiers; none is a reserved word, alone or in camelCase compounds.
var (
	verbs = []string{"load", "parse", "render", "compute", "build", "resolve", "format", "update",
		"validate", "select", "merge", "filter", "collect", "normalize", "create", "apply", "sync",
		"fetch", "encode", "decode", "schedule", "measure", "track", "summarize", "restore"}
	nouns = []string{"User", "Order", "Cart", "Invoice", "Token", "Session", "Route", "Widget",
		"Metric", "Report", "Account", "Payment", "Address", "Product", "Review", "Shipment",
		"Coupon", "Locale", "Theme", "Chart", "Filter", "Table", "Column", "Query", "Cache",
		"Channel", "Message", "Profile", "Team", "Project", "Task", "Budget", "Ledger", "Upload"}
	props = []string{"id", "name", "label", "total", "count", "status", "createdAt", "updatedAt",
		"items", "price", "currency", "owner", "tags", "score", "weight", "enabled", "kind",
		"parentId", "title", "description", "limit", "offset", "version", "region"}
	locals = []string{"value", "result", "items", "entry", "config", "options", "state", "index",
		"current", "next", "total", "buffer", "payload", "context", "record", "summary", "pending"}
	statuses = []string{"idle", "loading", "ready", "failed", "archived", "draft", "active"}
	// A few non-ASCII strings, so columns (UTF-16 units) differ from bytes now and then.
	unicodeText = []string{"café", "naïve façade", "Grüße aus Köln", "日本語のラベル", "🚀 launch",
		"✅ done", "Ελληνικά", "размер", "emoji 👩‍💻 in text", "€ 12,50"}
)

// genModule is a generated ES module: its path below the source folder, its text, and the
// functions it exports for other modules to import.
type genModule struct {
	path    string
	text    string
	exports []string
}

// generator writes deterministic, realistic-looking ES modules from a seeded PRNG.
type generator struct {
	rng     *rand.Rand
	b       strings.Builder
	indent  int
	used    map[string]bool
	imports []string // imported functions (alias.name) callable in the module being generated
	funcs   []string // functions declared so far in the module being generated
}

func newGenerator(seed uint64) *generator {
	return &generator{rng: rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))}
}

func (g *generator) pick(list []string) string { return list[g.rng.IntN(len(list))] }

func (g *generator) chance(p float64) bool { return g.rng.Float64() < p }

// distinct returns k different elements of list (k ≤ len(list)): esbuild warns about
// duplicate object keys, case clauses and class members, which real code rarely has.
func (g *generator) distinct(list []string, k int) []string {
	c := slices.Clone(list)
	for i := range k {
		j := i + g.rng.IntN(len(c)-i)
		c[i], c[j] = c[j], c[i]
	}
	return c[:k]
}

// line writes one indented line of code.
func (g *generator) line(format string, args ...any) {
	g.b.WriteString(strings.Repeat("  ", g.indent))
	fmt.Fprintf(&g.b, format, args...)
	g.b.WriteByte('\n')
}

// ident returns a fresh identifier for the current module built from the given word parts.
func (g *generator) ident(parts ...string) string {
	name := parts[0]
	for _, p := range parts[1:] {
		name += p
	}
	base := name
	for i := 2; g.used[name]; i++ {
		name = fmt.Sprintf("%s%d", base, i)
	}
	g.used[name] = true
	return name
}

func lowerFirst(s string) string { return strings.ToLower(s[:1]) + s[1:] }

// camel turns "load-user-012" into "loadUser012".
func camel(s string) string {
	parts := strings.Split(s, "-")
	for i := 1; i < len(parts); i++ {
		parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
	}
	return strings.Join(parts, "")
}

func kebab(s string) string {
	var b strings.Builder
	for i, r := range s {
		if r >= 'A' && r <= 'Z' {
			if i > 0 {
				b.WriteByte('-')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// text returns a string literal's content: mostly ASCII, sometimes not.
func (g *generator) text() string {
	if g.chance(0.01) {
		return g.pick(unicodeText)
	}
	return fmt.Sprintf("%s %s %s", g.pick(verbs), strings.ToLower(g.pick(nouns)), g.pick(statuses))
}

// expr returns a small expression over the given variables.
func (g *generator) expr(vars []string) string {
	v := g.pick(vars)
	switch g.rng.IntN(9) {
	case 0:
		return fmt.Sprintf("%s.%s ?? %d", v, g.pick(props), g.rng.IntN(100))
	case 1:
		return fmt.Sprintf("`${%s.%s}:%s`", v, g.pick(props), g.text())
	case 2:
		return fmt.Sprintf("Math.max(%d, Number(%s.%s) || 0) * %d", g.rng.IntN(10), v, g.pick(props), 2+g.rng.IntN(7))
	case 3:
		return fmt.Sprintf("Array.isArray(%s) ? %s.length : Object.keys(%s ?? {}).length", v, v, v)
	case 4:
		return fmt.Sprintf("%s?.%s?.toString().trim() || %q", v, g.pick(props), g.text())
	case 5:
		if len(g.imports) > 0 {
			return fmt.Sprintf("%s(%s, { %s: %d })", g.pick(g.imports), v, g.pick(props), g.rng.IntN(50))
		}
		fallthrough
	case 6:
		if len(g.funcs) > 0 {
			return fmt.Sprintf("%s(%s)", g.pick(g.funcs), v)
		}
		fallthrough
	case 7:
		keys := g.distinct(props, 2)
		return fmt.Sprintf("{ ...%s, %s: %q, %s: Date.now() }", v, keys[0], g.pick(statuses), keys[1])
	default:
		return fmt.Sprintf("%s === %q", v, g.pick(statuses))
	}
}

// statements writes n statements using (and adding to) the variables in scope.
func (g *generator) statements(n int, vars []string) {
	scope := map[string]bool{}
	for _, v := range vars {
		scope[v] = true
	}
	fresh := func() string {
		name := g.pick(locals)
		for i := 2; scope[name]; i++ {
			name = fmt.Sprintf("%s%d", g.pick(locals), i)
		}
		scope[name] = true
		return name
	}
	for range n {
		switch g.rng.IntN(8) {
		case 0, 1:
			v := fresh()
			g.line("const %s = %s;", v, g.expr(vars))
			vars = append(vars, v)
		case 2:
			acc, item := fresh(), fresh()
			g.line("let %s = %d;", acc, g.rng.IntN(10))
			g.line("for (const %s of %s ?? []) {", item, g.pick(vars))
			g.indent++
			g.line("if (!%s || %s.%s === %q) {", item, item, g.pick(props), g.pick(statuses))
			g.indent++
			g.line("continue;")
			g.indent--
			g.line("}")
			g.line("%s += Number(%s.%s ?? %d);", acc, item, g.pick(props), g.rng.IntN(20))
			g.indent--
			g.line("}")
			vars = append(vars, acc)
		case 3:
			v := g.pick(vars)
			g.line("if (%s == null) {", v)
			g.indent++
			g.line("throw new Error(`%s: expected %s, got ${typeof %s}`);", g.text(), strings.ToLower(g.pick(nouns)), v)
			g.indent--
			g.line("}")
		case 4:
			v := fresh()
			g.line("const %s = (%s ?? [])", v, g.pick(vars))
			g.indent++
			g.line(".filter((item) => item.%s !== %q && item.%s > %d)", g.pick(props), g.pick(statuses), g.pick(props), g.rng.IntN(40))
			g.line(".map((item, position) => ({ ...item, position, %s: item.%s ?? %q }));", g.pick(props), g.pick(props), g.text())
			g.indent--
			vars = append(vars, v)
		case 5:
			v := g.pick(vars)
			g.line("switch (%s?.%s) {", v, "status")
			g.indent++
			for _, status := range g.distinct(statuses, 2+g.rng.IntN(3)) {
				g.line("case %q:", status)
				g.indent++
				g.line("return %s;", g.expr(vars))
				g.indent--
			}
			g.line("default:")
			g.indent++
			g.line("break;")
			g.indent -= 2
			g.line("}")
		case 6:
			g.line("try {")
			g.indent++
			v := fresh()
			g.line("const %s = JSON.parse(JSON.stringify(%s));", v, g.pick(vars))
			g.line("%s.%s = %s;", v, g.pick(props), g.expr(vars))
			g.indent--
			g.line("} catch (error) {")
			g.indent++
			g.line("console.warn(%q, error);", g.text())
			g.indent--
			g.line("}")
		default:
			g.line("// %s the %s before it is %s.", g.pick(verbs), strings.ToLower(g.pick(nouns)), g.pick(statuses))
		}
	}
	last, key := vars[len(vars)-1], g.pick(props)
	for key == last {
		key = g.pick(props)
	}
	g.line("return { %s, %s: %s };", last, key, g.expr(vars))
}

// params returns 1–3 parameter names.
func (g *generator) params() []string {
	ps := []string{lowerFirst(g.pick(nouns))}
	if g.chance(0.6) {
		ps = append(ps, "options")
	}
	if g.chance(0.3) {
		ps = append(ps, g.pick([]string{"limit", "context", "signal"}))
	}
	return ps
}

// declaration writes one top-level declaration and returns the names it exports.
func (g *generator) declaration() []string {
	switch g.rng.IntN(10) {
	case 0, 1, 2, 3:
		name := g.ident(g.pick(verbs), g.pick(nouns))
		ps := g.params()
		if g.chance(0.5) {
			g.line("/**")
			g.line(" * %s %s.", strings.ToUpper(name[:1])+name[1:], g.text())
			g.line(" * @param {object} %s", ps[0])
			g.line(" */")
		}
		g.line("export function %s(%s) {", name, strings.Join(ps, ", "))
		g.indent++
		g.statements(3+g.rng.IntN(8), ps)
		g.indent--
		g.line("}")
		g.funcs = append(g.funcs, name)
		return []string{name}
	case 4, 5:
		name := g.ident(g.pick(verbs), g.pick(nouns), "Async")
		ps := g.params()
		g.line("export const %s = async (%s) => {", name, strings.Join(ps, ", "))
		g.indent++
		g.line("await new Promise((resolve) => setTimeout(resolve, %d));", g.rng.IntN(20))
		g.statements(2+g.rng.IntN(6), ps)
		g.indent--
		g.line("};")
		g.funcs = append(g.funcs, name)
		return []string{name}
	case 6, 7:
		noun := g.pick(nouns)
		name := g.ident(noun, g.pick([]string{"Store", "Service", "Controller", "Model", "View"}))
		g.line("export class %s {", name)
		g.indent++
		g.line("#cache = new Map();")
		g.line("constructor(%s, options = {}) {", lowerFirst(noun))
		g.indent++
		g.line("this.%s = %s;", lowerFirst(noun), lowerFirst(noun))
		g.line("this.options = { retries: %d, label: %q, ...options };", g.rng.IntN(5), g.text())
		g.indent--
		g.line("}")
		for _, verb := range g.distinct(verbs, 2+g.rng.IntN(4)) {
			method := verb + g.pick(nouns)
			g.line("%s(%s) {", method, "input")
			g.indent++
			g.line("const self = this.#cache.get(input?.id) ?? this;")
			g.statements(2+g.rng.IntN(5), []string{"input", "self"})
			g.indent--
			g.line("}")
		}
		g.line("get size() {")
		g.indent++
		g.line("return this.#cache.size;")
		g.indent--
		g.line("}")
		g.line("static from(json) {")
		g.indent++
		g.line("return new %s(JSON.parse(json));", name)
		g.indent--
		g.line("}")
		g.indent--
		g.line("}")
		return []string{name}
	default:
		name := g.ident(strings.ToUpper(g.pick(nouns)), "_LABELS")
		g.line("export const %s = Object.freeze({", name)
		g.indent++
		for _, key := range g.distinct(props, 3+g.rng.IntN(8)) {
			g.line("%s: %q,", key, g.text())
		}
		g.indent--
		g.line("});")
		return []string{name}
	}
}

// module generates one module of about size bytes importing from deps.
func (g *generator) module(path string, size int, deps []*genModule) *genModule {
	g.b.Reset()
	g.used = map[string]bool{}
	g.imports, g.funcs = nil, nil
	// Namespace imports listed in an exported array keep every export of a dependency alive:
	// esbuild drops unused exports, and the point is a build as big as its sources.
	var aliases []string
	for _, dep := range deps {
		alias := g.ident(camel(strings.TrimSuffix(filepath.Base(dep.path), ".js")))
		g.line("import * as %s from %q;", alias, relImport(path, dep.path))
		aliases = append(aliases, alias)
		for _, e := range dep.exports {
			if e[0] >= 'a' && e[0] <= 'z' {
				g.imports = append(g.imports, alias+"."+e)
			}
		}
	}
	g.line("")
	m := &genModule{path: path}
	for g.b.Len() < size || len(m.exports) == 0 {
		m.exports = append(m.exports, g.declaration()...)
		g.line("")
	}
	if len(aliases) > 0 {
		g.line("export const dependencies = [%s];", strings.Join(aliases, ", "))
	}
	m.text = g.b.String()
	return m
}

func relImport(from, to string) string {
	rel, err := filepath.Rel(filepath.Dir(filepath.FromSlash(from)), filepath.FromSlash(to))
	if err != nil {
		panic(err) // both are relative paths below the same folder
	}
	rel = filepath.ToSlash(rel)
	if !strings.HasPrefix(rel, ".") {
		rel = "./" + rel
	}
	return rel
}

// project is a generated app: its modules and esbuild's entry points (output name → path).
type project struct {
	modules []*genModule
	entries map[string]string
}

// sizeFactor returns a heavy-tailed multiplier with mean about 1, so module and chunk sizes
// vary the way real ones do.
func (g *generator) sizeFactor() float64 {
	return math.Min(6, math.Exp(g.rng.NormFloat64()*0.7-0.245))
}

// generateProject plans an app of about sourceBytes bytes of source: features, each an entry
// (one page) with its own modules and a lazily imported panel, all drawing on a shared pool.
func generateProject(seed uint64, sourceBytes int64) *project {
	g := newGenerator(seed)
	const perFeature = 6 // modules per feature, plus the entry and the lazy panel
	features := int(min(max(sourceBytes/110_000, 8), 400))
	shared := features/3 + 4
	meanSize := int(sourceBytes) / (features*(perFeature+2) + shared)

	p := &project{entries: map[string]string{}}
	var pool []*genModule
	for i := range shared {
		path := fmt.Sprintf("shared/%s-%03d.js", kebab(g.pick(verbs)+g.pick(nouns)), i)
		var deps []*genModule
		if i > 0 && g.chance(0.6) {
			deps = append(deps, pool[g.rng.IntN(len(pool))])
		}
		m := g.module(path, int(float64(meanSize)*g.sizeFactor()), deps)
		pool = append(pool, m)
		p.modules = append(p.modules, m)
	}
	for f := range features {
		noun := g.pick(nouns)
		dir := fmt.Sprintf("features/%s-%03d", kebab(noun), f)
		var own []*genModule
		for i := range perFeature {
			path := fmt.Sprintf("%s/%s.js", dir, kebab(g.pick(verbs)+g.pick(nouns)+fmt.Sprint(i)))
			deps := []*genModule{pool[g.rng.IntN(len(pool))]}
			if g.chance(0.5) {
				deps = append(deps, pool[g.rng.IntN(len(pool))])
			}
			if i > 0 {
				deps = append(deps, own[g.rng.IntN(len(own))])
			}
			m := g.module(path, int(float64(meanSize)*g.sizeFactor()), dedupe(deps))
			own = append(own, m)
			p.modules = append(p.modules, m)
		}
		lazy := g.module(fmt.Sprintf("%s/panels/%s-panel.js", dir, kebab(noun+g.pick(nouns))),
			int(float64(meanSize)*g.sizeFactor()), dedupe([]*genModule{own[g.rng.IntN(len(own))], pool[g.rng.IntN(len(pool))]}))
		p.modules = append(p.modules, lazy)

		entry := g.module(dir+"/index.js", meanSize/2, own)
		entry.text += fmt.Sprintf("\nexport const openPanel = () => import(%q);\n", relImport(entry.path, lazy.path))
		entry.text += fmt.Sprintf("globalThis.__pages ??= new Map();\nglobalThis.__pages.set(%q, { dependencies, openPanel });\n", dir)
		p.modules = append(p.modules, entry)
		p.entries[fmt.Sprintf("%s-%03d", kebab(noun), f)] = entry.path
	}
	return p
}

func dedupe(ms []*genModule) []*genModule {
	var out []*genModule
	for _, m := range ms {
		dup := false
		for _, o := range out {
			dup = dup || o == m
		}
		if !dup {
			out = append(out, m)
		}
	}
	return out
}

// write puts the project's modules below dir and returns the total source bytes.
func (p *project) write(dir string) (int64, error) {
	var total int64
	for _, m := range p.modules {
		path := filepath.Join(dir, filepath.FromSlash(m.path))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return 0, fmt.Errorf("creating %s: %w", filepath.Dir(path), err)
		}
		if err := os.WriteFile(path, []byte(m.text), 0o644); err != nil {
			return 0, fmt.Errorf("writing %s: %w", path, err)
		}
		total += int64(len(m.text))
	}
	return total, nil
}
