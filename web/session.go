package web

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gorilla/securecookie"
	"github.com/gorilla/sessions"

	"agentconsole/db"
	"agentconsole/handlers"
	"agentconsole/views/layout"
)

// sessionCookie is the console's one cookie.
const sessionCookie = "ac_session"

// sessionBridge puts gorilla/sessions on Fiber. The cookie is a gorilla CookieStore
// cookie (signed and encrypted) holding the CSRF token, flashes and, once logged in, a
// session id naming a row in PostgreSQL. The row is what makes a login real: logout,
// a password change or expiry delete it, and the cookie stops working everywhere.
// Keys come from the database, so every instance reads every other's cookies.
type sessionBridge struct {
	store *sessions.CookieStore
	db    *db.Store
	ttl   time.Duration
}

const localSession = "gorilla-session"

func newSessionBridge(ctx context.Context, store *db.Store, secure bool, ttl time.Duration) (*sessionBridge, error) {
	hashKey, err := store.Secret(ctx, "session_hash_key", 64)
	if err != nil {
		return nil, err
	}
	blockKey, err := store.Secret(ctx, "session_block_key", 32)
	if err != nil {
		return nil, err
	}
	return &sessionBridge{store: cookieStore(hashKey, blockKey, secure, ttl), db: store, ttl: ttl}, nil
}

// cookieStore is the gorilla store of the session cookie: signed with hashKey, encrypted
// with blockKey, its payload in the compact format (sessioncodec.go).
func cookieStore(hashKey, blockKey []byte, secure bool, ttl time.Duration) *sessions.CookieStore {
	cs := sessions.NewCookieStore(hashKey, blockKey)
	// v1.4 defaults to SameSite=None; Secure, which loses sessions over plain HTTP: be explicit.
	cs.Options = &sessions.Options{Path: "/", MaxAge: int(ttl.Seconds()), HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode}
	cs.MaxAge(int(ttl.Seconds()))
	for _, codec := range cs.Codecs {
		if sc, ok := codec.(*securecookie.SecureCookie); ok {
			sc.SetSerializer(sessionSerializer{}) // still signed and encrypted; see sessioncodec.go
		}
	}
	return cs
}

// saveRequest is the net/http request the store's Save takes: CookieStore.Save reads
// nothing of it (it encodes the session and sets the cookie on the writer). A fresh one
// each time: saves are rare, and nothing may share what a library might write to.
func saveRequest() *http.Request { return &http.Request{Header: http.Header{}} }

// headerWriter captures the Set-Cookie header gorilla writes and hands it to Fiber.
type headerWriter struct{ h http.Header }

func (w headerWriter) Header() http.Header         { return w.h }
func (w headerWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w headerWriter) WriteHeader(int)             {}

// load reads the session (a new one when the cookie is missing or forged) and makes
// sure it carries a CSRF token.
func (b *sessionBridge) load(c *fiber.Ctx) (*sessions.Session, error) {
	if s, ok := c.Locals(localSession).(*sessions.Session); ok {
		return s, nil
	}
	s, err := b.open(c)
	if err != nil && !errors.As(err, new(securecookie.Error)) {
		return nil, err
	}
	c.Locals(localSession, s)
	if _, ok := s.Values["csrf"].(string); !ok {
		s.Values["csrf"] = newToken()
		if err := b.save(c, s); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// open is the store's New (a session decoded from the cookie with the store's codecs and
// options) on Fiber's own parsed cookie: a net/http request with its header map, and
// the parse of every cookie again, cost 1 KB on every request. Not the store's Get:
// c.Locals is the per-request registry.
func (b *sessionBridge) open(c *fiber.Ctx) (*sessions.Session, error) {
	s := sessions.NewSession(b.store, sessionCookie)
	opts := *b.store.Options
	s.Options = &opts
	s.IsNew = true
	if v := c.Cookies(sessionCookie); v != "" {
		if err := securecookie.DecodeMulti(sessionCookie, v, &s.Values, b.store.Codecs...); err != nil {
			return s, err
		}
		s.IsNew = false
	}
	return s, nil
}

func (b *sessionBridge) save(c *fiber.Ctx, s *sessions.Session) error {
	w := headerWriter{h: http.Header{}}
	if err := b.store.Save(saveRequest(), w, s); err != nil {
		return err
	}
	c.Response().Header.Del(fiber.HeaderSetCookie)
	for _, v := range w.h.Values("Set-Cookie") {
		c.Response().Header.Add(fiber.HeaderSetCookie, v)
	}
	return nil
}

// actor resolves the logged-in actor of the request, or nil.
func (b *sessionBridge) actor(c *fiber.Ctx) (*db.Actor, error) {
	s, err := b.load(c)
	if err != nil {
		return nil, err
	}
	sid, _ := s.Values["sid"].(string)
	if sid == "" {
		return nil, nil
	}
	a, err := b.db.ActorBySession(c.UserContext(), sid)
	if errors.Is(err, db.ErrNotFound) {
		return nil, nil
	}
	return a, err
}

// CSRFToken is the token forms and htmx requests must send back.
func (b *sessionBridge) CSRFToken(c *fiber.Ctx) string {
	s, err := b.load(c)
	if err != nil {
		return ""
	}
	tok, _ := s.Values["csrf"].(string)
	return tok
}

// SessionID is the server-side session id of a logged-in request ("" otherwise).
func (b *sessionBridge) SessionID(c *fiber.Ctx) string {
	s, err := b.load(c)
	if err != nil {
		return ""
	}
	sid, _ := s.Values["sid"].(string)
	return sid
}

// Flash queues a message for the next page.
func (b *sessionBridge) Flash(c *fiber.Ctx, kind, message string) error {
	s, err := b.load(c)
	if err != nil {
		return err
	}
	// Flashes nobody displayed (a client that does not follow redirects) must not grow
	// the cookie past its 4 KB: keep the newest few with this one.
	if queued := s.Flashes(); len(queued) > 0 {
		for _, f := range queued[max(0, len(queued)-(maxQueuedFlashes-1)):] {
			s.AddFlash(f)
		}
	}
	s.AddFlash(kind + "|" + message)
	return b.save(c, s)
}

// maxQueuedFlashes is how many undisplayed messages a session keeps.
const maxQueuedFlashes = 3

// TakeFlashes returns and clears the queued messages.
func (b *sessionBridge) TakeFlashes(c *fiber.Ctx) []layout.Flash {
	s, err := b.load(c)
	if err != nil {
		return nil
	}
	raw := s.Flashes()
	if len(raw) == 0 {
		return nil
	}
	flashes := make([]layout.Flash, 0, len(raw))
	for _, v := range raw {
		str, _ := v.(string)
		kind, msg, _ := strings.Cut(str, "|")
		flashes = append(flashes, layout.Flash{Kind: kind, Message: msg})
	}
	b.save(c, s)
	return flashes
}

// Login starts a fresh session for actor: a new server-side id and a new CSRF token,
// so a session id or token planted before login is worthless after it (no fixation).
func (b *sessionBridge) Login(c *fiber.Ctx, actor *db.Actor) error {
	s, err := b.load(c)
	if err != nil {
		return err
	}
	if old, _ := s.Values["sid"].(string); old != "" {
		b.db.DeleteSession(c.UserContext(), old)
	}
	sid, err := b.db.CreateSession(c.UserContext(), actor, b.ttl)
	if err != nil {
		return err
	}
	s.Values = map[any]any{"sid": sid, "csrf": newToken()}
	c.Locals(localSession, s)
	return b.save(c, s)
}

// Logout deletes the server-side session and the cookie.
func (b *sessionBridge) Logout(c *fiber.Ctx) error {
	s, err := b.load(c)
	if err != nil {
		return err
	}
	if sid, _ := s.Values["sid"].(string); sid != "" {
		if err := b.db.DeleteSession(c.UserContext(), sid); err != nil {
			return err
		}
	}
	s.Values = map[any]any{}
	s.Options.MaxAge = -1
	return b.save(c, s)
}

func newToken() string {
	buf := make([]byte, 32)
	rand.Read(buf)
	return base64.RawURLEncoding.EncodeToString(buf)
}

var _ handlers.Sessions = (*sessionBridge)(nil)
