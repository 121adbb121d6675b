package web_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// A change request's page reads as a proposal while the request is open (approved or
// with changes requested included) and as what happened once merged or closed: no
// "proposes", "Proposed" column, "of the current proposal" or live-agent comparison
// ("merging combines both") on a merged request, and a closed one says nothing in it
// was applied.
func TestChangeRequestPageWordsFollowItsState(t *testing.T) {
	t.Parallel()
	e := start(t)
	admin, builder, reviewer := e.token("admin@demo.test"), e.token("builder@demo.test"), e.token("reviewer@demo.test")
	id, _ := protectedAgent(t, e, admin)
	propose := func(desc string) string {
		code, body := e.api("PUT", fmt.Sprintf("/api/agents/%d", id), builder, `{"description":"`+desc+`"}`)
		if code != http.StatusAccepted {
			t.Fatalf("propose: %d %s", code, body)
		}
		return itoa(int64(decode(t, body)["id"].(float64)))
	}
	a := e.client().mustLogin("admin@demo.test", "demo-admin-pass")
	page := func(cr string) string {
		_, html := a.get("/reviews/" + cr)
		return html
	}
	proposal := []string{"proposes to", "→ proposal)", `<th class="table-head">Proposed</th>`, "required approvals of the current proposal"}
	cr := propose("first")
	check := func(state string, want, not []string) {
		t.Helper()
		html := page(cr)
		for _, w := range want {
			if !strings.Contains(html, w) {
				t.Errorf("%s request: missing %q", state, w)
			}
		}
		for _, n := range not {
			if strings.Contains(html, n) {
				t.Errorf("%s request: still says %q", state, n)
			}
		}
	}
	check("open", proposal, []string{"proposed to", "Merged by", "Closed without merging"})
	mustAPI(t, e, reviewer, "POST", "/api/change-requests/"+cr+"/approve", "")
	check("approved", proposal, []string{"proposed to", "Merged by"})
	mustAPI(t, e, reviewer, "POST", "/api/change-requests/"+cr+"/request-changes", `{"comment":"Say more."}`)
	check("changes-requested", proposal, []string{"proposed to", "Merged by"})
	mustAPI(t, e, reviewer, "POST", "/api/change-requests/"+cr+"/approve", "")
	mustAPI(t, e, admin, "POST", "/api/change-requests/"+cr+"/merge", "")
	check("merged", []string{"proposed to", "→ merged)", `<th class="table-head">After</th>`, "Merged by admin@demo.test", " with 1 of 1 required approvals", `data-testid="merged-version"`},
		append(proposal, `data-testid="live-moved"`, `data-testid="review-diff-live"`, "merging combines"))

	cr = propose("second")
	mustAPI(t, e, builder, "POST", "/api/change-requests/"+cr+"/close", "")
	check("closed", []string{"proposed to", "Closed without merging on ", "nothing in it was applied"},
		[]string{"proposes to", "required approvals of the current proposal", "Merged by"})
}

// The overview's card filters list external agents only: with Type native the list
// says so instead of the failed-refresh banner over a list that can hold none.
func TestCardFilterWithNativeTypeSaysWhatItMeans(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := e.client().mustLogin("admin@demo.test", "demo-admin-pass")
	_, html := c.get("/agents?type=external&cardStatus=failed")
	if !strings.Contains(html, "whose last card refresh failed") {
		t.Fatalf("the failed-refresh filter lost its note")
	}
	_, html = c.get("/agents?type=native&cardStatus=failed")
	if strings.Contains(html, "whose last card refresh failed") || !strings.Contains(html, "only external agents have an agent card") {
		t.Errorf("type=native with the card filter: %s", regexp.MustCompile(`(?s)data-testid="flashes".*?</div>`).FindString(html))
	}
	// A note about what the list shows, not an outcome: not in a success's green.
	if flashes := regexp.MustCompile(`(?s)data-testid="flashes".*?</div>`).FindString(html); strings.Contains(flashes, `data-flash="success"`) || !strings.Contains(flashes, `data-flash="info"`) {
		t.Errorf("the filter notes are not drawn as notes: %s", flashes)
	}
}

// The review count sits beside Reviews in the nav (it sat after Admin), and the sync
// preview says what its "#n" numbers are.
func TestReviewCountBesideReviewsAndSyncIDsExplained(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := e.client().mustLogin("admin@demo.test", "demo-admin-pass")
	_, html := c.get("/agents")
	nav := regexp.MustCompile(`(?s)data-testid="main-nav".*?</nav>`).FindString(html)
	if !regexp.MustCompile(`>Reviews</a>\s*<span hx-get="/reviews-count"`).MatchString(nav) {
		t.Errorf("the review count does not follow Reviews in the nav: %s", nav)
	}
	if strings.Count(html, `hx-get="/reviews-count"`) != 1 {
		t.Error("the review count is loaded more than once per page")
	}
	if !strings.Contains(regexp.MustCompile(`(?s)data-testid="mobile-nav".*?</nav>`).FindString(html), `id="review-count-menu"`) {
		t.Error("the phone menu has no place for the review count")
	}
	mustAPI(t, e, e.token("builder@demo.test"), "POST", "/api/agents", `{"name":"Outdated","tools":{"web_search":{}}}`)
	bumpCatalog(t, e, "2027.7", "web_search")
	_, html = c.get("/admin/sync")
	if !strings.Contains(html, `data-testid="sync-agent"`) || !strings.Contains(html, `data-testid="sync-id-note"`) {
		t.Error("the sync preview lists agents with #n and does not say what n is")
	}
}
