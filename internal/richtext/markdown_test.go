package richtext

import "testing"

func TestMarkdown(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		doc  Doc
		want string
	}{
		"heading and paragraph": {doc: Doc{Blocks: []Block{Title(2, "Blast <radius>"), Para(Plain("a | b "), Strong("c"), Plain(" "), Mono("x`y"))}},
			want: "## Blast &lt;radius&gt;\n\na \\| b **c** `x'y`\n"},
		"code keeps its text, fenced longer than its backticks": {doc: Doc{Blocks: []Block{Code{Language: "text", Text: "a ``` b\n"}}},
			want: "````text\na ``` b\n````\n"},
		"lists and tasks": {doc: Doc{Blocks: []Block{List{Items: [][]Inline{{Plain("one")}}}, Tasks{Items: []Task{{Done: true, Content: Line(Plain("done"))}, {Content: Line(Plain("todo"))}}}}},
			want: "- one\n\n- [x] done\n- [ ] todo\n"},
		"links: only http(s), else the text": {doc: Doc{Blocks: []Block{Para(Link{Text: "ok", URL: "https://x.example/a"}, Plain(" "), Link{Text: "bad", URL: "javascript:alert(1)"})}},
			want: "[ok](https://x.example/a) bad\n"},
		"a link without text shows its URL": {doc: Doc{Blocks: []Block{Para(Link{URL: "https://x.example/a"}, Plain(" "), Link{URL: "javascript:alert(1)"})}},
			want: "[https://x.example/a](https://x.example/a) javascript:alert(1)\n"},
		"heading level clamped": {doc: Doc{Blocks: []Block{Title(9, "deep")}}, want: "###### deep\n"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := Markdown(tt.doc); got != tt.want {
				t.Errorf("got\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}
