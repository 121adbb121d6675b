package db

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"agentconsole/db/agentspec"
)

// EditorSide is what the agent editor shows beside the agent itself, read in one
// statement (each part an index lookup; they were five round trips): the review
// policy, the agent's open change requests, how many live agents may call it, the
// name a clone is offered, and the names of the ids its pickers hold.
type EditorSide struct {
	Policy   *ReviewPolicy
	Open     []OpenRequestRef // newest first, at most 5 (as ChangeRequests with OpenStatuses)
	CalledBy int              // live agents whose call_agent names it (as UsedBy RefAgent)
	CopyName string           // "Copy of X" made unique among live agents; empty when not asked
	// Names of the chosen ids by table (agents, knowledge_bases, mcp_servers), deleted
	// agents included: an id missing here is not the organisation's.
	Names map[string]map[int64]string
	// Print is the statement's row as PostgreSQL sent it (EditorSideUnless).
	Print RowPrint
}

// OpenRequestRef is an open change request as the editor links it.
type OpenRequestRef struct {
	ID    int64
	Title string
}

// EditorSideQuery says what to read: the agent (0: a new one, nothing of its own), the
// base of a clone's name ("" for none) and the chosen ids by table.
type EditorSideQuery struct {
	AgentID  int64
	CopyBase string
	Chosen   map[string][]int64
}

// editorSideTables are the tables pickers name ids of: each config reference's, then
// the MCP servers'.
var editorSideTables = func() []string {
	var out []string
	for _, r := range append(append([]agentspec.ConfigRef{}, agentspec.ConfigRefs...), MCPServerRef) {
		out = append(out, r.Table)
	}
	return out
}()

// editorSideSQL is one statement of fixed text (so it is prepared once): $1 the
// organisation, $2 the agent, $3/$4 the clone name and its LIKE pattern, then one id
// array per editorSideTables entry. The names taken by copies are "X" and "X (n)": the
// byte-order range ("X (" ≤ name < "X )") reads migration 035's index, LIKE keeps the
// exact rule.
//
// Every argument is read through an InitPlan, "(SELECT $n)": PostgreSQL's custom plans
// then know no more of the values than its generic plan, cost the same, and after its
// five trial executions it keeps the generic plan rather than planning this statement
// of nine tables on every view (~0.8 ms of its CPU, over five times what running it
// takes: make bench's CPU budget). With the values visible, the generic plan's callers
// estimate (jsonb @> of an unknown id: 100 rows, not 1) made it look ten times dearer,
// so it was never chosen. The plans are the same index scans either way.
var editorSideSQL = func() string {
	org, agent, base, pattern := "(SELECT $1::bigint)", "(SELECT $2::bigint)", "(SELECT $3::text)", "(SELECT $4::text)"
	var cols, joins []string
	for i, table := range editorSideTables {
		alias := "n" + strconv.Itoa(i)
		cols = append(cols, alias+".ids", alias+".names")
		joins = append(joins, "CROSS JOIN LATERAL (SELECT coalesce(array_agg(t.id ORDER BY t.id), '{}') AS ids, coalesce(array_agg(t.name ORDER BY t.id), '{}') AS names FROM "+
			table+" t WHERE t.org_id = "+org+" AND t.id = ANY((SELECT $"+strconv.Itoa(5+i)+"::bigint[])::bigint[])) "+alias) // the cast: ANY of an array, not of a subquery's rows
	}
	return `SELECT p.org_id IS NOT NULL, coalesce(p.enabled, false), coalesce(p.protect_released, false), coalesce(p.tag_ids, '{}'),
		coalesce(p.approvals_required, 1), coalesce(p.allow_self_approval, false), coalesce(p.sync_unprotected_now, false), p.updated_at,
		cr.ids, cr.titles, callers.n, copies.names, ` + strings.Join(cols, ", ") + `
	FROM (SELECT 1) one
	LEFT JOIN review_policies p ON p.org_id = ` + org + `
	CROSS JOIN LATERAL (SELECT coalesce(array_agg(c.id ORDER BY c.updated_at DESC, c.id DESC), '{}') AS ids,
			coalesce(array_agg(c.title ORDER BY c.updated_at DESC, c.id DESC), '{}') AS titles
		FROM (SELECT id, title, updated_at FROM change_requests WHERE org_id = ` + org + ` AND agent_id = ` + agent + `
			AND status IN ('` + strings.Join(OpenStatuses, "', '") + `') ORDER BY updated_at DESC, id DESC LIMIT 5) c) cr
	CROSS JOIN LATERAL (SELECT count(*) AS n FROM agents a WHERE a.org_id = ` + org + ` AND ` + usersWhereID(RefAgent, agent) + ` AND a.deleted_at IS NULL) callers
	CROSS JOIN LATERAL (SELECT coalesce(array_agg(name), '{}') AS names FROM agents
		WHERE ` + base + ` <> '' AND org_id = ` + org + ` AND deleted_at IS NULL
			AND (name = ` + base + ` OR (name ~>=~ (` + base + ` || ' (') AND name ~<~ (` + base + ` || ' )') AND name LIKE ` + pattern + `))) copies
	` + strings.Join(joins, "\n\t")
}()

// EditorSide reads what the editor shows beside the agent (see EditorSide).
func (s *Store) EditorSide(ctx context.Context, orgID int64, q EditorSideQuery) (*EditorSide, error) {
	return s.EditorSideUnless(ctx, orgID, q, nil)
}

// EditorSideUnless is EditorSide for a caller that keeps what it drew from the side it
// read last (known, its Print): when the row is that one it is not decoded and the
// side is nil. The row holds nothing that changes by itself (no now()), so equal prints
// are equal sides.
func (s *Store) EditorSideUnless(ctx context.Context, orgID int64, q EditorSideQuery, known RowPrint) (*EditorSide, error) {
	base := copyBase(q.CopyBase)
	pattern := ""
	if base != "" {
		pattern = escapeLike(base) + " (%)"
	}
	args := []any{orgID, q.AgentID, base, pattern}
	for _, table := range editorSideTables {
		args = append(args, append([]int64{}, q.Chosen[table]...)) // pgx takes a Go slice as an array
	}
	var side *EditorSide
	same := false
	// Scanned with pgx (agents_list_native.go says why): one row, always.
	err := s.native(ctx, editorSideSQL, args, func(rows pgx.Rows) (err error) {
		raw := rows.RawValues()
		if same = known.matches(raw); same {
			return nil
		}
		printed := printRow(raw)
		if side, err = scanEditorSide(rows, base); side != nil {
			side.Print = printed
		}
		return err
	})
	if err == nil && side == nil && !same {
		err = errors.New("no row")
	}
	if err != nil {
		return nil, fmt.Errorf("db: editor of agent %d: %w", q.AgentID, err)
	}
	return side, nil
}

// scanEditorSide decodes editorSideSQL's row (base: the clone name's base, "" for none).
func scanEditorSide(rows pgx.Rows, base string) (*EditorSide, error) {
	side := &EditorSide{Policy: defaultPolicy(), Names: map[string]map[int64]string{}}
	var hasPolicy bool
	var p ReviewPolicy
	var updated *time.Time
	var openIDs []int64
	var openTitles, taken []string
	var calledBy int64
	dest := []any{&hasPolicy, &p.Enabled, &p.ProtectReleased, &p.TagIDs, &p.ApprovalsRequired, &p.AllowSelfApproval,
		&p.SyncUnprotectedNow, &updated, &openIDs, &openTitles, &calledBy, &taken}
	ids, names := make([][]int64, len(editorSideTables)), make([][]string, len(editorSideTables))
	for i := range editorSideTables {
		dest = append(dest, &ids[i], &names[i])
	}
	if err := rows.Scan(dest...); err != nil {
		return nil, err
	}
	side.CalledBy = int(calledBy)
	if hasPolicy {
		p.UpdatedAt = *updated
		if p.TagIDs == nil {
			p.TagIDs = []int64{}
		}
		side.Policy = &p
	}
	for i := range openIDs {
		side.Open = append(side.Open, OpenRequestRef{ID: openIDs[i], Title: openTitles[i]})
	}
	if base != "" {
		side.CopyName = uniqueName(base, taken)
	}
	for i, table := range editorSideTables {
		m := make(map[int64]string, len(ids[i]))
		for j, id := range ids[i] {
			m[id] = names[i][j]
		}
		side.Names[table] = m
	}
	return side, nil
}
