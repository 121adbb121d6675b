package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// Two people (two browsers) edit one agent from the same version. Different fields:
// both saves succeed and the agent holds both edits, the second told what was merged
// in from whom. The same field: the second sees a conflict naming who saved, theirs
// and hers side by side, picks one, and the agent ends with her choice plus the other
// person's edit to another field.
func TestBrowserTwoPeopleEditOneAgent(t *testing.T) {
	e := start(t)
	reviewer := e.token("reviewer@demo.test")
	id := itoa(int64(decode(t, mustAPI(t, e, e.token("builder@demo.test"), "POST", "/api/agents", `{"name":"Front desk","description":"d0"}`))["id"].(float64)))
	alice, bob := browser(t), browser(t)
	browserLogin(t, alice, e.URL, "builder@demo.test", "demo-builder-pass")
	browserLogin(t, bob, e.URL, "admin@demo.test", "demo-admin-pass")
	open := func(ctx context.Context) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Navigate(e.URL+"/agents/"+id), chromedp.WaitVisible(chromedp.CSS(`#description`)), settled()); err != nil {
			t.Fatal(err)
		}
	}
	set := func(sel, value string) chromedp.Action[chromedp.Void] {
		return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
			if _, err := clearInput(sel)(ctx, tg); err != nil {
				return chromedp.Void{}, err
			}
			return chromedp.SendKeys(chromedp.CSS(sel), value)(ctx, tg)
		}
	}
	save := chromedp.Click(chromedp.CSS(`[data-testid=save-agent]`))

	// Different fields: Bob the description, Alice the name, both from the same version.
	open(alice)
	open(bob)
	if err := chromedp.Do(bob, set(`#description`, "Answers the front desk"), settled(), save, waitText(`[data-testid=flashes]`, "Saved")); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(alice, set(`#name`, "Reception"), settled(), save,
		waitText(`[data-testid=flashes]`, "Saved. Merged admin@demo.test’s changes to Description.")); err != nil {
		t.Fatal(err)
	}
	a := decode(t, mustAPI(t, e, reviewer, "GET", "/api/agents/"+id, ""))
	if a["name"] != "Reception" || a["description"] != "Answers the front desk" {
		t.Fatalf("after two saves of different fields: name %v, description %v", a["name"], a["description"])
	}

	// The same field: both change the description, Bob also the name.
	open(alice)
	open(bob)
	if err := chromedp.Do(bob, set(`#description`, "Bob's words"), set(`#name`, "Reception desk"), settled(), save, waitText(`[data-testid=flashes]`, "Saved")); err != nil {
		t.Fatal(err)
	}
	err := chromedp.Do(alice, set(`#description`, "Alice's words"), settled(), save,
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=conflict]`)),
		waitText(`[data-testid=conflict]`, "admin@demo.test saved this agent"),
		waitText(`[data-testid="theirs-description"]`, "Bob's words"),
		waitText(`[data-testid="mine-description"]`, "Alice's words"),
	)
	if err != nil {
		t.Fatal(err)
	}
	// The form already holds Bob's other change; nothing was saved yet.
	name, err := chromedp.Run(alice, chromedp.Value(chromedp.CSS(`#name`)))
	if err != nil || name != "Reception desk" {
		t.Fatalf("form name %q (%v): Bob's change to another field is missing", name, err)
	}
	if a := decode(t, mustAPI(t, e, reviewer, "GET", "/api/agents/"+id, "")); a["description"] != "Bob's words" {
		t.Fatalf("the conflicting save changed the agent: %v", a["description"])
	}
	if err := chromedp.Do(alice, chromedp.Click(chromedp.CSS(`[data-testid="keep-mine-description"]`)), save,
		waitText(`[data-testid=flashes]`, "Saved")); err != nil {
		t.Fatal(err)
	}
	a = decode(t, mustAPI(t, e, reviewer, "GET", "/api/agents/"+id, ""))
	if a["description"] != "Alice's words" || a["name"] != "Reception desk" {
		t.Fatalf("final agent: name %v, description %v", a["name"], a["description"])
	}
	if text := text(t, alice, `[data-testid=flashes]`); strings.Contains(text, "Merged") {
		t.Fatalf("the resolved save came from the live version, nothing to merge: %q", text)
	}
}
