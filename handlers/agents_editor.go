package handlers

import (
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/a2aproject/a2a-go/v2/a2a"
	"github.com/gofiber/fiber/v2"

	"agentconsole/db"
	"agentconsole/db/agentspec"
	"agentconsole/views/pages/agents"
)

// The editor's state around the form: the stored stage for the sticky header, the
// name a clone is offered, an external agent's card.

// toolRowCache keeps the drawn rows of tools an agent does not have (agents.ToolRowHTML)
// for one catalog: the slice db.EditorCatalog shares until the catalog's change counter
// moves, so a new slice (its first element's address) is a new catalog and starts
// afresh. Such a row holds nothing of the agent, the user or the request.
type toolRowCache struct {
	cur atomic.Pointer[toolRowsOf]
}

// toolRowsOf are the rows drawn for one catalog, by tool name.
type toolRowsOf struct {
	catalog *db.EditorTool // keeps that catalog alive, so its address is not reused
	rows    sync.Map       // tool name → []byte
}

// row answers the tool's row for cat, drawing it with draw the first time.
func (rc *toolRowCache) row(cat []db.EditorTool, name string, draw func() ([]byte, error)) ([]byte, error) {
	gen := rc.cur.Load()
	if gen == nil || gen.catalog != &cat[0] {
		gen = &toolRowsOf{catalog: &cat[0]}
		rc.cur.Store(gen)
	}
	if b, ok := gen.rows.Load(name); ok {
		return b.([]byte), nil
	}
	b, err := draw()
	if err == nil {
		gen.rows.Store(name, b)
	}
	return b, err
}

// modelOptionCache keeps the model select's options ("Name (provider:model)") for the
// registry slice db.ModelsSeen shares until the models' change counter moves, as
// toolRowCache does for the catalog. The options are shared: read only.
type modelOptionCache struct {
	cur atomic.Pointer[modelOptionsOf]
}

type modelOptionsOf struct {
	models []db.Model // the registry they were made from (identity: its first element)
	opts   []agents.Option
}

// of answers the options of models.
func (mc *modelOptionCache) of(models []db.Model) []agents.Option {
	if len(models) == 0 {
		return nil
	}
	if cur := mc.cur.Load(); cur != nil && &cur.models[0] == &models[0] {
		return cur.opts
	}
	opts := make([]agents.Option, len(models))
	for i, m := range models {
		opts[i] = agents.Option{Value: m.ID, Label: m.DisplayName + " (" + m.ID + ")"}
	}
	mc.cur.Store(&modelOptionsOf{models: models, opts: opts})
	return opts
}

// editorSide reads what the editor shows beside ag in one statement (db.EditorSide):
// the pickers' chosen names are those of tools and servers (the form's, on a refused
// save); the clone name only where Clone is offered.
func (h *Agents) editorSide(c *fiber.Ctx, e *agents.Editor, ag *db.Agent, tools map[string]json.RawMessage, servers []int64) (*db.EditorSide, error) {
	return h.Store.EditorSide(c.UserContext(), ActorOf(c).OrgID, editorSideQuery(e, ag, tools, servers))
}

// editorSideQuery is what editorSide asks for.
func editorSideQuery(e *agents.Editor, ag *db.Agent, tools map[string]json.RawMessage, servers []int64) db.EditorSideQuery {
	q := db.EditorSideQuery{AgentID: ag.ID, Chosen: map[string][]int64{db.MCPServerRef.Table: servers}}
	if ag.ID != 0 && e.CanCreate && ag.DeletedAt == nil {
		q.CopyBase = "Copy of " + ag.Name
	}
	for _, r := range agentspec.ConfigRefs {
		q.Chosen[r.Table] = append(q.Chosen[r.Table], db.ConfigRefIDs(tools[r.Tool], r.IDKey)...)
	}
	return q
}

// editorState fills what the editor shows of the stored agent beside the form.
func (h *Agents) editorState(c *fiber.Ctx, e *agents.Editor, ag *db.Agent, side *db.EditorSide) error {
	e.Stage = ag.Stage
	if ag.ID == 0 {
		return nil
	}
	e.CloneName = side.CopyName
	if ag.AgentType != agentspec.TypeExternal {
		return nil
	}
	st, err := h.Store.CardState(c.UserContext(), ActorOf(c).OrgID, ag.ID)
	if errors.Is(err, db.ErrNotFound) {
		e.Card = &agents.CardSummary{}
		return nil
	}
	if err != nil {
		return err
	}
	e.Card = cardSummary(st)
	return nil
}

// cardSummary is the editor's view of a cached card: status and skills with roles.
func cardSummary(st *db.CardState) *agents.CardSummary {
	s := &agents.CardSummary{LastError: st.LastError, Failures: st.Failures}
	if st.FetchedAt != nil {
		s.Fetched, s.FetchedAt = true, stampTime(*st.FetchedAt)
	}
	var card a2a.AgentCard
	if len(st.Card) == 0 || json.Unmarshal(st.Card, &card) != nil {
		return s
	}
	for _, sk := range card.Skills {
		s.Skills = append(s.Skills, agents.CardSkill{ID: sk.ID, Name: sk.Name, Description: sk.Description,
			Roles: strings.Join(st.SkillRoles[sk.ID], ", ")})
	}
	return s
}

// keepNativeFields leaves an external agent's prompt, model, limits and tools as they
// are: its editor does not show them, so their absence from the form is no edit.
func keepNativeFields(p *db.AgentPatch, f agents.Form) {
	if f.AgentType != agentspec.TypeExternal {
		return
	}
	for _, name := range []string{"systemPrompt", "model", "maxToolRoundtrips", "planningMode", "tools"} {
		p.Unset(name)
	}
}

// configInputField reads an input of a tool's config form (cfg.<tool>.<key>): its
// element id and its key in configKeyErrors.
func configInputField(field string) (id, key string, ok bool) {
	parts := strings.SplitN(field, ".", 3)
	if len(parts) != 3 || parts[0] != "cfg" || parts[1] == "" || parts[2] == "" {
		return "", "", false
	}
	in := agents.ConfigInput{Tool: parts[1], Key: parts[2]}
	return in.ID(), parts[1] + "." + parts[2], true
}

// cloneRefusal says why a clone was refused, naming the field (the copy's name).
func cloneRefusal(ve *db.ValidationError) string {
	for _, is := range ve.Details {
		if len(is.Path) > 0 && is.Path[0] == "name" {
			return "name of the copy: " + is.Message
		}
	}
	if len(ve.Details) > 0 {
		return ve.Details[0].Message
	}
	return ve.Message
}
