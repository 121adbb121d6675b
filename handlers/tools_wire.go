package handlers

import "agentconsole/db"

// The tools API's answers: the JSON shapes live here, the results they carry in db.
// The preview and the catalog load convert from db's types field by field (Go ignores
// tags in a conversion), so a field added there without its wire name fails to compile.

// syncResultJSON is seed 000's answer to POST /api/agents/sync-tools.
type syncResultJSON struct {
	Success bool          `json:"success"`
	Updated int           `json:"updated"`
	Total   int           `json:"total"`
	Agents  []db.AgentRef `json:"agents"`
}

// syncPreviewJSON is GET /api/agents/sync-tools/preview.
type syncPreviewJSON struct {
	Total          int                `json:"total"`
	Agents         []db.AgentRef      `json:"agents"`
	Groups         []db.SyncGroup     `json:"changes"`
	InvalidConfigs []db.InvalidConfig `json:"invalidConfigs"`
	NotInCatalog   []db.ToolCount     `json:"notInCatalog"`
}

// catalogImportJSON is POST /api/tools/catalog's answer.
type catalogImportJSON struct {
	CatalogVersion string   `json:"catalogVersion"`
	Skipped        bool     `json:"skipped"`
	Added          []string `json:"added"`
	Changed        []string `json:"changed"`
	Removed        []string `json:"removed"`
	Outdated       int      `json:"outdatedAgents"`
}
