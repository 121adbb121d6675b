package handlers

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"agentconsole/db"
	"agentconsole/views/components"
	"agentconsole/views/pages/admin"
	"agentconsole/views/route"
)

// Admin serves the organisation's users, roles, API tokens and audit log.
type Admin struct{ Base }

// Index is /admin: a link to each admin page the person may open, with what it is for.
func (h *Admin) Index(c *fiber.Ctx) error {
	return Render(c, fiber.StatusOK, admin.Index(h.Page(c, "Administration", "admin")))
}

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
		rows[i] = admin.MemberRow{UserID: m.UserID, Email: m.Email, Name: m.Name, Role: string(m.Role), Self: m.UserID == ActorOf(c).UserID,
			Active: m.Active(), DeactivatedAt: m.DeactivatedAt}
	}
	return Render(c, status, admin.Users(h.Page(c, "Users & roles", "admin"), rows, form, roleNames()))
}

// CreateUser adds a person to the organisation with a role and initial password.
func (h *Admin) CreateUser(c *fiber.Ctx) error {
	form := admin.NewUserForm{Email: strings.TrimSpace(c.FormValue("email")), Name: strings.TrimSpace(c.FormValue("name")),
		Role: c.FormValue("role"), Errors: map[string]string{}}
	password := c.FormValue("password")
	form.Errors = fieldErrors(db.UserIssues(form.Email, form.Name, password))
	if !db.Role(form.Role).Valid() {
		form.Errors["role"] = "Choose admin, builder or reviewer."
	}
	if len(form.Errors) > 0 {
		return h.renderUsers(c, fiber.StatusUnprocessableEntity, form)
	}
	a := ActorOf(c)
	u, err := h.Store.CreateUser(c.UserContext(), a.OrgID, form.Email, form.Name, password, db.Role(form.Role))
	var ve *db.ValidationError
	if errors.As(err, &ve) {
		form.Errors = fieldErrors(ve.Details)
		return h.renderUsers(c, fiber.StatusUnprocessableEntity, form)
	}
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
	return h.redirect(c, route.AdminUsers, "success", "Added "+form.Email+" as "+form.Role+".")
}

// SetRole changes a member's role.
func (h *Admin) SetRole(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	role := db.Role(c.FormValue("role"))
	refuse := func(msg string) error { // under that member's role, the rest as it was
		return h.renderUsers(c, fiber.StatusUnprocessableEntity, admin.NewUserForm{Role: string(db.RoleBuilder), RowErrors: map[int64]string{id: msg}})
	}
	if !role.Valid() {
		return refuse("Choose admin, builder or reviewer.")
	}
	err = h.Store.SetRole(c.UserContext(), ActorOf(c), id, role)
	if errors.Is(err, db.ErrLastAdmin) {
		return refuse(MsgLastAdmin)
	}
	if err != nil {
		return err
	}
	return h.redirect(c, route.AdminUsers, "success", "Role updated.")
}

// Deactivate stops a member at once: their sessions end and their tokens are revoked.
func (h *Admin) Deactivate(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	d, err := h.Store.DeactivateMember(c.UserContext(), ActorOf(c), id)
	if msg, ok := memberRefusal(err); ok {
		return h.redirect(c, route.AdminUsers, "error", msg)
	}
	if err != nil {
		return err
	}
	return h.redirect(c, route.AdminUsers, "success", fmt.Sprintf("Deactivated %s: %s ended, %s revoked.",
		d.Member.Email, components.Count(int(d.SessionsEnded), "session", "sessions"), components.Count(int(d.TokensRevoked), "token", "tokens")))
}

// Reactivate lets a deactivated member sign in again (old tokens stay revoked).
func (h *Admin) Reactivate(c *fiber.Ctx) error {
	m, err := h.reactivateMember(c)
	if err != nil {
		return err
	}
	return h.redirect(c, route.AdminUsers, "success", "Reactivated "+m.Email+". They sign in again; their old API tokens stay revoked.")
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
	owners := make([]admin.Option, 0, len(members))
	for _, m := range members {
		if m.Active() { // a deactivated member cannot be given a token
			owners = append(owners, admin.Option{Value: strconv.FormatInt(m.UserID, 10), Label: m.Email + " (" + string(m.Role) + ")"})
		}
	}
	if form.OwnerID == "" {
		form.OwnerID = strconv.FormatInt(a.UserID, 10)
	}
	return Render(c, status, admin.Tokens(h.Page(c, "API tokens", "admin"), tokenRows(toks), owners, lifetimeOptions(), form))
}

// CreateToken makes a token acting as the chosen member and shows its secret once.
func (h *Admin) CreateToken(c *fiber.Ctx) error {
	form := admin.NewTokenForm{Name: strings.TrimSpace(c.FormValue("name")), OwnerID: c.FormValue("owner"), Expires: c.FormValue("expires"), Errors: map[string]string{}}
	expiresAt, ok := lifetimeExpiry(form.Expires)
	if !ok {
		form.Errors["expires"] = "Choose one of the offered lifetimes."
		return h.renderTokens(c, fiber.StatusUnprocessableEntity, form)
	}
	ownerID, _ := strconv.ParseInt(form.OwnerID, 10, 64)
	if form.OwnerID == "" {
		ownerID = ActorOf(c).UserID
	}
	// The name's rule (required, at most db.MaxTokenName) is the API's: the store's.
	_, secret, err := h.Store.CreateToken(c.UserContext(), ActorOf(c), ownerID, form.Name, expiresAt)
	var ve *db.ValidationError
	if errors.As(err, &ve) {
		form.Errors = fieldErrors(ve.Details)
		return h.renderTokens(c, fiber.StatusUnprocessableEntity, form)
	}
	if errors.Is(err, db.ErrNotFound) {
		form.Errors["owner"] = "Choose an active member of this organisation."
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
	return h.redirect(c, route.AdminTokens, "success", "Token revoked. Requests using it are now refused.")
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

// AddModel extends the registry from the console (same rules as the API): platform
// operators only.
func (h *Admin) AddModel(c *fiber.Ctx) error {
	if err := requireOperator(c, MsgOnlyOperatorsModels); err != nil {
		return err
	}
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
	return h.redirect(c, route.AdminModels, "success", "Added "+m.ID+".")
}

// MsgLastAdmin is the answer when a change would leave no active admin.
const MsgLastAdmin = "The organisation needs at least one active admin."

// memberRefusal maps the domain's refusals of a member change to a message.
func memberRefusal(err error) (string, bool) {
	switch {
	case errors.Is(err, db.ErrLastAdmin):
		return MsgLastAdmin, true
	case errors.Is(err, db.ErrDeactivateSelf):
		return "You cannot deactivate yourself; ask another admin.", true
	}
	return "", false
}

// tokenRows shapes tokens for the tables of /admin/tokens and /account.
func tokenRows(toks []db.APIToken) []admin.TokenRow {
	now := time.Now()
	rows := make([]admin.TokenRow, len(toks))
	for i, t := range toks {
		rows[i] = admin.TokenRow{ID: t.ID, Name: t.Name, Prefix: t.Prefix, Owner: t.OwnerEmail, CreatedAt: t.CreatedAt, LastUsedAt: t.LastUsedAt,
			RevokedAt: t.RevokedAt, ExpiresAt: t.ExpiresAt, Expired: t.Expired(now)}
	}
	return rows
}

// lifetimeOptions are db.TokenLifetimes as select options.
func lifetimeOptions() []admin.Option {
	out := make([]admin.Option, len(db.TokenLifetimes))
	for i, l := range db.TokenLifetimes {
		out[i] = admin.Option{Value: l.Key, Label: l.Label}
	}
	return out
}

// lifetimeExpiry turns a lifetime key into an expiry time (nil: never; "" is never).
func lifetimeExpiry(key string) (*time.Time, bool) {
	if key == "" {
		return nil, true
	}
	for _, l := range db.TokenLifetimes {
		if l.Key == key {
			if l.Duration == 0 {
				return nil, true
			}
			t := time.Now().Add(l.Duration)
			return &t, true
		}
	}
	return nil, false
}
