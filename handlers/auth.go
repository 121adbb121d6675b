package handlers

import (
	"errors"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/gofiber/fiber/v2"

	"agentconsole/db"
	"agentconsole/views/pages/auth"
	"agentconsole/views/route"
)

// Auth serves login, logout and the account page.
type Auth struct {
	Base
	// Throttle: at most MaxFailuresPerAccount failed logins per account and
	// MaxFailuresPerIP per address within FailureWindow.
	MaxFailuresPerAccount int
	MaxFailuresPerIP      int
	FailureWindow         time.Duration
}

// LoginPage shows the sign-in form (or sends a signed-in user home).
func (h *Auth) LoginPage(c *fiber.Ctx) error {
	if ActorOf(c) != nil {
		return c.Redirect("/", fiber.StatusSeeOther)
	}
	return Render(c, fiber.StatusOK, auth.Login(h.Page(c, "Sign in", ""), auth.LoginForm{Next: safeNext(c.Query("next"))}))
}

// Login checks the credentials, throttled per account and per address.
func (h *Auth) Login(c *fiber.Ctx) error {
	email := strings.TrimSpace(c.FormValue("email"))
	password := c.FormValue("password")
	form := auth.LoginForm{Email: email, Next: safeNext(c.FormValue("next"))}
	ctx := c.UserContext()

	actor, err := h.Store.Login(ctx, email, password, c.IP(), db.LoginLimits{
		PerAccount: h.MaxFailuresPerAccount, PerAddress: h.MaxFailuresPerIP, Window: h.FailureWindow})
	switch {
	case errors.Is(err, db.ErrLoginThrottled):
		form.Error = "Too many failed sign-in attempts. Wait a few minutes and try again."
		c.Set(fiber.HeaderRetryAfter, "300")
		return Render(c, fiber.StatusTooManyRequests, auth.Login(h.Page(c, "Sign in", ""), form))
	case errors.Is(err, db.ErrBadCredentials):
		form.Error = "Invalid email or password."
		return Render(c, fiber.StatusUnauthorized, auth.Login(h.Page(c, "Sign in", ""), form))
	case err != nil:
		return err
	}
	actor.IP, actor.Via, actor.Route = c.IP(), "console", "POST /login"
	if err := h.Sessions.Login(c, actor); err != nil {
		return err
	}
	if err := h.Store.Audit(ctx, h.Store.DB, actor, "login", "user", actor.UserID, ""); err != nil {
		return err
	}
	to := form.Next
	if to == "" {
		to = "/"
	}
	return c.Redirect(to, fiber.StatusSeeOther)
}

// Logout ends the session on the server, so the old cookie no longer works.
func (h *Auth) Logout(c *fiber.Ctx) error {
	if a := ActorOf(c); a != nil {
		if err := h.Store.Audit(c.UserContext(), h.Store.DB, a, "logout", "user", a.UserID, ""); err != nil {
			return err
		}
	}
	if err := h.Sessions.Logout(c); err != nil {
		return err
	}
	return c.Redirect("/login", fiber.StatusSeeOther)
}

// AccountPage shows the signed-in user's account with the password form and their tokens.
func (h *Auth) AccountPage(c *fiber.Ctx) error {
	return h.renderAccount(c, fiber.StatusOK, auth.PasswordForm{})
}

func (h *Auth) renderAccount(c *fiber.Ctx, status int, form auth.PasswordForm) error {
	a := ActorOf(c)
	toks, err := h.Store.UserTokens(c.UserContext(), a.OrgID, a.UserID)
	if err != nil {
		return err
	}
	now := time.Now()
	rows := make([]auth.TokenRow, len(toks))
	for i, t := range toks {
		rows[i] = auth.TokenRow{ID: t.ID, Name: t.Name, Prefix: t.Prefix, CreatedAt: t.CreatedAt, LastUsedAt: t.LastUsedAt,
			ExpiresAt: t.ExpiresAt, RevokedAt: t.RevokedAt, Expired: t.Expired(now)}
	}
	return Render(c, status, auth.Account(h.Page(c, "Account", ""), form, rows))
}

// RevokeOwnToken revokes one of the signed-in user's own tokens (404 for anyone else's).
func (h *Auth) RevokeOwnToken(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	if err := h.Store.RevokeOwnToken(c.UserContext(), ActorOf(c), id); err != nil {
		return err
	}
	return h.redirect(c, route.Account, "success", "Token revoked. Requests using it are now refused.")
}

// ChangePassword sets a new password and logs out every other session of the user.
func (h *Auth) ChangePassword(c *fiber.Ctx) error {
	a := ActorOf(c)
	form := auth.PasswordForm{Errors: map[string]string{}}
	current, next, confirm := c.FormValue("current"), c.FormValue("password"), c.FormValue("confirm")
	if _, err := h.Store.Authenticate(c.UserContext(), a.Email, current); err != nil {
		if !errors.Is(err, db.ErrBadCredentials) {
			return err
		}
		form.Errors["current"] = "Current password is incorrect."
	}
	if msg := db.PasswordIssue(next); msg != "" {
		form.Errors["password"] = msg
	} else if next != confirm {
		form.Errors["confirm"] = "Passwords do not match."
	}
	if len(form.Errors) > 0 {
		return h.renderAccount(c, fiber.StatusUnprocessableEntity, form)
	}
	if err := h.Store.ChangePassword(c.UserContext(), a.UserID, next, db.SessionHash(h.Sessions.SessionID(c))); err != nil {
		return err
	}
	if err := h.Store.Audit(c.UserContext(), h.Store.DB, a, "password.changed", "user", a.UserID, "other sessions ended"); err != nil {
		return err
	}
	return h.redirect(c, route.Account, "success", "Password changed. Your other sessions were signed out.")
}

// safeNext keeps post-login (and other form-driven) redirects on this site: it accepts
// only a same-origin path and answers "" for anything else. A browser reads "//host"
// and "/\\host" as another host, and it drops tabs and newlines before parsing, so
// "/\t/evil.example" (next=/%09/evil.example) became "//evil.example". Hence: one
// leading "/", no backslash, no control character or whitespace anywhere, and the
// same rules again on the percent-decoded path, for anything that decodes once more.
func safeNext(next string) string {
	path := next
	if i := strings.IndexAny(path, "?#"); i >= 0 {
		path = path[:i]
	}
	decoded, err := url.PathUnescape(path)
	if err != nil || !localPath(next) || !localPath(decoded) {
		return ""
	}
	return next
}

// localPath reports a path that every browser resolves against this origin.
func localPath(p string) bool {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") {
		return false
	}
	for _, r := range p {
		if r == '\\' || r < 0x20 || r == 0x7f || unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) {
			return false
		}
	}
	return true
}
