package handlers

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"agentconsole/db"
	"agentconsole/db/dbtest"
)

// hostileText is what PostgreSQL's text may hold (no NUL).
func hostileText(r *rand.Rand) string {
	return strings.ReplaceAll(hostile[r.IntN(len(hostile))]+hostile[r.IntN(len(hostile))], "\x00", "")
}

// The API's list writes each agent from its row as read (AgentsEach, appendAgentRow:
// the prompt, tools and string lists as PostgreSQL's text), byte for byte what it
// wrote from the decoded page (Agents, appendAgent: TestAppendAgentMatchesEncodingJSON…
// compare that with encoding/json): on the demo seed's agents, live and deleted, after
// giving them hostile tools (keys encoding/json sorts and escapes, values with raw HTML
// characters), starters and integrations (null items, escapes), and prompts that are
// NULL, empty or hostile; and the page around them, past its end included.
func TestAgentRowsMatchTheDecodedAgents(t *testing.T) {
	t.Parallel()
	s := dbtest.Seeded(t)
	ctx := context.Background()
	if _, err := s.SeedDemoContent(ctx); err != nil {
		t.Fatal(err)
	}
	org, err := s.OrganizationBySlug(ctx, "demo")
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(39, 21))
	var ids []int64
	prompts := map[int64]any{} // what each agent's system_prompt was set to
	if err := s.DB.NewRaw("SELECT id FROM agents WHERE org_id = ? ORDER BY id", org.ID).Scan(ctx, &ids); err != nil {
		t.Fatal(err)
	}
	for i, id := range ids {
		tools := map[string]any{}
		for j := range r.IntN(9) {
			tools[hostileText(r)+fmt.Sprint(j%3)] = map[string]any{"config": map[string]any{"note": hostileText(r), "n": 1.5}, "description": hostileText(r)}
		}
		list := func() any {
			switch r.IntN(5) {
			case 0:
				return nil // SQL NULL
			case 1:
				return json.RawMessage("null")
			}
			out := []any{}
			for range r.IntN(4) {
				out = append(out, []any{nil, hostileText(r)}[r.IntN(2)])
			}
			return out
		}
		jsonArg := func(v any) any {
			if v == nil {
				return nil
			}
			b, _ := json.Marshal(v)
			return string(b)
		}
		prompt := []any{nil, "", hostileText(r) + strings.Repeat("<p>&", r.IntN(2000))}[i%3]
		prompts[id] = prompt
		if _, err := s.DB.NewRaw("UPDATE agents SET tools = ?::jsonb, conversation_starters = ?::jsonb, integrations = ?::jsonb, system_prompt = ? WHERE id = ?",
			jsonArg(tools), jsonArg(list()), jsonArg(list()), prompt, id).Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
	rows := 0
	for _, f := range []db.AgentFilter{{PerPage: db.MaxPerPage}, {Deleted: true, PerPage: db.MaxPerPage}, {PerPage: 7, Page: 2, Sort: "name"}, {PerPage: 10, Page: 99}} {
		page, err := s.Agents(ctx, org.ID, f)
		if err != nil {
			t.Fatal(err)
		}
		want, err := appendAgentPage(nil, page, "org", nil)
		if err != nil {
			t.Fatal(err)
		}
		got := []byte(`{"agents":[`)
		streamed, err := s.AgentsEach(ctx, org.ID, f, func(row *db.AgentRow) error {
			if row.SystemPrompt != nil || row.Agent.Tools != nil || row.ConversationStarters != nil || row.Agent.Integrations != nil {
				t.Errorf("agent %d: a field the row carries as text was decoded", row.ID)
			}
			if (row.PromptText == nil) != (prompts[row.ID] == nil) { // NULL is null, '' is ""
				t.Errorf("agent %d: prompt %q read as %q", row.ID, prompts[row.ID], row.PromptText)
			}
			if len(got) > len(`{"agents":[`) {
				got = append(got, ',')
			}
			rows++
			got, err = appendAgentRow(got, row, "org")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if got = appendPageEnd(got, streamed); !bytes.Equal(got, want) {
			i := 0
			for i < len(got) && i < len(want) && got[i] == want[i] {
				i++
			}
			t.Fatalf("%+v: bytes differ at %d:\nrows    …%s\ndecoded …%s", f, i, clip(got, i), clip(want, i))
		}
	}
	if rows < 30 {
		t.Fatalf("only %d rows compared", rows)
	}
}

// BenchmarkAgentsAPIPage is GET /api/agents' read and answer, on a first page like
// make bench's scenario 7 (50 native agents with 1–8 KB prompts and 8 catalog tools
// with their schemas each), as the API wrote it before (decoded: Agents, then
// appendAgentPage) and now (rows: AgentsEach, each row appended as read). B/op is what
// a request allocates; the answer's buffer is reused, as the response body is.
func BenchmarkAgentsAPIPage(b *testing.B) {
	s := dbtest.Seeded(b)
	ctx := context.Background()
	org, err := s.OrganizationBySlug(ctx, "demo")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.DB.NewRaw(`INSERT INTO agents (org_id, name, description, model, system_prompt, stage, conversation_starters, tools)
		SELECT ?, 'Heavy ' || g, 'An agent with a long prompt', 'openai:gpt-4o', repeat('You are a helpful agent. Answer <briefly> & politely. ', 20 + g * 3),
			'released', '["Hello", "What can you do?"]', agent_tools_compact((SELECT jsonb_object_agg(c.name, c.definition ||
				CASE WHEN c.name = 'send_email' THEN '{"config":{"allowedDomains":["example.com"]}}'::jsonb ELSE '{}'::jsonb END)
				FROM (SELECT name, definition FROM catalog_tools WHERE kind = 'native' ORDER BY name OFFSET g % 4 LIMIT 8) c))
		FROM generate_series(1, 50) g`, org.ID).Exec(ctx); err != nil {
		b.Fatal(err)
	}
	f := db.AgentFilter{PerPage: 50}
	var buf []byte
	b.Run("decoded", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			page, err := s.Agents(ctx, org.ID, f)
			if err != nil {
				b.Fatal(err)
			}
			if buf, err = appendAgentPage(buf[:0], page, "org", nil); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(buf)), "answer-bytes")
	})
	b.Run("rows", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			buf = append(buf[:0], `{"agents":[`...)
			page, err := s.AgentsEach(ctx, org.ID, f, func(r *db.AgentRow) error {
				if len(buf) > len(`{"agents":[`) {
					buf = append(buf, ',')
				}
				var err error
				buf, err = appendAgentRow(buf, r, "org")
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
			buf = appendPageEnd(buf, page)
		}
		b.ReportMetric(float64(len(buf)), "answer-bytes")
	})
}
