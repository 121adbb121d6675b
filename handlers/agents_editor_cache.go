package handlers

import (
	"sync"

	"github.com/gofiber/fiber/v2"

	"agentconsole/db"
	"agentconsole/db/agentspec"
	"agentconsole/views/pages/agents"
)

// The editor of an agent is drawn again only when something it shows changed. What
// its content (agents.EditorBody: everything but the page shell and the CSRF token)
// is drawn from is, exactly:
//   - the agent's row as PostgreSQL sent it (db.RowPrint of AgentForEditor's row:
//     fields, tags, live version, deletion);
//   - the side read's row (db.EditorSide: review policy, open change requests,
//     callers, the clone's name, the pickers' names), read with the arguments the
//     agent gives it;
//   - the catalog, model registry and organisation's tags, shared slices from the
//     store's caches that never change in place (editorLists: by identity);
//   - the organisation and the viewer's role (what they may do), the key;
//   - the process's configuration (the email domain) and a request without a query
//     string (a query can name a change request or post config values back).
//
// A view reads the agent and the side as before, compares each row with the kept
// one's print without decoding it, and writes the kept drawing inside a shell drawn
// for this request (title, user, flashes, token). An external agent's editor shows its
// card, read on its own, so it is always drawn.

// maxEditorPageBytes bounds what editorPages keeps (about 60 editors of 65 KB).
const maxEditorPageBytes = 4 << 20

// editorPageKey is whose drawing it is: the drawing holds nothing of the viewer but
// what their role lets them do.
type editorPageKey struct {
	org, agent int64
	role       db.Role
}

// editorPage is a kept drawing and what it was drawn from.
type editorPage struct {
	agent, side db.RowPrint
	sideQuery   db.EditorSideQuery
	lists       editorLists
	title       string // the agent's name, for the shell
	body        agents.EditorBody
	size        int
}

// editorPageCache keeps drawings by key, at most maxEditorPageBytes of them.
type editorPageCache struct {
	mu    sync.Mutex
	pages map[editorPageKey]*editorPage
	bytes int
}

func (pc *editorPageCache) get(k editorPageKey) *editorPage {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	return pc.pages[k]
}

// put keeps p under k, dropping others (any) to stay within the bound, and every
// drawing of an older catalog or model registry than p's: none can be shown again.
func (pc *editorPageCache) put(k editorPageKey, p *editorPage) {
	p.size = p.body.Size() + len(p.agent) + len(p.side) + len(p.title) + 512
	for _, ids := range p.sideQuery.Chosen {
		p.size += 8 * len(ids)
	}
	if p.size > maxEditorPageBytes/8 {
		return
	}
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if pc.pages == nil {
		pc.pages = map[editorPageKey]*editorPage{}
	}
	if old, ok := pc.pages[k]; ok {
		pc.bytes -= old.size
		delete(pc.pages, k)
	}
	for ok, old := range pc.pages {
		if pc.bytes+p.size > maxEditorPageBytes || !sameSlice(old.lists.catalog, p.lists.catalog) || !sameSlice(old.lists.models, p.lists.models) {
			pc.bytes -= old.size
			delete(pc.pages, ok)
		}
	}
	pc.pages[k] = p
	pc.bytes += p.size
}

// editorLists are the shared lists an editor is drawn with, from the store's caches
// (read only: a change is a new slice).
type editorLists struct {
	catalog []db.EditorTool
	models  []db.Model
	tags    []db.TagRef
}

func (h *Agents) editorLists(c *fiber.Ctx) (l editorLists, err error) {
	ctx, a := c.UserContext(), ActorOf(c)
	if l.catalog, err = h.Store.EditorCatalog(ctx, a); err != nil {
		return l, err
	}
	if l.models, err = h.Store.ModelsSeen(ctx, a); err != nil {
		return l, err
	}
	l.tags, err = h.Store.TagsSeen(ctx, a)
	return l, err
}

func (l editorLists) same(o editorLists) bool {
	return sameSlice(l.catalog, o.catalog) && sameSlice(l.models, o.models) && sameSlice(l.tags, o.tags)
}

// sameSlice reports whether a and b are one slice (a kept page holds its lists, so
// their arrays are not reused while it is kept).
func sameSlice[T any](a, b []T) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

// showAgent is Show for a request without a query string: the kept drawing when
// nothing it was drawn from changed, else drawn and kept.
func (h *Agents) showAgent(c *fiber.Ctx, id int64) error {
	ctx, a := c.UserContext(), ActorOf(c)
	key := editorPageKey{org: a.OrgID, agent: id, role: a.Role}
	kept := h.editorPages.get(key)
	var known db.RowPrint
	if kept != nil {
		known = kept.agent
	}
	ag, agentPrint, err := h.Store.AgentForEditorUnless(ctx, a.OrgID, id, known)
	if err != nil {
		return missing(err, "Agent %d", id)
	}
	if ag == nil { // the kept page's agent
		holds, err := h.stillHolds(c, kept)
		if err != nil {
			return err
		}
		if holds {
			return Render(c, fiber.StatusOK, agents.EditorPageFrom(h.Page(c, kept.title, "agents"), kept.body))
		}
		if ag, agentPrint, err = h.Store.AgentForEditorUnless(ctx, a.OrgID, id, nil); err != nil {
			return missing(err, "Agent %d", id)
		}
	}
	e, side, lists, err := h.editorDrawn(c, ag)
	if err != nil {
		return err
	}
	reviewState(ag, &e, side)
	if ag.AgentType == agentspec.TypeExternal {
		return Render(c, fiber.StatusOK, agents.EditorPage(h.Page(c, ag.Name, "agents"), e))
	}
	body, err := agents.EditorBodyOf(e)
	if err != nil {
		return err
	}
	h.editorPages.put(key, &editorPage{agent: agentPrint, side: side.Print, sideQuery: editorSideQuery(&e, ag, ag.Tools, ag.MCPServers),
		lists: lists, title: ag.Name, body: body})
	return Render(c, fiber.StatusOK, agents.EditorPageFrom(h.Page(c, ag.Name, "agents"), body))
}

// stillHolds reports whether what kept was drawn from besides the agent is unchanged:
// the shared lists, then the side read (one round trip, its row compared undecoded).
func (h *Agents) stillHolds(c *fiber.Ctx, kept *editorPage) (bool, error) {
	lists, err := h.editorLists(c)
	if err != nil || !lists.same(kept.lists) {
		return false, err
	}
	side, err := h.Store.EditorSideUnless(c.UserContext(), ActorOf(c).OrgID, kept.sideQuery, kept.side)
	return side == nil, err
}
