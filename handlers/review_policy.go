package handlers

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"agentconsole/db"
	"agentconsole/views/pages/reviews"
	"agentconsole/views/route"
)

// Policy is the admin's review policy page: on/off, what is protected, approvals
// needed, self-approval, and which builders may approve.
func (h *Reviews) Policy(c *fiber.Ctx) error {
	ctx, org := c.UserContext(), ActorOf(c).OrgID
	p, err := h.Store.ReviewPolicy(ctx, org)
	if err != nil {
		return err
	}
	return h.renderPolicy(c, fiber.StatusOK, p, "")
}

func (h *Reviews) renderPolicy(c *fiber.Ctx, status int, p *db.ReviewPolicy, problem string) error {
	ctx, org := c.UserContext(), ActorOf(c).OrgID
	tags, err := h.Store.Tags(ctx, org)
	if err != nil {
		return err
	}
	approvers, err := h.Store.Approvers(ctx, org)
	if err != nil {
		return err
	}
	view := reviews.PolicyForm{Enabled: p.Enabled, ProtectReleased: p.ProtectReleased, Approvals: p.ApprovalsRequired,
		MaxApprovals: db.MaxApprovalsRequired, AllowSelf: p.AllowSelfApproval, Error: problem,
		SyncUnprotectedNow: p.SyncUnprotectedNow}
	for _, t := range tags {
		view.Tags = append(view.Tags, reviews.TagChoice{ID: t.ID, Name: t.Name, Checked: containsID(p.TagIDs, t.ID)})
	}
	for _, a := range approvers {
		view.Builders = append(view.Builders, reviews.Builder{UserID: a.UserID, Email: a.Email, Name: a.Name, CanApprove: a.CanApprove})
	}
	return Render(c, status, reviews.Policy(h.Page(c, "Review policy", "admin"), view))
}

func containsID(ids []int64, id int64) bool {
	for _, v := range ids {
		if v == id {
			return true
		}
	}
	return false
}

// SetPolicy saves the policy form.
func (h *Reviews) SetPolicy(c *fiber.Ctx) error {
	p := db.ReviewPolicy{Enabled: c.FormValue("enabled") == "on", ProtectReleased: c.FormValue("protectReleased") == "on",
		AllowSelfApproval: c.FormValue("allowSelfApproval") == "on", SyncUnprotectedNow: c.FormValue("syncUnprotectedNow") == "on", TagIDs: []int64{}}
	n, err := strconv.Atoi(c.FormValue("approvalsRequired"))
	if err != nil {
		n = 0 // refused below, naming the field
	}
	p.ApprovalsRequired = n
	for _, raw := range c.Context().PostArgs().PeekMulti("tagIds") {
		id, err := strconv.ParseInt(string(raw), 10, 64)
		if err != nil || id <= 0 {
			return h.renderPolicy(c, fiber.StatusUnprocessableEntity, &p, "tagIds: Expected a tag id")
		}
		p.TagIDs = append(p.TagIDs, id)
	}
	if _, err := h.Store.SetReviewPolicy(c.UserContext(), ActorOf(c), p); err != nil {
		if ve, ok := err.(*db.ValidationError); ok {
			return h.renderPolicy(c, fiber.StatusUnprocessableEntity, &p, ValidationText(ve))
		}
		return err
	}
	return h.redirect(c, route.ReviewPolicy, "success", "Review policy saved.")
}

// SetApprover grants or takes back a builder's approve permission.
func (h *Reviews) SetApprover(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return missing(err, "Member %q", c.Params("id"))
	}
	on := c.FormValue("canApprove") == "true"
	if err := h.Store.SetApprover(c.UserContext(), ActorOf(c), id, on); err != nil {
		return missing(err, "Member %d", id)
	}
	msg := "The builder may now approve change requests."
	if !on {
		msg = "The builder may no longer approve change requests."
	}
	return h.redirect(c, route.ReviewPolicy, "success", msg)
}
