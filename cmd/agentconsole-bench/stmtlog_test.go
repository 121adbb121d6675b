package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"agentconsole/db"
	"agentconsole/db/embedded"
)

// TestStatementLogScript runs statements of both protocols on a real PostgreSQL with
// the statement log on, captures them as the bench captures a route, and checks the
// script: the SQL as sent with every parameter put back as PostgreSQL quoted it, and
// that each statement of it gives the original's result, in psql's and pgbench's hands.
func TestStatementLogScript(t *testing.T) {
	ctx := context.Background()
	c, err := embedded.StartTemp(ctx, embedded.Options{Fast: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Stop() })
	ownerDSN, appDSN, err := c.Provision(ctx, "capture")
	if err != nil {
		t.Fatal(err)
	}
	// Opened before the log is switched on, as the server's pool is: it must log too.
	app, err := pgx.Connect(ctx, appDSN)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close(ctx)
	owner, err := pgx.Connect(ctx, ownerDSN)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close(ctx)
	slog, err := openStatementLog(ctx, c.DSN("capture"), filepath.Join(c.DataDir, "server.log"))
	if err != nil {
		t.Fatal(err)
	}

	type run struct {
		sql  string
		args []any
	}
	runs := []run{
		// Simple protocol: quotes, a literal over two lines, lines indented with tabs.
		{"SELECT 'it''s' AS a,\n\t\t'line one\nline two' AS b,\n\t1 AS c", []any{pgx.QueryExecModeSimpleProtocol}},
		// A named prepared statement (pgx's statement cache, as the server's reads):
		// $1 and $10/$11 side by side, NULL, quotes, a value over two lines.
		{"SELECT concat_ws('|', $1::text, $2::int, $3::text, $4::text, $5::text, $6::text, $7::text, $8::text, $9::text, $10::text, $11::text) AS v",
			[]any{"it's", nil, "two\n\tlines", "4", "5", "6", "7", "8", "9", "ten", "el'even"}},
		// An unnamed statement: bytea, a date and an array, as their text forms.
		{"SELECT $1::bytea AS b, $2::date AS d, $3::bigint[] AS ids", []any{pgx.QueryExecModeExec, []byte{0, 1, '\''}, "2026-12-01", []int64{3, 1}}},
	}
	var want [][]any
	stmts, err := slog.during(ctx, db.AppRole, func() error {
		if err := app.Ping(ctx); err != nil { // pgx's health check: never counted
			return err
		}
		if _, err := owner.Exec(ctx, "SELECT 'another role'"); err != nil {
			return err
		}
		for _, r := range runs {
			vals, err := rowValues(ctx, app, r.sql, r.args...)
			if err != nil {
				return fmt.Errorf("%s: %w", r.sql, err)
			}
			want = append(want, vals)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	var got []string
	for _, s := range stmts {
		got = append(got, s.sql(nil))
	}
	wantSQL := []string{
		runs[0].sql,
		"SELECT concat_ws('|', 'it''s'::text, NULL::int, 'two\n\tlines'::text, '4'::text, '5'::text, '6'::text, '7'::text, '8'::text, '9'::text, 'ten'::text, 'el''even'::text) AS v",
		`SELECT '\x000127'::bytea AS b, '2026-12-01'::date AS d, '{3,1}'::bigint[] AS ids`,
	}
	if !reflect.DeepEqual(got, wantSQL) {
		t.Fatalf("captured\n%q\nwant\n%q", got, wantSQL)
	}
	for i, q := range got {
		vals, err := rowValues(ctx, app, q, pgx.QueryExecModeSimpleProtocol)
		if err != nil {
			t.Fatalf("captured statement %d: %v", i, err)
		}
		if fmt.Sprint(vals) != fmt.Sprint(want[i]) {
			t.Errorf("captured statement %d gives %v, the original %v", i, vals, want[i])
		}
	}

	work := t.TempDir()
	script, err := writeScript(work, "probe", nil, got)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(script.path)
	if wantFile := strings.Join(wantSQL, ";\n") + ";\n"; string(data) != wantFile || !script.prepared {
		t.Fatalf("script file (prepared %v):\n%s\nwant:\n%s", script.prepared, data, wantFile)
	}
	// pgbench reads the multi-line statements as three, in both modes the bench uses.
	for _, mode := range []string{"prepared", "simple"} {
		out, err := exec.CommandContext(ctx, pgbenchPath(), "-n", "-h", c.SocketDir, "-U", db.AppRole, "-t", "2", "-M", mode, "-f", script.path, "capture").CombinedOutput()
		if err != nil || !strings.Contains(string(out), "number of failed transactions: 0") {
			t.Fatalf("pgbench -M %s: %v\n%s", mode, err, out)
		}
	}
	if err := slog.Close(ctx); err != nil {
		t.Fatal(err)
	}
	var after string
	if err := app.QueryRow(ctx, "SELECT current_setting('log_statement')").Scan(&after); err != nil || after != "none" {
		t.Fatalf("log_statement after Close: %q, %v", after, err)
	}
}

func rowValues(ctx context.Context, c *pgx.Conn, sql string, args ...any) ([]any, error) {
	rows, err := c.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	if !rows.Next() {
		return nil, fmt.Errorf("no row: %v", rows.Err())
	}
	return rows.Values()
}

func TestParseParams(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"$1 = '5'", []string{"'5'"}},
		{"$1 = NULL, $2 = 'a, $3 = ''b'''", []string{"NULL", "'a, $3 = ''b'''"}},
		{"$1 = 'x\ny', $2 = ''", []string{"'x\ny'", "''"}},
	} {
		got, err := parseParams(tc.in)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("parseParams(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"$2 = '5'", "$1 = 'open", "$1 = 5"} {
		if _, err := parseParams(bad); err == nil {
			t.Errorf("parseParams(%q) accepted", bad)
		}
	}
}

func TestPgbenchVars(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"SELECT 1::int, '2026-12-01 00:40:00'", nil},
		{`\set aid random(:minid, :maxid)` + "\nUPDATE a SET b = '{\"x\":true}' WHERE id = :aid", []string{"minid", "maxid", "true", "aid"}},
		{"SELECT a[1:n]", []string{"n"}},
	} {
		if got := pgbenchVars(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("pgbenchVars(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestAnyAgent: the save's script saves a random agent, so the captured agent's id
// becomes :aid as a parameter and in the SQL text, but not inside literals (pgbench
// does not substitute there) nor as part of another number.
func TestAnyAgent(t *testing.T) {
	stmts := []loggedStatement{
		{query: "SELECT * FROM agents WHERE id = $1 AND org_id = $2 AND x = $3", params: []string{"'18'", "'1'", "'180'"}},
		{query: "UPDATE agents SET description = 'bench save marker 7', n = 180 WHERE id = 18 AND tags = '{18}'"},
		{query: "INSERT INTO v (agent_id, snap) VALUES (18, $1)", params: []string{`'{"id":18,"description":"bench save marker 7"}'`}},
	}
	got := anyAgent(stmts, 18, "bench save marker 7", "bench save")
	want := []string{
		"SELECT * FROM agents WHERE id = :aid AND org_id = '1' AND x = '180'",
		"UPDATE agents SET description = 'bench save', n = 180 WHERE id =  :aid  AND tags = '{18}'",
		`INSERT INTO v (agent_id, snap) VALUES ( :aid , '{"id":18,"description":"bench save"}')`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("anyAgent:\n%q\nwant\n%q", got, want)
	}
}
