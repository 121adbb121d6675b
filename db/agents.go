package db

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/uptrace/bun"

	"agentconsole/db/agentspec"
	"agentconsole/db/catalog"
)

// ConflictError refuses a save made from an out-of-date copy of the agent whose
// changes collide with changes saved since (see mergeStale).
type ConflictError struct {
	Current   *Agent
	By        string    // who saved the newer version
	At        time.Time // when
	VersionNo int
	// Conflicts are the paths both sides changed to different values; Authors, who
	// saved since the base version; Merged, the live agent with every change of the
	// refused save that did not collide and its side of each conflict (what the
	// console shows for the person to choose from).
	Conflicts []MergeConflict
	Authors   []string
	Merged    *Agent
}

func (e *ConflictError) Error() string { return "db: agent was changed by someone else" }

// PreconditionError refuses a strict save (AgentPatch.StrictBase, the API's If-Match)
// whose base is no longer the agent's live version: nothing was merged or saved.
type PreconditionError struct {
	Current   *Agent
	By        string    // who saved the live version
	At        time.Time // when
	VersionNo int       // its number
	Base      int64     // the version the client had
}

func (e *PreconditionError) Error() string {
	return fmt.Sprintf("db: agent %d changed since version %d", e.Current.ID, e.Base)
}

// maxVersionMessage bounds a save's message (a commit subject and body fit).
const maxVersionMessage = 2000

// SaveAgent creates (no ID) or updates (ID) an agent from a patch, in one transaction
// with its version and audit entry. A patch that changes nothing saves nothing.
func (s *Store) SaveAgent(ctx context.Context, actor *Actor, p *AgentPatch, source string) (*Agent, error) {
	o, err := s.SaveAgentOutcome(ctx, actor, p, source)
	if err != nil {
		return nil, err
	}
	return o.Agent, nil
}

// SaveAgentOutcome is SaveAgent that also says what the save did: nothing to save, or
// other people's changes merged in (a stale save, see mergeStale).
func (s *Store) SaveAgentOutcome(ctx context.Context, actor *Actor, p *AgentPatch, source string) (*SaveOutcome, error) {
	var o *SaveOutcome
	err := s.proposing(ctx, actor, func(ctx context.Context, tx bun.Tx) error {
		var err error
		o, err = s.saveAgent(ctx, tx, actor, p, source, "")
		return err
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

// saveAgentTx is SaveAgent inside the caller's transaction; summary overrides the
// computed one-line summary of the version ("" keeps it).
func (s *Store) saveAgentTx(ctx context.Context, tx bun.Tx, actor *Actor, p *AgentPatch, source, summary string) (*Agent, error) {
	o, err := s.saveAgent(ctx, tx, actor, p, source, summary)
	if err != nil {
		return nil, err
	}
	return o.Agent, nil
}

// saveAgent is the one save path: a stale patch is first merged (mergeStale) into a
// patch of the live agent, then validated, written and versioned like any other.
func (s *Store) saveAgent(ctx context.Context, tx bun.Tx, actor *Actor, p *AgentPatch, source, summary string) (*SaveOutcome, error) {
	isNew, viaReview, reviewTitle := !p.ID.Has(), p.viaReview, p.ReviewTitle
	a, err := s.agentToPatch(ctx, tx, actor.OrgID, p, true)
	if err != nil {
		return nil, err
	}
	beforeStage, beforeTags := a.Stage, slices.Clone(a.TagIDs)
	o := &SaveOutcome{}
	message, err := versionMessage(p.Message)
	if err != nil {
		return nil, err
	}
	stale := !isNew && p.PublishedVersionID.Has() && (a.PublishedVersionID == nil || *a.PublishedVersionID != p.PublishedVersionID.V)
	if stale && p.StrictBase {
		if _, _, err := s.baseVersion(ctx, tx, a, p.PublishedVersionID.V); err != nil {
			return nil, err // not a version of this agent at all: the same 400 as a merge base
		}
		ce := s.conflict(ctx, tx, a).(*ConflictError)
		return nil, &PreconditionError{Current: a, By: ce.By, At: ce.At, VersionNo: ce.VersionNo, Base: p.PublishedVersionID.V}
	}
	if stale {
		// Saved from an older version: merge, then save the result the ordinary way.
		if p, o, err = s.mergeStale(ctx, tx, a, p); err != nil {
			return nil, err
		}
	} else if !isNew {
		p = p.withStored(a)
	}
	o.Agent = a
	before := snapshot(a)
	issues, err := s.applyPatch(ctx, tx, actor.OrgID, a, p)
	if err != nil {
		return nil, err
	}
	if err := validationResult(issues); err != nil {
		return nil, err
	}
	after := snapshot(a)
	if !isNew && bytes.Equal(before, after) {
		o.Unchanged = true
		return o, nil
	}
	if !isNew && !viaReview {
		if strings.TrimSpace(reviewTitle) == "" {
			reviewTitle = ProposalTitle(a.Name, before, after)
		}
		if err := s.checkReview(ctx, tx, actor, beforeStage, beforeTags, a, before, after, reviewTitle, message); err != nil {
			return nil, err
		}
	}
	if err := s.writeAgent(ctx, tx, a, isNew); err != nil {
		return nil, err
	}
	if summary == "" {
		summary = "created"
		if !isNew {
			summary = changeSummary(before, after)
		}
	}
	if err := s.appendVersion(ctx, tx, actor, a, source, summary, message); err != nil {
		return nil, err
	}
	if a.AgentType == "external" { // its card is due now: the scheduler fetches it
		if _, err := tx.NewRaw("INSERT INTO agent_cards (agent_id, org_id) VALUES (?, ?) ON CONFLICT DO NOTHING", a.ID, a.OrgID).Exec(ctx); err != nil {
			return nil, err
		}
	}
	action := auditActions[source]
	if action == "" {
		action = "agent.updated"
	}
	if auditedByBulk(ctx) { // a bulk action writes one entry for all of its agents
		return o, nil
	}
	if err := s.Audit(ctx, tx, actor, action, "agent", a.ID, a.Name+": "+summary); err != nil {
		return nil, err
	}
	return o, nil
}

// versionMessage checks a save's message: absent, null or blank is none.
func versionMessage(o Opt[string]) (*string, error) {
	if !o.Has() {
		return nil, nil
	}
	m := strings.TrimSpace(NormalizeNewlines(o.V))
	switch {
	case m == "":
		return nil, nil
	case !utf8.ValidString(m) || strings.ContainsRune(m, 0):
		return nil, invalid(Issue{Message: "Invalid characters", Path: []any{"message"}})
	case len(m) > maxVersionMessage:
		return nil, invalid(Issue{Message: fmt.Sprintf("String must contain at most %d character(s)", maxVersionMessage), Path: []any{"message"}})
	}
	return &m, nil
}

// auditActions names the audit action of a save by its source.
var auditActions = map[string]string{
	SourceCreate: "agent.created", SourceUpdate: "agent.updated", SourceClone: "agent.cloned", SourceRestore: "agent.version_restored",
	SourcePublish: "agent.published", SourceImport: "agent.imported", SourceCapability: "agent.capability_changed",
}

// validationResult turns issues into the seed's error: an emailSlug problem alone keeps
// the seed's own top-level message; anything else is "Validation Error" with details.
func validationResult(issues []Issue) error {
	if len(issues) == 0 {
		return nil
	}
	if len(issues) == 1 && len(issues[0].Path) == 1 && issues[0].Path[0] == "emailSlug" {
		return refusal(issues[0].Message, issues[0].Path...)
	}
	return invalid(issues...)
}

// checkReferences applies the rules that need the database: the model registry, ids
// that must belong to the organisation, and emailSlug uniqueness (re-checked by the
// unique index at write time, so a race still has exactly one winner).
func (s *Store) checkReferences(ctx context.Context, tx bun.IDB, orgID int64, a *Agent, p *AgentPatch, prev map[string]json.RawMessage) ([]Issue, error) {
	issues, err := refreshTools(ctx, tx, a, prev)
	if err != nil {
		return nil, err
	}
	if (p.Model.Has() || p.ModelAlias.Has()) && a.Model != nil {
		var ok bool
		if err := tx.NewRaw("SELECT EXISTS (SELECT 1 FROM models WHERE id = ?)", *a.Model).Scan(ctx, &ok); err != nil {
			return nil, err
		}
		if !ok {
			field := "model"
			if !p.Model.Set {
				field = "modelAlias"
			}
			issues = append(issues, Issue{Message: fmt.Sprintf("Model %q is not in the model registry", *a.Model), Path: []any{field}})
		}
	}
	missing := func(table string, ids []int64, field, noun string) error {
		if len(ids) == 0 {
			return nil
		}
		var found []int64
		if err := tx.NewRaw("SELECT id FROM "+table+" WHERE org_id = ? AND id IN (?)", orgID, bun.In(ids)).Scan(ctx, &found); err != nil {
			return err
		}
		have := map[int64]bool{}
		for _, id := range found {
			have[id] = true
		}
		for i, id := range ids {
			if !have[id] {
				issues = append(issues, Issue{Message: fmt.Sprintf("%s %d does not belong to this organization", noun, id), Path: []any{field, i}})
			}
		}
		return nil
	}
	if p.TagIDs.Set {
		if err := missing("tags", a.TagIDs, "tagIds", "Tag"); err != nil {
			return nil, err
		}
	}
	if p.MCPServers.Set {
		if err := missing("mcp_servers", a.MCPServers, "mcpServers", "MCP server"); err != nil {
			return nil, err
		}
	}
	if p.Tools.Set || p.ToolNames.Set {
		toolIssues, err := checkToolConfigs(ctx, tx, orgID, a)
		if err != nil {
			return nil, err
		}
		issues = append(issues, toolIssues...)
	}
	if p.EmailSlug.Has() && a.EmailSlug != nil {
		var taken bool
		if err := tx.NewRaw("SELECT EXISTS (SELECT 1 FROM agents WHERE email_slug = ? AND id <> ?)", *a.EmailSlug, a.ID).Scan(ctx, &taken); err != nil {
			return nil, err
		}
		if taken {
			issues = append(issues, duplicateSlug(*a.EmailSlug).Details...)
		}
	}
	return issues, nil
}

// storedTools is how tools are written: catalog definitions become references.
const storedTools = "agent_tools_compact(?::jsonb)"

func (s *Store) writeAgent(ctx context.Context, tx bun.Tx, a *Agent, isNew bool) error {
	var err error
	if isNew {
		if a.UUID == "" {
			a.UUID = uuid.NewString()
		}
		_, err = tx.NewInsert().Model(a).ExcludeColumn("id", "created_at", "updated_at", "published_version_id", "deleted_at").
			Value("tools", storedTools, a.Tools).Returning("id, created_at, updated_at").Exec(ctx)
	} else {
		_, err = tx.NewUpdate().Model(a).ExcludeColumn("id", "uuid", "org_id", "created_at", "updated_at", "published_version_id", "deleted_at").
			Value("tools", storedTools, a.Tools).Set("updated_at = now()").WherePK().Returning("updated_at").Exec(ctx)
	}
	if isUniqueViolation(err, "agents_email_slug_key") {
		return duplicateSlug(*a.EmailSlug)
	}
	if err != nil {
		return fmt.Errorf("db: write agent: %w", err)
	}
	if _, err := tx.NewRaw("DELETE FROM agent_tags WHERE agent_id = ?", a.ID).Exec(ctx); err != nil {
		return err
	}
	if len(a.TagIDs) > 0 {
		if _, err := tx.NewRaw("INSERT INTO agent_tags (agent_id, tag_id) SELECT ?, unnest(?::bigint[])", a.ID, pgArray(a.TagIDs)).Exec(ctx); err != nil {
			return err
		}
	}
	return s.loadTags(ctx, tx, []*Agent{a})
}

func (s *Store) conflict(ctx context.Context, tx bun.IDB, current *Agent) error {
	c := &ConflictError{Current: current}
	tx.NewRaw(`SELECT author, created_at, number FROM agent_versions WHERE id = ?`, current.PublishedVersionID).Scan(ctx, &c.By, &c.At, &c.VersionNo)
	return c
}

// snapshot is the agent's content as JSON, without bookkeeping (ids of versions,
// times), so two snapshots are equal exactly when nothing a user set differs.
func snapshot(a *Agent) []byte {
	c := *a
	c.PublishedVersionID, c.DeletedAt = nil, nil
	c.CreatedAt, c.UpdatedAt = time.Time{}, time.Time{}
	c.Tags = nil
	canonicalLists(&c) // rows saved before empty lists became absent compare equal
	c.Tools = make(map[string]json.RawMessage, len(a.Tools))
	for name, def := range a.Tools {
		c.Tools[name] = catalog.Canonical(def)
	}
	if c.TagIDs == nil {
		c.TagIDs = []int64{}
	}
	sort.Slice(c.TagIDs, func(i, j int) bool { return c.TagIDs[i] < c.TagIDs[j] })
	b, _ := json.Marshal(c) // map keys are sorted by encoding/json
	return b
}

// changeSummary names the top-level fields that differ between two snapshots.
func changeSummary(before, after []byte) string {
	var b, a map[string]json.RawMessage
	json.Unmarshal(before, &b)
	json.Unmarshal(after, &a)
	var changed []string
	for k, v := range a {
		if !bytes.Equal(b[k], v) {
			changed = append(changed, k)
		}
	}
	sort.Strings(changed)
	if len(changed) == 0 {
		return "no change"
	}
	// A stage change is said as what it is, not as "changed stage": the editor's stage
	// select releases an agent as the Publish action does (the source stays "update").
	var stage string
	if i := slices.Index(changed, "stage"); i >= 0 {
		var to string
		json.Unmarshal(a["stage"], &to)
		stage = map[string]string{agentspec.StageReleased: "Released", agentspec.StageDevelopment: "Back to development"}[to]
		if stage != "" {
			changed = slices.Delete(changed, i, i+1)
		}
	}
	switch {
	case stage == "":
		return "changed " + strings.Join(changed, ", ")
	case len(changed) == 0:
		return stage
	}
	return stage + "; changed " + strings.Join(changed, ", ")
}

// ProposalTitle is a change request's default title: the agent's name and the fields
// the proposal changes, by their console labels ("Helpdesk: changed Prompt"), as
// reviewers read it on the Reviews pages.
func ProposalTitle(name string, before, after []byte) string {
	return name + ": " + LabelSummary(changeSummary(before, after))
}

// loadTags fills TagIDs and Tags of the agents with one query.
func (s *Store) loadTags(ctx context.Context, idb bun.IDB, agents []*Agent) error {
	if len(agents) == 0 {
		return nil
	}
	byID := make(map[int64]*Agent, len(agents))
	ids := make([]int64, len(agents))
	for i, a := range agents {
		byID[a.ID], ids[i] = a, a.ID
		a.TagIDs, a.Tags = []int64{}, []TagRef{}
	}
	var rows []struct {
		AgentID int64  `bun:"agent_id"`
		ID      int64  `bun:"id"`
		Name    string `bun:"name"`
		Color   string `bun:"color"`
	}
	err := s.prepared(ctx, idb, `SELECT at.agent_id, t.id, t.name, t.color FROM agent_tags at JOIN tags t ON t.id = at.tag_id
		WHERE at.agent_id = ANY(?) ORDER BY lower(t.name), t.id`, []any{ids}, &rows)
	if err != nil {
		return fmt.Errorf("db: tags of agents: %w", err)
	}
	for _, r := range rows {
		a := byID[r.AgentID]
		a.TagIDs = append(a.TagIDs, r.ID)
		a.Tags = append(a.Tags, TagRef{ID: r.ID, Name: r.Name, Color: r.Color})
	}
	return nil
}

// Agent reads one agent of the organisation (deleted ones too: the caller decides),
// its tags in the same statement (as loadTags orders them).
func (s *Store) Agent(ctx context.Context, orgID, id int64) (*Agent, error) {
	return s.oneAgent(ctx, agentColumns, orgID, id)
}

// storedToolsColumns are agentColumns with the tools as stored.
var storedToolsColumns = func() string {
	const expanded = "agent_tools_expand(a.tools) AS tools"
	if !strings.Contains(agentColumns, expanded) {
		panic("db: agentColumns no longer expands tools as " + expanded)
	}
	return strings.Replace(agentColumns, expanded, "a.tools", 1)
}()

func (s *Store) oneAgent(ctx context.Context, columns string, orgID, id int64) (*Agent, error) {
	a := new(Agent)
	if err := s.prepared(ctx, s.DB, "SELECT "+columns+", "+liveVersionExpr+", tg.* FROM agents AS a "+oneAgentTags+" WHERE a.id = ? AND a.org_id = ?", []any{id, orgID}, a); err != nil {
		return nil, fmt.Errorf("db: agent %d: %w", id, notFound(err))
	}
	a.TagIDs, a.Tags = append([]int64{}, a.OneTagIDs...), make([]TagRef, len(a.OneTagIDs)) // [] in JSON, never null
	for i, id := range a.OneTagIDs {
		a.Tags[i] = TagRef{ID: id, Name: a.OneTagNames[i], Color: a.OneTagColors[i]}
	}
	a.OneTagIDs, a.OneTagNames, a.OneTagColors = nil, nil, nil
	return a, nil
}

// oneAgentTags joins an agent row (alias a) to its tags as three arrays in the tags'
// order (one_tag_ids, one_tag_names, one_tag_colors), scanned by Store.Agent.
const oneAgentTags = `CROSS JOIN LATERAL (SELECT coalesce(array_agg(t.id ORDER BY lower(t.name), t.id), '{}') AS one_tag_ids,
		coalesce(array_agg(t.name ORDER BY lower(t.name), t.id), '{}') AS one_tag_names,
		coalesce(array_agg(t.color ORDER BY lower(t.name), t.id), '{}') AS one_tag_colors
	FROM agent_tags at JOIN tags t ON t.id = at.tag_id WHERE at.agent_id = a.id) tg`

// AgentHead reads only what a page about an agent's history shows of the agent itself
// (name, type, live version, deletion): no prompt, no tools to expand, no tags. One
// prepared query; deleted agents included, as Agent does.
func (s *Store) AgentHead(ctx context.Context, orgID, id int64) (*Agent, error) {
	a, found := new(Agent), false
	// Scanned with pgx (agents_list_native.go): Bun's reflection was a tenth of the
	// history page's own work.
	err := s.native(ctx, "SELECT a.id, a.org_id, a.name, a.agent_type, a.stage, a.published_version_id, a.created_at, a.updated_at, a.deleted_at FROM agents AS a WHERE a.id = ? AND a.org_id = ?",
		[]any{id, orgID}, func(rows pgx.Rows) error {
			found = true
			return rows.Scan(&a.ID, &a.OrgID, &a.Name, &a.AgentType, &a.Stage, &a.PublishedVersionID, &a.CreatedAt, &a.UpdatedAt, &a.DeletedAt)
		})
	if err == nil && !found {
		err = sql.ErrNoRows
	}
	if err != nil {
		return nil, fmt.Errorf("db: agent %d: %w", id, notFound(err))
	}
	return a, nil
}

// liveAgent selects a live (not deleted) agent of the organisation into a.
func liveAgent(idb bun.IDB, a *Agent, orgID, id int64) *bun.SelectQuery {
	return idb.NewSelect().Model(a).ColumnExpr(agentColumns).Where("a.id = ? AND a.org_id = ? AND a.deleted_at IS NULL", id, orgID)
}

// liveVersionExpr selects the number of the live version with an agent row.
const liveVersionExpr = "(SELECT v.number FROM agent_versions v WHERE v.id = a.published_version_id) AS live_version"

// DeleteAgent soft-deletes an agent (deletedAt); RestoreAgent undoes it.
func (s *Store) DeleteAgent(ctx context.Context, actor *Actor, id int64) error {
	return s.proposing(ctx, actor, func(ctx context.Context, tx bun.Tx) error {
		if err := s.checkDeletion(ctx, tx, actor, id, ChangeDelete); err != nil {
			return err
		}
		name, err := softDelete(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		return s.Audit(ctx, tx, actor, "agent.deleted", AuditAgent, id, name)
	})
}

// softDelete marks a live agent of the actor's organisation deleted (by the actor) and
// answers its name; ErrNotFound when there is no such live agent.
func softDelete(ctx context.Context, tx bun.Tx, actor *Actor, id int64) (string, error) {
	var name string
	err := tx.NewRaw("UPDATE agents SET deleted_at = now(), deleted_by = ?, updated_at = now() WHERE id = ? AND org_id = ? AND deleted_at IS NULL RETURNING name",
		actor.Label(), id, actor.OrgID).Scan(ctx, &name)
	if err != nil {
		return "", fmt.Errorf("db: delete agent %d: %w", id, notFound(err))
	}
	return name, nil
}

// RestoreAgent brings back a soft-deleted agent.
func (s *Store) RestoreAgent(ctx context.Context, actor *Actor, id int64) (*Agent, error) {
	err := s.proposing(ctx, actor, func(ctx context.Context, tx bun.Tx) error {
		if err := s.checkDeletion(ctx, tx, actor, id, ChangeRestore); err != nil {
			return err
		}
		var name string
		err := tx.NewRaw("UPDATE agents SET deleted_at = NULL, deleted_by = NULL, updated_at = now() WHERE id = ? AND org_id = ? AND deleted_at IS NOT NULL RETURNING name",
			id, actor.OrgID).Scan(ctx, &name)
		if err != nil {
			return fmt.Errorf("db: restore agent %d: %w", id, notFound(err))
		}
		return s.Audit(ctx, tx, actor, "agent.restored", "agent", id, name)
	})
	if err != nil {
		return nil, err
	}
	return s.Agent(ctx, actor.OrgID, id)
}

// CloneAgent copies an agent in one step: a new name, no emailSlug, stage development,
// the same tools, config and tags; its first version records the origin.
func (s *Store) CloneAgent(ctx context.Context, actor *Actor, id int64, name string) (*Agent, error) {
	var clone *Agent
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		src := new(Agent)
		if err := liveAgent(tx, src, actor.OrgID, id).Scan(ctx); err != nil {
			return fmt.Errorf("db: clone agent %d: %w", id, notFound(err))
		}
		if err := s.loadTags(ctx, tx, []*Agent{src}); err != nil {
			return err
		}
		if strings.TrimSpace(name) == "" {
			name = "Copy of " + src.Name
			if len(name) > maxName {
				name = name[:maxName]
			}
		}
		p := PatchFromAgent(src)
		p.Name, p.EmailSlug, p.Stage = Some(name), Opt[string]{Set: true, Null: true}, Some(agentspec.StageDevelopment)
		var err error
		clone, err = s.saveAgentTx(ctx, tx, actor, p, SourceClone, fmt.Sprintf("cloned from agent %d (%s)", src.ID, src.Name))
		return err
	})
	return clone, err
}

// PatchFromAgent is a patch that sets every field to the agent's values.
func PatchFromAgent(a *Agent) *AgentPatch {
	p := &AgentPatch{
		Name: Some(a.Name), ConversationStarters: Some(a.ConversationStarters), Tools: Some(a.Tools),
		Integrations: Some(a.Integrations), MCPServers: Some(a.MCPServers), Stage: Some(a.Stage), ShowInChat: Some(a.ShowInChat),
		TagIDs: Some(a.TagIDs), ContextDocs: Some(a.ContextDocs), AgentType: Some(a.AgentType),
	}
	p.Description, p.LogoURL, p.SystemPrompt = optPtr(a.Description), optPtr(a.LogoURL), optPtr(a.SystemPrompt)
	p.Model, p.EmailSlug, p.PlanningMode = optPtr(a.Model), optPtr(a.EmailSlug), optPtr(a.PlanningMode)
	p.MaxToolRoundtrips, p.ExternalConfig = optPtr(a.MaxToolRoundtrips), optPtr(a.ExternalConfig)
	p.Inputs, p.TinesStoryImportID = Some(a.Inputs), optPtr(a.TinesStoryImportID)
	return p
}

func optPtr[T any](v *T) Opt[T] {
	if v == nil {
		return Opt[T]{Set: true, Null: true}
	}
	return Some(*v)
}

func pgArray(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = fmt.Sprint(id)
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// CheckAgent runs every validation rule of a save without writing anything: the
// console's inline validation uses it, so it can never disagree with the save.
func (s *Store) CheckAgent(ctx context.Context, actor *Actor, p *AgentPatch) ([]Issue, error) {
	var issues []Issue
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		a, err := s.agentToPatch(ctx, tx, actor.OrgID, p, false)
		if err != nil {
			return err
		}
		issues, err = s.applyPatch(ctx, tx, actor.OrgID, a, p)
		return err
	})
	return issues, err
}

// agentToPatch is the agent a patch applies to: the stored one with its tags (row
// locked when lock is set), or a new agent with the defaults when the patch has no id.
func (s *Store) agentToPatch(ctx context.Context, tx bun.Tx, orgID int64, p *AgentPatch, lock bool) (*Agent, error) {
	a := &Agent{OrgID: orgID, UUID: p.uuid, Stage: agentspec.StageDevelopment, ShowInChat: true, AgentType: agentspec.TypeNative, Tools: map[string]json.RawMessage{}}
	if !p.ID.Has() {
		return a, nil
	}
	q := liveAgent(tx, a, orgID, p.ID.V)
	if lock {
		q = q.For("UPDATE")
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("db: agent %d: %w", p.ID.V, notFound(err))
	}
	return a, s.loadTags(ctx, tx, []*Agent{a})
}

// applyPatch applies the patch to a and returns every problem: the rules that need no
// database (Apply) and those that do (checkReferences).
func (s *Store) applyPatch(ctx context.Context, tx bun.IDB, orgID int64, a *Agent, p *AgentPatch) ([]Issue, error) {
	prev := make(map[string]json.RawMessage, len(a.Tools))
	for k, v := range a.Tools {
		prev[k] = v
	}
	issues := p.Apply(a)
	more, err := s.checkReferences(ctx, tx, orgID, a, p, prev)
	return append(issues, more...), err
}
