package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"golang.org/x/net/html"
)

// The abuse test: every field and query parameter of every API route (read from the
// OpenAPI document) and every field of every console form (read from the pages the
// router serves) receives hostile values — NUL bytes, strings just over their limit,
// huge and negative numbers, wrong types, arrays just over their limit. Nothing may
// answer 5xx; API refusals are 4xx in the seeds' error shape naming the field; console
// refusals are 4xx pages carrying a message. A new route or form is covered by itself.

// hostile is one hostile value for one field: the JSON value (API) or the form text.
type hostile struct {
	label string
	value any    // JSON value (API bodies)
	text  string // form or query text
	multi int    // > 0: repeat the field this many times (an oversized list)
	// overLimit marks a value just over a limit the document states: it must be refused.
	overLimit bool
}

const nul = "a\x00b"

// abuseStats counts what the abuse test sent and what came back.
type abuseStats struct {
	requests, fiveXX atomic.Int64
	byStatus         [600]atomic.Int64
}

func (s *abuseStats) record(status int) {
	s.requests.Add(1)
	if status >= 500 && status != http.StatusBadGateway {
		s.fiveXX.Add(1)
	}
	if status > 0 && status < 600 {
		s.byStatus[status].Add(1)
	}
}

func (s *abuseStats) log(t *testing.T, what string) {
	var parts []string
	for code := range s.byStatus {
		if n := s.byStatus[code].Load(); n > 0 {
			parts = append(parts, fmt.Sprintf("%d×%d", code, n))
		}
	}
	t.Logf("%s: %d requests, %d answered 5xx (502: a card host that failed, by design); by status: %s", what, s.requests.Load(), s.fiveXX.Load(), strings.Join(parts, " "))
}

// abuseFixture holds ids of one of everything in the demo organisation.
type abuseFixture struct {
	native, external, version, tag, token, rule, user, refresh int64
	changeRequest                                              int64
	skill, tool                                                string
	adminToken                                                 string
}

func loadAbuseFixture(t *testing.T, e *env) *abuseFixture {
	t.Helper()
	ctx := context.Background()
	if _, err := e.Store.SeedDemoContent(ctx); err != nil {
		t.Fatal(err)
	}
	f := &abuseFixture{adminToken: e.token("admin@demo.test")}
	e.token("builder@demo.test") // the newest token (f.token): revoke routes aim at it, not at the admin's
	q := func(dst any, sql string, args ...any) {
		t.Helper()
		if err := e.Store.DB.QueryRowContext(ctx, sql, args...).Scan(dst); err != nil {
			t.Fatalf("fixture %q: %v", sql, err)
		}
	}
	q(&f.native, "SELECT id FROM agents WHERE agent_type = 'native' AND deleted_at IS NULL AND tools <> '{}'::jsonb ORDER BY id LIMIT 1")
	q(&f.external, "SELECT agent_id FROM card_refreshes ORDER BY id LIMIT 1")
	q(&f.refresh, "SELECT id FROM card_refreshes WHERE agent_id = ? ORDER BY id DESC LIMIT 1", f.external)
	q(&f.version, "SELECT id FROM agent_versions WHERE agent_id = ? ORDER BY id LIMIT 1", f.native)
	q(&f.tag, "SELECT id FROM tags ORDER BY id LIMIT 1")
	q(&f.token, "SELECT id FROM api_tokens ORDER BY id DESC LIMIT 1")
	q(&f.rule, "SELECT id FROM skill_role_rules ORDER BY id LIMIT 1")
	q(&f.user, "SELECT id FROM users WHERE email = 'reviewer@demo.test'")
	q(&f.changeRequest, "SELECT id FROM change_requests ORDER BY id LIMIT 1") // the demo's open request
	q(&f.tool, "SELECT k FROM agents, jsonb_object_keys(tools) k WHERE id = ? ORDER BY k LIMIT 1", f.native)
	_, body := e.api("GET", "/api/agents/"+itoa(f.external)+"/agent-card", f.adminToken, "")
	var card struct {
		Card struct {
			Skills []struct{ ID string } `json:"skills"`
		} `json:"card"`
	}
	if json.Unmarshal([]byte(body), &card) != nil || len(card.Card.Skills) == 0 {
		t.Fatalf("external agent %d has no skills: %.300s", f.external, body)
	}
	f.skill = card.Card.Skills[0].ID
	return f
}

// fillPath puts fixture ids into a route's path parameters.
func (f *abuseFixture) fillPath(path string) string {
	card := strings.Contains(path, "card") || strings.Contains(path, "/skills/")
	parts := strings.Split(path, "/")
	for i, p := range parts {
		if !strings.HasPrefix(p, ":") {
			continue
		}
		prev := parts[i-1]
		var v string
		switch {
		case p == ":versionId":
			v = itoa(f.version)
		case p == ":refreshId":
			v = itoa(f.refresh)
		case p == ":skillId":
			v = url.PathEscape(f.skill)
		case p == ":name":
			v = f.tool
		case prev == "agent-tags" || prev == "tags":
			v = itoa(f.tag)
		case prev == "tokens":
			v = itoa(f.token)
		case prev == "skill-role-rules" || prev == "skill-roles":
			v = itoa(f.rule)
		case prev == "users":
			v = itoa(f.user)
		case prev == "change-requests" || prev == "reviews":
			v = itoa(f.changeRequest)
		case card:
			v = itoa(f.external)
		default:
			v = itoa(f.native)
		}
		parts[i] = v
	}
	return strings.Join(parts, "/")
}

// --- the OpenAPI side ---

func resolveSchema(s any) map[string]any {
	m, _ := s.(map[string]any)
	for m != nil {
		ref, ok := m["$ref"].(string)
		if !ok {
			break
		}
		m = pointer(ref)
	}
	if m == nil {
		return map[string]any{}
	}
	if alts, ok := m["oneOf"].([]any); ok { // the first alternative that is not null
		for _, a := range alts {
			if r := resolveSchema(a); schemaType(r) != "null" {
				return r
			}
		}
	}
	return m
}

func pointer(ref string) map[string]any {
	var cur any = contractDoc
	for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
		cur = cur.(map[string]any)[strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")]
	}
	return cur.(map[string]any)
}

// schemaType is the schema's non-null type ("" when untyped).
func schemaType(s map[string]any) string {
	switch t := s["type"].(type) {
	case string:
		return t
	case []any:
		for _, x := range t {
			if x != "null" {
				return x.(string)
			}
		}
		return "null"
	}
	if _, ok := s["properties"]; ok {
		return "object"
	}
	if _, ok := s["enum"]; ok {
		return "string"
	}
	return ""
}

func limitOf(s map[string]any, key string) (int, bool) {
	n, ok := s[key].(float64)
	if !ok {
		if jn, ok2 := s[key].(json.Number); ok2 {
			f, _ := jn.Float64()
			return int(f), true
		}
		return 0, false
	}
	return int(n), true
}

var abuseSeq atomic.Int64

// goodValue is a valid-looking value for a schema (baselines and required siblings).
func goodValue(name string, s map[string]any, f *abuseFixture) any {
	if c, ok := s["const"]; ok {
		return c
	}
	if e, ok := s["enum"].([]any); ok && len(e) > 0 {
		return e[0]
	}
	switch name {
	case "url":
		return "http://127.0.0.1:1/card.json" // refused at once: nothing listens there
	case "agentIds":
		return []any{f.native}
	case "userId", "agentId":
		return nil
	case "roles":
		return []any{"viewer"}
	}
	switch schemaType(s) {
	case "string":
		if s["format"] == "uuid" {
			return nil
		}
		return fmt.Sprintf("abuse:%d", abuseSeq.Add(1))
	case "integer", "number":
		return 1
	case "boolean":
		return true
	case "array":
		return []any{}
	case "object":
		out := map[string]any{}
		props, _ := s["properties"].(map[string]any)
		req, _ := s["required"].([]any)
		for _, r := range req {
			if v := goodValue(r.(string), resolveSchema(props[r.(string)]), f); v != nil {
				out[r.(string)] = v
			}
		}
		return out
	}
	return nil
}

// hostiles lists the hostile values for one field of a JSON body, nested fields
// (objects, array items) included down to depth 2. path is relative to the field.
type hostileAt struct {
	path []any
	h    hostile
}

func hostilesFor(name string, s map[string]any, f *abuseFixture, depth int) []hostileAt {
	var out []hostileAt
	add := func(h hostile) { out = append(out, hostileAt{nil, h}) }
	if _, ok := s["const"]; ok {
		add(hostile{label: "not the constant", value: nul})
		return out
	}
	switch schemaType(s) {
	case "string":
		add(hostile{label: "NUL byte", value: nul})
		if n, ok := limitOf(s, "maxLength"); ok {
			add(hostile{label: "just over maxLength", value: strings.Repeat("x", n+1), overLimit: true})
		} else {
			add(hostile{label: "100k characters", value: strings.Repeat("x", 100_000)})
		}
		add(hostile{label: "object for a string", value: map[string]any{"x": 1}})
		add(hostile{label: "number for a string", value: 12})
		if _, ok := s["enum"]; ok {
			add(hostile{label: "unknown enum value", value: "bogus-value"})
		}
	case "integer", "number":
		for _, v := range []string{"2147483648", "9223372036854775808", "-1", "1e308"} {
			add(hostile{label: v, value: json.Number(v)})
		}
		add(hostile{label: "string for a number", value: "12"})
		add(hostile{label: "NUL string for a number", value: nul})
	case "boolean":
		add(hostile{label: "string for a boolean", value: "true"})
	case "array":
		items := resolveSchema(s["items"])
		item := goodValue("", items, f)
		if item == nil {
			item = "x"
		}
		n, ok := limitOf(s, "maxItems")
		if !ok {
			n = 10_000 // the decoding layer's cap on any JSON array (handlers.MaxJSONArray)
		}
		big := make([]any, n+1)
		for i := range big {
			big[i] = item
		}
		add(hostile{label: fmt.Sprintf("%d items", n+1), value: big, overLimit: ok})
		add(hostile{label: "string for an array", value: nul})
		if depth < 2 {
			for _, sub := range hostilesFor("", items, f, depth+1) {
				if a, isArr := sub.h.value.([]any); isArr && len(a) > 1000 {
					continue // oversized arrays inside arrays prove nothing more
				}
				sub.h.value = []any{sub.h.value}
				sub.path = append([]any{0}, sub.path...)
				out = append(out, sub)
			}
		}
	case "object":
		add(hostile{label: "string for an object", value: nul})
		add(hostile{label: "array for an object", value: []any{1}})
		add(hostile{label: "NUL in a key", value: map[string]any{nul: map[string]any{}}})
		props, _ := s["properties"].(map[string]any)
		if depth < 2 {
			for _, pn := range sortedKeys(props) {
				ps := resolveSchema(props[pn])
				if _, documented := ps["type"]; !documented && ps["properties"] == nil && ps["oneOf"] == nil && ps["enum"] == nil {
					continue // read-only fields, accepted and ignored
				}
				for _, sub := range hostilesFor(pn, ps, f, depth+1) {
					base, _ := goodValue(name, s, f).(map[string]any)
					if base == nil {
						base = map[string]any{}
					}
					base[pn] = sub.h.value
					sub.h.value = base
					sub.path = append([]any{pn}, sub.path...)
					out = append(out, sub)
				}
			}
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// queryHostiles are the hostile texts for a query or path parameter.
func queryHostiles(s map[string]any) []hostile {
	out := []hostile{{label: "NUL byte", text: nul}}
	if n, ok := limitOf(s, "maxLength"); ok {
		out = append(out, hostile{label: "just over maxLength", text: strings.Repeat("x", n+1), overLimit: true})
	} else {
		out = append(out, hostile{label: "4000 characters", text: strings.Repeat("x", 4000)})
	}
	for _, v := range []string{"2147483648", "9223372036854775808", "-1", "1e308", "abc", "bogus-value"} {
		out = append(out, hostile{label: v, text: v})
	}
	return out
}

type apiErrorBody struct {
	Error   *string `json:"error"`
	Details []struct {
		Message string `json:"message"`
		Path    []any  `json:"path"`
	} `json:"details"`
}

// checkAPIRefusal: a 400 is the seeds' error shape, names the field when it is at
// fault (the baseline was accepted), and stays small whatever was sent.
func checkAPIRefusal(t *testing.T, what string, status int, body string, field string, baselineOK bool, h hostile) {
	t.Helper()
	if status >= 500 && status != http.StatusBadGateway {
		t.Errorf("%s: %d %.300s", what, status, body)
		return
	}
	if h.overLimit && status < 400 {
		t.Errorf("%s: a value just over the documented limit was accepted (%d)", what, status)
	}
	if status != 400 {
		return
	}
	if len(body) > 16<<10 {
		t.Errorf("%s: error body of %d bytes", what, len(body))
	}
	var eb apiErrorBody
	if err := json.Unmarshal([]byte(body), &eb); err != nil || eb.Error == nil {
		t.Errorf("%s: not the seeds' error shape: %.300s", what, body)
		return
	}
	if len(eb.Details) > 21 {
		t.Errorf("%s: %d details (at most 20 and one saying how many more)", what, len(eb.Details))
	}
	if !baselineOK || field == "" {
		return
	}
	for _, d := range eb.Details {
		if len(d.Path) > 0 && d.Path[0] == field {
			return
		}
	}
	// Seed 001's emailSlug errors are a bare top-level message ("Email slug …").
	if strings.Contains(strings.ToLower(strings.ReplaceAll(*eb.Error, " ", "")), strings.ToLower(field)) {
		return
	}
	t.Errorf("%s: refused without naming %q: %.300s", what, field, body)
}

func TestAbuseEveryAPIFieldAndQueryParameter(t *testing.T) {
	t.Parallel()
	e := start(t)
	f := loadAbuseFixture(t, e)
	contractOnce.Do(loadContract)
	if contractErr != nil {
		t.Fatal(contractErr)
	}
	var stats abuseStats
	send := func(method, path, body string) (int, string) {
		code, resp := e.api(method, path, f.adminToken, body)
		stats.record(code)
		return code, resp
	}
	for _, r := range routesOf(e.App) {
		if !isAPI(r.Path) || r.Path == "/api/tools/catalog" && r.Method == "POST" {
			// A catalog upload that happens to be valid would replace the catalog under
			// the rest of the test; its decoder is fuzzed (db/catalog FuzzParse).
			continue
		}
		path := f.fillPath(r.Path)
		tmpl, op := operation(r.Method, path)
		if op == nil {
			t.Errorf("%s %s: not in openapi.yaml", r.Method, r.Path)
			continue
		}
		var params []any
		if item, ok := contractDoc["paths"].(map[string]any)[tmpl].(map[string]any); ok {
			params, _ = item["parameters"].([]any)
		}
		ps, _ := op["parameters"].([]any)
		params = append(params, ps...)
		var body map[string]any
		if rb, ok := op["requestBody"].(map[string]any); ok {
			body = resolveSchema(rb["content"].(map[string]any)["application/json"].(map[string]any)["schema"])
		}
		baseline := func() string {
			if body == nil {
				return ""
			}
			v := goodValue("", body, f)
			if props, ok := body["properties"].(map[string]any); ok && props["name"] != nil {
				v.(map[string]any)["name"] = fmt.Sprintf("abuse %d", abuseSeq.Add(1))
			}
			b, _ := json.Marshal(v)
			return string(b)
		}
		// Writes whose baseline would delete or revoke a fixture are not sent plainly.
		baselineOK := false
		if r.Method != "DELETE" {
			code, resp := send(r.Method, path, baseline())
			if code >= 500 && code != http.StatusBadGateway { // 502: the card host (nothing listens there) failed
				t.Errorf("%s %s baseline: %d %.300s", r.Method, path, code, resp)
			}
			baselineOK = code < 400 || code == 409 || code == 502
		}
		for _, p := range params {
			pm := resolveSchema(p)
			name, in := pm["name"].(string), pm["in"].(string)
			ps := resolveSchema(pm["schema"])
			for _, h := range queryHostiles(ps) {
				target := path
				switch in {
				case "query":
					target = path + "?" + url.Values{name: {h.text}}.Encode()
				case "path":
					target = f.fillPath(strings.Replace(r.Path, ":"+name, url.PathEscape(h.text), 1))
				}
				what := fmt.Sprintf("%s %s %s=%s", r.Method, r.Path, name, h.label)
				code, resp := send(r.Method, target, baseline())
				checkAPIRefusal(t, what, code, resp, map[bool]string{true: name}[in == "query"], baselineOK, h)
			}
		}
		if body == nil {
			continue
		}
		for _, root := range []any{nul, []any{1}, 12, strings.Repeat("x", 1000)} {
			raw, _ := json.Marshal(root)
			code, resp := send(r.Method, path, string(raw))
			checkAPIRefusal(t, fmt.Sprintf("%s %s body %.20q", r.Method, r.Path, string(raw)), code, resp, "", false, hostile{})
		}
		props, _ := body["properties"].(map[string]any)
		for _, name := range sortedKeys(props) {
			ps := resolveSchema(props[name])
			if _, documented := ps["type"]; !documented && ps["properties"] == nil && ps["oneOf"] == nil && ps["enum"] == nil {
				continue
			}
			for _, ha := range hostilesFor(name, ps, f, 0) {
				var v map[string]any
				json.Unmarshal([]byte(baseline()), &v)
				if v == nil {
					v = map[string]any{}
				}
				v[name] = ha.h.value
				raw, _ := json.Marshal(v)
				what := fmt.Sprintf("%s %s %s%v: %s", r.Method, r.Path, name, ha.path, ha.h.label)
				code, resp := send(r.Method, path, string(raw))
				checkAPIRefusal(t, what, code, resp, name, baselineOK, ha.h)
			}
		}
	}
	stats.log(t, "API")
	if stats.fiveXX.Load() > 0 {
		t.Errorf("%d answers were 5xx", stats.fiveXX.Load())
	}
}

// --- the console side ---

// consoleForm is one <form> of a page, with what a browser would submit by default.
type consoleForm struct {
	page, method, action string
	fields               []formField
}

type formField struct {
	name, kind string // kind: the input type, "select", "select-multiple" or "textarea"
	value      string
	maxLength  int
	options    []string
}

// formsOf parses a page's forms (action from action= or hx-post=).
func formsOf(page, doc string) []consoleForm {
	root, err := html.Parse(strings.NewReader(doc))
	if err != nil {
		return nil
	}
	attr := func(n *html.Node, key string) (string, bool) {
		for _, a := range n.Attr {
			if a.Key == key {
				return a.Val, true
			}
		}
		return "", false
	}
	var forms []consoleForm
	var cur *consoleForm
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "form":
				method, _ := attr(n, "method")
				action, _ := attr(n, "action")
				if hx, ok := attr(n, "hx-post"); ok {
					method, action = "post", hx
				}
				if action == "" {
					action = page
				}
				forms = append(forms, consoleForm{page: page, method: strings.ToUpper(method), action: action})
				prev := cur
				cur = &forms[len(forms)-1]
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					walk(c)
				}
				// forms is appended to while walking: re-find by index
				cur = prev
				return
			case "input", "select", "textarea":
				if cur == nil {
					break
				}
				name, _ := attr(n, "name")
				if name == "" || name == "_csrf" {
					break
				}
				ff := formField{name: name, kind: n.Data}
				if n.Data == "input" {
					ff.kind, _ = attr(n, "type")
					ff.value, _ = attr(n, "value")
					if _, checked := attr(n, "checked"); (ff.kind == "checkbox" || ff.kind == "radio") && !checked {
						ff.value = ""
					}
				}
				if ml, ok := attr(n, "maxlength"); ok {
					ff.maxLength, _ = strconv.Atoi(ml)
				}
				if n.Data == "textarea" && n.FirstChild != nil {
					ff.value = n.FirstChild.Data
				}
				if n.Data == "select" {
					if _, multi := attr(n, "multiple"); multi {
						ff.kind = "select-multiple"
					}
					var opts func(*html.Node)
					opts = func(o *html.Node) {
						if o.Type == html.ElementNode && o.Data == "option" {
							v, _ := attr(o, "value")
							ff.options = append(ff.options, v)
							if _, sel := attr(o, "selected"); sel || ff.value == "" && ff.kind == "select" {
								ff.value = v
							}
						}
						for c := o.FirstChild; c != nil; c = c.NextSibling {
							opts(c)
						}
					}
					opts(n)
				}
				cur.fields = append(cur.fields, ff)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	return forms
}

// formHostiles are the hostile texts for one form field.
func formHostiles(ff formField) []hostile {
	long := 100_000
	if ff.maxLength > 0 {
		long = ff.maxLength + 1
	}
	out := []hostile{
		{label: "NUL byte", text: nul},
		{label: fmt.Sprintf("%d characters", long), text: strings.Repeat("x", long)},
		{label: "10001 lines", text: strings.Repeat("x\n", 10_001)},
		{label: "oversized list (10001 values)", text: "1", multi: 10_001},
		{label: "unknown option", text: "bogus-value"},
	}
	for _, v := range []string{"2147483648", "9223372036854775808", "-1", "1e308", "abc"} {
		out = append(out, hostile{label: v, text: v})
	}
	return out
}

func TestAbuseEveryConsoleForm(t *testing.T) {
	t.Parallel()
	e := start(t)
	f := loadAbuseFixture(t, e)
	admin := e.client().mustLogin("admin@demo.test", "demo-admin-pass")
	anon := e.client()
	var stats abuseStats

	// Every page the router serves, as an admin (and the login page anonymously).
	type pageOf struct {
		c    *client
		path string
	}
	pages := []pageOf{{anon, "/login"}}
	for _, r := range routesOf(e.App) {
		if r.Method == "GET" && !isAPI(r.Path) && r.Path != "/" && r.Path != "/admin/cards/progress" && r.Path != "/picker" && r.Path != "/reviews-count" { // fragments, not pages
			pages = append(pages, pageOf{admin, f.fillPath(r.Path)})
		}
	}
	seen := map[string]bool{}
	var forms []struct {
		c    *client
		form consoleForm
	}
	for _, p := range pages {
		resp, doc := p.c.get(p.path)
		stats.record(resp.StatusCode)
		if resp.StatusCode != 200 {
			t.Errorf("GET %s: %d", p.path, resp.StatusCode)
			continue
		}
		for _, fm := range formsOf(p.path, doc) {
			names := make([]string, len(fm.fields))
			for i, ff := range fm.fields {
				names[i] = ff.name
			}
			// One form per action and field set: list rows repeat the same form.
			key := fm.method + " " + routePattern(e, fm.action) + " " + strings.Join(names, ",")
			if seen[key] || fm.action == "/logout" || len(fm.fields) == 0 {
				continue
			}
			seen[key] = true
			forms = append(forms, struct {
				c    *client
				form consoleForm
			}{p.c, fm})
		}
	}
	if len(forms) < 10 {
		t.Fatalf("only %d forms found", len(forms))
	}
	csrf := map[*client]string{admin: admin.csrf("/account"), anon: anon.csrf("/login")}
	for _, fc := range forms {
		fm := fc.form
		done := map[string]bool{}
		for i, target := range fm.fields {
			// One target per field name: 23 tool checkboxes are one field.
			if target.kind == "submit" || target.kind == "button" || done[target.name] {
				continue
			}
			done[target.name] = true
			for _, h := range formHostiles(target) {
				if h.multi > 0 && !multiValued(fm.fields, target.name) || h.label == "10001 lines" && target.kind != "textarea" {
					continue
				}
				if fm.method == "GET" && len(h.text)*max(h.multi, 1) > 8000 {
					// A URL longer than the server's 16 KB header buffer is refused
					// (431) before any handler; keep GET forms' values within it.
					h.text, h.multi = strings.Repeat("x", 8000), 0
				}
				values := url.Values{}
				for j, ff := range fm.fields {
					if j == i || ff.name == target.name && h.multi > 0 {
						continue
					}
					if ff.value != "" || ff.kind == "text" || ff.kind == "textarea" {
						values.Add(ff.name, ff.value)
					}
				}
				n := max(h.multi, 1)
				for range n {
					values.Add(target.name, h.text)
				}
				what := fmt.Sprintf("%s %s (form on %s) %s=%s", fm.method, fm.action, fm.page, target.name, h.label)
				var resp *http.Response
				var body string
				if fm.method == "GET" {
					resp, body = fc.c.get(fm.action + "?" + values.Encode())
				} else {
					resp, body = fc.c.post(fm.action, values, csrf[fc.c])
				}
				stats.record(resp.StatusCode)
				switch {
				case resp.StatusCode >= 500:
					t.Errorf("%s: %d %.300s", what, resp.StatusCode, body)
				case resp.StatusCode == 403:
					t.Errorf("%s: 403 %.300s", what, body)
				case resp.StatusCode >= 400 && resp.StatusCode != 401 && resp.StatusCode != 429:
					if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || strings.TrimSpace(body) == "" {
						t.Errorf("%s: %d refusal without a page: %q %.200s", what, resp.StatusCode, resp.Header.Get("Content-Type"), body)
					}
					if len(body) > 2<<20 {
						t.Errorf("%s: refusal of %d bytes", what, len(body))
					}
				}
			}
		}
	}
	stats.log(t, fmt.Sprintf("console (%d pages, %d forms)", len(pages), len(forms)))
	if stats.fiveXX.Load() > 0 {
		t.Errorf("%d answers were 5xx", stats.fiveXX.Load())
	}
}

func multiValued(fields []formField, name string) bool {
	n := 0
	for _, ff := range fields {
		if ff.name == name {
			n++
			if ff.kind == "select-multiple" {
				return true
			}
		}
	}
	return n > 1
}

// routePattern maps a concrete path to the router's pattern (for de-duplicating forms).
func routePattern(e *env, path string) string {
	path = strings.SplitN(path, "?", 2)[0]
	for _, r := range e.App.GetRoutes(true) {
		if segmentsMatch(strings.ReplaceAll(r.Path, ":", "{"), path) {
			return r.Path
		}
	}
	return path
}
