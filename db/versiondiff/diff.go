// Package versiondiff compares two agent snapshots for reviewers: fields side by side,
// the system prompt line by line with word-level changes (sergi/go-diff), and tools as
// added / removed / changed down to the JSON path, schema and config apart. Ids of tags,
// MCP servers, knowledge bases and agents are shown as names.
package versiondiff

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// Names turns ids into names for display; unknown ids show as "#id (deleted)".
type Names struct {
	Tags, MCPServers map[int64]string
	// Config names the ids of tool configs, by config key (agentspec.ConfigRefs).
	Config map[string]map[int64]string
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
// OldLine and NewLine are 1-based line numbers in the older and newer prompt (0, and
// left out, on the side a line does not exist).
type Line struct {
	Op      string    `json:"op"` // "=", "+", "-", "~" (changed)
	Old     string    `json:"old,omitempty"`
	New     string    `json:"new,omitempty"`
	Words   []Segment `json:"words,omitempty"`
	OldLine int       `json:"oldLine,omitempty"`
	NewLine int       `json:"newLine,omitempty"`
}

// Options change what counts as a change.
type Options struct {
	// IgnoreWhitespace compares text as `git diff -w` does: lines (and text fields)
	// that differ only in spaces, tabs or their amount are equal. A blank line added or
	// removed is still a change.
	IgnoreWhitespace bool
}

// PathChange is one JSON path inside a tool that differs.
type PathChange struct {
	Path   string `json:"path"`
	Before string `json:"before"`
	After  string `json:"after"`
}

// ToolChange is a tool present in both versions whose definition or config differs
// (or, in AddedConfigs and RemovedConfigs, the config of a tool added or removed).
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
	// AddedConfigs and RemovedConfigs are the configs (ids as names) that came or went
	// with a tool, so reviewers see what an added call_agent may call and what a
	// removed tool's config was. The console shows them; the API's diff shape is the
	// documented one.
	AddedConfigs   []ToolChange `json:"-"`
	RemovedConfigs []ToolChange `json:"-"`
}

// Empty reports two equal snapshots.
func (d *Diff) Empty() bool {
	return len(d.Fields) == 0 && d.PromptSame && len(d.ToolsAdded)+len(d.ToolsRemoved)+len(d.ToolsChanged) == 0
}

// Compare diffs two snapshots (the JSON an agent version stores).
func Compare(from, to []byte, names Names) (*Diff, error) {
	return CompareWith(from, to, names, Options{})
}

// CompareWith is Compare with options.
func CompareWith(from, to []byte, names Names, opt Options) (*Diff, error) {
	p, err := NewPair(from, to)
	if err != nil {
		return nil, err
	}
	return p.Compare(names, opt), nil
}

// Pair is two snapshots decoded once, for both the ids they mention (Refs) and their
// comparison (Compare): decoding each snapshot again for each was a third of the diff
// page's server time (CPU profile, make bench 5b).
type Pair struct {
	from, to           map[string]json.RawMessage // top-level fields
	fromTools, toTools map[string]json.RawMessage // each tool's definition
}

// NewPair decodes two snapshots (the JSON an agent version stores). The pair keeps
// slices of from and to (object.go): they must not change while it is used.
func NewPair(from, to []byte) (*Pair, error) {
	p := &Pair{}
	var err error
	if p.from, err = fields(from); err != nil {
		return nil, fmt.Errorf("versiondiff: from: %w", err)
	}
	if p.to, err = fields(to); err != nil {
		return nil, fmt.Errorf("versiondiff: to: %w", err)
	}
	p.fromTools, _ = fields(p.from["tools"]) // not an object: no tools, as before
	p.toTools, _ = fields(p.to["tools"])
	return p, nil
}

// Refs are the ids a diff shows as names, by kind (duplicates possible).
type Refs struct {
	Tags, MCPServers []int64
	Config           map[string][]int64 // by config key
}

// Refs lists the ids Compare will name: tags and MCP servers of both sides, and the
// ids under configKeys in the config of every tool that differs between them (a tool
// the same on both sides is not shown).
func (p *Pair) Refs(configKeys []string) Refs {
	r := Refs{Config: map[string][]int64{}}
	for _, side := range []map[string]json.RawMessage{p.from, p.to} {
		var ids []int64
		if json.Unmarshal(side["tagIds"], &ids) == nil {
			r.Tags = append(r.Tags, ids...)
		}
		ids = nil
		if json.Unmarshal(side["mcpServers"], &ids) == nil {
			r.MCPServers = append(r.MCPServers, ids...)
		}
	}
	for _, tools := range [2][2]map[string]json.RawMessage{{p.fromTools, p.toTools}, {p.toTools, p.fromTools}} {
		for name, raw := range tools[0] {
			if other, ok := tools[1][name]; ok && bytes.Equal(raw, other) {
				continue
			}
			var def struct {
				Config map[string]json.RawMessage `json:"config"`
			}
			json.Unmarshal(raw, &def)
			for _, key := range configKeys {
				var ids []int64
				if rawIDs, ok := def.Config[key]; ok && json.Unmarshal(rawIDs, &ids) == nil {
					r.Config[key] = append(r.Config[key], ids...)
				}
			}
		}
	}
	return r
}

// Compare diffs the pair's snapshots.
func (p *Pair) Compare(names Names, opt Options) *Diff {
	a, b := p.from, p.to
	d := &Diff{Fields: []FieldChange{}, Prompt: []Line{}, ToolsAdded: []string{}, ToolsRemoved: []string{}, ToolsChanged: []ToolChange{}, Unchanged: []string{}}
	for _, k := range sortedKeys(a, b) {
		switch k {
		case "systemPrompt":
			d.Prompt, d.PromptSame = promptDiffWith(str(a[k]), str(b[k]), opt.IgnoreWhitespace)
			if d.PromptSame {
				d.Unchanged = append(d.Unchanged, k)
			}
		case "tools":
			d.toolsDiff(p.fromTools, p.toTools, names)
			if len(d.ToolsAdded)+len(d.ToolsRemoved)+len(d.ToolsChanged) == 0 {
				d.Unchanged = append(d.Unchanged, k)
			}
		default:
			if bytes.Equal(a[k], b[k]) { // the same JSON shows the same: most fields of two versions
				d.Unchanged = append(d.Unchanged, k)
				continue
			}
			before, after := display(k, a[k], names), display(k, b[k], names)
			if before == after || (opt.IgnoreWhitespace && withoutSpace(before) == withoutSpace(after)) {
				d.Unchanged = append(d.Unchanged, k)
			} else {
				d.Fields = append(d.Fields, FieldChange{Field: k, Before: before, After: after})
			}
		}
	}
	return d
}

// sortedKeys is the fields of either side a diff compares, sorted.
func sortedKeys(a, b map[string]json.RawMessage) []string {
	out := make([]string, 0, len(a)+len(b))
	for k := range a {
		out = append(out, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, k)
		}
	}
	out = slices.DeleteFunc(out, func(k string) bool {
		return k == "id" || k == "createdAt" || k == "updatedAt" || k == "publishedVersionId" || k == "deletedAt"
	})
	sort.Strings(out)
	return out
}

// str decodes a JSON string (anything else is ""), without encoding/json when it
// holds no escape but the common ones: a prompt is kilobytes of text, and
// json.Unmarshal reads it twice (validating, then decoding).
func str(raw json.RawMessage) string {
	if s, ok := unquote(raw); ok {
		return s
	}
	var s string
	json.Unmarshal(raw, &s)
	return s
}

// unquote decodes a JSON string literal of valid UTF-8 whose escapes are all of
// \" \\ \/ \b \f \n \r \t; ok is false for anything else (a \u escape, a control
// character, invalid UTF-8, trailing bytes), which encoding/json then decodes.
func unquote(raw []byte) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return "", false
	}
	body := raw[1 : len(raw)-1]
	esc := bytes.IndexByte(body, '\\')
	if esc < 0 {
		for _, c := range body {
			if c < 0x20 || c == '"' {
				return "", false
			}
		}
		if !utf8.Valid(body) {
			return "", false
		}
		return string(body), true
	}
	out := make([]byte, 0, len(body))
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case c < 0x20 || c == '"':
			return "", false
		case c != '\\':
			out = append(out, c)
			continue
		}
		if i++; i == len(body) {
			return "", false
		}
		switch body[i] {
		case '"', '\\', '/':
			out = append(out, body[i])
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		default:
			return "", false
		}
	}
	if !utf8.Valid(out) {
		return "", false
	}
	return string(out), true
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
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return string(raw)
	}
	if list, ok := v.([]any); ok {
		// One item per line, strings as text, objects as JSON without HTML escapes.
		lines := make([]string, len(list))
		for i, item := range list {
			if s, ok := item.(string); ok {
				lines[i] = s
			} else {
				lines[i] = marshal(item)
			}
		}
		return strings.Join(lines, "\n") // an empty list is no list: versions saved before it was stored as absent said []
	}
	return marshal(v)
}

// marshal is compact JSON for people: "<", ">" and "&" stay as they are (encoding/json
// would write \u003c), the page escapes them as it does all text.
func marshal(v any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if enc.Encode(v) != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSuffix(b.String(), "\n")
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

// promptDiff is a line diff (go-diff's line mode). Within a hunk, a removed and an
// added line are shown as one changed line, with word-level segments, only when they
// are similar (see similar); pairs keep the order of both sides (pair). Every other
// removed or added line is shown as such: a line is never presented as a rewrite of an
// unrelated one.
func promptDiff(from, to string) ([]Line, bool) { return promptDiffWith(from, to, false) }

// promptDiffWith is promptDiff, optionally blind to whitespace inside lines: lines are
// compared by a key (the line, or the line without whitespace) and shown as they are,
// numbered on both sides.
func promptDiffWith(from, to string, ignoreSpace bool) ([]Line, bool) {
	if from == to {
		return []Line{}, true
	}
	olds, news := textLines(from), textLines(to)
	key := func(ls []string) string {
		var b strings.Builder
		for _, l := range ls {
			if ignoreSpace {
				l = withoutSpace(l)
			}
			b.WriteString(l)
			b.WriteByte('\n')
		}
		return b.String()
	}
	dmp := diffmatchpatch.New()
	// One rune per line: the library diffs lines as characters.
	c1, c2, _ := dmp.DiffLinesToChars(key(olds), key(news))
	diffs := dmp.DiffMain(c1, c2, false)
	var out []Line
	i, j := 0, 0 // next line of olds and news
	di, ai := 0, 0
	flush := func() {
		dels, adds := olds[di:i], news[ai:j]
		x, y := 0, 0
		for _, p := range pair(dels, adds) {
			for ; x < p[0]; x++ {
				out = append(out, Line{Op: "-", Old: dels[x], OldLine: di + x + 1})
			}
			for ; y < p[1]; y++ {
				out = append(out, Line{Op: "+", New: adds[y], NewLine: ai + y + 1})
			}
			out = append(out, Line{Op: "~", Old: dels[x], New: adds[y], Words: words(dmp, dels[x], adds[y]), OldLine: di + x + 1, NewLine: ai + y + 1})
			x, y = x+1, y+1
		}
		for ; x < len(dels); x++ {
			out = append(out, Line{Op: "-", Old: dels[x], OldLine: di + x + 1})
		}
		for ; y < len(adds); y++ {
			out = append(out, Line{Op: "+", New: adds[y], NewLine: ai + y + 1})
		}
	}
	changed := false
	for _, d := range diffs {
		n := utf8.RuneCountInString(d.Text)
		switch d.Type {
		case diffmatchpatch.DiffDelete:
			i, changed = i+n, true
		case diffmatchpatch.DiffInsert:
			j, changed = j+n, true
		default:
			flush()
			for k := 0; k < n; k++ {
				out = append(out, Line{Op: "=", Old: olds[i+k], New: news[j+k], OldLine: i + k + 1, NewLine: j + k + 1})
			}
			i, j = i+n, j+n
			di, ai = i, j
		}
	}
	flush()
	if !changed {
		// Equal but for whitespace (or a final newline): nothing to show.
		return []Line{}, true
	}
	return out, false
}

// textLines splits a text into its lines; a final newline ends the last line rather
// than starting an empty one, so a last line that gained a newline is not a change.
func textLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// withoutSpace is s without any whitespace (the key "ignore whitespace" compares).
func withoutSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// minSimilarity is how alike a removed and an added line must be to be shown as one
// changed line: half of their tokens in common (Dice coefficient).
const minSimilarity = 0.5

// maxPairCells bounds the alignment of one hunk (removed × added lines). A larger hunk
// is a rewrite, shown as removals and additions without pairs: its cost stays linear.
const maxPairCells = 40_000

// bag is a line's tokens for similarity: words, and punctuation characters, counted.
type bag struct {
	counts map[string]int
	n      int
}

func bagOf(line string) bag {
	b := bag{counts: map[string]int{}}
	eachToken(line, func(t string) {
		if strings.TrimSpace(t) != "" {
			b.counts[t]++
			b.n++
		}
	})
	return b
}

// similarity is the Dice coefficient of two lines' token multisets (whitespace
// ignored): 2·shared / (tokens of one + tokens of the other), 0 when they share no
// word — punctuation alone ("- x." and "- y.") does not make lines alike. Changing one
// word of a line of n words keeps (n-1)/n of it; two unrelated lines score near 0.
func similarity(a, b bag) float64 {
	if a.n == 0 || b.n == 0 {
		return 0
	}
	if len(b.counts) < len(a.counts) {
		a, b = b, a
	}
	shared, word := 0, false
	for t, n := range a.counts {
		if m := b.counts[t]; m > 0 {
			shared += min(n, m)
			word = word || isWord(t)
		}
	}
	if !word {
		return 0
	}
	return 2 * float64(shared) / float64(a.n+b.n)
}

func isWord(t string) bool {
	for _, r := range t {
		return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)
	}
	return false
}

// pair chooses which removed and added lines of one hunk are changed lines: the
// order-preserving alignment (each side in its order, like the line diff itself) of
// similar pairs with the greatest total similarity, by dynamic programming over the
// hunk. It returns the pairs as [removed index, added index], in order.
func pair(dels, adds []string) [][2]int {
	m, n := len(dels), len(adds)
	if m == 0 || n == 0 || m*n > maxPairCells {
		return nil
	}
	rb, ab := make([]bag, m), make([]bag, n)
	for i, l := range dels {
		rb[i] = bagOf(l)
	}
	for j, l := range adds {
		ab[j] = bagOf(l)
	}
	sim := make([]float64, m*n)
	// best[i][j] is the greatest total over dels[i:] and adds[j:].
	best := make([]float64, (m+1)*(n+1))
	at := func(i, j int) *float64 { return &best[i*(n+1)+j] }
	for i := m - 1; i >= 0; i-- {
		for j := n - 1; j >= 0; j-- {
			s := similarity(rb[i], ab[j])
			sim[i*n+j] = s
			v := max(*at(i+1, j), *at(i, j+1))
			if s >= minSimilarity {
				v = max(v, s+*at(i+1, j+1))
			}
			*at(i, j) = v
		}
	}
	var out [][2]int
	for i, j := 0, 0; i < m && j < n; {
		s := sim[i*n+j]
		switch {
		case s >= minSimilarity && *at(i, j) == s+*at(i+1, j+1):
			out = append(out, [2]int{i, j})
			i, j = i+1, j+1
		case *at(i, j) == *at(i+1, j):
			i++
		default:
			j++
		}
	}
	return out
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

// tokens splits a line into words, runs of space and single other characters.
func tokens(s string) []string {
	var out []string
	eachToken(s, func(t string) { out = append(out, t) })
	return out
}

// eachToken calls f with each token of s in order (a scanner, not a regexp: this runs
// on every changed line of every diff).
func eachToken(s string, f func(string)) {
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
			f(s[start:i])
			start = i
		}
		prev = c
	}
	if start < len(s) {
		f(s[start:])
	}
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

func (d *Diff) toolsDiff(fromRaw, toRaw map[string]json.RawMessage, names Names) {
	from, to := toolDefs(fromRaw, toRaw)
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
func toolDefs(rawFrom, rawTo map[string]json.RawMessage) (from, to map[string]map[string]any) {
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

// withNames replaces id lists in a tool config by names, so reviewers read names.
func withNames(config any, names Names) any {
	m, ok := config.(map[string]any)
	if !ok {
		return config
	}
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
		lookup := names.Config[k]
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
	ja, jb := marshal(a), marshal(b)
	if ja != jb {
		if path == "" {
			path = "/"
		}
		*out = append(*out, PathChange{Path: path, Before: jsonOrEmpty(a, ja), After: jsonOrEmpty(b, jb)})
	}
}

func jsonOrEmpty(v any, s string) string {
	if v == nil {
		return ""
	}
	return s
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
