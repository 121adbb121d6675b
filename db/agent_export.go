package db

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"agentconsole/db/agentspec"
)

// ExportFormat names the export document's shape.
const ExportFormat = "agentconsole.agent/v1"

// AgentExport is a self-contained agent: references by name, not id, and no secrets,
// so it can be imported into another organisation.
type AgentExport struct {
	Format     string      `json:"format"`
	ExportedAt time.Time   `json:"exportedAt"`
	Agent      ExportAgent `json:"agent"`
}

// ExportAgent is the agent's content. Tool configs name agents and knowledge bases
// (callableAgentNames, accessibleKnowledgeBaseNames) instead of their ids.
type ExportAgent struct {
	// UUID identifies the agent across organisations: an import keeps it where it is free.
	UUID                 string                     `json:"uuid,omitempty"`
	Name                 string                     `json:"name"`
	Description          *string                    `json:"description"`
	LogoURL              *string                    `json:"logoUrl"`
	ConversationStarters []string                   `json:"conversationStarters"`
	Model                *string                    `json:"model"`
	MaxToolRoundtrips    *int                       `json:"maxToolRoundtrips"`
	SystemPrompt         *string                    `json:"systemPrompt"`
	Tools                map[string]json.RawMessage `json:"tools"`
	Integrations         []string                   `json:"integrations"`
	MCPServers           []ExportMCPServer          `json:"mcpServers"`
	Stage                string                     `json:"stage"`
	ShowInChat           bool                       `json:"showInChat"`
	Tags                 []string                   `json:"tags"`
	PlanningMode         *string                    `json:"planningMode"`
	ContextDocs          []ContextDoc               `json:"contextDocs"`
	AgentType            string                     `json:"agentType"`
	ExternalConfig       *ExternalConfig            `json:"externalConfig"`
	Inputs               []AgentInput               `json:"inputs"`
	TinesStoryImportID   *string                    `json:"tinesStoryImportId"`
}

// ExportMCPServer names an MCP server (its URL helps the importer recognise it).
type ExportMCPServer struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}

// Unresolved is a reference an import could not map in the target organisation.
type Unresolved struct {
	Kind string `json:"kind"` // knowledgeBase, mcpServer, agent, model
	Name string `json:"name"`
	Path []any  `json:"path"`
}

// idNames maps ids to names for one organisation's objects of one table.
func idNames(ctx context.Context, idb bun.IDB, table string, orgID int64, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		ID   int64  `bun:"id"`
		Name string `bun:"name"`
	}
	if err := idb.NewRaw("SELECT id, name FROM "+table+" WHERE org_id = ? AND id IN (?)", orgID, bun.In(ids)).Scan(ctx, &rows); err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.ID] = r.Name
	}
	return out, nil
}

// ExportAgent writes an agent as a self-contained document.
func (s *Store) ExportAgent(ctx context.Context, orgID, id int64) (*AgentExport, error) {
	a, err := s.Agent(ctx, orgID, id)
	if err != nil {
		return nil, err
	}
	if a.DeletedAt != nil {
		return nil, fmt.Errorf("db: export agent %d: %w", id, ErrNotFound)
	}
	refIDs := map[string][]int64{}
	for _, def := range a.Tools {
		for key, ids := range configRefIDs(def) {
			refIDs[key] = append(refIDs[key], ids...)
		}
	}
	refNames := map[string]map[int64]string{}
	for _, r := range agentspec.ConfigRefs {
		if refNames[r.IDKey], err = idNames(ctx, s.DB, r.Table, orgID, refIDs[r.IDKey]); err != nil {
			return nil, err
		}
	}
	out := &AgentExport{Format: ExportFormat, ExportedAt: time.Now().UTC(), Agent: ExportAgent{
		UUID: a.UUID, Model: a.Model, Tags: []string{}, MCPServers: []ExportMCPServer{}, Tools: map[string]json.RawMessage{},
	}}
	exportCopy(a, &out.Agent)
	for _, t := range a.Tags {
		out.Agent.Tags = append(out.Agent.Tags, t.Name)
	}
	if len(a.MCPServers) > 0 {
		var servers []ExportMCPServer
		if err := s.DB.NewRaw("SELECT name, url FROM mcp_servers WHERE org_id = ? AND id IN (?) ORDER BY lower(name)", orgID, bun.In(a.MCPServers)).Scan(ctx, &servers); err != nil {
			return nil, err
		}
		out.Agent.MCPServers = servers
	}
	for name, def := range a.Tools {
		out.Agent.Tools[name] = rewriteConfig(def, func(key string, ids []int64) (string, []string) {
			r, _ := agentspec.ConfigRefByKey(key)
			out := make([]string, 0, len(ids))
			for _, id := range ids {
				out = append(out, refNames[key][id])
			}
			return r.NameKey, out
		})
	}
	return out, nil
}

// rewriteConfig replaces the id lists of a tool's config with name lists.
func rewriteConfig(def json.RawMessage, rename func(key string, ids []int64) (string, []string)) json.RawMessage {
	var tool map[string]json.RawMessage
	if json.Unmarshal(def, &tool) != nil || tool["config"] == nil {
		return def
	}
	var config map[string]json.RawMessage
	if json.Unmarshal(tool["config"], &config) != nil {
		return def
	}
	for _, r := range agentspec.ConfigRefs {
		key := r.IDKey
		var ids []int64
		if raw, ok := config[key]; ok && json.Unmarshal(raw, &ids) == nil {
			newKey, names := rename(key, ids)
			delete(config, key)
			config[newKey], _ = json.Marshal(names)
		}
	}
	tool["config"], _ = json.Marshal(config)
	b, _ := json.Marshal(tool)
	return b
}

// ImportOptions say how an import applies its document.
type ImportOptions struct {
	// Into is the agent the document replaces (0: create a new agent).
	Into int64
	// IfMatch, with Into, is the version the document was read at: a strict
	// precondition (PreconditionError), never a merge.
	IfMatch int64
	// Strict refuses the whole import when a reference cannot be resolved, instead of
	// leaving it out and reporting it.
	Strict bool
	// Message is stored on the new version.
	Message Opt[string]
}

// ImportAgent recreates an exported agent in the actor's organisation, or with
// opts.Into replaces that agent's content by the document, in one transaction: tags
// are found or created by name; knowledge bases, MCP servers, callable agents and the
// model are looked up by name, and what cannot be found is left out and reported (or,
// with opts.Strict, refused with its path).
func (s *Store) ImportAgent(ctx context.Context, actor *Actor, doc *AgentExport, opts ImportOptions) (*Agent, []Unresolved, error) {
	if doc.Format != ExportFormat {
		return nil, nil, invalid(Issue{Message: fmt.Sprintf("Unsupported format; expected %q", ExportFormat), Path: []any{"format"}})
	}
	if issues := doc.Agent.referenceIssues(); len(issues) > 0 {
		return nil, nil, invalid(issues...)
	}
	var (
		saved      *Agent
		unresolved []Unresolved
	)
	err := s.proposing(ctx, actor, func(ctx context.Context, tx bun.Tx) error {
		im := &importer{s: s, tx: tx, orgID: actor.OrgID, unresolved: []Unresolved{}}
		p, err := im.patch(ctx, &doc.Agent, opts)
		if err != nil {
			return err
		}
		unresolved = im.unresolved
		if opts.Strict && len(unresolved) > 0 {
			issues := make([]Issue, len(unresolved))
			for i, u := range unresolved {
				issues[i] = Issue{Message: fmt.Sprintf("%s %q does not exist in this organization", unresolvedNouns[u.Kind], u.Name), Path: u.Path}
			}
			return invalid(issues...)
		}
		saved, err = s.saveAgentTx(ctx, tx, actor, p, SourceImport, "")
		return err
	})
	var ve *ValidationError
	if errors.As(err, &ve) {
		// The document's fields are under "agent": name them where the client sent them.
		out := &ValidationError{Message: ve.Message, Details: make([]Issue, len(ve.Details)), Bare: ve.Bare}
		for i, d := range ve.Details {
			out.Details[i] = Issue{Message: d.Message, Path: append([]any{"agent"}, d.Path...)}
		}
		return nil, nil, out
	}
	if err != nil {
		return nil, nil, err
	}
	return saved, unresolved, nil
}

// importer resolves one import's references by name inside its transaction, noting
// what it cannot find.
type importer struct {
	s          *Store
	tx         bun.Tx
	orgID      int64
	unresolved []Unresolved
}

// patch is the save an import makes: the fields copied as they are, the target (opts.Into
// or the document's UUID where free), and the references resolved by name.
func (im *importer) patch(ctx context.Context, in *ExportAgent, opts ImportOptions) (*AgentPatch, error) {
	p := &AgentPatch{Message: opts.Message}
	importCopy(in, p)
	if opts.Into != 0 {
		p.ID = Some(opts.Into)
		if opts.IfMatch != 0 {
			p.PublishedVersionID, p.StrictBase = Some(opts.IfMatch), true
		}
	} else if IsUUID(in.UUID) {
		var taken bool
		if err := im.tx.NewRaw("SELECT EXISTS (SELECT 1 FROM agents WHERE org_id = ? AND uuid = ?::uuid)", im.orgID, in.UUID).Scan(ctx, &taken); err != nil {
			return nil, err
		}
		if !taken {
			p.uuid = strings.ToLower(in.UUID)
		}
	}
	if err := im.model(ctx, in, p); err != nil {
		return nil, err
	}
	var err error
	if p.TagIDs.V, err = im.tags(ctx, in.Tags); err != nil {
		return nil, err
	}
	if p.MCPServers.V, err = im.mcpServers(ctx, in.MCPServers); err != nil {
		return nil, err
	}
	if p.Tools.V, err = im.tools(ctx, in.Tools); err != nil {
		return nil, err
	}
	p.TagIDs.Set, p.MCPServers.Set, p.Tools.Set = true, true, true
	return p, nil
}

// model keeps the document's model when the registry has it.
func (im *importer) model(ctx context.Context, in *ExportAgent, p *AgentPatch) error {
	if in.Model == nil {
		return nil
	}
	var ok bool
	if err := im.tx.NewRaw("SELECT EXISTS (SELECT 1 FROM models WHERE id = ?)", *in.Model).Scan(ctx, &ok); err != nil {
		return err
	}
	if ok {
		p.Model = Some(*in.Model)
	} else {
		im.unresolved = append(im.unresolved, Unresolved{Kind: "model", Name: *in.Model, Path: []any{"model"}})
	}
	return nil
}

// tags finds each tag by name (case-insensitive) or creates it.
func (im *importer) tags(ctx context.Context, names []string) ([]int64, error) {
	tagIDs := []int64{}
	for _, name := range names {
		var id int64
		err := im.tx.NewRaw(`INSERT INTO tags (org_id, name) VALUES (?, ?) ON CONFLICT (org_id, lower(name)) DO UPDATE SET name = tags.name RETURNING id`,
			im.orgID, name).Scan(ctx, &id)
		if err != nil {
			return nil, fmt.Errorf("db: import tag %q: %w", name, err)
		}
		tagIDs = append(tagIDs, id)
	}
	return tagIDs, nil
}

// mcpServers finds each MCP server by name (case-insensitive).
func (im *importer) mcpServers(ctx context.Context, in []ExportMCPServer) ([]int64, error) {
	servers := []int64{}
	for i, m := range in {
		var ids []int64
		if err := im.tx.NewRaw("SELECT id FROM mcp_servers WHERE org_id = ? AND lower(name) = lower(?) ORDER BY id LIMIT 1", im.orgID, m.Name).Scan(ctx, &ids); err != nil {
			return nil, err
		}
		if len(ids) == 0 {
			im.unresolved = append(im.unresolved, Unresolved{Kind: "mcpServer", Name: m.Name, Path: []any{"mcpServers", i}})
		} else {
			servers = append(servers, ids[0])
		}
	}
	return servers, nil
}

// tools maps each tool's config names back to ids, in name order (so what is
// unresolved is reported in a stable order).
func (im *importer) tools(ctx context.Context, in map[string]json.RawMessage) (map[string]json.RawMessage, error) {
	tools := map[string]json.RawMessage{}
	names := make([]string, 0, len(in))
	for name := range in {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		def, err := im.s.importToolConfig(ctx, im.tx, im.orgID, name, in[name], &im.unresolved)
		if err != nil {
			return nil, err
		}
		tools[name] = def
	}
	return tools, nil
}

// referenceIssues applies the limits to what an import resolves by name (tags are
// created, so they take the tag rules; the agent's own fields go through Apply).
func (in *ExportAgent) referenceIssues() []Issue {
	var issues []Issue
	if len(in.Tags) > maxListItems {
		issues = append(issues, Issue{Message: tooMany(maxListItems), Path: []any{"agent", "tags"}})
	}
	for i, name := range in.Tags {
		t := TagInput{Name: Some(name)}
		for _, is := range t.validate(true) {
			issues = append(issues, Issue{Message: is.Message, Path: []any{"agent", "tags", i}})
		}
	}
	if len(in.MCPServers) > maxListItems {
		issues = append(issues, Issue{Message: tooMany(maxListItems), Path: []any{"agent", "mcpServers"}})
	}
	for i, m := range in.MCPServers {
		if len(m.Name) > maxName || len(m.URL) > maxURL {
			issues = append(issues, Issue{Message: "Name at most 200 characters, URL at most 2000", Path: []any{"agent", "mcpServers", i}})
		}
	}
	return issues
}

// unresolvedNouns name the kinds of reference in messages.
var unresolvedNouns = map[string]string{"model": "Model", "mcpServer": "MCP server", "agent": "Agent", "knowledgeBase": "Knowledge base"}

// importToolConfig maps callableAgentNames / accessibleKnowledgeBaseNames back to ids.
func (s *Store) importToolConfig(ctx context.Context, tx bun.Tx, orgID int64, tool string, def json.RawMessage, unresolved *[]Unresolved) (json.RawMessage, error) {
	var obj map[string]json.RawMessage
	if json.Unmarshal(def, &obj) != nil || obj["config"] == nil {
		return def, nil
	}
	var config map[string]json.RawMessage
	if json.Unmarshal(obj["config"], &config) != nil {
		return def, nil
	}
	for _, r := range agentspec.ConfigRefs {
		idKey, nameKey := r.IDKey, r.NameKey
		raw, ok := config[nameKey]
		if !ok {
			continue
		}
		var names []string
		if json.Unmarshal(raw, &names) != nil {
			continue
		}
		ids := []int64{}
		for i, name := range names {
			var found []int64
			q := "SELECT id FROM " + r.Table + " WHERE org_id = ? AND name = ?"
			if r.Live {
				q += " AND deleted_at IS NULL"
			}
			if err := tx.NewRaw(q+" ORDER BY id LIMIT 1", orgID, name).Scan(ctx, &found); err != nil {
				return nil, err
			}
			if len(found) == 0 {
				*unresolved = append(*unresolved, Unresolved{Kind: r.Kind, Name: name, Path: []any{"tools", tool, "config", nameKey, i}})
				continue
			}
			ids = append(ids, found[0])
		}
		delete(config, nameKey)
		config[idKey], _ = json.Marshal(ids)
	}
	obj["config"], _ = json.Marshal(config)
	b, _ := json.Marshal(obj)
	return b, nil
}
