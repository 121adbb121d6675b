package db_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"agentconsole/db"
	"agentconsole/db/dbtest"
)

// BenchmarkEditorReads is the editor's two reads of an agent (scenario 3's statements
// after the session's): the agent with its tags, and what the editor shows beside it.
// It measures the server's side of them: scanning, allocations, the driver.
func BenchmarkEditorReads(b *testing.B) {
	s := dbtest.Seeded(b)
	ctx := context.Background()
	a, err := s.ActorByEmail(ctx, "builder@demo.test")
	if err != nil {
		b.Fatal(err)
	}
	tag, _, err := s.FindOrCreateTag(ctx, a, "bench")
	if err != nil {
		b.Fatal(err)
	}
	tools := map[string]json.RawMessage{"web_search": json.RawMessage(`{}`), "create_ticket": json.RawMessage(`{"config":{"projectKey":"OPS"}}`),
		"run_sql": json.RawMessage(`{"config":{"connectionId":"main","readOnly":true}}`), "send_email": json.RawMessage(`{"config":{"allowedDomains":["example.com"]}}`),
		"read_file": json.RawMessage(`{}`), "get_weather": json.RawMessage(`{}`), "translate_text": json.RawMessage(`{}`), "schedule_task": json.RawMessage(`{}`)}
	ag, err := s.SaveAgent(ctx, a, &db.AgentPatch{Name: db.Some("Bench"), Description: db.Some("Handles billing"), TagIDs: db.Some([]int64{tag.ID}),
		SystemPrompt: db.Some(strings.Repeat("You are a helpful agent.\n", 160)), ConversationStarters: db.Some([]string{"a", "b"}), Tools: db.Some(tools)}, db.SourceCreate)
	if err != nil {
		b.Fatal(err)
	}
	q := db.EditorSideQuery{AgentID: ag.ID, CopyBase: "Copy of Bench", Chosen: map[string][]int64{"agents": {ag.ID}}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.AgentForEditor(ctx, a.OrgID, ag.ID); err != nil {
			b.Fatal(err)
		}
		if _, err := s.EditorSide(ctx, a.OrgID, q); err != nil {
			b.Fatal(err)
		}
	}
}
