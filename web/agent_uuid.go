package web

import (
	"regexp"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"agentconsole/handlers"
)

// agentUUIDPath matches an agent addressed by UUID (seed 003's agentId), in the API and
// in the console.
var agentUUIDPath = regexp.MustCompile(`^(/api)?/agents/([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})(/.*)?$`)

// agentUUIDs rewrites /agents/{uuid}… to /agents/{id}… for the caller's organisation,
// so every agent route accepts either id and no handler needs to know. Another
// organisation's UUID is Not Found. It runs after authentication.
func (s *Server) agentUUIDs(c *fiber.Ctx) error {
	m := agentUUIDPath.FindStringSubmatch(c.Path())
	if m == nil {
		return c.Next()
	}
	id, err := s.store.AgentIDByUUID(c.UserContext(), handlers.ActorOf(c).OrgID, m[2])
	if err != nil {
		return err
	}
	c.Path(m[1] + "/agents/" + strconv.FormatInt(id, 10) + m[3])
	return c.Next()
}
