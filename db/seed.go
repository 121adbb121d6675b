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
}

// DemoLogins are the accounts `seed` creates; `make run` prints them.
var DemoLogins = []DemoLogin{
	{"admin@demo.test", "demo-admin-pass", RoleAdmin},
	{"builder@demo.test", "demo-builder-pass", RoleBuilder},
	{"reviewer@demo.test", "demo-reviewer-pass", RoleReviewer},
}

// SeedDemo creates the demo organisation and its users unless it exists already.
func (s *Store) SeedDemo(ctx context.Context) (created bool, err error) {
	if _, err := s.OrganizationBySlug(ctx, "demo"); err == nil {
		return false, nil
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
		name := fmt.Sprintf("Demo %s", l.Role)
		if _, err := s.CreateUser(ctx, org.ID, l.Email, name, l.Password, l.Role); err != nil {
			return false, fmt.Errorf("db: seed demo: %w", err)
		}
	}
	return true, nil
}
