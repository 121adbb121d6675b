package handlers

import (
	"encoding/json"
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"agentconsole/db"
	"agentconsole/db/catalog"
)

// ToolsAPI serves the tool catalog, the sync (seed 000) and capabilities (Runtype).
type ToolsAPI struct{ Base }

// MsgOnlyAdminsSync is seed 000's 403 wording.
const MsgOnlyAdminsSync = "Unauthorized: Only admins can sync agent tools"

type toolJSON struct {
	Description  string          `json:"description"`
	Parameters   json.RawMessage `json:"parameters,omitempty"`
	IsProvider   bool            `json:"isProviderTool,omitempty"`
	Kind         string          `json:"kind"`
	Category     string          `json:"category"`
	Version      string          `json:"version"`
	ConfigSchema json.RawMessage `json:"configSchema,omitempty"`
	Agents       int             `json:"agents"`
	Outdated     int             `json:"outdated"`
}

// List is GET /api/tools: the catalog keyed by tool name in the shape agents copy
// ({description, parameters}), plus kind, category, version and this organisation's usage.
func (h *ToolsAPI) List(c *fiber.Ctx) error {
	tools, err := h.Store.Catalog(c.UserContext(), ActorOf(c).OrgID)
	if err != nil {
		return err
	}
	out := map[string]toolJSON{}
	for _, t := range tools {
		if t.RemovedAt != nil {
			continue
		}
		out[t.Name] = toolJSON{Description: t.Description, Parameters: t.Parameters, IsProvider: t.Kind == "provider", Kind: t.Kind,
			Category: t.Category, Version: t.Version, ConfigSchema: t.ConfigSchema, Agents: t.Agents, Outdated: t.Outdated}
	}
	return c.JSON(fiber.Map{"tools": out})
}

// Sync is POST /api/agents/sync-tools (admin only, seed 000).
func (h *ToolsAPI) Sync(c *fiber.Ctx) error {
	if !ActorOf(c).Can(db.PermAdmin) {
		return &ErrForbidden{Message: MsgOnlyAdminsSync}
	}
	res, err := h.Store.SyncTools(c.UserContext(), ActorOf(c))
	if err != nil {
		return err
	}
	return c.JSON(syncResultJSON{Success: true, Updated: res.Updated, Total: res.Total, Agents: res.Agents})
}

// Preview is GET /api/agents/sync-tools/preview (admin): what a sync would change.
func (h *ToolsAPI) Preview(c *fiber.Ctx) error {
	if !ActorOf(c).Can(db.PermAdmin) {
		return &ErrForbidden{Message: MsgOnlyAdminsSync}
	}
	p, err := h.Store.PreviewSync(c.UserContext(), ActorOf(c).OrgID)
	if err != nil {
		return err
	}
	return c.JSON(syncPreviewJSON(*p))
}

// CatalogFile is GET /api/tools/catalog: the current catalog in the format a load
// takes, to download, edit and load again (served as an attachment).
func (h *ToolsAPI) CatalogFile(c *fiber.Ctx) error {
	raw, err := h.Store.CatalogFile(c.UserContext())
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="catalog.json"`)
	return c.Send(raw)
}

// ImportCatalog is POST /api/tools/catalog (platform operators): load a newer catalog file.
func (h *ToolsAPI) ImportCatalog(c *fiber.Ctx) error {
	if err := requireOperator(c, MsgOnlyOperatorsCatalog); err != nil {
		return err
	}
	res, err := importCatalog(c, h.Store, c.Body(), "upload")
	if err != nil {
		return agentError(c, err)
	}
	return c.JSON(catalogImportJSON(*res))
}

func importCatalog(c *fiber.Ctx, store *db.Store, raw []byte, source string) (*db.CatalogImport, error) {
	parsed, err := catalog.Parse(raw)
	if err != nil {
		return nil, &db.ValidationError{Message: "Invalid catalog: " + strings.TrimPrefix(err.Error(), "catalog: "), Bare: true}
	}
	res, err := store.ImportCatalog(c.UserContext(), ActorOf(c), parsed, raw, source)
	if errors.Is(err, db.ErrNotPlatformOperator) {
		return nil, &ErrForbidden{Message: MsgOnlyOperatorsCatalog}
	}
	return res, err
}

// AddCapability is POST /api/agents/{id}/capabilities {"name", "config"?}.
func (h *ToolsAPI) AddCapability(c *fiber.Ctx) error {
	id, err := permittedID(c, db.PermAgentsUpdate)
	if err != nil {
		return err
	}
	var body struct {
		Name   string          `json:"name"`
		Config json.RawMessage `json:"config"`
	}
	if err := decodeJSON(c.Body(), &body); err != nil {
		return agentError(c, err)
	}
	if strings.TrimSpace(body.Name) == "" {
		return validationError(c, "Validation Error", []db.Issue{{Message: "Required", Path: []any{"name"}}})
	}
	a, err := h.Store.AddCapability(c.UserContext(), ActorOf(c), id, body.Name, body.Config)
	if err != nil {
		return agentError(c, err)
	}
	return c.JSON(toAgentJSON(a, ActorOf(c).OrgUUID))
}

// RemoveCapability is DELETE /api/agents/{id}/capabilities/{name}.
func (h *ToolsAPI) RemoveCapability(c *fiber.Ctx) error {
	id, err := permittedID(c, db.PermAgentsUpdate)
	if err != nil {
		return err
	}
	a, err := h.Store.RemoveCapability(c.UserContext(), ActorOf(c), id, c.Params("name"))
	if errors.Is(err, db.ErrNotFound) {
		return err
	}
	if err != nil {
		return agentError(c, err)
	}
	return c.JSON(toAgentJSON(a, ActorOf(c).OrgUUID))
}
