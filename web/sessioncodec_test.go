package web

import (
	"maps"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gorilla/securecookie"
	"github.com/gorilla/sessions"
)

// sessionShapes is every shape of Values the console stores: the first visit (csrf),
// a login (sid and csrf), queued flashes (gorilla's "_flash" list), a logout (empty).
var sessionShapes = []map[any]any{
	{},
	{"csrf": "tok"},
	{"csrf": "3hX-_abc", "sid": "s1d"},
	{"csrf": "t", "sid": "s", "_flash": []any{"success|Saved agent “Ünïcode” | with pipes", "error|"}},
	{"csrf": ""},
	{"csrf": strings.Repeat("x", 300), "_flash": []any{strings.Repeat("é", 200)}},
}

func TestSessionSerializerRoundTripsEveryShape(t *testing.T) {
	for _, want := range sessionShapes {
		b, err := sessionSerializer{}.Serialize(want)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) < 2 || b[0] != compactMagic || b[1] != compactV1 {
			t.Fatalf("%v: not written in the compact format: % x", want, b[:min(len(b), 8)])
		}
		got := map[any]any{}
		if err := (sessionSerializer{}).Deserialize(b, &got); err != nil {
			t.Fatalf("%v: %v", want, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("round trip: got %#v, want %#v", got, want)
		}
	}
}

// A shape the compact format does not know is still stored (as gob), never refused.
func TestSessionSerializerFallsBackToGobForOtherShapes(t *testing.T) {
	for _, want := range []map[any]any{{"n": 42}, {"csrf": "t", "_flash": []any{"a", 7}}, {1: "int key"}} {
		b, err := sessionSerializer{}.Serialize(want)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) > 0 && b[0] == compactMagic {
			t.Fatalf("%v: written compact", want)
		}
		got := map[any]any{}
		if err := (sessionSerializer{}).Deserialize(b, &got); err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("gob fallback: got %#v (%v), want %#v", got, err, want)
		}
	}
}

// A user logged in before the compact format keeps their session: the gob cookie the
// old server wrote (same keys from the database) is read by the new one.
func TestSessionCookieOldGobCookieIsStillRead(t *testing.T) {
	hashKey, blockKey := securecookie.GenerateRandomKey(64), securecookie.GenerateRandomKey(32)
	old := sessions.NewCookieStore(hashKey, blockKey) // securecookie's default: gob
	b := &sessionBridge{store: cookieStore(hashKey, blockKey, false, time.Hour)}
	for _, want := range sessionShapes {
		cookie := encodeWith(t, old, want)
		if got := loadVia(t, b, cookie); got.IsNew || !holds(got.Values, want) {
			t.Fatalf("old gob cookie %v: read %#v (new %v)", want, got.Values, got.IsNew)
		}
		// And what the new server writes is the compact format, read back alike.
		if again := loadVia(t, b, encodeWith(t, b.store, want)); again.IsNew || !holds(again.Values, want) {
			t.Fatalf("compact cookie %v: read %#v", want, again.Values)
		}
	}
}

// A forged, garbled or foreign-key cookie, and a correctly signed one whose payload is
// malformed, all give a fresh session with a new CSRF token: never an error page.
func TestSessionCookieForgedOrGarbledGivesFreshSession(t *testing.T) {
	hashKey, blockKey := securecookie.GenerateRandomKey(64), securecookie.GenerateRandomKey(32)
	b := &sessionBridge{store: cookieStore(hashKey, blockKey, false, time.Hour)}
	other := cookieStore(securecookie.GenerateRandomKey(64), securecookie.GenerateRandomKey(32), false, time.Hour)
	signedRaw := func(payload []byte) string {
		sc := securecookie.New(hashKey, blockKey).SetSerializer(securecookie.NopEncoder{})
		v, err := sc.Encode(sessionCookie, payload)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	valid := encodeWith(t, b.store, map[any]any{"csrf": "t", "sid": "s"})
	for name, cookie := range map[string]string{
		"garbage":            "not-a-cookie",
		"truncated":          valid[:len(valid)/2],
		"other keys":         encodeWith(t, other, map[any]any{"csrf": "t", "sid": "planted"}),
		"signed, bad length": signedRaw([]byte{compactMagic, compactV1, 5, 3, 's', 'i'}),
		"signed, bad tag":    signedRaw([]byte{compactMagic, compactV1, 1, 3, 's', 'i', 'd', 'x', 1, 'a'}),
		"signed, trailing":   signedRaw([]byte{compactMagic, compactV1, 0, 0}),
		"signed, version 9":  signedRaw([]byte{compactMagic, 9, 0}),
		"signed, huge count": signedRaw([]byte{compactMagic, compactV1, 0xff, 0xff, 0xff, 0xff, 0x0f}),
		"signed, bad gob":    signedRaw([]byte{7, 1, 2, 3}),
	} {
		s := loadVia(t, b, cookie)
		if !s.IsNew || s.Values["sid"] != nil {
			t.Fatalf("%s: not a fresh session: %#v", name, s.Values)
		}
		if tok, _ := s.Values["csrf"].(string); len(tok) < 32 {
			t.Fatalf("%s: fresh session without a CSRF token: %#v", name, s.Values)
		}
	}
}

// holds reports got is want, plus the CSRF token load adds to a session without one.
func holds(got, want map[any]any) bool {
	if _, ok := want["csrf"]; !ok {
		if tok, _ := got["csrf"].(string); len(tok) < 32 {
			return false
		}
		got = maps.Clone(got)
		delete(got, "csrf")
	}
	return reflect.DeepEqual(got, want)
}

func encodeWith(t *testing.T, store *sessions.CookieStore, values map[any]any) string {
	t.Helper()
	v, err := securecookie.EncodeMulti(sessionCookie, values, store.Codecs...)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// loadVia runs the bridge's load in a real Fiber request carrying cookie.
func loadVia(t *testing.T, b *sessionBridge, cookie string) *sessions.Session {
	t.Helper()
	app := fiber.New()
	var got *sessions.Session
	app.Get("/", func(c *fiber.Ctx) error {
		s, err := b.load(c)
		if err != nil {
			return err
		}
		got = s
		return c.SendStatus(fiber.StatusNoContent)
	})
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("Cookie", sessionCookie+"="+cookie)
	resp, err := app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != fiber.StatusNoContent || got == nil {
		t.Fatalf("load: status %d", resp.StatusCode)
	}
	return got
}

// The decoder only ever sees bytes this server signed, but it must not panic or
// allocate without bound on any input; what it accepts, it writes back the same.
func FuzzSessionDeserialize(f *testing.F) {
	for _, v := range sessionShapes {
		b, _ := sessionSerializer{}.Serialize(v)
		f.Add(b)
		g, _ := securecookie.GobEncoder{}.Serialize(v)
		f.Add(g)
	}
	f.Add([]byte{compactMagic, compactV1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Fuzz(func(t *testing.T, data []byte) {
		got := map[any]any{}
		if err := (sessionSerializer{}).Deserialize(data, &got); err != nil || len(data) == 0 || data[0] != compactMagic {
			return
		}
		b, err := sessionSerializer{}.Serialize(got)
		if err != nil {
			t.Fatal(err)
		}
		again := map[any]any{}
		if err := (sessionSerializer{}).Deserialize(b, &again); err != nil || !reflect.DeepEqual(got, again) {
			t.Fatalf("accepted % x but its re-encoding reads %#v (%v), want %#v", data, again, err, got)
		}
	})
}

// BenchmarkSessionCookieDecode is a page's session cost before its actor query: the
// cookie's MAC, decryption and payload, compact against the gob it replaced.
func BenchmarkSessionCookieDecode(b *testing.B) {
	hashKey, blockKey := securecookie.GenerateRandomKey(64), securecookie.GenerateRandomKey(32)
	values := map[any]any{"csrf": "3hX-abcdefghijklmnopqrstuvwxyz0123456789ABCDEF", "sid": "Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4"}
	for _, bc := range []struct {
		name  string
		store *sessions.CookieStore
	}{{"gob", sessions.NewCookieStore(hashKey, blockKey)}, {"compact", cookieStore(hashKey, blockKey, false, time.Hour)}} {
		b.Run(bc.name, func(b *testing.B) {
			v, err := securecookie.EncodeMulti(sessionCookie, values, bc.store.Codecs...)
			if err != nil {
				b.Fatal(err)
			}
			r := &http.Request{Header: http.Header{"Cookie": {sessionCookie + "=" + v}}}
			b.ReportAllocs()
			for b.Loop() {
				if s, err := bc.store.New(r, sessionCookie); err != nil || s.IsNew {
					b.Fatal(err)
				}
			}
		})
	}
}
