package db

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"agentconsole/db/agentspec"
	"agentconsole/db/catalog"
	"agentconsole/db/versiondiff"
)

// AgentRef names an agent in results.
type AgentRef struct {
	ID   int64  `bun:"id" json:"id"`
	Name string `bun:"name" json:"name"`
}

// SyncResult is what a sync changed: the agents it updated of the organisation's
// total (the API's answer, seed 000's shape, is built by the handler).
type SyncResult struct {
	Updated int
	Total   int
	Agents  []AgentRef
}

// syncLockKey keeps two syncs of one organisation from running at once.
const syncLockKey = 0x73796e63

// agentOutdated is true for an agent (a) holding at least one outdated native tool: the
// agents a sync changes and its preview lists, so they cannot disagree.
const agentOutdated = `EXISTS (SELECT 1 FROM jsonb_each(a.tools) t WHERE ` + entryOutdated + `)`

// syncedToolsExpr is an agent's (a) stored tools with each outdated definition replaced
// by a reference to the catalog's, its config kept: one expression per row (no grouping
// of the whole organisation's tools).
const syncedToolsExpr = `(SELECT jsonb_object_agg(t.key, CASE WHEN ` + entryOutdated + `
		THEN jsonb_build_object('$def', ` + currentRefs + ` ->> t.key)
			|| CASE WHEN jsonb_exists(t.value, 'config') THEN jsonb_build_object('config', t.value -> 'config') ELSE '{}'::jsonb END
		ELSE t.value END)
	FROM jsonb_each(a.tools) t)`

// syncSQL locks the outdated agents of organisation ?0, rewrites their tool references
// and appends their versions, in one statement. The lock is in the first CTE (FOR
// UPDATE), so an agent saved concurrently is read as that save left it (PostgreSQL
// re-reads a row it waited for) and no save is lost. A version's tools map is the
// previous map with each tool's definition reference taken from the agent's new tools
// (configs are unchanged, so their blob references are kept, as agent_tools_put_stored
// does); the maps are hashed and stored as blobs in one INSERT rather than one
// agent_blob_put call each. Each previous version is read by its key (the OFFSET 0
// keeps the lookup per agent: given room in work_mem, the planner hashed all 200,000
// versions of the bench data instead, ten times the cost). It returns the agents it changed and how many it locked:
// an agent whose previous version was committed after the statement began is locked
// but not yet changed, and the next run of the statement (a new snapshot) changes it.
// ?6 NULL syncs every outdated agent; an id array only those (the unprotected agents
// a gated sync may change at once).
const syncSQL = `WITH target AS MATERIALIZED (
		SELECT a.id, a.org_id, a.published_version_id, ` + syncedToolsExpr + ` AS tools
		FROM agents a WHERE a.org_id = ?0 AND a.deleted_at IS NULL AND ` + agentOutdated + `
			AND (?6::bigint[] IS NULL OR a.id = ANY(?6::bigint[]))
		ORDER BY a.id FOR UPDATE),
	maps AS MATERIALIZED (
		SELECT t.id, t.org_id, t.tools, prev.number, prev.fields_ref, prev.prompt_ref, m.map,
			substring(sha256(convert_to(m.map::text, 'UTF8')) FROM 1 FOR 16) AS hash
		FROM target t CROSS JOIN LATERAL (SELECT v.number, v.fields_ref, v.prompt_ref, v.tools_ref FROM agent_versions v
			WHERE v.id = t.published_version_id OFFSET 0) prev
		LEFT JOIN agent_blobs pt ON pt.hash = prev.tools_ref
		CROSS JOIN LATERAL (SELECT coalesce(jsonb_object_agg(e.key, jsonb_build_object(
				's', coalesce(e.value ->> '$def', encode(agent_blob_put(e.value - 'config'), 'hex')),
				'c', CASE WHEN pt.body -> e.key IS NOT NULL THEN pt.body -> e.key -> 'c'
					ELSE to_jsonb(encode(agent_blob_put(e.value -> 'config'), 'hex')) END)), '{}'::jsonb) AS map
			FROM jsonb_each(t.tools) e) m),
	blobs AS (INSERT INTO agent_blobs (hash, body) SELECT DISTINCT ON (hash) hash, map FROM maps ON CONFLICT (hash) DO NOTHING),
	v AS (
		INSERT INTO agent_versions (org_id, agent_id, number, source, author_user_id, author_token_id, author, summary, fields_ref, prompt_ref, tools_ref)
		SELECT m.org_id, m.id, m.number + 1, ?1, ?2, ?3, ?4, ?5, m.fields_ref, m.prompt_ref, m.hash FROM maps m
		RETURNING agent_id, id),
	changed AS (
		UPDATE agents a SET tools = m.tools, published_version_id = v.id, updated_at = now()
		FROM maps m JOIN v ON v.agent_id = m.id WHERE a.id = m.id
		RETURNING a.id, a.name)
	SELECT (SELECT count(*) FROM target) AS locked, coalesce(json_agg(json_build_object('id', c.id, 'name', c.name)), '[]') AS changed FROM changed c`

// SyncTools gives every agent of the organisation the catalog's latest definition of
// each native tool it has, keeping configs; provider tools and tools that left the
// catalog are untouched. One transaction, set-based, whatever the number of agents:
// one statement locks the agents to change, rewrites their tool references and appends
// their versions (seed 000). Agents store references to catalog definitions (migration
// 007), so a sync writes hashes, not schemas.
//
// With the review policy on and a protected agent affected, nothing is synced: the
// organisation's one open sync request is opened or brought up to date, and returned
// as a *ReviewRequired (unprotected agents wait with the rest).
func (s *Store) SyncTools(ctx context.Context, actor *Actor) (*SyncResult, error) {
	var res *SyncResult
	var pending *ChangeRequest
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		res, pending = nil, nil
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(?, ?)", syncLockKey, actor.OrgID); err != nil {
			return err
		}
		cr, synced, err := s.syncGate(ctx, tx, actor)
		if err != nil || cr != nil {
			pending, res = cr, synced
			return err
		}
		// No protected agent is affected any more: an open sync request has nothing
		// left to hold.
		if err := s.closeFleetRequests(ctx, tx, actor, "org_id = ? AND kind = 'sync'", actor.OrgID, "the sync no longer affects protected agents and ran directly"); err != nil {
			return err
		}
		res, err = s.runSync(ctx, tx, actor, nil)
		return err
	})
	if err != nil {
		return nil, err
	}
	if pending != nil {
		return nil, &ReviewRequired{Kind: ChangeSync, Title: pending.Title, Request: pending, Synced: res}
	}
	slices.SortFunc(res.Agents, func(a, b AgentRef) int { return cmp.Compare(a.ID, b.ID) })
	return res, nil
}

// runSync is the sync itself, in the caller's transaction (holding the sync lock):
// SyncTools without a policy in the way, and the merge of an approved sync request.
// only nil syncs every outdated agent, else only those of these ids.
func (s *Store) runSync(ctx context.Context, tx bun.Tx, actor *Actor, only []int64) (*SyncResult, error) {
	res := &SyncResult{Agents: []AgentRef{}}
	// JIT compiling these plans took longer than running them (0.4 s of a 10,000-agent
	// sync); SET LOCAL ends with the transaction, so a transaction pooler is fine.
	// The statement's sorts and CTEs over 10,000 agents spilled about 58 MB to temporary
	// files at the default 4 MB work_mem (EXPLAIN BUFFERS on the bench data); 64 MB
	// keeps them in memory, for this transaction only.
	for _, set := range []string{"SET LOCAL jit = off", "SET LOCAL work_mem = '64MB'"} {
		if _, err := tx.ExecContext(ctx, set); err != nil {
			return nil, err
		}
	}
	if err := tx.NewRaw("SELECT count(*) FROM agents WHERE org_id = ? AND deleted_at IS NULL", actor.OrgID).Scan(ctx, &res.Total); err != nil {
		return nil, err
	}
	// Again while an agent was locked but left for a newer snapshot (a save committed
	// while the statement ran); each run locks what is still outdated. A run that
	// changes nothing ends it (an agent without a version cannot be synced, as before).
	for run := 0; run < 5; run++ {
		var locked int
		var changed []AgentRef
		var ids any // NULL: every outdated agent
		if only != nil {
			ids = pgdialect.Array(only)
		}
		if err := tx.NewRaw(syncSQL, actor.OrgID, SourceSync, nonZero(actor.UserID), nonZero(actor.TokenID), actor.Label(),
			"tool schemas synced to the catalog", ids).Scan(ctx, &locked, jsonScan{&changed}); err != nil {
			return nil, fmt.Errorf("db: sync tools: %w", err)
		}
		res.Agents = append(res.Agents, changed...)
		if locked == len(changed) || len(changed) == 0 {
			break
		}
	}
	res.Updated = len(res.Agents)
	return res, s.Audit(ctx, tx, actor, "tools.synced", "organization", actor.OrgID, fmt.Sprintf("updated %d of %s", res.Updated, count(res.Total, "agent", "agents")))
}

// jsonScan scans a JSON column into v.
type jsonScan struct{ v any }

func (j jsonScan) Scan(src any) error {
	switch b := src.(type) {
	case []byte:
		return json.Unmarshal(b, j.v)
	case string:
		return json.Unmarshal([]byte(b), j.v)
	}
	return fmt.Errorf("db: cannot scan %T as JSON", src)
}

// SyncGroup is one schema change the sync would make: a tool going from one old
// definition to the catalog's, and the agents that hold that old definition.
type SyncGroup struct {
	Tool    string                   `json:"tool"`
	Changes []versiondiff.PathChange `json:"changes"`
	Agents  []AgentRef               `json:"agents"`
}

// InvalidConfig is a per-tool config that points at something that no longer exists
// or that the tool's config schema refuses.
type InvalidConfig struct {
	AgentID   int64  `json:"agentId" bun:"agent_id"`
	AgentName string `json:"agentName" bun:"agent_name"`
	Tool      string `json:"tool" bun:"tool"`
	Message   string `json:"message" bun:"message"`
}

// ToolCount names a tool and how many agents hold it.
type ToolCount struct {
	Name   string `json:"name" bun:"name"`
	Agents int    `json:"agents" bun:"agents"`
}

// SyncPreview is what SyncTools would do now, without doing it.
type SyncPreview struct {
	Total          int             `json:"total"`
	Agents         []AgentRef      `json:"agents"` // the agents that would change
	Groups         []SyncGroup     `json:"changes"`
	InvalidConfigs []InvalidConfig `json:"invalidConfigs"`
	NotInCatalog   []ToolCount     `json:"notInCatalog"` // kept on agents, not synced
}

// PreviewSync computes the sync's effect with the same SQL, plus the configs that would
// be invalid and the tools that left the catalog.
func (s *Store) PreviewSync(ctx context.Context, orgID int64) (*SyncPreview, error) {
	return s.previewSync(ctx, s.DB, orgID)
}

// previewSync is PreviewSync on a connection or a transaction (a sync request stores
// the preview its transaction sees).
func (s *Store) previewSync(ctx context.Context, idb bun.IDB, orgID int64) (*SyncPreview, error) {
	p := &SyncPreview{Agents: []AgentRef{}, Groups: []SyncGroup{}, InvalidConfigs: []InvalidConfig{}, NotInCatalog: []ToolCount{}}
	if err := idb.NewRaw("SELECT count(*) FROM agents WHERE org_id = ? AND deleted_at IS NULL", orgID).Scan(ctx, &p.Total); err != nil {
		return nil, err
	}
	if err := idb.NewRaw(`SELECT a.id, a.name FROM agents a WHERE a.org_id = ? AND a.deleted_at IS NULL AND `+agentOutdated+` ORDER BY a.id`, orgID).Scan(ctx, &p.Agents); err != nil {
		return nil, fmt.Errorf("db: preview sync: %w", err)
	}
	var groups []struct {
		Tool       string          `bun:"tool"`
		Old        json.RawMessage `bun:"old"`
		New        json.RawMessage `bun:"new"`
		ConfigSch  json.RawMessage `bun:"config_schema"`
		AgentIDs   []int64         `bun:"agent_ids,array"`
		AgentNames []string        `bun:"agent_names,array"`
		Configs    []string        `bun:"configs,array"`
	}
	err := idb.NewRaw(`SELECT t.key AS tool, agent_tool_definition(t.key, t.value) AS old, c.definition AS new, c.config_schema,
			array_agg(a.id ORDER BY a.id) AS agent_ids, array_agg(a.name ORDER BY a.id) AS agent_names,
			array_agg(coalesce(t.value -> 'config', 'null'::jsonb)::text ORDER BY a.id) AS configs
		FROM agents a CROSS JOIN LATERAL jsonb_each(a.tools) t JOIN catalog_tools c ON c.name = t.key
		WHERE a.org_id = ? AND a.deleted_at IS NULL AND `+outdatedPredicate+`
		GROUP BY t.key, agent_tool_definition(t.key, t.value), c.definition, c.config_schema ORDER BY t.key`, orgID).Scan(ctx, &groups)
	if err != nil {
		return nil, fmt.Errorf("db: preview sync groups: %w", err)
	}
	for _, g := range groups {
		sg := SyncGroup{Tool: g.Tool, Changes: versiondiff.PathChanges(g.Old, g.New)}
		for i, id := range g.AgentIDs {
			sg.Agents = append(sg.Agents, AgentRef{ID: id, Name: g.AgentNames[i]})
			// The config is kept: say so now if the new config schema refuses it.
			if g.Configs[i] != "null" {
				if _, msg := catalog.ValidateConfig(g.ConfigSch, json.RawMessage(g.Configs[i])); msg != "" {
					p.InvalidConfigs = append(p.InvalidConfigs, InvalidConfig{AgentID: id, AgentName: g.AgentNames[i], Tool: g.Tool, Message: msg})
				}
			}
		}
		p.Groups = append(p.Groups, sg)
	}
	var dangling []InvalidConfig
	err = idb.NewRaw(danglingRefsSQL(), orgID, bun.In(configRefKeys())).Scan(ctx, &dangling)
	if err != nil {
		return nil, fmt.Errorf("db: preview sync configs: %w", err)
	}
	p.InvalidConfigs = append(p.InvalidConfigs, dangling...)
	err = idb.NewRaw(`SELECT t.key AS name, count(*) AS agents
		FROM agents a CROSS JOIN LATERAL jsonb_each(a.tools) t LEFT JOIN catalog_tools c ON c.name = t.key
		WHERE a.org_id = ? AND a.deleted_at IS NULL AND (c.name IS NULL OR c.removed_at IS NOT NULL)
		GROUP BY t.key ORDER BY t.key`, orgID).Scan(ctx, &p.NotInCatalog)
	if err != nil {
		return nil, err
	}
	return p, nil
}

// AddCapability adds one catalog tool to an agent (Runtype's "add capability"), with
// an optional config; adding a tool the agent has replaces its config.
func (s *Store) AddCapability(ctx context.Context, actor *Actor, agentID int64, name string, config json.RawMessage) (*Agent, error) {
	return s.changeTools(ctx, actor, agentID, "added capability "+name, func(tools map[string]json.RawMessage) error {
		def := json.RawMessage(`{}`)
		if len(config) > 0 && string(config) != "null" {
			b, _ := json.Marshal(map[string]json.RawMessage{"config": config})
			def = b
		}
		tools[name] = def
		return nil
	})
}

// RemoveCapability removes one tool from an agent; ErrNotFound when it has none of that name.
func (s *Store) RemoveCapability(ctx context.Context, actor *Actor, agentID int64, name string) (*Agent, error) {
	return s.changeTools(ctx, actor, agentID, "removed capability "+name, func(tools map[string]json.RawMessage) error {
		if _, ok := tools[name]; !ok {
			return fmt.Errorf("db: agent %d has no tool %q: %w", agentID, name, ErrNotFound)
		}
		delete(tools, name)
		return nil
	})
}

// changeTools edits an agent's tools under its row lock and saves through the one
// validator, as a version with source "capability".
func (s *Store) changeTools(ctx context.Context, actor *Actor, agentID int64, summary string, edit func(map[string]json.RawMessage) error) (*Agent, error) {
	var saved *Agent
	err := s.proposing(ctx, actor, func(ctx context.Context, tx bun.Tx) error {
		a := new(Agent)
		if err := liveAgent(tx, a, actor.OrgID, agentID).For("UPDATE").Scan(ctx); err != nil {
			return fmt.Errorf("db: agent %d: %w", agentID, notFound(err))
		}
		tools := make(map[string]json.RawMessage, len(a.Tools)+1)
		for k, v := range a.Tools {
			tools[k] = v
		}
		if err := edit(tools); err != nil {
			return err
		}
		var err error
		saved, err = s.saveAgentTx(ctx, tx, actor, &AgentPatch{ID: Some(agentID), Tools: Some(tools)}, SourceCapability, summary)
		return err
	})
	return saved, err
}

// configRefKeys lists the config keys that carry ids (agentspec.ConfigRefs).
func configRefKeys() []string {
	keys := make([]string, len(agentspec.ConfigRefs))
	for i, r := range agentspec.ConfigRefs {
		keys[i] = r.IDKey
	}
	return keys
}

// danglingRefsSQL finds config ids (agentspec.ConfigRefs) whose object no longer
// exists, with a sentence per id ("calls agent 7, which no longer exists").
func danglingRefsSQL() string {
	var message, missing strings.Builder
	message.WriteString("CASE k.key")
	for _, r := range agentspec.ConfigRefs {
		fmt.Fprintf(&message, " WHEN '%s' THEN '%s %s '", r.IDKey, r.Verb, r.Noun)
		live := ""
		if r.Live {
			live = " AND b.deleted_at IS NULL"
		}
		fmt.Fprintf(&missing, "\n\t\tAND NOT EXISTS (SELECT 1 FROM %s b WHERE k.key = '%s' AND b.id::text = x.id AND b.org_id = a.org_id%s)", r.Table, r.IDKey, live)
	}
	message.WriteString(" END")
	return `SELECT a.id AS agent_id, a.name AS agent_name, t.key AS tool,
			` + message.String() + ` || x.id || ', which no longer exists' AS message
		FROM agents a CROSS JOIN LATERAL jsonb_each(a.tools) t
		CROSS JOIN LATERAL jsonb_each(CASE WHEN jsonb_typeof(t.value -> 'config') = 'object' THEN t.value -> 'config' ELSE '{}'::jsonb END) k
		CROSS JOIN LATERAL jsonb_array_elements_text(CASE WHEN jsonb_typeof(k.value) = 'array' THEN k.value ELSE '[]'::jsonb END) x(id)
		WHERE a.org_id = ? AND a.deleted_at IS NULL AND k.key IN (?)` + missing.String() + `
		ORDER BY a.id, t.key`
}
