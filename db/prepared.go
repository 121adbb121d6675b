package db

import (
	"context"
	"database/sql"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
)

// Bun formats arguments into the SQL text, so PostgreSQL sees a new statement on every
// call and plans it again: on the agents list that planning was half of the query's
// time. The reads behind every page view therefore go through prepared: the same
// Bun-style SQL (? placeholders), sent as $n parameters in pgx's cache-statement mode,
// so each connection prepares a statement once and PostgreSQL reuses its plan. Bun
// still scans the rows into the models. Behind a transaction pooler the store's
// statement mode (statements.go) sends the same reads as unnamed statements or over the
// simple protocol instead, since a named statement would not follow the transaction to
// its next server connection.

// queryer is what a pool and a transaction of database/sql both offer.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// numbered caches each query's ?-to-$n rewrite (the set of queries is fixed by the code).
var numbered sync.Map

// toNumbered rewrites Bun's ? placeholders as PostgreSQL's $1, $2, … (our SQL never
// has a ? inside a literal: jsonb_exists stands for the ? operator).
func toNumbered(query string) string {
	if q, ok := numbered.Load(query); ok {
		return q.(string)
	}
	var b strings.Builder
	n := 0
	for _, part := range strings.Split(query, "?") {
		if n > 0 {
			b.WriteString("$" + strconv.Itoa(n))
		}
		b.WriteString(part)
		n++
	}
	numbered.Store(query, b.String())
	return b.String()
}

// prepared runs a read in the store's statement mode (a cached prepared statement by default) on idb (the pool, or a
// transaction's connection) and scans every row into dest the way Bun does. With one
// struct or scalar destination and no row it returns sql.ErrNoRows, as Bun's Scan does.
func (s *Store) prepared(ctx context.Context, idb bun.IDB, query string, args []any, dest ...any) error {
	var q queryer = s.DB.DB
	switch t := idb.(type) {
	case bun.Tx:
		q = t.Tx
	case *bun.Tx:
		q = t.Tx
	}
	start := time.Now()
	rows, err := q.QueryContext(ctx, toNumbered(query), append([]any{s.execMode}, args...)...)
	if err == nil {
		err = s.scan(ctx, rows, dest)
	}
	s.observe(ctx, query, args, start, err)
	return err
}

func (s *Store) scan(ctx context.Context, rows *sql.Rows, dest []any) error {
	defer rows.Close()
	if len(dest) == 1 && isRows(dest[0]) {
		return s.DB.ScanRows(ctx, rows, dest...)
	}
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return sql.ErrNoRows
	}
	if err := s.DB.ScanRow(ctx, rows, dest...); err != nil {
		return err
	}
	return rows.Err()
}

// observe shows a prepared query to the hooks added with AddQueryHook, formatted with
// its arguments as Bun would have sent it (statement counts in tests, SQL capture in
// the benchmark).
func (s *Store) observe(ctx context.Context, query string, args []any, start time.Time, err error) {
	s.hooksMu.RLock()
	hooks := s.hooks
	s.hooksMu.RUnlock()
	if len(hooks) == 0 {
		return
	}
	shown := make([]any, len(args))
	for i, a := range args {
		shown[i] = a
		if isSlice(a) {
			shown[i] = pgdialect.Array(a) // pgx takes Go slices as arrays; Bun needs telling
		}
	}
	e := &bun.QueryEvent{DB: s.DB, QueryTemplate: query, QueryArgs: args,
		Query: s.DB.QueryGen().FormatQuery(query, shown...), StartTime: start, Err: err}
	for _, h := range hooks {
		h.AfterQuery(h.BeforeQuery(ctx, e), e)
	}
}

// AddQueryHook adds a Bun query hook that also sees the prepared reads.
func (s *Store) AddQueryHook(h bun.QueryHook) {
	s.DB.AddQueryHook(h)
	s.hooksMu.Lock()
	s.hooks = append(s.hooks, h)
	s.hooksMu.Unlock()
}

// isSlice tells a Go slice other than bytes (one bytea, json or text value).
func isSlice(v any) bool {
	t := reflect.TypeOf(v)
	return t != nil && isSliceType(t)
}

func isSliceType(t reflect.Type) bool {
	return t.Kind() == reflect.Slice && t.Elem().Kind() != reflect.Uint8
}

// isRows tells a destination for many rows: a pointer to a slice other than bytes.
func isRows(dest any) bool {
	t := reflect.TypeOf(dest)
	return t != nil && t.Kind() == reflect.Pointer && isSliceType(t.Elem())
}
