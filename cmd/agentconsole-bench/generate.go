package main

import (
	"context"
	"fmt"
	"time"

	"agentconsole/db"
)

// generate builds the benchmark organisation deterministically (setseed): 10,000
// agents with 1–8 KB prompts and 8 tools each with config, 50 tags (0–4 per agent),
// 20 versions per agent (prompt edited at versions 8 and 15, other saves change limits
// or descriptions), one agent with 1,000 versions, 200 external agents. Set-based SQL
// through the same blob functions the product writes with.
func generate(ctx context.Context, s *db.Store, orgID, userID int64, seed float64) error {
	steps := []struct{ name, sql string }{
		{"seed", fmt.Sprintf("SELECT setseed(%f)", seed)},
		{"knowledge bases", `INSERT INTO knowledge_bases (org_id, name) SELECT ?0, 'KB ' || g FROM generate_series(1, 20) g`},
		{"tags", `INSERT INTO tags (org_id, name, color) SELECT ?0, 'tag-' || lpad(g::text, 2, '0'),
			(ARRAY['slate','red','amber','green','teal','blue','indigo','purple','pink'])[1 + g % 9] FROM generate_series(1, 50) g`},
		// Prompts from a fixed vocabulary, 1–8 KB, so they compress like real prose.
		{"agents", `WITH words AS (SELECT ARRAY['you','are','a','helpful','assistant','for','the','support','team','answer','customer',
				'questions','clearly','and','politely','always','check','knowledge','base','before','escalating','tickets','never','share',
				'internal','data','summarize','long','threads','in','three','bullet','points','use','tools','when','needed','keep','tone',
				'friendly','professional','concise','accurate'] AS w)
			INSERT INTO agents (org_id, name, description, model, max_tool_roundtrips, system_prompt, stage, conversation_starters, tools)
			SELECT ?0, 'Agent ' || lpad(g::text, 5, '0'), 'Handles ' || (ARRAY['billing','support','sales','onboarding','security'])[1 + g % 5] || ' requests',
				(ARRAY['openai:gpt-4o','anthropic:claude-sonnet-4-20250514','google:gemini-2.5-pro'])[1 + g % 3], 10 + g % 40,
				(SELECT string_agg(w[1 + floor(random() * array_length(w, 1))::int], ' ') FROM words, generate_series(1, 150 + floor(random() * 1050)::int)),
				CASE WHEN g % 3 = 0 THEN 'released' ELSE 'development' END, '["How can I help you"]'::jsonb, '{}'::jsonb
			FROM generate_series(1, 10000) g`},
		// Eight catalog tools per agent (a rotating window over the catalog), configs included,
		// stored as the product stores them: references to the catalog's definitions.
		{"tools", toolsSQL},
		{"agent tags", `INSERT INTO agent_tags (agent_id, tag_id)
			SELECT DISTINCT a.id, t.ids[1 + ((a.id * 31 + k * 17) % 50)] FROM agents a,
				(SELECT array_agg(id ORDER BY id) AS ids FROM tags WHERE org_id = ?0) t, generate_series(1, 4) k
			WHERE a.org_id = ?0 AND k <= a.id % 5`},
		{"external agents", `INSERT INTO agents (org_id, name, description, agent_type, external_config, tools)
			SELECT ?0, 'External ' || lpad(g::text, 3, '0'), 'A2A agent', 'external',
				jsonb_build_object('agentCardUrl', 'https://agents.example.invalid/' || g || '/card.json', 'refreshIntervalMinutes', 60), '{}'::jsonb
			FROM generate_series(1, 200) g`},
		{"card rows", `INSERT INTO agent_cards (agent_id, org_id, next_refresh_at) SELECT id, org_id, now() + interval '1 day' FROM agents
			WHERE org_id = ?0 AND agent_type = 'external'`},
		// Version 1 of every agent, exactly as appendVersion stores it.
		{"versions 1", `INSERT INTO agent_versions (org_id, agent_id, number, source, author_user_id, author, summary, fields_ref, prompt_ref, tools_ref, created_at)
			SELECT a.org_id, a.id, 1, 'create', ?1, 'builder@demo.test', 'created',
				agent_blob_put(jsonb_build_object('id', a.id, 'name', a.name, 'description', a.description, 'logoUrl', a.logo_url,
					'conversationStarters', a.conversation_starters, 'model', a.model, 'maxToolRoundtrips', a.max_tool_roundtrips,
					'integrations', a.integrations, 'mcpServers', a.mcp_servers, 'stage', a.stage, 'showInChat', a.show_in_chat,
					'emailSlug', a.email_slug, 'planningMode', a.planning_mode, 'contextDocs', a.context_docs, 'agentType', a.agent_type,
					'externalConfig', a.external_config,
					'tagIds', coalesce((SELECT jsonb_agg(tag_id ORDER BY tag_id) FROM agent_tags WHERE agent_id = a.id), '[]'::jsonb))),
				agent_blob_put(to_jsonb(a.system_prompt)), agent_tools_put(agent_tools_expand(a.tools)), now() - interval '40 days'
			FROM agents a WHERE a.org_id = ?0`},
		// Versions 2..20: limits and descriptions change; the prompt at 8 and 15.
		{"versions 2-20", `INSERT INTO agent_versions (org_id, agent_id, number, source, author_user_id, author, summary, fields_ref, prompt_ref, tools_ref, created_at)
			SELECT v.org_id, v.agent_id, k, 'update', ?1, 'builder@demo.test',
				CASE WHEN k IN (8, 15) THEN 'changed systemPrompt' ELSE 'changed maxToolRoundtrips' END,
				agent_blob_put(jsonb_set(f.body, '{maxToolRoundtrips}', to_jsonb(k))),
				CASE WHEN k >= 15 THEN agent_blob_put(to_jsonb(p.body #>> '{}' || E'\n\nRevision 15: be brief.'))
				     WHEN k >= 8 THEN agent_blob_put(to_jsonb(p.body #>> '{}' || E'\n\nRevision 8: cite sources.'))
				     ELSE v.prompt_ref END,
				v.tools_ref, now() - interval '40 days' + k * interval '1 day'
			FROM agent_versions v JOIN agent_blobs f ON f.hash = v.fields_ref JOIN agent_blobs p ON p.hash = v.prompt_ref
			CROSS JOIN generate_series(2, 20) k
			WHERE v.org_id = ?0 AND v.number = 1 AND v.agent_id IN (SELECT id FROM agents WHERE org_id = ?0 AND agent_type = 'native')`},
		// One agent with 1,000 versions.
		{"long history", `INSERT INTO agent_versions (org_id, agent_id, number, source, author_user_id, author, summary, fields_ref, prompt_ref, tools_ref, created_at)
			SELECT v.org_id, v.agent_id, k, CASE WHEN k % 50 = 0 THEN 'sync' ELSE 'update' END, ?1, 'builder@demo.test', 'changed systemPrompt',
				v.fields_ref, agent_blob_put(to_jsonb(p.body #>> '{}' || E'\n\nEdit ' || k || '.')), v.tools_ref, now() - interval '30 days' + k * interval '1 minute'
			FROM agent_versions v JOIN agent_blobs p ON p.hash = v.prompt_ref CROSS JOIN generate_series(21, 1000) k
			WHERE v.number = 20 AND v.agent_id = (SELECT min(id) FROM agents WHERE org_id = ?0)`},
		{"published pointers", publishedSQL},
		{"vacuum analyze", `VACUUM ANALYZE`}, // as autovacuum would have by now: visibility map for index-only scans
	}
	for _, st := range steps {
		start := time.Now()
		if _, err := s.DB.NewRaw(st.sql, orgID, userID).Exec(ctx); err != nil {
			return fmt.Errorf("generate %s: %w", st.name, err)
		}
		logf("  generated %-18s %6.1fs", st.name, time.Since(start).Seconds())
	}
	return nil
}

// Eight catalog tools per agent (a rotating window over the catalog), configs included,
// stored as the product stores them: references to the catalog's definitions.
const toolsSQL = `WITH native AS (SELECT name, definition, row_number() OVER (ORDER BY name) - 1 AS i, count(*) OVER () AS n
				FROM catalog_tools WHERE kind = 'native' AND removed_at IS NULL),
			first AS (SELECT min(id) AS id FROM agents WHERE org_id = ?0),
			kb AS (SELECT min(id) AS id FROM knowledge_bases WHERE org_id = ?0)
			UPDATE agents a SET tools = agent_tools_compact(t.tools) FROM (
				SELECT a2.id, jsonb_object_agg(n.name, n.definition || CASE n.name
					WHEN 'call_agent' THEN jsonb_build_object('config', jsonb_build_object('callableAgentIds', jsonb_build_array((SELECT id FROM first) + (a2.id * 7) % 10000)))
					WHEN 'search_knowledge_base' THEN jsonb_build_object('config', jsonb_build_object('accessibleKnowledgeBaseIds', jsonb_build_array((SELECT id FROM kb) + a2.id % 20)))
					WHEN 'send_email' THEN '{"config":{"allowedDomains":["example.com"]}}'::jsonb
					WHEN 'run_sql' THEN '{"config":{"connectionId":"warehouse","readOnly":true}}'::jsonb
					WHEN 'http_request' THEN '{"config":{"allowedHosts":["api.example.com"]}}'::jsonb
					WHEN 'create_ticket' THEN '{"config":{"projectKey":"OPS"}}'::jsonb
					ELSE '{}'::jsonb END) AS tools
				FROM agents a2 JOIN native n ON ((n.i - a2.id % n.n + n.n) % n.n) < 8
				WHERE a2.org_id = ?0 AND a2.agent_type = 'native' GROUP BY a2.id) t
			WHERE a.id = t.id`

// Every agent's published pointer at its newest version.
const publishedSQL = `UPDATE agents a SET published_version_id = v.id FROM (
				SELECT DISTINCT ON (agent_id) agent_id, id FROM agent_versions WHERE org_id = ?0 ORDER BY agent_id, number DESC) v
			WHERE a.id = v.agent_id`

// resetForSync gives every native agent its generated tools again and its published
// pointer back at its newest version, then vacuums the agents. Scenario 4's pgbench
// limit replays the captured save of one agent onto random agents — its tools and its
// published version id included — so how many agents still hold the two tools the sync
// changes depended on how many transactions pgbench managed in its seconds on a loaded
// machine (3,380–5,406 of 10,200 across runs; 7,222 without scenario 4). After this
// reset the sync always finds the same agents to update.
func resetForSync(ctx context.Context, s *db.Store, orgID, userID int64) error {
	for _, st := range []struct{ name, sql string }{{"tools", toolsSQL}, {"published pointers", publishedSQL}, {"vacuum", "VACUUM ANALYZE agents"}} {
		if _, err := s.DB.NewRaw(st.sql, orgID, userID).Exec(ctx); err != nil {
			return fmt.Errorf("reset %s: %w", st.name, err)
		}
	}
	return nil
}
