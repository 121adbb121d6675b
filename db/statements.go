package db

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// StatementMode is how the hot reads (prepared.go) are sent to PostgreSQL
// (DATABASE_STATEMENTS). Bun's own queries always use the simple protocol.
type StatementMode string

// The statement modes. A transaction pooler (PgBouncer in transaction mode, before
// 1.21 at least) hands each transaction a possibly different server connection and
// does not carry named prepared statements across, so only describe and simple work
// behind it.
const (
	// StatementsAuto picks prepared on a direct connection and describe when a pooler
	// or proxy answers for PostgreSQL (see behindProxy).
	StatementsAuto StatementMode = ""
	// StatementsPrepared: named statements prepared once per connection and reused
	// (pgx's cache-statement mode); PostgreSQL keeps their plans. Direct connections only.
	StatementsPrepared StatementMode = "prepared"
	// StatementsDescribe: each read is parsed, bound and run in one round trip as the
	// unnamed statement, with the parameter types cached (pgx's cache-describe mode);
	// nothing outlives the round trip, so it is safe behind a transaction pooler.
	StatementsDescribe StatementMode = "describe"
	// StatementsSimple: the simple query protocol with the arguments quoted by pgx; works
	// through any pooler or proxy, including ones that speak only the simple protocol.
	StatementsSimple StatementMode = "simple"
)

// StatementModes are the modes an operator may name, in the order the docs list them.
var StatementModes = []StatementMode{StatementsPrepared, StatementsDescribe, StatementsSimple}

// ParseStatementMode reads DATABASE_STATEMENTS: "", "auto" or one of StatementModes.
func ParseStatementMode(v string) (StatementMode, error) {
	v = strings.ToLower(strings.TrimSpace(v))
	if v == "" || v == "auto" {
		return StatementsAuto, nil
	}
	for _, m := range StatementModes {
		if string(m) == v {
			return m, nil
		}
	}
	return StatementsAuto, fmt.Errorf("unknown statement mode %q (auto, prepared, describe or simple)", v)
}

func (m StatementMode) execMode() pgx.QueryExecMode {
	switch m {
	case StatementsDescribe:
		return pgx.QueryExecModeCacheDescribe
	case StatementsSimple:
		return pgx.QueryExecModeSimpleProtocol
	default:
		return pgx.QueryExecModeCacheStatement
	}
}

// Statements is the statement mode this store uses (detected when it was opened with
// StatementsAuto).
func (s *Store) Statements() StatementMode { return s.statements }

// Proxied reports that something other than PostgreSQL itself accepted the connection
// (a pooler such as PgBouncer, or a TCP proxy): named prepared statements and any other
// session state may not survive from one transaction to the next.
func (s *Store) Proxied() bool { return s.proxied }

// behindProxy compares the port we connected to with the port PostgreSQL says it
// listens on: a pooler or proxy in front of it (PgBouncer on 6432, a managed
// provider's pooled port) shows as a difference. A pooler on the same port as the
// server it fronts (on another host) is not detected: set DATABASE_STATEMENTS then.
func (s *Store) behindProxy(ctx context.Context, dialled uint16) (bool, error) {
	var port string
	if err := s.DB.NewRaw("SELECT current_setting('port')").Scan(ctx, &port); err != nil {
		return false, err
	}
	return port != fmt.Sprint(dialled), nil
}
