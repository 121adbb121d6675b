package handlers

import (
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"

	"agentconsole/db"
)

// API serves the JSON endpoints of the foundation: who am I, tokens, audit log.
type API struct{ Base }

type meResponse struct {
	User         meUser          `json:"user"`
	Organization meOrg           `json:"organization"`
	Role         db.Role         `json:"role"`
	Permissions  []db.Permission `json:"permissions"`
	Via          string          `json:"via"`
	// PlatformOperator: the caller may change the tool catalog and the model registry.
	PlatformOperator bool `json:"platformOperator"`
}
type meUser struct {
	ID    int64  `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name"`
}
type meOrg struct {
	ID   int64  `json:"id"`
	UUID string `json:"uuid"` // stable across servers: what `agents pull` keys its state by
	Name string `json:"name"`
}

// Me answers who the caller is and what they may do.
func (h *API) Me(c *fiber.Ctx) error {
	a := ActorOf(c)
	perms := a.Role.Permissions()
	if perms == nil {
		perms = []db.Permission{}
	}
	return c.JSON(meResponse{User: meUser{a.UserID, a.Email, a.Name}, Organization: meOrg{a.OrgID, a.OrgUUID, a.OrgName}, Role: a.Role, Permissions: perms, Via: a.Via,
		PlatformOperator: a.IsPlatformOperator()})
}

type tokenJSON struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"`
	UserID     int64      `json:"userId"`
	CreatedAt  time.Time  `json:"createdAt"`
	LastUsedAt *time.Time `json:"lastUsedAt"`
	RevokedAt  *time.Time `json:"revokedAt"`
	ExpiresAt  *time.Time `json:"expiresAt"`
	Token      string     `json:"token,omitempty"`
}

// CreateToken (admin): {"name", "userId"?, "expiresAt"?} → the token, with its secret
// this once. Without expiresAt the token does not expire.
func (h *API) CreateToken(c *fiber.Ctx) error {
	if err := require(c, db.PermAdmin); err != nil {
		return err
	}
	var body struct {
		Name      string  `json:"name"`
		UserID    int64   `json:"userId"`
		ExpiresAt *string `json:"expiresAt"` // RFC 3339; parsed here so a bad one names the field
	}
	if err := decodeJSON(c.Body(), &body); err != nil {
		return agentError(c, err)
	}
	var expiresAt *time.Time
	if body.ExpiresAt != nil {
		t, err := time.Parse(time.RFC3339, *body.ExpiresAt)
		if err != nil {
			return validationError(c, "Validation Error", []db.Issue{{Message: "Invalid datetime (RFC 3339, e.g. 2027-01-31T12:00:00Z)", Path: []any{"expiresAt"}}})
		}
		expiresAt = &t
	}
	a := ActorOf(c)
	if body.UserID == 0 {
		body.UserID = a.UserID
	}
	tok, secret, err := h.Store.CreateToken(c.UserContext(), a, body.UserID, body.Name, expiresAt)
	var ve *db.ValidationError
	if errors.As(err, &ve) {
		return agentError(c, err)
	}
	if err != nil {
		if errors.Is(err, db.ErrNotFound) {
			return validationError(c, "Validation Error", []db.Issue{{Message: "User is not an active member of this organization", Path: []any{"userId"}}})
		}
		if errors.Is(err, db.ErrTokenExpiry) {
			return validationError(c, "Validation Error", []db.Issue{{Message: "Must be in the future", Path: []any{"expiresAt"}}})
		}
		return err
	}
	return c.JSON(tokenJSON{ID: tok.ID, Name: tok.Name, Prefix: tok.Prefix, UserID: tok.UserID, CreatedAt: tok.CreatedAt, ExpiresAt: tok.ExpiresAt, Token: secret})
}

// Tokens (admin) lists the organisation's tokens, never their secrets.
func (h *API) Tokens(c *fiber.Ctx) error {
	if err := require(c, db.PermAdmin); err != nil {
		return err
	}
	toks, err := h.Store.Tokens(c.UserContext(), ActorOf(c).OrgID)
	if err != nil {
		return err
	}
	out := make([]tokenJSON, len(toks))
	for i, t := range toks {
		out[i] = tokenJSON{ID: t.ID, Name: t.Name, Prefix: t.Prefix, UserID: t.UserID, CreatedAt: t.CreatedAt, LastUsedAt: t.LastUsedAt,
			RevokedAt: t.RevokedAt, ExpiresAt: t.ExpiresAt}
	}
	return c.JSON(out)
}

// RevokeToken (admin) revokes a token of the organisation.
func (h *API) RevokeToken(c *fiber.Ctx) error {
	if err := require(c, db.PermAdmin); err != nil {
		return err
	}
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	if err := h.Store.RevokeToken(c.UserContext(), ActorOf(c), id); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"success": true})
}

// Audit (admin) lists audit entries, newest first; ?action= filters, ?before= pages.
func (h *API) Audit(c *fiber.Ctx) error {
	if err := require(c, db.PermAdmin); err != nil {
		return err
	}
	f, err := auditFilter(c, 50)
	if err != nil {
		return err
	}
	entries, err := h.Store.AuditEntries(c.UserContext(), ActorOf(c).OrgID, f)
	if err != nil {
		return err
	}
	if entries == nil {
		entries = []db.AuditEntry{}
	}
	return c.JSON(fiber.Map{"entries": entries})
}
