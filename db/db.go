// Package db owns every SQL query of agentconsole: Bun models, embedded migrations,
// stores, and the domain operations that must run as one transaction.
package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/migrate"

	"agentconsole/db/migrations"
)

// ErrNotFound is returned when a row does not exist in the caller's organisation.
var ErrNotFound = errors.New("db: not found")

// Store is the one door to the database; its methods are grouped by file per noun.
type Store struct {
	DB *bun.DB

	hooksMu sync.RWMutex
	hooks   []bun.QueryHook // see AddQueryHook

	orgUUIDs sync.Map       // organisation id → UUID: immutable, so cached for the process
	caches   storeCaches    // catalog, models and tags, checked by change counters (caches.go)
	checks   passwordChecks // see PasswordChecks

	statements StatementMode     // how the hot reads are sent (never StatementsAuto once open)
	execMode   pgx.QueryExecMode // its pgx form
	proxied    bool              // a pooler or proxy answers for PostgreSQL (see behindProxy)
}

// Open connects to PostgreSQL with maxConns connections and the statement mode chosen
// automatically (see OpenWith).
func Open(ctx context.Context, dsn string, maxConns int) (*Store, error) {
	return OpenWith(ctx, dsn, Options{MaxConns: maxConns})
}

// Options tune a Store's connection pool.
type Options struct {
	MaxConns int // pool size (default 20)
	// Statements is how the hot reads reach PostgreSQL; empty detects it (see
	// DetectStatementMode).
	Statements StatementMode
}

// OpenWith connects to PostgreSQL through pgx and checks the connection. Bun's queries
// use the simple protocol (Bun formats arguments into the SQL text itself), so they
// carry no session state; the hot reads follow o.Statements (see prepared.go).
func OpenWith(ctx context.Context, dsn string, o Options) (*Store, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("db: parse DATABASE_URL: %w", err)
	}
	cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	sqldb := stdlib.OpenDB(*cfg)
	maxConns := o.MaxConns
	if maxConns <= 0 {
		maxConns = 20
	}
	sqldb.SetMaxOpenConns(maxConns)
	sqldb.SetMaxIdleConns(maxConns)
	sqldb.SetConnMaxIdleTime(5 * time.Minute)
	bdb := bun.NewDB(sqldb, pgdialect.New())
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := bdb.PingContext(pingCtx); err != nil {
		bdb.Close()
		return nil, fmt.Errorf("db: connect: %w", err)
	}
	s := &Store{DB: bdb}
	if s.proxied, err = s.behindProxy(pingCtx, cfg.Port); err != nil {
		bdb.Close()
		return nil, fmt.Errorf("db: connect: %w", err)
	}
	s.statements = o.Statements
	if s.statements == StatementsAuto {
		s.statements = StatementsPrepared
		if s.proxied {
			s.statements = StatementsDescribe
		}
	}
	s.execMode = s.statements.execMode()
	return s, nil
}

// Close releases the pool.
func (s *Store) Close() error { return s.DB.Close() }

// Ping checks that the database answers (readiness).
func (s *Store) Ping(ctx context.Context) error { return s.DB.PingContext(ctx) }

// AppRole is the database role the server runs as (or that its login role is a member
// of). Migrations keep its grants: read and write on every table the owner creates,
// append and read only on the audit log, nothing on the migration bookkeeping, and it
// owns nothing. Migrations run as the owner role over MIGRATION_DATABASE_URL.
const AppRole = "agentconsole_app"

// PrivilegeWarnings lists what makes the connected role more powerful than AppRole
// should be: a superuser or a table owner can switch the audit log's triggers off or
// truncate it. The server logs them at start (a deployment may not have split roles).
func (s *Store) PrivilegeWarnings(ctx context.Context) ([]string, error) {
	var super bool
	var owned int
	err := s.DB.NewRaw(`SELECT r.rolsuper, (SELECT count(*) FROM pg_class c
		WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND pg_has_role(current_user, c.relowner, 'USAGE'))
		FROM pg_roles r WHERE r.rolname = current_user`).Scan(ctx, &super, &owned)
	if err != nil {
		return nil, fmt.Errorf("db: privileges: %w", err)
	}
	var out []string
	if super {
		out = append(out, "the server's database role is a superuser")
	}
	if owned > 0 {
		out = append(out, fmt.Sprintf("the server's database role owns %d tables", owned))
	}
	return out, nil
}

// migrationLockKey is the pg_advisory_lock key that serialises migrations across
// every instance starting at once ("agentcon" in ASCII).
const migrationLockKey = 0x6167656e74636f6e

// Migrate applies every pending migration while holding a PostgreSQL advisory lock on a
// dedicated connection, so several instances starting together migrate exactly once.
// Call it on a store connected as the owner role, directly (not through a transaction
// pooler: the advisory lock belongs to the session).
// Bun's own Migrator.Lock is a table row that a crash leaves behind; we do not use it.
func (s *Store) Migrate(ctx context.Context) (applied []string, err error) {
	conn, err := s.DB.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("db: migrate: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(?)", int64(migrationLockKey)); err != nil {
		return nil, fmt.Errorf("db: migrate: lock: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(?)", int64(migrationLockKey))

	m := migrate.NewMigrator(s.DB, migrations.All, migrate.WithMarkAppliedOnSuccess(true))
	if err := m.Init(ctx); err != nil {
		return nil, fmt.Errorf("db: migrate: init: %w", err)
	}
	group, err := m.Migrate(ctx)
	if err != nil {
		return nil, fmt.Errorf("db: migrate: %w", err)
	}
	for _, mig := range group.Migrations {
		applied = append(applied, mig.String())
	}
	// The bundled model registry and tool catalog ship with the binary.
	if err := s.LoadBundledModels(ctx); err != nil {
		return applied, err
	}
	return applied, s.LoadBundledCatalog(ctx)
}

// InTx runs fn in one transaction: everything it does lands, or nothing does.
func (s *Store) InTx(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error {
	return s.DB.RunInTx(ctx, &sql.TxOptions{}, fn)
}

// isUniqueViolation reports a unique_violation on the named constraint (any if empty).
func isUniqueViolation(err error, constraint string) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return constraint == "" || pgErr.ConstraintName == constraint
	}
	return false
}

// IsUnavailable reports errors that mean the database cannot be reached right now
// (connection refused, shutting down): callers answer 503 rather than 500.
func IsUnavailable(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// Class 57: operator intervention (admin_shutdown, cannot_connect_now…);
		// class 08: connection exceptions.
		return len(pgErr.Code) == 5 && (pgErr.Code[:2] == "57" || pgErr.Code[:2] == "08")
	}
	var connErr *pgconn.ConnectError
	var netErr net.Error
	// A connection that broke mid-query (the server restarted under it) is the
	// database being unavailable too, not a fault of ours.
	return errors.As(err, &connErr) || errors.Is(err, sql.ErrConnDone) || errors.Is(err, driver.ErrBadConn) ||
		errors.As(err, &netErr) || errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.ErrUnexpectedEOF)
}

func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}
