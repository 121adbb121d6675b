package handlers

import (
	"net/url"

	"github.com/gofiber/fiber/v2"

	"agentconsole/db"
	"agentconsole/db/agentspec"
	"agentconsole/views/layout"
	"agentconsole/views/pages/agents"
	"agentconsole/views/pages/home"
	"agentconsole/views/route"
)

// Home serves the signed-in landing page.
type Home struct{ Base }

// overviewActivity is how many audit entries the overview shows.
const overviewActivity = 10

// Show renders the overview: the organisation's agents by stage and type, what needs
// attention (outdated tools, cards, drafts), recent activity for admins, and the
// user's access. Every number links to the list filtered to exactly those agents.
func (h *Home) Show(c *fiber.Ctx) error {
	a := ActorOf(c)
	ctx := c.UserContext()
	members, err := h.Store.Members(ctx, a.OrgID)
	if err != nil {
		return err
	}
	ov, err := h.Store.Overview(ctx, a.OrgID)
	if err != nil {
		return err
	}
	o := home.Overview{Members: len(members), IsAdmin: a.Can(db.PermAdmin), Total: home.Stat{N: ov.Total, URL: listURL()},
		Outdated:            home.Stat{N: ov.Outdated, URL: listURL("outdated", "true")},
		CardFailed:          home.Stat{N: ov.CardFailed, URL: listURL("type", agentspec.TypeExternal, "cardStatus", db.CardFailed)},
		CardOverdue:         home.Stat{N: ov.CardOverdue, URL: listURL("type", agentspec.TypeExternal, "cardStatus", db.CardOverdue)},
		ChangedSinceRelease: home.Stat{N: ov.ChangedSinceRelease, URL: listURL("changedSinceRelease", "true")}}
	if o.Awaiting, err = h.awaitingYou(c); err != nil {
		return err
	}
	for _, s := range agentspec.Stages {
		o.Stages = append(o.Stages, home.Stat{Label: s, N: ov.ByStage[s], URL: listURL("stage", s)})
	}
	for _, t := range agentspec.AgentTypes {
		o.Types = append(o.Types, home.Stat{Label: t, N: ov.ByType[t], URL: listURL("type", t)})
	}
	for _, card := range ov.Cards {
		o.Cards = append(o.Cards, home.Card{Name: card.Name, Status: card.Status, Error: card.LastError, Due: stampTime(card.DueAt),
			URL: route.Path(route.AgentCard, card.ID)})
	}
	if o.IsAdmin {
		entries, err := h.Store.AuditEntries(ctx, a.OrgID, db.AuditFilter{Limit: overviewActivity})
		if err != nil {
			return err
		}
		for _, e := range entries {
			o.Activity = append(o.Activity, home.Activity{When: stampTime(e.CreatedAt), Actor: e.Actor, Action: e.Action, Summary: e.Summary})
		}
	}
	for _, p := range a.Role.Permissions() {
		o.Permissions = append(o.Permissions, string(p))
	}
	return Render(c, fiber.StatusOK, home.Home(h.Page(c, "Overview", "home"), o))
}

// awaitingYou is the overview's "awaiting you": each number links to the Reviews
// page's list behind it.
func (h *Home) awaitingYou(c *fiber.Ctx) (home.Awaiting, error) {
	a := ActorOf(c)
	canApprove, err := h.Store.CanApprove(c.UserContext(), a)
	if err != nil {
		return home.Awaiting{}, err
	}
	n, err := h.Store.AwaitingYou(c.UserContext(), a)
	if err != nil {
		return home.Awaiting{}, err
	}
	return home.Awaiting{CanApprove: canApprove, Review: home.Stat{N: n.Review, URL: route.Reviews + "#h-awaiting"},
		Mine: home.Stat{N: n.Mine, URL: route.Reviews + "#h-mine"}}, nil
}

// listURL is the agents list filtered by the given query pairs.
func listURL(pairs ...string) string {
	q := url.Values{}
	for i := 0; i+1 < len(pairs); i += 2 {
		q.Set(pairs[i], pairs[i+1])
	}
	if len(q) == 0 {
		return route.Agents
	}
	return route.Agents + "?" + q.Encode()
}

// overviewFilterNote says, on the agents list, which of the overview's filters is in
// force: the list's own controls do not show them.
// overviewParams are the overview's filters in force as query parameters (the names
// filterFromQuery reads), for the list's filter form to keep.
func overviewParams(f db.AgentFilter) []agents.Param {
	var out []agents.Param
	if f.Outdated {
		out = append(out, agents.Param{Name: "outdated", Value: "true"})
	}
	if f.CardStatus != "" {
		out = append(out, agents.Param{Name: "cardStatus", Value: f.CardStatus})
	}
	if f.ChangedSinceRelease {
		out = append(out, agents.Param{Name: "changedSinceRelease", Value: "true"})
	}
	return out
}

func overviewFilterNote(f db.AgentFilter) []layout.Flash {
	var notes []string
	if f.Outdated {
		notes = append(notes, "holding an outdated tool schema")
	}
	switch {
	case f.CardStatus != "" && f.Type == agentspec.TypeNative:
		// Only external agents have a card: a banner about failed refreshes over a list
		// of native agents would read as if natives could fail. It says what it means.
	case f.CardStatus == db.CardFailed:
		notes = append(notes, "whose last card refresh failed")
	case f.CardStatus == db.CardOverdue:
		notes = append(notes, "whose card refresh is overdue")
	}
	if f.ChangedSinceRelease {
		notes = append(notes, "that are drafts changed since their last release")
	}
	out := make([]layout.Flash, len(notes))
	for i, n := range notes {
		out[i] = layout.Flash{Kind: "info", Message: "Showing only agents " + n + " (a filter from the overview; Clear shows every agent)."}
	}
	if f.CardStatus != "" && f.Type == agentspec.TypeNative {
		out = append(out, layout.Flash{Kind: "info", Message: "The overview's card filter is on, and only external agents have an agent card: " +
			"no native agent can match it. Choose Type “Any” or “external”, or Clear to show every agent."})
	}
	return out
}
