package db_test

import (
	"context"
	"errors"
	"maps"
	"testing"
	"time"

	"agentconsole/db"
	"agentconsole/db/dbtest"
)

// An unknown email must cost what a known one costs: one comparison at the configured
// bcrypt cost (the dummy hash was at bcrypt.MinCost: 4 ms against 270 ms told which
// accounts exist). Not parallel: it raises db.PasswordCost above the tests' minimum,
// which parallel tests read, so that a MinCost dummy would show.
func TestUnknownEmailCostsOneComparisonAtTheConfiguredCost(t *testing.T) {
	old := db.PasswordCost
	db.PasswordCost = 6
	defer func() { db.PasswordCost = old }()
	s := dbtest.New(t)
	ctx := context.Background()
	org, err := s.CreateOrganization(ctx, s.DB, "Org", "org")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateUser(ctx, org.ID, "known@x.test", "Known", "the-right-password", db.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	for _, email := range []string{"known@x.test", "unknown@x.test", "unknown@x.test"} {
		before := s.PasswordChecks()
		start := time.Now()
		if _, err := s.Authenticate(ctx, email, "a-wrong-password"); !errors.Is(err, db.ErrBadCredentials) {
			t.Fatalf("%s: %v", email, err)
		}
		took := time.Since(start)
		after := s.PasswordChecks()
		after[db.PasswordCost]--
		if after[db.PasswordCost] == 0 {
			delete(after, db.PasswordCost)
		}
		if !maps.Equal(before, after) {
			t.Fatalf("%s: comparisons by cost went from %v to %v, want one more at cost %d", email, before, s.PasswordChecks(), db.PasswordCost)
		}
		t.Logf("%s: %s (for information, not asserted)", email, took)
	}
}

// Throttling is decided before the password is checked, atomically: of 25 parallel
// attempts on one account with a limit of 5, exactly 5 reach bcrypt.
func TestParallelLoginAttemptsAreCountedBeforeTheCheck(t *testing.T) {
	t.Parallel()
	s := dbtest.Seeded(t)
	ctx := context.Background()
	lim := db.LoginLimits{PerAccount: 5, PerAddress: 50, Window: 15 * time.Minute}
	before := s.PasswordChecks()
	results := make(chan error, 25)
	startLine := make(chan struct{})
	for i := 0; i < 25; i++ {
		go func() {
			<-startLine
			_, err := s.Login(ctx, "builder@demo.test", "wrong-password", "192.0.2.1", lim)
			results <- err
		}()
	}
	close(startLine)
	counts := map[error]int{}
	for i := 0; i < 25; i++ {
		err := <-results
		switch {
		case errors.Is(err, db.ErrBadCredentials):
			counts[db.ErrBadCredentials]++
		case errors.Is(err, db.ErrLoginThrottled):
			counts[db.ErrLoginThrottled]++
		default:
			t.Fatalf("attempt: %v", err)
		}
	}
	checked := 0
	for cost, n := range s.PasswordChecks() {
		checked += n - before[cost]
	}
	if counts[db.ErrBadCredentials] != 5 || counts[db.ErrLoginThrottled] != 20 || checked != 5 {
		t.Fatalf("checked %d passwords, outcomes %v; want 5 checked and 20 throttled", checked, counts)
	}
	// The right password is refused too while throttled; another account is not.
	if _, err := s.Login(ctx, "builder@demo.test", "demo-builder-pass", "192.0.2.2", lim); !errors.Is(err, db.ErrLoginThrottled) {
		t.Fatalf("right password while throttled: %v", err)
	}
	if _, err := s.Login(ctx, "admin@demo.test", "demo-admin-pass", "192.0.2.1", lim); err != nil {
		t.Fatalf("other account: %v", err)
	}
}
