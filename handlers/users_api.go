package handlers

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"agentconsole/db"
)

// memberJSON is a member of the caller's organisation as the users API shows it.
type memberJSON struct {
	ID            int64      `json:"id"`
	Email         string     `json:"email"`
	Name          string     `json:"name"`
	Role          db.Role    `json:"role"`
	Active        bool       `json:"active"`
	DeactivatedAt *time.Time `json:"deactivatedAt"`
	CreatedAt     time.Time  `json:"createdAt"`
}

func toMemberJSON(m *db.Member) memberJSON {
	return memberJSON{ID: m.UserID, Email: m.Email, Name: m.Name, Role: m.Role, Active: m.Active(), DeactivatedAt: m.DeactivatedAt, CreatedAt: m.CreatedAt}
}

// Users (admin) is GET /api/users: the organisation's members.
func (h *API) Users(c *fiber.Ctx) error {
	if err := require(c, db.PermAdmin); err != nil {
		return err
	}
	members, err := h.Store.Members(c.UserContext(), ActorOf(c).OrgID)
	if err != nil {
		return err
	}
	out := make([]memberJSON, len(members))
	for i := range members {
		out[i] = toMemberJSON(&members[i])
	}
	return c.JSON(fiber.Map{"users": out})
}

// DeactivateUser (admin) is POST /api/users/{id}/deactivate: the member's sessions end
// and their tokens are revoked at once; they cannot sign in until reactivated.
func (h *API) DeactivateUser(c *fiber.Ctx) error {
	if err := require(c, db.PermAdmin); err != nil {
		return err
	}
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	d, err := h.Store.DeactivateMember(c.UserContext(), ActorOf(c), id)
	if msg, ok := memberRefusal(err); ok {
		return APIError(c, fiber.StatusBadRequest, msg)
	}
	if err != nil {
		return err
	}
	return c.JSON(struct {
		memberJSON
		SessionsEnded int64 `json:"sessionsEnded"`
		TokensRevoked int64 `json:"tokensRevoked"`
	}{toMemberJSON(&d.Member), d.SessionsEnded, d.TokensRevoked})
}

// ReactivateUser (admin) is POST /api/users/{id}/reactivate; revoked tokens stay revoked.
func (h *API) ReactivateUser(c *fiber.Ctx) error {
	if err := require(c, db.PermAdmin); err != nil {
		return err
	}
	m, err := h.reactivateMember(c)
	if err != nil {
		return err
	}
	return c.JSON(toMemberJSON(m))
}
