package web

import (
	"github.com/gofiber/fiber/v2"

	"agentconsole/db/cardsvc"
	"agentconsole/handlers"
	"agentconsole/handlers/openapi"
)

// routes mounts every route of the console and the API, grouped by who may call them.
func (s *Server) routes(base handlers.Base, fetcher cardsvc.Fetcher) {
	app := s.App
	auth := &handlers.Auth{Base: base, MaxFailuresPerAccount: s.cfg.LoginMaxPerAccount, MaxFailuresPerIP: s.cfg.LoginMaxPerIP, FailureWindow: s.cfg.LoginWindow}
	admin := &handlers.Admin{Base: base}
	api := &handlers.API{Base: base}
	home := &handlers.Home{Base: base}
	agentsAPI := &handlers.AgentsAPI{Base: base}
	tagsAPI := &handlers.TagsAPI{Base: base}
	versionsAPI := &handlers.VersionsAPI{Base: base}
	toolsAPI := &handlers.ToolsAPI{Base: base}
	cardsAPI := &handlers.CardsAPI{Base: base, Fetcher: fetcher}
	cards := &handlers.Cards{Base: base, Fetcher: fetcher, Kick: s.cards.Kick}
	tools := &handlers.Tools{Base: base}
	versions := &handlers.Versions{Base: base}
	tags := &handlers.Tags{Base: base}
	deps := &handlers.Dependents{Base: base}
	agents := &handlers.Agents{Base: base, EmailDomain: s.cfg.EmailDomain}
	changesAPI := &handlers.ChangeRequestsAPI{Base: base}
	reviews := &handlers.Reviews{Base: base}

	app.Use(s.recoverPanics, s.requestLog, s.securityHeaders)

	// Operations: no session, no auth.
	app.Get("/healthz", s.healthz)
	app.Get("/readyz", s.readyz)
	if s.cfg.MetricsAddr == "" { // else served only on its own address (ServeMetrics)
		app.Get("/metrics", s.metrics.handler())
	}
	s.mountStatic()
	// Everything below waits its turn under load; health checks and static files above do not.
	app.Use(s.admit.handler)

	app.Get("/api/openapi.yaml", func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, "application/yaml")
		return c.Send(openapi.YAML)
	})

	// JSON API: Bearer token (or the console session plus its CSRF header).
	apiGroup := app.Group("/api", s.apiAuth, s.agentUUIDs, s.checkInput)
	apiGroup.Get("/me", api.Me)
	apiGroup.Get("/tokens", api.Tokens)
	apiGroup.Post("/tokens", api.CreateToken)
	apiGroup.Delete("/tokens/:id", api.RevokeToken)
	apiGroup.Get("/users", api.Users)
	apiGroup.Post("/users/:id/deactivate", api.DeactivateUser)
	apiGroup.Post("/users/:id/reactivate", api.ReactivateUser)
	apiGroup.Get("/audit", api.Audit)
	apiGroup.Get("/models", agentsAPI.Models)
	apiGroup.Post("/models", agentsAPI.AddModel)
	apiGroup.Get("/agents", agentsAPI.List)
	apiGroup.Post("/agents", agentsAPI.Save)
	apiGroup.Post("/agents/import", agentsAPI.Import)
	apiGroup.Post("/agents/bulk", agentsAPI.Bulk)
	apiGroup.Get("/tools", toolsAPI.List)
	apiGroup.Get("/tools/catalog", toolsAPI.CatalogFile)
	apiGroup.Post("/tools/catalog", toolsAPI.ImportCatalog)
	apiGroup.Post("/agents/sync-tools", toolsAPI.Sync)
	apiGroup.Get("/agents/sync-tools/preview", toolsAPI.Preview)
	apiGroup.Post("/agents/fetch-agent-card", cardsAPI.Preview)
	apiGroup.Get("/skill-role-rules", cardsAPI.Rules)
	apiGroup.Post("/skill-role-rules", cardsAPI.SaveRule)
	apiGroup.Delete("/skill-role-rules/:id", cardsAPI.DeleteRule)
	apiGroup.Get("/agents/versions", versionsAPI.List)
	apiGroup.Get("/agents/versions/:versionId", versionsAPI.Get)
	apiGroup.Get("/agents/:id", agentsAPI.Get)
	apiGroup.Get("/agents/:id/diff", versionsAPI.Diff)
	apiGroup.Post("/agents/:id/versions/:versionId/restore", versionsAPI.Restore)
	apiGroup.Put("/agents/:id", agentsAPI.Update)
	apiGroup.Delete("/agents/:id", agentsAPI.Delete)
	apiGroup.Post("/agents/:id/restore", agentsAPI.Restore)
	apiGroup.Post("/agents/:id/clone", agentsAPI.Clone)
	apiGroup.Post("/agents/:id/publish", agentsAPI.Publish)
	apiGroup.Get("/agents/:id/export", agentsAPI.Export)
	apiGroup.Put("/agents/:id/import", agentsAPI.ImportInto)
	apiGroup.Post("/agents/:id/refresh-agent-card", cardsAPI.Refresh)
	apiGroup.Get("/agents/:id/agent-card", cardsAPI.Card)
	apiGroup.Get("/agents/:id/card-refreshes", cardsAPI.History)
	apiGroup.Put("/agents/:id/skills/:skillId/roles", cardsAPI.SetSkillRoles)
	apiGroup.Post("/agents/:id/capabilities", toolsAPI.AddCapability)
	apiGroup.Delete("/agents/:id/capabilities/:name", toolsAPI.RemoveCapability)
	apiGroup.Get("/agent-tags", tagsAPI.List)
	apiGroup.Post("/agent-tags", tagsAPI.Create)
	apiGroup.Put("/agent-tags/:id", tagsAPI.Update)
	apiGroup.Delete("/agent-tags/:id", tagsAPI.Delete)
	apiGroup.Post("/agent-tags/:id/agents", tagsAPI.Bulk)
	apiGroup.Get("/knowledge-bases", agentsAPI.KnowledgeBases)
	apiGroup.Post("/knowledge-bases", agentsAPI.CreateKnowledgeBase)
	apiGroup.Get("/mcp-servers", agentsAPI.MCPServers)
	apiGroup.Post("/mcp-servers", agentsAPI.CreateMCPServer)
	// What depends on what (issue 18).
	apiGroup.Get("/agents/:id/dependents", agentsAPI.Dependents)
	apiGroup.Put("/knowledge-bases/:id", agentsAPI.UpdateKnowledgeBase)
	apiGroup.Delete("/knowledge-bases/:id", agentsAPI.DeleteKnowledgeBase)
	apiGroup.Put("/mcp-servers/:id", agentsAPI.UpdateMCPServer)
	apiGroup.Delete("/mcp-servers/:id", agentsAPI.DeleteMCPServer)
	// Review before release: change requests and the policy.
	apiGroup.Get("/change-requests", changesAPI.List)
	apiGroup.Get("/change-requests/:id", changesAPI.Get)
	apiGroup.Put("/change-requests/:id", changesAPI.Update)
	apiGroup.Post("/change-requests/:id/comments", changesAPI.Comment)
	apiGroup.Post("/change-requests/:id/approve", changesAPI.Approve)
	apiGroup.Post("/change-requests/:id/request-changes", changesAPI.RequestChanges)
	apiGroup.Post("/change-requests/:id/merge", changesAPI.Merge)
	apiGroup.Post("/change-requests/:id/close", changesAPI.Close)
	apiGroup.Get("/review-policy", changesAPI.Policy)
	apiGroup.Put("/review-policy", changesAPI.SetPolicy)
	apiGroup.Use(func(c *fiber.Ctx) error { return handlers.APIError(c, fiber.StatusNotFound, handlers.MsgNotFound) })

	// Console, public: the login page.
	console := app.Group("", s.consoleSession, s.csrf, s.checkInput)
	console.Get("/login", auth.LoginPage)
	console.Post("/login", auth.Login)

	// Console, signed in.
	in := console.Group("", s.requireLogin, s.agentUUIDs)
	in.Get("/", func(c *fiber.Ctx) error { return c.Redirect("/agents", fiber.StatusSeeOther) })
	in.Get("/overview", home.Show)
	in.Post("/logout", auth.Logout)
	in.Get("/account", auth.AccountPage)
	in.Post("/account/password", auth.ChangePassword)
	in.Post("/account/tokens/:id/revoke", auth.RevokeOwnToken)
	in.Get("/agents", agents.List)
	in.Get("/agents/new", agents.New)
	in.Get("/picker", agents.Picker) // the editor pickers' search (htmx)
	in.Get("/agents/external/new", cards.NewExternal)
	in.Post("/agents/external/preview", cards.PreviewExternal)
	in.Post("/agents/external", cards.CreateExternal)
	in.Post("/agents", agents.Create)
	in.Post("/agents/validate", agents.Validate)
	in.Get("/agents/:id", agents.Show)
	in.Post("/agents/:id", agents.Update)
	in.Post("/agents/:id/delete", agents.Delete)
	in.Post("/agents/:id/restore", agents.Restore)
	in.Post("/agents/:id/clone", agents.Clone)
	in.Get("/agents/:id/card", cards.Show)
	in.Post("/agents/:id/card/refresh", cards.Refresh)
	in.Get("/agents/:id/card/refreshes/:refreshId", cards.RefreshDiff)
	in.Post("/agents/:id/card/skills/:skillId/roles", cards.SetSkillRoles)
	in.Get("/agents/:id/versions", versions.History)
	in.Get("/agents/:id/versions/:versionId", versions.Snapshot)
	in.Get("/agents/:id/diff", versions.Diff)
	in.Post("/agents/:id/versions/:versionId/restore", versions.Restore)
	in.Post("/agents-bulk/tags", tags.BulkFromList)
	in.Post("/agents-bulk", agents.Bulk)
	in.Get("/tools", tools.List)
	in.Get("/tools/:name", tools.Show)
	in.Get("/tags", tags.List)
	in.Post("/tags", tags.Create)
	in.Post("/tags/inline", tags.Inline)
	in.Post("/tags/:id", tags.Update)
	in.Post("/tags/:id/delete", tags.Delete)
	// What depends on what (issue 18): "Used by" pages, knowledge bases, MCP servers.
	in.Get("/agents/:id/dependents", deps.Agent)
	in.Post("/agents/:id/dependents/delete", deps.DeleteAgent)
	in.Get("/knowledge-bases", deps.KnowledgeBases)
	in.Post("/knowledge-bases", deps.CreateKnowledgeBase)
	in.Get("/knowledge-bases/:id", deps.KnowledgeBase)
	in.Post("/knowledge-bases/:id", deps.RenameKnowledgeBase)
	in.Post("/knowledge-bases/:id/delete", deps.DeleteKnowledgeBase)
	in.Get("/mcp-servers", deps.MCPServers)
	in.Post("/mcp-servers", deps.CreateMCPServer)
	in.Get("/mcp-servers/:id", deps.MCPServer)
	in.Post("/mcp-servers/:id", deps.UpdateMCPServer)
	in.Post("/mcp-servers/:id/delete", deps.DeleteMCPServer)
	in.Get("/reviews", reviews.List)
	in.Get("/reviews-count", reviews.Count)
	in.Get("/reviews/:id", reviews.Show)
	in.Post("/reviews/:id/comments", reviews.Comment)
	in.Post("/reviews/:id/review", reviews.Review)
	in.Post("/reviews/:id/merge", reviews.Merge)
	in.Post("/reviews/:id/close", reviews.Close)

	// Console, platform data: organisation admins read it, platform operators change it
	// (the handlers check the flag). Mounted before the admin group so that operators
	// who are not organisation admins reach these two pages.
	in.Get("/admin", handlers.RequireAdminOrOperator, admin.Index)
	in.Get("/admin/catalog", handlers.RequireAdminOrOperator, tools.CatalogPage)
	in.Post("/admin/catalog", handlers.RequireAdminOrOperator, tools.CatalogUpload)
	in.Get("/admin/models", handlers.RequireAdminOrOperator, admin.Models)
	in.Post("/admin/models", handlers.RequireAdminOrOperator, admin.AddModel)

	// Console, admins only.
	adm := in.Group("/admin", s.requireAdmin)
	adm.Get("/users", admin.Users)
	adm.Post("/users", admin.CreateUser)
	adm.Post("/users/:id/role", admin.SetRole)
	adm.Post("/users/:id/deactivate", admin.Deactivate)
	adm.Post("/users/:id/reactivate", admin.Reactivate)
	adm.Get("/tokens", admin.Tokens)
	adm.Post("/tokens", admin.CreateToken)
	adm.Post("/tokens/:id/revoke", admin.RevokeToken)
	adm.Get("/audit", admin.Audit)
	adm.Get("/audit.csv", admin.AuditCSV)
	adm.Get("/sync", tools.SyncPreview)
	adm.Post("/sync", tools.SyncRun)
	adm.Get("/skill-roles", cards.Rules)
	adm.Post("/skill-roles", cards.SaveRule)
	adm.Post("/skill-roles/:id/delete", cards.DeleteRule)
	adm.Post("/cards/refresh-all", cards.RefreshAll)
	adm.Get("/review-policy", reviews.Policy)
	adm.Post("/review-policy", reviews.SetPolicy)
	adm.Post("/review-policy/approvers/:id", reviews.SetApprover)
	adm.Get("/cards/progress", cards.Progress)

	app.Use(func(c *fiber.Ctx) error { return fiber.ErrNotFound })
}
