package embedded

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"agentconsole/db"
)

// OwnerRole owns the database and every object in it; migrations run as it. It is no
// superuser: it cannot switch triggers off for the whole session or bypass them.
const OwnerRole = "agentconsole_owner"

// Provision prepares database name on this cluster for least privilege and returns
// the migration (owner) and server (app) connection strings: see ProvisionDatabase.
func (c *Cluster) Provision(ctx context.Context, name string) (ownerDSN, appDSN string, err error) {
	super := c.DSN("postgres")
	if err := ProvisionDatabase(ctx, super, name); err != nil {
		return "", "", err
	}
	return AsRole(c.DSN(name), OwnerRole), AsRole(c.DSN(name), db.AppRole), nil
}

// ProvisionDatabase, connected as a superuser (superDSN), creates the owner and app
// login roles when missing and database name owned by the owner role when missing. A
// database made before the roles existed (an older `make run` cluster) is handed over
// to the owner role, objects included, so migrations can grant on them.
func ProvisionDatabase(ctx context.Context, superDSN, name string) error {
	if err := EnsureRoles(ctx, superDSN); err != nil {
		return err
	}
	admin, err := db.Open(ctx, superDSN, 1)
	if err != nil {
		return err
	}
	defer admin.Close()
	var owner string
	err = admin.DB.NewRaw("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = ?", name).Scan(ctx, &owner)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		_, err = admin.DB.ExecContext(ctx, "CREATE DATABASE "+quoteIdent(name)+" OWNER "+OwnerRole)
		return err
	case err != nil:
		return err
	case owner == OwnerRole:
		return nil
	}
	if _, err := admin.DB.ExecContext(ctx, "ALTER DATABASE "+quoteIdent(name)+" OWNER TO "+OwnerRole); err != nil {
		return err
	}
	in, err := db.Open(ctx, withDatabase(superDSN, name), 1)
	if err != nil {
		return err
	}
	defer in.Close()
	// Tables (their sequences follow) and our functions; extension members stay put.
	_, err = in.DB.ExecContext(ctx, `DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT c.oid::regclass AS obj FROM pg_class c
            WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm')
              AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e') LOOP
        EXECUTE format('ALTER TABLE %s OWNER TO `+OwnerRole+`', r.obj);
    END LOOP;
    FOR r IN SELECT p.oid::regprocedure AS obj FROM pg_proc p
            WHERE p.pronamespace = 'public'::regnamespace
              AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e') LOOP
        EXECUTE format('ALTER FUNCTION %s OWNER TO `+OwnerRole+`', r.obj);
    END LOOP;
END $$`)
	return err
}

// EnsureRoles makes the owner role and the app role (db.AppRole, the role the
// migrations grant to) plain login roles: no superuser, no CREATEDB, no CREATEROLE.
// Several processes may race here (parallel test packages on one server). When superDSN
// carries a password, new roles get the same one (an external test server).
func EnsureRoles(ctx context.Context, superDSN string) error {
	admin, err := db.Open(ctx, superDSN, 1)
	if err != nil {
		return err
	}
	defer admin.Close()
	password := "NULL"
	if u, err := url.Parse(superDSN); err == nil {
		if p, ok := u.User.Password(); ok {
			password = "'" + strings.ReplaceAll(p, "'", "''") + "'"
		}
	}
	for _, role := range []string{OwnerRole, db.AppRole} {
		_, err := admin.DB.ExecContext(ctx, fmt.Sprintf(`DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '%[1]s') THEN
        CREATE ROLE %[1]s LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD %[2]s;
    ELSE
        -- made by a migration as a group role (NOLOGIN), or changed by hand
        ALTER ROLE %[1]s LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL; -- another process made it first
END $$`, role, password))
		if err != nil {
			return fmt.Errorf("embedded: role %s: %w", role, err)
		}
	}
	return nil
}

// AsRole is dsn with its user replaced by role (the password, if any, is kept).
func AsRole(dsn, role string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	if p, ok := u.User.Password(); ok {
		u.User = url.UserPassword(role, p)
	} else {
		u.User = url.User(role)
	}
	return u.String()
}

func withDatabase(dsn, name string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	u.Path = "/" + name
	return u.String()
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
