package handlers

import (
	"errors"
	"net/mail"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"agentconsole/db"
	"agentconsole/views/pages/admin"
)

// Admin serves the organisation's users, roles, API tokens and audit log.
type Admin struct{ Base }

// Users lists the members with their roles.
func (h *Admin) Users(c *fiber.Ctx) error {
	return h.renderUsers(c, fiber.StatusOK, admin.NewUserForm{Role: string(db.RoleBuilder)})
}

func (h *Admin) renderUsers(c *fiber.Ctx, status int, form admin.NewUserForm) error {
	members, err := h.Store.Members(c.UserContext(), ActorOf(c).OrgID)
	if err != nil {
		return err
	}
	rows := make([]admin.MemberRow, len(members))
	for i, m := range members {
		rows[i] = admin.MemberRow{UserID: m.UserID, Email: m.Email, Name: m.Name, Role: string(m.Role), Self: m.UserID == ActorOf(c).UserID}
	}
	return Render(c, status, admin.Users(h.Page(c, "Users & roles", "admin"), rows, form, roleNames()))
}

// CreateUser adds a person to the organisation with a role and initial password.
func (h *Admin) CreateUser(c *fiber.Ctx) error {
	form := admin.NewUserForm{Email: strings.TrimSpace(c.FormValue("email")), Name: strings.TrimSpace(c.FormValue("name")),
		Role: c.FormValue("role"), Errors: map[string]string{}}
	password := c.FormValue("password")
	if _, err := mail.ParseAddress(form.Email); err != nil || !strings.Contains(form.Email, "@") {
		form.Errors["email"] = "Enter a valid email address."
	}
	if form.Name == "" {
		form.Errors["name"] = "Name is required."
	}
	if !db.Role(form.Role).Valid() {
		form.Errors["role"] = "Choose admin, builder or reviewer."
	}
	if len(password) < db.MinPasswordLength {
		form.Errors["password"] = "Use at least 10 characters."
	}
	if len(form.Errors) > 0 {
		return h.renderUsers(c, fiber.StatusUnprocessableEntity, form)
	}
	a := ActorOf(c)
	u, err := h.Store.CreateUser(c.UserContext(), a.OrgID, form.Email, form.Name, password, db.Role(form.Role))
	if errors.Is(err, db.ErrEmailTaken) {
		form.Errors["email"] = "A user with this email exists already."
		return h.renderUsers(c, fiber.StatusUnprocessableEntity, form)
	}
	if err != nil {
		return err
	}
	if err := h.Store.Audit(c.UserContext(), h.Store.DB, a, "member.added", "user", u.ID, form.Email+" as "+form.Role); err != nil {
		return err
	}
	return h.redirect(c, "/admin/users", "success", "Added "+form.Email+" as "+form.Role+".")
}

// SetRole changes a member's role.
func (h *Admin) SetRole(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	err = h.Store.SetRole(c.UserContext(), ActorOf(c), id, db.Role(c.FormValue("role")))
	if errors.Is(err, db.ErrLastAdmin) {
		return h.redirect(c, "/admin/users", "error", "The organisation needs at least one admin.")
	}
	if err != nil {
		return err
	}
	return h.redirect(c, "/admin/users", "success", "Role updated.")
}

// Tokens lists the organisation's API tokens.
func (h *Admin) Tokens(c *fiber.Ctx) error {
	return h.renderTokens(c, fiber.StatusOK, admin.NewTokenForm{})
}

func (h *Admin) renderTokens(c *fiber.Ctx, status int, form admin.NewTokenForm) error {
	ctx, a := c.UserContext(), ActorOf(c)
	toks, err := h.Store.Tokens(ctx, a.OrgID)
	if err != nil {
		return err
	}
	members, err := h.Store.Members(ctx, a.OrgID)
	if err != nil {
		return err
	}
	rows := make([]admin.TokenRow, len(toks))
	for i, t := range toks {
		rows[i] = admin.TokenRow{ID: t.ID, Name: t.Name, Prefix: t.Prefix, Owner: t.OwnerEmail, CreatedAt: t.CreatedAt, LastUsedAt: t.LastUsedAt, RevokedAt: t.RevokedAt}
	}
	owners := make([]admin.Option, len(members))
	for i, m := range members {
		owners[i] = admin.Option{Value: strconv.FormatInt(m.UserID, 10), Label: m.Email + " (" + string(m.Role) + ")"}
	}
	if form.OwnerID == "" {
		form.OwnerID = strconv.FormatInt(a.UserID, 10)
	}
	return Render(c, status, admin.Tokens(h.Page(c, "API tokens", "admin"), rows, owners, form))
}

// CreateToken makes a token acting as the chosen member and shows its secret once.
func (h *Admin) CreateToken(c *fiber.Ctx) error {
	form := admin.NewTokenForm{Name: strings.TrimSpace(c.FormValue("name")), OwnerID: c.FormValue("owner"), Errors: map[string]string{}}
	ownerID, _ := strconv.ParseInt(form.OwnerID, 10, 64)
	if form.OwnerID == "" {
		ownerID = ActorOf(c).UserID
	}
	// The name's rule (required, at most db.MaxTokenName) is the API's: the store's.
	_, secret, err := h.Store.CreateToken(c.UserContext(), ActorOf(c), ownerID, form.Name)
	var ve *db.ValidationError
	if errors.As(err, &ve) {
		form.Errors = fieldErrors(ve.Details)
		return h.renderTokens(c, fiber.StatusUnprocessableEntity, form)
	}
	if errors.Is(err, db.ErrNotFound) {
		form.Errors["owner"] = "Choose a member of this organisation."
		return h.renderTokens(c, fiber.StatusUnprocessableEntity, form)
	}
	if err != nil {
		return err
	}
	return h.renderTokens(c, fiber.StatusOK, admin.NewTokenForm{Secret: secret, SecretName: form.Name})
}

// RevokeToken revokes one token of the organisation.
func (h *Admin) RevokeToken(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	if err := h.Store.RevokeToken(c.UserContext(), ActorOf(c), id); err != nil {
		return err
	}
	return h.redirect(c, "/admin/tokens", "success", "Token revoked. Requests using it are now refused.")
}

// Audit shows the organisation's audit log, newest first.
func (h *Admin) Audit(c *fiber.Ctx) error {
	f, err := auditFilter(c, 100)
	if err != nil {
		return err
	}
	entries, err := h.Store.AuditEntries(c.UserContext(), ActorOf(c).OrgID, f)
	if err != nil {
		return err
	}
	rows := make([]admin.AuditRow, len(entries))
	for i, e := range entries {
		rows[i] = admin.AuditRow{ID: e.ID, At: e.CreatedAt, Actor: e.Actor, Action: e.Action, Object: strings.Trim(e.ObjectType+" "+e.ObjectID, " "),
			Summary: e.Summary, IP: e.IP, Via: e.Via, Route: e.Route}
	}
	return Render(c, fiber.StatusOK, admin.Audit(h.Page(c, "Audit log", "admin"), rows, admin.AuditQuery{Action: f.Action, Actor: f.Actor, Object: f.Object}))
}

func roleNames() []string {
	names := make([]string, len(db.Roles))
	for i, r := range db.Roles {
		names[i] = string(r)
	}
	return names
}

// Models lists the model registry.
func (h *Admin) Models(c *fiber.Ctx) error {
	return h.renderModels(c, fiber.StatusOK, admin.NewModelForm{})
}

func (h *Admin) renderModels(c *fiber.Ctx, status int, form admin.NewModelForm) error {
	models, err := h.Store.Models(c.UserContext())
	if err != nil {
		return err
	}
	rows := make([]admin.Option, len(models))
	for i, m := range models {
		rows[i] = admin.Option{Value: m.ID, Label: m.DisplayName}
	}
	return Render(c, status, admin.Models(h.Page(c, "Models", "admin"), rows, form))
}

// AddModel extends the registry from the console (same rules as the API).
func (h *Admin) AddModel(c *fiber.Ctx) error {
	form := admin.NewModelForm{ID: c.FormValue("id"), Name: c.FormValue("name")}
	m, err := h.Store.AddModel(c.UserContext(), ActorOf(c), form.ID, form.Name)
	var ve *db.ValidationError
	if errors.As(err, &ve) {
		form.Errors = fieldErrors(ve.Details)
		return h.renderModels(c, fiber.StatusUnprocessableEntity, form)
	}
	if err != nil {
		return err
	}
	return h.redirect(c, "/admin/models", "success", "Added "+m.ID+".")
}
