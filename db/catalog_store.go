package db

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"agentconsole/db/catalog"
)

// CatalogTool is a tool of the current catalog with its usage in one organisation.
type CatalogTool struct {
	Name          string          `bun:"name" json:"name"`
	Kind          string          `bun:"kind" json:"kind"`
	Category      string          `bun:"category" json:"category"`
	Description   string          `bun:"description" json:"description"`
	Parameters    json.RawMessage `bun:"parameters" json:"parameters,omitempty"`
	ConfigSchema  json.RawMessage `bun:"config_schema" json:"configSchema,omitempty"`
	Definition    json.RawMessage `bun:"definition" json:"-"`
	DefinitionRef []byte          `bun:"definition_ref" json:"-"` // its agent_blobs hash (migration 007)
	Version       string          `bun:"version" json:"version"`
	RemovedAt     *time.Time      `bun:"removed_at" json:"removedAt,omitempty"`
	UpdatedAt     time.Time       `bun:"updated_at" json:"updatedAt"`
	Agents        int             `bun:"agents" json:"agents"`
	Outdated      int             `bun:"outdated" json:"outdated"`
}

// dropNulls turns SQL NULL schemas (scanned as JSON null) into absent ones.
func (t *CatalogTool) dropNulls() {
	if string(t.Parameters) == "null" {
		t.Parameters = nil
	}
	if string(t.ConfigSchema) == "null" {
		t.ConfigSchema = nil
	}
}

// CatalogImport reports what loading a catalog changed.
type CatalogImport struct {
	CatalogVersion string
	Skipped        bool // this exact file was loaded before
	Added          []string
	Changed        []string
	Removed        []string
	Outdated       int // agents (of the importer's organisation) now holding an older schema
}

// catalogLockKey serialises catalog loads across instances ("catalog").
const catalogLockKey = 0x636174616c6f67

// ErrNotPlatformOperator refuses a change of platform-wide data (the tool catalog, the
// model registry) by anyone but a platform operator, whatever their organisation role.
var ErrNotPlatformOperator = errors.New("db: only platform operators change platform data")

// ImportCatalog loads a parsed catalog: new definitions are added to the history,
// changed ones become current, tools absent from the file are marked removed (agents
// keep them; sync reports them). Loading the same file again changes nothing. The
// catalog is platform data: actor must be a platform operator (nil is the CLI or the
// bundled file), and every organisation's audit log records the load.
func (s *Store) ImportCatalog(ctx context.Context, actor *Actor, c *catalog.Catalog, raw []byte, source string) (*CatalogImport, error) {
	if actor != nil && !actor.IsPlatformOperator() {
		return nil, ErrNotPlatformOperator
	}
	sum := sha256.Sum256(raw)
	checksum := hex.EncodeToString(sum[:])
	res := &CatalogImport{CatalogVersion: c.Version, Added: []string{}, Changed: []string{}, Removed: []string{}}
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(?)", int64(catalogLockKey)); err != nil {
			return err
		}
		if source == "bundled" {
			var seen bool
			if err := tx.NewRaw("SELECT EXISTS (SELECT 1 FROM catalog_imports WHERE checksum = ?)", checksum).Scan(ctx, &seen); err != nil {
				return err
			}
			if seen {
				res.Skipped = true
				return nil
			}
		}
		n := len(c.Tools)
		names, kinds, cats, descs, versions := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		params, configs, defs := make([]string, n), make([]string, n), make([]string, n)
		for i, t := range c.Tools {
			names[i], kinds[i], cats[i], descs[i], versions[i] = t.Name, t.Kind, t.Category, t.Description, t.Version
			params[i], configs[i], defs[i] = jsonOrNull(t.Parameters), jsonOrNull(t.ConfigSchema), string(t.Definition())
		}
		// One statement: history rows, then the current table, reporting what changed.
		var rows []struct {
			Name   string `bun:"name"`
			Change string `bun:"change"`
		}
		err := tx.NewRaw(`WITH input AS (
				SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
					AS i(name, kind, category, description, version, parameters, config_schema, definition)),
			hist AS (
				INSERT INTO catalog_tool_versions (name, version, kind, category, description, parameters, config_schema, definition)
				SELECT name, version, kind, category, description, parameters::jsonb, config_schema::jsonb, definition::jsonb FROM input
				ON CONFLICT DO NOTHING),
			prev AS (SELECT name, version, removed_at FROM catalog_tools),
			up AS (
				INSERT INTO catalog_tools (name, kind, category, description, parameters, config_schema, definition, version, removed_at, updated_at)
				SELECT name, kind, category, description, parameters::jsonb, config_schema::jsonb, definition::jsonb, version, NULL, now() FROM input
				ON CONFLICT (name) DO UPDATE SET kind = EXCLUDED.kind, category = EXCLUDED.category, description = EXCLUDED.description,
					parameters = EXCLUDED.parameters, config_schema = EXCLUDED.config_schema, definition = EXCLUDED.definition,
					version = EXCLUDED.version, removed_at = NULL,
					updated_at = CASE WHEN catalog_tools.version = EXCLUDED.version AND catalog_tools.removed_at IS NULL THEN catalog_tools.updated_at ELSE now() END
				RETURNING name, version),
			gone AS (
				UPDATE catalog_tools SET removed_at = now(), updated_at = now()
				WHERE removed_at IS NULL AND name <> ALL(?::text[]) RETURNING name)
			SELECT up.name, CASE WHEN prev.name IS NULL OR prev.removed_at IS NOT NULL THEN 'added' ELSE 'changed' END AS change
				FROM up LEFT JOIN prev ON prev.name = up.name WHERE prev.name IS NULL OR prev.removed_at IS NOT NULL OR prev.version <> up.version
			UNION ALL SELECT name, 'removed' FROM gone ORDER BY 1`,
			pgdialect.Array(names), pgdialect.Array(kinds), pgdialect.Array(cats), pgdialect.Array(descs), pgdialect.Array(versions),
			pgdialect.Array(params), pgdialect.Array(configs), pgdialect.Array(defs), pgdialect.Array(names)).Scan(ctx, &rows)
		if err != nil {
			return fmt.Errorf("db: import catalog: %w", err)
		}
		for _, r := range rows {
			switch r.Change {
			case "added":
				res.Added = append(res.Added, r.Name)
			case "changed":
				res.Changed = append(res.Changed, r.Name)
			default:
				res.Removed = append(res.Removed, r.Name)
			}
		}
		by := source
		if actor != nil {
			by = actor.Label()
		}
		var importID int64
		if err := tx.NewRaw(`INSERT INTO catalog_imports (catalog_version, checksum, source, imported_by, changed, added, removed) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			c.Version, checksum, source, by, pgdialect.Array(res.Changed), pgdialect.Array(res.Added), pgdialect.Array(res.Removed)).Scan(ctx, &importID); err != nil {
			return err
		}
		return s.AuditPlatform(ctx, tx, actor, source, "catalog.imported", "catalog", strconv.FormatInt(importID, 10),
			fmt.Sprintf("tool catalog %s loaded: %d added, %d changed, %d removed", c.Version, len(res.Added), len(res.Changed), len(res.Removed)))
	})
	if err != nil {
		return nil, err
	}
	if actor != nil && actor.OrgID != 0 {
		if res.Outdated, err = s.OutdatedAgents(ctx, actor.OrgID); err != nil {
			return nil, err
		}
	}
	return res, nil
}

func jsonOrNull(raw json.RawMessage) string {
	if len(raw) == 0 {
		return "null"
	}
	return string(raw)
}

// LoadBundledCatalog loads the catalog shipped in the binary unless this exact file
// was loaded before (so an admin's newer upload is not undone by a restart).
func (s *Store) LoadBundledCatalog(ctx context.Context) error {
	c, err := catalog.Parse(catalog.Bundled)
	if err != nil {
		return err
	}
	_, err = s.ImportCatalog(ctx, nil, c, catalog.Bundled, "bundled")
	return err
}

// outdatedPredicate is true for an agent tool (t) whose stored definition differs from
// the current catalog's (c) — the test sync and the counts share.
// A tool stored as a reference is compared by reference (migration 007).
const outdatedPredicate = `(c.kind = 'native' AND c.removed_at IS NULL AND CASE WHEN jsonb_exists(t.value, '$def')
	THEN t.value ->> '$def' <> encode(c.definition_ref, 'hex') ELSE (t.value - 'config') <> c.definition END)`

// currentRefs and currentDefs are the live native tools' definition references (hex)
// and definitions by name, each computed once per statement (an InitPlan).
const (
	currentRefs = `(SELECT coalesce(jsonb_object_agg(name, encode(definition_ref, 'hex')), '{}'::jsonb) FROM catalog_tools WHERE kind = 'native' AND removed_at IS NULL)`
	currentDefs = `(SELECT coalesce(jsonb_object_agg(name, definition), '{}'::jsonb) FROM catalog_tools WHERE kind = 'native' AND removed_at IS NULL)`
)

// entryOutdated is outdatedPredicate for an agent tool (t) without a join: looked up in
// currentRefs/currentDefs by name. Per agent, the join to catalog_tools scanned the
// catalog and built a hash (10,200 times in a sync's filter on the bench data: 325 ms
// against 120 ms for this); TestOutdatedAgentsAgreeAcrossPredicates holds the two equal.
const entryOutdated = `(jsonb_exists(` + currentRefs + `, t.key) AND CASE WHEN jsonb_exists(t.value, '$def')
	THEN t.value ->> '$def' <> ` + currentRefs + ` ->> t.key ELSE (t.value - 'config') <> ` + currentDefs + ` -> t.key END)`

// Catalog lists the current catalog with, for one organisation, how many agents use
// each tool and how many of those hold an outdated definition, read from the counts
// the triggers of migration 034 keep (tool_usage): a few hundred rows at most, whatever
// the number of agents.
func (s *Store) Catalog(ctx context.Context, orgID int64) ([]CatalogTool, error) {
	tools, _, err := s.catalogUsage(ctx, orgID, "")
	return tools, err
}

// CatalogUsage is Catalog and OutdatedAgents together, the catalog page's data, in one
// statement (one snapshot: the two figures agree).
func (s *Store) CatalogUsage(ctx context.Context, orgID int64) ([]CatalogTool, int, error) {
	return s.catalogUsage(ctx, orgID, `, (SELECT coalesce(sum(outdated), 0) FROM tool_usage WHERE org_id = ?0 AND name = '') AS org_outdated`)
}

// catalogUsage reads the catalog with the organisation's (?0) summed usage deltas per
// tool; extra adds the org_outdated column (the row with the empty name carries the
// agents holding at least one outdated tool, migration 034).
func (s *Store) catalogUsage(ctx context.Context, orgID int64, extra string) ([]CatalogTool, int, error) {
	var rows []struct {
		CatalogTool
		OrgOutdated int `bun:"org_outdated"`
	}
	err := s.DB.NewRaw(`SELECT c.*, coalesce(u.agents, 0) AS agents, coalesce(u.outdated, 0) AS outdated`+extra+`
		FROM catalog_tools c LEFT JOIN (SELECT name, sum(agents) AS agents, sum(outdated) AS outdated FROM tool_usage WHERE org_id = ?0 GROUP BY name) u
			ON u.name = c.name
		ORDER BY c.removed_at IS NOT NULL, c.name`, orgID).Scan(ctx, &rows)
	if err != nil {
		return nil, 0, fmt.Errorf("db: catalog: %w", err)
	}
	tools, outdated := make([]CatalogTool, len(rows)), 0
	for i := range rows {
		tools[i], outdated = rows[i].CatalogTool, rows[i].OrgOutdated
		tools[i].dropNulls()
	}
	return tools, outdated, nil
}

// CatalogToolByName reads one tool of the catalog.
func (s *Store) CatalogToolByName(ctx context.Context, name string) (*CatalogTool, error) {
	t := new(CatalogTool)
	if err := s.DB.NewRaw("SELECT * FROM catalog_tools WHERE name = ?", name).Scan(ctx, t); err != nil {
		return nil, fmt.Errorf("db: catalog tool %q: %w", name, notFound(err))
	}
	t.dropNulls()
	return t, nil
}

// ToolUser is an agent using a tool.
type ToolUser struct {
	ID       int64  `bun:"id" json:"id"`
	Name     string `bun:"name" json:"name"`
	Outdated bool   `bun:"outdated" json:"outdated"`
}

// ToolUsers lists the organisation's agents that have the tool, outdated first.
func (s *Store) ToolUsers(ctx context.Context, orgID int64, name string) ([]ToolUser, error) {
	users := []ToolUser{}
	err := s.DB.NewRaw(`SELECT a.id, a.name, coalesce(`+outdatedPredicate+`, false) AS outdated
		FROM agents a CROSS JOIN LATERAL jsonb_each(a.tools) t LEFT JOIN catalog_tools c ON c.name = t.key
		WHERE a.org_id = ? AND a.deleted_at IS NULL AND jsonb_exists(a.tools, ?) AND t.key = ?
		ORDER BY 3 DESC, lower(a.name), a.id`, orgID, name, name).Scan(ctx, &users)
	return users, err
}

// OutdatedAgents counts the organisation's agents holding at least one outdated schema
// (from the maintained counts, migration 034).
func (s *Store) OutdatedAgents(ctx context.Context, orgID int64) (int, error) {
	var n int
	err := s.DB.NewRaw(`SELECT coalesce(sum(outdated), 0) FROM tool_usage WHERE org_id = ? AND name = ''`, orgID).Scan(ctx, &n)
	return n, err
}

// ToolUsageMismatch compares the organisation's maintained tool usage counts
// (migration 034) with a full recount from its agents' tools, and describes each
// difference ("" when they agree): the check the tests run after their writes, and a
// consistency check for operators. The recount expands every agent's tools, as the
// catalog page did per view before the counts were kept.
func (s *Store) ToolUsageMismatch(ctx context.Context, orgID int64) (string, error) {
	var diffs []string
	err := s.DB.NewRaw(`WITH recount AS (
			SELECT t.key AS name, count(*) AS agents, count(*) FILTER (WHERE `+outdatedPredicate+`) AS outdated
			FROM agents a CROSS JOIN LATERAL jsonb_each(a.tools) t LEFT JOIN catalog_tools c ON c.name = t.key
			WHERE a.org_id = ?0 AND a.deleted_at IS NULL GROUP BY t.key
			UNION ALL
			SELECT '', 0, count(DISTINCT a.id) FROM agents a CROSS JOIN LATERAL jsonb_each(a.tools) t JOIN catalog_tools c ON c.name = t.key
			WHERE a.org_id = ?0 AND a.deleted_at IS NULL AND `+outdatedPredicate+`),
		kept AS (SELECT name, sum(agents) AS agents, sum(outdated) AS outdated FROM tool_usage WHERE org_id = ?0 GROUP BY name)
		SELECT format('%s: kept %s/%s, recount %s/%s', coalesce(nullif(coalesce(r.name, k.name), ''), 'agents with an outdated tool'), coalesce(k.agents, 0), coalesce(k.outdated, 0),
			coalesce(r.agents, 0), coalesce(r.outdated, 0))
		FROM recount r FULL JOIN kept k ON k.name = r.name
		WHERE coalesce(r.agents, 0) <> coalesce(k.agents, 0) OR coalesce(r.outdated, 0) <> coalesce(k.outdated, 0)
		ORDER BY 1`, orgID).Scan(ctx, &diffs)
	if err != nil {
		return "", fmt.Errorf("db: tool usage check of org %d: %w", orgID, err)
	}
	return strings.Join(diffs, "; "), nil
}

// CatalogFile is the current catalog as a catalog file, in the format a load takes
// (catalogVersion of the last load, native tools with category, description,
// parameters and configSchema, provider tools with their description): what an
// operator downloads to edit and load again. Removed tools are left out.
func (s *Store) CatalogFile(ctx context.Context) ([]byte, error) {
	var version string
	if err := s.DB.NewRaw("SELECT coalesce((SELECT catalog_version FROM catalog_imports ORDER BY id DESC LIMIT 1), '')").Scan(ctx, &version); err != nil {
		return nil, fmt.Errorf("db: catalog file: %w", err)
	}
	var tools []CatalogTool
	if err := s.DB.NewRaw(`SELECT name, kind, category, description, parameters, config_schema FROM catalog_tools
		WHERE removed_at IS NULL ORDER BY name`).Scan(ctx, &tools); err != nil {
		return nil, fmt.Errorf("db: catalog file: %w", err)
	}
	type native struct {
		Category     string          `json:"category,omitempty"`
		Description  string          `json:"description"`
		Parameters   json.RawMessage `json:"parameters"`
		ConfigSchema json.RawMessage `json:"configSchema,omitempty"`
	}
	type provider struct {
		Description string `json:"description,omitempty"`
	}
	f := struct {
		CatalogVersion string              `json:"catalogVersion"`
		Native         map[string]native   `json:"native"`
		Provider       map[string]provider `json:"provider,omitempty"`
	}{CatalogVersion: version, Native: map[string]native{}, Provider: map[string]provider{}}
	for _, t := range tools {
		t.dropNulls()
		switch {
		case t.Kind == "provider":
			f.Provider[t.Name] = provider{Description: t.Description}
		default:
			f.Native[t.Name] = native{Category: t.Category, Description: t.Description, Parameters: t.Parameters, ConfigSchema: t.ConfigSchema}
		}
	}
	return json.MarshalIndent(f, "", "  ")
}
