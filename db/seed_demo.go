package db

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"agentconsole/db/agentspec"
	"agentconsole/db/cards"
	"agentconsole/db/catalog"
	"agentconsole/db/demo"
)

// DemoContent counts what SeedDemoContent added (all zero when nothing was missing).
type DemoContent struct {
	Tags, KnowledgeBases, MCPServers, SkillRules, Agents, CardRefreshes int
}

// seedLockKey serialises demo seeding across instances started together ("demoseed").
const seedLockKey = 0x64656d6f73656564

// seedLock serialises seeding across instances started together (serve --dev on each).
// The seed is many transactions (the domain operations), so its lock is held by a
// transaction of its own kept open meanwhile on another connection (the pool needs two):
// a transaction lock, released when that transaction ends, works through a transaction
// pooler (which keeps one server connection for an open transaction), where a session
// lock would stay behind on whichever server connection took it.
func (s *Store) seedLock(ctx context.Context) (unlock func(), err error) {
	lock, err := s.DB.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("lock: %w", err)
	}
	if _, err := lock.ExecContext(ctx, "SELECT pg_advisory_xact_lock(?)", int64(seedLockKey)); err != nil {
		lock.Rollback()
		return nil, fmt.Errorf("lock: %w", err)
	}
	return func() { lock.Rollback() }, nil
}

// SeedDemoContent fills the demo organisation (SeedDemo makes it) with the content of
// package demo, through the same domain operations people use, so versions, audit
// entries and cached cards are genuine. It adds what is missing, by name, and nothing
// else: an agent that exists (even deleted) is left alone with its history, so a
// second run changes nothing. Test fixtures never call it.
func (s *Store) SeedDemoContent(ctx context.Context) (*DemoContent, error) {
	org, err := s.OrganizationBySlug(ctx, "demo")
	if err != nil {
		return nil, fmt.Errorf("db: seed demo content: %w", err)
	}
	unlock, err := s.seedLock(ctx)
	if err != nil {
		return nil, fmt.Errorf("db: seed demo content: %w", err)
	}
	defer unlock()
	sd := &demoSeeder{s: s, orgID: org.ID, actors: map[string]*Actor{}, out: &DemoContent{}}
	for _, email := range []string{demo.Admin, demo.Builder} {
		a, err := s.ActorByEmail(ctx, email)
		if err != nil || a.OrgID != org.ID {
			return nil, fmt.Errorf("db: seed demo content: the demo login %s is missing: %v", email, err)
		}
		a.Via = "seed"
		sd.actors[email] = a
	}
	for _, step := range []func(context.Context) error{sd.tags, sd.knowledgeBases, sd.mcpServers, sd.skillRules, sd.agents, sd.review} {
		if err := step(ctx); err != nil {
			return sd.out, fmt.Errorf("db: seed demo content: %w", err)
		}
	}
	return sd.out, nil
}

// demoSeeder holds the name → id maps the demo's references are resolved with.
type demoSeeder struct {
	s                               *Store
	orgID                           int64
	actors                          map[string]*Actor
	out                             *DemoContent
	tagIDs, kbIDs, mcpIDs, agentIDs map[string]int64
	// On a database that already has content, the current catalog may lack a tool
	// and another agent may hold a demo slug: the demo goes without them.
	liveTools, takenSlugs map[string]bool
}

func (sd *demoSeeder) admin() *Actor { return sd.actors[demo.Admin] }

func (sd *demoSeeder) tags(ctx context.Context) error {
	have, err := sd.s.TagsWithCounts(ctx, sd.orgID)
	if err != nil {
		return err
	}
	sd.tagIDs = map[string]int64{}
	for _, t := range have {
		sd.tagIDs[strings.ToLower(t.Name)] = t.ID
	}
	for _, t := range demo.Tags {
		if _, ok := sd.tagIDs[strings.ToLower(t.Name)]; ok {
			continue
		}
		tag, err := sd.s.SaveTag(ctx, sd.admin(), 0, TagInput{Name: Some(t.Name), Color: Some(t.Color), Description: Some(t.Description)})
		if err != nil {
			return fmt.Errorf("tag %s: %w", t.Name, err)
		}
		sd.tagIDs[strings.ToLower(t.Name)] = tag.ID
		sd.out.Tags++
	}
	return nil
}

func (sd *demoSeeder) knowledgeBases(ctx context.Context) error {
	have, err := sd.s.KnowledgeBases(ctx, sd.orgID)
	if err != nil {
		return err
	}
	sd.kbIDs = map[string]int64{}
	for _, k := range have {
		if _, dup := sd.kbIDs[k.Name]; !dup {
			sd.kbIDs[k.Name] = k.ID
		}
	}
	for _, name := range demo.KnowledgeBases {
		if _, ok := sd.kbIDs[name]; ok {
			continue
		}
		k, err := sd.s.CreateKnowledgeBase(ctx, sd.admin(), name)
		if err != nil {
			return fmt.Errorf("knowledge base %s: %w", name, err)
		}
		sd.kbIDs[name] = k.ID
		sd.out.KnowledgeBases++
	}
	return nil
}

func (sd *demoSeeder) mcpServers(ctx context.Context) error {
	have, err := sd.s.MCPServers(ctx, sd.orgID)
	if err != nil {
		return err
	}
	sd.mcpIDs = map[string]int64{}
	for _, m := range have {
		if _, dup := sd.mcpIDs[m.Name]; !dup {
			sd.mcpIDs[m.Name] = m.ID
		}
	}
	for _, m := range demo.MCPServers {
		if _, ok := sd.mcpIDs[m.Name]; ok {
			continue
		}
		created, err := sd.s.CreateMCPServer(ctx, sd.admin(), m.Name, m.URL)
		if err != nil {
			return fmt.Errorf("MCP server %s: %w", m.Name, err)
		}
		sd.mcpIDs[m.Name] = created.ID
		sd.out.MCPServers++
	}
	return nil
}

func (sd *demoSeeder) skillRules(ctx context.Context) error {
	have, err := sd.s.SkillRoleRules(ctx, sd.orgID)
	if err != nil {
		return err
	}
	exists := map[string]bool{}
	for _, r := range have {
		exists[r.Match] = true
	}
	for _, r := range demo.SkillRules {
		if exists[r.Match] {
			continue
		}
		if _, err := sd.s.SaveSkillRoleRule(ctx, sd.admin(), r.Match, r.Roles); err != nil {
			return fmt.Errorf("skill rule %s: %w", r.Match, err)
		}
		sd.out.SkillRules++
	}
	return nil
}

// agents creates the missing demo agents: first those built on the previous catalog
// edition (one transaction), then the others in list order with their histories.
func (sd *demoSeeder) agents(ctx context.Context) error {
	var rows []struct {
		ID   int64  `bun:"id"`
		Name string `bun:"name"`
	}
	// Deleted ones count: a demo agent someone deleted is not brought back.
	if err := sd.s.DB.NewRaw("SELECT id, name FROM agents WHERE org_id = ? ORDER BY id", sd.orgID).Scan(ctx, &rows); err != nil {
		return err
	}
	sd.agentIDs = map[string]int64{}
	for _, r := range rows {
		if _, dup := sd.agentIDs[r.Name]; !dup {
			sd.agentIDs[r.Name] = r.ID
		}
	}
	var live, slugs []string
	for _, a := range demo.Agents {
		if a.Slug != "" {
			slugs = append(slugs, a.Slug)
		}
	}
	if err := sd.s.DB.NewRaw("SELECT name FROM catalog_tools WHERE removed_at IS NULL").Scan(ctx, &live); err != nil {
		return err
	}
	var taken []string
	if err := sd.s.DB.NewRaw("SELECT email_slug FROM agents WHERE email_slug = ANY(?)", pgdialect.Array(slugs)).Scan(ctx, &taken); err != nil {
		return err
	}
	sd.liveTools, sd.takenSlugs = map[string]bool{}, map[string]bool{}
	for _, name := range live {
		sd.liveTools[name] = true
	}
	for _, slug := range taken {
		sd.takenSlugs[slug] = true
	}
	var previous []demo.Agent
	for _, a := range demo.Agents {
		if _, ok := sd.agentIDs[a.Name]; !ok && a.PreviousEdition {
			previous = append(previous, a)
		}
	}
	if len(previous) > 0 && sd.liveTools[demo.PreviousEditionTool] {
		if err := sd.onPreviousEdition(ctx, previous); err != nil {
			return err
		}
	}
	for _, a := range demo.Agents {
		if _, ok := sd.agentIDs[a.Name]; ok {
			continue
		}
		if err := sd.agent(ctx, a); err != nil {
			return fmt.Errorf("agent %s: %w", a.Name, err)
		}
	}
	return nil
}

// onPreviousEdition creates agents as they were built while the catalog held the
// previous edition of demo.PreviousEditionTool, so that they hold its older definition
// now — a genuine outdated state for the sync. In one transaction, under the catalog
// lock: the older definition joins the catalog's history (catalog_tool_versions, as an
// import of that edition would have put it), the current definition is swapped for it,
// the agents are saved, and the current definition is put back. Nobody else ever sees
// the swap; the catalog's current tools are exactly as before.
func (sd *demoSeeder) onPreviousEdition(ctx context.Context, agents []demo.Agent) error {
	raw, err := demo.PreviousEdition(catalog.Bundled)
	if err != nil {
		return err
	}
	prevCatalog, err := catalog.Parse(raw)
	if err != nil {
		return fmt.Errorf("previous catalog edition: %w", err)
	}
	var old *catalog.Tool
	for i := range prevCatalog.Tools {
		if prevCatalog.Tools[i].Name == demo.PreviousEditionTool {
			old = &prevCatalog.Tools[i]
		}
	}
	return sd.s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(?)", int64(catalogLockKey)); err != nil {
			return err
		}
		cur := new(CatalogTool)
		if err := tx.NewRaw("SELECT * FROM catalog_tools WHERE name = ? FOR UPDATE", old.Name).Scan(ctx, cur); err != nil {
			return fmt.Errorf("catalog tool %s: %w", old.Name, err)
		}
		if _, err := tx.NewRaw(`INSERT INTO catalog_tool_versions (name, version, kind, category, description, parameters, config_schema, definition)
			VALUES (?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?::jsonb) ON CONFLICT DO NOTHING`,
			old.Name, old.Version, old.Kind, old.Category, old.Description, jsonOrNull(old.Parameters), jsonOrNull(old.ConfigSchema),
			string(old.Definition())).Exec(ctx); err != nil {
			return err
		}
		swap := func(description, version string, parameters, configSchema, definition json.RawMessage) error {
			_, err := tx.NewRaw(`UPDATE catalog_tools SET description = ?, version = ?, parameters = ?::jsonb, config_schema = ?::jsonb,
				definition = ?::jsonb WHERE name = ?`, description, version, jsonOrNull(parameters), jsonOrNull(configSchema),
				string(definition), old.Name).Exec(ctx)
			return err
		}
		if err := swap(old.Description, old.Version, old.Parameters, old.ConfigSchema, old.Definition()); err != nil {
			return err
		}
		for _, a := range agents {
			p, err := sd.patch(a)
			if err != nil {
				return fmt.Errorf("agent %s: %w", a.Name, err)
			}
			saved, err := sd.s.saveAgentTx(ctx, tx, sd.actors[a.By], p, SourceCreate, "")
			if err != nil {
				return fmt.Errorf("agent %s: %w", a.Name, err)
			}
			sd.agentIDs[a.Name] = saved.ID
		}
		cur.dropNulls()
		if err := swap(cur.Description, cur.Version, cur.Parameters, cur.ConfigSchema, cur.Definition); err != nil {
			return err
		}
		sd.out.Agents += len(agents)
		return nil
	})
}

// agent creates one demo agent (or clones it), plays its history and stores its cards.
func (sd *demoSeeder) agent(ctx context.Context, a demo.Agent) error {
	by := sd.actors[a.By]
	var saved *Agent
	var err error
	if a.CloneOf != "" {
		src, ok := sd.agentIDs[a.CloneOf]
		if !ok {
			return fmt.Errorf("clone of unknown agent %q", a.CloneOf)
		}
		if saved, err = sd.s.CloneAgent(ctx, by, src, a.Name); err != nil {
			return err
		}
		edit := &AgentPatch{ID: Some(saved.ID)}
		if a.Description != "" {
			edit.Description = Some(a.Description)
		}
		if a.Prompt != "" {
			edit.SystemPrompt = Some(a.Prompt)
		}
		if _, err := sd.s.SaveAgent(ctx, by, edit, SourceUpdate); err != nil {
			return err
		}
	} else {
		p, err := sd.patch(a)
		if err != nil {
			return err
		}
		if saved, err = sd.s.SaveAgent(ctx, by, p, SourceCreate); err != nil {
			return err
		}
	}
	sd.agentIDs[a.Name] = saved.ID
	sd.out.Agents++
	if a.External != nil {
		if err := sd.cards(ctx, saved, a.External); err != nil {
			return err
		}
	}
	for i, step := range a.History {
		if err := sd.step(ctx, saved.ID, step); err != nil {
			return fmt.Errorf("history step %d: %w", i+1, err)
		}
	}
	return nil
}

// step plays one history event through its domain operation.
func (sd *demoSeeder) step(ctx context.Context, id int64, st demo.Step) error {
	by := sd.actors[st.By]
	switch {
	case st.Update != nil:
		p := &AgentPatch{ID: Some(id)}
		c := st.Update
		if c.Description != "" {
			p.Description = Some(c.Description)
		}
		if c.Prompt != "" {
			p.SystemPrompt = Some(c.Prompt)
		}
		if c.Model != "" {
			p.Model = Some(c.Model)
		}
		if c.Starters != nil {
			p.ConversationStarters = Some(c.Starters)
		}
		if c.Slug != "" {
			p.EmailSlug = Some(c.Slug)
		}
		_, err := sd.s.SaveAgent(ctx, by, p, SourceUpdate)
		return err
	case st.Publish:
		_, err := sd.s.SaveAgent(ctx, by, &AgentPatch{ID: Some(id), Stage: Some(agentspec.StageReleased)}, SourcePublish)
		return err
	case st.Tag != "":
		tagID, ok := sd.tagIDs[strings.ToLower(st.Tag)]
		if !ok {
			return fmt.Errorf("unknown tag %q", st.Tag)
		}
		_, err := sd.s.BulkTag(ctx, by, tagID, []int64{id}, false)
		return err
	case st.AddTool != nil:
		if !sd.liveTools[st.AddTool.Name] {
			return nil
		}
		def, err := sd.tool(*st.AddTool)
		if err != nil {
			return err
		}
		var body struct {
			Config json.RawMessage `json:"config"`
		}
		json.Unmarshal(def, &body)
		_, err = sd.s.AddCapability(ctx, by, id, st.AddTool.Name, body.Config)
		return err
	case st.Restore > 0:
		versions, err := sd.s.Versions(ctx, sd.orgID, id, VersionFilter{Limit: 200})
		if err != nil {
			return err
		}
		for _, v := range versions {
			if v.Number == st.Restore {
				_, err := sd.s.RestoreVersion(ctx, by, id, v.ID)
				return err
			}
		}
		return fmt.Errorf("no version %d to restore", st.Restore)
	case st.Delete:
		return sd.s.DeleteAgent(ctx, by, id)
	}
	return errors.New("empty history step")
}

// patch is the create patch of a demo agent, its references resolved to ids.
func (sd *demoSeeder) patch(a demo.Agent) (*AgentPatch, error) {
	p := &AgentPatch{Name: Some(a.Name)}
	set := func(dst *Opt[string], v string) {
		if v != "" {
			*dst = Some(v)
		}
	}
	set(&p.Description, a.Description)
	set(&p.Model, a.Model)
	set(&p.SystemPrompt, a.Prompt)
	if !sd.takenSlugs[a.Slug] {
		set(&p.EmailSlug, a.Slug)
	}
	set(&p.Stage, a.Stage)
	set(&p.PlanningMode, a.PlanningMode)
	if a.Starters != nil {
		p.ConversationStarters = Some(a.Starters)
	}
	if a.MaxToolRoundtrips > 0 {
		p.MaxToolRoundtrips = Some(a.MaxToolRoundtrips)
	}
	var tagIDs []int64
	for _, name := range a.Tags {
		id, ok := sd.tagIDs[strings.ToLower(name)]
		if !ok {
			return nil, fmt.Errorf("unknown tag %q", name)
		}
		tagIDs = append(tagIDs, id)
	}
	p.TagIDs = Some(tagIDs)
	var mcp []int64
	for _, name := range a.MCPServers {
		id, ok := sd.mcpIDs[name]
		if !ok {
			return nil, fmt.Errorf("unknown MCP server %q", name)
		}
		mcp = append(mcp, id)
	}
	if len(mcp) > 0 {
		p.MCPServers = Some(mcp)
	}
	if len(a.Tools) > 0 {
		tools := map[string]json.RawMessage{}
		for _, t := range a.Tools {
			if !sd.liveTools[t.Name] {
				continue
			}
			def, err := sd.tool(t)
			if err != nil {
				return nil, err
			}
			tools[t.Name] = def
		}
		p.Tools = Some(tools)
	}
	if x := a.External; x != nil {
		p.AgentType = Some("external")
		p.ExternalConfig = Some(ExternalConfig{AgentCardURL: x.CardURL, EndpointURL: x.EndpointURL, RefreshIntervalMinutes: x.RefreshMinutes})
	}
	return p, nil
}

// tool is a tool as a client sends it: {} or {"config": …} (saving fills in the
// catalog's definition), with agent and knowledge base names turned into ids.
func (sd *demoSeeder) tool(t demo.Tool) (json.RawMessage, error) {
	config := map[string]any{}
	for k, v := range t.Config {
		config[k] = v
	}
	ids := func(names []string, known map[string]int64, noun string) ([]int64, error) {
		out := make([]int64, 0, len(names))
		for _, n := range names {
			id, ok := known[n]
			if !ok {
				return nil, fmt.Errorf("tool %s: unknown %s %q", t.Name, noun, n)
			}
			out = append(out, id)
		}
		return out, nil
	}
	if len(t.CallAgents) > 0 {
		v, err := ids(t.CallAgents, sd.agentIDs, "agent")
		if err != nil {
			return nil, err
		}
		config["callableAgentIds"] = v
	}
	if len(t.KnowledgeBases) > 0 {
		v, err := ids(t.KnowledgeBases, sd.kbIDs, "knowledge base")
		if err != nil {
			return nil, err
		}
		config["accessibleKnowledgeBaseIds"] = v
	}
	if len(config) == 0 {
		return json.RawMessage(`{}`), nil
	}
	return json.Marshal(map[string]any{"config": config})
}

// cards stores an external agent's fixture cards, oldest first, through RefreshCard
// (the path every refresh takes: cached card, history entry with its change report,
// roles for new skills, a version when the card changed, audit), read by a fetcher
// that answers from the bundled files — nothing is fetched. The next scheduled
// refresh is then one interval away, as if the scheduler had made the last one.
func (sd *demoSeeder) cards(ctx context.Context, a *Agent, x *demo.External) error {
	for _, name := range x.Cards {
		body, err := demo.Card(name)
		if err != nil {
			return err
		}
		if err := sd.storeFixtureCard(ctx, a.ID, fixtureCard{name: name, body: body}); err != nil {
			return fmt.Errorf("card %s: %w", name, err)
		}
		sd.out.CardRefreshes++
	}
	_, err := sd.s.DB.NewRaw(`UPDATE agent_cards SET next_refresh_at = now() + make_interval(mins => ?) WHERE agent_id = ? AND org_id = ?`,
		max(x.RefreshMinutes, 1), a.ID, sd.orgID).Exec(ctx)
	return err
}

// storeFixtureCard stores a bundled card as a refresh of the agent's card would: the
// fixture stands for the fetch (nothing is fetched).
func (sd *demoSeeder) storeFixtureCard(ctx context.Context, agentID int64, f fixtureCard) error {
	a, etag, err := sd.s.CardToRefresh(ctx, sd.orgID, agentID)
	if err != nil {
		return err
	}
	urls := CardURLs(a.ExternalConfig)
	if len(urls) == 0 {
		return fmt.Errorf("demo agent %q has no card URL", a.Name)
	}
	got, err := f.FetchCard(ctx, urls[0], etag)
	_, err = sd.s.StoreCardRefresh(ctx, sd.admin(), a, got, err, nil)
	return err
}

// fixtureCard answers with a bundled card file, as a fetch of it would.
type fixtureCard struct {
	name string
	body []byte
}

func (f fixtureCard) FetchCard(_ context.Context, rawURL, _ string) (*FetchedCard, error) {
	card, err := cards.Parse(f.body)
	if err != nil {
		return nil, fmt.Errorf("fixture %s: %w", f.name, err)
	}
	sum := sha256.Sum256(f.body)
	return &FetchedCard{Body: f.body, Card: card, URL: rawURL, ETag: `"` + hex.EncodeToString(sum[:8]) + `"`}, nil
}
