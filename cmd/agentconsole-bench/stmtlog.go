package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// The bench learns the SQL a route runs from PostgreSQL itself: with log_statement = all
// every backend writes each statement it is sent to the cluster's log (db/embedded starts
// the server with `pg_ctl -l <data dir>/server.log`, no logging collector: each backend
// appends one message, all its lines, with one write). One real request to the route is
// logged and its statements become the pgbench script, so the script cannot drift from
// the code the way a hand-written replica of the route's store calls did.

// captureSettings are set while capturing: every statement, a log_line_prefix with the
// backend's pid and role (so only the server's statements are kept), and parameters
// logged whole.
var captureSettings = []struct{ name, value string }{
	{"log_statement", "'all'"},
	{"log_line_prefix", "'%m [%p] user=%u '"},
	{"log_parameter_max_length", "-1"},
}

var logLineRE = regexp.MustCompile(`^.*? \[(\d+)\] user=(\S*) ([A-Z]+):  (.*)$`)

// loggedStatement is one statement a backend logged.
type loggedStatement struct {
	pid   int
	user  string
	query string // as sent: $n placeholders when sent with the extended protocol
	// params are the extended protocol's parameters as SQL literals: 'text' exactly as
	// PostgreSQL quoted it in the log (quotes doubled), or NULL.
	params []string
}

// sql is the statement with each $n replaced by literal(n, its logged literal).
func (s loggedStatement) sql(literal func(n int, lit string) string) string {
	if len(s.params) == 0 {
		return s.query
	}
	return replaceParams(s.query, func(n int) (string, bool) {
		if n < 1 || n > len(s.params) {
			return "", false
		}
		if literal != nil {
			return literal(n, s.params[n-1]), true
		}
		return s.params[n-1], true
	})
}

// logEntry is one message of the log: its first line's fields and its text with the
// continuation lines (PostgreSQL starts each with a tab) joined back.
type logEntry struct {
	pid         int
	user, level string
	text        string
}

// parseLogEntries reads the log's messages; lines in no message (pg_ctl's own) are skipped.
func parseLogEntries(r io.Reader) ([]logEntry, error) {
	var entries []logEntry
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	in := false // the last line belonged to a message
	for sc.Scan() {
		line := sc.Text()
		if in && strings.HasPrefix(line, "\t") {
			entries[len(entries)-1].text += "\n" + line[1:]
			continue
		}
		m := logLineRE.FindStringSubmatch(line)
		if in = m != nil; in {
			pid, _ := strconv.Atoi(m[1])
			entries = append(entries, logEntry{pid: pid, user: m[2], level: m[3], text: m[4]})
		}
	}
	return entries, sc.Err()
}

var executeRE = regexp.MustCompile(`(?s)^execute [^:]*: (.*)$`)

// statementsOf turns log messages into statements: `statement: …` (simple protocol) and
// `execute <name>: …` with the `parameters: $1 = …` DETAIL its backend logged with it.
func statementsOf(entries []logEntry) ([]loggedStatement, error) {
	var out []loggedStatement
	for i, e := range entries {
		var query string
		switch {
		case e.level == "LOG" && strings.HasPrefix(e.text, "statement: "):
			query = strings.TrimPrefix(e.text, "statement: ")
		case e.level == "LOG" && executeRE.MatchString(e.text):
			query = executeRE.FindStringSubmatch(e.text)[1]
		default:
			continue
		}
		st := loggedStatement{pid: e.pid, user: e.user, query: query}
		if i+1 < len(entries) && entries[i+1].pid == e.pid && entries[i+1].level == "DETAIL" &&
			strings.HasPrefix(entries[i+1].text, "parameters: ") {
			params, err := parseParams(strings.TrimPrefix(entries[i+1].text, "parameters: "))
			if err != nil {
				return nil, fmt.Errorf("statement %.60q: %w", query, err)
			}
			st.params = params
		}
		out = append(out, st)
	}
	return out, nil
}

// parseParams reads `$1 = 'a', $2 = NULL, …` into literals in order (a quote inside a
// literal is doubled).
func parseParams(s string) ([]string, error) {
	var params []string
	for len(s) > 0 {
		want := fmt.Sprintf("$%d = ", len(params)+1)
		if !strings.HasPrefix(s, want) {
			return nil, fmt.Errorf("parameters: want %q at %.30q", want, s)
		}
		s = s[len(want):]
		switch {
		case strings.HasPrefix(s, "NULL"):
			params, s = append(params, "NULL"), s[len("NULL"):]
		case strings.HasPrefix(s, "'"):
			end := closingQuote(s)
			if end < 0 {
				return nil, fmt.Errorf("parameters: unterminated literal %.30q", s)
			}
			params, s = append(params, s[:end+1]), s[end+1:]
		default:
			return nil, fmt.Errorf("parameters: unexpected %.30q", s)
		}
		if s != "" {
			if !strings.HasPrefix(s, ", ") {
				return nil, fmt.Errorf("parameters: want \", \" at %.30q", s)
			}
			s = s[2:]
		}
	}
	return params, nil
}

// closingQuote is the index of the quote ending the literal s starts with (a doubled
// quote is a quote inside it), or -1.
func closingQuote(s string) int {
	for i := 1; i < len(s); i++ {
		if s[i] == '\'' {
			if i+1 < len(s) && s[i+1] == '\'' {
				i++
				continue
			}
			return i
		}
	}
	return -1
}

// replaceParams replaces each placeholder $n outside quoted literals and identifiers by
// what value(n) gives (a placeholder it does not know is left as it is).
func replaceParams(q string, value func(n int) (string, bool)) string {
	var b strings.Builder
	for i := 0; i < len(q); i++ {
		c := q[i]
		if c == '\'' || c == '"' {
			end := strings.IndexByte(q[i+1:], c)
			if end < 0 {
				b.WriteString(q[i:])
				break
			}
			b.WriteString(q[i : i+end+2])
			i += end + 1
			continue
		}
		if c == '$' && (i == 0 || !isIdentChar(q[i-1])) {
			j := i + 1
			for j < len(q) && q[j] >= '0' && q[j] <= '9' {
				j++
			}
			if n, err := strconv.Atoi(q[i+1 : j]); err == nil {
				if v, ok := value(n); ok {
					b.WriteString(v)
					i = j - 1
					continue
				}
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}

func isIdentChar(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

// statementLog switches the cluster's statement log on and off and reads what the
// backends of one role logged while a function ran.
type statementLog struct {
	path     string    // the cluster's server.log
	superDSN string    // a superuser's (ALTER SYSTEM)
	ctl      *pgx.Conn // the bench's own connection, a superuser's: its statements never count
	ctlPID   uint32
	before   string // log_statement before: Close waits for it to come back
	n        int    // markers written
}

// openStatementLog turns log_statement = all on (it applies to the open connections too)
// and returns once the server has loaded it.
func openStatementLog(ctx context.Context, superDSN, logPath string) (*statementLog, error) {
	ctl, err := pgx.Connect(ctx, superDSN)
	if err != nil {
		return nil, err
	}
	l := &statementLog{path: logPath, superDSN: superDSN, ctl: ctl, ctlPID: ctl.PgConn().PID()}
	if err := ctl.QueryRow(ctx, "SELECT current_setting('log_statement')").Scan(&l.before); err != nil {
		ctl.Close(ctx)
		return nil, err
	}
	var set []string
	for _, s := range captureSettings {
		set = append(set, "ALTER SYSTEM SET "+s.name+" = "+s.value)
	}
	if err := l.apply(ctx, set, "all"); err != nil {
		ctl.Close(ctx)
		return nil, err
	}
	return l, nil
}

// Close turns the statement log off again (the cluster's own settings come back).
func (l *statementLog) Close(ctx context.Context) error {
	defer l.ctl.Close(ctx)
	var reset []string
	for _, s := range captureSettings {
		reset = append(reset, "ALTER SYSTEM RESET "+s.name)
	}
	return l.apply(ctx, reset, l.before)
}

// apply runs the ALTER SYSTEMs, reloads, and waits until a new connection sees
// log_statement = logStatement. The postmaster signals every backend before it forks a
// new one, and a backend applies a pending reload before it runs the next statement it
// reads, so from then on the open connections log with the new settings too.
func (l *statementLog) apply(ctx context.Context, alter []string, logStatement string) error {
	for _, q := range append(alter, "SELECT pg_reload_conf()") {
		if _, err := l.ctl.Exec(ctx, q); err != nil {
			return fmt.Errorf("statement log: %s: %w", q, err)
		}
	}
	return poll(ctx, 30*time.Second, "the server to load log_statement = "+logStatement, func() (bool, error) {
		c, err := pgx.Connect(ctx, l.superDSN)
		if err != nil {
			return false, err
		}
		defer c.Close(ctx)
		var v string
		err = c.QueryRow(ctx, "SELECT current_setting('log_statement')").Scan(&v)
		return v == logStatement, err
	})
}

// during runs do and returns the statements role's backends logged meanwhile, in the
// order they were logged: everything written after do returned is fenced off by a
// marker statement the bench runs and waits to see in the log.
func (l *statementLog) during(ctx context.Context, role string, do func() error) ([]loggedStatement, error) {
	st, err := os.Stat(l.path)
	if err != nil {
		return nil, err
	}
	start := st.Size()
	if err := do(); err != nil {
		return nil, err
	}
	l.n++
	marker := fmt.Sprintf("acbench capture end %d %d", l.n, time.Now().UnixNano())
	if _, err := l.ctl.Exec(ctx, "SELECT '"+marker+"'", pgx.QueryExecModeSimpleProtocol); err != nil {
		return nil, err
	}
	var entries []logEntry
	err = poll(ctx, 30*time.Second, "the statement log to show the request", func() (bool, error) {
		var err error
		entries, err = l.read(start)
		if err != nil {
			return false, err
		}
		for i, e := range entries {
			if int(l.ctlPID) == e.pid && strings.Contains(e.text, marker) {
				entries = entries[:i]
				return true, nil
			}
		}
		return false, nil
	})
	if err != nil {
		return nil, err
	}
	all, err := statementsOf(entries)
	if err != nil {
		return nil, err
	}
	var kept []loggedStatement
	for _, s := range all {
		// pgx (database/sql's ResetSession) pings a pooled connection idle for over a
		// second before reusing it; under wrk's load no connection idles that long.
		if s.user != role || s.pid == int(l.ctlPID) || strings.TrimSpace(s.query) == "-- ping" {
			continue
		}
		kept = append(kept, s)
	}
	return kept, nil
}

func (l *statementLog) read(from int64) ([]logEntry, error) {
	f, err := os.Open(l.path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if _, err := f.Seek(from, io.SeekStart); err != nil {
		return nil, err
	}
	return parseLogEntries(f)
}

// poll calls ready until it says yes, failing after timeout (never a fixed sleep as
// synchronisation: a loaded machine only makes it poll longer).
func poll(ctx context.Context, timeout time.Duration, what string, ready func() (bool, error)) error {
	deadline := time.Now().Add(timeout)
	var last error
	for {
		ok, err := ready()
		if ok && err == nil {
			return nil
		}
		last = err
		if time.Now().After(deadline) {
			return errors.Join(fmt.Errorf("waited %s for %s", timeout, what), last)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// pgbenchVars are the ":name" variables pgbench sees in a script: it looks for them
// everywhere, string literals included, and in prepared mode every one must be defined.
func pgbenchVars(script string) []string {
	var names []string
	for i := 0; i < len(script); i++ {
		if script[i] != ':' {
			continue
		}
		j := i + 1
		if j < len(script) && script[j] == ':' { // a cast: pgbench skips the colons
			for j < len(script) && script[j] == ':' {
				j++
			}
			i = j - 1
			continue
		}
		if j >= len(script) || !(isIdentChar(script[j]) && (script[j] < '0' || script[j] > '9')) {
			continue
		}
		for j < len(script) && isIdentChar(script[j]) {
			j++
		}
		names = append(names, script[i+1:j])
		i = j - 1
	}
	return names
}
