package handlers

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"agentconsole/db"
	"agentconsole/views/pages/admin"
)

// auditDate is the format of the audit log's date filters (an HTML date input's value).
const auditDate = "2006-01-02"

// auditFilter reads ?action=&actor=&actorId=&object=&from=&to=&before=&limit= (the API,
// the console page and its CSV export). from and to are days (UTC), both included.
func auditFilter(c *fiber.Ctx, limit int64) (db.AuditFilter, error) {
	// Copies: the CSV export reads the filter after the handler has returned, when
	// Fiber may have reused the request's buffers.
	f := db.AuditFilter{Action: strings.Clone(c.Query("action")), Actor: strings.Clone(c.Query("actor")), Object: strings.Clone(c.Query("object"))}
	for _, name := range []string{"action", "actor", "object"} {
		if len(c.Query(name)) > db.MaxFilterText {
			return f, queryIssue(name, fmt.Sprintf("String must contain at most %d character(s)", db.MaxFilterText))
		}
	}
	n, err := queryInt(c, "limit", limit, 1, 200)
	if err != nil {
		return f, err
	}
	f.Limit = int(n)
	if f.ActorID, err = queryInt(c, "actorId", 0, 1, math.MaxInt64); err != nil {
		return f, err
	}
	if f.From, err = queryDay(c, "from", 0); err != nil {
		return f, err
	}
	if f.To, err = queryDay(c, "to", 1); err != nil { // the end of that day
		return f, err
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return f, queryIssue("to", "The end date is before the start date.")
	}
	f.BeforeID, err = queryInt(c, "before", 0, 1, math.MaxInt64)
	return f, err
}

// queryDay reads an optional YYYY-MM-DD parameter as midnight UTC plus addDays.
func queryDay(c *fiber.Ctx, name string, addDays int) (time.Time, error) {
	raw := c.Query(name)
	if raw == "" {
		return time.Time{}, nil
	}
	d, err := time.Parse(auditDate, raw)
	if err != nil || d.Year() < 1970 || d.Year() > 9999 {
		return time.Time{}, queryIssue(name, "Expected a date as YYYY-MM-DD")
	}
	return d.AddDate(0, 0, addDays), nil
}

func queryIssue(name, message string) error {
	return &db.ValidationError{Message: "Validation Error", Details: []db.Issue{{Message: message, Path: []any{name}}}}
}

// Audit shows the organisation's audit log, newest first, with its filters as choices.
func (h *Admin) Audit(c *fiber.Ctx) error {
	ctx, orgID := c.UserContext(), ActorOf(c).OrgID
	f, err := auditFilter(c, 100)
	var ve *db.ValidationError
	if errors.As(err, &ve) {
		// A refused filter: the page with the filters as typed and the error, and no
		// entries (an unfiltered list below the error would read as the result).
		q, err := h.auditQuery(ctx, orgID, db.AuditFilter{Action: f.Action, Actor: f.Actor, Object: f.Object, ActorID: f.ActorID})
		if err != nil {
			return err
		}
		q.From, q.To, q.Error = c.Query("from"), c.Query("to"), labelledIssues(ve, auditFilterLabels)
		return Render(c, fiber.StatusUnprocessableEntity, admin.Audit(h.Page(c, "Audit log", "admin"), nil, q))
	} else if err != nil {
		return err
	}
	entries, err := h.Store.AuditEntries(ctx, orgID, f)
	if err != nil {
		return err
	}
	q, err := h.auditQuery(ctx, orgID, f)
	if err != nil {
		return err
	}
	rows := make([]admin.AuditRow, len(entries))
	for i, e := range entries {
		rows[i] = admin.AuditRow{ID: e.ID, At: e.CreatedAt, Actor: e.Actor, Action: e.Action, Object: strings.Trim(e.ObjectType+" "+e.ObjectID, " "),
			Summary: e.Summary, IP: e.IP, Via: e.Via, Route: e.Route}
	}
	return Render(c, fiber.StatusOK, admin.Audit(h.Page(c, "Audit log", "admin"), rows, q))
}

// auditFilterLabels are the audit filter form's labels by query parameter.
var auditFilterLabels = map[string]string{"action": "Action", "actorId": "Who", "actor": "Who", "object": "Object type",
	"from": "From", "to": "To", "limit": "Entries per page", "before": "Older than"}

// labelledIssues is a validation error in the console's words: each field by its
// label ("To: the end date is before the start date."), not its parameter name.
func labelledIssues(ve *db.ValidationError, labels map[string]string) string {
	var parts []string
	for _, d := range ve.Details {
		msg := strings.TrimSuffix(d.Message, ".") + "."
		if len(d.Path) > 0 {
			name := fmt.Sprint(d.Path[0])
			if l, ok := labels[name]; ok {
				name = l
			}
			msg = name + ": " + strings.ToLower(msg[:1]) + msg[1:]
		}
		parts = append(parts, msg)
	}
	if len(parts) == 0 {
		return ve.Message
	}
	return strings.Join(parts, " ")
}

// auditQuery is the filter form: what is chosen, and the choices (the actions the log
// holds grouped by their prefix, the organisation's members, the object types).
func (h *Admin) auditQuery(ctx context.Context, orgID int64, f db.AuditFilter) (admin.AuditQuery, error) {
	q := admin.AuditQuery{Action: f.Action, Actor: f.Actor, Object: f.Object, Objects: db.AuditObjectTypes}
	if f.ActorID > 0 {
		q.ActorID = strconv.FormatInt(f.ActorID, 10)
	}
	if !f.From.IsZero() {
		q.From = f.From.Format(auditDate)
	}
	if !f.To.IsZero() {
		q.To = f.To.AddDate(0, 0, -1).Format(auditDate)
	}
	actions, err := h.Store.AuditActions(ctx, orgID)
	if err != nil {
		return q, err
	}
	q.Actions = admin.GroupActions(actions)
	members, err := h.Store.Members(ctx, orgID)
	if err != nil {
		return q, err
	}
	for _, m := range members {
		q.Actors = append(q.Actors, admin.Option{Value: strconv.FormatInt(m.UserID, 10), Label: m.Email})
	}
	return q, nil
}

// auditCSVHeader names the export's columns.
var auditCSVHeader = []string{"id", "time", "actor", "action", "object_type", "object_id", "summary", "ip", "via", "route"}

// AuditCSV streams the filtered audit log as CSV, newest first: every matching entry of
// the caller's organisation, read in pages while it is written, so its size is unbounded
// and the server holds one page at a time.
func (h *Admin) AuditCSV(c *fiber.Ctx) error {
	f, err := auditFilter(c, 1)
	if err != nil {
		return err
	}
	orgID, log := ActorOf(c).OrgID, Logger(c)
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="audit-`+time.Now().UTC().Format(auditDate)+`.csv"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	store := h.Store
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		// The request's context ends with the handler; the stream gets its own deadline.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		cw := csv.NewWriter(w)
		_ = cw.Write(auditCSVHeader)
		err := store.EachAuditEntry(ctx, orgID, f, func(e *db.AuditEntry) error {
			return cw.Write(auditCSVRecord(e))
		})
		cw.Flush()
		if err == nil {
			err = cw.Error()
		}
		if err != nil { // the status is sent: the file ends short, and the log says why
			log.Error("audit csv export", "err", err)
		}
	})
	return nil
}

func auditCSVRecord(e *db.AuditEntry) []string {
	rec := []string{strconv.FormatInt(e.ID, 10), e.CreatedAt.UTC().Format(time.RFC3339), e.Actor, e.Action, e.ObjectType, e.ObjectID, e.Summary, e.IP, e.Via, e.Route}
	for i := range rec {
		rec[i] = csvCell(rec[i])
	}
	return rec
}

// csvCell defuses a cell a spreadsheet would run as a formula (OWASP's CSV injection
// advice): one starting with = + - @ (or a tab or carriage return, which some
// spreadsheets skip before reading a formula) gets a leading apostrophe. Quoting of
// commas, quotes and line breaks is encoding/csv's.
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
