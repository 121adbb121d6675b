package db

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/uptrace/bun"

	"agentconsole/db/agentspec"
	"agentconsole/db/catalog"
)

// configRefIDs reads the id lists of a tool definition's config, keyed by config key
// (agentspec.ConfigRefs); a list that is not one of integers is left out (the
// config schema refuses it).
func configRefIDs(def json.RawMessage) map[string][]int64 {
	var tool struct {
		Config map[string]json.RawMessage `json:"config"`
	}
	if json.Unmarshal(def, &tool) != nil {
		return nil
	}
	out := map[string][]int64{}
	for _, r := range agentspec.ConfigRefs {
		var ids []int64
		if raw, ok := tool.Config[r.IDKey]; ok && json.Unmarshal(raw, &ids) == nil {
			out[r.IDKey] = ids
		}
	}
	return out
}

// refTableQuery selects the ids of r's table that belong to the organisation.
func refTableQuery(r agentspec.ConfigRef) string {
	q := "SELECT id FROM " + r.Table + " WHERE org_id = ? AND id IN (?)"
	if r.Live {
		q += " AND deleted_at IS NULL"
	}
	return q
}

// checkToolConfigs refuses per-tool config ids outside the organisation, for every
// reference of agentspec.ConfigRefs (an agent never calls itself). One query per
// kind, whatever the number of tools.
func checkToolConfigs(ctx context.Context, idb bun.IDB, orgID int64, a *Agent) ([]Issue, error) {
	type ref struct {
		tool  string
		index int
		id    int64
	}
	var issues []Issue
	for _, r := range agentspec.ConfigRefs {
		var refs []ref
		var ids []int64
		for name, def := range a.Tools {
			for i, id := range configRefIDs(def)[r.IDKey] {
				refs = append(refs, ref{name, i, id})
				ids = append(ids, id)
			}
		}
		if len(refs) == 0 {
			continue
		}
		var found []int64
		if err := idb.NewRaw(refTableQuery(r), orgID, bun.In(ids)).Scan(ctx, &found); err != nil {
			return nil, err
		}
		have := map[int64]bool{}
		for _, id := range found {
			have[id] = true
		}
		for _, x := range refs {
			path := []any{"tools", x.tool, "config", r.IDKey, x.index}
			switch {
			case r.NotSelf && a.ID != 0 && x.id == a.ID:
				issues = append(issues, Issue{Message: "An agent cannot call itself", Path: path})
			case !have[x.id]:
				issues = append(issues, Issue{Message: fmt.Sprintf("%s %d does not belong to this organization", r.Label, x.id), Path: path})
			}
		}
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
		a.Tools[name] = catalog.Canonical(fresh)
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
	return catalog.Canonical(b)
}

// ConfigRefIDs reads the ids a tool definition's config holds under key.
func ConfigRefIDs(def json.RawMessage, key string) []int64 { return configRefIDs(def)[key] }
