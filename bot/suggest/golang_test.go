package suggest

import (
	"bytes"
	"go/format"
	"strings"
	"testing"
)

const (
	goNilPanic     = "runtime error: invalid memory address or nil pointer dereference"
	goHeaderErrors = "package shop\n\nimport (\n\t\"errors\"\n\t\"strings\"\n)\n\n"
	goTypes        = `type Customer struct {
	Name  string
	Email string
}

type Order struct {
	ID       string
	Customer *Customer
	Lines    []string
	Count    int64
}

type Notifier interface {
	Notify(o *Order) error
}

type Store struct {
	orders map[string]*Order
	buf    []byte
}

func (s *Store) find(id string) *Order { return s.orders[id] }

func (s *Store) touch() {}

func (o Order) Label() string { return strings.ToUpper(o.ID) }
`
)

// goCase is a file, the line the panic names (by a piece of its text) and the message.
type goCase struct {
	name string
	src  string
	at   string // the first line containing this is the frame's line
	msg  string
	// A fix: the lines replaced (start, end) and their replacement; or the abstention's text.
	start, end int
	with       []string
	family     string
	confidence Confidence
	abstain    string
}

func runGoCases(t *testing.T, tests []goCase) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			line := 0
			for i, l := range strings.Split(tc.src, "\n") {
				if strings.Contains(l, tc.at) {
					line = i + 1
					break
				}
			}
			if line == 0 {
				t.Fatalf("no line holds %q", tc.at)
			}
			res := Suggest(Input{
				Exception: Exception{Type: "runtime.Error", Value: tc.msg},
				Frame:     Frame{Path: "services/shop/shop.go", Line: line},
				Source:    []byte(tc.src),
			}, Options{})
			if tc.abstain != "" {
				if res.Suggested {
					t.Fatalf("suggested, want an abstention containing %q:\n%s", tc.abstain, res.Diff)
				}
				if !strings.Contains(res.AbstainReason, tc.abstain) {
					t.Fatalf("abstained with %q, want it to contain %q", res.AbstainReason, tc.abstain)
				}
				return
			}
			if !res.Suggested {
				t.Fatalf("abstained: %s", res.AbstainReason)
			}
			if res.Change.Start != tc.start || res.Change.End != tc.end || strings.Join(res.Change.New, "\n") != strings.Join(tc.with, "\n") {
				t.Fatalf("change %d..%d:\n%s\nwant %d..%d:\n%s", res.Change.Start, res.Change.End, strings.Join(res.Change.New, "\n"), tc.start, tc.end, strings.Join(tc.with, "\n"))
			}
			if res.Family != tc.family || res.Line != line {
				t.Errorf("family %q line %d, want %q line %d", res.Family, res.Line, tc.family, line)
			}
			if tc.confidence != "" && res.Confidence != tc.confidence {
				t.Errorf("confidence %q, want %q", res.Confidence, tc.confidence)
			}
			assertGofmtClean(t, res.Patched)
			if !strings.Contains(res.Explanation, "services/shop/shop.go:") || !strings.Contains(res.Explanation, "instead of panicking") {
				t.Errorf("explanation does not name the place and the change: %s", res.Explanation)
			}
		})
	}
}

func assertGofmtClean(t *testing.T, src []byte) {
	t.Helper()
	formatted, err := format.Source(src)
	if err != nil {
		t.Fatalf("patched file does not parse: %v\n%s", err, src)
	}
	if !bytes.Equal(formatted, src) {
		t.Fatalf("patched file is not gofmt-clean:\n%s", src)
	}
}

func guard(indent, cond, ret string) []string {
	return []string{indent + "if " + cond + " {", indent + "\t" + ret, indent + "}"}
}

func TestGoNilDereference(t *testing.T) {
	t.Parallel()
	h, ty := goHeaderErrors, goTypes
	tests := []goCase{
		{
			name: "pointer parameter, error result, errors imported",
			src:  h + ty + "\nfunc email(o *Order) (string, error) {\n\tname := o.ID\n\treturn name, nil\n}\n",
			at:   "name := o.ID", msg: goNilPanic, start: 36, end: 35, family: "go-nil-dereference", confidence: High,
			with: guard("\t", "o == nil", `return "", errors.New("email: o is nil")`),
		},
		{
			name: "the signal line that follows an unrecovered panic",
			src:  h + ty + "\nfunc email(o *Order) (string, error) {\n\tname := o.ID\n\treturn name, nil\n}\n",
			at:   "name := o.ID", msg: "runtime error: invalid memory address or nil pointer dereference\n[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x4a1f2c]",
			start: 36, end: 35, family: "go-nil-dereference",
			with: guard("\t", "o == nil", `return "", errors.New("email: o is nil")`),
		},
		{
			name: "only fmt imported",
			src:  "package shop\n\nimport \"fmt\"\n\ntype T struct{ N int }\n\nfunc f(t *T) (int, bool, error) {\n\tn := t.N\n\treturn n, true, fmt.Errorf(\"x\")\n}\n",
			at:   "n := t.N", msg: goNilPanic, start: 8, end: 7, family: "go-nil-dereference",
			with: guard("\t", "t == nil", `return 0, false, fmt.Errorf("f: t is nil")`),
		},
		{
			name: "errors added to an import block, in order",
			src:  "package shop\n\nimport (\n\t\"context\"\n\t\"strings\"\n)\n\ntype T struct{ N string }\n\nfunc f(ctx context.Context, t *T) error {\n\ts := strings.TrimSpace(t.N)\n\t_ = s\n\treturn nil\n}\n",
			at:   "strings.TrimSpace(t.N)", msg: goNilPanic, start: 5, end: 10, family: "go-nil-dereference",
			with: []string{"\t\"errors\"", "\t\"strings\"", ")", "", "type T struct{ N string }", "", "func f(ctx context.Context, t *T) error {", "\tif t == nil {", "\t\treturn errors.New(\"f: t is nil\")", "\t}"},
		},
		{
			name: "a single import becomes a block",
			src:  "package shop\n\nimport \"strings\"\n\ntype T struct{ N string }\n\nfunc f(t *T) error {\n\t_ = strings.TrimSpace(t.N)\n\treturn nil\n}\n",
			at:   "strings.TrimSpace(t.N)", msg: goNilPanic, start: 3, end: 7, family: "go-nil-dereference",
			with: []string{"import (", "\t\"errors\"", "\t\"strings\"", ")", "", "type T struct{ N string }", "", "func f(t *T) error {", "\tif t == nil {", "\t\treturn errors.New(\"f: t is nil\")", "\t}"},
		},
		{
			name: "no imports at all",
			src:  "package shop\n\ntype T struct{ N string }\n\nfunc f(t *T) error {\n\t_ = t.N\n\treturn nil\n}\n",
			at:   "_ = t.N", msg: goNilPanic, start: 2, end: 5, family: "go-nil-dereference",
			with: []string{"", "import \"errors\"", "", "type T struct{ N string }", "", "func f(t *T) error {", "\tif t == nil {", "\t\treturn errors.New(\"f: t is nil\")", "\t}"},
		},
		{
			name: "only third-party imports: errors gets its own group first",
			src:  "package shop\n\nimport (\n\t\"github.com/acme/shop/money\"\n)\n\ntype T struct{ N money.Cents }\n\nfunc f(t *T) error {\n\t_ = t.N\n\treturn nil\n}\n",
			at:   "_ = t.N", msg: goNilPanic, start: 4, end: 9, family: "go-nil-dereference",
			with: []string{"\t\"errors\"", "", "\t\"github.com/acme/shop/money\"", ")", "", "type T struct{ N money.Cents }", "", "func f(t *T) error {", "\tif t == nil {", "\t\treturn errors.New(\"f: t is nil\")", "\t}"},
		},
		{
			name: "interface parameter called",
			src:  h + ty + "\nfunc send(n Notifier, o Order) error {\n\terr := n.Notify(&o)\n\treturn err\n}\n",
			at:   "n.Notify(&o)", msg: goNilPanic, start: 36, end: 35, family: "go-nil-dereference",
			with: guard("\t", "n == nil", `return errors.New("send: n is nil")`),
		},
		{
			name: "func parameter called, no results",
			src:  h + ty + "\nfunc each(xs []string, fn func(string)) {\n\tfor _, x := range xs {\n\t\tfn(x)\n\t}\n}\n",
			at:   "fn(x)", msg: goNilPanic, start: 37, end: 36, family: "go-nil-dereference",
			with: guard("\t\t", "fn == nil", "return"),
		},
		{
			name: "star of a pointer variable, nil-only results",
			src:  h + ty + "\nfunc copyOf(o *Order) *Order {\n\tc := *o\n\treturn &c\n}\n",
			at:   "c := *o", msg: goNilPanic, start: 36, end: 35, family: "go-nil-dereference",
			with: guard("\t", "o == nil", "return nil"),
		},
		{
			name: "receiver field",
			src:  h + ty + "\nfunc (s *Store) Size() (int, error) {\n\tn := len(s.buf)\n\treturn n, nil\n}\n",
			at:   "n := len(s.buf)", msg: goNilPanic, start: 36, end: 35, family: "go-nil-dereference",
			with: guard("\t", "s == nil", `return 0, errors.New("Size: s is nil")`),
		},
		{
			name: "value from a map of pointers: medium",
			src:  h + ty + "\nfunc count(m map[string]*Order, id string) (int64, error) {\n\to := m[id]\n\treturn o.Count, nil\n}\n",
			at:   "return o.Count", msg: goNilPanic, start: 37, end: 36, family: "go-nil-dereference", confidence: Medium,
			with: guard("\t", "o == nil", `return 0, errors.New("count: o is nil")`),
		},
		{
			name: "value from a function of the file returning a pointer",
			src:  h + ty + "\nfunc (s *Store) Items(id string) ([]string, error) {\n\to := s.find(id)\n\titems := o.Lines\n\treturn items, nil\n}\n",
			at:   "items := o.Lines", msg: goNilPanic, start: 37, end: 36, family: "go-nil-dereference", confidence: Medium,
			with: guard("\t", "o == nil", `return nil, errors.New("Items: o is nil")`),
		},
		{
			name: "a named struct result",
			src:  h + ty + "\nfunc clone(o *Order) (Order, error) {\n\tc := Order{ID: o.ID}\n\treturn c, nil\n}\n",
			at:   "c := Order{ID: o.ID}", msg: goNilPanic, start: 36, end: 35, family: "go-nil-dereference",
			with: guard("\t", "o == nil", `return Order{}, errors.New("clone: o is nil")`),
		},
		{
			name: "a statement over several lines: the guard goes before it",
			src:  h + ty + "\nfunc line(o *Order) (string, error) {\n\ts := strings.Join([]string{\n\t\to.ID,\n\t}, \",\")\n\treturn s, nil\n}\n",
			at:   "\t\to.ID,", msg: goNilPanic, start: 36, end: 35, family: "go-nil-dereference",
			with: guard("\t", "o == nil", `return "", errors.New("line: o is nil")`),
		},
		{
			name: "the condition of an if",
			src:  h + ty + "\nfunc named(c *Customer) error {\n\tif c.Name == \"\" {\n\t\treturn errors.New(\"no name\")\n\t}\n\treturn nil\n}\n",
			at:   "if c.Name", msg: goNilPanic, start: 36, end: 35, family: "go-nil-dereference",
			with: guard("\t", "c == nil", `return errors.New("named: c is nil")`),
		},
		{
			name: "inside a function literal's body: its results",
			src:  h + ty + "\nfunc run(o *Order) error {\n\tf := func() int64 {\n\t\tvar p *Order = o\n\t\treturn p.Count\n\t}\n\t_ = f\n\treturn nil\n}\n",
			at:   "return p.Count", msg: goNilPanic,
			abstain: "the fix would need run to return an error, which changes its signature",
		},
		{name: "value operand", src: h + ty + "\nfunc label(o Order) string {\n\ts := o.ID\n\treturn s\n}\n", at: "s := o.ID", msg: goNilPanic, abstain: "is a value, not a pointer"},
		{name: "two operands", src: h + ty + "\nfunc both(o *Order, c *Customer) error {\n\t_ = o.ID + c.Name\n\treturn nil\n}\n", at: "o.ID + c.Name", msg: goNilPanic, abstain: "`o` and `c`"},
		{name: "a pointer field is not a variable", src: h + ty + "\nfunc mail(o Order) error {\n\t_ = o.Customer.Email\n\treturn nil\n}\n", at: "o.Customer.Email", msg: goNilPanic, abstain: "`o.Customer` at services/shop/shop.go:36 can be nil, but it is not a variable"},
		{name: "a variable and a pointer field", src: h + ty + "\nfunc mail(o *Order) error {\n\t_ = o.Customer.Email\n\treturn nil\n}\n", at: "o.Customer.Email", msg: goNilPanic, abstain: "can each be nil"},
		{name: "type from another package", src: h + ty + "\nfunc get(c *http.Client) error {\n\t_, err := c.Get(\"x\")\n\treturn err\n}\n", at: "c.Get(", msg: goNilPanic, abstain: "is not known from the file"},
		{name: "method with a pointer receiver does not dereference", src: h + ty + "\nfunc t(s *Store) error {\n\ts.touch()\n\treturn nil\n}\n", at: "s.touch()", msg: goNilPanic, abstain: "no expression at"},
		{name: "assignment target", src: h + ty + "\nfunc set(o *Order, id string) error {\n\to.ID = id\n\treturn nil\n}\n", at: "o.ID = id", msg: goNilPanic, abstain: "is written to through the nil `o`"},
		{name: "declared by the statement", src: h + ty + "\nfunc (s *Store) has(id string) error {\n\tif o := s.find(id); o.ID == \"\" {\n\t\treturn nil\n\t}\n\treturn nil\n}\n", at: "if o := s.find(id)", msg: goNilPanic, abstain: "declared by the statement"},
		{name: "not in a function", src: h + ty + "\nvar defaultOrder *Order\n\nvar defaultID = defaultOrder.ID\n", at: "var defaultID", msg: goNilPanic, abstain: "not inside a function"},
		{name: "signature change", src: h + ty + "\nfunc name(c *Customer) string {\n\treturn c.Name\n}\n", at: "return c.Name", msg: goNilPanic, abstain: "the fix would need name to return an error, which changes its signature"},
		{name: "zero value not writable", src: h + ty + "\nfunc when(c *Customer) (time.Time, error) {\n\t_ = c.Name\n\treturn time.Time{}, nil\n}\n", at: "_ = c.Name", msg: goNilPanic, abstain: "cannot be written"},
		{name: "loop condition", src: h + ty + "\nfunc walk(o *Order) {\n\tfor i := 0; i < len(o.Lines); i++ {\n\t}\n}\n", at: "for i := 0", msg: goNilPanic, abstain: "runs on every iteration"},
		{name: "else-if condition", src: h + ty + "\nfunc pick(a, c *Customer) {\n\tif a == nil {\n\t\treturn\n\t} else if c.Name == \"\" {\n\t\treturn\n\t}\n}\n", at: "} else if c.Name", msg: goNilPanic, abstain: "else-if"},
		{name: "defer", src: h + ty + "\nfunc closeIt(n Notifier, o *Order) {\n\tdefer n.Notify(o)\n}\n", at: "defer n.Notify", msg: goNilPanic, abstain: "defer or go statement"},
		{name: "a function literal on the line", src: h + ty + "\nfunc all(os []*Order) {\n\tfor _, o := range os {\n\t\tgo func() { _ = o.ID }()\n\t}\n}\n", at: "go func()", msg: goNilPanic, abstain: "shares its line with other code"},
		{name: "one-line literal in a call", src: h + ty + "\nfunc all(os []*Order, each func(func())) {\n\teach(func() { _ = os[0].ID })\n}\n", at: "each(func()", msg: goNilPanic, abstain: "shares its line with other code"},
		{name: "a field promoted through an embedded pointer", src: "package shop\n\ntype Base struct{ ID string }\n\ntype Item struct {\n\t*Base\n\tName string\n}\n\nfunc id(it *Item) {\n\t_ = it.ID\n}\n", at: "_ = it.ID", msg: goNilPanic, abstain: "is not known from the file"},
		{name: "a member the file does not declare", src: h + ty + "\nfunc save(s *Store, o *Order) {\n\ts.onSave(o)\n}\n\ntype Hooks struct{ onSave func(*Order) }\n", at: "s.onSave(o)", msg: goNilPanic, abstain: "is not known from the file"},
		{name: "a func field of a value called", src: "package shop\n\ntype Hooks struct{ onSave func() }\n\nfunc save(h Hooks, n int) {\n\th.onSave()\n}\n", at: "h.onSave()", msg: goNilPanic, abstain: "`h.onSave` at services/shop/shop.go:6 can be nil, but it is not a variable"},
		{name: "a func field of a pointer called", src: "package shop\n\ntype Hooks struct{ onSave func() }\n\nfunc save(h *Hooks) {\n\th.onSave()\n}\n", at: "h.onSave()", msg: goNilPanic, abstain: "`h` and `h.onSave` at services/shop/shop.go:6 can each be nil"},
		{name: "a method value with a pointer receiver", src: h + ty + "\nfunc later(s *Store) func() {\n\tf := s.touch\n\treturn f\n}\n", at: "f := s.touch", msg: goNilPanic, abstain: "no expression at"},
		{name: "a value-receiver method through a pointer", src: h + ty + "\nfunc label(o *Order) (string, error) {\n\tl := o.Label()\n\treturn l, nil\n}\n", at: "l := o.Label()", msg: goNilPanic, start: 36, end: 35, family: "go-nil-dereference",
			with: guard("\t", "o == nil", `return "", errors.New("label: o is nil")`)},
		{name: "does not parse", src: "package shop\n\nfunc f( {\n", at: "func f(", msg: goNilPanic, abstain: "does not parse"},
		{name: "not gofmt-clean", src: "package shop\n\ntype T struct{ N int }\n\nfunc f(t *T) {\n  _ = t.N\n}\n", at: "_ = t.N", msg: goNilPanic, abstain: "gofmt-clean"},
		{name: "an error value is no rule's", src: h + ty + "\nfunc f() error {\n\treturn errors.New(\"refund exceeds capture\")\n}\n", at: "return errors.New", msg: "refund exceeds capture", abstain: "no rule knows runtime.Error: refund exceeds capture"},
	}
	runGoCases(t, tests)
}

func TestGoIndexOutOfRange(t *testing.T) {
	t.Parallel()
	h, ty := goHeaderErrors, goTypes
	fn := func(sig, body string) string { return h + ty + "\nfunc " + sig + " {\n" + body + "}\n" }
	tests := []goCase{
		{
			name: "a literal index matching the message",
			src:  fn("third(s string) (string, error)", "\tparts := strings.Split(s, \",\")\n\treturn parts[2], nil\n"),
			at:   "return parts[2]", msg: "runtime error: index out of range [2] with length 2", start: 37, end: 36, family: "go-index-out-of-range",
			with: guard("\t", "len(parts) <= 2", `return "", errors.New("third: parts has fewer than 3 elements")`),
		},
		{
			name: "index zero of an empty slice",
			src:  fn("first(xs []string) (string, error)", "\tx := xs[0]\n\treturn x, nil\n"),
			at:   "x := xs[0]", msg: "runtime error: index out of range [0] with length 0", start: 36, end: 35, family: "go-index-out-of-range",
			with: guard("\t", "len(xs) == 0", `return "", errors.New("first: xs is empty")`),
		},
		{
			name: "an int variable",
			src:  fn("at(xs []Order, i int) (*Order, error)", "\to := xs[i]\n\treturn &o, nil\n"),
			at:   "o := xs[i]", msg: "runtime error: index out of range [3] with length 3", start: 36, end: 35, family: "go-index-out-of-range",
			with: guard("\t", "i >= len(xs)", `return nil, errors.New("at: index i out of range of xs")`),
		},
		{
			name: "a field path",
			src:  fn("(s *Store) byte(i int) (byte, error)", "\tb := s.buf[i]\n\treturn b, nil\n"),
			at:   "b := s.buf[i]", msg: "runtime error: index out of range [8] with length 8", start: 36, end: 35, family: "go-index-out-of-range",
			with: guard("\t", "i >= len(s.buf)", `return 0, errors.New("byte: index i out of range of s.buf")`),
		},
		{
			name: "a string, no results",
			src:  fn("initial(name string, out []byte)", "\tout[0] = name[0]\n"),
			at:   "out[0] = name[0]", msg: "runtime error: index out of range [0] with length 0",
			abstain: "could each be the one",
		},
		{
			name: "re-slicing past the capacity",
			src:  fn("grow(buf []byte, n int) ([]byte, error)", "\tbuf = buf[:n]\n\treturn buf, nil\n"),
			at:   "buf = buf[:n]", msg: "runtime error: slice bounds out of range [:5] with capacity 3", start: 36, end: 35, family: "go-index-out-of-range",
			with: guard("\t", "n > cap(buf)", `return nil, errors.New("grow: n exceeds the capacity of buf")`),
		},
		{
			name: "slicing a string past its length",
			src:  fn("prefix(s string, n int) (string, error)", "\tp := s[:n]\n\treturn p, nil\n"),
			at:   "p := s[:n]", msg: "runtime error: slice bounds out of range [:5] with length 3", start: 36, end: 35, family: "go-index-out-of-range",
			with: guard("\t", "n > len(s)", `return "", errors.New("prefix: n exceeds the length of s")`),
		},
		{
			name: "a literal high bound",
			src:  fn("head(s string) (string, error)", "\tp := s[:4]\n\treturn p, nil\n"),
			at:   "p := s[:4]", msg: "runtime error: slice bounds out of range [:4] with length 2", start: 36, end: 35, family: "go-index-out-of-range",
			with: guard("\t", "len(s) < 4", `return "", errors.New("head: 4 exceeds the length of s")`),
		},
		{
			name: "a low bound past the end",
			src:  fn("tail(xs []string, n int) ([]string, error)", "\trest := xs[n:]\n\treturn rest, nil\n"),
			at:   "rest := xs[n:]", msg: "runtime error: slice bounds out of range [5:3]", start: 36, end: 35, family: "go-index-out-of-range",
			with: guard("\t", "n > len(xs)", `return nil, errors.New("tail: n exceeds the length of xs")`),
		},
		{name: "bounds out of order", src: fn("mid(xs []string, a, b int) []string", "\treturn xs[a:b]\n"), at: "return xs[a:b]", msg: "runtime error: slice bounds out of range [3:1]", abstain: "out of order"},
		{name: "three-index slice", src: fn("mid(xs []string, a, b, c int) []string", "\treturn xs[a:b:c]\n"), at: "return xs[a:b:c]", msg: "runtime error: slice bounds out of range [:5] with capacity 3", abstain: "three-index"},
		{name: "negative", src: fn("last(xs []string) string", "\treturn xs[len(xs)-1]\n"), at: "return xs[len(xs)-1]", msg: "runtime error: index out of range [-1]", abstain: "is negative"},
		{name: "literal not the message's", src: fn("third(xs []string) string", "\treturn xs[1]\n"), at: "return xs[1]", msg: "runtime error: index out of range [2] with length 2", abstain: "no index expression at"},
		{name: "a map cannot", src: fn("rate(m map[int]int, k int) int", "\treturn m[k]\n"), at: "return m[k]", msg: "runtime error: index out of range [2] with length 2", abstain: "into a map"},
		{name: "two candidates", src: fn("diff(a, b []int, i int) int", "\treturn a[i] - b[i]\n"), at: "return a[i] - b[i]", msg: "runtime error: index out of range [4] with length 4", abstain: "could each be"},
		{name: "unknown operand type", src: fn("pick(i int) string", "\treturn os.Environ()[i]\n"), at: "return os.Environ()", msg: "runtime error: index out of range [4] with length 4", abstain: "not a variable or a field"},
		{name: "unknown variable type", src: fn("pick(v Values, i int) string", "\treturn v[i]\n"), at: "return v[i]", msg: "runtime error: index out of range [4] with length 4", abstain: "not known from the file"},
		{name: "an index of another integer type", src: fn("pick(xs []string, i int64) (string, error)", "\treturn xs[i], nil\n"), at: "return xs[i]", msg: "runtime error: index out of range [4] with length 4", abstain: "not known to be int"},
		{name: "an expression index", src: fn("next(xs []string, i int) (string, error)", "\treturn xs[i+1], nil\n"), at: "return xs[i+1]", msg: "runtime error: index out of range [4] with length 4", abstain: "is an expression"},
		{name: "written to", src: fn("set(xs []string, i int) error", "\txs[i] = \"x\"\n\treturn nil\n"), at: "xs[i] = ", msg: "runtime error: index out of range [4] with length 4", abstain: "is written to"},
		{name: "signature", src: fn("nth(xs []string, i int) string", "\treturn xs[i]\n"), at: "return xs[i]", msg: "runtime error: index out of range [4] with length 4", abstain: "the fix would need nth to return an error"},
	}
	runGoCases(t, tests)
}

// FuzzGoRules runs the Go rules on arbitrary files, lines and messages: they never panic,
// and whatever they suggest parses and is gofmt-clean.
func FuzzGoRules(f *testing.F) {
	f.Add(goHeaderErrors+goTypes+"\nfunc email(o *Order) (string, error) {\n\tname := o.ID\n\treturn name, nil\n}\n", 45, goNilPanic)
	f.Add("package shop\n\nfunc first(xs []string) (string, error) {\n\treturn xs[0], nil\n}\n", 4, "runtime error: index out of range [0] with length 0")
	f.Add("package shop\n\nfunc grow(buf []byte, n int) []byte {\n\treturn buf[:n]\n}\n", 4, "runtime error: slice bounds out of range [:5] with capacity 3")
	f.Fuzz(func(t *testing.T, src string, line int, msg string) {
		res := Suggest(Input{Exception: Exception{Type: "runtime.Error", Value: msg}, Frame: Frame{Path: "f.go", Line: line}, Source: []byte(src)}, Options{})
		if !res.Suggested {
			return
		}
		assertGofmtClean(t, res.Patched)
	})
}
