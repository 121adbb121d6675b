// Package versiondiff compares two agent snapshots for reviewers: fields side by side,
// the system prompt line by line with word-level changes (sergi/go-diff), and tools as
// added / removed / changed down to the JSON path, schema and config apart. Ids of tags,
// MCP servers, knowledge bases and agents are shown as names.
package versiondiff

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"unicode"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// Names turns ids into names for display; unknown ids show as "#id (deleted)".
type Names struct {
	Tags, MCPServers, KnowledgeBases, Agents map[int64]string
}

// FieldChange is one top-level field that differs.
type FieldChange struct {
	Field  string `json:"field"`
	Before string `json:"before"`
	After  string `json:"after"`
}

// Segment is a run of text inside a line: equal, inserted or deleted.
type Segment struct {
	Op   string `json:"op"` // "=", "+", "-"
	Text string `json:"text"`
}

// Line is one line of the prompt diff. Changed lines carry word-level segments.
type Line struct {
	Op    string    `json:"op"` // "=", "+", "-", "~" (changed)
	Old   string    `json:"old,omitempty"`
	New   string    `json:"new,omitempty"`
	Words []Segment `json:"words,omitempty"`
}

// PathChange is one JSON path inside a tool that differs.
type PathChange struct {
	Path   string `json:"path"`
	Before string `json:"before"`
	After  string `json:"after"`
}

// ToolChange is a tool present in both versions whose definition or config differs.
type ToolChange struct {
	Name   string       `json:"name"`
	Schema []PathChange `json:"schema,omitempty"`
	Config []PathChange `json:"config,omitempty"`
}

// Diff is the whole comparison.
type Diff struct {
	Fields       []FieldChange `json:"fields"`
	Prompt       []Line        `json:"prompt"`
	PromptSame   bool          `json:"promptUnchanged"`
	ToolsAdded   []string      `json:"toolsAdded"`
	ToolsRemoved []string      `json:"toolsRemoved"`
	ToolsChanged []ToolChange  `json:"toolsChanged"`
	Unchanged    []string      `json:"unchanged"`
}

// Empty reports two equal snapshots.
func (d *Diff) Empty() bool {
	return len(d.Fields) == 0 && d.PromptSame && len(d.ToolsAdded)+len(d.ToolsRemoved)+len(d.ToolsChanged) == 0
}

// Compare diffs two snapshots (the JSON an agent version stores).
func Compare(from, to []byte, names Names) (*Diff, error) {
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
			d.Prompt, d.PromptSame = promptDiff(str(a[k]), str(b[k]))
			if d.PromptSame {
				d.Unchanged = append(d.Unchanged, k)
			}
		case "tools":
			d.toolsDiff(a[k], b[k], names)
			if len(d.ToolsAdded)+len(d.ToolsRemoved)+len(d.ToolsChanged) == 0 {
				d.Unchanged = append(d.Unchanged, k)
			}
		default:
			before, after := display(k, a[k], names), display(k, b[k], names)
			if before == after {
				d.Unchanged = append(d.Unchanged, k)
			} else {
				d.Fields = append(d.Fields, FieldChange{Field: k, Before: before, After: after})
			}
		}
	}
	return d, nil
}

func str(raw json.RawMessage) string {
	var s string
	json.Unmarshal(raw, &s)
	return s
}

// display renders a field's value for people: id lists become names.
func display(field string, raw json.RawMessage, names Names) string {
	var lookup map[int64]string
	switch field {
	case "tagIds":
		lookup = names.Tags
	case "mcpServers":
		lookup = names.MCPServers
	}
	if lookup != nil {
		var ids []int64
		if json.Unmarshal(raw, &ids) == nil {
			return strings.Join(nameList(ids, lookup), ", ")
		}
	}
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return canonical(raw)
}

func nameList(ids []int64, lookup map[int64]string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		if n, ok := lookup[id]; ok {
			out[i] = n
		} else {
			out[i] = fmt.Sprintf("#%d (deleted)", id)
		}
	}
	sort.Strings(out)
	return out
}

func canonical(raw json.RawMessage) string {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return string(raw)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// promptDiff is a line diff; a deleted run followed by an inserted run pairs up into
// changed lines with word-level segments.
func promptDiff(from, to string) ([]Line, bool) {
	if from == to {
		return []Line{}, true
	}
	dmp := diffmatchpatch.New()
	// The library compares lines with their "\n": end both texts with one, so a last
	// line that gained a newline is not a changed line.
	c1, c2, lines := dmp.DiffLinesToChars(withNewline(from), withNewline(to))
	diffs := dmp.DiffCharsToLines(dmp.DiffMain(c1, c2, false), lines)
	var out []Line
	var dels, adds []string
	flush := func() {
		n := min(len(dels), len(adds))
		for i := 0; i < n; i++ {
			out = append(out, Line{Op: "~", Old: dels[i], New: adds[i], Words: words(dmp, dels[i], adds[i])})
		}
		for _, l := range dels[n:] {
			out = append(out, Line{Op: "-", Old: l})
		}
		for _, l := range adds[n:] {
			out = append(out, Line{Op: "+", New: l})
		}
		dels, adds = nil, nil
	}
	for _, d := range diffs {
		ls := splitLines(d.Text)
		switch d.Type {
		case diffmatchpatch.DiffDelete:
			dels = append(dels, ls...)
		case diffmatchpatch.DiffInsert:
			adds = append(adds, ls...)
		default:
			flush()
			for _, l := range ls {
				out = append(out, Line{Op: "=", Old: l, New: l})
			}
		}
	}
	flush()
	return out, false
}

func withNewline(s string) string {
	if s == "" || strings.HasSuffix(s, "\n") {
		return s
	}
	return s + "\n"
}

func splitLines(s string) []string {
	s = strings.TrimSuffix(s, "\n")
	return strings.Split(s, "\n")
}

// tokenRune maps the i-th distinct word to a rune that survives a string round trip
// (skipping the surrogate range).
func tokenRune(i int) rune {
	r := rune(i + 1)
	if r >= 0xD800 {
		r += 0x800
	}
	return r
}

func runeToken(r rune) int {
	if r >= 0xE000 {
		r -= 0x800
	}
	return int(r) - 1
}

// tokens splits a line into words, runs of space and single other characters (a
// scanner, not a regexp: this runs on every changed line of every diff).
func tokens(s string) []string {
	var out []string
	class := func(r rune) int {
		switch {
		case r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			return 1
		case unicode.IsSpace(r):
			return 2
		}
		return 3
	}
	start, prev := 0, 0
	for i, r := range s {
		c := class(r)
		if i > start && (c != prev || c == 3) {
			out = append(out, s[start:i])
			start = i
		}
		prev = c
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

// words diffs two lines word by word: each distinct word becomes one rune, so the
// library's character diff works on whole words.
func words(dmp *diffmatchpatch.DiffMatchPatch, from, to string) []Segment {
	index := map[string]rune{}
	var vocab []string
	encode := func(s string) []rune {
		toks := tokens(s)
		out := make([]rune, len(toks))
		for i, t := range toks {
			r, ok := index[t]
			if !ok {
				r = tokenRune(len(vocab))
				index[t] = r
				vocab = append(vocab, t)
			}
			out[i] = r
		}
		return out
	}
	a, b := encode(from), encode(to)
	var out []Segment
	for _, d := range dmp.DiffMainRunes(a, b, false) {
		var sb strings.Builder
		for _, r := range d.Text {
			sb.WriteString(vocab[runeToken(r)])
		}
		op := "="
		if d.Type == diffmatchpatch.DiffInsert {
			op = "+"
		} else if d.Type == diffmatchpatch.DiffDelete {
			op = "-"
		}
		out = append(out, Segment{Op: op, Text: sb.String()})
	}
	return out
}

func (d *Diff) toolsDiff(fromRaw, toRaw json.RawMessage, names Names) {
	var from, to map[string]map[string]any
	json.Unmarshal(fromRaw, &from)
	json.Unmarshal(toRaw, &to)
	for name := range to {
		if _, ok := from[name]; !ok {
			d.ToolsAdded = append(d.ToolsAdded, name)
		}
	}
	for name, before := range from {
		after, ok := to[name]
		if !ok {
			d.ToolsRemoved = append(d.ToolsRemoved, name)
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
	sort.Slice(d.ToolsChanged, func(i, j int) bool { return d.ToolsChanged[i].Name < d.ToolsChanged[j].Name })
}

// withNames replaces id lists in a tool config by names, so reviewers read names.
func withNames(config any, names Names) any {
	m, ok := config.(map[string]any)
	if !ok {
		return config
	}
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
		lookup := map[string]map[int64]string{"callableAgentIds": names.Agents, "accessibleKnowledgeBaseIds": names.KnowledgeBases}[k]
		if list, ok := v.([]any); ok && lookup != nil {
			ids := make([]int64, 0, len(list))
			for _, x := range list {
				if f, ok := x.(float64); ok {
					ids = append(ids, int64(f))
				}
			}
			out[k] = nameList(ids, lookup)
		}
	}
	return out
}

// walk records every JSON path where a and b differ (objects key by key; other values whole).
func walk(path string, a, b any, out *[]PathChange) {
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	if aok && bok {
		keys := map[string]bool{}
		for k := range am {
			keys[k] = true
		}
		for k := range bm {
			keys[k] = true
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		for _, k := range sorted {
			walk(path+"/"+k, am[k], bm[k], out)
		}
		return
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) {
		if path == "" {
			path = "/"
		}
		*out = append(*out, PathChange{Path: path, Before: jsonOrEmpty(a, ja), After: jsonOrEmpty(b, jb)})
	}
}

func jsonOrEmpty(v any, b []byte) string {
	if v == nil {
		return ""
	}
	return string(b)
}

// PathChanges lists the JSON paths where two JSON documents differ.
func PathChanges(from, to []byte) []PathChange {
	var a, b any
	json.Unmarshal(from, &a)
	json.Unmarshal(to, &b)
	out := []PathChange{}
	walk("", a, b, &out)
	return out
}
