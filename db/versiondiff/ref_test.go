package versiondiff

// The comparison as it was before Pair (each snapshot decoded whole for each use), kept
// to check that Pair compares exactly as it did (TestPairComparesAsBefore, FuzzCompare).

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// CompareWith is Compare with options.
func refCompareWith(from, to []byte, names Names, opt Options) (*Diff, error) {
	var a, b map[string]json.RawMessage
	if err := json.Unmarshal(from, &a); err != nil {
		return nil, fmt.Errorf("versiondiff: from: %w", err)
	}
	if err := json.Unmarshal(to, &b); err != nil {
		return nil, fmt.Errorf("versiondiff: to: %w", err)
	}
	d := &Diff{Fields: []FieldChange{}, Prompt: []Line{}, ToolsAdded: []string{}, ToolsRemoved: []string{}, ToolsChanged: []ToolChange{}, Unchanged: []string{}}
	keys := map[string]bool{}
	for k := range a {
		keys[k] = true
	}
	for k := range b {
		keys[k] = true
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		if k != "id" && k != "createdAt" && k != "updatedAt" && k != "publishedVersionId" && k != "deletedAt" {
			sorted = append(sorted, k)
		}
	}
	sort.Strings(sorted)
	for _, k := range sorted {
		switch k {
		case "systemPrompt":
			d.Prompt, d.PromptSame = promptDiffWith(refStr(a[k]), refStr(b[k]), opt.IgnoreWhitespace)
			if d.PromptSame {
				d.Unchanged = append(d.Unchanged, k)
			}
		case "tools":
			refToolsDiff(d, a[k], b[k], names)
			if len(d.ToolsAdded)+len(d.ToolsRemoved)+len(d.ToolsChanged) == 0 {
				d.Unchanged = append(d.Unchanged, k)
			}
		default:
			before, after := display(k, a[k], names), display(k, b[k], names)
			if before == after || (opt.IgnoreWhitespace && withoutSpace(before) == withoutSpace(after)) {
				d.Unchanged = append(d.Unchanged, k)
			} else {
				d.Fields = append(d.Fields, FieldChange{Field: k, Before: before, After: after})
			}
		}
	}
	return d, nil
}

func refStr(raw json.RawMessage) string {
	var s string
	json.Unmarshal(raw, &s)
	return s
}

func refToolsDiff(d *Diff, fromRaw, toRaw json.RawMessage, names Names) {
	from, to := refToolDefs(fromRaw, toRaw)
	for name, after := range to {
		if _, ok := from[name]; !ok {
			d.ToolsAdded = append(d.ToolsAdded, name)
			if tc := (ToolChange{Name: name}); after["config"] != nil {
				walk("", map[string]any{}, withNames(after["config"], names), &tc.Config)
				d.AddedConfigs = append(d.AddedConfigs, tc)
			}
		}
	}
	for name, before := range from {
		after, ok := to[name]
		if !ok {
			d.ToolsRemoved = append(d.ToolsRemoved, name)
			if tc := (ToolChange{Name: name}); before["config"] != nil {
				walk("", withNames(before["config"], names), map[string]any{}, &tc.Config)
				d.RemovedConfigs = append(d.RemovedConfigs, tc)
			}
			continue
		}
		bc, ac := before["config"], after["config"]
		delete(before, "config")
		delete(after, "config")
		tc := ToolChange{Name: name}
		walk("", before, after, &tc.Schema)
		walk("", withNames(bc, names), withNames(ac, names), &tc.Config)
		if len(tc.Schema)+len(tc.Config) > 0 {
			d.ToolsChanged = append(d.ToolsChanged, tc)
		}
	}
	sort.Strings(d.ToolsAdded)
	sort.Strings(d.ToolsRemoved)
	for _, list := range [][]ToolChange{d.ToolsChanged, d.AddedConfigs, d.RemovedConfigs} {
		sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	}
}

// toolDefs decodes both tools maps for comparing, leaving out each tool whose
// definition is byte for byte the same on both sides (no path of it can differ): most
// tools of two versions are, and decoding them whole was most of a diff's time.
func refToolDefs(fromRaw, toRaw json.RawMessage) (from, to map[string]map[string]any) {
	var rawFrom, rawTo map[string]json.RawMessage
	json.Unmarshal(fromRaw, &rawFrom)
	json.Unmarshal(toRaw, &rawTo)
	decode := func(raws map[string]json.RawMessage, other map[string]json.RawMessage) map[string]map[string]any {
		out := make(map[string]map[string]any, len(raws))
		for name, raw := range raws {
			if same, ok := other[name]; ok && bytes.Equal(raw, same) {
				continue
			}
			var def map[string]any
			if json.Unmarshal(raw, &def) == nil {
				out[name] = def
			}
		}
		return out
	}
	return decode(rawFrom, rawTo), decode(rawTo, rawFrom)
}

// randomSnapshot is a snapshot as a version stores it, from r: text with escapes
// encoding/json writes (\n, \", \u003c, \u0001…) and ones it does not, tools with
// configs holding ids, and id lists.
func randomSnapshot(r *rand.Rand) map[string]any {
	words := []string{"you", "are", "a", "helpful", "assistant", "“quoted”", `"plain"`, `back\slash`, "tab\there", "<b>&</b>", "é", "日本", "🙂", "\u0001", "\u2028", "/path/", ""}
	text := func(lines int) string {
		var b strings.Builder
		for i := 0; i < lines; i++ {
			if i > 0 {
				b.WriteString([]string{"\n", "\n", "\n\n", "\r\n", " "}[r.Intn(5)])
			}
			for j := r.Intn(12); j >= 0; j-- {
				b.WriteString(words[r.Intn(len(words))])
				b.WriteString([]string{" ", " ", "  ", "\t", ", "}[r.Intn(5)])
			}
		}
		return b.String()
	}
	ids := func() []int64 {
		out := make([]int64, r.Intn(4))
		for i := range out {
			out[i] = int64(1 + r.Intn(12))
		}
		return out
	}
	tools := map[string]any{}
	for _, name := range []string{"web_search", "call_agent", "search_knowledge_base", "send_email", "run_sql"} {
		if r.Intn(4) == 0 {
			continue
		}
		def := map[string]any{"description": text(1), "parameters": map[string]any{"type": "object", "properties": map[string]any{"q": map[string]any{"type": "string", "minLength": r.Intn(3)}}}}
		switch name {
		case "call_agent":
			def["config"] = map[string]any{"callableAgentIds": ids()}
		case "search_knowledge_base":
			def["config"] = map[string]any{"accessibleKnowledgeBaseIds": ids(), "topK": r.Intn(5)}
		case "send_email":
			def["config"] = map[string]any{"allowedDomains": []string{text(1)}}
		}
		tools[name] = def
	}
	snap := map[string]any{"id": 7, "name": text(1), "description": text(2), "systemPrompt": text(r.Intn(30)), "tagIds": ids(), "mcpServers": ids(),
		"maxToolRoundtrips": r.Intn(3), "conversationStarters": []string{text(1)}, "stage": "development", "tools": tools}
	if r.Intn(5) == 0 {
		delete(snap, "description")
	}
	return snap
}

// mutate changes some of a snapshot's values (most of it stays the same, as between
// two versions).
func mutate(r *rand.Rand, s map[string]any) map[string]any {
	next := randomSnapshot(r)
	out := map[string]any{}
	for k, v := range s {
		out[k] = v
	}
	for k, v := range next {
		if r.Intn(3) == 0 {
			out[k] = v
		}
	}
	tools, nextTools := map[string]any{}, next["tools"].(map[string]any)
	for name, def := range s["tools"].(map[string]any) {
		if r.Intn(3) > 0 {
			tools[name] = def
		}
	}
	for name, def := range nextTools {
		if r.Intn(3) == 0 {
			tools[name] = def
		}
	}
	out["tools"] = tools
	if r.Intn(3) == 0 { // a prompt edit: some lines kept
		out["systemPrompt"] = s["systemPrompt"].(string) + "\n" + next["systemPrompt"].(string)
	}
	return out
}

func encode(r *rand.Rand, v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(r.Intn(2) == 0)
	enc.Encode(v)
	return bytes.TrimSpace(b.Bytes())
}

// TestPairComparesAsBefore: on generated pairs, Pair's comparison (each snapshot
// decoded once, names only for the tools shown) is exactly the one before it, which
// decoded each snapshot whole for each use and named every id.
func TestPairComparesAsBefore(t *testing.T) {
	r := rand.New(rand.NewSource(21))
	every := func(int64) bool { return true }
	for i := 0; i < 3000; i++ {
		from := randomSnapshot(r)
		a, b := encode(r, from), encode(r, mutate(r, from))
		if i%10 == 0 {
			a = []byte("{}") // the snapshot page's diff from nothing
		}
		for _, opt := range []Options{{}, {IgnoreWhitespace: true}} {
			want, err := refCompareWith(a, b, namesOf(Refs{}, every), opt)
			if err != nil {
				t.Fatal(err)
			}
			p, err := NewPair(a, b)
			if err != nil {
				t.Fatal(err)
			}
			refs := p.Refs([]string{"callableAgentIds", "accessibleKnowledgeBaseIds"})
			got := p.Compare(namesOf(refs, func(int64) bool { return false }), opt)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("pair %d (%+v) differs:\nfrom %s\nto   %s\ngot  %+v\nwant %+v", i, opt, a, b, got, want)
			}
		}
	}
}

// namesOf names the ids of refs, and every other id for which all says so, "name n".
func namesOf(refs Refs, all func(int64) bool) Names {
	n := Names{Tags: map[int64]string{}, MCPServers: map[int64]string{}, Config: map[string]map[int64]string{"callableAgentIds": {}, "accessibleKnowledgeBaseIds": {}}}
	for id := int64(0); id < 20; id++ {
		if all(id) {
			for _, m := range []map[int64]string{n.Tags, n.MCPServers, n.Config["callableAgentIds"], n.Config["accessibleKnowledgeBaseIds"]} {
				m[id] = fmt.Sprintf("name %d", id)
			}
		}
	}
	for _, id := range refs.Tags {
		n.Tags[id] = fmt.Sprintf("name %d", id)
	}
	for _, id := range refs.MCPServers {
		n.MCPServers[id] = fmt.Sprintf("name %d", id)
	}
	for key, l := range refs.Config {
		for _, id := range l {
			n.Config[key][id] = fmt.Sprintf("name %d", id)
		}
	}
	return n
}

// benchPair is the bench's diff of v1 and v1000 (make bench 5b): eight catalog tools
// with configs, the same in both, a 6 KB one-line prompt that gained three paragraphs,
// one field changed.
func benchPair(b *testing.B) (from, to []byte) {
	raw, err := os.ReadFile("../catalog/catalog.json")
	if err != nil {
		b.Fatal(err)
	}
	var catalog struct {
		Native map[string]map[string]any `json:"native"`
	}
	json.Unmarshal(raw, &catalog)
	tools, n := map[string]any{}, 0
	for name, def := range catalog.Native {
		if n++; n > 8 {
			break
		}
		def["config"] = map[string]any{"callableAgentIds": []int{3}, "allowedDomains": []string{"example.com"}}
		tools[name] = def
	}
	prompt := strings.TrimSpace(strings.Repeat("you are a helpful assistant for the support team answer clearly ", 100))
	snap := func(p string, limit int) []byte {
		out, _ := json.Marshal(map[string]any{"id": 1, "name": "Agent 00001", "description": "Handles support requests", "model": "openai:gpt-4o",
			"maxToolRoundtrips": limit, "stage": "released", "tagIds": []int{4, 9}, "mcpServers": []int{}, "conversationStarters": []string{"How can I help you"},
			"systemPrompt": p, "tools": tools})
		return out
	}
	return snap(prompt, 11), snap(prompt+"\n\nRevision 8: cite sources.\n\nRevision 15: be brief.\n\nEdit 1000.", 20)
}

// BenchmarkDiffBefore is what the diff page did: DiffNames' decode of both snapshots,
// then CompareWith decoding them again.
func BenchmarkDiffBefore(b *testing.B) {
	from, to := benchPair(b)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		for _, raw := range [][]byte{from, to} {
			var snap struct {
				TagIDs     []int64 `json:"tagIds"`
				MCPServers []int64 `json:"mcpServers"`
				Tools      map[string]struct {
					Config map[string]json.RawMessage `json:"config"`
				} `json:"tools"`
			}
			json.Unmarshal(raw, &snap)
			for _, def := range snap.Tools {
				for key, rawIDs := range def.Config {
					var list []int64
					if key == "callableAgentIds" && json.Unmarshal(rawIDs, &list) == nil {
						_ = list
					}
				}
			}
		}
		refCompareWith(from, to, Names{}, Options{})
	}
}

// BenchmarkDiffPair is the same with Pair: each snapshot decoded once.
func BenchmarkDiffPair(b *testing.B) {
	from, to := benchPair(b)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		p, _ := NewPair(from, to)
		p.Refs([]string{"callableAgentIds", "accessibleKnowledgeBaseIds"})
		p.Compare(Names{}, Options{})
	}
}
