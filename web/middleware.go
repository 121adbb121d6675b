package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"

	"agentconsole/db"
	"agentconsole/handlers"
	"agentconsole/static"
	"agentconsole/views/layout"
	"agentconsole/views/route"
)

// recoverPanics turns a panic into a 500 through the one error path.
func (s *Server) recoverPanics(c *fiber.Ctx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			handlers.Logger(c).Error("panic", "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return c.Next()
}

// requestLog gives every request an id (kept from X-Request-Id when sane), a logger
// carrying it, one structured log line at the end, and its metrics.
func (s *Server) requestLog(c *fiber.Ctx) error {
	start := time.Now()
	// A copy: the id lives on in the request's logger, and c.Get's string is Fiber's
	// zero-copy view of a buffer the next request reuses.
	rid := strings.Clone(c.Get("X-Request-Id"))
	if len(rid) == 0 || len(rid) > 64 || strings.ContainsAny(rid, " \t\r\n\"") {
		var b [8]byte
		rand.Read(b[:])
		rid = hex.EncodeToString(b[:])
	}
	c.Set("X-Request-Id", rid)
	handlers.SetLogger(c, s.log, rid)

	err := c.Next()
	if err != nil {
		// Let the error handler write the response now so status and metrics are true.
		if herr := s.handleError(c, err); herr != nil {
			handlers.Logger(c).Error("error handler failed", "err", herr)
		}
	}
	status := c.Response().StatusCode()
	route := c.Route().Path
	elapsed := time.Since(start)
	s.metrics.observe(c.Method(), route, status, elapsed)
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	if s.log.Enabled(c.UserContext(), level) {
		// request_id first, as the request's logger (With) would write it, without making one.
		attrs := []any{"request_id", rid, "method", c.Method(), "path", c.Path(), "route", route, "status", status,
			"duration_ms", float64(elapsed.Microseconds()) / 1000, "ip", c.IP()}
		if a := handlers.ActorOf(c); a != nil {
			attrs = append(attrs, "user_id", a.UserID, "org_id", a.OrgID)
		}
		s.log.Log(c.UserContext(), level, "request", attrs...)
	}
	return nil
}

// securityHeaders: a CSP that allows only this site's own scripts and styles (no
// inline script), no framing, and a referrer policy that keeps same-origin checks working.
func (s *Server) securityHeaders(c *fiber.Ctx) error {
	h := &c.Response().Header
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; "+
		"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
	if s.cfg.SecureCookies {
		h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
	}
	return c.Next()
}

func (s *Server) healthz(c *fiber.Ctx) error { return c.JSON(fiber.Map{"status": "ok"}) }

func (s *Server) readyz(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "database unavailable"})
	}
	return c.JSON(fiber.Map{"status": "ready"})
}

// mountStatic serves the embedded assets; URLs carry a content hash, so they may be
// cached for a year.
func (s *Server) mountStatic() {
	s.App.Use("/static", func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
		return c.Next()
	}, filesystem.New(filesystem.Config{Root: static.HTTPFS(), NotFoundFile: ""}))
}

// apiAuth authenticates API calls: a Bearer token, or the console session (then the
// CSRF header is required for writes, as for any cookie-authenticated request).
func (s *Server) apiAuth(c *fiber.Ctx) error {
	if authz := c.Get(fiber.HeaderAuthorization); authz != "" {
		secret, ok := bearerToken(authz)
		if !ok {
			return handlers.APIError(c, fiber.StatusUnauthorized, handlers.MsgUnauthorized)
		}
		a, err := s.store.ActorByToken(c.UserContext(), secret)
		if errors.Is(err, db.ErrNotFound) {
			return handlers.APIError(c, fiber.StatusUnauthorized, handlers.MsgUnauthorized)
		}
		if err != nil {
			return err
		}
		a.Via, a.IP, a.Route = "api", c.IP(), c.Method()+" "+c.Path()
		handlers.SetActor(c, a)
		return c.Next()
	}
	if c.Get(fiber.HeaderCookie) != "" {
		a, err := s.sessions.actor(c)
		if err != nil {
			return err
		}
		if a != nil {
			if !safeMethod(c.Method()) && !s.validCSRF(c) {
				return handlers.APIError(c, fiber.StatusForbidden, msgCSRF)
			}
			a.Via, a.IP, a.Route = "console", c.IP(), c.Method()+" "+c.Path()
			handlers.SetActor(c, a)
			return c.Next()
		}
	}
	return handlers.APIError(c, fiber.StatusUnauthorized, handlers.MsgUnauthorized)
}

// bearerToken reads "Bearer <token>" from an Authorization header. The scheme is
// case-insensitive (RFC 9110 §11.1), so "bearer" and "BEARER" work too.
func bearerToken(authz string) (string, bool) {
	scheme, secret, ok := strings.Cut(strings.TrimSpace(authz), " ")
	secret = strings.TrimSpace(secret)
	if !ok || !strings.EqualFold(scheme, "Bearer") || secret == "" {
		return "", false
	}
	return secret, true
}

// consoleSession loads the cookie session and, when logged in, the actor.
func (s *Server) consoleSession(c *fiber.Ctx) error {
	a, err := s.sessions.actor(c)
	if err != nil {
		return err
	}
	if a != nil {
		a.Via, a.IP, a.Route = "console", c.IP(), c.Method()+" "+c.Path()
		handlers.SetActor(c, a)
	}
	// Pages depend on the session: never cache them in shared caches.
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Next()
}

const msgCSRF = "Invalid or missing CSRF token"

// csrf refuses state-changing console requests whose token (form field _csrf or the
// X-CSRF-Token header htmx sends) does not match the session's. The token is never read
// from the query string: URLs end up in logs, history and Referer headers.
func (s *Server) csrf(c *fiber.Ctx) error {
	if safeMethod(c.Method()) || s.validCSRF(c) {
		return c.Next()
	}
	return fiber.NewError(fiber.StatusForbidden, msgCSRF)
}

func (s *Server) validCSRF(c *fiber.Ctx) bool {
	want := s.sessions.CSRFToken(c)
	got := c.Get("X-CSRF-Token")
	if got == "" {
		got = formCSRF(c)
	}
	return want != "" && subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1
}

// formCSRF reads _csrf from the request body only (url-encoded or multipart form);
// c.FormValue would also take it from the query string.
func formCSRF(c *fiber.Ctx) string {
	if v := c.Request().PostArgs().Peek("_csrf"); len(v) > 0 {
		return string(v)
	}
	if mf, err := c.MultipartForm(); err == nil {
		if v := mf.Value["_csrf"]; len(v) > 0 {
			return v[0]
		}
	}
	return ""
}

func safeMethod(m string) bool {
	return m == fiber.MethodGet || m == fiber.MethodHead || m == fiber.MethodOptions
}

// requireLogin sends anonymous visitors to the login page (htmx: via HX-Redirect).
func (s *Server) requireLogin(c *fiber.Ctx) error {
	if handlers.ActorOf(c) != nil {
		return c.Next()
	}
	to := "/login"
	if c.Method() == fiber.MethodGet {
		to += "?next=" + url.QueryEscape(c.OriginalURL())
	}
	if c.Get("HX-Request") == "true" {
		c.Set("HX-Redirect", to)
		return c.SendStatus(fiber.StatusUnauthorized)
	}
	return c.Redirect(to, fiber.StatusSeeOther)
}

// requireAdmin guards the admin pages server-side (the nav hides them too).
func (s *Server) requireAdmin(c *fiber.Ctx) error {
	if handlers.ActorOf(c).Can(db.PermAdmin) {
		return c.Next()
	}
	return handlers.Forbidden(handlers.ActorOf(c), db.PermAdmin)
}

// isAPI reports a request to the JSON API (its errors keep the seeds' bodies).
func isAPI(c *fiber.Ctx) bool { return strings.HasPrefix(c.Path(), "/api/") || c.Path() == "/api" }

// checkInput runs the one input check (NUL bytes, invalid UTF-8, oversized JSON
// arrays) before any handler reads a query parameter, form value or JSON body.
func (s *Server) checkInput(c *fiber.Ctx) error {
	if err := handlers.CheckInput(c); err != nil {
		return err
	}
	return c.Next()
}

// handleError is the one error path: it maps domain errors to statuses, logs every
// 5xx with the request id, and never shows internal error text to anyone.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	var ve *db.ValidationError
	api := isAPI(c)
	if rr := (*db.ReviewRequired)(nil); errors.As(err, &rr) && rr.Request != nil {
		return s.changeRequestOpened(c, rr.Request, api)
	}
	status, message := handlers.ErrorStatus(err, api)
	if errors.As(err, &ve) && api {
		// A refusal a handler did not map itself is still a refusal, never a 500.
		return c.Status(status).JSON(handlers.ValidationBody(ve))
	}
	if status >= 500 {
		handlers.Logger(c).Error("request failed", "err", err, "path", c.Path(), "status", status)
		if status == fiber.StatusServiceUnavailable {
			c.Set(fiber.HeaderRetryAfter, "2")
		}
	}
	if api {
		return handlers.APIError(c, status, message)
	}
	if c.Get("HX-Request") == "true" && (c.Get("HX-Boosted") != "true" || ve != nil) {
		// A fragment request has no page to replace: the message goes to the page's
		// alert box, wherever the request meant to swap (4xx are swapped, see layout.Base).
		// So does a boosted form refused before its handler could re-render it (the one
		// input check): the page stays, with everything the person typed, and the alert
		// names the field.
		c.Set("HX-Retarget", "#live-errors")
		c.Set("HX-Reswap", "outerHTML")
		c.Set("HX-Push-Url", "false")
		return handlers.Render(c, status, layout.LiveErrors(message))
	}
	page := layout.Page{Title: message, CSRF: s.sessions.CSRFToken(c)}
	if a := handlers.ActorOf(c); a != nil {
		page.User = &layout.User{Name: a.Name, Email: a.Email, Role: string(a.Role), OrgName: a.OrgName, IsAdmin: a.Can(db.PermAdmin),
			IsOperator: a.IsPlatformOperator()}
	}
	return handlers.Render(c, status, layout.Error(page, status, message))
}

// changeRequestOpened answers a change to a protected agent (review policy on): the API
// 202 with the request, the console goes to the request's page.
func (s *Server) changeRequestOpened(c *fiber.Ctx, cr *db.ChangeRequest, api bool) error {
	if api {
		return handlers.ChangeRequestAccepted(c, cr)
	}
	msg := fmt.Sprintf("This agent is protected by the review policy: change request #%d was opened for review.", cr.ID)
	if err := s.sessions.Flash(c, "success", msg); err != nil {
		return err
	}
	to := route.Path(route.Review, cr.ID)
	if handlers.IsHTMX(c) {
		c.Set("HX-Redirect", to)
		return c.SendStatus(fiber.StatusNoContent)
	}
	return c.Redirect(to, fiber.StatusSeeOther)
}
