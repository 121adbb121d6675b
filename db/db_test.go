package db_test

import (
	"context"
	"errors"
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
	if err := s.Audit(ctx, s.DB, admin, "test.action", "thing", 1, "x"); err != nil {
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
