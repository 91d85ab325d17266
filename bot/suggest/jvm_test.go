package suggest

import (
	"strings"
	"testing"
)

const javaPosting = `package com.acme.ledger;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

public class PostingService {
    private final Map<String, Account> accounts;
    private Journal journal;
    private static Cache cache;

    public PostingService(Map<String, Account> accounts) {
        Account root = accounts.get("root");
        this.accounts = accounts;
        root.open();
    }

    public void post(Posting posting) {
        Account account = accounts.get(posting.accountId());
        account.credit(posting.amount());
        journal.record(posting);
    }

    @Transactional
    public Account find(String id) {
        if (id.isEmpty()) {
            return null;
        }
        Account account = accounts.get(id);
        account.touch();
        return account;
    }

    public BigDecimal balance(String id) {
        Account account = accounts.get(id);
        return account.getBalance();
    }

    public int count(Posting posting) {
        Batch batch = posting.batch();
        return batch.size;
    }

    public void fill(Posting posting, int[] slots) {
        Batch batch = posting.batch();
        batch.size = slots.length;
        slots[0] = 1;
    }

    public void lock(Posting posting) {
        Batch batch = posting.batch();
        synchronized (batch) {
            batch.close();
        }
    }

    public void settle(List<Posting> postings) {
        for (Posting p : postings) {
            Batch batch = p.batch();
            batch.close();
        }
    }

    public void notify(Posting posting) {
        Batch batch = posting.batch();
        if (posting.urgent())
            batch.close();
        postings.forEach(p -> p.batch().close());
        batch.merge(batch.next(), batch.next());
        batch = batch.next(); batch.close();
    }

    public void amount(Posting posting) {
        Integer cents = posting.cents();
        long total = cents;
        total = total + posting.order.total;
        Batch batch = posting.batch();
        String label = batch.label()
            .trim();
    }

    public void route(Posting posting) {
        Batch batch = posting.batch();
        switch (posting.kind()) {
            case DEBIT: {
                batch.close();
                break;
            }
        }
    }

    static {
        cache.clear();
    }
}
`

func TestJavaNullPointer(t *testing.T) {
	t.Parallel()
	c := func(name, at, fn, msg string) ruleCase {
		return ruleCase{name: name, path: "src/main/java/com/acme/ledger/PostingService.java", src: javaPosting, at: at, function: fn,
			typ: "java.lang.NullPointerException", val: msg}
	}
	fix := func(rc ruleCase, with ...string) ruleCase {
		rc.end, rc.with, rc.family = -1, with, "java-null-pointer"
		return rc
	}
	abstain := func(rc ruleCase, why string) ruleCase { rc.abstain = why; return rc }
	invoke := func(sig, what string) string { return `Cannot invoke "` + sig + `" because "` + what + `" is null` }
	cases := []ruleCase{
		fix(c("a void method returns", "account.credit(", "post", invoke("com.acme.ledger.Account.credit(java.math.BigDecimal)", "account")),
			"        if (account == null) {", "            return;", "        }"),
		fix(c("a method already returning null returns null", "account.touch();", "find", invoke("com.acme.ledger.Account.touch()", "account")),
			"        if (account == null) {", "            return null;", "        }"),
		fix(c("a field assigned", "batch.size = slots.length;", "fill", `Cannot assign field "size" because "batch" is null`),
			"        if (batch == null) {", "            return;", "        }"),
		fix(c("an array stored to", "slots[0] = 1;", "fill", `Cannot store to int array because "slots" is null`),
			"        if (slots == null) {", "            return;", "        }"),
		fix(c("an array's length", "batch.size = slots.length;", "fill", `Cannot read the array length because "slots" is null`),
			"        if (slots == null) {", "            return;", "        }"),
		fix(c("a synchronized block", "synchronized (batch) {", "lock", `Cannot enter synchronized block because "batch" is null`),
			"        if (batch == null) {", "            return;", "        }"),
		fix(c("a dotted value", "total = total + posting.order.total;", "amount", `Cannot read field "total" because "posting.order" is null`),
			"        if (posting.order == null) {", "            return;", "        }"),
		abstain(c("a method returning a reference it never returns null for", "return account.getBalance();", "balance",
			invoke("com.acme.ledger.Account.getBalance()", "account")), "never returns null today"),
		abstain(c("a primitive return", "return batch.size;", "count", `Cannot read field "size" because "batch" is null`), "returns a int"),
		abstain(c("a local without its name", "account.credit(", "post", invoke("com.acme.ledger.Account.credit(java.math.BigDecimal)", "<local2>")), "javac -g"),
		abstain(c("a parameter without its name", "account.credit(", "post", invoke("com.acme.ledger.Account.credit(java.math.BigDecimal)", "<parameter1>")), "javac -g"),
		abstain(c("a field of this", "journal.record(posting);", "post", invoke("com.acme.ledger.Journal.record(com.acme.ledger.Posting)", "this.journal")), "assigned elsewhere"),
		abstain(c("a return value", "account.credit(", "post",
			`Cannot invoke "com.acme.ledger.Account.credit(java.math.BigDecimal)" because the return value of "java.util.Map.get(Object)" is null`), "design choice"),
		abstain(c("a static field", "cache.clear();", "<clinit>", invoke("com.acme.ledger.Cache.clear()", "com.acme.ledger.PostingService.cache")), "static field"),
		abstain(c("a static initializer", "cache.clear();", "<clinit>", invoke("com.acme.ledger.Cache.clear()", "cache")), "static initializer"),
		abstain(c("a constructor", "root.open();", "<init>", invoke("com.acme.ledger.Account.open()", "root")), "constructor"),
		abstain(c("no message", "account.credit(", "post", ""), "no message"),
		abstain(c("a message from code", "account.credit(", "post", "account must not be null"), "not a JVM's helpful"),
		abstain(c("a loop", "            batch.close();\n        }\n    }\n\n    public void notify", "settle", invoke("com.acme.ledger.Batch.close()", "batch")), "in the loop"),
		abstain(c("a brace-less if", "            batch.close();\n        postings", "notify", invoke("com.acme.ledger.Batch.close()", "batch")), "brace-less"),
		abstain(c("a lambda", "p.batch().close()", "lambda$notify$0", invoke("com.acme.ledger.Batch.close()", "p")), "lambda"),
		abstain(c("used twice", "batch.merge(batch.next(), batch.next());", "notify", invoke("com.acme.ledger.Batch.next()", "batch")), "2 times"),
		abstain(c("assigned on the line", "batch = batch.next(); batch.close();", "notify", invoke("com.acme.ledger.Batch.close()", "batch")), "more than one statement"),
		abstain(c("implicit unboxing", "long total = cents;", "amount", invoke("java.lang.Integer.longValue()", "cents")), "unboxed implicitly"),
		abstain(c("a statement spanning lines", "String label = batch.label()", "amount", invoke("com.acme.ledger.Batch.label()", "batch")), "continues on the next line"),
		abstain(c("a switch", "batch.close();\n                break", "route", invoke("com.acme.ledger.Batch.close()", "batch")), "switch"),
		abstain(c("not on the line", "journal.record(posting);", "post", invoke("com.acme.ledger.Account.credit(java.math.BigDecimal)", "account")), "has no account.credit"),
		abstain(c("the frame names another method", "account.credit(", "postAll", invoke("com.acme.ledger.Account.credit(java.math.BigDecimal)", "account")), "not the one that ran"),
		abstain(c("an array element", "account.credit(", "post", invoke("com.acme.ledger.Account.credit(java.math.BigDecimal)", "accounts[0]")), "array element"),
		abstain(c("not an NPE", "account.credit(", "post", "boom"), "not a JVM's helpful"),
	}
	cases[len(cases)-1].typ = "NullPointerException"
	allman := strings.NewReplacer(") {\n", ")\n    {\n", "PostingService {\n", "PostingService\n{\n").Replace(javaPosting)
	allmanCase := c("Allman braces", "account.credit(", "post", invoke("com.acme.ledger.Account.credit(java.math.BigDecimal)", "account"))
	allmanCase.src = allman
	cases = append(cases, fix(allmanCase, "        if (account == null)", "        {", "            return;", "        }"))
	generated := c("@Generated", "account.credit(", "post", invoke("com.acme.ledger.Account.credit(java.math.BigDecimal)", "account"))
	generated.src = strings.Replace(javaPosting, "public class PostingService {", "@Generated(\"jooq\")\npublic class PostingService {", 1)
	cases = append(cases, abstain(generated, "generated"))
	runRuleCases(t, cases, Options{})
}

// TestJavaLeavesKotlin: Kotlin files are not the Java rule's; with no Kotlin rule wired they
// get no suggestion.
func TestJavaLeavesKotlin(t *testing.T) {
	t.Parallel()
	src := "package a\n\nfun f(a: Account?) {\n    a!!.credit()\n}\n"
	res := Suggest(Input{
		Exception: Exception{Type: "java.lang.NullPointerException", Value: `Cannot invoke "a.Account.credit()" because "a" is null`},
		Frame:     Frame{Path: "src/main/kotlin/a/F.kt", Line: 4, Function: "f"},
		Source:    []byte(src),
	}, Options{})
	if res.Suggested {
		t.Fatalf("the Java rule fixed a Kotlin file:\n%s", res.Diff)
	}
}

// FuzzJavaRules: the Java rule never panics, and any fix it shows keeps the file's brackets
// balanced.
func FuzzJavaRules(f *testing.F) {
	f.Add(javaPosting, 20, `Cannot invoke "com.acme.ledger.Account.credit(java.math.BigDecimal)" because "account" is null`)
	f.Add(javaPosting, 30, `Cannot invoke "com.acme.ledger.Account.touch()" because "account" is null`)
	f.Add(javaPosting, 44, `Cannot read field "size" because "batch" is null`)
	f.Add("class A {\n  void f() {\n    a.b();\n  }\n}\n", 3, `Cannot invoke "B.b()" because "a" is null`)
	f.Fuzz(func(t *testing.T, src string, line int, value string) {
		res := Suggest(Input{
			Exception: Exception{Type: "java.lang.NullPointerException", Value: value},
			Frame:     Frame{Path: "src/A.java", Line: line},
			Source:    []byte(src),
		}, Options{})
		if res.Suggested {
			if err := CheckBalanced(Java)("src/A.java", res.Patched); err != nil {
				t.Fatalf("a shown fix leaves unbalanced brackets: %v\n%s", err, res.Diff)
			}
		}
	})
}
