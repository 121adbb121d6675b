package handlers

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"agentconsole/db"
	"agentconsole/db/cards"
	"agentconsole/db/cardsvc"
)

// CardsAPI serves external agents' A2A cards (Runtype's fetch and refresh, seed 004).
type CardsAPI struct {
	Base
	Fetcher cardsvc.Fetcher
}

// cards is the card refresh service over this handler's store and fetcher.
func (h *CardsAPI) cards() cardsvc.Service {
	return cardsvc.Service{Store: h.Store, Fetcher: h.Fetcher}
}

// MsgFetchesBusy answers a card fetch that did not get its turn (cardsvc.ErrBusy): 503,
// nothing recorded, the cached card unchanged.
const MsgFetchesBusy = "Too many card fetches are in progress; try again shortly"

// cardURLsFor is what to fetch for a URL typed by a person: a URL with a path is the
// card itself; a bare origin is an endpoint, so the well-known paths are tried.
func cardURLsFor(raw string) []string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return []string{raw}
	}
	if u.Path == "" || u.Path == "/" {
		return db.CardURLs(&db.ExternalConfig{EndpointURL: raw})
	}
	return []string{raw}
}

type cardPreview struct {
	URL         string          `json:"url"`
	SpecVersion string          `json:"specVersion"`
	Card        json.RawMessage `json:"card"`
}

// Preview is POST /api/agents/fetch-agent-card {"url"}: fetch, validate and normalise a
// card before an agent is created from it.
func (h *CardsAPI) Preview(c *fiber.Ctx) error {
	if err := require(c, db.PermAgentsCreate); err != nil {
		return err
	}
	var body struct {
		URL string `json:"url"`
	}
	if err := decodeJSON(c.Body(), &body); err != nil {
		return agentError(c, err)
	}
	if len(body.URL) > db.MaxURL {
		return validationError(c, "Validation Error", []db.Issue{{Message: fmt.Sprintf("String must contain at most %d character(s)", db.MaxURL), Path: []any{"url"}}})
	}
	if strings.TrimSpace(body.URL) == "" {
		return validationError(c, "Validation Error", []db.Issue{{Message: "Required", Path: []any{"url"}}})
	}
	got, err := cardsvc.FetchFirst(c.UserContext(), h.Fetcher, cardURLsFor(body.URL), "")
	if errors.Is(err, cardsvc.ErrBusy) {
		return err // 503, not the host's failure
	}
	if err != nil {
		return APIError(c, fiber.StatusBadGateway, "Could not fetch the agent card: "+err.Error())
	}
	return c.JSON(cardPreview{URL: got.URL, SpecVersion: cards.SpecVersion(got.Body), Card: cards.Normalize(got.Card)})
}

// Refresh is POST /api/agents/{id}/refresh-agent-card: seed 004's answer, the agent with
// its changeReport. A failed fetch answers 502 with the cause; the cached card stays.
func (h *CardsAPI) Refresh(c *fiber.Ctx) error {
	id, err := permittedID(c, db.PermAgentsUpdate)
	if err != nil {
		return err
	}
	out, err := h.cards().Refresh(c.UserContext(), ActorOf(c), ActorOf(c).OrgID, id)
	var re *db.CardRefreshError
	if errors.As(err, &re) {
		return APIError(c, fiber.StatusBadGateway, re.Error())
	}
	if err != nil {
		return agentError(c, err)
	}
	if out.Report.Pending && out.Report.ChangeRequestID != nil {
		// Review policy on, agent protected: the card in force is unchanged and the new
		// one waits in the change request (202, as a gated save answers).
		c.Status(fiber.StatusAccepted)
		c.Set(fiber.HeaderLocation, "/api/change-requests/"+strconv.FormatInt(*out.Report.ChangeRequestID, 10))
	}
	return c.JSON(struct {
		agentJSON
		ChangeReport *cards.Report `json:"changeReport"`
	}{toAgentJSON(out.Agent, ActorOf(c).OrgUUID), out.Report})
}

// Card is GET /api/agents/{id}/agent-card: the cached card and its refresh status.
func (h *CardsAPI) Card(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	st, err := h.Store.CardState(c.UserContext(), ActorOf(c).OrgID, id)
	if err != nil {
		return err
	}
	return c.JSON(st)
}

// History is GET /api/agents/{id}/card-refreshes: refreshes newest first.
func (h *CardsAPI) History(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if _, err := h.Store.Agent(c.UserContext(), ActorOf(c).OrgID, id); err != nil {
		return err
	}
	limit, err := queryInt(c, "limit", 50, 1, 200)
	if err != nil {
		return err
	}
	rs, err := h.Store.CardRefreshes(c.UserContext(), ActorOf(c).OrgID, id, int(limit))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"refreshes": rs})
}

// SetSkillRoles is PUT /api/agents/{id}/skills/{skillId}/roles {"roles": [...]}.
func (h *CardsAPI) SetSkillRoles(c *fiber.Ctx) error {
	id, err := permittedID(c, db.PermAgentsUpdate)
	if err != nil {
		return err
	}
	var body struct {
		Roles []string `json:"roles"`
	}
	if err := decodeJSON(c.Body(), &body); err != nil {
		return agentError(c, err)
	}
	skill, _ := url.PathUnescape(c.Params("skillId"))
	if err := h.Store.SetSkillRoles(c.UserContext(), ActorOf(c), id, skill, body.Roles); err != nil {
		return agentError(c, err)
	}
	st, err := h.Store.CardState(c.UserContext(), ActorOf(c).OrgID, id)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"skillRoles": st.SkillRoles})
}

// Rules is GET /api/skill-role-rules.
func (h *CardsAPI) Rules(c *fiber.Ctx) error {
	rules, err := h.Store.SkillRoleRules(c.UserContext(), ActorOf(c).OrgID)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"rules": rules})
}

// SaveRule is POST /api/skill-role-rules {"match": "tag" | "*", "roles": [...]} (admin).
func (h *CardsAPI) SaveRule(c *fiber.Ctx) error {
	if err := require(c, db.PermAdmin); err != nil {
		return err
	}
	var body struct {
		Match string   `json:"match"`
		Roles []string `json:"roles"`
	}
	if err := decodeJSON(c.Body(), &body); err != nil {
		return agentError(c, err)
	}
	r, err := h.Store.SaveSkillRoleRule(c.UserContext(), ActorOf(c), body.Match, body.Roles)
	if err != nil {
		return agentError(c, err)
	}
	return c.JSON(r)
}

// DeleteRule is DELETE /api/skill-role-rules/{id} (admin).
func (h *CardsAPI) DeleteRule(c *fiber.Ctx) error {
	id, err := permittedID(c, db.PermAdmin)
	if err != nil {
		return err
	}
	if err := h.Store.DeleteSkillRoleRule(c.UserContext(), ActorOf(c), id); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"success": true, "id": id})
}
