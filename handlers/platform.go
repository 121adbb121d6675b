package handlers

import (
	"github.com/gofiber/fiber/v2"

	"agentconsole/db"
)

// Denials of platform-data changes (SPEC §1: the tool catalog and the model registry
// are changed by platform operators only, never by an organisation role), in the seeds'
// "Unauthorized: Only … can …" wording.
const (
	MsgOnlyOperatorsCatalog = "Unauthorized: Only platform operators can change the tool catalog"
	MsgOnlyOperatorsModels  = "Unauthorized: Only platform operators can change the model registry"
	MsgOnlyOperators        = "Unauthorized: Only platform operators can change platform data"
)

// requireOperator checks the platform-operator flag server-side (the store checks it
// again), answering 403 with message.
func requireOperator(c *fiber.Ctx, message string) error {
	if ActorOf(c).IsPlatformOperator() {
		return nil
	}
	return &ErrForbidden{Message: message}
}

// RequireAdminOrOperator guards the console's platform pages (catalog, models): an
// organisation admin may read them, a platform operator may also change what they show.
func RequireAdminOrOperator(c *fiber.Ctx) error {
	if a := ActorOf(c); a.Can(db.PermAdmin) || a.IsPlatformOperator() {
		return c.Next()
	}
	// The same wording as every other admin page ("Reviewers are read-only: …").
	return Forbidden(ActorOf(c), db.PermAdmin)
}
