package web_test

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserBulkChoiceNeededStopsOnlyItsButton: Change model pressed with no model
// chosen says so and posts nothing; the other buttons of the bar still ask their own
// question afterwards (the model's "Choose …" once stayed on and blocked them all).
func TestBrowserBulkChoiceNeededStopsOnlyItsButton(t *testing.T) {
	e := start(t)
	tok := e.token("admin@demo.test")
	mustAPI(t, e, tok, "POST", "/api/agents", `{"name":"Bulk one"}`)
	ctx := browser(t)
	d := handleDialogs(ctx, t)
	d.answer(false)
	browserLogin(t, ctx, e.URL, "admin@demo.test", "demo-admin-pass")
	err := chromedp.Do(ctx,
		chromedp.Navigate(e.URL+"/agents"),
		settled(),
	)
	if err != nil {
		t.Fatal(err)
	}
	// Clicked as a script would: some of the bar's buttons sit in closed pop-overs.
	if _, err := js[bool](ctx, `(() => { document.querySelector("[data-select-item]").click(); document.querySelector("[data-testid=bulk-model]").click(); return true; })()`); err != nil {
		t.Fatal(err)
	}
	if err := pollJS(ctx, `document.querySelector("#bulk-model").validationMessage === "Choose the model to change to."`, 30*time.Second); err != nil {
		t.Fatalf("Change model without a model did not say so: %v", err)
	}
	before := fingerprint(t, e)
	for _, b := range []string{"bulk-delete", "bulk-publish"} {
		if _, err := js[bool](ctx, `(() => { document.querySelector("[data-testid=`+b+`]").click(); return true; })()`); err != nil {
			t.Fatal(err)
		}
		if msg := d.wait(30 * time.Second); msg == "" {
			t.Fatalf("%s asked nothing after Change model was refused", b)
		}
	}
	if diff := fingerprintDiff(before, fingerprint(t, e)); len(diff) > 0 {
		t.Fatalf("Cancel changed %v", diff)
	}
}
