package db

import (
	"context"
	"errors"
	"fmt"
)

// DemoLogin is one of the demo organisation's accounts.
type DemoLogin struct {
	Email, Password string
	Role            Role
	// PlatformOperator: this login may change the tool catalog and the model registry.
	PlatformOperator bool
}

// DemoLogins are the accounts `seed` creates; `make run` prints them. The demo admin is
// an organisation admin, not a platform operator: platform data (catalog, models) is
// changed by operator@demo.test, a reviewer in the demo organisation whose user carries
// the platform-operator flag — the flag is not an organisation role.
var DemoLogins = []DemoLogin{
	{"admin@demo.test", "demo-admin-pass", RoleAdmin, false},
	{"builder@demo.test", "demo-builder-pass", RoleBuilder, false},
	{"reviewer@demo.test", "demo-reviewer-pass", RoleReviewer, false},
	{"operator@demo.test", "demo-operator-pass", RoleReviewer, true},
}

// SeedDemo creates the demo organisation and its users unless it exists already; an
// existing demo organisation gets the demo logins it lacks (a database seeded before
// operator@demo.test existed).
func (s *Store) SeedDemo(ctx context.Context) (created bool, err error) {
	// Under the seed lock: instances seeding at once would otherwise race between
	// creating the organisation and its logins.
	unlock, err := s.seedLock(ctx)
	if err != nil {
		return false, fmt.Errorf("db: seed demo: %w", err)
	}
	defer unlock()
	if org, err := s.OrganizationBySlug(ctx, "demo"); err == nil {
		return false, s.addMissingDemoLogins(ctx, org.ID)
	} else if !errors.Is(err, ErrNotFound) {
		return false, err
	}
	org, err := s.CreateOrganization(ctx, s.DB, "Demo Org", "demo")
	if err != nil {
		if isUniqueViolation(err, "") { // another instance seeded it just now
			return false, nil
		}
		return false, err
	}
	for _, l := range DemoLogins {
		if err := s.createDemoLogin(ctx, org.ID, l); err != nil {
			return false, err
		}
	}
	return true, nil
}

func (s *Store) createDemoLogin(ctx context.Context, orgID int64, l DemoLogin) error {
	name := fmt.Sprintf("Demo %s", l.Role)
	if l.PlatformOperator {
		name = "Demo platform operator"
	}
	if _, err := s.CreateUser(ctx, orgID, l.Email, name, l.Password, l.Role); err != nil {
		return fmt.Errorf("db: seed demo: %w", err)
	}
	if l.PlatformOperator {
		if _, err := s.SetPlatformOperator(ctx, l.Email, true); err != nil {
			return fmt.Errorf("db: seed demo: %w", err)
		}
	}
	return nil
}

// addMissingDemoLogins creates the demo logins whose email is not taken yet.
func (s *Store) addMissingDemoLogins(ctx context.Context, orgID int64) error {
	for _, l := range DemoLogins {
		var exists bool
		if err := s.DB.NewRaw("SELECT EXISTS (SELECT 1 FROM users WHERE lower(email) = lower(?))", l.Email).Scan(ctx, &exists); err != nil {
			return fmt.Errorf("db: seed demo: %w", err)
		}
		if exists {
			continue
		}
		if err := s.createDemoLogin(ctx, orgID, l); err != nil && !errors.Is(err, ErrEmailTaken) { // another instance added it
			return err
		}
	}
	return nil
}
