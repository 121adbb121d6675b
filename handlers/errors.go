package handlers

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"

	"agentconsole/db"
	"agentconsole/db/cardsvc"
)

// Domain errors and their HTTP answers, for the console and the API.

// agentError answers domain errors of agent operations in the seeds' shapes; other
// errors go to the one error path.
func agentError(c *fiber.Ctx, err error) error {
	var ve *db.ValidationError
	var ce *db.ConflictError
	var pe *db.PreconditionError
	var rr *db.ReviewRequired
	var se *db.ReviewStateError
	switch {
	case errors.As(err, &rr) && rr.Request != nil:
		return ChangeRequestAccepted(c, rr.Request)
	case errors.As(err, &se) && len(se.Details) > 0: // protected agents of a bulk request, each at its index
		return c.Status(fiber.StatusConflict).JSON(errorBody{Error: se.Message, Details: capDetails(se.Details)})
	case errors.As(err, &ve):
		return c.Status(fiber.StatusBadRequest).JSON(ValidationBody(ve))
	case errors.As(err, &pe):
		return c.Status(fiber.StatusPreconditionFailed).JSON(struct {
			Error   string    `json:"error"`
			Current agentJSON `json:"current"`
		}{preconditionMessage(pe), toAgentJSON(pe.Current, ActorOf(c).OrgUUID)})
	case errors.As(err, &ce):
		// One details[] entry per path both sides changed (seed error shape).
		details := make([]db.Issue, len(ce.Conflicts))
		for i, cf := range ce.Conflicts {
			details[i] = db.Issue{Message: "Changed since your version by " + byWhom(ce) + ", and by you to a different value", Path: cf.Path}
		}
		return c.Status(fiber.StatusConflict).JSON(struct {
			Error   string     `json:"error"`
			Details []db.Issue `json:"details"`
			Current agentJSON  `json:"current"`
		}{conflictMessage(ce), details, toAgentJSON(ce.Current, ActorOf(c).OrgUUID)})
	}
	return err
}

// byWhom names who saved since the caller's version.
func byWhom(ce *db.ConflictError) string {
	switch {
	case len(ce.Authors) > 0:
		return strings.Join(ce.Authors, " and ")
	case ce.By != "":
		return ce.By
	}
	return "someone else"
}

func conflictMessage(ce *db.ConflictError) string {
	if ce.By == "" {
		return "Conflict: this agent was changed since your copy was read"
	}
	return fmt.Sprintf("Conflict: this agent was changed by %s at %s (version %d) since your copy was read",
		ce.By, ce.At.UTC().Format("2006-01-02 15:04:05 UTC"), ce.VersionNo)
}

// validationMessage is the first message of a validation error ("" for other errors).
func validationMessage(err error) string {
	var ve *db.ValidationError
	if !errors.As(err, &ve) {
		return ""
	}
	if len(ve.Details) > 0 {
		return ve.Details[0].Message
	}
	return ve.Message
}

// capDetails keeps the first MaxDetails details and says how many more there were, so
// 100,000 bad ids cannot make a megabyte error body.
func capDetails(details []db.Issue) []db.Issue {
	if len(details) <= MaxDetails {
		return details
	}
	out := append([]db.Issue(nil), details[:MaxDetails]...)
	return append(out, db.Issue{Message: fmt.Sprintf("… and %d more", len(details)-MaxDetails), Path: []any{}})
}

// ValidationBody is the API's answer to a validation error: the seeds' shape, details
// capped (the emailSlug errors keep seed 001's bare top-level message).
func ValidationBody(ve *db.ValidationError) any {
	body := errorBody{Error: ve.Message}
	if !ve.Bare {
		body.Details = capDetails(ve.Details)
	}
	return body
}

// ValidationText is a validation error as one line for a console page: each field
// with its message ("name: Invalid characters …"), capped like the API's details.
func ValidationText(ve *db.ValidationError) string {
	var parts []string
	for _, d := range capDetails(ve.Details) {
		var path []string
		for _, p := range d.Path {
			path = append(path, fmt.Sprint(p))
		}
		if len(path) > 0 {
			parts = append(parts, strings.Join(path, ".")+": "+d.Message)
		} else {
			parts = append(parts, d.Message)
		}
	}
	if len(parts) == 0 {
		return ve.Message
	}
	return strings.Join(parts, "; ")
}

// validationError answers 400 with the seed's {"error", "details"} shape.
func validationError(c *fiber.Ctx, message string, details []db.Issue) error {
	return c.Status(fiber.StatusBadRequest).JSON(errorBody{Error: message, Details: capDetails(details)})
}

// ErrorStatus is the one map from domain errors to HTTP, for the console (api false)
// and the API: a validation error is 400 (API) or 422 (console, the message naming
// each field), a missing object 404, a stale save that collides 409, a refused
// permission 403, an unavailable database 503; anything else is a 500 whose cause
// only the log sees. Handlers that answer richer bodies (agentError) agree with it.
func ErrorStatus(err error, api bool) (int, string) {
	var fe *fiber.Error
	var ve *db.ValidationError
	var ce *db.ConflictError
	var rd *db.ReviewDenied
	var se *db.ReviewStateError
	switch {
	case errors.As(err, &ve):
		if api {
			return fiber.StatusBadRequest, ve.Message
		}
		return fiber.StatusUnprocessableEntity, ValidationText(ve)
	case errors.As(err, &ce):
		return fiber.StatusConflict, conflictMessage(ce)
	case errors.As(err, &rd):
		return fiber.StatusForbidden, rd.Message
	case errors.As(err, &se):
		return fiber.StatusConflict, se.Message
	case errors.As(err, &fe):
		if fe.Code == fiber.StatusNotFound && !api {
			return fe.Code, NotFoundMessage(err) // no route: "Page not found"
		}
		return fe.Code, fe.Message
	case errors.Is(err, db.ErrNotFound):
		if !api {
			return fiber.StatusNotFound, NotFoundMessage(err) // "Agent 42 not found" where the handler knew
		}
		return fiber.StatusNotFound, MsgNotFound
	case db.IsUnavailable(err) || errors.Is(err, context.DeadlineExceeded):
		return fiber.StatusServiceUnavailable, "Service Unavailable"
	case errors.Is(err, cardsvc.ErrBusy): // too many card fetches waiting on remote hosts
		return fiber.StatusServiceUnavailable, MsgFetchesBusy
	case errors.Is(err, db.ErrNotPlatformOperator): // a route that forgot to check first
		return fiber.StatusForbidden, MsgOnlyOperators
	}
	if f, ok := IsForbidden(err); ok {
		if !api {
			return fiber.StatusForbidden, f.PageMessage() // the console says what role is needed
		}
		return fiber.StatusForbidden, f.Message
	}
	return fiber.StatusInternalServerError, MsgInternal
}

// reviewRefusal is the console's flash for an operation the review policy refused
// (409: it would change protected agents, named in the message): said where the person
// acted, not as an error page. ok is false for any other error.
func reviewRefusal(err error) (msg string, ok bool) {
	var se *db.ReviewStateError
	if !errors.As(err, &se) {
		return "", false
	}
	return se.Message + " Nothing was changed.", true
}

func preconditionMessage(pe *db.PreconditionError) string {
	by := pe.By
	if by == "" {
		by = "someone else"
	}
	return fmt.Sprintf("Precondition Failed: this agent was changed by %s at %s (version %d) since the version you read (If-Match %d)",
		by, pe.At.UTC().Format("2006-01-02 15:04:05 UTC"), pe.VersionNo, pe.Base)
}
