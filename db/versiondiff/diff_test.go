package versiondiff

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestCompareListsExactlyTheDifferences(t *testing.T) {
	from := `{"name":"Bot","stage":"development","tagIds":[1],"systemPrompt":"Be kind.\nAnswer briefly.\nSign off.",
		"tools":{"web_search":{"description":"Search","parameters":{"type":"object","properties":{"q":{"type":"string"}}}},
		"call_agent":{"description":"Call","parameters":{},"config":{"callableAgentIds":[7]}},
		"old_tool":{"description":"x","parameters":{}}}}`
	to := `{"name":"Bot","stage":"development","tagIds":[1,2],"systemPrompt":"Be kind.\nAnswer in detail.\nSign off.",
		"tools":{"web_search":{"description":"Search","parameters":{"type":"object","properties":{"q":{"type":"string","minLength":1}}}},
		"call_agent":{"description":"Call","parameters":{},"config":{"callableAgentIds":[7,8]}},
		"new_tool":{"description":"y","parameters":{}}}}`
	names := Names{Tags: map[int64]string{1: "Prod", 2: "Beta"}, Config: map[string]map[int64]string{"callableAgentIds": {7: "Helper", 8: "Escalations"}}}
	d, err := Compare([]byte(from), []byte(to), names)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Fields) != 1 || d.Fields[0].Field != "tagIds" || d.Fields[0].Before != "Prod" || d.Fields[0].After != "Beta, Prod" {
		t.Fatalf("fields: %+v", d.Fields)
	}
	var changed []Line
	for _, l := range d.Prompt {
		if l.Op != "=" {
			changed = append(changed, l)
		}
	}
	if len(changed) != 1 || changed[0].Op != "~" || changed[0].Old != "Answer briefly." || changed[0].New != "Answer in detail." {
		t.Fatalf("prompt: %+v", d.Prompt)
	}
	var ins []string
	for _, w := range changed[0].Words {
		if w.Op == "+" {
			ins = append(ins, w.Text)
		}
	}
	if strings.Join(ins, "") != "in detail" {
		t.Fatalf("word diff: %+v", changed[0].Words)
	}
	if strings.Join(d.ToolsAdded, ",") != "new_tool" || strings.Join(d.ToolsRemoved, ",") != "old_tool" {
		t.Fatalf("tools added/removed: %v %v", d.ToolsAdded, d.ToolsRemoved)
	}
	if len(d.ToolsChanged) != 2 {
		t.Fatalf("tools changed: %+v", d.ToolsChanged)
	}
	ca, ws := d.ToolsChanged[0], d.ToolsChanged[1]
	if ca.Name != "call_agent" || len(ca.Schema) != 0 || len(ca.Config) != 1 || ca.Config[0].Path != "/callableAgentIds" ||
		ca.Config[0].After != `["Escalations","Helper"]` {
		t.Fatalf("call_agent: %+v", ca)
	}
	if ws.Name != "web_search" || len(ws.Config) != 0 || len(ws.Schema) != 1 || ws.Schema[0].Path != "/parameters/properties/q/minLength" || ws.Schema[0].After != "1" {
		t.Fatalf("web_search: %+v", ws)
	}
	same, _ := Compare([]byte(from), []byte(from), names)
	if !same.Empty() {
		t.Fatalf("equal snapshots differ: %+v", same)
	}
}

func FuzzCompare(f *testing.F) {
	f.Add(`{"systemPrompt":"a\nb","tools":{}}`, `{"systemPrompt":"a\nc","tools":{"x":{}}}`)
	f.Add(`{}`, `{"name":"x"}`)
	f.Add(`{"systemPrompt":"tab\there \u00e9\n\"q\"","tools":{"x":{"config":{"ids":[1]}}}}`, `{"systemPrompt":"\u0001\/ \ud83d\ude42","tools":{"x":{}}}`)
	f.Fuzz(func(t *testing.T, a, b string) {
		got, err := Compare([]byte(a), []byte(b), Names{}) // must never panic
		want, wantErr := refCompareWith([]byte(a), []byte(b), Names{}, Options{})
		if (err == nil) != (wantErr == nil) || !reflect.DeepEqual(got, want) {
			t.Fatalf("compares otherwise than before: %v %+v, want %v %+v", err, got, wantErr, want)
		}
		CompareWith([]byte(a), []byte(b), Names{}, Options{IgnoreWhitespace: true})
		// Line numbers count each side's lines in order, whitespace ignored or not.
		for _, ws := range []bool{false, true} {
			lines, _ := promptDiffWith(a, b, ws)
			old, new := 0, 0
			for _, l := range lines {
				if l.Op != "+" {
					if old++; l.OldLine != old {
						t.Fatalf("old line %d numbered %d", old, l.OldLine)
					}
				}
				if l.Op != "-" {
					if new++; l.NewLine != new {
						t.Fatalf("new line %d numbered %d", new, l.NewLine)
					}
				}
			}
			if len(lines) > 0 && (old != len(textLines(a)) || new != len(textLines(b))) {
				t.Fatalf("%d/%d lines numbered of %d/%d", old, new, len(textLines(a)), len(textLines(b)))
			}
		}
	})
}

// FuzzUnquote: the prompt's string decoding is encoding/json's wherever it answers.
func FuzzUnquote(f *testing.F) {
	for _, s := range []string{`"plain"`, `"a\nb\t\"c\"\\ \/"`, `"\u00e9"`, `"é 🙂"`, `"\x"`, `"a\"`, `"\"`, `""`, `"a"b"`, "\"\x01\"", "\"\xff\""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		got, ok := unquote(raw)
		if !ok {
			return
		}
		var want string
		if err := json.Unmarshal(raw, &want); err != nil || got != want {
			t.Fatalf("unquote(%q) = %q, encoding/json: %q (%v)", raw, got, want, err)
		}
	})
}

func TestTokensAndTrailingNewline(t *testing.T) {
	if got := strings.Join(tokens("Hello, wide  world_2!"), "|"); got != "Hello|,| |wide|  |world_2|!" {
		t.Fatalf("tokens: %q", got)
	}
	lines, same := promptDiff("one line", "one line\n\nmore")
	if same || lines[0].Op != "=" || lines[0].Old != "one line" {
		t.Fatalf("a gained newline made the first line change: %+v", lines)
	}
}

// BenchmarkCompareLongPrompt is the diff page's pure-Go cost for two 6 KB prompts.
func BenchmarkCompareLongPrompt(b *testing.B) {
	words := strings.Repeat("you are a helpful assistant for the support team, answer clearly ", 100)
	from := []byte(`{"name":"a","systemPrompt":` + quote(words) + `,"tools":{}}`)
	to := []byte(`{"name":"a","systemPrompt":` + quote(strings.Replace(words, "clearly", "briefly", 7)) + `,"tools":{}}`)
	for i := 0; i < b.N; i++ {
		Compare(from, to, Names{})
	}
}

func quote(s string) string { return `"` + s + `"` }

// ops is the prompt diff as one op per line ("=", "-", "+", "~").
func ops(lines []Line) string {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l.Op)
	}
	return b.String()
}

func TestPromptDiffPairsOnlySimilarLines(t *testing.T) {
	base := "You help the sales team.\nKeep answers short.\nUse the product catalog.\nAlways cite your sources.\nEnd with a question."
	cases := []struct {
		name, to, ops string
	}{
		// Line 4 replaced by two unrelated lines: a removal and two additions, no pair.
		{"replaced by unrelated lines", strings.Replace(base, "Always cite your sources.", "Escalate billing disputes to a human.\nNever reveal internal pricing.", 1), "===-++="},
		// One word of line 4 changed: that line is changed.
		{"one word", strings.Replace(base, "cite your sources", "cite the sources", 1), "===~="},
		// A new line before the edited one: the edited line pairs with its edit, not
		// with the line that happens to stand in its position.
		{"insertion before an edit", strings.Replace(base, "Always cite your sources.", "Greet the customer by name.\nAlways cite all your sources.", 1), "===+~="},
		// Two lines edited, one removed in between: pairs follow similarity, in order.
		{"edits around a removal", strings.Replace(strings.Replace(base, "Keep answers short.\nUse the product catalog.\nAlways", "Keep answers very short.\nAlways", 1), "cite your", "cite all your", 1), "=~-~="},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lines, same := promptDiff(base, c.to)
			if same || ops(lines) != c.ops {
				t.Fatalf("ops %q, want %q: %+v", ops(lines), c.ops, lines)
			}
			for _, l := range lines {
				if l.Op != "~" && len(l.Words) > 0 {
					t.Fatalf("word highlights outside a changed line: %+v", l)
				}
			}
		})
	}
	lines, _ := promptDiff(base, strings.Replace(base, "cite your sources", "cite the sources", 1))
	var ins, del []string
	for _, w := range lines[3].Words {
		switch w.Op {
		case "+":
			ins = append(ins, w.Text)
		case "-":
			del = append(del, w.Text)
		}
	}
	if lines[3].Old != "Always cite your sources." || lines[3].New != "Always cite the sources." ||
		strings.Join(del, "|") != "your" || strings.Join(ins, "|") != "the" {
		t.Fatalf("changed line: %+v", lines[3])
	}
}

func TestSimilarityRule(t *testing.T) {
	cases := []struct {
		a, b    string
		similar bool
	}{
		{"Answer briefly.", "Answer in detail.", true}, // 2·2/7
		{"Please always respond in English.", "Please always respond in French.", true},
		{"Always cite your sources.", "Escalate billing disputes to a human.", false},
		{"- Be kind.", "- Never lie.", false}, // only punctuation in common
		{"Hello.", "Bye.", false},
		{"", "Anything", false},
	}
	for _, c := range cases {
		s := similarity(bagOf(c.a), bagOf(c.b))
		if (s >= minSimilarity) != c.similar {
			t.Errorf("%q ~ %q = %.2f, similar want %v", c.a, c.b, s, c.similar)
		}
	}
}

func TestHugeHunkIsNotPaired(t *testing.T) {
	var from, to []string
	for i := 0; i < 300; i++ {
		from = append(from, "old line number "+strings.Repeat("x", i%7))
		to = append(to, "new line number "+strings.Repeat("y", i%5))
	}
	lines, _ := promptDiff(strings.Join(from, "\n"), strings.Join(to, "\n"))
	if got := ops(lines); strings.Count(got, "~") != 0 || strings.Count(got, "-") != 300 || strings.Count(got, "+") != 300 {
		t.Fatalf("a 300×300 hunk: %d lines, %q", len(lines), got[:20])
	}
}

func TestEmptyListEqualsAbsent(t *testing.T) {
	d, err := Compare([]byte(`{"systemPrompt":"p","conversationStarters":[],"contextDocs":[],"mcpServers":[]}`), []byte(`{"systemPrompt":"p","conversationStarters":null,"contextDocs":null}`), Names{})
	if err != nil || !d.Empty() {
		t.Fatalf("[] and null differ: %+v %v", d, err)
	}
}

// Values read as text: no \u003c escapes, a list of objects one item per line, strings
// as they are; an added or removed tool shows its config, ids as names.
func TestCompareShowsValuesReadably(t *testing.T) {
	from := `{"inputs":[],"conversationStarters":["Hi"],"tools":{"create_ticket":{"config":{"projectKey":"IT"}}}}`
	to := `{"inputs":[{"name":"😀","description":"<script>x</script> & co"},{"name":"b"}],"conversationStarters":["Hi","<b>there</b>"],
		"tools":{"call_agent":{"config":{"callableAgentIds":[7,8]}},"http_request":{"config":{"allowedHosts":["a.example"]}}}}`
	d, err := Compare([]byte(from), []byte(to), Names{Config: map[string]map[int64]string{"callableAgentIds": {7: "Helper", 8: "Escalations"}}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range d.Fields {
		got[f.Field] = f.After
	}
	if want := "{\"description\":\"<script>x</script> & co\",\"name\":\"😀\"}\n{\"name\":\"b\"}"; got["inputs"] != want {
		t.Errorf("inputs shown as %q, want %q", got["inputs"], want)
	}
	if want := "Hi\n<b>there</b>"; got["conversationStarters"] != want {
		t.Errorf("starters shown as %q, want %q", got["conversationStarters"], want)
	}
	if len(d.AddedConfigs) != 2 || d.AddedConfigs[0].Name != "call_agent" || len(d.AddedConfigs[0].Config) != 1 ||
		d.AddedConfigs[0].Config[0].Path != "/callableAgentIds" || d.AddedConfigs[0].Config[0].After != `["Escalations","Helper"]` ||
		d.AddedConfigs[1].Config[0].After != `["a.example"]` {
		t.Errorf("added tools' configs: %+v", d.AddedConfigs)
	}
	if len(d.RemovedConfigs) != 1 || d.RemovedConfigs[0].Name != "create_ticket" || d.RemovedConfigs[0].Config[0].Before != `"IT"` {
		t.Errorf("removed tool's config: %+v", d.RemovedConfigs)
	}
}

func TestIgnoreWhitespace(t *testing.T) {
	from := "Be kind.\nAnswer briefly.\nSign off."
	spaced := "Be  kind. \n\tAnswer briefly.\nSign off.\n"
	if lines, same := promptDiffWith(from, spaced, true); !same || len(lines) != 0 {
		t.Fatalf("whitespace only, ignored: same=%v %+v", same, lines)
	}
	if lines, same := promptDiffWith(from, spaced, false); same || len(lines) == 0 {
		t.Fatalf("whitespace only, not ignored: same=%v %+v", same, lines)
	}
	// A real change among whitespace changes is still found, numbered on both sides.
	lines, same := promptDiffWith(from, "Be  kind.\nAnswer in detail.\n Sign off.", true)
	if same {
		t.Fatal("a word change was ignored")
	}
	var got []string
	for _, l := range lines {
		got = append(got, fmt.Sprintf("%s%d/%d", l.Op, l.OldLine, l.NewLine))
	}
	if strings.Join(got, " ") != "=1/1 ~2/2 =3/3" {
		t.Fatalf("lines: %v", got)
	}
	a, b := []byte(`{"name":"A","description":"two  words","systemPrompt":"x"}`), []byte(`{"name":"A","description":"two words ","systemPrompt":"x "}`)
	if d, _ := CompareWith(a, b, Names{}, Options{IgnoreWhitespace: true}); !d.Empty() {
		t.Fatalf("ignoring whitespace: %+v", d)
	}
	if d, _ := Compare(a, b, Names{}); d.Empty() || len(d.Fields) != 1 || d.PromptSame {
		t.Fatalf("not ignoring whitespace: %+v", d)
	}
}

func TestLineNumbers(t *testing.T) {
	lines, _ := promptDiff("a\nb\nc\nd", "a\nx y z\nc\nd\ne")
	var got []string
	for _, l := range lines {
		got = append(got, fmt.Sprintf("%s%d/%d", l.Op, l.OldLine, l.NewLine))
	}
	if strings.Join(got, " ") != "=1/1 -2/0 +0/2 =3/3 =4/4 +0/5" {
		t.Fatalf("lines: %v", got)
	}
}
