package suggest

import (
	"strings"
	"testing"
)

// jsInput is an error raised on line 3 of a small file: a modern header (or a plain one), a
// function around the line, and the block the line opens closed.
func jsInput(path, msg, line string, col int, modern bool) Input {
	head := "var LIMIT = 10;\n"
	if modern {
		head = "const LIMIT = globalThis.limit ?? 10;\n"
	}
	src := head + "async function handle(cart, items, pair, data, props, a, b, x, api) {\n" + line + "\n"
	if strings.HasSuffix(strings.TrimSpace(line), "{") {
		src += "  }\n"
	}
	src += "  return LIMIT;\n}\n"
	return Input{
		Exception: Exception{Type: "TypeError", Value: msg},
		Frame:     Frame{Path: path, Line: 3, Column: col, Function: "handle"},
		Source:    []byte(src),
	}
}

func TestJSMessageForms(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, path, msg, line string
		col                   int
		family, want          string
		conf                  Confidence
	}{
		{"V8 undefined", "a.ts", "Cannot read properties of undefined (reading 'total')", "  const t = cart.total;", 0,
			"js-property-of-undefined", "  const t = cart?.total;", Medium},
		{"V8 null", "a.ts", "Cannot read properties of null (reading 'total')", "  const t = cart.total;", 0,
			"js-property-of-undefined", "  const t = cart?.total;", Medium},
		{"V8 before 9.3", "a.ts", "Cannot read property 'total' of undefined", "  return cart.items.total;", 0,
			"js-property-of-undefined", "  return cart.items?.total;", Medium},
		{"V8 index", "a.ts", "Cannot read properties of undefined (reading '0')", "  const first = data.rows[0].name;", 0,
			"js-property-of-undefined", "  const first = data.rows?.[0].name;", Medium},
		{"V8 string key", "a.ts", "Cannot read properties of undefined (reading 'total')", "  const t = cart['total'];", 0,
			"js-property-of-undefined", "  const t = cart?.['total'];", Medium},
		{"V8 computed key", "a.ts", "Cannot read properties of undefined (reading 'eu')", "  const rate = data.rates[x];", 0,
			"js-property-of-undefined", "  const rate = data.rates?.[x];", Low},
		{"V8 column picks one of two", "a.ts", "Cannot read properties of undefined (reading 'total')", "  const d = [a.total, b.total];", 23,
			"js-property-of-undefined", "  const d = [a.total, b?.total];", Medium},
		{"V8 method chain after the read", "a.ts", "Cannot read properties of undefined (reading 'total')", "  return cart.total.toFixed(2);", 0,
			"js-property-of-undefined", "  return cart?.total.toFixed(2);", Medium},
		{"V8 read after a call", "a.js", "Cannot read properties of undefined (reading 'total')", "  const off = data.find((d) => d.active).total;", 0,
			"js-property-of-undefined", "  const off = data.find((d) => d.active)?.total;", Medium},
		{"Firefox", "a.ts", `can't access property "total", cart is undefined`, "  const t = cart.total;", 0,
			"js-property-of-undefined", "  const t = cart?.total;", High},
		{"Firefox names the object among two", "a.ts", `can't access property "total", b is null`, "  const d = [a.total, b.total];", 0,
			"js-property-of-undefined", "  const d = [a.total, b?.total];", High},
		{"Firefox nested object", "a.ts", `can't access property "total", cart.items is undefined`, "  const t = cart.items.total;", 0,
			"js-property-of-undefined", "  const t = cart.items?.total;", High},
		{"Firefox call result", "a.js", `can't access property "total", data.find(...) is undefined`, "  const off = data.find((d) => d.active).total;", 0,
			"js-property-of-undefined", "  const off = data.find((d) => d.active)?.total;", High},
		{"Firefox index", "a.ts", "can't access property 0, data.rows is undefined", "  const first = data.rows[0];", 0,
			"js-property-of-undefined", "  const first = data.rows?.[0];", High},
		{"Firefox before 74", "a.ts", "cart is undefined", "  const t = cart.total;", 0,
			"js-property-of-undefined", "  const t = cart?.total;", High},
		{"Firefox its property", "a.ts", `cart is undefined; can't access its "total" property`, "  const t = cart.total;", 0,
			"js-property-of-undefined", "  const t = cart?.total;", High},
		{"Firefox has no properties", "a.ts", "cart has no properties", "  const t = cart.total;", 0,
			"js-property-of-undefined", "  const t = cart?.total;", High},
		{"Safari", "a.ts", "undefined is not an object (evaluating 'cart.total')", "  const t = cart.total;", 0,
			"js-property-of-undefined", "  const t = cart?.total;", High},
		{"console shows undefined as it is", "a.ts", "Cannot read properties of undefined (reading 'total')", "  console.log(cart.total);", 0,
			"js-property-of-undefined", "  console.log(cart?.total);", Medium},
		{"an if's parenthesis is not a call", "a.ts", "Cannot read properties of undefined (reading 'code')", "  if (cart.coupon.code) {", 0,
			"js-property-of-undefined", "  if (cart.coupon?.code) {", Medium},
		{"Safari null, nested", "a.ts", "null is not an object (evaluating 'cart.items.length')", "  if (cart.items.length) {", 0,
			"js-property-of-undefined", "  if (cart.items?.length) {", High},
		{"Safari index", "a.ts", "undefined is not an object (evaluating 'data.rows[0]')", "  const first = data.rows[0];", 0,
			"js-property-of-undefined", "  const first = data.rows?.[0];", High},
		{"JSX attribute", "a.jsx", "Cannot read properties of undefined (reading 'url')", `  return <img src={props.avatar.url} alt="" />;`, 0,
			"js-property-of-undefined", `  return <img src={props.avatar?.url} alt="" />;`, Medium},
		{"Uncaught prefix kept by the SDK", "a.ts", "Uncaught TypeError: Cannot read properties of undefined (reading 'total')", "  const t = cart.total;", 0,
			"js-property-of-undefined", "  const t = cart?.total;", Medium},

		{"Safari undefined callee", "a.ts", "props.onSave is not a function. (In 'props.onSave(a)', 'props.onSave' is undefined)", "  props.onSave(a);", 0,
			"js-not-a-function", "  props.onSave?.(a);", High},
		{"Safari null callee, no arguments", "a.ts", "x.onClose is not a function. (In 'x.onClose()', 'x.onClose' is null)", "  x.onClose();", 0,
			"js-not-a-function", "  x.onClose?.();", High},
		{"Safari in a JSX handler", "a.tsx", "props.onPick is not a function. (In 'props.onPick(a)', 'props.onPick' is undefined)", "  return <li onClick={() => props.onPick(a)}>pick</li>;", 0,
			"js-not-a-function", "  return <li onClick={() => props.onPick?.(a)}>pick</li>;", High},

		{"V8 for of", "a.ts", "items is not iterable", "  for (const i of items) {", 0,
			"js-not-iterable", "  for (const i of items ?? []) {", Medium},
		{"V8 for await of", "a.ts", "items is not iterable", "  for await (const i of items) {", 0,
			"js-not-iterable", "  for await (const i of items ?? []) {", Medium},
		{"V8 member for of", "a.ts", "cart.items is not iterable", "  for (const i of cart.items) {", 0,
			"js-not-iterable", "  for (const i of cart.items ?? []) {", Medium},
		{"V8 unnamed destructuring", "a.ts", "undefined is not iterable (cannot read property Symbol(Symbol.iterator))", "  const [lat, lng] = x.coords;", 0,
			"js-not-iterable", "  const [lat, lng] = x.coords ?? [];", High},
		{"V8 object null", "a.ts", "object null is not iterable (cannot read property Symbol(Symbol.iterator))", "  const [k, v] = pair;", 0,
			"js-not-iterable", "  const [k, v] = pair ?? [];", High},
		{"V8 spread", "a.ts", "items is not iterable", "  const all = [...items];", 0,
			"js-not-iterable", "  const all = [...(items ?? [])];", Medium},
		{"V8 spread in a call", "a.ts", "items is not iterable (cannot read property undefined)", "  const top = Math.max(...items);", 0,
			"js-not-iterable", "  const top = Math.max(...(items ?? []));", Medium},
		{"V8 complex iterable", "a.ts", "undefined is not iterable (cannot read property Symbol(Symbol.iterator))", "  for (const i of a || b) {", 0,
			"js-not-iterable", "  for (const i of (a || b) ?? []) {", High},
		{"Firefox undefined iteration", "a.ts", "items is undefined", "  for (const i of items) {", 0,
			"js-not-iterable", "  for (const i of items ?? []) {", High},
		{"Safari near", "a.ts", "undefined is not a function (near '...i of items...')", "  for (const i of items) {", 0,
			"js-not-iterable", "  for (const i of items ?? []) {", High},
		{"spread syntax message", "a.ts", "Spread syntax requires ...iterable[Symbol.iterator] to be a function", "  const all = [...items];", 0,
			"js-not-iterable", "  const all = [...(items ?? [])];", Medium},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := Suggest(jsInput(tc.path, tc.msg, tc.line, tc.col, true), Options{})
			if !r.Suggested {
				t.Fatalf("abstained: %s", r.AbstainReason)
			}
			if r.Family != tc.family || r.Change.Start != 3 || r.Change.End != 3 || len(r.Change.New) != 1 || r.Change.New[0] != tc.want || r.Confidence != tc.conf {
				t.Fatalf("got %s %s %d..%d %q; want %s %s %q", r.Family, r.Confidence, r.Change.Start, r.Change.End, r.Change.New, tc.family, tc.conf, tc.want)
			}
			if !strings.Contains(r.Explanation, "line 3 of "+tc.path) || !strings.Contains(r.Explanation, "`") {
				t.Errorf("the explanation does not name the line and the expression: %s", r.Explanation)
			}
		})
	}
}

func TestJSAbstentions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, path, msg, line string
		modern                bool
		want                  string
	}{
		// reading a property
		{"compound assignment", "a.ts", "Cannot read properties of undefined (reading 'total')", "  cart.total += 1;", true, "is assigned to"},
		{"postfix update", "a.ts", "Cannot read properties of undefined (reading 'total')", "  cart.total++;", true, "is assigned to"},
		{"prefix update", "a.ts", "Cannot read properties of undefined (reading 'total')", "  ++cart.total;", true, "is assigned to"},
		{"subtracted: NaN instead of an error", "a.ts", "Cannot read properties of undefined (reading 'total')", "  const d = sum - cart.total;", true, "is computed with"},
		{"added to", "a.ts", "Cannot read properties of undefined (reading 'price')", "  return item.price + tax;", true, "is computed with"},
		{"compared by order", "a.ts", "Cannot read properties of undefined (reading 'length')", "  if (cart.items.length > LIMIT) {", true, "is computed with"},
		{"exponent", "a.ts", "Cannot read properties of undefined (reading 'rate')", "  const f = 2 ** plan.rate;", true, "is computed with"},
		{"passed to a function it cannot see", "a.ts", "Cannot read properties of undefined (reading 'total')", "  return formatPrice(cart.total);", true, "is passed to `formatPrice`"},
		{"a later argument", "a.ts", "Cannot read properties of undefined (reading 'total')", "  render(el, cart.total);", true, "is passed to `render`"},
		{"a constructor's argument", "a.ts", "Cannot read properties of undefined (reading 'total')", "  const p = new Price(cart.total);", true, "is passed to `Price`"},
		{"assignment to a deeper property", "a.ts", "Cannot read properties of undefined (reading 'items')", "  cart.items.count = 0;", true, "is assigned to"},
		{"destructuring target", "a.ts", "Cannot read properties of undefined (reading 'first')", "  [x.first, x.second] = pair;", true, "destructuring assignment's target"},
		{"delete", "a.ts", "Cannot read properties of undefined (reading 'items')", "  delete cart.items.old;", true, "is deleted"},
		{"read twice", "a.ts", "Cannot read properties of undefined (reading 'total')", "  const t = cart.total > 0 ? cart.total : 0;", true, "reads `.total` 2 times"},
		{"two objects, no column", "a.ts", "Cannot read properties of undefined (reading 'total')", "  const d = a.total - b.total;", true, "reads `.total` 2 times"},
		{"object read again", "a.ts", "Cannot read properties of undefined (reading 'total')", "  const t = cart.total + cart.tax;", true, "also reads `cart.tax`"},
		{"not on the line", "a.ts", "Cannot read properties of undefined (reading 'total')", "  const t = compute(cart);", true, "does not read `.total`"},
		{"Firefox names another object", "a.ts", `can't access property "total", order is undefined`, "  const t = cart.total;", true, "does not read `.total` of `order`"},
		{"new", "a.ts", "Cannot read properties of undefined (reading 'Client')", "  const c = new api.Client();", true, "constructed with `new`"},
		{"tagged template", "a.ts", "Cannot read properties of undefined (reading 'sql')", "  const q = api.sql`select 1`;", true, "tags a template"},
		{"type position", "a.ts", "Cannot read properties of undefined (reading 'total')", "  type Total = typeof cart.total;", true, "in a TypeScript type"},
		{"only optional reads", "a.ts", "Cannot read properties of undefined (reading 'total')", "  const t = cart?.total;", true, "only through `?.`"},
		{"non-null assertion", "a.ts", "Cannot read properties of undefined (reading 'total')", "  const t = cart!.total;", true, "asserts `cart!` is not null"},
		{"unbound this", "a.js", "Cannot read properties of undefined (reading 'state')", "  const s = this.state;", true, "`this` was undefined"},
		{"iterated after", "a.ts", "Cannot read properties of undefined (reading 'items')", "  for (const i of cart.items) {", true, "iterated by the `for … of`"},
		{"spread after", "a.ts", "Cannot read properties of undefined (reading 'items')", "  const all = [...cart.items];", true, "is spread"},
		{"destructured after", "a.ts", "Cannot read properties of undefined (reading 'info')", "  const { name } = cart.info;", true, "is destructured"},
		{"needs an object after", "a.ts", "Cannot read properties of undefined (reading 'items')", "  const keys = Object.keys(cart.items);", true, "passed to `Object.keys`"},
		{"searched with in", "a.ts", "Cannot read properties of undefined (reading 'items')", "  const has = 'x' in cart.items;", true, "searched with `in`"},
		{"guard would call twice", "a.js", "Cannot read properties of undefined (reading 'total')", "  var t = load(cart).total;", false, "(a call) twice"},
		{"guard inside an expression", "a.js", "Cannot read properties of undefined (reading 'total')", "  if (!cart.total) {", false, "part of a larger expression"},
		{"Safari expression that does not split", "a.ts", "undefined is not an object (evaluating 'load()')", "  const t = load().total;", true, "cannot be split"},
		{"Firefox both reads and iterates", "a.ts", "items is undefined", "  for (const i of items) { items.x(i); }", true, "both reads a property of `items` and iterates it"},

		// calling
		{"array method", "a.ts", "data.map is not a function", "  data.map((d) => d.id);", true, "may be an object"},
		{"not a function or not iterable", "a.ts", "x.load is not a function or its return value is not iterable", "  const [a1, b1] = x.load();", true, "does not say whether `x.load` is not a function"},
		{"Safari says it is an object", "a.ts", "props.onSave is not a function. (In 'props.onSave(a)', 'props.onSave' is an instance of Object)", "  props.onSave(a);", true, "not missing"},
		{"intermediate value", "a.ts", "(intermediate value).onSave is not a function", "  (a || b).onSave(x);", true, "does not name the callee"},
		{"not a callback", "a.ts", "api.fetchAll is not a function", "  api.fetchAll(x);", true, "not a callback the file treats as optional"},
		{"callback with no evidence", "a.ts", "props.onSave is not a function", "  props.onSave(x);", true, "nothing else in the file treats `onSave` as optional"},
		{"awaited", "a.ts", "props.onSave is not a function. (In 'props.onSave(a)', 'props.onSave' is undefined)", "  await props.onSave(a);", true, "is awaited"},
		{"chained", "a.ts", "props.onLoad is not a function. (In 'props.onLoad(a)', 'props.onLoad' is undefined)", "  props.onLoad(a).then(done);", true, "is chained"},
		{"used as a value", "a.ts", "props.onFormat is not a function. (In 'props.onFormat(a)', 'props.onFormat' is undefined)", "  const s = props.onFormat(a);", true, "is used as a value"},
		{"called twice", "a.ts", "props.onChange is not a function. (In 'props.onChange(a)', 'props.onChange' is undefined)", "  props.onChange(a); props.onChange(b);", true, "calls `props.onChange` 2 times"},
		{"call on another line", "a.ts", "props.onChange is not a function. (In 'props.onChange(a)', 'props.onChange' is undefined)", "  const next = a + 1;", true, "does not call `props.onChange`"},
		{"only optional calls", "a.ts", "props.onChange is not a function", "  props.onChange?.(a);", true, "only as `props.onChange?.(…)`"},
		{"no optional chaining in the file", "a.js", "props.onSave is not a function. (In 'props.onSave(a)', 'props.onSave' is undefined)", "  props.onSave(a);", false, "does not use optional chaining"},

		// iterating
		{"two spreads", "a.ts", "items is not iterable", "  const all = [...items, ...data];", true, "iterates 2 values"},
		{"array pattern in the for head", "a.ts", ".for is not iterable", "  for (const [k, v] of pair) {", true, "iterates 2 values"},
		{"built-in iteration", "a.ts", "undefined is not iterable (cannot read property Symbol(Symbol.iterator))", "  const s = new Set(items);", true, "which the rule cannot see whole or does not change"},
		{"named value not iterated here", "a.ts", "items is not iterable", "  for (const i of data) {", true, "the message names `items`, but line 3 iterates `data`"},
		{"already defaulted", "a.ts", "items is not iterable", "  for (const i of items ?? []) {", true, "already falls back"},
		{"array literal", "a.ts", "undefined is not iterable (cannot read property Symbol(Symbol.iterator))", "  const [p, q] = [a, b];", true, "array literal"},
		{"nothing iterated", "a.ts", "items is not iterable", "  const n = items.length;", true, "does not iterate `items`"},
		{"for head on two lines", "a.ts", "items is not iterable", "  for (const i of", true, "cannot see whole"},
		{"object spread is no iteration", "a.ts", "items is not iterable", "  const o = { ...items };", true, "does not iterate `items`"},
		{"rest parameter is no iteration", "a.ts", "items is not iterable", "  const f = (...items) => items;", true, "does not iterate `items`"},

		// none of the families
		{"set property", "a.ts", "Cannot set properties of undefined (setting 'total')", "  cart.total = 1;", true, "no rule knows TypeError: Cannot set properties"},
		{"not a constructor", "a.ts", "api.Client is not a constructor", "  const c = new api.Client();", true, "no rule knows"},
		{"another error type", "a.ts", "Invalid array length", "  const c = new Array(-1);", true, "no rule knows"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in := jsInput(tc.path, tc.msg, tc.line, 0, tc.modern)
			if tc.name == "another error type" {
				in.Exception.Type = "RangeError"
			}
			if tc.name == "for head on two lines" {
				in.Source = []byte(strings.Replace(string(in.Source), "  for (const i of\n", "  for (const i of\n    items) {\n  }\n", 1))
			}
			r := Suggest(in, Options{})
			if r.Suggested {
				t.Fatalf("suggested %q; want an abstention saying %q", r.Change.New, tc.want)
			}
			if !strings.Contains(r.AbstainReason, tc.want) {
				t.Fatalf("abstained with %q; want it to say %q", r.AbstainReason, tc.want)
			}
		})
	}
}

// TestJSOptionalCallEvidence: V8's message alone makes a call optional only when the file
// treats the callback as optional elsewhere.
func TestJSOptionalCallEvidence(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, path, decl, says string }{
		{"TypeScript optional member", "a.tsx", "interface P { onSave?: (x: number) => void }", "`onSave?:`"},
		{"optional call elsewhere", "a.jsx", "function other(props) { props.onSave?.(1); }", "`onSave?.(…)`"},
		{"if guard", "a.jsx", "function other(props) { if (props.onSave) { return 1; } }", "`if (onSave)`"},
		{"and guard", "a.jsx", "function other(props) { return props.onSave && 1; }", "`onSave &&`"},
		{"typeof", "a.jsx", "function other(props) { return typeof props.onSave === 'function'; }", "`typeof onSave`"},
		{"PropTypes not required", "a.jsx", "const types = { onSave: PropTypes.func, id: PropTypes.string };", "PropTypes.func`, not required"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			src := tc.decl + "\nfunction save(props, draft) {\n  props.onSave(draft);\n}\n"
			r := Suggest(Input{Exception: Exception{Type: "TypeError", Value: "props.onSave is not a function"},
				Frame: Frame{Path: tc.path, Line: 3}, Source: []byte(src)}, Options{})
			if !r.Suggested || r.Change.New[0] != "  props.onSave?.(draft);" || r.Confidence != Medium {
				t.Fatalf("got %+v (%s)", r.Change, r.AbstainReason)
			}
			if !strings.Contains(r.Explanation, tc.says) {
				t.Errorf("the explanation does not cite %s: %s", tc.says, r.Explanation)
			}
		})
	}
	t.Run("required PropTypes", func(t *testing.T) {
		t.Parallel()
		src := "const types = { onSave: PropTypes.func.isRequired };\nfunction save(props, draft) {\n  props.onSave(draft);\n}\n"
		r := Suggest(Input{Exception: Exception{Type: "TypeError", Value: "props.onSave is not a function"},
			Frame: Frame{Path: "a.jsx", Line: 3}, Source: []byte(src)}, Options{})
		if r.Suggested {
			t.Fatalf("suggested %q for a required callback", r.Change.New)
		}
	})
}

// TestJSStyle: a fix keeps the file's style: optional chaining only where the file has it,
// its indentation, line endings, quotes and (missing) semicolons.
func TestJSStyle(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, path, src, msg string
		line                 int
		want                 string
	}{
		{"plain JavaScript gets a guard", "a.js", "function f(cart) {\n  var t = cart.total;\n  return t;\n}\n",
			"Cannot read properties of undefined (reading 'total')", 2, "  var t = cart && cart.total;"},
		{"plain JavaScript guards a returned chain", "a.js", "function f(cart) {\n  return cart.total.toFixed(2);\n}\n",
			"Cannot read properties of undefined (reading 'total')", 2, "  return cart && cart.total.toFixed(2);"},
		{"plain JavaScript iterates || []", "a.js", "function f(rows) {\n  for (var row of rows) {\n    draw(row);\n  }\n}\n",
			"rows is not iterable", 2, "  for (var row of rows || []) {"},
		{"JavaScript with ?? gets ?.", "a.js", "const n = globalThis.n ?? 1;\nfunction f(cart) {\n  const t = cart.total;\n  return format(t, n);\n}\n",
			"Cannot read properties of undefined (reading 'total')", 3, "  const t = cart?.total;"},
		{"JavaScript with JSX gets ?.", "a.js", "function Total({ cart }) {\n  return <b>{cart.total}</b>;\n}\n",
			"Cannot read properties of undefined (reading 'total')", 2, "  return <b>{cart?.total}</b>;"},
		{"tabs kept", "a.ts", "function f(cart: Cart) {\n\tif (cart) {\n\t\tconst t = cart.items.total\n\t\treturn t\n\t}\n}\n",
			"Cannot read properties of undefined (reading 'total')", 3, "\t\tconst t = cart.items?.total"},
		{"no semicolons kept", "a.ts", "export function f(order: Order) {\n  const lines = [...order.lines]\n  return lines\n}\n",
			"order.lines is not iterable", 2, "  const lines = [...(order.lines ?? [])]"},
		{"double quotes untouched", "a.ts", "export function f(cart: Cart) {\n  return cart.labels[\"total\"];\n}\n",
			"Cannot read properties of undefined (reading 'total')", 2, "  return cart.labels?.[\"total\"];"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := Suggest(Input{Exception: Exception{Type: "TypeError", Value: tc.msg}, Frame: Frame{Path: tc.path, Line: tc.line}, Source: []byte(tc.src)}, Options{})
			if !r.Suggested || r.Change.New[0] != tc.want {
				t.Fatalf("got %+v (%s); want %q", r.Change, r.AbstainReason, tc.want)
			}
		})
	}
	t.Run("CRLF kept", func(t *testing.T) {
		t.Parallel()
		src := "export function f(cart: Cart) {\r\n  const t = cart.total;\r\n  return t;\r\n}\r\n"
		r := Suggest(Input{Exception: Exception{Type: "TypeError", Value: "Cannot read properties of undefined (reading 'total')"},
			Frame: Frame{Path: "a.ts", Line: 2}, Source: []byte(src)}, Options{})
		want := strings.Replace(src, "cart.total", "cart?.total", 1)
		if !r.Suggested || string(r.Patched) != want {
			t.Fatalf("patched %q (%s); want %q", r.Patched, r.AbstainReason, want)
		}
	})
}

// TestJSSuggestEndToEnd: a whole small file through Suggest: the diff, the explanation with
// the blamed pull request, and the checked patched file.
func TestJSSuggestEndToEnd(t *testing.T) {
	t.Parallel()
	src := `import { formatMoney } from "../money";

export interface Cart {
  total: number;
  items: { sku: string }[];
}

export function label(cart: Cart | undefined): string {
  const total = cart.total;
  return total === undefined ? "—" : formatMoney(total);
}
`
	r := Suggest(Input{
		Exception: Exception{Type: "TypeError", Value: "Cannot read properties of undefined (reading 'total')"},
		Frame: Frame{Path: "web/src/cart/label.ts", Line: 9, Column: 22, Function: "label",
			Context: []ContextLine{{Line: 8, Text: "export function label(cart: Cart | undefined): string {"}, {Line: 9, Text: "  const total = cart.total;"}}},
		Source: []byte(src),
		Blame:  &Blame{Number: 77, Title: "Label the cart total", LineChanged: true},
	}, Options{})
	if !r.Suggested {
		t.Fatalf("abstained: %s", r.AbstainReason)
	}
	wantDiff := `diff --git a/web/src/cart/label.ts b/web/src/cart/label.ts
--- a/web/src/cart/label.ts
+++ b/web/src/cart/label.ts
@@ -6,6 +6,6 @@
 }
 
 export function label(cart: Cart | undefined): string {
-  const total = cart.total;
+  const total = cart?.total;
   return total === undefined ? "—" : formatMoney(total);
 }
`
	if r.Diff != wantDiff {
		t.Errorf("diff:\n%s\nwant:\n%s", r.Diff, wantDiff)
	}
	for _, s := range []string{"`cart` was undefined", "line 9 of web/src/cart/label.ts (in label)", "`cart.total`", "`cart?.total`",
		"TypeError: Cannot read properties of undefined (reading 'total')", "changed by #77"} {
		if !strings.Contains(r.Explanation, s) {
			t.Errorf("the explanation does not say %q: %s", s, r.Explanation)
		}
	}
	if r.Family != "js-property-of-undefined" || r.Confidence != Medium || r.Line != 9 || r.Suggester != ByRules {
		t.Errorf("got %s %s line %d by %s", r.Family, r.Confidence, r.Line, r.Suggester)
	}
	if err := CheckJS(r.File, r.Patched); err != nil {
		t.Errorf("the patched file does not parse: %v", err)
	}
}

func TestMaskJS(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   []string
		want []string
	}{
		{"template expressions are code", []string{"const s = `total ${cart.total} of ${n}`;"},
			[]string{"const s = `      ${cart.total}    ${n}`;"}},
		{"nested template", []string{"const s = `a ${b ? `c ${d.e}` : 'f'} g`;"},
			[]string{"const s = `  ${b ? `  ${d.e}` : ' '}  `;"}},
		{"template over lines", []string{"const s = `one", "two ${x.y}", "three`; z.w;"},
			[]string{"const s = `   ", "    ${x.y}", "     `; z.w;"}},
		{"braces inside a template expression", []string{"const s = `${fn({ a: 1 })} x.y`;"},
			[]string{"const s = `${fn({ a: 1 })}    `;"}},
		{"regular expression with a quote", []string{`const ok = /[",\n]/.test(v) ? a.b : c;`},
			[]string{`const ok = /      /.test(v) ? a.b : c;`}},
		{"regular expression with a slash in a class", []string{"return s.replace(/[/]x/g, '');"},
			[]string{"return s.replace(/    /g, '');"}},
		{"division is not a regular expression", []string{"const r = a.total / b.count / 2;"},
			[]string{"const r = a.total / b.count / 2;"}},
		{"comment", []string{"a.b; // c.d 'x", "/* e.f", "g.h */ i.j;"},
			[]string{"a.b;          ", "      ", "       i.j;"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := Mask(JavaScript, tc.in)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Fatalf("got\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
}

func FuzzJSRules(f *testing.F) {
	f.Add("Cannot read properties of undefined (reading 'total')", "  const t = cart.total;", true)
	f.Add("undefined is not an object (evaluating 'a.b[0]')", "  x = a.b[0]?.c", false)
	f.Add("x.onSave is not a function. (In 'x.onSave(a)', 'x.onSave' is undefined)", "  x.onSave(a, `${b}`);", true)
	f.Add("items is not iterable", "  for (const [a, b] of items) { [...items] }", true)
	f.Add("undefined is not iterable (cannot read property Symbol(Symbol.iterator))", "  const [a] = /[)]/.exec(s)", false)
	f.Fuzz(func(t *testing.T, msg, line string, ts bool) {
		path := "f.js"
		if ts {
			path = "f.ts"
		}
		src := "function f(cart, items, x, a, b, s) {\n" + line + "\n}\n"
		r := Suggest(Input{Exception: Exception{Type: "TypeError", Value: msg}, Frame: Frame{Path: path, Line: 2, Column: len(line) / 2}, Source: []byte(src)}, Options{})
		if !r.Suggested {
			if r.AbstainReason == "" {
				t.Fatal("neither a suggestion nor a reason")
			}
			return
		}
		if err := CheckJS(path, r.Patched); err != nil {
			t.Fatalf("the suggestion does not parse: %v", err)
		}
		if r.Change.Start != 2 || r.Change.End != 2 {
			t.Fatalf("the suggestion changes lines %d..%d, not the frame's line", r.Change.Start, r.Change.End)
		}
	})
}
