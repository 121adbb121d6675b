package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"agentconsole/db/catalog"
)

// pick chooses an object in an editor picker: type into its search, wait for the
// result with that id, tick it (it becomes a chip).
func pick(field, query, id string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		result := `#` + field + `-results input[value="` + id + `"]`
		err := chromedp.Do(ctx,
			chromedp.SendKeys(chromedp.CSS(`#`+field), query),
			chromedp.WaitVisible(chromedp.CSS(result)),
			chromedp.Click(chromedp.CSS(result)),
			chromedp.WaitVisible(chromedp.CSS(`#`+field+`-chips input[value="`+id+`"]:checked`)),
		)
		return chromedp.Void{}, err
	}
}

// dismissDialogs answers every JavaScript dialog "no" and reports its kind.
func dismissDialogs(ctx context.Context) <-chan page.DialogType {
	dialogs := make(chan page.DialogType, 8)
	go func() {
		for ev, err := range chromedp.Events(ctx, page.JavascriptDialogOpening) {
			if err != nil {
				return
			}
			go func(kind page.DialogType) {
				chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
				dialogs <- kind
			}(ev.Type)
		}
	}()
	return dialogs
}

// TestEditorStickyHeaderCtrlSAndUnsavedWarning: the sticky header shows the live
// version and stage and stays in view with Save at the bottom of the page; an edit
// shows "Unsaved changes"; a boosted link then asks first (dismissed: the edit stays);
// Ctrl+S saves, and afterwards nothing is unsaved.
func TestEditorStickyHeaderCtrlSAndUnsavedWarning(t *testing.T) {
	t.Parallel()
	e := start(t)
	tok := e.token("builder@demo.test")
	id := itoa(int64(decode(t, mustAPI(t, e, tok, "POST", "/api/agents", `{"name":"Keyboard","description":"Old"}`))["id"].(float64)))
	ctx := browser(t)
	dialogs := dismissDialogs(ctx)
	browserLogin(t, ctx, e.URL, "builder@demo.test", "demo-builder-pass")
	err := chromedp.Do(ctx,
		chromedp.Navigate(e.URL+"/agents/"+id),
		chromedp.WaitVisible(chromedp.CSS(`#description`)),
		settled(),
		waitText(`[data-testid=bar-version]`, "live v1"),
		waitText(`[data-testid=bar-stage]`, "development"),
	)
	if err != nil {
		t.Fatal(err)
	}
	// Scrolled to the end of the form, Save is still on screen, at the top.
	if err := pollJS(ctx, `(() => { window.scrollTo(0, document.body.scrollHeight); const r = document.querySelector("[data-testid=save-agent]").getBoundingClientRect();
		return window.scrollY > 200 && r.top >= 0 && r.bottom <= 200; })()`, 30*time.Second); err != nil {
		t.Fatalf("Save is not kept in view: %v", err)
	}
	if hidden, _ := js[bool](ctx, `document.querySelector("[data-testid=unsaved-indicator]").hidden`); !hidden {
		t.Fatal("a fresh page says it has unsaved changes")
	}
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`#description`), ", edited"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=unsaved-indicator]`)),
		settled(),
		chromedp.Click(chromedp.CSS(`[data-testid=main-nav] a[href="/tags"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case kind := <-dialogs:
		if kind != page.DialogTypeConfirm {
			t.Fatalf("dialog %s, want a confirm", kind)
		}
	case <-time.After(30 * time.Second): // a guard against hanging, not a timing assertion
		t.Fatal("no question before a boosted navigation dropped the edit")
	}
	if err := pollJS(ctx, `location.pathname === "/agents/`+id+`" && document.querySelector("#description").value.includes(", edited")`, 30*time.Second); err != nil {
		t.Fatalf("the edit was lost: %v", err)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#description`)),
		chromedp.KeyEvent("s", chromedp.KeyModifiers(chromedp.ModifierCtrl)),
		waitText(`[data-testid=flashes]`, "Saved"),
		settled(),
		waitText(`[data-testid=bar-version]`, "live v2"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if body := mustAPI(t, e, tok, "GET", "/api/agents/"+id, ""); !strings.Contains(body, `, edited`) {
		t.Fatalf("Ctrl+S did not save: %s", body)
	}
	if hidden, _ := js[bool](ctx, `document.querySelector("[data-testid=unsaved-indicator]").hidden`); !hidden {
		t.Fatal("a saved page still says it has unsaved changes")
	}
}

// TestEditorRefusedSaveStaysUnsaved: a save refused for an invalid field comes back
// with what was typed and nothing saved, so the form still says "Unsaved changes" and
// leaving it still asks first.
func TestEditorRefusedSaveStaysUnsaved(t *testing.T) {
	t.Parallel()
	e := start(t)
	tok := e.token("builder@demo.test")
	id := itoa(int64(decode(t, mustAPI(t, e, tok, "POST", "/api/agents", `{"name":"Refused","description":"Old"}`))["id"].(float64)))
	ctx := browser(t)
	dialogs := dismissDialogs(ctx)
	browserLogin(t, ctx, e.URL, "builder@demo.test", "demo-builder-pass")
	long := strings.Repeat("n", 205)
	err := chromedp.Do(ctx,
		chromedp.Navigate(e.URL+"/agents/"+id),
		chromedp.WaitVisible(chromedp.CSS(`#name`)),
		settled(),
		chromedp.SetValue(chromedp.CSS(`#name`), long),
		chromedp.Click(chromedp.CSS(`[data-testid=save-agent]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=form-errors]`)),
		settled(),
	)
	if err != nil {
		t.Fatal(err)
	}
	if hidden, _ := js[bool](ctx, `document.querySelector("[data-testid=unsaved-indicator]").hidden`); hidden {
		t.Fatal("a refused save says nothing is unsaved")
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid=main-nav] a[href="/tags"]`))); err != nil {
		t.Fatal(err)
	}
	select {
	case kind := <-dialogs:
		if kind != page.DialogTypeConfirm {
			t.Fatalf("dialog %s, want a confirm", kind)
		}
	case <-time.After(30 * time.Second): // a guard against hanging, not a timing assertion
		t.Fatal("leaving a refused save did not ask first")
	}
	if err := pollJS(ctx, `document.querySelector("#name").value === "`+long+`"`, 30*time.Second); err != nil {
		t.Fatalf("the refused name was lost: %v", err)
	}
}

// schemaCatalog loads a catalog in which run_sql's configSchema also has a bounded
// integer and an enum: every kind of input the config form generates.
func schemaCatalog(t *testing.T, e *env) {
	t.Helper()
	var f map[string]any
	if err := json.Unmarshal(catalog.Bundled, &f); err != nil {
		t.Fatal(err)
	}
	f["catalogVersion"] = "schema-form"
	props := f["native"].(map[string]any)["run_sql"].(map[string]any)["configSchema"].(map[string]any)["properties"].(map[string]any)
	props["timeoutSeconds"] = map[string]any{"type": "integer", "minimum": 1, "description": "Give up after this long"}
	props["dialect"] = map[string]any{"type": "string", "enum": []any{"postgres", "mysql"}}
	raw, _ := json.Marshal(f)
	c, err := catalog.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Store.ImportCatalog(context.Background(), nil, c, raw, "cli"); err != nil {
		t.Fatal(err)
	}
}

// TestEditorConfigFormFromSchema: ticking run_sql shows its config as inputs generated
// from its configSchema (text, yes/no, number, enum) and send_email's list as lines; a
// value the schema refuses is named beside its own input, with the tool; the corrected
// form saves the same config JSON the raw textarea would have posted.
func TestEditorConfigFormFromSchema(t *testing.T) {
	t.Parallel()
	e := start(t)
	schemaCatalog(t, e)
	tok := e.token("builder@demo.test")
	id := itoa(int64(decode(t, mustAPI(t, e, tok, "POST", "/api/agents", `{"name":"Reporter"}`))["id"].(float64)))
	ctx := browser(t)
	browserLogin(t, ctx, e.URL, "builder@demo.test", "demo-builder-pass")
	err := chromedp.Do(ctx,
		chromedp.Navigate(e.URL+"/agents/"+id),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=tool-run_sql]`)),
		settled(),
	)
	if err != nil {
		t.Fatal(err)
	}
	if visible, _ := js[bool](ctx, `!document.querySelector("[data-testid=config-run_sql]").hidden`); visible {
		t.Fatal("an unticked tool shows its config")
	}
	// The search finds tools by description too.
	err = chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(`#tool-search`), "agent's address"))
	if err != nil {
		t.Fatal(err)
	}
	if err := pollJS(ctx, `document.querySelector("[data-testid=tool-run_sql]").closest("[data-tool-row]").hidden &&
		!document.querySelector("[data-testid=tool-send_email]").closest("[data-tool-row]").hidden`, 30*time.Second); err != nil {
		t.Fatalf("the tool search does not filter by description: %v", err)
	}
	if err := chromedp.Do(ctx, clearInput(`#tool-search`), chromedp.SendKeys(chromedp.CSS(`#tool-search`), "sql")); err != nil {
		t.Fatal(err)
	}
	if err := pollJS(ctx, `!document.querySelector("[data-testid=tool-run_sql]").closest("[data-tool-row]").hidden`, 30*time.Second); err != nil {
		t.Fatalf("the tool search hides a match: %v", err)
	}
	if _, err := js[any](ctx, `(() => { const s = document.querySelector("#tool-search"); s.value = ""; s.dispatchEvent(new Event("input", {bubbles: true})); })()`); err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`[data-testid=tool-run_sql]`)),
		chromedp.WaitVisible(chromedp.CSS(`#cfg-run_sql-connectionId`)),
		chromedp.SendKeys(chromedp.CSS(`#cfg-run_sql-connectionId`), "warehouse"),
		chromedp.SetValue(chromedp.CSS(`#cfg-run_sql-readOnly`), "true"),
		chromedp.SetValue(chromedp.CSS(`#cfg-run_sql-dialect`), "postgres"),
		chromedp.SendKeys(chromedp.CSS(`#cfg-run_sql-timeoutSeconds`), "0"),
		chromedp.Click(chromedp.CSS(`[data-testid=tool-send_email]`)),
		chromedp.WaitVisible(chromedp.CSS(`#cfg-send_email-allowedDomains`)),
		chromedp.SendKeys(chromedp.CSS(`#cfg-send_email-allowedDomains`), "example.com\nexample.org"),
		settled(),
	)
	if err != nil {
		t.Fatal(err)
	}
	// The raw JSON behind "Advanced" follows the form.
	if raw, _ := js[string](ctx, `document.querySelector("#cfgjson-send_email").value`); raw != `{"allowedDomains":["example.com","example.org"]}` {
		t.Fatalf("the raw JSON does not follow the form: %q", raw)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`[data-testid=save-agent]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=form-errors]`)),
		settled(),
		waitText(`#cfg-run_sql-timeoutSeconds-error`, "Config of run_sql"),
	)
	if err != nil {
		t.Fatal(err)
	}
	msg := text(t, ctx, `#cfg-run_sql-timeoutSeconds-error`)
	if !strings.Contains(msg, "timeoutSeconds") {
		t.Fatalf("the message beside timeoutSeconds does not name it: %q", msg)
	}
	if got := text(t, ctx, `#cfg-run_sql-connectionId-error`); got != "" {
		t.Fatalf("a valid input got a message: %q", got)
	}
	if invalid, _ := js[string](ctx, `document.querySelector("#cfg-run_sql-timeoutSeconds").getAttribute("aria-invalid")`); invalid != "true" {
		t.Fatal("the refused input is not marked invalid")
	}
	err = chromedp.Do(ctx,
		clearInput(`#cfg-run_sql-timeoutSeconds`),
		chromedp.SendKeys(chromedp.CSS(`#cfg-run_sql-timeoutSeconds`), "30"),
		chromedp.Click(chromedp.CSS(`[data-testid=save-agent]`)),
		waitText(`[data-testid=flashes]`, "Saved"),
	)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	json.Unmarshal([]byte(toolConfig(t, e, tok, id, "run_sql")), &got)
	want := map[string]any{"connectionId": "warehouse", "readOnly": true, "dialect": "postgres", "timeoutSeconds": float64(30)}
	if b1, b2 := asJSON(got), asJSON(want); b1 != b2 {
		t.Fatalf("run_sql config %s, want %s", b1, b2)
	}
	if cfg := toolConfig(t, e, tok, id, "send_email"); cfg != `{"allowedDomains":["example.com","example.org"]}` {
		t.Fatalf("send_email config %s", cfg)
	}
	// Reloaded, the form shows what was saved.
	if v, _ := js[string](ctx, `document.querySelector("#cfg-run_sql-timeoutSeconds").value + "|" + document.querySelector("#cfg-run_sql-readOnly").value`); v != "30|true" {
		t.Fatalf("reloaded form shows %q", v)
	}
}

func asJSON(v any) string { b, _ := json.Marshal(v); return string(b) }

// TestEditorAgentPicker: the editor carries no list of every agent; the callable-agent
// picker finds agents by name on demand (at most 20, never the agent itself), a
// ticked result becomes a chip, the save stores its id, and the reloaded page shows
// the chip by name.
func TestEditorAgentPicker(t *testing.T) {
	t.Parallel()
	e := start(t)
	tok := e.token("builder@demo.test")
	newAgent := func(name string) string {
		return itoa(int64(decode(t, mustAPI(t, e, tok, "POST", "/api/agents", `{"name":"`+name+`"}`))["id"].(float64)))
	}
	for i := range 25 {
		newAgent("Filler " + itoa(int64(i)))
	}
	beta := newAgent("Beta helper")
	id := newAgent("Front desk")
	ctx := browser(t)
	browserLogin(t, ctx, e.URL, "builder@demo.test", "demo-builder-pass")
	err := chromedp.Do(ctx,
		chromedp.Navigate(e.URL+"/agents/"+id),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=tool-call_agent]`)),
		settled(),
	)
	if err != nil {
		t.Fatal(err)
	}
	if html, _ := js[string](ctx, `document.body.innerHTML`); strings.Contains(html, "Filler") || strings.Contains(html, "Beta helper") {
		t.Fatal("the editor page carries other agents' names before any search")
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`[data-testid=tool-call_agent]`)),
		chromedp.WaitVisible(chromedp.CSS(`#cfg-call_agent`)),
		chromedp.SendKeys(chromedp.CSS(`#cfg-call_agent`), "Fill"),
		waitText(`[data-testid=results-call_agent]`, "Filler"),
		settled(),
	)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := js[int](ctx, `document.querySelectorAll("#cfg-call_agent-results input").length`); n != 20 {
		t.Fatalf("a search answered %d names, want the limit of 20", n)
	}
	err = chromedp.Do(ctx,
		clearInput(`#cfg-call_agent`),
		pick("cfg-call_agent", "beta", beta),
		chromedp.Click(chromedp.CSS(`[data-testid=save-agent]`)),
		waitText(`[data-testid=flashes]`, "Saved"),
		waitText(`[data-testid=chips-call_agent]`, "Beta helper"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if cfg := toolConfig(t, e, tok, id, "call_agent"); cfg != `{"callableAgentIds":[`+beta+`]}` {
		t.Fatalf("call_agent config %s", cfg)
	}
	// The agent itself is never offered; a search answers only this organisation's.
	c := e.client().mustLogin("builder@demo.test", "demo-builder-pass")
	_, frag := c.get("/picker?for=call_agent&exclude=" + id + "&q=Front")
	if strings.Contains(frag, "Front desk") {
		t.Fatalf("the picker offers the agent itself: %s", frag)
	}
	otherEmail, otherPass := e.otherOrg()
	mustAPI(t, e, e.token(otherEmail), "POST", "/api/agents", `{"name":"Beta elsewhere"}`)
	if _, frag := c.get("/picker?for=call_agent&q=Beta"); !strings.Contains(frag, "Beta helper") || strings.Contains(frag, "Beta elsewhere") {
		t.Fatalf("the picker does not answer this organisation's agents only: %s", frag)
	}
	if _, frag := e.client().mustLogin(otherEmail, otherPass).get("/picker?for=call_agent&q=Beta"); strings.Contains(frag, "Beta helper") {
		t.Fatalf("another organisation is offered this one's agents: %s", frag)
	}
	if resp, _ := c.get("/picker?for=nothing"); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("an unknown picker answered %d", resp.StatusCode)
	}
}

// TestEditorCloneAsksForTheName: Clone offers "Copy of X" made unique, takes the name
// typed, and opens the copy; a name over the limit is refused naming the field.
func TestEditorCloneAsksForTheName(t *testing.T) {
	t.Parallel()
	e := start(t)
	tok := e.token("builder@demo.test")
	id := itoa(int64(decode(t, mustAPI(t, e, tok, "POST", "/api/agents", `{"name":"Helpdesk"}`))["id"].(float64)))
	mustAPI(t, e, tok, "POST", "/api/agents", `{"name":"Copy of Helpdesk"}`)
	ctx := browser(t)
	browserLogin(t, ctx, e.URL, "builder@demo.test", "demo-builder-pass")
	err := chromedp.Do(ctx,
		chromedp.Navigate(e.URL+"/agents/"+id),
		chromedp.Click(chromedp.CSS(`[data-testid=clone-agent]`)),
		chromedp.WaitVisible(chromedp.CSS(`#clone-name`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := js[string](ctx, `document.querySelector("#clone-name").value`); v != "Copy of Helpdesk (2)" {
		t.Fatalf("clone name offered %q", v)
	}
	err = chromedp.Do(ctx,
		clearInput(`#clone-name`),
		chromedp.SendKeys(chromedp.CSS(`#clone-name`), "Helpdesk EU"),
		chromedp.Click(chromedp.CSS(`[data-testid=clone-submit]`)),
		waitText(`[data-testid=editor-title]`, "Helpdesk EU"),
		waitText(`[data-testid=flashes]`, "Cloned"),
	)
	if err != nil {
		t.Fatal(err)
	}
	c := e.client().mustLogin("builder@demo.test", "demo-builder-pass")
	resp, _ := c.post("/agents/"+id+"/clone", url.Values{"name": {strings.Repeat("n", 300)}}, c.csrf("/agents/"+id))
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("refused clone answered %d", resp.StatusCode)
	}
	if _, page := c.get("/agents/" + id); !strings.Contains(page, "Not cloned: name of the copy") {
		t.Fatal("a refused clone does not say why, naming the field")
	}
}

// TestEditorExternalAgentShowsWhatApplies: an external agent's editor shows its card
// URL, refresh interval, card status and skills with a link to the card page, and no
// prompt, model or tools; saving it from the console leaves those fields as stored.
func TestEditorExternalAgentShowsWhatApplies(t *testing.T) {
	t.Parallel()
	e := start(t)
	admin := e.token("admin@demo.test")
	p := newPeer(t)
	body := mustAPI(t, e, admin, "POST", "/api/agents", `{"name":"Support desk","agentType":"external","systemPrompt":"Kept",
		"externalConfig":{"agentCardUrl":"`+p.srv.URL+`/.well-known/agent-card.json","refreshIntervalMinutes":60}}`)
	id := itoa(int64(decode(t, body)["id"].(float64)))
	if code, _, body := refresh(t, e, admin, id); code != 200 {
		t.Fatalf("card fetch: %d %s", code, body)
	}
	c := e.client().mustLogin("admin@demo.test", "demo-admin-pass")
	_, page := c.get("/agents/" + id)
	for _, want := range []string{`data-testid="external-section"`, `data-testid="card-skills"`, "Manage tickets", `href="/agents/` + id + `/card"`, `value="60"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the external editor lacks %s", want)
		}
	}
	for _, absent := range []string{`id="systemPrompt"`, `id="model"`, `data-testid="tool-picker"`, `href="#s-tools"`} {
		if strings.Contains(page, absent) {
			t.Errorf("the external editor shows %s", absent)
		}
	}
	version := regexp.MustCompile(`name="publishedVersionId" value="(\d+)"`).FindStringSubmatch(page)
	if version == nil {
		t.Fatal("no base version in the form")
	}
	form := url.Values{"id": {id}, "name": {"Support desk EU"}, "stage": {"development"}, "agentType": {"external"}, "publishedVersionId": {version[1]},
		"agentCardUrl": {p.srv.URL + "/.well-known/agent-card.json"}, "refreshIntervalMinutes": {"60"}, "showInChat": {"on"}}
	if resp, page := c.post("/agents/"+id, form, c.csrf("/agents/"+id)); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save answered %d: %.400s", resp.StatusCode, page)
	}
	got := decode(t, mustAPI(t, e, admin, "GET", "/api/agents/"+id, ""))
	if got["name"] != "Support desk EU" || got["systemPrompt"] != "Kept" {
		t.Fatalf("after the console save: name %v, systemPrompt %v", got["name"], got["systemPrompt"])
	}
}

// TestEditorConfigFormUntouchedSavesNothing: the config form posts back exactly what
// the agent holds when nothing was changed (an empty list stays an empty list, an
// empty string stays), so saving the editor as loaded is "No changes to save."; a
// changed input changes only its key and keeps the ones the form cannot show.
func TestEditorConfigFormUntouchedSavesNothing(t *testing.T) {
	t.Parallel()
	e := start(t)
	tok := e.token("builder@demo.test")
	id := itoa(int64(decode(t, mustAPI(t, e, tok, "POST", "/api/agents", `{"name":"Mailer","tools":{
		"send_email":{"config":{"allowedDomains":[]}},"create_ticket":{"config":{"projectKey":""}},"run_sql":{"config":{"readOnly":false}}}}`))["id"].(float64)))
	c := e.client().mustLogin("builder@demo.test", "demo-builder-pass")
	post := func(change func(url.Values)) string {
		t.Helper()
		_, page := c.get("/agents/" + id)
		for _, fm := range formsOf("/agents/"+id, page) {
			if fm.action != "/agents/"+id {
				continue
			}
			values := url.Values{}
			for _, ff := range fm.fields {
				if ff.value != "" || ff.kind == "text" || ff.kind == "textarea" {
					values.Add(ff.name, ff.value)
				}
			}
			// As a browser posts them (the form parser reads an unvalued checkbox as
			// empty and a select whose first option is "" as its last one).
			values.Set("showInChat", "on")
			values.Set("model", "")
			values.Set("planningMode", "")
			change(values)
			if resp, body := c.post(fm.action, values, c.csrf("/agents/"+id)); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("save answered %d: %.300s", resp.StatusCode, body)
			}
			_, after := c.get("/agents/" + id)
			return after
		}
		t.Fatal("no editor form")
		return ""
	}
	_, page := c.get("/agents/" + id)
	groups := regexp.MustCompile(`data-testid="tool-group-([^"]+)"`).FindAllStringSubmatch(page, -1)
	if len(groups) < 2 || groups[0][1] != "selected" || strings.Index(page, `data-testid="tool-send_email"`) > strings.Index(page, `data-testid="tool-group-`+groups[1][1]+`"`) {
		t.Fatalf("the agent's tools are not listed first: %v", groups)
	}
	if page := post(func(url.Values) {}); !strings.Contains(page, "No changes to save.") {
		flash := regexp.MustCompile(`(?s)data-testid="flashes".*?</div>`).FindString(page)
		_, versions := e.api("GET", "/api/agents/versions?agentId="+id, tok, "")
		t.Fatalf("saving the untouched editor changed the agent: %s\n%.2000s", flash, versions)
	}
	post(func(v url.Values) { v.Set("cfg.send_email.allowedDomains", "example.com\r\nexample.org") })
	if cfg := toolConfig(t, e, tok, id, "send_email"); cfg != `{"allowedDomains":["example.com","example.org"]}` {
		t.Fatalf("send_email config %s", cfg)
	}
	if cfg := toolConfig(t, e, tok, id, "create_ticket"); cfg != `{"projectKey":""}` {
		t.Fatalf("an untouched config changed: create_ticket %s", cfg)
	}
	if cfg := toolConfig(t, e, tok, id, "run_sql"); cfg != `{"readOnly":false}` {
		t.Fatalf("an untouched config changed: run_sql %s", cfg)
	}
}

// TestEditorCounterShowsAPastedOverlongValue: a value pasted over a field's limit is
// not cut (no maxlength): the counter says by how much it is over, and the save is
// refused naming the field.
func TestEditorCounterShowsAPastedOverlongValue(t *testing.T) {
	t.Parallel()
	e := start(t)
	id := itoa(int64(decode(t, mustAPI(t, e, e.token("builder@demo.test"), "POST", "/api/agents", `{"name":"Short"}`))["id"].(float64)))
	ctx := browser(t)
	browserLogin(t, ctx, e.URL, "builder@demo.test", "demo-builder-pass")
	long := strings.Repeat("x", 250)
	err := chromedp.Do(ctx,
		chromedp.Navigate(e.URL+"/agents/"+id),
		chromedp.WaitVisible(chromedp.CSS(`#name`)),
		settled(),
		chromedp.Focus(chromedp.CSS(`#name`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	// A paste: the whole text at once, as insertText does.
	if _, err := js[any](ctx, `document.querySelector("#name").select(); document.execCommand("insertText", false, "`+long+`")`); err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		waitText(`[data-testid=name-count]`, "250 characters (limit 200): 50 over the limit"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := js[int](ctx, `document.querySelector("#name").value.length`); v != 250 {
		t.Fatalf("the pasted name was cut to %d characters", v)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`[data-testid=save-agent]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=form-errors]`)),
		waitText(`#name-error`, "at most 200"),
	)
	if err != nil {
		t.Fatal(err)
	}
}
