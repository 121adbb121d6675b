package demo

import (
	"bytes"
	"slices"
	"testing"

	"agentconsole/db/cards"
	"agentconsole/db/catalog"
	"agentconsole/db/registry"
)

// The demo's references are checked here, without a database, so a typo fails fast
// with a clear message instead of half-seeding an organisation.
func TestDemoReferencesResolve(t *testing.T) {
	models, err := registry.Models()
	if err != nil {
		t.Fatal(err)
	}
	cat, err := catalog.Parse(catalog.Bundled)
	if err != nil {
		t.Fatal(err)
	}
	known := func(list []string, name string) bool { return slices.Contains(list, name) }
	var modelIDs, toolNames, tagNames, mcpNames []string
	for _, m := range models {
		modelIDs = append(modelIDs, m.ID)
	}
	for _, tl := range cat.Tools {
		toolNames = append(toolNames, tl.Name)
	}
	for _, tg := range Tags {
		tagNames = append(tagNames, tg.Name)
	}
	for _, m := range MCPServers {
		mcpNames = append(mcpNames, m.Name)
	}
	var created []string
	outdated, slugs, histories, live := 0, map[string]bool{}, 0, 0
	for _, a := range Agents {
		if known(created, a.Name) {
			t.Errorf("%s: name used twice (names are how the seed finds what exists)", a.Name)
		}
		if a.By != Admin && a.By != Builder {
			t.Errorf("%s: created by %q, not a demo login that can write", a.Name, a.By)
		}
		if a.Model != "" && !known(modelIDs, a.Model) {
			t.Errorf("%s: model %q is not in the registry", a.Name, a.Model)
		}
		if a.CloneOf != "" && !known(created, a.CloneOf) {
			t.Errorf("%s: clones %q, which is not created before it", a.Name, a.CloneOf)
		}
		if a.Slug != "" {
			if slugs[a.Slug] {
				t.Errorf("%s: email slug %q used twice", a.Name, a.Slug)
			}
			slugs[a.Slug] = true
		}
		for _, tg := range a.Tags {
			if !known(tagNames, tg) {
				t.Errorf("%s: unknown tag %q", a.Name, tg)
			}
		}
		for _, m := range a.MCPServers {
			if !known(mcpNames, m) {
				t.Errorf("%s: unknown MCP server %q", a.Name, m)
			}
		}
		tools := slices.Clone(a.Tools)
		for _, st := range a.History {
			if st.AddTool != nil {
				tools = append(tools, *st.AddTool)
			}
			if st.Tag != "" && !known(tagNames, st.Tag) {
				t.Errorf("%s: history tags with unknown %q", a.Name, st.Tag)
			}
		}
		for _, tl := range tools {
			if !known(toolNames, tl.Name) {
				t.Errorf("%s: tool %q is not in the catalog", a.Name, tl.Name)
			}
			for _, kb := range tl.KnowledgeBases {
				if !known(KnowledgeBases, kb) {
					t.Errorf("%s: unknown knowledge base %q", a.Name, kb)
				}
			}
			for _, callee := range tl.CallAgents {
				if !known(created, callee) {
					t.Errorf("%s: calls %q, which is not created before it", a.Name, callee)
				}
			}
		}
		if a.PreviousEdition {
			outdated++
			// They are saved first, in one transaction, and any later save would
			// bring them to the current catalog: no history, no calls to others.
			if len(a.History) > 0 || a.CloneOf != "" || !slices.ContainsFunc(a.Tools, func(tl Tool) bool { return tl.Name == PreviousEditionTool }) {
				t.Errorf("%s: a previous-edition agent has %s, no history and no clone source", a.Name, PreviousEditionTool)
			}
			for _, tl := range a.Tools {
				if len(tl.CallAgents) > 0 {
					t.Errorf("%s: a previous-edition agent calls other agents", a.Name)
				}
			}
		}
		if len(a.History) >= 3 {
			histories++
		}
		if !slices.ContainsFunc(a.History, func(st Step) bool { return st.Delete }) {
			live++
		}
		created = append(created, a.Name)
	}
	if live < 30 || outdated == 0 || histories < 3 {
		t.Errorf("the demo has %d live agents (want 30 or more), %d outdated, %d with a history", live, outdated, histories)
	}
}

func TestDemoCardsAreCardsWithAHistory(t *testing.T) {
	var externals int
	for _, a := range Agents {
		if a.External == nil {
			continue
		}
		externals++
		var prev []byte
		for _, name := range a.External.Cards {
			body, err := Card(name)
			if err != nil {
				t.Fatal(err)
			}
			card, err := cards.Parse(body)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if len(card.Skills) < 3 || card.Provider == nil || len(card.SecuritySchemes) == 0 || len(card.SupportedInterfaces) == 0 {
				t.Errorf("%s: want several skills, a provider, security schemes and interfaces: %+v", name, card)
			}
			// Stored as v1.0 JSON, it reads back the same.
			again, err := cards.Parse(cards.Normalize(card))
			if err != nil || !bytes.Equal(cards.Normalize(again), cards.Normalize(card)) {
				t.Errorf("%s: the stored form does not read back: %v", name, err)
			}
			if prev != nil {
				old, _ := cards.Parse(prev)
				r := cards.Compare(old, card)
				if len(r.SkillsAdded) == 0 || len(r.SkillsRemoved) == 0 || len(r.SkillsChanged) == 0 {
					t.Errorf("%s: the refresh history should show skills added, removed and changed: %+v", name, r)
				}
			}
			prev = body
		}
	}
	if externals == 0 {
		t.Fatal("no external agent")
	}
	if v := cards.SpecVersion(mustCard(t, "travel-desk-2025.json")); v != "0.3.0" {
		t.Errorf("the older travel desk card is A2A %s, want the v0.3 shape", v)
	}
	if v := cards.SpecVersion(mustCard(t, "travel-desk-2026.json")); v != "1.0" {
		t.Errorf("the newer travel desk card is A2A %s, want 1.0", v)
	}
}

func mustCard(t *testing.T, name string) []byte {
	t.Helper()
	b, err := Card(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestPreviousEditionIsAnOlderDefinition(t *testing.T) {
	raw, err := PreviousEdition(catalog.Bundled)
	if err != nil {
		t.Fatal(err)
	}
	prev, err := catalog.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	cur, _ := catalog.Parse(catalog.Bundled)
	find := func(c *catalog.Catalog) *catalog.Tool {
		for i := range c.Tools {
			if c.Tools[i].Name == PreviousEditionTool {
				return &c.Tools[i]
			}
		}
		t.Fatalf("%s missing", PreviousEditionTool)
		return nil
	}
	o, n := find(prev), find(cur)
	if o.Version == n.Version || bytes.Equal(o.Definition(), n.Definition()) {
		t.Fatal("the previous edition's definition is the current one")
	}
	if bytes.Contains(o.Definition(), []byte("freshness")) || !bytes.Contains(n.Definition(), []byte("freshness")) {
		t.Fatalf("want freshness added since the previous edition: %s", o.Definition())
	}
}
