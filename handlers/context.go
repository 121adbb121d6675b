// Package handlers is the HTTP layer: parse input, call the domain, answer with a page,
// a fragment or JSON. No SQL and no HTML strings live here.
package handlers

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/a-h/templ"
	"github.com/gofiber/fiber/v2"

	"agentconsole/db"
	"agentconsole/views/components"
	"agentconsole/views/layout"
)

// Sessions is what handlers need of the console session (implemented in web).
type Sessions interface {
	CSRFToken(c *fiber.Ctx) string
	SessionID(c *fiber.Ctx) string
	Flash(c *fiber.Ctx, kind, message string) error
	TakeFlashes(c *fiber.Ctx) []layout.Flash
	Login(c *fiber.Ctx, actor *db.Actor) error
	Logout(c *fiber.Ctx) error
}

const (
	localActor  = "actor"
	localLogger = "logger"
)

// SetActor records who is acting for the rest of the request.
func SetActor(c *fiber.Ctx, a *db.Actor) { c.Locals(localActor, a) }

// ActorOf is the request's actor, or nil when nobody is logged in.
func ActorOf(c *fiber.Ctx) *db.Actor {
	a, _ := c.Locals(localActor).(*db.Actor)
	return a
}

// requestLogger is base with the request id, made on first use: most requests log
// nothing, and slog's With formats the attribute into a new handler (six allocations on
// every request).
type requestLogger struct {
	base *slog.Logger
	id   string
	l    *slog.Logger
}

// SetLogger stores the request's logger: base with the request id.
func SetLogger(c *fiber.Ctx, base *slog.Logger, requestID string) {
	c.Locals(localLogger, &requestLogger{base: base, id: requestID})
}

// Logger is the request's logger (it carries the request id).
func Logger(c *fiber.Ctx) *slog.Logger {
	if r, ok := c.Locals(localLogger).(*requestLogger); ok {
		if r.l == nil {
			r.l = r.base.With("request_id", r.id)
		}
		return r.l
	}
	return slog.Default()
}

// IsHTMX reports an htmx request (a fragment is enough as the answer).
func IsHTMX(c *fiber.Ctx) bool { return c.Get("HX-Request") == "true" && c.Get("HX-Boosted") != "true" }

// Render writes a templ component as HTML. It renders into the response's body buffer,
// which fasthttp pools (a page no longer grows a fresh buffer and is copied again), and
// nothing is sent before the handler returns: a failed render empties the body, so it
// never leaves half a page on the wire.
func Render(c *fiber.Ctx, status int, component templ.Component) error {
	c.Response().ResetBody()
	if err := component.Render(c.UserContext(), c.Response().BodyWriter()); err != nil {
		c.Response().ResetBody()
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	if status >= 400 && c.Method() != fiber.MethodGet && c.Get("HX-Request") == "true" {
		// A refused form is shown again where the user is: the address bar keeps the
		// page's URL (a boosted POST would otherwise push the form's action).
		c.Set("HX-Push-Url", "false")
	}
	c.Status(status)
	return nil
}

// Base holds what every handler struct shares.
type Base struct {
	Store    *db.Store
	Sessions Sessions
}

// Page builds the shell's view model for the current request.
func (b *Base) Page(c *fiber.Ctx, title, active string) layout.Page {
	p := layout.Page{Title: title, Active: active, CSRF: b.Sessions.CSRFToken(c), Flashes: b.Sessions.TakeFlashes(c), Path: c.Path()}
	p.Crumbs = b.crumbs(c, title)
	if a := ActorOf(c); a != nil {
		p.User = &layout.User{Name: a.Name, Email: a.Email, Role: string(a.Role), OrgName: a.OrgName, IsAdmin: a.Can(db.PermAdmin),
			IsOperator: a.IsPlatformOperator()}
	}
	return p
}

// redirect answers a form post with 303 and a flash message.
func (b *Base) redirect(c *fiber.Ctx, to, kind, message string) error {
	if message != "" {
		if err := b.Sessions.Flash(c, kind, message); err != nil {
			return err
		}
	}
	return c.Redirect(to, fiber.StatusSeeOther)
}

// errorBody is the seeds' Error schema, fields in the seeds' order.
type errorBody struct {
	Error   string     `json:"error"`
	Details []db.Issue `json:"details,omitempty"`
}

// APIError answers the seeds' error shape: {"error": "..."}.
func APIError(c *fiber.Ctx, status int, message string) error {
	return c.Status(status).JSON(errorBody{Error: message})
}

// Seed wording for authentication and permission failures.
const (
	MsgUnauthorized = "Unauthorized"
	MsgNotAdmin     = "Unauthorized: User is not an admin in this organization"
	MsgNotFound     = "Not Found"
	MsgInternal     = "Internal Server Error"
)

// ErrForbidden is returned by handlers when the actor lacks a permission; the error
// handler turns it into the seed's 403 body (Message, kept word for word for the API)
// or the console's 403 page (Reason, which says what role is needed).
type ErrForbidden struct {
	Message string
	Reason  string
}

func (e *ErrForbidden) Error() string { return e.Message }

// PageMessage is what the console's 403 page says.
func (e *ErrForbidden) PageMessage() string {
	if e.Reason != "" {
		return e.Reason
	}
	return e.Message
}

// Forbidden is the refusal of permission p to actor a: the seed's API wording, and for
// the console the reason in terms of roles ("Reviewers are read-only: creating agents
// needs the builder or admin role.") — builders are not admins either, so "not an
// admin" misled.
func Forbidden(a *db.Actor, p db.Permission) *ErrForbidden {
	var roles []string
	for i := len(db.Roles) - 1; i >= 0; i-- { // least powerful role first
		if r := db.Roles[i]; r.Can(p) {
			roles = append(roles, string(r))
		}
	}
	need := permissionDoing[p]
	if need == "" {
		need = "This"
	}
	reason := need + " needs the " + strings.Join(roles, " or ") + " role"
	switch {
	case a == nil:
	case a.Role == db.RoleReviewer:
		reason = "Reviewers are read-only: " + strings.ToLower(need[:1]) + need[1:] + " needs the " + strings.Join(roles, " or ") + " role"
	default:
		reason += "; you are " + components.WithArticle(string(a.Role))
	}
	return &ErrForbidden{Message: MsgNotAdmin, Reason: reason + "."}
}

// permissionDoing names what each permission allows, for the 403 page.
var permissionDoing = map[db.Permission]string{
	db.PermAdmin:        "Administration",
	db.PermAgentsCreate: "Creating agents",
	db.PermAgentsUpdate: "Changing agents",
	db.PermAgentsDelete: "Deleting agents",
}

// require checks a permission server-side, whatever the console showed.
func require(c *fiber.Ctx, p db.Permission) error {
	if ActorOf(c).Can(p) {
		return nil
	}
	return Forbidden(ActorOf(c), p)
}

// IsForbidden unwraps ErrForbidden.
func IsForbidden(err error) (*ErrForbidden, bool) {
	var f *ErrForbidden
	ok := errors.As(err, &f)
	return f, ok
}

// NotFoundError says what was not found ("Agent 42", `Tool "x"`) for the console's 404
// page. It is db.ErrNotFound for errors.Is, so the API keeps the seed's "Not Found".
type NotFoundError struct{ What string }

func (e *NotFoundError) Error() string { return e.What + " not found" }

// Unwrap makes it db.ErrNotFound for errors.Is.
func (e *NotFoundError) Unwrap() error { return db.ErrNotFound }

// missing names the object a not-found error was about; other errors pass unchanged.
func missing(err error, format string, args ...any) error {
	if errors.Is(err, db.ErrNotFound) {
		return &NotFoundError{What: fmt.Sprintf(format, args...)}
	}
	return err
}

// NotFoundMessage is the console's 404 text: what was not found when a handler knew,
// otherwise that there is no such page.
func NotFoundMessage(err error) string {
	var nf *NotFoundError
	if errors.As(err, &nf) {
		return nf.Error()
	}
	return "Page not found"
}
