// Package route builds the console's URLs in one place (miniflux's route.Path): each
// route is a named pattern, and Path fills its {parameters} in order. Handlers and
// views both use it, so a URL is never spelled by concatenation.
package route

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// Named console routes (web/routes.go registers them with Fiber's :param syntax).
const (
	Agents               = "/agents"
	Agent                = "/agents/{id}"
	AgentClone           = "/agents/{id}/clone"
	AgentDelete          = "/agents/{id}/delete"
	AgentRestore         = "/agents/{id}/restore"
	AgentVersions        = "/agents/{id}/versions"
	AgentVersion         = "/agents/{id}/versions/{versionId}"
	AgentVersionRestore  = "/agents/{id}/versions/{versionId}/restore"
	AgentDiff            = "/agents/{id}/diff"
	AgentCard            = "/agents/{id}/card"
	AgentCardRefresh     = "/agents/{id}/card/refresh"
	AgentCardRefreshDiff = "/agents/{id}/card/refreshes/{refreshId}"
	AgentSkillRoles      = "/agents/{id}/card/skills/{skillId}/roles"
	AgentNew             = "/agents/new"
	AgentsValidate       = "/agents/validate"
	ExternalAgents       = "/agents/external"
	ExternalAgentNew     = "/agents/external/new"
	ExternalAgentPreview = "/agents/external/preview"
	AgentsBulkTags       = "/agents-bulk/tags"
	Tags                 = "/tags"
	Account              = "/account"
	AdminUsers           = "/admin/users"
	AdminTokens          = "/admin/tokens"
	AdminModels          = "/admin/models"
	AdminSkillRoles      = "/admin/skill-roles"
	AgentDependents      = "/agents/{id}/dependents"
	AgentDependentsDel   = "/agents/{id}/dependents/delete"
	KnowledgeBases       = "/knowledge-bases"
	KnowledgeBase        = "/knowledge-bases/{id}"
	KnowledgeBaseDelete  = "/knowledge-bases/{id}/delete"
	MCPServers           = "/mcp-servers"
	MCPServer            = "/mcp-servers/{id}"
	MCPServerDelete      = "/mcp-servers/{id}/delete"
)

// DeletedAgents is the list of deleted agents (the Agents route with its filter).
const DeletedAgents = Agents + "?deleted=true"

// Path fills the pattern's {parameters} with args, in order: integers as decimals,
// strings path-escaped. A count that does not match the pattern panics (a programming
// error, caught by any test that renders the page).
func Path(pattern string, args ...any) string {
	var b strings.Builder
	rest := pattern
	for _, a := range args {
		i := strings.IndexByte(rest, '{')
		j := strings.IndexByte(rest, '}')
		if i < 0 || j < i {
			panic("route: too many arguments for " + pattern)
		}
		b.WriteString(rest[:i])
		switch v := a.(type) {
		case string:
			b.WriteString(url.PathEscape(v))
		case int64: // ids: the common case, without fmt's reflection
			b.WriteString(strconv.FormatInt(v, 10))
		default:
			fmt.Fprint(&b, v)
		}
		rest = rest[j+1:]
	}
	if strings.IndexByte(rest, '{') >= 0 {
		panic("route: missing arguments for " + pattern)
	}
	b.WriteString(rest)
	return b.String()
}
