package agents

import (
	"context"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"testing"

	"agentconsole/db/agentspec"
	"agentconsole/db/catalog"
	"agentconsole/db/registry"
	"agentconsole/views/layout"
)

// benchEditor is the editor as scenario 3 of the benchmark shows it: a builder on a
// native agent with a 4 KB prompt, eight of the bundled catalog's tools (configs
// filled), the bundled models and 50 tags.
func benchEditor(tb testing.TB) (layout.Page, Editor) {
	cat, err := catalog.Parse(catalog.Bundled)
	if err != nil {
		tb.Fatal(err)
	}
	models, err := registry.Models()
	if err != nil {
		tb.Fatal(err)
	}
	e := Editor{ID: 10017, Title: "Agent 10017", Errors: map[string]string{}, EmailDomain: "agents.example.com", CanEdit: true, CanDelete: true,
		CanCreate: true, Version: 20, Stage: "released", CloneName: "Copy of Agent 10017", CalledBy: 2,
		Limits: Limits{Name: 200, Description: 2000, Prompt: 100000, URL: 2000, Slug: 63}}
	e.Form = Form{Name: e.Title, Description: "Handles billing requests & refunds", Model: models[3].ID, MaxToolRoundtrips: "5",
		SystemPrompt: strings.Repeat("You are a helpful agent; summarize long threads in three bullet points.\n", 56), Stage: "released",
		ConversationStarters: "What is my balance?\nRefund my order", ShowInChat: true, BaseVersion: "12345", AgentType: "native",
		UUID: "3c90c3cc-0d44-4b50-8888-8dd25736052a"}
	for _, m := range models {
		e.Models = append(e.Models, Option{Value: m.ID, Label: m.Name + " (" + m.ID + ")"})
	}
	for i := range 50 {
		e.Tags = append(e.Tags, Tag{ID: int64(i + 1), Name: "tag-" + strconv.Itoa(i), Color: "green", Selected: i%17 == 0})
	}
	for i, t := range cat.Tools {
		opt := ToolOption{Name: t.Name, Category: t.Category, Description: t.Description, Selected: i%3 == 0, HasConfig: len(t.ConfigSchema) > 0}
		_, opt.RefPicker = agentspec.ConfigRefByTool(t.Name)
		for _, f := range catalog.ConfigFields(t.ConfigSchema) {
			if f.Formable() {
				in := ConfigInput{Tool: t.Name, Key: f.Key, Kind: f.Kind, Description: f.Description, Required: f.Required, Enum: f.Enum}
				if opt.Selected {
					in.Value = f.FormText(f.Enum)
				}
				opt.ConfigInputs = append(opt.ConfigInputs, in)
			}
		}
		if opt.Selected && opt.HasConfig {
			b, _ := json.Marshal(map[string]any{"maxResults": 5})
			opt.ConfigJSON, opt.ConfigJSON0 = string(b), string(b)
		}
		e.Tools = append(e.Tools, opt)
	}
	for i, t := range e.Tools { // as handlers' toolOptions draws them: once per catalog
		if !t.Selected && !t.RefPicker {
			if e.Tools[i].HTML, err = ToolRowHTML(t); err != nil {
				tb.Fatal(err)
			}
		}
	}
	for _, r := range agentspec.ConfigRefs {
		e.RefPickers = append(e.RefPickers, RefPicker{Tool: r.Tool, Field: RefPickerField(r.Tool), For: r.Tool, Label: r.Tool + " " + r.May,
			Choices: []Choice{{ID: 3, Name: "Agent 3", Selected: true}}, Exclude: e.ID})
	}
	e.MCPPicker = RefPicker{Field: "mcpServers", For: "mcpServers", Label: "MCP servers", Choices: []Choice{{ID: 1, Name: "Docs", Selected: true}}}
	p := layout.Page{Title: e.Title, Active: "agents", CSRF: "token", User: &layout.User{Name: "Demo", Email: "d@x", Role: "builder", OrgName: "Demo Org"}}
	return p, e
}

// BenchmarkEditorPage renders the agent editor (scenario 3's template work).
func BenchmarkEditorPage(b *testing.B) {
	p, e := benchEditor(b)
	ctx := context.Background()
	var n countingWriter
	if err := EditorPage(p, e).Render(ctx, &n); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := EditorPage(p, e).Render(ctx, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n), "page-bytes")
}

type countingWriter int

func (c *countingWriter) Write(p []byte) (int, error) {
	*c += countingWriter(len(p))
	return len(p), nil
}
