package handlers

import (
	"fmt"
	"math"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"agentconsole/db"
	"agentconsole/db/versiondiff"
)

// VersionsAPI serves an agent's history: list, read, diff, restore.
type VersionsAPI struct{ Base }

type versionJSON struct {
	ID        int64    `json:"id"`
	AgentID   int64    `json:"agentId"`
	Number    int      `json:"number"`
	Source    string   `json:"source"`
	Author    string   `json:"author"`
	Summary   string   `json:"summary"`
	Message   *string  `json:"message"`
	CreatedAt seedTime `json:"createdAt"`
	Snapshot  any      `json:"snapshot,omitempty"`
}

func toVersionJSON(v *db.Version) versionJSON {
	out := versionJSON{ID: v.ID, AgentID: v.AgentID, Number: v.Number, Source: v.Source, Author: v.Author, Summary: v.Summary, Message: v.Message, CreatedAt: seedTime(v.CreatedAt)}
	if len(v.Snapshot) > 0 {
		out.Snapshot = v.Snapshot
	}
	return out
}

// defaultHistoryLimit is how many versions a page of history shows unless ?limit= says.
const defaultHistoryLimit = 50

// versionFilter reads ?source=&author=&before=&limit=.
func versionFilter(c *fiber.Ctx) (db.VersionFilter, error) {
	f := db.VersionFilter{Source: c.Query("source"), Author: c.Query("author")}
	for _, name := range []string{"source", "author"} {
		if len(c.Query(name)) > db.MaxFilterText {
			return f, &db.ValidationError{Message: "Validation Error", Details: []db.Issue{{Message: fmt.Sprintf("String must contain at most %d character(s)", db.MaxFilterText), Path: []any{name}}}}
		}
	}
	limit, err := queryInt(c, "limit", defaultHistoryLimit, 1, 200)
	if err != nil {
		return f, err
	}
	before, err := queryInt(c, "before", 0, 1, math.MaxInt32)
	f.Limit, f.BeforeNumber = int(limit), int(before)
	return f, err
}

// List is GET /api/agents/versions?agentId=: newest first, with summaries.
func (h *VersionsAPI) List(c *fiber.Ctx) error {
	agentID, err := strconv.ParseInt(c.Query("agentId"), 10, 64)
	if err != nil || agentID < 1 {
		return validationError(c, "Validation Error", []db.Issue{{Message: "Required", Path: []any{"agentId"}}})
	}
	if _, err := h.Store.Agent(c.UserContext(), ActorOf(c).OrgID, agentID); err != nil {
		return err
	}
	f, err := versionFilter(c)
	if err != nil {
		return err
	}
	vs, err := h.Store.Versions(c.UserContext(), ActorOf(c).OrgID, agentID, f)
	if err != nil {
		return err
	}
	out := make([]versionJSON, len(vs))
	for i := range vs {
		out[i] = toVersionJSON(&vs[i])
	}
	return c.JSON(fiber.Map{"versions": out})
}

// Get is GET /api/agents/versions/{versionId}: the whole snapshot.
func (h *VersionsAPI) Get(c *fiber.Ctx) error {
	id, err := paramID(c, "versionId")
	if err != nil {
		return err
	}
	v, err := h.Store.Version(c.UserContext(), ActorOf(c).OrgID, id)
	if err != nil {
		return err
	}
	return c.JSON(toVersionJSON(v))
}

// diffOptions reads ?ignoreWhitespace=true|false.
func diffOptions(c *fiber.Ctx) (versiondiff.Options, error) {
	ws, err := queryEnum(c, "ignoreWhitespace", []string{"true", "false"})
	return versiondiff.Options{IgnoreWhitespace: ws == "true"}, err
}

// diffQuery is what a diff is asked: ?from=, ?to= (0: not given) and its options.
type diffQuery struct {
	fromID, toID int64
	opt          versiondiff.Options
}

func diffQueryOf(c *fiber.Ctx) (q diffQuery, err error) {
	if q.opt, err = diffOptions(c); err != nil {
		return q, err
	}
	if q.toID, err = queryInt(c, "to", 0, 1, math.MaxInt64); err != nil {
		return q, err
	}
	q.fromID, err = queryInt(c, "from", 0, 1, math.MaxInt64)
	return q, err
}

// diffOf loads two versions and compares them (from=0: the version before to; to=0:
// the live version), with ?ignoreWhitespace.
func diffOf(c *fiber.Ctx, store *db.Store, agentID int64) (from, to *db.Version, d *versiondiff.Diff, err error) {
	org := ActorOf(c).OrgID
	q, err := diffQueryOf(c)
	if err != nil {
		return nil, nil, nil, err
	}
	if q.toID == 0 {
		if _, q.toID, err = liveVersionOf(c, store, agentID); err != nil {
			return nil, nil, nil, err
		}
	}
	if from, to, err = store.VersionPair(c.UserContext(), org, agentID, q.fromID, q.toID); err != nil {
		return nil, nil, nil, err
	}
	d, err = comparePair(c, store, from, to, q.opt)
	return from, to, d, err
}

// diffWithHead is diffOf for the console's page: in the pair's statement, the newest
// choices versions for its pickers and the agent's head (nil when the organisation has
// no such agent). Without ?to=, or with a parameter wrong, the head is read first on
// its own, as before: it names the live version, and an agent that is not there is
// Not Found before a parameter is wrong.
func diffWithHead(c *fiber.Ctx, store *db.Store, agentID int64, choices int) (a *db.Agent, from, to *db.Version, picks []db.Version, d *versiondiff.Diff, err error) {
	ctx, org := c.UserContext(), ActorOf(c).OrgID
	q, err := diffQueryOf(c)
	if err != nil || q.toID == 0 {
		var headErr error
		a, q.toID, headErr = liveVersionOf(c, store, agentID)
		switch {
		case a == nil: // no such agent: Not Found before a parameter is wrong
			return nil, nil, nil, nil, nil, headErr
		case err != nil:
			return a, nil, nil, nil, nil, err
		case headErr != nil:
			return a, nil, nil, nil, nil, headErr
		}
		from, to, picks, err = store.VersionPairAndChoices(ctx, org, agentID, q.fromID, q.toID, choices)
	} else {
		a, from, to, picks, err = store.AgentVersionPair(ctx, org, agentID, q.fromID, q.toID, choices)
	}
	if err != nil {
		return a, nil, nil, nil, nil, err
	}
	d, err = comparePair(c, store, from, to, q.opt)
	return a, from, to, picks, d, err
}

// liveVersionOf is the agent's head and its live version's id (db.ErrNotFound when it
// has none): what a diff without ?to= compares with.
func liveVersionOf(c *fiber.Ctx, store *db.Store, agentID int64) (*db.Agent, int64, error) {
	a, err := store.AgentHead(c.UserContext(), ActorOf(c).OrgID, agentID)
	if err != nil {
		return nil, 0, err
	}
	if a.PublishedVersionID == nil {
		return a, 0, db.ErrNotFound
	}
	return a, *a.PublishedVersionID, nil
}

// comparePair compares two versions read whole, naming what they mention.
func comparePair(c *fiber.Ctx, store *db.Store, from, to *db.Version, opt versiondiff.Options) (*versiondiff.Diff, error) {
	pair, err := versiondiff.NewPair(from.Snapshot, to.Snapshot)
	if err != nil {
		return nil, err
	}
	names, err := store.PairNames(c.UserContext(), ActorOf(c).OrgID, pair)
	if err != nil {
		return nil, err
	}
	return pair.Compare(names, opt), nil
}

// Diff is GET /api/agents/{id}/diff?from=&to=&ignoreWhitespace=: a structured diff of
// two versions, each with its message.
func (h *VersionsAPI) Diff(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	from, to, d, err := diffOf(c, h.Store, id)
	if err != nil {
		return err
	}
	from.Snapshot, to.Snapshot = nil, nil
	return c.JSON(fiber.Map{"from": toVersionJSON(from), "to": toVersionJSON(to), "diff": d})
}

// Restore is POST /api/agents/{id}/versions/{versionId}/restore: a new save equal to
// that version.
func (h *VersionsAPI) Restore(c *fiber.Ctx) error {
	id, _, a, err := h.restoreVersion(c)
	if id == 0 {
		return err
	}
	if err != nil {
		return agentError(c, err)
	}
	return c.JSON(toAgentJSON(a, ActorOf(c).OrgUUID))
}
