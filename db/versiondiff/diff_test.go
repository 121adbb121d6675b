package versiondiff

import (
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
	names := Names{Tags: map[int64]string{1: "Prod", 2: "Beta"}, Agents: map[int64]string{7: "Helper", 8: "Escalations"}}
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
	f.Fuzz(func(t *testing.T, a, b string) {
		Compare([]byte(a), []byte(b), Names{}) // must never panic
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
