package handlers

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"agentconsole/db"
)

// FuzzConsoleForm feeds the console's form and query decoders (the editor form →
// db.AgentPatch mapping with its line-by-line fields and tool configs, and the list's
// query filters) arbitrary input. None may panic; each gives either a valid result or
// validation issues, and a valid result keeps within every limit.
func FuzzConsoleForm(f *testing.F) {
	editor := url.Values{"name": {"Support"}, "description": {"Helps"}, "model": {"openai:gpt-4o"}, "maxToolRoundtrips": {"5"},
		"systemPrompt": {"You are helpful.\r\nBe brief."}, "stage": {"development"}, "showInChat": {"on"},
		"conversationStarters": {"Hi\nHelp me"}, "tagIds": {"1", "2"}, "mcpServers": {"3"}, "tools": {"web_search", "call_agent"},
		"cfg-call_agent": {"4"}, "cfgjson-web_search": {`{"maxResults":3}`}, "contextDocs": {"googleDocs | doc-1 | Handbook | text/plain"},
		"inputs": {"text | city | The city | required"}, "tinesStoryImportId": {"0b6f8a36-3b9e-4c8e-9a51-2f1f0d6a1f3e"},
		"id": {"7"}, "publishedVersionId": {"12"}, "resolve:description": {"theirs"}}
	f.Add(editor.Encode(), "q=support&stage=released&sort=name&page=2&perPage=50&tag=1,2&tagMode=all")
	f.Add("agentType=external&agentCardUrl=https%3A%2F%2Fa.example%2Fcard.json&refreshIntervalMinutes=99999999999&name=x", "deleted=true&type=external")
	f.Add("name=%00&maxToolRoundtrips=9223372036854775808&tagIds=-1&tagIds=abc&contextDocs=%7C%7C%7C", "page=9223372036854775808&perPage=-1")
	f.Add("tools=&cfgjson-=%7B&inputs=%7C%7C%7C%7C&conversationStarters="+strings.Repeat("x%0A", 30), "tag=%00&sort=bogus")
	f.Add("maxToolRoundtrips=2147483648&emailSlug=admin&stage=bogus&planningMode=sometimes", "q="+strings.Repeat("x", 300))
	app := fiber.New()
	f.Fuzz(func(t *testing.T, body, query string) {
		fctx := &fasthttp.RequestCtx{}
		fctx.Request.Header.SetMethod(fiber.MethodPost)
		fctx.Request.Header.SetContentType(fiber.MIMEApplicationForm)
		fctx.Request.SetRequestURI("/agents?" + query)
		fctx.Request.SetBodyString(body)
		c := app.AcquireCtx(fctx)
		defer app.ReleaseCtx(c)

		if err := CheckInput(c); err != nil {
			var ve *db.ValidationError
			if !errors.As(err, &ve) && !errors.Is(err, db.ErrNotFound) {
				t.Fatalf("input check: %v", err)
			}
			return // refused before any decoder runs, as the server does
		}
		if filter, err := filterFromQuery(c); err != nil {
			var ve *db.ValidationError
			if !errors.As(err, &ve) || len(ve.Details) == 0 {
				t.Fatalf("list filter: not a validation error naming a parameter: %v", err)
			}
		} else if filter.Page < 1 || filter.Page > db.MaxPage || filter.PerPage < 1 || filter.PerPage > db.MaxPerPage || len(filter.TagIDs) > db.MaxFilterTags {
			t.Fatalf("list filter out of bounds: %+v", filter)
		}

		p, _ := patchFromForm(c)
		var a db.Agent
		if issues := p.Apply(&a); len(issues) > 0 {
			for _, is := range issues {
				if is.Message == "" {
					t.Fatalf("issue without a message: %+v", is)
				}
			}
			return
		}
		// Accepted: every text is storable and every list within its limit.
		texts := []string{a.Name}
		for _, s := range []*string{a.Description, a.SystemPrompt, a.LogoURL, a.Model, a.EmailSlug, a.PlanningMode} {
			if s != nil {
				texts = append(texts, *s)
			}
		}
		texts = append(texts, a.ConversationStarters...)
		for _, d := range a.ContextDocs {
			texts = append(texts, d.Provider, d.ID, d.Name, d.MimeType)
		}
		for _, in := range a.Inputs {
			texts = append(texts, in.Name, in.Description)
		}
		for _, s := range texts {
			if strings.ContainsRune(s, 0) || len(s) > 100_000 {
				t.Fatalf("accepted text that cannot be stored: %.80q", s)
			}
		}
		if len(a.ConversationStarters) > 20 || len(a.TagIDs) > 200 || len(a.MCPServers) > 200 || len(a.ContextDocs) > 200 ||
			len(a.Tools) > 100 || len(a.Inputs) > 50 || len(a.Name) > db.MaxName {
			t.Fatalf("accepted over a limit: %d starters, %d tags, %d servers, %d docs, %d tools, %d inputs, name %d",
				len(a.ConversationStarters), len(a.TagIDs), len(a.MCPServers), len(a.ContextDocs), len(a.Tools), len(a.Inputs), len(a.Name))
		}
		if a.MaxToolRoundtrips != nil && (*a.MaxToolRoundtrips < 1 || *a.MaxToolRoundtrips > 1<<31-1) {
			t.Fatalf("maxToolRoundtrips %d accepted", *a.MaxToolRoundtrips)
		}
	})
}
