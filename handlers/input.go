package handlers

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"agentconsole/db"
)

// The one decoding layer. Every query parameter, form value and JSON string passes
// CheckInput (a middleware in web runs it before any handler) and JSON bodies are
// decoded by decodeJSON, so no handler can forget a rule and no value PostgreSQL
// cannot store reaches it (a NUL byte in text used to answer 500).

// MaxJSONArray bounds every JSON array, whatever its field: the fields' own limits are
// lower (db.Limits); this one keeps a hostile body from costing more than it may.
const MaxJSONArray = 10_000

// MaxDetails is how many details an error lists; one more says how many were left out.
const MaxDetails = 20

const msgInvalidChars = "Invalid characters: text may not contain NUL bytes and must be UTF-8"

// CheckInput refuses NUL bytes and invalid UTF-8 in query parameters, form values and
// JSON strings (keys included), and JSON arrays longer than MaxJSONArray, naming the
// field: a *db.ValidationError (db.ErrNotFound for such a path), or nil.
func CheckInput(c *fiber.Ctx) error {
	var issues []db.Issue
	bad := func(s []byte) bool { return bytes.IndexByte(s, 0) >= 0 || !utf8.Valid(s) }
	// Path parameters (a skill id, a tool name) are unescaped by handlers: nothing
	// can be named with a NUL byte or invalid UTF-8, so such a path names nothing.
	if p, err := url.PathUnescape(string(c.Request().URI().PathOriginal())); err != nil || bad([]byte(p)) {
		return db.ErrNotFound
	}
	c.Context().QueryArgs().VisitAll(func(k, v []byte) {
		if bad(k) || bad(v) {
			issues = append(issues, db.Issue{Message: msgInvalidChars, Path: []any{strings.ToValidUTF8(string(k), "?")}})
		}
	})
	if c.Method() != fiber.MethodGet && c.Method() != fiber.MethodHead && len(c.Body()) > 0 {
		ct, _, _ := mime.ParseMediaType(string(c.Request().Header.ContentType()))
		switch {
		case ct == fiber.MIMEApplicationForm:
			c.Context().PostArgs().VisitAll(func(k, v []byte) {
				if bad(k) || bad(v) {
					issues = append(issues, db.Issue{Message: msgInvalidChars, Path: []any{strings.ToValidUTF8(string(k), "?")}})
				}
			})
		case ct == fiber.MIMEMultipartForm:
			if form, err := c.MultipartForm(); err == nil {
				for k, vs := range form.Value {
					for _, v := range vs {
						if bad([]byte(k)) || bad([]byte(v)) {
							issues = append(issues, db.Issue{Message: msgInvalidChars, Path: []any{strings.ToValidUTF8(k, "?")}})
							break
						}
					}
				}
			}
		case ct == fiber.MIMEApplicationJSON || strings.HasPrefix(c.Path(), "/api/"):
			issues = append(issues, jsonIssues(c.Body())...)
		}
	}
	if len(issues) == 0 {
		return nil
	}
	return &db.ValidationError{Message: "Validation Error", Details: issues}
}

// jsonIssues walks a JSON document's tokens, tracking each value's path. Syntax errors
// are left to the decoder, which reports them as "Invalid JSON body".
func jsonIssues(body []byte) []db.Issue {
	type frame struct {
		array   bool
		index   int
		key     string
		wantKey bool
	}
	var stack []*frame
	var issues []db.Issue
	path := func(extra ...any) []any {
		out := []any{}
		for _, f := range stack {
			if f.array {
				out = append(out, f.index)
			} else {
				out = append(out, f.key)
			}
		}
		return append(out, extra...)
	}
	// done moves the parent on past a finished value.
	done := func() {
		if len(stack) == 0 {
			return
		}
		top := stack[len(stack)-1]
		if top.array {
			top.index++
		} else {
			top.wantKey = true
		}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	for len(issues) <= MaxDetails {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.array && top.index == MaxJSONArray && tok != json.Delim(']') {
			// The first element past the limit: report the array once.
			p := path()
			issues = append(issues, db.Issue{Message: fmt.Sprintf("Array must contain at most %d element(s)", MaxJSONArray), Path: p[:len(p)-1]})
		}
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{', '[':
				stack = append(stack, &frame{array: v == '[', wantKey: v == '{'})
			default:
				stack = stack[:len(stack)-1]
				done()
			}
			continue
		case string:
			if top != nil && !top.array && top.wantKey {
				top.key, top.wantKey = v, false
				if strings.ContainsRune(v, 0) || !utf8.ValidString(v) {
					issues = append(issues, db.Issue{Message: msgInvalidChars, Path: path()})
				}
				continue
			}
			if strings.ContainsRune(v, 0) || !utf8.ValidString(v) {
				issues = append(issues, db.Issue{Message: msgInvalidChars, Path: path()})
			}
		}
		done()
	}
	return issues
}

// decodeJSON decodes a JSON body into dst. A syntax error is "Invalid JSON body"; a
// value of the wrong type names its field in zod's words ("Expected string, received
// number"), like seed 001's validation errors.
func decodeJSON(body []byte, dst any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return &db.ValidationError{Message: "Validation Error", Details: []db.Issue{{Message: "Expected object, received undefined", Path: []any{}}}}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(dst); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			path := []any{}
			for _, part := range strings.Split(te.Field, ".") {
				if part != "" {
					path = append(path, part)
				}
			}
			received := te.Value
			if received == "" {
				received = "value"
			}
			return &db.ValidationError{Message: "Validation Error", Details: []db.Issue{{
				Message: fmt.Sprintf("Expected %s, received %s", jsonKind(te.Type.Kind().String()), received), Path: path}}}
		}
		return &db.ValidationError{Message: "Invalid JSON body"}
	}
	if dec.More() {
		return &db.ValidationError{Message: "Invalid JSON body"}
	}
	return nil
}

// queryInt reads an optional integer query parameter within [lo, hi] (def when absent
// or empty); anything else is a validation error naming the parameter.
func queryInt(c *fiber.Ctx, name string, def, lo, hi int64) (int64, error) {
	raw := c.Query(name)
	if raw == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || n < lo || n > hi {
		return 0, &db.ValidationError{Message: "Validation Error", Details: []db.Issue{{
			Message: fmt.Sprintf("Expected an integer between %d and %d", lo, hi), Path: []any{name}}}}
	}
	return n, nil
}

// queryEnum reads an optional query parameter that must be one of allowed ("" when absent).
func queryEnum(c *fiber.Ctx, name string, allowed []string) (string, error) {
	v := c.Query(name)
	if v == "" {
		return "", nil
	}
	for _, a := range allowed {
		if v == a {
			return v, nil
		}
	}
	return "", &db.ValidationError{Message: "Validation Error", Details: []db.Issue{{
		Message: fmt.Sprintf("Invalid enum value. Expected '%s', received '%s'", strings.Join(allowed, "' | '"), db.Shorten(v)), Path: []any{name}}}}
}
