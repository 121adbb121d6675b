package db

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/uptrace/bun"
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
