package db

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"agentconsole/db/agentspec"
	"agentconsole/db/versiondiff"
)

// Version is one immutable entry of an agent's history.
type Version struct {
	ID        int64           `bun:"id" json:"id"`
	AgentID   int64           `bun:"agent_id" json:"agentId"`
	Number    int             `bun:"number" json:"number"`
	Source    string          `bun:"source" json:"source"`
	Author    string          `bun:"author" json:"author"`
	Summary   string          `bun:"summary" json:"summary"`
	Message   *string         `bun:"message" json:"message"` // why, as the save said (null when it said nothing)
	CreatedAt time.Time       `bun:"created_at" json:"createdAt"`
	Snapshot  json.RawMessage `bun:"snapshot" json:"snapshot,omitempty"`
}

// VersionFilter narrows an agent's history.
type VersionFilter struct {
	Source       string
	Author       string
	BeforeNumber int // keyset pagination: versions older than this number
	Limit        int
}

// Versions lists an agent's versions, newest first (without snapshots).
func (s *Store) Versions(ctx context.Context, orgID, agentID int64, f VersionFilter) ([]Version, error) {
	query, args := versionsQuery(orgID, agentID, f)
	out := []Version{}
	if err := s.prepared(ctx, s.DB, query, args, &out); err != nil {
		return nil, fmt.Errorf("db: versions of agent %d: %w", agentID, err)
	}
	return out, nil
}

// versionsQuery is the statement of Versions.
func versionsQuery(orgID, agentID int64, f VersionFilter) (string, []any) {
	return versionsLimited(orgID, agentID, f, pageLimit(f))
}

// versionsLimited is versionsQuery reading up to limit rows.
func versionsLimited(orgID, agentID int64, f VersionFilter, limit int) (string, []any) {
	where, args := versionsWhere(orgID, agentID, f)
	if f.BeforeNumber > 0 {
		where, args = where+" AND number < ?", append(args, f.BeforeNumber)
	}
	return "SELECT id, agent_id, number, source, author, summary, message, created_at FROM agent_versions WHERE " + where + " ORDER BY number DESC LIMIT ?", append(args, limit)
}

// versionsWhere is the condition of the versions f's filters keep, whatever the page.
func versionsWhere(orgID, agentID int64, f VersionFilter) (string, []any) {
	where, args := "agent_id = ? AND org_id = ?", []any{agentID, orgID}
	if f.Source != "" {
		where, args = where+" AND source = ?", append(args, f.Source)
	}
	if f.Author != "" {
		where, args = where+" AND author = ?", append(args, f.Author)
	}
	return where, args
}

// VersionAuthors lists who has saved the agent (for the history filter).
func (s *Store) VersionAuthors(ctx context.Context, orgID, agentID int64) ([]string, error) {
	out := []string{}
	err := s.prepared(ctx, s.DB, "SELECT DISTINCT author FROM agent_versions WHERE agent_id = ? AND org_id = ? ORDER BY author", []any{agentID, orgID}, &out)
	return out, err
}

// VersionHistory is one page of the history as its page shows it.
type VersionHistory struct {
	Versions []Version
	Authors  []string // everyone who saved the agent, whatever the filter
	HasOlder bool     // more versions match past this page
	// Newer says how to page back towards the newest (only on an older page):
	// HasNewer, and NewerBefore, the ?before= of the page just newer than this one (0:
	// that page is the first).
	HasNewer    bool
	NewerBefore int
}

// AgentHistory is what the history page shows, in one round trip: the agent's head
// (AgentHead's fields), Versions(f) (and whether more follow), and VersionAuthors
// (every author, whatever f). The head and the authors are one last row of number 0,
// read from the agent's row: no such row, no agent of the organisation (a nil head and
// ErrNotFound; the versions read are the organisation's only, so none). On an older
// page that row also carries the numbers of up to limit+1 matching versions just newer
// than it (which say where the newer page starts). The head was its own statement, one
// round trip more per view (make bench 5a).
func (s *Store) AgentHistory(ctx context.Context, orgID, agentID int64, f VersionFilter) (*Agent, *VersionHistory, error) {
	limit := pageLimit(f)
	// One row more than the page: whether an older page has anything to show.
	page, args := versionsLimited(orgID, agentID, f, limit+1)
	newer := "NULL::int[]"
	var nargs []any
	if f.BeforeNumber > 0 {
		where, wargs := versionsWhere(orgID, agentID, f)
		newer = "(SELECT array_agg(number ORDER BY number) FROM (SELECT number FROM agent_versions WHERE " + where + " AND number >= ? ORDER BY number LIMIT ?) n)"
		nargs = append(wargs, f.BeforeNumber, limit+1)
	}
	args = append(append(append(args, agentID, orgID), nargs...), agentID, orgID) // the authors', the newer page's, the head's
	// The head row: id and org_id in the version's id and agent_id, type, stage and
	// name in its source, author and summary, the rest in columns of its own.
	query := `SELECT id, agent_id, number, source, author, summary, message, created_at, NULL::text[] AS authors, NULL::int[] AS newer,
		NULL::bigint AS published_version_id, NULL::timestamptz AS agent_created, NULL::timestamptz AS agent_updated, NULL::timestamptz AS agent_deleted FROM (` + page + `) p
		UNION ALL SELECT a.id, a.org_id, 0, a.agent_type, a.stage, a.name, NULL, NULL, coalesce((SELECT array_agg(DISTINCT author ORDER BY author) FROM agent_versions WHERE agent_id = ? AND org_id = ?), '{}'), ` + newer + `,
		a.published_version_id, a.created_at, a.updated_at, a.deleted_at FROM agents AS a WHERE a.id = ? AND a.org_id = ?
		ORDER BY number DESC`
	h := &VersionHistory{Versions: make([]Version, 0, limit+1), Authors: []string{}}
	var head *Agent
	var newerNumbers []int
	strs := map[string]string{} // sources, authors and summaries: mostly the same few
	err := s.native(ctx, query, args, func(rows pgx.Rows) error {
		// A version as the extended protocol sends it (binary) is read from the bytes
		// PostgreSQL sent, not through Scan's plans, with its texts shared: Scan was most
		// of the history page's own read, eight allocations a row (make bench 5a).
		raw, fields := rows.RawValues(), rows.FieldDescriptions()
		if raw[7] != nil && fields[7].Format == pgx.BinaryFormatCode {
			return historyRow(h, strs, raw, fields)
		}
		var v Version
		var created pgtype.Timestamptz // NULL on the head's row
		var names []string
		var numbers []int
		var published *int64
		var agentCreated, agentUpdated, agentDeleted *time.Time // NULL on a version's row
		if err := rows.Scan(&v.ID, &v.AgentID, &v.Number, &v.Source, &v.Author, &v.Summary, &v.Message, &created, &names, &numbers,
			&published, &agentCreated, &agentUpdated, &agentDeleted); err != nil {
			return err
		}
		if v.Number == 0 {
			head = &Agent{ID: v.ID, OrgID: v.AgentID, Name: v.Summary, AgentType: v.Source, Stage: v.Author, PublishedVersionID: published, DeletedAt: agentDeleted}
			if agentCreated != nil && agentUpdated != nil {
				head.CreatedAt, head.UpdatedAt = *agentCreated, *agentUpdated
			}
			h.Authors, newerNumbers = append(h.Authors, names...), numbers
			return nil
		}
		v.CreatedAt = created.Time
		h.Versions = append(h.Versions, v)
		return nil
	})
	if err == nil && head == nil {
		err = ErrNotFound
	}
	if err != nil {
		return nil, nil, fmt.Errorf("db: history of agent %d: %w", agentID, err)
	}
	if h.HasOlder = len(h.Versions) > limit; h.HasOlder {
		h.Versions = h.Versions[:limit]
	}
	if h.HasNewer = len(newerNumbers) > 0; len(newerNumbers) > limit {
		h.NewerBefore = newerNumbers[limit-1] + 1
	}
	return head, h, nil
}

// historyRow appends the version of a row of VersionHistory's statement in binary
// format to h, as rows.Scan would have read it.
func historyRow(h *VersionHistory, strs map[string]string, raw [][]byte, fields []pgconn.FieldDescription) error {
	var v Version
	var number int64
	var err error
	v.ID, err = rawInt(fields[0], raw[0], nil)
	v.AgentID, err = rawInt(fields[1], raw[1], err)
	number, err = rawInt(fields[2], raw[2], err)
	v.CreatedAt, err = rawTimestamptz(fields[7], raw[7], err)
	if err != nil {
		return err
	}
	v.Number, v.Source, v.Author, v.Summary = int(number), intern(strs, raw[3]), intern(strs, raw[4]), intern(strs, raw[5])
	if raw[6] != nil {
		message := string(raw[6])
		v.Message = &message
	}
	h.Versions = append(h.Versions, v)
	return nil
}

// rawTimestamptz decodes a timestamptz in binary format as pgx's codec does
// (microseconds since 2000-01-01 UTC, as a local time.Time; ±infinity as the zero time,
// which is what the Timestamptz it scanned into held).
func rawTimestamptz(f pgconn.FieldDescription, b []byte, err error) (time.Time, error) {
	if err != nil {
		return time.Time{}, err
	}
	if f.DataTypeOID != pgtype.TimestamptzOID || f.Format != pgx.BinaryFormatCode || len(b) != 8 {
		return time.Time{}, fmt.Errorf("db: column %s: not a binary timestamptz", f.Name)
	}
	us := int64(binary.BigEndian.Uint64(b))
	if us == math.MaxInt64 || us == math.MinInt64 {
		return time.Time{}, nil
	}
	const y2k = 946684800 * 1000000 // 2000-01-01 in microseconds since 1970
	us += y2k
	return time.Unix(us/1000000, (us%1000000)*1000), nil
}

// pageLimit is how many versions a page of f shows.
func pageLimit(f VersionFilter) int {
	if f.Limit <= 0 || f.Limit > 200 {
		return 50
	}
	return f.Limit
}

const versionColumns = `v.id, v.agent_id, v.number, v.source, v.author, v.summary, v.message, v.created_at,
	agent_snapshot(v.fields_ref, v.prompt_ref, v.tools_ref) AS snapshot`

// Version reads one version whole, snapshot included, in one query.
func (s *Store) Version(ctx context.Context, orgID, versionID int64) (*Version, error) {
	v := new(Version)
	err := s.DB.NewRaw("SELECT "+versionColumns+" FROM agent_versions v WHERE v.id = ? AND v.org_id = ?", versionID, orgID).Scan(ctx, v)
	if err != nil {
		return nil, fmt.Errorf("db: version %d: %w", versionID, notFound(err))
	}
	return v, nil
}

// VersionPair reads two versions of one agent whole, in one query. A zero fromID
// means "the version before to" (or to itself when it is the first).
func (s *Store) VersionPair(ctx context.Context, orgID, agentID, fromID, toID int64) (from, to *Version, err error) {
	from, to, _, err = s.VersionPairAndChoices(ctx, orgID, agentID, fromID, toID, 0)
	return from, to, err
}

// versionPairSQL selects the two versions VersionPair compares, with "pair" true, and
// extra columns after them.
func versionPairSQL(extra string) string {
	return `WITH t AS (SELECT id, number FROM agent_versions WHERE id = ? AND agent_id = ? AND org_id = ?)
		SELECT true AS pair, ` + versionColumns + extra + ` FROM agent_versions v, t
		WHERE v.agent_id = ? AND v.org_id = ? AND (v.id = t.id OR v.id = ? OR (?::bigint = 0 AND v.number = greatest(t.number - 1, 1)))`
}

// VersionPairAndChoices is VersionPair and, in the same statement (one round trip
// less for the diff page), the newest choices versions of the agent with what a
// version picker shows (id, number, source, author), newest first.
func (s *Store) VersionPairAndChoices(ctx context.Context, orgID, agentID, fromID, toID int64, choices int) (from, to *Version, picks []Version, err error) {
	_, from, to, picks, err = s.versionPair(ctx, orgID, agentID, fromID, toID, choices, false)
	return from, to, picks, err
}

// AgentVersionPair is AgentHead and VersionPairAndChoices in one statement (the diff
// page's head was a round trip of its own, make bench 5b): the head is one more row,
// read from the agent's row, so no such row is no agent of the organisation (a nil
// head and ErrNotFound; the versions read are the organisation's only, so none).
func (s *Store) AgentVersionPair(ctx context.Context, orgID, agentID, fromID, toID int64, choices int) (head *Agent, from, to *Version, picks []Version, err error) {
	return s.versionPair(ctx, orgID, agentID, fromID, toID, choices, true)
}

// versionPair is VersionPairAndChoices with, when withHead, the agent's head as one
// last row, its pair NULL: id and org_id in the version's id and agent_id, type, stage
// and name in its source, author and summary, its created_at in the version's, the
// rest in three columns of their own (NULL on the versions' rows).
func (s *Store) versionPair(ctx context.Context, orgID, agentID, fromID, toID int64, choices int, withHead bool) (head *Agent, from, to *Version, picks []Version, err error) {
	query, args := versionPairQuery(orgID, agentID, fromID, toID, choices, withHead)
	vs := make([]Version, 0, 2+choices)
	pairs := 0
	names := map[string]string{} // a picker's sources and authors, mostly the same few
	err = s.native(ctx, query, args, func(rows pgx.Rows) error {
		raw, fields := rows.RawValues(), rows.FieldDescriptions()
		if raw[0] == nil { // the head
			var pair *bool
			var message *string
			var snap []byte
			head = new(Agent)
			return rows.Scan(&pair, &head.ID, &head.OrgID, new(int), &head.AgentType, &head.Stage, &head.Name, &message, &head.CreatedAt, &snap,
				&head.PublishedVersionID, &head.UpdatedAt, &head.DeletedAt)
		}
		vs = append(vs, Version{})
		v := &vs[len(vs)-1]
		// A choice (pair false) is read from the bytes PostgreSQL sent, not through
		// Scan's plans: 200 rows of them were a tenth of the diff page's server time
		// (CPU profile, make bench 5b). Its source and author are strings already read,
		// not two new ones each.
		if pair, err := rawBool(fields[0], raw[0]); err != nil || !pair {
			var number int64
			v.ID, err = rawInt(fields[1], raw[1], err)
			v.AgentID, err = rawInt(fields[2], raw[2], err)
			number, err = rawInt(fields[3], raw[3], err)
			v.Number, v.Source, v.Author = int(number), intern(names, raw[4]), intern(names, raw[5]) // text is its UTF-8 bytes in either format
			return err
		}
		pairs++
		var pair bool
		var message *string
		var created pgtype.Timestamptz // NULL on a choice
		var snap []byte                // the bytes PostgreSQL sent (a json.RawMessage would be parsed)
		dest := []any{&pair, &v.ID, &v.AgentID, &v.Number, &v.Source, &v.Author, &v.Summary, &message, &created, &snap}
		if withHead {
			var published *int64
			var updated, deleted *time.Time
			dest = append(dest, &published, &updated, &deleted)
		}
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		v.Message, v.CreatedAt, v.Snapshot = message, created.Time, snap
		return nil
	})
	if err == nil && withHead && head == nil {
		return nil, nil, nil, nil, fmt.Errorf("db: agent %d: %w", agentID, ErrNotFound)
	}
	if err != nil {
		return nil, nil, nil, nil, fmt.Errorf("db: versions %d..%d: %w", fromID, toID, err)
	}
	picks = vs[:len(vs)-pairs] // choices first: false sorts before true
	if from, to, err = pickPair(vs[len(vs)-pairs:], fromID, toID); err != nil {
		return head, nil, nil, nil, err
	}
	return head, from, to, picks, nil
}

// versionPairQuery is versionPair's statement.
func versionPairQuery(orgID, agentID, fromID, toID int64, choices int, withHead bool) (string, []any) {
	extra, none := "", ""
	if withHead {
		extra, none = ", NULL::bigint AS published_version_id, NULL::timestamptz AS agent_updated, NULL::timestamptz AS agent_deleted", ", NULL, NULL, NULL"
	}
	query, args := versionPairSQL(extra), []any{toID, agentID, orgID, agentID, orgID, fromID, fromID}
	if choices > 0 {
		query += ` UNION ALL (SELECT false, id, agent_id, number, source, author, '', NULL, NULL, NULL` + none + ` FROM agent_versions
			WHERE agent_id = ? AND org_id = ? ORDER BY number DESC LIMIT ?)`
		args = append(args, agentID, orgID, choices)
	}
	if withHead {
		query += ` UNION ALL SELECT NULL, a.id, a.org_id, 0, a.agent_type, a.stage, a.name, NULL, a.created_at, NULL, a.published_version_id, a.updated_at, a.deleted_at
			FROM agents AS a WHERE a.id = ? AND a.org_id = ?`
		args = append(args, agentID, orgID)
	}
	if choices > 0 || withHead {
		query += ` ORDER BY pair, number DESC` // choices, the pair, then the head (NULL sorts last)
	}
	return query, args
}

// pickPair finds the versions compared among the pair's rows (fromID 0: the version
// before to, or to itself when it is the first).
func pickPair(pair []Version, fromID, toID int64) (from, to *Version, err error) {
	for i := range pair {
		if pair[i].ID == toID {
			to = &pair[i]
		}
	}
	if to == nil {
		return nil, nil, fmt.Errorf("db: version %d: %w", toID, ErrNotFound)
	}
	for i := range pair {
		if (fromID != 0 && pair[i].ID == fromID) || (fromID == 0 && pair[i].Number == max(to.Number-1, 1)) {
			from = &pair[i]
		}
	}
	if from == nil {
		return nil, nil, fmt.Errorf("db: version %d: %w", fromID, ErrNotFound)
	}
	return from, to, nil
}

// rawBool decodes a boolean column as PostgreSQL sent it, in either format.
func rawBool(f pgconn.FieldDescription, b []byte) (bool, error) {
	if f.DataTypeOID != pgtype.BoolOID || len(b) != 1 {
		return false, fmt.Errorf("db: column %s: not a boolean", f.Name)
	}
	return b[0] == 1 || b[0] == 't', nil
}

// rawInt decodes an integer column (smallint, integer, bigint) as PostgreSQL sent it,
// in either format; an error before (err) is kept.
func rawInt(f pgconn.FieldDescription, b []byte, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	if f.Format == pgx.TextFormatCode {
		return strconv.ParseInt(string(b), 10, 64)
	}
	switch {
	case f.DataTypeOID == pgtype.Int8OID && len(b) == 8:
		return int64(binary.BigEndian.Uint64(b)), nil
	case f.DataTypeOID == pgtype.Int4OID && len(b) == 4:
		return int64(int32(binary.BigEndian.Uint32(b))), nil
	case f.DataTypeOID == pgtype.Int2OID && len(b) == 2:
		return int64(int16(binary.BigEndian.Uint16(b))), nil
	}
	return 0, fmt.Errorf("db: column %s: not an integer", f.Name)
}

// intern is b as a string, the same string for the same bytes (seen keeps them).
func intern(seen map[string]string, b []byte) string {
	if s, ok := seen[string(b)]; ok { // no allocation for the lookup
		return s
	}
	s := string(b)
	seen[s] = s
	return s
}

// DiffNames resolves the ids both snapshots mention to names, in one statement for
// every kind (none when they mention no ids).
func (s *Store) DiffNames(ctx context.Context, orgID int64, snapshots ...json.RawMessage) (versiondiff.Names, error) {
	ids := make([][]int64, len(diffNameTables))
	refs := map[string]int{} // config key → index in kinds
	for i, r := range agentspec.ConfigRefs {
		refs[r.IDKey] = 2 + i
	}
	for _, raw := range snapshots {
		// One decode per snapshot: the prompt is skipped, each tool's config kept raw.
		var snap struct {
			TagIDs     []int64 `json:"tagIds"`
			MCPServers []int64 `json:"mcpServers"`
			Tools      map[string]struct {
				Config map[string]json.RawMessage `json:"config"`
			} `json:"tools"`
		}
		json.Unmarshal(raw, &snap)
		ids[0], ids[1] = append(ids[0], snap.TagIDs...), append(ids[1], snap.MCPServers...)
		for _, def := range snap.Tools {
			for key, rawIDs := range def.Config {
				var list []int64
				if k, ok := refs[key]; ok && json.Unmarshal(rawIDs, &list) == nil {
					ids[k] = append(ids[k], list...)
				}
			}
		}
	}
	return s.diffNames(ctx, orgID, ids)
}

// configIDKeys are the tool config keys that hold ids (agentspec.ConfigRefs' order).
var configIDKeys = func() []string {
	keys := make([]string, len(agentspec.ConfigRefs))
	for i, r := range agentspec.ConfigRefs {
		keys[i] = r.IDKey
	}
	return keys
}()

// PairNames resolves the ids a diff of p shows (versiondiff.Pair.Refs: a tool the same
// in both versions is not shown, so its config is not read), in one statement.
func (s *Store) PairNames(ctx context.Context, orgID int64, p *versiondiff.Pair) (versiondiff.Names, error) {
	r := p.Refs(configIDKeys)
	ids := append([][]int64{r.Tags, r.MCPServers}, make([][]int64, len(configIDKeys))...)
	for i, key := range configIDKeys {
		ids[2+i] = r.Config[key]
	}
	return s.diffNames(ctx, orgID, ids)
}

// diffNames reads the names of ids, by kind in diffNameTables' order.
func (s *Store) diffNames(ctx context.Context, orgID int64, ids [][]int64) (versiondiff.Names, error) {
	n := versiondiff.Names{Tags: map[int64]string{}, MCPServers: map[int64]string{}, Config: map[string]map[int64]string{}}
	lookups := []map[int64]string{n.Tags, n.MCPServers}
	for _, r := range agentspec.ConfigRefs {
		n.Config[r.IDKey] = map[int64]string{}
		lookups = append(lookups, n.Config[r.IDKey])
	}
	args, asked := make([]any, 0, 2*len(ids)), false
	for i := range ids {
		args, asked = append(args, orgID, ids[i]), asked || len(ids[i]) > 0
	}
	if !asked {
		return n, nil
	}
	err := s.native(ctx, diffNamesQuery, args, func(rows pgx.Rows) error {
		var kind int
		var id int64
		var name string
		if err := rows.Scan(&kind, &id, &name); err != nil {
			return err
		}
		lookups[kind][id] = name
		return nil
	})
	if err != nil {
		return n, fmt.Errorf("db: names in versions: %w", err)
	}
	return n, nil
}

// diffNameTables are the tables DiffNames reads names from, in the order of its kinds:
// tags, MCP servers, then each of agentspec.ConfigRefs.
var diffNameTables = func() []string {
	tables := []string{"tags", "mcp_servers"}
	for _, r := range agentspec.ConfigRefs {
		tables = append(tables, r.Table)
	}
	return tables
}()

// diffNamesQuery selects (kind, id, name) of the ids asked of each kind, deleted rows
// included (a version names what it named then).
//
// Its arguments are read through InitPlans, "(SELECT ?)", as in editorSideSQL: with the
// arrays visible PostgreSQL's custom plans (one or two ids: cost 8) always beat its
// generic plan (ten ids a table: 60), so it planned this four-table statement on every
// diff, ~0.2 ms of its CPU against 0.03 ms running it. Through InitPlans both plans
// know as little of the values, and after its five trial executions PostgreSQL keeps
// the generic one; the plans are the same scans (the pkey of agents, tiny tables read
// whole).
var diffNamesQuery = func() string {
	parts := make([]string, len(diffNameTables))
	for i, table := range diffNameTables {
		// The cast after the InitPlan: ANY of an array, not of a subquery's rows.
		parts[i] = "SELECT " + strconv.Itoa(i) + ", id, name FROM " + table + " WHERE org_id = (SELECT ?::bigint) AND id = ANY((SELECT ?::bigint[])::bigint[])"
	}
	return strings.Join(parts, " UNION ALL ")
}()

// RestoreVersion makes the agent equal to an old version by saving it again: a new
// version (source restore) — history is never rewritten. Tags deleted since are dropped.
func (s *Store) RestoreVersion(ctx context.Context, actor *Actor, agentID, versionID int64) (*Agent, error) {
	v, err := s.Version(ctx, actor.OrgID, versionID)
	if err != nil {
		return nil, err
	}
	if v.AgentID != agentID {
		return nil, fmt.Errorf("db: version %d of agent %d: %w", versionID, agentID, ErrNotFound)
	}
	p := new(AgentPatch)
	if err := json.Unmarshal(v.Snapshot, p); err != nil {
		return nil, fmt.Errorf("db: restore version %d: %w", versionID, err)
	}
	p.ID, p.PublishedVersionID, p.ModelAlias, p.ToolNames = Some(agentID), Opt[int64]{}, Opt[string]{}, Opt[[]string]{}
	if p.TagIDs.Has() && len(p.TagIDs.V) > 0 {
		var live []int64
		if err := s.DB.NewRaw("SELECT id FROM tags WHERE org_id = ? AND id = ANY(?) ORDER BY id", actor.OrgID, pgdialect.Array(p.TagIDs.V)).Scan(ctx, &live); err != nil {
			return nil, err
		}
		p.TagIDs = Some(live)
	}
	var a *Agent
	err = s.proposing(ctx, actor, func(ctx context.Context, tx bun.Tx) error {
		var err error
		a, err = s.saveAgentTx(ctx, tx, actor, p, SourceRestore, fmt.Sprintf("restored version %d", v.Number))
		return err
	})
	return a, err
}

// InconsistentAgents lists the organisation's agents whose live row differs from their
// newest version (the soak test's final check; empty when nothing was lost).
func (s *Store) InconsistentAgents(ctx context.Context, orgID int64) ([]int64, error) {
	var ids []int64
	if err := s.DB.NewRaw("SELECT id FROM agents WHERE org_id = ? ORDER BY id", orgID).Scan(ctx, &ids); err != nil {
		return nil, err
	}
	var bad []int64
	for _, id := range ids {
		a, err := s.Agent(ctx, orgID, id)
		if err != nil {
			return nil, err
		}
		if a.PublishedVersionID == nil {
			bad = append(bad, id)
			continue
		}
		v, err := s.Version(ctx, orgID, *a.PublishedVersionID)
		if err != nil {
			return nil, err
		}
		var newest int
		if err := s.DB.NewRaw("SELECT max(number) FROM agent_versions WHERE agent_id = ?", id).Scan(ctx, &newest); err != nil {
			return nil, err
		}
		d, err := versiondiff.Compare(snapshot(a), v.Snapshot, versiondiff.Names{})
		if err != nil || !d.Empty() || v.Number != newest {
			bad = append(bad, id)
		}
	}
	return bad, nil
}
