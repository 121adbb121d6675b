package db_test

import (
	"context"
	"testing"
	"time"

	"agentconsole/db"
	"agentconsole/db/dbtest"
)

// A tick that comes late (a loaded machine) must not leave the card on its old grid:
// old next + interval would be only just ahead of the claim, and the next tick would
// claim the card again a fraction of an interval later.
func TestLateClaimWaitsAWholeIntervalFromTheClaim(t *testing.T) {
	t.Parallel()
	s := dbtest.Seeded(t)
	ctx := context.Background()
	a, err := s.SaveAgent(ctx, demoAdmin(t, s), patch(t, `{"name":"Peer","agentType":"external",
		"externalConfig":{"endpointUrl":"https://peer.example","refreshIntervalMinutes":10}}`), db.SourceCreate)
	if err != nil {
		t.Fatal(err)
	}
	unit := time.Second // one "minute": the interval is 10 s
	interval := 10 * unit
	// The card was due 9 s ago: the tick that should have claimed it came 0.9 intervals late.
	if _, err := s.DB.NewRaw("UPDATE agent_cards SET next_refresh_at = now() - interval '9 seconds' WHERE agent_id = ?", a.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	due, err := s.ClaimDueCards(ctx, 10, unit)
	if err != nil || len(due) != 1 || due[0].AgentID != a.ID || due[0].ClaimedAt.IsZero() {
		t.Fatalf("claim: %+v %v", due, err)
	}
	var next time.Time
	if err := s.DB.NewRaw("SELECT next_refresh_at FROM agent_cards WHERE agent_id = ?", a.ID).Scan(ctx, &next); err != nil {
		t.Fatal(err)
	}
	if got := next.Sub(due[0].ClaimedAt); got != interval {
		t.Fatalf("next refresh %s after the claim, want %s", got, interval)
	}
	// Claimed once: the next claimer finds nothing due.
	if again, err := s.ClaimDueCards(ctx, 10, unit); err != nil || len(again) != 0 {
		t.Fatalf("claimed again right away: %+v %v", again, err)
	}
}
