package handlers

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"agentconsole/db"
)

// ChangeRequestsAPI serves /api/change-requests (review before release) and the
// organisation's review policy.
type ChangeRequestsAPI struct{ Base }

// ChangeRequestAccepted answers a change to a protected agent: 202 with the change
// request it opened (the one deviation from the seeds, only with the policy on).
func ChangeRequestAccepted(c *fiber.Ctx, cr *db.ChangeRequest) error {
	c.Set(fiber.HeaderLocation, "/api/change-requests/"+strconv.FormatInt(cr.ID, 10))
	return c.Status(fiber.StatusAccepted).JSON(withLists(cr))
}

// withLists gives a request read without its reviews and comments empty lists.
func withLists(cr *db.ChangeRequest) *db.ChangeRequest {
	if cr.Reviews == nil {
		cr.Reviews = []db.ChangeReview{}
	}
	if cr.Comments == nil {
		cr.Comments = []db.ChangeComment{}
	}
	return cr
}

// List is GET /api/change-requests: ?status=, ?agentId=, ?mine=true, ?awaiting=true.
func (h *ChangeRequestsAPI) List(c *fiber.Ctx) error {
	status, err := queryEnum(c, "status", db.ChangeStatuses)
	if err != nil {
		return agentError(c, err)
	}
	agentID, err := queryInt(c, "agentId", 0, 0, 1<<53)
	if err != nil {
		return agentError(c, err)
	}
	limit, err := queryInt(c, "limit", 50, 1, 200)
	if err != nil {
		return agentError(c, err)
	}
	mine, err := queryEnum(c, "mine", []string{"true", "false"})
	if err != nil {
		return agentError(c, err)
	}
	awaiting, err := queryEnum(c, "awaiting", []string{"true", "false"})
	if err != nil {
		return agentError(c, err)
	}
	f := db.ChangeRequestFilter{AgentID: agentID, Limit: int(limit)}
	if status != "" {
		f.Statuses = []string{status}
	}
	if mine == "true" {
		f.AuthorUserID = ActorOf(c).UserID
	}
	if awaiting == "true" {
		f.AwaitingUserID = ActorOf(c).UserID
	}
	list, err := h.Store.ChangeRequests(c.UserContext(), ActorOf(c).OrgID, f)
	if err != nil {
		return err
	}
	for i := range list {
		withLists(&list[i])
	}
	return c.JSON(fiber.Map{"changeRequests": list})
}

// requestID reads {id} as a change request id.
func requestID(c *fiber.Ctx) (int64, error) {
	id, err := pathID(c)
	if err != nil {
		return 0, missing(err, "Change request %q", c.Params("id"))
	}
	return id, nil
}

// Get is GET /api/change-requests/{id}.
func (h *ChangeRequestsAPI) Get(c *fiber.Ctx) error {
	id, err := requestID(c)
	if err != nil {
		return err
	}
	cr, err := h.Store.ChangeRequest(c.UserContext(), ActorOf(c).OrgID, id)
	if err != nil {
		return missing(err, "Change request %d", id)
	}
	return c.JSON(cr)
}

// Update is PUT /api/change-requests/{id}: title, message, agent (a partial agent
// applied to the proposal).
func (h *ChangeRequestsAPI) Update(c *fiber.Ctx) error {
	id, err := requestID(c)
	if err != nil {
		return err
	}
	var u db.ChangeRequestUpdate
	if err := decodeJSON(c.Body(), &u); err != nil {
		return agentError(c, err)
	}
	return h.answer(c, func() (*db.ChangeRequest, error) {
		return h.Store.UpdateChangeRequest(c.UserContext(), ActorOf(c), id, u)
	})
}

// Comment is POST /api/change-requests/{id}/comments: {body, anchor}.
func (h *ChangeRequestsAPI) Comment(c *fiber.Ctx) error {
	id, err := requestID(c)
	if err != nil {
		return err
	}
	var body struct {
		Body   string `json:"body"`
		Anchor string `json:"anchor"`
	}
	if err := decodeJSON(c.Body(), &body); err != nil {
		return agentError(c, err)
	}
	cm, err := h.Store.CommentOnChangeRequest(c.UserContext(), ActorOf(c), id, body.Anchor, body.Body)
	if err != nil {
		return agentError(c, missing(err, "Change request %d", id))
	}
	return c.Status(fiber.StatusCreated).JSON(cm)
}

// Approve is POST /api/change-requests/{id}/approve.
func (h *ChangeRequestsAPI) Approve(c *fiber.Ctx) error { return h.review(c, db.VerdictApproved) }

// RequestChanges is POST /api/change-requests/{id}/request-changes.
func (h *ChangeRequestsAPI) RequestChanges(c *fiber.Ctx) error {
	return h.review(c, db.VerdictChanges)
}

func (h *ChangeRequestsAPI) review(c *fiber.Ctx, verdict string) error {
	id, err := requestID(c)
	if err != nil {
		return err
	}
	return h.answer(c, func() (*db.ChangeRequest, error) {
		return h.Store.ReviewChangeRequest(c.UserContext(), ActorOf(c), id, verdict)
	})
}

// Merge is POST /api/change-requests/{id}/merge: {reason} only for an admin's override.
func (h *ChangeRequestsAPI) Merge(c *fiber.Ctx) error {
	id, err := requestID(c)
	if err != nil {
		return err
	}
	var body struct {
		Reason string `json:"reason"`
	}
	if len(c.Body()) > 0 {
		if err := decodeJSON(c.Body(), &body); err != nil {
			return agentError(c, err)
		}
	}
	return h.answer(c, func() (*db.ChangeRequest, error) {
		return h.Store.MergeChangeRequest(c.UserContext(), ActorOf(c), id, body.Reason)
	})
}

// Close is POST /api/change-requests/{id}/close.
func (h *ChangeRequestsAPI) Close(c *fiber.Ctx) error {
	id, err := requestID(c)
	if err != nil {
		return err
	}
	return h.answer(c, func() (*db.ChangeRequest, error) { return h.Store.CloseChangeRequest(c.UserContext(), ActorOf(c), id) })
}

// answer runs an action and answers the request as it left it.
func (h *ChangeRequestsAPI) answer(c *fiber.Ctx, action func() (*db.ChangeRequest, error)) error {
	cr, err := action()
	if err != nil {
		return agentError(c, missing(err, "Change request %s", c.Params("id")))
	}
	return c.JSON(cr)
}

// Policy is GET /api/review-policy.
func (h *ChangeRequestsAPI) Policy(c *fiber.Ctx) error {
	p, err := h.Store.ReviewPolicy(c.UserContext(), ActorOf(c).OrgID)
	if err != nil {
		return err
	}
	return c.JSON(p)
}

// SetPolicy is PUT /api/review-policy (admins).
func (h *ChangeRequestsAPI) SetPolicy(c *fiber.Ctx) error {
	if err := require(c, db.PermAdmin); err != nil {
		return err
	}
	in := struct { // the policy without its read-only updatedAt
		Enabled           bool    `json:"enabled"`
		ProtectReleased   bool    `json:"protectReleased"`
		TagIDs            []int64 `json:"tagIds"`
		ApprovalsRequired int     `json:"approvalsRequired"`
		AllowSelfApproval bool    `json:"allowSelfApproval"`
		SyncUnprotected   bool    `json:"syncUnprotectedNow"`
	}{ProtectReleased: true, ApprovalsRequired: 1}
	if err := decodeJSON(c.Body(), &in); err != nil {
		return agentError(c, err)
	}
	out, err := h.Store.SetReviewPolicy(c.UserContext(), ActorOf(c), db.ReviewPolicy{Enabled: in.Enabled, ProtectReleased: in.ProtectReleased,
		TagIDs: in.TagIDs, ApprovalsRequired: in.ApprovalsRequired, AllowSelfApproval: in.AllowSelfApproval, SyncUnprotectedNow: in.SyncUnprotected})
	if err != nil {
		return agentError(c, err)
	}
	return c.JSON(out)
}
