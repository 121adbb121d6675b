package tools

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"agentconsole/views/layout"
)

// TestSyncResultSeparatesTheIDFromTheLink: each synced agent reads "Name #1 — new
// version" (the dash was glued to the id: "#1— new version").
func TestSyncResultSeparatesTheIDFromTheLink(t *testing.T) {
	var b strings.Builder
	s := Sync{Ran: true, Updated: 1, Total: 1, Agents: []Agent{{ID: 1, Name: "Helper"}}}
	if err := SyncBody(layout.Page{}, s).Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	text := regexp.MustCompile(`<[^>]+>`).ReplaceAllString(b.String(), "")
	if !strings.Contains(text, "#1 — new version") {
		t.Errorf("sync result reads %q", text)
	}
}
