package web_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"agentconsole/db"
)

// selectOptions is the values of the <option>s of the <select> with the given id.
func selectOptions(t *testing.T, page, id string) []string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<select id="` + id + `"[^>]*>(.*?)</select>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no select #%s in the page", id)
	}
	var out []string
	for _, o := range regexp.MustCompile(`<option value="([^"]*)"`).FindAllStringSubmatch(m[1], -1) {
		if o[1] != "" {
			out = append(out, o[1])
		}
	}
	return out
}

// TestFiltersOfferEveryValueWritten: the history's source filter and the audit log's
// object type filter offer exactly the declared lists that every write is checked
// against (db.VersionSources, db.AuditObjectTypes; see db's TestVocabulariesAreListed),
// so a kind of version or audit entry that is written is a kind the filter offers.
func TestFiltersOfferEveryValueWritten(t *testing.T) {
	t.Parallel()
	e := start(t)
	_, body := e.api("POST", "/api/agents", e.token("admin@demo.test"), `{"name":"Filtered"}`)
	id := itoa(int64(decode(t, body)["id"].(float64)))
	c := e.client().mustLogin("admin@demo.test", "demo-admin-pass")
	_, page := c.get("/agents/" + id + "/versions")
	if got := selectOptions(t, page, "source"); !slices.Equal(got, db.VersionSources) {
		t.Errorf("history source filter offers %v, want %v", got, db.VersionSources)
	}
	for _, s := range []string{db.SourceCapability, db.SourceSync, db.SourceCardRefresh} {
		if !slices.Contains(selectOptions(t, page, "source"), s) {
			t.Errorf("history source filter lacks %q", s)
		}
	}
	_, page = c.get("/admin/audit")
	if got := selectOptions(t, page, "object"); !slices.Equal(got, db.AuditObjectTypes) {
		t.Errorf("audit object type filter offers %v, want %v", got, db.AuditObjectTypes)
	}
	for _, s := range []string{"skill_rule", "organization"} {
		if !strings.Contains(strings.Join(selectOptions(t, page, "object"), " "), s) {
			t.Errorf("audit object type filter lacks %q", s)
		}
	}
}
