package handlers

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"

	"github.com/a-h/templ"
	"github.com/gofiber/fiber/v2"

	"agentconsole/db"
	"agentconsole/views/components"
	"agentconsole/views/pages/tags"
	"agentconsole/views/route"
)

// Tags serves the console's tags page, the editor's inline tag creation and the
// agents list's bulk tagging.
type Tags struct{ Base }

// List renders the tags page.
func (h *Tags) List(c *fiber.Ctx) error {
	return h.render(c, fiber.StatusOK, tags.Form{Color: "slate"})
}

func (h *Tags) render(c *fiber.Ctx, status int, form tags.Form) error {
	all, err := h.Store.TagsWithCounts(c.UserContext(), ActorOf(c).OrgID)
	if err != nil {
		return err
	}
	rows := make([]tags.Row, len(all))
	for i, t := range all {
		rows[i] = tags.Row{ID: t.ID, Name: t.Name, Color: t.Color, Description: t.Description, Agents: t.AgentCount}
	}
	return Render(c, status, tags.Page(h.Page(c, "Tags", "tags"), rows, form, db.TagColors, ActorOf(c).Can(db.PermAgentsUpdate)))
}

// Create adds a tag from the tags page.
func (h *Tags) Create(c *fiber.Ctx) error {
	if err := require(c, db.PermAgentsUpdate); err != nil {
		return err
	}
	form := tags.Form{Name: c.FormValue("name"), Color: formColor(c), Description: c.FormValue("description")}
	t, err := h.Store.SaveTag(c.UserContext(), ActorOf(c), 0, db.TagInput{Name: db.Some(form.Name), Color: db.Some(form.Color), Description: db.Some(form.Description)})
	var ve *db.ValidationError
	if errors.As(err, &ve) {
		form.Errors = fieldErrors(ve.Details)
		return h.render(c, fiber.StatusUnprocessableEntity, form)
	}
	if err != nil {
		return err
	}
	return h.redirect(c, route.Tags, "success", "Created tag “"+t.Name+"”.")
}

// Update renames or recolours a tag.
func (h *Tags) Update(c *fiber.Ctx) error {
	id, err := permittedID(c, db.PermAgentsUpdate)
	if err != nil {
		return err
	}
	typed := tags.Row{ID: id, Name: c.FormValue("name"), Color: formColor(c), Description: c.FormValue("description")}
	in := db.TagInput{Name: db.Some(typed.Name), Color: db.Some(typed.Color)}
	if c.Context().PostArgs().Has("description") { // a form without the field keeps the description
		in.Description = db.Some(typed.Description)
	}
	t, err := h.Store.SaveTag(c.UserContext(), ActorOf(c), id, in)
	var ve *db.ValidationError
	if errors.As(err, &ve) {
		// The message goes under that tag's row, which keeps what was typed; the other
		// forms as they were.
		msg := ve.Message
		if len(ve.Details) > 0 {
			msg = ve.Details[0].Message
		}
		return h.render(c, fiber.StatusUnprocessableEntity, tags.Form{Color: "slate", RowErrors: map[int64]string{id: msg}, Edited: &typed})
	}
	if err != nil {
		return missing(err, "Tag %d", id)
	}
	return h.redirect(c, route.Tags, "success", "Saved tag “"+t.Name+"”.")
}

// Delete removes a tag from every agent and deletes it.
func (h *Tags) Delete(c *fiber.Ctx) error {
	id, err := permittedID(c, db.PermAgentsUpdate)
	if err != nil {
		return err
	}
	n, err := h.Store.DeleteTag(c.UserContext(), ActorOf(c), id)
	if msg, ok := reviewRefusal(err); ok {
		return h.redirect(c, route.Tags, "error", msg)
	}
	if err != nil {
		return missing(err, "Tag %d", id)
	}
	return h.redirect(c, route.Tags, "success", "Tag deleted and removed from "+components.Count(n, "agent", "agents")+".")
}

// Inline is the editor's "add tag": find the tag by name (any case) or create it, and
// answer a checked checkbox for it (htmx).
func (h *Tags) Inline(c *fiber.Ctx) error {
	if err := require(c, db.PermAgentsUpdate); err != nil {
		return err
	}
	t, created, err := h.Store.FindOrCreateTag(c.UserContext(), ActorOf(c), c.FormValue("newTag"))
	var ve *db.ValidationError
	if errors.As(err, &ve) {
		msg := "Type a tag name."
		if ve.Field() == "name" && ve.Details[0].Message != "Required" {
			msg = "Use a tag name of at most 50 characters."
		}
		if !IsHTMX(c) {
			return h.redirect(c, back(c, route.Tags), "error", msg)
		}
		// Nothing joins the tag list; the message goes under the tag box.
		return Render(c, fiber.StatusUnprocessableEntity, components.FieldErrorOOB("newTag-error", msg))
	}
	if err != nil {
		return err
	}
	if !IsHTMX(c) { // without JavaScript: back to the editor, where the tag is now listed
		return h.redirect(c, back(c, route.Tags), "success", "Tag “"+t.Name+"” is ready: tick it and save.")
	}
	clear := components.FieldErrorOOB("newTag-error", "")
	if created {
		// htmx appends it; chrome.js moves it before the first following tag on the page.
		after, err := h.Store.TagsAfter(c.UserContext(), ActorOf(c).OrgID, t.ID)
		if err != nil {
			return err
		}
		return Render(c, fiber.StatusOK, templ.Join(tags.InlineOption(t.ID, t.Name, t.Color, false, after), clear))
	}
	return Render(c, fiber.StatusOK, templ.Join(tags.InlineOption(t.ID, t.Name, t.Color, true, nil), clear))
}

// tagName names a tag for a message: tag “X” ("that tag" when it cannot be read).
func (h *Tags) tagName(c *fiber.Ctx, id int64) string {
	all, err := h.Store.TagsWithCounts(c.UserContext(), ActorOf(c).OrgID)
	if err == nil {
		for _, t := range all {
			if t.ID == id {
				return "tag “" + t.Name + "”"
			}
		}
	}
	return "that tag"
}

// back is the page a plain form post came from (same site only), else fallback.
func back(c *fiber.Ctx, fallback string) string {
	if u, err := url.Parse(c.Get(fiber.HeaderReferer)); err == nil && u.Host == string(c.Context().Host()) {
		if p := safeNext(u.RequestURI()); p != "" {
			return p
		}
	}
	return fallback
}

// BulkFromList assigns or removes a tag on the agents selected in the list.
func (h *Tags) BulkFromList(c *fiber.Ctx) error {
	if err := require(c, db.PermAgentsUpdate); err != nil {
		return err
	}
	back := c.FormValue("back")
	if safeNext(back) == "" {
		back = route.Agents
	}
	tagID, _ := strconv.ParseInt(c.FormValue("tagId"), 10, 64)
	ids := formIDs(c, "agentIds")
	if tagID == 0 || len(ids) == 0 {
		return h.redirect(c, back, "error", "Select agents and a tag first.")
	}
	remove := c.FormValue("action") == "remove"
	n, err := h.Store.BulkTag(c.UserContext(), ActorOf(c), tagID, ids, remove)
	var ve *db.ValidationError
	if errors.As(err, &ve) {
		return h.redirect(c, back, "error", ve.Details[0].Message)
	}
	if msg, ok := reviewRefusal(err); ok {
		return h.redirect(c, back, "error", msg)
	}
	if err != nil {
		return err
	}
	if n == 0 { // say why nothing changed
		name := h.tagName(c, tagID)
		if remove {
			return h.redirect(c, back, "success", fmt.Sprintf("None of the %s had %s.", components.Count(len(ids), "selected agent", "selected agents"), name))
		}
		return h.redirect(c, back, "success", fmt.Sprintf("All of the %s already had %s.", components.Count(len(ids), "selected agent", "selected agents"), name))
	}
	verb := "Tagged"
	if remove {
		verb = "Untagged"
	}
	return h.redirect(c, back, "success", fmt.Sprintf("%s %d of %s.", verb, n, components.Count(len(ids), "selected agent", "selected agents")))
}

// formColor is the colour the tags page's picker chose: a palette swatch, or "custom"
// with the colour input's #rrggbb (checked by the store like any other colour).
func formColor(c *fiber.Ctx) string {
	if color := c.FormValue("color"); color != "custom" {
		return color
	}
	return c.FormValue("customColor")
}
