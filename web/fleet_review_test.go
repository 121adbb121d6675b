package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/a2aproject/a2a-go/v2/a2a"

	"agentconsole/db"
	"agentconsole/web"
)

// policyOnTag turns the review policy on for agents carrying the tag (admin, API).
func policyOnTag(t *testing.T, e *env, admin string, tagID int64) {
	t.Helper()
	if code, body := e.api("PUT", "/api/review-policy", admin, fmt.Sprintf(`{"enabled":true,"protectReleased":false,"tagIds":[%d],"approvalsRequired":1}`, tagID)); code != http.StatusOK {
		t.Fatalf("policy: %d %s", code, body)
	}
}

// requestCall calls the API and decodes the change request it answers with status want.
func requestCall(t *testing.T, e *env, want int, method, path, token string) db.ChangeRequest {
	t.Helper()
	code, body := e.api(method, path, token, "")
	var cr db.ChangeRequest
	if code != want || json.Unmarshal([]byte(body), &cr) != nil {
		t.Fatalf("want %d with a change request, got %d %s\n%s", want, code, body, e.Logs)
	}
	return cr
}

// Must-show 3: a sync under the policy changes nothing until approved, approval applies
// all of it (unprotected agents waited with the rest), and a catalog change after
// approval makes the request stale: its merge is refused and changes nothing.
func TestSyncUnderReviewPolicy(t *testing.T) {
	t.Parallel()
	e := start(t)
	admin, builder, reviewer := e.token("admin@demo.test"), e.token("builder@demo.test"), e.token("reviewer@demo.test")
	tag := int64(decode(t, mustAPI(t, e, admin, "POST", "/api/agent-tags", `{"name":"production"}`))["id"].(float64))
	var ids []string
	for _, body := range []string{
		fmt.Sprintf(`{"name":"protected","tagIds":[%d],"tools":{"web_search":{}}}`, tag),
		`{"name":"unprotected","tools":{"web_search":{}}}`,
		`{"name":"untouched","tools":{"scrape_url":{}}}`,
	} {
		a := decode(t, mustAPI(t, e, builder, "POST", "/api/agents", body))
		ids = append(ids, itoa(int64(a["id"].(float64))))
	}
	policyOnTag(t, e, admin, tag)
	bumpCatalog(t, e, "2027.7", "web_search")
	agents := func() string {
		var b strings.Builder
		for _, id := range ids {
			_, body := e.api("GET", "/api/agents/"+id, admin, "")
			b.WriteString(body)
		}
		return b.String()
	}
	before := agents()

	cr := requestCall(t, e, http.StatusAccepted, "POST", "/api/agents/sync-tools", admin)
	if cr.Kind != db.ChangeSync || cr.Status != db.StatusOpen || cr.AgentID != 0 {
		t.Fatalf("sync request: %+v", cr)
	}
	var proposed struct {
		Agents  []db.AgentRef `json:"agents"`
		Changes []struct{ Tool string }
	}
	json.Unmarshal(cr.Proposed, &proposed)
	if len(proposed.Agents) != 2 || fmt.Sprint(proposed.Agents[0].ID) != ids[0] || fmt.Sprint(proposed.Agents[1].ID) != ids[1] ||
		len(proposed.Changes) != 1 || proposed.Changes[0].Tool != "web_search" {
		t.Fatalf("the request's diff is not the sync preview: %s", cr.Proposed)
	}
	// Syncing again is the same one request, not another.
	again := requestCall(t, e, http.StatusAccepted, "POST", "/api/agents/sync-tools", admin)
	if again.ID != cr.ID || again.Revision != 1 {
		t.Fatalf("second sync opened another request or revised it: %+v", again)
	}
	if after := agents(); after != before {
		t.Fatalf("the gated sync changed agents:\n%s\n%s", before, after)
	}
	// Nothing merges without an approval; the author may not approve their own.
	merge := fmt.Sprintf("/api/change-requests/%d/merge", cr.ID)
	if code, body := e.api("POST", merge, admin, ""); code != http.StatusConflict {
		t.Fatalf("merge without approval: %d %s", code, body)
	}
	if code, body := e.api("POST", fmt.Sprintf("/api/change-requests/%d/approve", cr.ID), admin, ""); code != http.StatusForbidden {
		t.Fatalf("author approves: %d %s", code, body)
	}
	if after := agents(); after != before {
		t.Fatal("refused actions changed agents")
	}
	// The console offers the author no Approve the store would refuse, and asks a
	// sync's merge as a sync, not as one agent's change.
	_, own := e.client().mustLogin("admin@demo.test", "demo-admin-pass").get(fmt.Sprintf("/reviews/%d", cr.ID))
	if strings.Contains(own, `data-testid="approve"`) {
		t.Error("the author's page of their own sync request offers Approve")
	}
	if !strings.Contains(own, "Run this sync?") {
		t.Error("the sync request's merge confirmation does not say it runs the sync")
	}
	if !strings.Contains(own, "will change.") {
		t.Error("an open sync request's diff is not said as a preview")
	}
	requestCall(t, e, http.StatusOK, "POST", fmt.Sprintf("/api/change-requests/%d/approve", cr.ID), reviewer)
	// Builders merge agent requests, not the sync.
	if code, body := e.api("POST", merge, builder, ""); code != http.StatusForbidden {
		t.Fatalf("builder merges a sync: %d %s", code, body)
	}
	merged := requestCall(t, e, http.StatusOK, "POST", merge, admin)
	if merged.Status != db.StatusMerged {
		t.Fatalf("merge: %+v", merged)
	}
	for i, id := range ids {
		_, versions := e.api("GET", "/api/agents/versions?agentId="+id, admin, "")
		if synced := strings.Contains(versions, `"source":"sync"`); synced != (i < 2) {
			t.Fatalf("agent %d synced=%t: %s", i, synced, versions)
		}
	}
	if _, preview := e.api("GET", "/api/agents/sync-tools/preview", admin, ""); !strings.Contains(preview, `"agents":[]`) {
		t.Fatalf("agents still outdated after the merge: %s", preview)
	}
	// Once merged, the request's page is the record of what the sync did, not a preview.
	if _, page := e.client().mustLogin("admin@demo.test", "demo-admin-pass").get(fmt.Sprintf("/reviews/%d", cr.ID)); strings.Contains(page, "will change") || !strings.Contains(page, "What the sync changed") ||
		strings.Contains(page, ">After sync<") || strings.Contains(page, ">Now<") || strings.Contains(page, "proposes to") {
		t.Error("a merged sync request still reads as a preview")
	}

	// Stale: approved, then the catalog changes; the merge is refused and changes nothing.
	bumpCatalog(t, e, "2027.8", "web_search")
	cr2 := requestCall(t, e, http.StatusAccepted, "POST", "/api/agents/sync-tools", admin)
	if cr2.ID == cr.ID {
		t.Fatal("a merged request was reused")
	}
	requestCall(t, e, http.StatusOK, "POST", fmt.Sprintf("/api/change-requests/%d/approve", cr2.ID), reviewer)
	bumpCatalog(t, e, "2027.9", "web_search")
	before = agents()
	code, body := e.api("POST", fmt.Sprintf("/api/change-requests/%d/merge", cr2.ID), admin, "")
	if code != http.StatusConflict || !strings.Contains(body, "stale") {
		t.Fatalf("stale merge: %d %s", code, body)
	}
	if after := agents(); after != before {
		t.Fatal("a refused stale merge changed agents")
	}
	page := e.client().mustLogin("admin@demo.test", "demo-admin-pass")
	if _, html := page.get(fmt.Sprintf("/reviews/%d", cr2.ID)); !strings.Contains(html, `data-testid="review-stale"`) || !strings.Contains(html, `data-testid="sync-preview"`) {
		t.Fatalf("the request page does not show the stale sync preview:\n%s", html)
	}
	// Syncing again brings the request up to date: a new revision, earlier approvals stale.
	cr3 := requestCall(t, e, http.StatusAccepted, "POST", "/api/agents/sync-tools", admin)
	if cr3.ID != cr2.ID || cr3.Revision != 2 || cr3.Approvals != 0 || cr3.Status != db.StatusOpen {
		t.Fatalf("refreshed request: %+v", cr3)
	}
	// The console's "Sync all agents" says so, and goes to the request.
	if _, html := page.get("/admin/sync"); !strings.Contains(html, `data-testid="sync-gated"`) || !strings.Contains(html, fmt.Sprintf("Change request #%d", cr2.ID)) {
		t.Fatalf("sync page does not say the sync is gated:\n%s", html)
	}
	resp, _ := page.post("/admin/sync", url.Values{}, page.csrf("/admin/sync"))
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != fmt.Sprintf("/reviews/%d", cr2.ID) {
		t.Fatalf("console sync: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	// Policy off: the sync is seed 000's again, and the open request, holding nothing
	// any more, is closed.
	mustAPI(t, e, admin, "PUT", "/api/review-policy", `{"enabled":false}`)
	if code, body := e.api("POST", "/api/agents/sync-tools", admin, ""); code != http.StatusOK || !strings.HasPrefix(body, `{"success":true,"updated":2,`) {
		t.Fatalf("sync with the policy off: %d %s", code, body)
	}
	if cr := requestCall(t, e, http.StatusOK, "GET", fmt.Sprintf("/api/change-requests/%d", cr2.ID), admin); cr.Status != db.StatusClosed {
		t.Fatalf("the open sync request stayed %s", cr.Status)
	}
	// Closed, its page says what it proposed and that nothing ran, not "will change".
	if _, html := page.get(fmt.Sprintf("/reviews/%d", cr2.ID)); strings.Contains(html, "will change") || strings.Contains(html, "proposes to") ||
		!strings.Contains(html, "would have changed") || !strings.Contains(html, "Closed without merging") {
		t.Error("a closed sync request still reads as an open preview")
	}
	usageAgrees(t, e)
}

// The admin's choice: with syncUnprotectedNow, a gated sync changes the unprotected
// agents at once and the request holds only the protected ones.
func TestSyncUnprotectedNowSyncsTheRestAtOnce(t *testing.T) {
	t.Parallel()
	e := start(t)
	admin, builder, reviewer := e.token("admin@demo.test"), e.token("builder@demo.test"), e.token("reviewer@demo.test")
	tag := int64(decode(t, mustAPI(t, e, admin, "POST", "/api/agent-tags", `{"name":"production"}`))["id"].(float64))
	protected := itoa(int64(decode(t, mustAPI(t, e, builder, "POST", "/api/agents", fmt.Sprintf(`{"name":"protected","tagIds":[%d],"tools":{"web_search":{}}}`, tag)))["id"].(float64)))
	free := itoa(int64(decode(t, mustAPI(t, e, builder, "POST", "/api/agents", `{"name":"free","tools":{"web_search":{}}}`))["id"].(float64)))
	mustAPI(t, e, admin, "PUT", "/api/review-policy", fmt.Sprintf(`{"enabled":true,"protectReleased":false,"tagIds":[%d],"syncUnprotectedNow":true}`, tag))
	bumpCatalog(t, e, "2027.7", "web_search")
	synced := func(id string) bool {
		_, v := e.api("GET", "/api/agents/versions?agentId="+id, admin, "")
		return strings.Contains(v, `"source":"sync"`)
	}
	cr := requestCall(t, e, http.StatusAccepted, "POST", "/api/agents/sync-tools", admin)
	var proposed struct{ Agents []db.AgentRef }
	json.Unmarshal(cr.Proposed, &proposed)
	if !synced(free) || synced(protected) || len(proposed.Agents) != 1 || itoa(proposed.Agents[0].ID) != protected {
		t.Fatalf("free synced %t, protected synced %t, request holds %+v", synced(free), synced(protected), proposed.Agents)
	}
	requestCall(t, e, http.StatusOK, "POST", fmt.Sprintf("/api/change-requests/%d/approve", cr.ID), reviewer)
	requestCall(t, e, http.StatusOK, "POST", fmt.Sprintf("/api/change-requests/%d/merge", cr.ID), admin)
	if !synced(protected) {
		t.Fatal("merge did not sync the protected agent")
	}
	usageAgrees(t, e)
}

// Must-show 4: a refresh of a protected external agent holds the new card as pending —
// the approved card, skills and roles stay in force in the API and on the page; scheduled
// refreshes update the one open request — and merging applies the card and its roles.
func TestProtectedCardRefreshWaitsForApproval(t *testing.T) {
	t.Parallel()
	unit := 200 * time.Millisecond
	e := start(t, func(c *web.Config) { c.CardTick, c.CardUnit = 20*time.Millisecond, unit })
	p := newPeer(t)
	admin, builder, reviewer := e.token("admin@demo.test"), e.token("builder@demo.test"), e.token("reviewer@demo.test")
	mustAPI(t, e, admin, "POST", "/api/skill-role-rules", `{"match":"*","roles":["reader"]}`)
	mustAPI(t, e, admin, "POST", "/api/skill-role-rules", `{"match":"chat","roles":["chat-operator"]}`)
	tag := int64(decode(t, mustAPI(t, e, admin, "POST", "/api/agent-tags", `{"name":"production"}`))["id"].(float64))
	a := decode(t, mustAPI(t, e, builder, "POST", "/api/agents", fmt.Sprintf(
		`{"name":"Support desk","agentType":"external","tagIds":[%d],"externalConfig":{"endpointUrl":"%s/a2a","refreshIntervalMinutes":1}}`, tag, p.srv.URL)))
	id := itoa(int64(a["id"].(float64)))
	if code, _, body := refresh(t, e, builder, id); code != http.StatusOK {
		t.Fatalf("first refresh (policy off): %d %s", code, body)
	}
	policyOnTag(t, e, admin, tag)
	_, approved := e.api("GET", "/api/agents/"+id+"/agent-card", builder, "")
	_, versionsBefore := e.api("GET", "/api/agents/versions?agentId="+id, builder, "")

	p.set(func(c *a2a.AgentCard) {
		c.Skills = []a2a.AgentSkill{
			{ID: "tickets", Name: "Tickets", Description: "Manage tickets", Tags: []string{"support"}},
			{ID: "faq", Name: "FAQ", Description: "Answer questions", Tags: []string{"kb"}},
			{ID: "live-chat", Name: "Live chat", Description: "Chat with customers", Tags: []string{"chat"}},
		}
	})
	code, body := e.api("POST", "/api/agents/"+id+"/refresh-agent-card", builder, "")
	var got struct {
		ChangeReport struct {
			SkillsAdded, SkillsRemoved, RolesAutoApplied []string
			Pending                                      bool
			ChangeRequestID                              int64
		}
	}
	json.Unmarshal([]byte(body), &got)
	rep := got.ChangeReport
	if code != http.StatusAccepted || !rep.Pending || rep.ChangeRequestID == 0 || strings.Join(rep.SkillsAdded, ",") != "live-chat" ||
		strings.Join(rep.SkillsRemoved, ",") != "email-support" || strings.Join(rep.RolesAutoApplied, ",") != "chat-operator,reader" {
		t.Fatalf("pending refresh: %d %s", code, body)
	}
	crID := rep.ChangeRequestID
	inForce := func(when string) {
		t.Helper()
		if _, st := e.api("GET", "/api/agents/"+id+"/agent-card", builder, ""); !sameCardState(st, approved) {
			t.Fatalf("%s: the card in force changed:\n%s\n%s", when, approved, st)
		}
		if _, v := e.api("GET", "/api/agents/versions?agentId="+id, builder, ""); v != versionsBefore {
			t.Fatalf("%s: a version was added: %s", when, v)
		}
	}
	inForce("after the refresh")
	page := e.client().mustLogin("builder@demo.test", "demo-builder-pass")
	_, html := page.get("/agents/" + id + "/card")
	if !strings.Contains(html, "email-support") || strings.Contains(html, "live-chat") || !strings.Contains(html, `data-testid="card-pending"`) {
		t.Fatalf("the card page does not show the approved card with the pending note:\n%s", html)
	}
	// The scheduler keeps fetching the same new card: the one request stays as it is.
	waitFor(t, "scheduled pending refreshes", func(int) bool { return pendingScheduled(t, e, id) >= 2 }, 0)
	inForce("after scheduled refreshes")
	_, list := e.api("GET", "/api/change-requests?agentId="+id, builder, "")
	if strings.Count(list, `"kind":"card"`) != 1 {
		t.Fatalf("scheduled refreshes opened more requests: %s", list)
	}
	_, html = page.get(fmt.Sprintf("/reviews/%d", crID))
	if !strings.Contains(html, `data-testid="review-card-change"`) || !strings.Contains(html, "chat-operator, reader") {
		t.Fatalf("the request page does not show the pending card:\n%s", html)
	}

	// Approved, then fetched again unchanged by the scheduler: the approval stands.
	approve := fmt.Sprintf("/api/change-requests/%d/approve", crID)
	requestCall(t, e, http.StatusOK, "POST", approve, reviewer)
	waitFor(t, "a scheduled refresh after the approval", func(n int) bool { return pendingScheduled(t, e, id) > n }, pendingScheduled(t, e, id))
	if cr := requestCall(t, e, http.StatusOK, "GET", fmt.Sprintf("/api/change-requests/%d", crID), builder); cr.Status != db.StatusApproved || cr.Revision != 1 {
		t.Fatalf("the same card fetched again changed the request: %+v", cr)
	}
	// The host changes the card again: the scheduler updates the same request, whose
	// approval is now stale.
	p.set(func(c *a2a.AgentCard) { c.Skills[1].Description = "Answer questions from the knowledge base" })
	waitFor(t, "the request revised by the scheduler", func(int) bool {
		cr := requestCall(t, e, http.StatusOK, "GET", fmt.Sprintf("/api/change-requests/%d", crID), builder)
		return cr.Revision == 2 && cr.Status == db.StatusOpen && cr.Approvals == 0
	}, 0)
	inForce("after the card changed again")
	requestCall(t, e, http.StatusOK, "POST", approve, reviewer)
	merged := requestCall(t, e, http.StatusOK, "POST", fmt.Sprintf("/api/change-requests/%d/merge", crID), builder)
	if merged.Status != db.StatusMerged || merged.MergedVersionID == nil {
		t.Fatalf("merge: %+v", merged)
	}
	_, st := e.api("GET", "/api/agents/"+id+"/agent-card", builder, "")
	if !strings.Contains(st, `"live-chat":["chat-operator","reader"]`) || strings.Contains(st, "email-support") {
		t.Fatalf("merge did not apply the card and its roles: %s", st)
	}
	if _, v := e.api("GET", "/api/agents/versions?agentId="+id, builder, ""); !strings.Contains(v, `"source":"change_request"`) {
		t.Fatalf("no change_request version: %s", v)
	}
	if _, html = page.get("/agents/" + id + "/card"); !strings.Contains(html, "live-chat") || strings.Contains(html, `data-testid="card-pending"`) {
		t.Fatal("the card page does not show the merged card")
	}
}

// sameCardState compares what two agent-card answers put in force (the card, its spec
// version, the skills' roles), not the refresh bookkeeping scheduled attempts move.
func sameCardState(a, b string) bool {
	strip := func(s string) string {
		var m map[string]any
		json.Unmarshal([]byte(s), &m)
		out, _ := json.Marshal([]any{m["card"], m["specVersion"], m["skillRoles"]})
		return string(out)
	}
	return strip(a) == strip(b)
}

// pendingScheduled counts the scheduler's refreshes of an agent recorded as pending.
func pendingScheduled(t *testing.T, e *env, id string) int {
	t.Helper()
	var n int
	if err := e.Store.DB.NewRaw(`SELECT count(*) FROM card_refreshes WHERE agent_id = ?::bigint AND by_label = 'scheduler' AND outcome = 'pending'`, id).
		Scan(context.Background(), &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// waitFor polls until ok(arg) holds, with a deadline generous for a loaded machine.
func waitFor(t *testing.T, what string, ok func(int) bool, arg int) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for !ok(arg) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond) // polling, not synchronisation
	}
}
