// Package dbtest gives each test its own fresh, migrated PostgreSQL database.
//
// With TEST_DATABASE_URL unset it starts a private cluster the same way `make run`
// does; each test then gets a copy of a migrated template database, so tests run in
// parallel without seeing each other's rows. As in production, every database is owned
// by the owner role (embedded.OwnerRole, which migrates it) and the stores tests get
// connect as the least-privileged app role (db.AppRole) the server runs as; a test that
// needs more (creating a trigger) asks for Owner explicitly. TEST_DATABASE_URL must be
// a superuser: it creates both roles (with its own password) and the databases.
package dbtest

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/uptrace/bun"

	"agentconsole/db"
	"agentconsole/db/embedded"
)

const templateDB = "agentconsole_test_template"

var (
	setupOnce sync.Once
	setupErr  error
	baseDSN   string
	cluster   *embedded.Cluster
	counter   atomic.Int64
)

// Main runs the package's tests and stops the private cluster afterwards. Call it
// from TestMain.
func Main(m *testing.M) {
	db.PasswordCost = 4 // bcrypt's minimum: tests log in often
	code := m.Run()
	if cluster != nil {
		cluster.Stop()
	}
	os.Exit(code)
}

// Cluster is the private cluster tests run on, or nil when an external database is used.
func Cluster() *embedded.Cluster { return cluster }

func setup() {
	ctx := context.Background()
	baseDSN = os.Getenv("TEST_DATABASE_URL")
	if baseDSN == "" {
		cluster, setupErr = embedded.StartTemp(ctx, embedded.Options{Fast: true})
		if setupErr != nil {
			return
		}
		baseDSN = cluster.DSN("postgres")
	}
	admin, err := db.Open(ctx, baseDSN, 2)
	if err != nil {
		setupErr = err
		return
	}
	defer admin.Close()
	admin.DB.ExecContext(ctx, "DROP DATABASE IF EXISTS "+templateDB+"_"+pid())
	if setupErr = embedded.ProvisionDatabase(ctx, baseDSN, templateDB+"_"+pid()); setupErr != nil {
		return
	}
	tmpl, err := db.Open(ctx, OwnerDSN(DSN(templateDB+"_"+pid())), 2)
	if err != nil {
		setupErr = err
		return
	}
	defer tmpl.Close()
	_, setupErr = tmpl.Migrate(ctx)
}

func pid() string { return fmt.Sprint(os.Getpid()) }

// DSN is the connection string for database name on the test server as its
// superuser (creating databases, stopping backends).
func DSN(name string) string {
	u, err := url.Parse(baseDSN)
	if err != nil {
		panic(err)
	}
	u.Path = "/" + name
	return u.String()
}

// OwnerDSN is dsn (of a test database) connected as the owner role: migrations and
// test fixtures that change the schema.
func OwnerDSN(dsn string) string { return embedded.AsRole(dsn, embedded.OwnerRole) }

// Owner opens a store on s's database as the owner role, closed when t ends.
func Owner(t testing.TB, s *db.Store) *db.Store {
	t.Helper()
	ctx := context.Background()
	var name string
	if err := s.DB.NewRaw("SELECT current_database()").Scan(ctx, &name); err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	o, err := db.Open(ctx, OwnerDSN(DSN(name)), 2)
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	t.Cleanup(func() { o.Close() })
	return o
}

// NewDatabase creates a fresh migrated database for t, dropped when t ends, and
// returns its DSN as the app role (db.AppRole), the server's own.
func NewDatabase(t testing.TB) string {
	t.Helper()
	setupOnce.Do(setup)
	if setupErr != nil {
		t.Fatalf("dbtest: %v", setupErr)
	}
	ctx := context.Background()
	name := fmt.Sprintf("t_%s_%d", pid(), counter.Add(1))
	admin, err := db.Open(ctx, baseDSN, 1)
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	defer admin.Close()
	if _, err := admin.DB.ExecContext(ctx, "CREATE DATABASE "+name+" TEMPLATE "+templateDB+"_"+pid()+" OWNER "+embedded.OwnerRole); err != nil {
		t.Fatalf("dbtest: create database: %v", err)
	}
	dropWhenDone(t, name)
	return embedded.AsRole(DSN(name), db.AppRole)
}

// dropWhenDone drops the test's database when t ends.
func dropWhenDone(t testing.TB, name string) {
	t.Cleanup(func() {
		ctx := context.Background()
		admin, err := db.Open(ctx, baseDSN, 1)
		if err == nil {
			admin.DB.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			admin.Close()
		}
	})
}

// NewEmptyDatabase creates a fresh database for t that nothing has migrated yet (owned
// by the owner role, dropped when t ends) and returns its app-role DSN; OwnerDSN gives
// the migrations' connection.
func NewEmptyDatabase(t testing.TB) string {
	t.Helper()
	setupOnce.Do(setup)
	if setupErr != nil {
		t.Fatalf("dbtest: %v", setupErr)
	}
	ctx := context.Background()
	name := fmt.Sprintf("e_%s_%d", pid(), counter.Add(1))
	if err := embedded.ProvisionDatabase(ctx, baseDSN, name); err != nil {
		t.Fatalf("dbtest: create database: %v", err)
	}
	dropWhenDone(t, name)
	return embedded.AsRole(DSN(name), db.AppRole)
}

// Statements is the statement mode test stores use: TEST_DATABASE_STATEMENTS (prepared,
// describe or simple; unset detects it as the server does). make test runs the API
// contract tests and a browser journey again in each mode other than the default.
func Statements(t testing.TB) db.StatementMode {
	m, err := db.ParseStatementMode(os.Getenv("TEST_DATABASE_STATEMENTS"))
	if err != nil {
		t.Fatalf("TEST_DATABASE_STATEMENTS: %v", err)
	}
	return m
}

// New returns a Store on a fresh migrated database for t.
func New(t testing.TB) *db.Store {
	t.Helper()
	dsn := NewDatabase(t)
	s, err := db.OpenWith(context.Background(), dsn, db.Options{MaxConns: 10, Statements: Statements(t)})
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Seeded returns a Store whose database holds the demo organisation.
func Seeded(t testing.TB) *db.Store {
	t.Helper()
	s := New(t)
	if _, err := s.SeedDemo(context.Background()); err != nil {
		t.Fatalf("dbtest: seed: %v", err)
	}
	return s
}

// QueryCounter is a Bun query hook that counts the statements a store sends (tests
// that bound the number of queries add it with Store.AddQueryHook).
type QueryCounter struct{ n atomic.Int64 }

// BeforeQuery counts one statement.
func (q *QueryCounter) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context {
	q.n.Add(1)
	return ctx
}

// AfterQuery does nothing.
func (q *QueryCounter) AfterQuery(context.Context, *bun.QueryEvent) {}

// Count is the number of statements so far.
func (q *QueryCounter) Count() int64 { return q.n.Load() }
