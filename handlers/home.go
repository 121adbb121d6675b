package handlers

import (
	"github.com/gofiber/fiber/v2"

	"agentconsole/views/pages/home"
)

// Home serves the signed-in landing page.
type Home struct{ Base }

// Show renders the overview of the organisation and the user's access.
func (h *Home) Show(c *fiber.Ctx) error {
	a := ActorOf(c)
	members, err := h.Store.Members(c.UserContext(), a.OrgID)
	if err != nil {
		return err
	}
	o := home.Overview{Members: len(members)}
	for _, p := range a.Role.Permissions() {
		o.Permissions = append(o.Permissions, string(p))
	}
	return Render(c, fiber.StatusOK, home.Home(h.Page(c, "Overview", "home"), o))
}
