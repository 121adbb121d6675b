package handlers

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/a2aproject/a2a-go/v2/a2a"
	"github.com/gofiber/fiber/v2"

	"agentconsole/db"
	"agentconsole/db/agentspec"
	"agentconsole/db/cards"
	"agentconsole/db/cardsvc"
	"agentconsole/views/components"
	cardspage "agentconsole/views/pages/cards"
	"agentconsole/views/route"
)

// Cards serves the console's external agents: add from a URL, the card page, refresh
// and its diff, skill roles, the rules and "refresh all".
type Cards struct {
	Base
	Fetcher cardsvc.Fetcher
	Kick    func() // wakes the scheduler after "refresh all"
}

// cards is the card refresh service over this handler's store and fetcher.
func (h *Cards) cards() cardsvc.Service { return cardsvc.Service{Store: h.Store, Fetcher: h.Fetcher} }

// stampTime is t as the console shows times: "2006-01-02 15:04:05 UTC". Written by
// hand, not with Format (which parses its layout on every call): the history page
// stamps 50 rows, the diff's pickers none.
func stampTime(t time.Time) string {
	t = t.UTC()
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return t.Format("2006-01-02 15:04:05 UTC")
	}
	hour, minute, second := t.Clock()
	b := make([]byte, 0, 23)
	b = append(b, byte('0'+year/1000), byte('0'+year/100%10), byte('0'+year/10%10), byte('0'+year%10))
	for _, f := range [...]struct {
		sep byte
		n   int
	}{{'-', int(month)}, {'-', day}, {' ', hour}, {':', minute}, {':', second}} {
		b = append(b, f.sep, byte('0'+f.n/10), byte('0'+f.n%10))
	}
	return string(append(b, " UTC"...))
}

// cardView turns a stored card into what the page shows.
func cardView(raw json.RawMessage, roles map[string][]string) *cardspage.Card {
	if len(raw) == 0 {
		return nil
	}
	var c a2a.AgentCard
	if json.Unmarshal(raw, &c) != nil {
		return nil
	}
	v := &cardspage.Card{Name: c.Name, Description: c.Description, Version: c.Version, DocumentationURL: c.DocumentationURL, IconURL: c.IconURL,
		InputModes: c.DefaultInputModes, OutputModes: c.DefaultOutputModes}
	if c.Provider != nil {
		v.Provider, v.ProviderURL = c.Provider.Org, c.Provider.URL
	}
	for _, i := range c.SupportedInterfaces {
		if i != nil {
			v.Interfaces = append(v.Interfaces, cardspage.Interface{URL: i.URL, Binding: string(i.ProtocolBinding), Version: string(i.ProtocolVersion)})
		}
	}
	var caps map[string]any
	b, _ := json.Marshal(c.Capabilities)
	json.Unmarshal(b, &caps)
	for k, val := range caps {
		if val == true {
			v.Capabilities = append(v.Capabilities, k)
		}
	}
	sort.Strings(v.Capabilities)
	for name := range c.SecuritySchemes {
		v.SecuritySchemes = append(v.SecuritySchemes, string(name))
	}
	sort.Strings(v.SecuritySchemes)
	for _, s := range c.Skills {
		v.Skills = append(v.Skills, cardspage.Skill{ID: s.ID, Name: s.Name, Description: s.Description, Tags: s.Tags, Examples: s.Examples,
			InputModes: s.InputModes, OutputModes: s.OutputModes, Roles: strings.Join(roles[s.ID], ", ")})
	}
	return v
}

// NewExternal renders the "add external agent" form.
func (h *Cards) NewExternal(c *fiber.Ctx) error {
	if err := require(c, db.PermAgentsCreate); err != nil {
		return err
	}
	return Render(c, fiber.StatusOK, cardspage.NewExternalPage(h.Page(c, "Add external agent", "agents"), cardspage.NewForm{}))
}

// PreviewExternal fetches the card at the URL and shows it with a create form.
func (h *Cards) PreviewExternal(c *fiber.Ctx) error {
	if err := require(c, db.PermAgentsCreate); err != nil {
		return err
	}
	f := cardspage.NewForm{URL: strings.TrimSpace(c.FormValue("url"))}
	got, err := cardsvc.FetchFirst(c.UserContext(), h.Fetcher, cardURLsFor(f.URL), "")
	if err != nil {
		f.Error = "Could not fetch the agent card: " + err.Error()
		return Render(c, fiber.StatusUnprocessableEntity, cardspage.NewExternalPage(h.Page(c, "Add external agent", "agents"), f))
	}
	f.Preview = cardView(cards.Normalize(got.Card), nil)
	f.CardURL, f.SpecVersion, f.Name, f.Description = got.URL, cards.SpecVersion(got.Body), got.Card.Name, got.Card.Description
	return Render(c, fiber.StatusOK, cardspage.NewExternalPage(h.Page(c, "Add external agent", "agents"), f))
}

// CreateExternal creates the external agent and fetches its card at once.
func (h *Cards) CreateExternal(c *fiber.Ctx) error {
	if err := require(c, db.PermAgentsCreate); err != nil {
		return err
	}
	interval, _ := strconv.Atoi(c.FormValue("refreshIntervalMinutes"))
	if interval < 1 {
		interval = agentspec.DefaultRefreshIntervalMinutes
	}
	p := &db.AgentPatch{Name: db.Some(c.FormValue("name")), Description: optString(c.FormValue("description")), AgentType: db.Some("external"),
		ExternalConfig: db.Some(db.ExternalConfig{AgentCardURL: c.FormValue("url"), RefreshIntervalMinutes: interval})}
	a, err := h.Store.SaveAgent(c.UserContext(), ActorOf(c), p, db.SourceCreate)
	if msg := validationMessage(err); msg != "" {
		return Render(c, fiber.StatusUnprocessableEntity, cardspage.NewExternalPage(h.Page(c, "Add external agent", "agents"),
			cardspage.NewForm{URL: c.FormValue("url"), Error: msg}))
	}
	if err != nil {
		return err
	}
	if _, err := h.cards().Refresh(c.UserContext(), ActorOf(c), a.OrgID, a.ID); err != nil {
		return h.redirect(c, route.Path(route.AgentCard, a.ID), "error", "Created, but the first card fetch failed: "+err.Error())
	}
	return h.redirect(c, route.Path(route.AgentCard, a.ID), "success", "Created “"+a.Name+"” from its agent card.")
}

// Show renders the cached card, its skills with roles, and the refresh history.
func (h *Cards) Show(c *fiber.Ctx) error {
	id, a, err := h.pathAgent(c)
	if err != nil {
		return err
	}
	ctx, org := c.UserContext(), ActorOf(c).OrgID
	st, err := h.Store.CardState(ctx, org, id)
	if err != nil {
		return err
	}
	hist, err := h.Store.CardRefreshes(ctx, org, id, 50)
	if err != nil {
		return err
	}
	page := cardspage.Page{AgentID: id, AgentName: a.Name, Card: cardView(st.Card, st.SkillRoles), SpecVersion: st.SpecVersion, SourceURL: st.SourceURL,
		LastError: st.LastError, NextRefresh: stampTime(st.NextRefreshAt), CanRefresh: ActorOf(c).Can(db.PermAgentsUpdate) && a.DeletedAt == nil}
	if st.FetchedAt != nil {
		page.FetchedAt = stampTime(*st.FetchedAt)
	}
	if page.PendingRequest, err = h.Store.PendingCardRequest(ctx, org, id); err != nil {
		return err
	}
	for _, r := range hist {
		row := cardspage.HistoryRow{ID: r.ID, When: stampTime(r.CreatedAt), By: r.By, Outcome: r.Outcome, Error: r.Error}
		var rep cards.Report
		if json.Unmarshal(r.Report, &rep) == nil {
			row.Summary = fmt.Sprintf("+%d −%d ~%d skills", len(rep.SkillsAdded), len(rep.SkillsRemoved), len(rep.SkillsChanged))
		}
		page.History = append(page.History, row)
	}
	return Render(c, fiber.StatusOK, cardspage.CardPage(h.Page(c, "Card of "+a.Name, "agents"), page))
}

// Refresh re-fetches the card and opens the diff of this refresh.
func (h *Cards) Refresh(c *fiber.Ctx) error {
	id, err := permittedID(c, db.PermAgentsUpdate)
	if err != nil {
		return err
	}
	back := route.Path(route.AgentCard, id)
	out, err := h.cards().Refresh(c.UserContext(), ActorOf(c), ActorOf(c).OrgID, id)
	var re *db.CardRefreshError
	if errors.As(err, &re) {
		return h.redirect(c, back, "error", re.Error()+". The cached card is unchanged.")
	}
	if errors.Is(err, cardsvc.ErrBusy) {
		return h.redirect(c, back, "error", MsgFetchesBusy+". The cached card is unchanged.")
	}
	if msg := validationMessage(err); msg != "" {
		return h.redirect(c, back, "error", msg)
	}
	if err != nil {
		return err
	}
	if out.Report.Pending && out.Report.ChangeRequestID != nil {
		return h.redirect(c, route.Path(route.Review, *out.Report.ChangeRequestID), "success", fmt.Sprintf(
			"The card changed, and this agent is protected by the review policy: change request #%d holds the new card; the current one stays in force until it is merged.", *out.Report.ChangeRequestID))
	}
	return h.redirect(c, route.Path(route.AgentCardRefreshDiff, id, out.RefreshID), "success", "Card refreshed.")
}

// RefreshDiff shows one refresh: skills added / removed / changed, other fields, roles.
func (h *Cards) RefreshDiff(c *fiber.Ctx) error {
	rid, err := paramID(c, "refreshId")
	if err != nil {
		return missing(err, "Card refresh %q", c.Params("refreshId"))
	}
	id, a, err := h.pathAgent(c)
	if err != nil {
		return err
	}
	ctx, org := c.UserContext(), ActorOf(c).OrgID
	r, err := h.Store.CardRefreshByID(ctx, org, rid)
	if err == nil && r.AgentID != id {
		err = db.ErrNotFound
	}
	if err != nil {
		return missing(err, "Card refresh %d of agent %d", rid, id)
	}
	d := cardspage.Diff{AgentID: id, AgentName: a.Name, RefreshID: rid, When: stampTime(r.CreatedAt), By: r.By, Outcome: r.Outcome, Error: r.Error, URL: r.URL, SpecVersion: r.SpecVersion}
	var rep cards.Report
	json.Unmarshal(r.Report, &rep)
	d.Added, d.Removed, d.Changed, d.Roles = rep.SkillsAdded, rep.SkillsRemoved, rep.SkillsChanged, rep.RolesAutoApplied
	for _, s := range cards.SkillDiffs(r.OldCard, r.NewCard) {
		sd := cardspage.SkillDiff{ID: s.ID, Change: s.Change}
		if s.After != nil {
			sd.Name, sd.Description = s.After.Name, s.After.Description
		} else if s.Before != nil {
			sd.Name, sd.Description = s.Before.Name, s.Before.Description
		}
		sd.Changes = pathChanges(s.Changes)
		d.Skills = append(d.Skills, sd)
	}
	if len(r.OldCard) > 0 && string(r.OldCard) != "null" {
		d.Other = pathChanges(cards.OtherChanges(r.OldCard, r.NewCard))
	}
	return Render(c, fiber.StatusOK, cardspage.DiffPage(h.Page(c, "Card refresh", "agents"), d))
}

// SetSkillRoles saves a skill's roles from the card page.
func (h *Cards) SetSkillRoles(c *fiber.Ctx) error {
	id, err := permittedID(c, db.PermAgentsUpdate)
	if err != nil {
		return err
	}
	skill, _ := url.PathUnescape(c.Params("skillId"))
	err = h.Store.SetSkillRoles(c.UserContext(), ActorOf(c), id, skill, []string{c.FormValue("roles")})
	if msg, ok := reviewRefusal(err); ok {
		return h.redirect(c, route.Path(route.AgentCard, id), "error", msg)
	}
	if err != nil {
		return missing(err, "Skill %q of agent %d", skill, id)
	}
	return h.redirect(c, route.Path(route.AgentCard, id), "success", "Roles of “"+skill+"” saved.")
}

// Rules renders the skill-role rules and "refresh all".
func (h *Cards) Rules(c *fiber.Ctx) error {
	return h.renderRules(c, fiber.StatusOK, cardspage.Rules{})
}

func (h *Cards) renderRules(c *fiber.Ctx, status int, r cardspage.Rules) error {
	rules, err := h.Store.SkillRoleRules(c.UserContext(), ActorOf(c).OrgID)
	if err != nil {
		return err
	}
	for _, rule := range rules {
		r.Rules = append(r.Rules, cardspage.Rule{ID: rule.ID, Match: rule.Match, Roles: strings.Join(rule.Roles, ", ")})
	}
	if _, r.External, err = h.Store.CardRefreshProgress(c.UserContext(), ActorOf(c).OrgID, time.Now()); err != nil {
		return err
	}
	return Render(c, status, cardspage.RulesPage(h.Page(c, "Skill roles", "admin"), r))
}

// SaveRule creates or replaces a rule.
func (h *Cards) SaveRule(c *fiber.Ctx) error {
	r, err := h.Store.SaveSkillRoleRule(c.UserContext(), ActorOf(c), c.FormValue("match"), []string{c.FormValue("roles")})
	if msg := validationMessage(err); msg != "" {
		return h.renderRules(c, fiber.StatusUnprocessableEntity, cardspage.Rules{Match: c.FormValue("match"), Roles: c.FormValue("roles"), Error: msg})
	}
	if err != nil {
		return err
	}
	// Saving a tag that has a rule replaces its roles: say so, with what they were.
	if r.Replaced != nil {
		return h.redirect(c, route.AdminSkillRoles, "success", "Updated the rule for "+r.Match+": "+strings.Join(r.Roles, ", ")+" (was "+strings.Join(r.Replaced, ", ")+").")
	}
	return h.redirect(c, route.AdminSkillRoles, "success", "Added a rule for "+r.Match+": "+strings.Join(r.Roles, ", ")+".")
}

// DeleteRule removes a rule.
func (h *Cards) DeleteRule(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := h.Store.DeleteSkillRoleRule(c.UserContext(), ActorOf(c), id); err != nil {
		return err
	}
	return h.redirect(c, route.AdminSkillRoles, "success", "Rule deleted.")
}

// RefreshAll makes every card due now, wakes the scheduler, and answers the progress.
func (h *Cards) RefreshAll(c *fiber.Ctx) error {
	n, since, err := h.Store.RefreshAllCards(c.UserContext(), ActorOf(c))
	if err != nil {
		return err
	}
	if h.Kick != nil {
		h.Kick()
	}
	stamp := strconv.FormatInt(since.UnixMicro(), 10)
	if !IsHTMX(c) {
		return h.redirect(c, route.AdminSkillRoles, "success", components.Count(n, "card", "cards")+" will be refreshed now.")
	}
	return Render(c, fiber.StatusOK, cardspage.Progress(0, n, stamp))
}

// Progress is polled by "refresh all": how many cards were refreshed since it started.
func (h *Cards) Progress(c *fiber.Ctx) error {
	micros, err := queryInt(c, "since", 0, 0, math.MaxInt64)
	if err != nil {
		return err
	}
	done, total, err := h.Store.CardRefreshProgress(c.UserContext(), ActorOf(c).OrgID, time.UnixMicro(micros))
	if err != nil {
		return err
	}
	return Render(c, fiber.StatusOK, cardspage.Progress(done, total, c.Query("since")))
}
