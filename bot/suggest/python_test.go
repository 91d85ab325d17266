package suggest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// pyCompile checks Python the way the production checker will: CPython's own compiler
// (`python3 -m py_compile`). The test skips when python3 is absent.
func pyCompile(t *testing.T) Checker {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed; the Python rules' fixes cannot be compiled here")
	}
	dir := t.TempDir()
	n := 0
	return func(p string, src []byte) error {
		n++
		f := filepath.Join(dir, fmt.Sprintf("%d_%s", n, filepath.Base(p)))
		if err := os.WriteFile(f, src, 0o600); err != nil {
			return fmt.Errorf("write %s for py_compile: %w", f, err)
		}
		out, err := exec.Command(py, "-m", "py_compile", f).CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s does not compile: %s: %w", p, strings.TrimSpace(string(out)), err)
		}
		return nil
	}
}

// ruleCase is one unit case: a file, the line (the first holding at), the exception, and
// either the lines replacing start..end or the text of the abstention.
type ruleCase struct {
	name     string
	path     string
	src      string
	at       string
	function string
	typ, val string
	// start, end and with describe the fix (end = start-1 inserts before start).
	start, end int
	with       []string
	family     string
	// abstain is a piece of the abstention's reason.
	abstain string
}

// lineOf is the line holding the start of at, which may span lines to tell apart two that
// read the same.
func lineOf(t *testing.T, src, at string) int {
	t.Helper()
	k := strings.Index(src, at)
	if k < 0 {
		t.Fatalf("no line holds %q", at)
	}
	return strings.Count(src[:k], "\n") + 1
}

func runRuleCases(t *testing.T, cases []ruleCase, o Options) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			line := lineOf(t, tc.src, tc.at)
			in := Input{
				Exception: Exception{Type: tc.typ, Value: tc.val},
				Frame:     Frame{Path: tc.path, Line: line, Function: tc.function},
				Source:    []byte(tc.src),
			}
			res := Suggest(in, o)
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
				t.Fatalf("abstained (%s), want a fix", res.AbstainReason)
			}
			start := line + tc.start
			end := line + tc.end
			if res.Change.Start != start || res.Change.End != end || strings.Join(res.Change.New, "\n") != strings.Join(tc.with, "\n") {
				t.Fatalf("changed lines %d..%d to\n%s\nwant %d..%d to\n%s", res.Change.Start, res.Change.End,
					strings.Join(res.Change.New, "\n"), start, end, strings.Join(tc.with, "\n"))
			}
			if res.Family != tc.family {
				t.Errorf("family %q, want %q", res.Family, tc.family)
			}
			if res.Line != line {
				t.Errorf("line %d, want %d", res.Line, line)
			}
			if !strings.Contains(res.Explanation, fmt.Sprintf(":%d", line)) && !strings.Contains(res.Explanation, fmt.Sprintf("line %d", line)) {
				t.Errorf("the explanation does not name the line: %s", res.Explanation)
			}
		})
	}
}

const pyNotify = `import logging

from shop.mail import send_mail
from shop.models import Order

log = logging.getLogger(__name__)


def notify_shipped(order):
    customer = order.customer
    send_mail(customer.email, "Your order shipped")
    log.info("notified %s", order.id)


def contact_for(order):
    if order.cancelled:
        return None
    customer = order.customer
    return customer.email


def billing_address(order):
    customer = order.customer
    return customer.email.lower()


def notify_all(orders):
    for order in orders:
        send_mail(order.customer.email, "Shipped")


def notify_admins(orders, team):
    for order in orders:
        send_mail(team.lead.email, order.id)


def poll(queue):
    while queue.pending:
        job = queue.next()
        send_mail(job.owner.email, "done")


def owner_email(order) -> Optional[str]:
    owner = order.owner
    return owner.email


class Notifier:
    default = settings.team.email

    def __init__(self, order):
        self.order = order
        self.to = order.customer.email

    def emails(self, orders):
        for o in orders:
            yield o.customer.email

    def both(self, order):
        send_mail(order.customer.email, order.billing.email)

    def sorted_by_mail(self, orders):
        return sorted(orders, key=lambda o: o.customer.email)

    def all_mails(self, orders):
        return [o.customer.email for o in orders]

    def header(self, order):
        if order.customer.email:
            log.info("has mail")

    def first_mail(self, orders):
        send_mail(self.lookup(orders).email, "x")

    def quoted(self, order):
        log.info(f"mail {order.customer.email}", order.billing.email)

    def spanning(self, order):
        send_mail(
            order.customer.email, "x")

    def rebinding(self, customer):
        customer = customer.email


ADMIN = settings.admin.email
`

func TestPythonAttributeOfNone(t *testing.T) {
	t.Parallel()
	none := func(attr string) string { return "'NoneType' object has no attribute '" + attr + "'" }
	c := func(name, at, fn string) ruleCase {
		return ruleCase{name: name, path: "shop/notify.py", src: pyNotify, at: at, function: fn, typ: "AttributeError", val: none("email")}
	}
	fix := func(rc ruleCase, with ...string) ruleCase {
		rc.start, rc.end, rc.with, rc.family = 0, -1, with, "py-attribute-of-none"
		return rc
	}
	abstain := func(rc ruleCase, why string) ruleCase { rc.abstain = why; return rc }
	cases := []ruleCase{
		fix(c("a function returning nothing returns early", `send_mail(customer.email, "Your order`, "notify_shipped"),
			"    if customer is None:", "        return"),
		fix(c("a function already returning None returns None", "    return customer.email", "contact_for"),
			"    if customer is None:", "        return None"),
		fix(c("an annotation admitting None returns None", "return owner.email", "owner_email"),
			"    if owner is None:", "        return None"),
		fix(c("the loop's item is skipped", `send_mail(order.customer.email, "Shipped")`, "notify_all"),
			"        if order.customer is None:", "            continue"),
		fix(c("an if header is guarded before it", "if order.customer.email:", "header"),
			"        if order.customer is None:", "            return"),
		abstain(c("a function returning values on every path", "return customer.email.lower()", "billing_address"), "returns a value on every path"),
		abstain(c("the None does not change in the loop", "send_mail(team.lead.email", "notify_admins"), "does not change from one iteration"),
		abstain(c("a while loop", "send_mail(job.owner.email", "poll"), "while loop"),
		abstain(c("a class body", "default = settings.team.email", ""), "body of a class"),
		abstain(c("__init__", "self.to = order.customer.email", "__init__"), "half-built"),
		abstain(c("a generator", "yield o.customer.email", "emails"), "generator"),
		abstain(c("read twice", "send_mail(order.customer.email, order.billing.email)", "both"), "2 times"),
		abstain(c("a lambda", "key=lambda o", "sorted_by_mail"), "lambda"),
		abstain(c("a lambda's own frame", "key=lambda o", "<lambda>"), "lambda"),
		abstain(c("a comprehension", "for o in orders]", "all_mails"), "comprehension"),
		abstain(c("a call result", "self.lookup(orders).email", "first_mail"), "call or subscript"),
		abstain(c("an f-string reads it too", `log.info(f"mail`, "quoted"), "f-string"),
		abstain(c("a statement spanning lines", "order.customer.email, \"x\")", "spanning"), "spanning lines"),
		abstain(c("assigned on the line", "customer = customer.email", "rebinding"), "assigned on line"),
		abstain(c("module level", "ADMIN = settings.admin.email", "<module>"), "module level"),
		abstain(c("the frame names another function", `send_mail(customer.email, "Your order`, "notify_everyone"), "not the one that ran"),
		abstain(c("the line reads no such attribute", "log.info(\"notified", "notify_shipped"), "reads no .email"),
		abstain(ruleCase{name: "another AttributeError", path: "shop/notify.py", src: pyNotify, at: "customer.email, \"Your", function: "notify_shipped",
			typ: "AttributeError", val: "'dict' object has no attribute 'email'"}, "no rule knows AttributeError"),
	}
	tabbed := strings.ReplaceAll("def f(order):\n    c = order.customer\n    send(c.email)\n", "    ", "\t")
	cases = append(cases, ruleCase{name: "tab indentation", path: "t.py", src: tabbed, at: "send(c.email)", function: "f",
		typ: "AttributeError", val: none("email"), end: -1, with: []string{"\tif c is None:", "\t\treturn"}, family: "py-attribute-of-none"})
	runRuleCases(t, cases, Options{Checkers: map[Language]Checker{Python: pyCompile(t)}})
}

const pyPricing = `from decimal import Decimal

from shop.models import Product

DEFAULTS = {"currency": "EUR"}


def unit_price(product, prices):
    return prices.get('list', 0) + product.surcharge


def discounted(product, prices):
    return prices['list'] * (1 - product.discount)


def tax(line, rates):
    return line.net * rates['vat_rate']


def label(item, flags):
    if flags['featured']:
        return item.name.upper()
    return item.name


def note(item, flags):
    promo = flags["promo"]
    if promo is None:
        return ""
    return promo


def banner(item, flags):
    promo = flags["banner"]
    return promo.title()


def lookup(item, flags, key):
    return flags[key]


def setdefault(flags):
    flags['seen'] = True
    del flags['seen']
    flags['count'] += 1
    return flags['seen']


def shipping(order, rates):
    return rates.get('ship', 0) + rates.get('ship', Decimal('4.90')) + rates['ship']


def slot(order, slots):
    return slots.get(3, None) or slots[3]


def currency(order):
    return DEFAULTS['currency'] + order.code


def clear(flags):
    flags.pop('promo', None)


def enabled(registry):
    if registry['beta']:
        return True
    return False


def remote(order, client):
    return client.fetch(order.id)


def nested(order, table):
    return table[order.region]['vat_rate']
`

func TestPythonKeyError(t *testing.T) {
	t.Parallel()
	c := func(name, at, fn, key string) ruleCase {
		return ruleCase{name: name, path: "shop/pricing.py", src: pyPricing, at: at, function: fn, typ: "KeyError", val: key}
	}
	fix := func(rc ruleCase, with string) ruleCase {
		rc.with, rc.family = []string{with}, "py-key-error"
		return rc
	}
	abstain := func(rc ruleCase, why string) ruleCase { rc.abstain = why; return rc }
	cases := []ruleCase{
		fix(c("the file's own default", "return prices['list'] *", "discounted", "'list'"),
			"    return prices.get('list', 0) * (1 - product.discount)"),
		fix(c("a truthiness test", "if flags['featured']:", "label", "'featured'"),
			"    if flags.get('featured'):"),
		fix(c("a name tested for None next", `promo = flags["promo"]`, "note", "'promo'"),
			`    promo = flags.get("promo")`),
		fix(c("an integer key with the file's default", "return slots.get(3, None) or slots[3]", "slot", "3"),
			"    return slots.get(3, None) or slots.get(3, None)"),
		abstain(c("arithmetic with no default shown", "rates['vat_rate']", "tax", "'vat_rate'"), "arithmetic"),
		abstain(c("the next use reads an attribute", `promo = flags["banner"]`, "banner", "'banner'"), "does not test it for None"),
		abstain(c("a variable key", "return flags[key]", "lookup", "'featured'"), "whose key is a value the source does not show"),
		abstain(c("an assignment target", "flags['seen'] = True", "setdefault", "'seen'"), "assigned on line"),
		abstain(c("a del", "del flags['seen']", "setdefault", "'seen'"), "deleted"),
		abstain(c("an augmented assignment", "flags['count'] += 1", "setdefault", "'count'"), "assigned on line"),
		abstain(c("a return from a function never returning None", "return flags['seen']", "setdefault", "'seen'"), "never does today"),
		abstain(c("two defaults in the file", "rates['ship']", "shipping", "'ship'"), "different defaults"),
		abstain(c("arithmetic on a module's dict", "return DEFAULTS['currency'] + order.code", "currency", "'currency'"), "arithmetic"),
		abstain(c("not known to be a dict", "if registry['beta']:", "enabled", "'beta'"), "is a dict with .get"),
		abstain(c("looked up inside a call", "client.fetch(order.id)", "remote", "'id'"), "inside something the line calls"),
		abstain(c("a key beside a variable lookup", "table[order.region]['vat_rate']", "nested", "'vat_rate'"), "whose key is a value"),
		abstain(c("a tuple key", "client.fetch", "remote", "('a', 1)"), "not a plain string or integer"),
	}
	runRuleCases(t, cases, Options{Checkers: map[Language]Checker{Python: pyCompile(t)}})
}

const pyReports = `import statistics


def first_row(rows):
    head = rows[0]
    if head is None:
        return {}
    return head


def last_row(report):
    if not report.ready:
        return None
    return report.rows[-1]


def top(rows):
    return rows[0].total


def pick(rows, n):
    value = rows[n]
    return value


def initials(name):
    return name[0]


def swap(rows):
    rows[0] = rows[-1]


def ratio(total, count):
    avg = total / count
    return avg


def floor_ratio(total, count):
    return total // count


def modulo(total, count):
    rest = total % count
    return rest


def mean(xs):
    return sum(xs) / len(xs)


def show(total, count):
    print(total / count)


def both(a, b, c):
    return a / b + c / b


def shifted(base, a, b):
    x = base + a / b
    return x


def step(total, count):
    total /= count
    return total


def weighted(report):
    share = report.weight * report.total / report.count
    return share


def render(report):
    return "%d items" % report.count
`

func TestPythonIndexError(t *testing.T) {
	t.Parallel()
	c := func(name, at, fn, msg string) ruleCase {
		return ruleCase{name: name, path: "reports/rows.py", src: pyReports, at: at, function: fn, typ: "IndexError", val: msg}
	}
	fix := func(rc ruleCase, with string) ruleCase {
		rc.with, rc.family = []string{with}, "py-index-error"
		return rc
	}
	abstain := func(rc ruleCase, why string) ruleCase { rc.abstain = why; return rc }
	cases := []ruleCase{
		fix(c("a name tested for None next", "head = rows[0]", "first_row", "list index out of range"), "    head = rows[0] if rows else None"),
		fix(c("a return from a function already returning None", "return report.rows[-1]", "last_row", "list index out of range"),
			"    return report.rows[-1] if report.rows else None"),
		abstain(c("an attribute read on the item", "return rows[0].total", "top", "list index out of range"), "attribute"),
		abstain(c("a variable index", "value = rows[n]", "pick", "list index out of range"), "not 0 or -1"),
		abstain(c("a string", "return name[0]", "initials", "string index out of range"), "string"),
		abstain(c("two indexes", "rows[0] = rows[-1]", "swap", "tuple index out of range"), "indexes 2 times"),
		abstain(c("another IndexError", "head = rows[0]", "first_row", "pop from empty list"), "no rule knows"),
	}
	runRuleCases(t, cases, Options{Checkers: map[Language]Checker{Python: pyCompile(t)}})
}

func TestPythonZeroDivision(t *testing.T) {
	t.Parallel()
	c := func(name, at, fn, msg string) ruleCase {
		return ruleCase{name: name, path: "reports/rows.py", src: pyReports, at: at, function: fn, typ: "ZeroDivisionError", val: msg}
	}
	fix := func(rc ruleCase, with string) ruleCase {
		rc.with, rc.family = []string{with}, "py-zero-division"
		return rc
	}
	abstain := func(rc ruleCase, why string) ruleCase { rc.abstain = why; return rc }
	cases := []ruleCase{
		fix(c("an assigned division", "avg = total / count", "ratio", "division by zero"), "    avg = (total / count if count else 0)"),
		fix(c("a float division", "avg = total / count", "ratio", "float division by zero"), "    avg = (total / count if count else 0)"),
		fix(c("a returned floor division", "return total // count", "floor_ratio", "integer division or modulo by zero"), "    return (total // count if count else 0)"),
		fix(c("a modulo", "rest = total % count", "modulo", "integer modulo by zero"), "    rest = (total % count if count else 0)"),
		fix(c("a product divided", "share = report.weight", "weighted", "float division by zero"),
			"    share = (report.weight * report.total / report.count if report.count else 0)"),
		abstain(c("a call as divisor", "return sum(xs) / len(xs)", "mean", "division by zero"), "not a plain name"),
		abstain(c("not assigned or returned", "print(total / count)", "show", "division by zero"), "not the value of an assignment"),
		abstain(c("two divisions", "return a / b + c / b", "both", "division by zero"), "2 divisions"),
		abstain(c("part of a sum", "x = base + a / b", "shifted", "division by zero"), "not the whole value"),
		abstain(c("an augmented division", "total /= count", "step", "division by zero"), "augmented"),
		abstain(c("the message's operator is not on the line", "avg = total / count", "ratio", "integer modulo by zero"), "0 divisions"),
		abstain(c("string formatting", `return "%d items" % report.count`, "render", "integer modulo by zero"), "not the whole value"),
	}
	runRuleCases(t, cases, Options{Checkers: map[Language]Checker{Python: pyCompile(t)}})
}

// TestPythonWithoutChecker: with no Python checker wired, no Python fix is shown.
func TestPythonWithoutChecker(t *testing.T) {
	t.Parallel()
	res := Suggest(Input{
		Exception: Exception{Type: "ZeroDivisionError", Value: "division by zero"},
		Frame:     Frame{Path: "reports/rows.py", Line: lineOf(t, pyReports, "avg = total / count"), Function: "ratio"},
		Source:    []byte(pyReports),
	}, Options{})
	if res.Suggested || !strings.Contains(res.AbstainReason, "no parser here") {
		t.Fatalf("got %+v, want an abstention for the missing checker", res)
	}
}

// FuzzPythonRules: the Python rules never panic, and a fix's lines keep the faulting line's
// indentation (a guard's body one unit deeper), so the block structure stays what it was.
// The compiler is not run here; the unit tests and the corpus compile every fix.
func FuzzPythonRules(f *testing.F) {
	f.Add(pyNotify, 11, "AttributeError", "'NoneType' object has no attribute 'email'")
	f.Add(pyPricing, 13, "KeyError", "'list'")
	f.Add(pyReports, 5, "IndexError", "list index out of range")
	f.Add(pyReports, 33, "ZeroDivisionError", "division by zero")
	accept := func(string, []byte) error { return nil }
	f.Fuzz(func(t *testing.T, src string, line int, typ, value string) {
		res := Suggest(Input{
			Exception: Exception{Type: typ, Value: value},
			Frame:     Frame{Path: "app/f.py", Line: line},
			Source:    []byte(src),
		}, Options{Checkers: map[Language]Checker{Python: accept}})
		if !res.Suggested {
			return
		}
		lines := splitLines([]byte(src))
		indent := lines[line-1][:len(lines[line-1])-len(strings.TrimLeft(lines[line-1], " \t"))]
		for _, l := range res.Change.New {
			if !strings.HasPrefix(l, indent) || strings.TrimSpace(l) == "" {
				t.Fatalf("fix line %q does not keep line %d's indentation %q", l, line, indent)
			}
		}
	})
}
