package handlers

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"agentconsole/db"
)

// Path parameters shared by every resource: ids are positive integers, anything else
// is Not Found; an agent id reads the caller's organisation's agent.

// pathID reads the {id} path parameter.
func pathID(c *fiber.Ctx) (int64, error) { return paramID(c, "id") }

// paramID reads a positive id path parameter; anything else is Not Found.
func paramID(c *fiber.Ctx, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Params(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, db.ErrNotFound
	}
	return id, nil
}

// pathAgent reads the {id} path parameter and the caller's organisation's agent.
func (b Base) pathAgent(c *fiber.Ctx) (int64, *db.Agent, error) {
	id, err := pathID(c)
	if err != nil {
		return 0, nil, missing(err, "Agent %q", c.Params("id"))
	}
	a, err := b.Store.Agent(c.UserContext(), ActorOf(c).OrgID, id)
	rememberAgentName(c, a)
	return id, a, missing(err, "Agent %d", id)
}

// pathAgentHead is pathAgent for pages that show only the agent's name and state
// (history, diff): db.AgentHead reads no prompt, tools or tags.
func (b Base) pathAgentHead(c *fiber.Ctx) (int64, *db.Agent, error) {
	id, err := pathID(c)
	if err != nil {
		return 0, nil, missing(err, "Agent %q", c.Params("id"))
	}
	a, err := b.Store.AgentHead(c.UserContext(), ActorOf(c).OrgID, id)
	rememberAgentName(c, a)
	return id, a, missing(err, "Agent %d", id)
}

// permittedID checks the permission, then reads the {id} path parameter.
func permittedID(c *fiber.Ctx, p db.Permission) (int64, error) {
	if err := require(c, p); err != nil {
		return 0, err
	}
	return pathID(c)
}

// restoreVersion restores {versionId} of agent {id} as a new version (update
// permission): the console and the API answer its outcome each in their way. id is 0
// when the request was refused before the store was asked.
func (b Base) restoreVersion(c *fiber.Ctx) (id, versionID int64, a *db.Agent, err error) {
	id, err = permittedID(c, db.PermAgentsUpdate)
	if err != nil {
		return 0, 0, nil, err
	}
	versionID, err = paramID(c, "versionId")
	if err != nil {
		return 0, 0, nil, err
	}
	a, err = b.Store.RestoreVersion(c.UserContext(), ActorOf(c), id, versionID)
	return id, versionID, a, err
}

// reactivateMember lets member {id} sign in again (console and API).
func (b Base) reactivateMember(c *fiber.Ctx) (*db.Member, error) {
	id, err := paramID(c, "id")
	if err != nil {
		return nil, err
	}
	return b.Store.ReactivateMember(c.UserContext(), ActorOf(c), id)
}
