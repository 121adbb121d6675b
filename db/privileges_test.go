package db_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/uptrace/bun/dialect/pgdialect"

	"agentconsole/db"
	"agentconsole/db/dbtest"
)

// TestServerRoleCannotEraseTheAuditLog connects as the server does (the app role the
// harness gives every test) and tries each way round the append-only audit log; every
// one must fail with a permission error, or the trigger's, and leave the rows.
func TestServerRoleCannotEraseTheAuditLog(t *testing.T) {
	t.Parallel()
	s := dbtest.Seeded(t)
	ctx := context.Background()
	admin, err := s.Authenticate(ctx, "admin@demo.test", "demo-admin-pass")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Audit(ctx, s.DB, admin, "test.action", db.AuditAgent, 1, "x"); err != nil {
		t.Fatal(err) // the server's role appends
	}
	var user string
	var super bool
	if err := s.DB.NewRaw("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user").Scan(ctx, &user, &super); err != nil {
		t.Fatal(err)
	}
	if user != db.AppRole || super {
		t.Fatalf("tests' stores connect as %q (superuser %v), not as the server's role %q", user, super, db.AppRole)
	}
	var owned []string
	if err := s.DB.NewRaw(`SELECT coalesce(array_agg(c.relname::text), '{}') FROM pg_class c
		WHERE pg_has_role(current_user, c.relowner, 'USAGE') AND c.relnamespace = 'public'::regnamespace`).Scan(ctx, pgdialect.Array(&owned)); err != nil {
		t.Fatal(err)
	}
	if len(owned) > 0 {
		t.Fatalf("the server's role owns %v", owned)
	}
	warnings, err := s.PrivilegeWarnings(ctx)
	if err != nil || len(warnings) > 0 {
		t.Fatalf("privilege warnings for the server's role: %v %v", warnings, err)
	}

	var before int
	s.DB.NewRaw("SELECT count(*) FROM audit_log").Scan(ctx, &before)
	for _, stmt := range []string{
		"TRUNCATE audit_log",
		"TRUNCATE audit_log CASCADE",
		"UPDATE audit_log SET action = 'changed'",
		"DELETE FROM audit_log",
		"ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only",
		"ALTER TABLE audit_log DISABLE TRIGGER ALL",
		"SET session_replication_role = replica",
		"DROP TRIGGER audit_log_append_only ON audit_log",
		"CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN OLD; END $$",
		"CREATE TABLE sneaky (id int)",
		"DELETE FROM bun_migrations",
	} {
		_, err := s.DB.ExecContext(ctx, stmt)
		if !isPermissionError(err) {
			t.Errorf("%s: want a permission error, got %v", stmt, err)
		}
	}
	var after int
	s.DB.NewRaw("SELECT count(*) FROM audit_log").Scan(ctx, &after)
	if after != before || after == 0 {
		t.Fatalf("audit rows: %d before, %d after", before, after)
	}
}

// TestOwnerCannotTruncateTheAuditLogByMistake: the statement trigger refuses TRUNCATE
// even for the owner (who could drop it on purpose, in a migration, in review).
func TestOwnerCannotTruncateTheAuditLogByMistake(t *testing.T) {
	t.Parallel()
	s := dbtest.Seeded(t)
	ctx := context.Background()
	admin, _ := s.Authenticate(ctx, "admin@demo.test", "demo-admin-pass")
	if err := s.Audit(ctx, s.DB, admin, "test.action", db.AuditAgent, 1, "x"); err != nil {
		t.Fatal(err)
	}
	owner := dbtest.Owner(t, s)
	if _, err := owner.DB.ExecContext(ctx, "TRUNCATE audit_log"); err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Fatalf("owner TRUNCATE: %v", err)
	}
}

// TestNewTablesAreUsableByTheServer: default privileges, set by the migrations, give
// the app role what it needs on a table a later migration (the owner) creates.
func TestNewTablesAreUsableByTheServer(t *testing.T) {
	t.Parallel()
	s := dbtest.New(t)
	ctx := context.Background()
	owner := dbtest.Owner(t, s)
	if _, err := owner.DB.ExecContext(ctx, "CREATE TABLE later_feature (id bigserial PRIMARY KEY, note text)"); err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		"INSERT INTO later_feature (note) VALUES ('a')",
		"UPDATE later_feature SET note = 'b'",
		"SELECT count(*) FROM later_feature",
		"DELETE FROM later_feature",
	} {
		if _, err := s.DB.ExecContext(ctx, stmt); err != nil {
			t.Errorf("%s as the server's role: %v", stmt, err)
		}
	}
	if _, err := s.DB.ExecContext(ctx, "TRUNCATE later_feature"); !isPermissionError(err) {
		t.Errorf("TRUNCATE of a new table: want a permission error, got %v", err)
	}
}

// isPermissionError: insufficient_privilege (42501), or the append-only trigger.
func isPermissionError(err error) bool {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return false
	}
	return pgErr.Code == "42501" || strings.Contains(pgErr.Message, "append-only")
}
