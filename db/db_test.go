package db_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"agentconsole/db"
	"agentconsole/db/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func TestMigrateConcurrentlyIsSafeAndIdempotent(t *testing.T) {
	dsn := dbtest.OwnerDSN(dbtest.NewDatabase(t))
	ctx := context.Background()
	// The template is migrated already; several instances migrating at once must
	// all succeed and apply nothing new.
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := db.Open(ctx, dsn, 2)
			if err != nil {
				errs <- err
				return
			}
			defer s.Close()
			applied, err := s.Migrate(ctx)
			if err == nil && len(applied) != 0 {
				err = errors.New("migrated again")
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestAuthenticateAndTokens(t *testing.T) {
	t.Parallel()
	s := dbtest.Seeded(t)
	ctx := context.Background()
	if _, err := s.Authenticate(ctx, "admin@demo.test", "wrong-password"); !errors.Is(err, db.ErrBadCredentials) {
		t.Fatalf("wrong password: %v", err)
	}
	if _, err := s.Authenticate(ctx, "nobody@demo.test", "demo-admin-pass"); !errors.Is(err, db.ErrBadCredentials) {
		t.Fatalf("unknown email: %v", err)
	}
	admin, err := s.Authenticate(ctx, "ADMIN@demo.test", "demo-admin-pass")
	if err != nil || admin.Role != db.RoleAdmin || admin.OrgName != "Demo Org" {
		t.Fatalf("admin login: %+v %v", admin, err)
	}
	tok, secret, err := s.CreateToken(ctx, admin, admin.UserID, "ci")
	if err != nil {
		t.Fatal(err)
	}
	var stored []byte
	if err := s.DB.NewRaw("SELECT token_hash FROM api_tokens WHERE id = ?", tok.ID).Scan(ctx, &stored); err != nil {
		t.Fatal(err)
	}
	if string(stored) == secret || len(stored) != 32 {
		t.Fatalf("token not stored as a hash")
	}
	got, err := s.ActorByToken(ctx, secret)
	if err != nil || got.TokenID != tok.ID || got.OrgID != admin.OrgID {
		t.Fatalf("token lookup: %+v %v", got, err)
	}
	if err := s.RevokeToken(ctx, admin, tok.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ActorByToken(ctx, secret); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("revoked token still works: %v", err)
	}
}

func TestAuditLogIsAppendOnly(t *testing.T) {
	t.Parallel()
	s := dbtest.Seeded(t)
	ctx := context.Background()
	admin, _ := s.Authenticate(ctx, "admin@demo.test", "demo-admin-pass")
	if err := s.Audit(ctx, s.DB, admin, "test.action", db.AuditAgent, 1, "x"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB.ExecContext(ctx, "UPDATE audit_log SET action = 'changed'"); err == nil {
		t.Fatal("audit_log update allowed")
	}
	if _, err := s.DB.ExecContext(ctx, "DELETE FROM audit_log"); err == nil {
		t.Fatal("audit_log delete allowed")
	}
}

func TestLastAdminCannotBeDemoted(t *testing.T) {
	t.Parallel()
	s := dbtest.Seeded(t)
	ctx := context.Background()
	admin, _ := s.Authenticate(ctx, "admin@demo.test", "demo-admin-pass")
	if err := s.SetRole(ctx, admin, admin.UserID, db.RoleReviewer); !errors.Is(err, db.ErrLastAdmin) {
		t.Fatalf("want ErrLastAdmin, got %v", err)
	}
}

// TestDeactivationIsPerOrganisation: a user in two organisations deactivated in one
// signs in to the other; deactivated in both, they cannot sign in at all, with the same
// error (and the same password work) as a wrong password. Their platform-operator flag
// is the user's, whatever the organisation.
func TestDeactivationIsPerOrganisation(t *testing.T) {
	t.Parallel()
	s := dbtest.Seeded(t)
	ctx := context.Background()
	demoAdmin, _ := s.Authenticate(ctx, "admin@demo.test", "demo-admin-pass")
	other, err := s.CreateOrganization(ctx, s.DB, "Zeta", "zeta")
	if err != nil {
		t.Fatal(err)
	}
	zetaAdminUser, err := s.CreateUser(ctx, other.ID, "admin@zeta.test", "Zeta Admin", "zeta-admin-pass", db.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	zetaAdmin := &db.Actor{UserID: zetaAdminUser.ID, OrgID: other.ID, Role: db.RoleAdmin, Email: "admin@zeta.test"}
	builder, _ := s.Authenticate(ctx, "builder@demo.test", "demo-builder-pass")
	if _, err := s.DB.NewRaw("INSERT INTO memberships (org_id, user_id, role) VALUES (?, ?, 'reviewer')", other.ID, builder.UserID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeactivateMember(ctx, demoAdmin, builder.UserID); err != nil {
		t.Fatal(err)
	}
	a, err := s.Authenticate(ctx, "builder@demo.test", "demo-builder-pass")
	if err != nil || a.OrgID != other.ID {
		t.Fatalf("deactivated in one organisation, active in another: %+v %v", a, err)
	}
	if _, err := s.DeactivateMember(ctx, zetaAdmin, builder.UserID); err != nil {
		t.Fatal(err)
	}
	before := s.PasswordChecks()[db.PasswordCost]
	if _, err := s.Authenticate(ctx, "builder@demo.test", "demo-builder-pass"); !errors.Is(err, db.ErrBadCredentials) {
		t.Fatalf("deactivated everywhere: %v", err)
	}
	if s.PasswordChecks()[db.PasswordCost] != before+1 {
		t.Fatal("a deactivated member's sign-in skipped the password work (a timing tell)")
	}
	if _, err := s.SetPlatformOperator(ctx, "BUILDER@demo.test", true); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ReactivateMember(ctx, zetaAdmin, builder.UserID); err != nil {
		t.Fatal(err)
	}
	if a, err := s.Authenticate(ctx, "builder@demo.test", "demo-builder-pass"); err != nil || a.OrgID != other.ID || !a.PlatformOperator {
		t.Fatalf("after reactivation in one organisation: %+v %v", a, err)
	}
	if _, err := s.SetPlatformOperator(ctx, "nobody@demo.test", true); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("flag for an unknown user: %v", err)
	}
}

func TestOrgSlugs(t *testing.T) {
	for name, want := range map[string]string{"Acme Inc.": "acme-inc", "  Zürich  Labs ": "z-rich-labs", "ÄÖÜ": "", "A--B": "a-b"} {
		if got := db.OrgSlugFrom(name); got != want {
			t.Errorf("OrgSlugFrom(%q) = %q, want %q", name, got, want)
		}
	}
	for slug, ok := range map[string]bool{"acme": true, "acme-2": true, "-acme": false, "": false, "Acme": false, strings.Repeat("a", 64): false} {
		if db.ValidOrgSlug(slug) != ok {
			t.Errorf("ValidOrgSlug(%q) != %v", slug, ok)
		}
	}
}

// TestSeedDemoAddsTheOperatorToAnOlderDemo: a demo organisation seeded before
// operator@demo.test existed gets it on the next seed; the demo admin is no operator.
func TestSeedDemoAddsTheOperatorToAnOlderDemo(t *testing.T) {
	t.Parallel()
	s := dbtest.Seeded(t)
	ctx := context.Background()
	if _, err := s.DB.NewRaw("DELETE FROM users WHERE email = 'operator@demo.test'").Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if created, err := s.SeedDemo(ctx); err != nil || created {
		t.Fatalf("seed again: %v %v", created, err)
	}
	op, err := s.Authenticate(ctx, "operator@demo.test", "demo-operator-pass")
	if err != nil || !op.PlatformOperator || op.Role != db.RoleReviewer {
		t.Fatalf("operator: %+v %v", op, err)
	}
	if admin, _ := s.Authenticate(ctx, "admin@demo.test", "demo-admin-pass"); admin.PlatformOperator {
		t.Fatal("the demo admin is a platform operator")
	}
	if _, err := s.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
}
