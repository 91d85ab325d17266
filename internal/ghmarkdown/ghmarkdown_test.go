package ghmarkdown

import "testing"

func TestText(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"TypeError: x is undefined":          "TypeError: x is undefined",
		"a | b":                              `a \| b`,
		"line\nbreak\r\n":                    "line break  ",
		"<script>alert(1)</script>":          "&lt;script&gt;alert(1)&lt;/script&gt;",
		"[click](https://evil.example)":      `\[click\](https://evil.example)`,
		"**bold** _it_ `code`":               `\*\*bold\*\* \_it\_ 'code'`,
		"ResizeObserver loop limit exceeded": "ResizeObserver loop limit exceeded",
	}
	for in, want := range tests {
		if got := Text(in); got != want {
			t.Errorf("Text(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCode(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"web@1.2.3": "web@1.2.3", "a`b": "a'b", "x|y\nz": `x\|y z`} {
		if got := Code(in); got != want {
			t.Errorf("Code(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFenced(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"plain", "a\nb\n", "```diff\na\nb\n```\n"},
		{"backticks inside", "x ``` y", "````diff\nx ``` y\n````\n"},
		{"no final newline", "a", "```diff\na\n```\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Fenced("diff", tt.in); got != tt.want {
				t.Errorf("Fenced = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestTextWithCode(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"code spans kept", "read `cart.total` as `cart?.total`", "read `cart.total` as `cart?.total`"},
		{"text around escaped, code as written", "a | b *c* `x|y`", `a \| b \*c\* ` + "`x|y`"},
		{"unpaired backtick", "it's `odd", "it's 'odd"},
		{"html in text", "<b> `<b>`", "&lt;b&gt; `<b>`"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := TextWithCode(tt.in); got != tt.want {
				t.Errorf("TextWithCode(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
