package web_test

import (
	"context"
	"testing"
	"time"

	"agentconsole/web"
)

// TestExpiredSessionsArePurgedByTheScheduler: the background loop that refreshes
// cards also deletes sessions past their expiry, and only those.
func TestExpiredSessionsArePurgedByTheScheduler(t *testing.T) {
	t.Parallel()
	e := start(t, func(c *web.Config) { c.CardTick, c.SessionPurge = 20*time.Millisecond, time.Millisecond })
	ctx := context.Background()
	e.client().mustLogin("admin@demo.test", "demo-admin-pass")
	live := e.client().mustLogin("builder@demo.test", "demo-builder-pass")
	// Expire the admin's session as time would; the builder's stays valid.
	if _, err := e.Store.DB.NewRaw(`UPDATE sessions SET expires_at = now() - interval '1 minute'
		WHERE user_id = (SELECT id FROM users WHERE email = 'admin@demo.test')`).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Minute) // a guard against hanging, not a speed requirement
	for {
		var expired, valid int
		if err := e.Store.DB.NewRaw(`SELECT count(*) FILTER (WHERE expires_at < now()), count(*) FILTER (WHERE expires_at >= now()) FROM sessions`).
			Scan(ctx, &expired, &valid); err != nil {
			t.Fatal(err)
		}
		if expired == 0 {
			if valid != 1 {
				t.Fatalf("%d valid sessions left, want the builder's 1", valid)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d expired sessions never purged", expired)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if resp, _ := live.get("/agents"); resp.StatusCode != 200 {
		t.Fatalf("the valid session stopped working: %d", resp.StatusCode)
	}
}
