package db

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/uptrace/bun"

	"agentconsole/db/catalog"
)

// toolConfig is the part of a tool definition that holds ids of other objects.
type toolConfig struct {
	Config struct {
		CallableAgentIDs           []int64 `json:"callableAgentIds"`
		AccessibleKnowledgeBaseIDs []int64 `json:"accessibleKnowledgeBaseIds"`
	} `json:"config"`
}

// checkToolConfigs refuses per-tool config ids outside the organisation: agents in
// callableAgentIds (never the agent itself) and knowledge bases in
// accessibleKnowledgeBaseIds. One query per kind, whatever the number of tools.
func checkToolConfigs(ctx context.Context, idb bun.IDB, orgID int64, a *Agent) ([]Issue, error) {
	type ref struct {
		tool  string
		field string
		index int
		id    int64
	}
	var agentRefs, kbRefs []ref
	for name, def := range a.Tools {
		var tc toolConfig
		if json.Unmarshal(def, &tc) != nil {
			continue
		}
		for i, id := range tc.Config.CallableAgentIDs {
			agentRefs = append(agentRefs, ref{name, "callableAgentIds", i, id})
		}
		for i, id := range tc.Config.AccessibleKnowledgeBaseIDs {
			kbRefs = append(kbRefs, ref{name, "accessibleKnowledgeBaseIds", i, id})
		}
	}
	var issues []Issue
	check := func(refs []ref, query string, noun string) error {
		if len(refs) == 0 {
			return nil
		}
		ids := make([]int64, len(refs))
		for i, r := range refs {
			ids[i] = r.id
		}
		var found []int64
		if err := idb.NewRaw(query, orgID, bun.In(ids)).Scan(ctx, &found); err != nil {
			return err
		}
		have := map[int64]bool{}
		for _, id := range found {
			have[id] = true
		}
		for _, r := range refs {
			switch {
			case noun == "Agent" && a.ID != 0 && r.id == a.ID:
				issues = append(issues, Issue{Message: "An agent cannot call itself", Path: []any{"tools", r.tool, "config", r.field, r.index}})
			case !have[r.id]:
				issues = append(issues, Issue{Message: fmt.Sprintf("%s %d does not belong to this organization", noun, r.id), Path: []any{"tools", r.tool, "config", r.field, r.index}})
			}
		}
		return nil
	}
	if err := check(agentRefs, "SELECT id FROM agents WHERE org_id = ? AND deleted_at IS NULL AND id IN (?)", "Agent"); err != nil {
		return nil, err
	}
	if err := check(kbRefs, "SELECT id FROM knowledge_bases WHERE org_id = ? AND id IN (?)", "Knowledge base"); err != nil {
		return nil, err
	}
	return issues, nil
}

// refreshTools brings every tool of the agent to the catalog's current definition,
// keeping its config (seed 001: "Tool schemas are automatically refreshed ... when
// saving"), and refuses tools the catalog does not know — unless the agent already had
// them (prev): a tool that left the catalog keeps its stored definition, with whatever
// config the save gives it, until someone removes it. Configs are checked against the
// tool's configSchema. One query.
func refreshTools(ctx context.Context, idb bun.IDB, a *Agent, prev map[string]json.RawMessage) ([]Issue, error) {
	if len(a.Tools) == 0 {
		return nil, nil
	}
	names := make([]string, 0, len(a.Tools))
	for name := range a.Tools {
		names = append(names, name)
	}
	var rows []struct {
		Name         string          `bun:"name"`
		Kind         string          `bun:"kind"`
		Definition   json.RawMessage `bun:"definition"`
		ConfigSchema json.RawMessage `bun:"config_schema"`
		Removed      bool            `bun:"removed"`
	}
	if err := idb.NewRaw("SELECT name, kind, definition, config_schema, removed_at IS NOT NULL AS removed FROM catalog_tools WHERE name IN (?)",
		bun.In(names)).Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("db: catalog lookup: %w", err)
	}
	byName := map[string]int{}
	for i, r := range rows {
		byName[r.Name] = i
	}
	var issues []Issue
	sort.Strings(names)
	for _, name := range names {
		i, ok := byName[name]
		if !ok || rows[i].Removed {
			if old, had := prev[name]; had {
				a.Tools[name] = withConfigOf(old, a.Tools[name])
			} else {
				issues = append(issues, Issue{Message: fmt.Sprintf("Unknown tool %q: it is not in the tool catalog", name), Path: []any{"tools", name}})
			}
			continue
		}
		r := rows[i]
		if r.Kind == "provider" {
			a.Tools[name] = r.Definition
			continue
		}
		var def map[string]json.RawMessage
		json.Unmarshal(a.Tools[name], &def)
		config, hasConfig := def["config"]
		if hasConfig && string(config) == "null" {
			hasConfig = false
		}
		fresh := r.Definition
		if hasConfig {
			if pointer, msg := catalog.ValidateConfig(r.ConfigSchema, config); msg != "" {
				path := []any{"tools", name, "config"}
				for _, part := range strings.Split(strings.TrimPrefix(pointer, "/"), "/") {
					if part != "" {
						path = append(path, part)
					}
				}
				issues = append(issues, Issue{Message: msg, Path: path})
				continue
			}
			var m map[string]json.RawMessage
			json.Unmarshal(fresh, &m)
			m["config"] = config
			fresh, _ = json.Marshal(m)
		}
		a.Tools[name] = canonicalJSON(fresh)
	}
	return issues, nil
}

// withConfigOf is the definition old with the config of def (or none).
func withConfigOf(old, def json.RawMessage) json.RawMessage {
	var o, d map[string]json.RawMessage
	if json.Unmarshal(old, &o) != nil || json.Unmarshal(def, &d) != nil {
		return def
	}
	delete(o, "config")
	if cfg, ok := d["config"]; ok && string(cfg) != "null" {
		o["config"] = cfg
	}
	b, _ := json.Marshal(o)
	return canonicalJSON(b)
}
