package handlers

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"agentconsole/db"
	"agentconsole/db/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) } // starts PostgreSQL only for the tests that ask

// encodingJSONAgent is the reference: the agent as encoding/json writes agentJSON.
func encodingJSONAgent(t testing.TB, a *db.Agent, org string) []byte {
	t.Helper()
	want, err := json.Marshal(toAgentJSON(a, org))
	if err != nil {
		t.Fatalf("encoding/json: %v", err)
	}
	return want
}

func checkAppendAgent(t *testing.T, label string, a *db.Agent, org string) {
	t.Helper()
	got, err := appendAgent([]byte("prefix"), a, org)
	if err != nil {
		t.Fatalf("%s: %v", label, err)
	}
	got = bytes.TrimPrefix(got, []byte("prefix"))
	if want := encodingJSONAgent(t, a, org); !bytes.Equal(got, want) {
		i := 0
		for i < len(got) && i < len(want) && got[i] == want[i] {
			i++
		}
		t.Fatalf("%s: bytes differ at %d:\nappendAgent   …%s\nencoding/json …%s", label, i, clip(got, i), clip(want, i))
	}
}

// clip shows about 60 bytes either side of i.
func clip(b []byte, i int) string {
	return fmt.Sprintf("%.120s", b[max(i-60, 0):])
}

// The API's agents, written by appendAgent, are byte for byte what encoding/json writes
// for agentJSON: on every agent of the demo seed (read by the API's list, live and
// deleted), and on the list page around them.
func TestAppendAgentMatchesEncodingJSONOnTheDemoSeed(t *testing.T) {
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
	orgID := org.ID
	n := 0
	for _, deleted := range []bool{false, true} {
		page, err := s.Agents(ctx, orgID, db.AgentFilter{Deleted: deleted, PerPage: db.MaxPerPage})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range page.Agents {
			checkAppendAgent(t, a.Name, a, "11111111-2222-3333-4444-555555555555")
			n++
		}
		got, err := appendAgentPage(nil, page, "org", nil)
		if err != nil {
			t.Fatal(err)
		}
		out := make([]agentJSON, len(page.Agents))
		for i, a := range page.Agents {
			out[i] = toAgentJSON(a, "org")
		}
		want, _ := json.Marshal(fiber.Map{"agents": out, "total": page.Total, "page": page.Page, "perPage": page.PerPage})
		if !bytes.Equal(got, want) {
			t.Errorf("page (deleted=%v) differs:\n%s\n%s", deleted, got, want)
		}
	}
	if n < 30 {
		t.Fatalf("the demo seed gave only %d agents", n)
	}
}

// hostile are strings encoding/json escapes in every way it can.
var hostile = []string{"", "plain", "<script>alert('x')</script>", "a & b > c", "\x00\x01\x1f\x7f", "\b\f\n\r\t\"\\/",
	"bad\xff\xfeutf8\xc3", "\u2028line\u2029para", "é日本\U0001F600", "\xe2\x80", "\xed\xa0\x80 surrogate", "\ufffd"}

// fill sets every exported field of v (a struct, through pointers, slices and maps)
// to a value drawn from r: hostile strings, numbers at the edges, nil or empty or full
// lists. A field added to db.Agent (or its parts) is filled too, so the comparison
// sees it.
func fill(r *rand.Rand, v reflect.Value, depth int) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(hostile[r.IntN(len(hostile))] + hostile[r.IntN(len(hostile))])
	case reflect.Bool:
		v.SetBool(r.IntN(2) == 1)
	case reflect.Int, reflect.Int64, reflect.Int32:
		v.SetInt([]int64{0, 1, -1, 7, 1 << 31, -1 << 62, 1<<63 - 1}[r.IntN(7)])
	case reflect.Pointer:
		if r.IntN(4) == 0 {
			v.SetZero()
			return
		}
		v.Set(reflect.New(v.Type().Elem()))
		fill(r, v.Elem(), depth)
	case reflect.Slice:
		if v.Type() == reflect.TypeOf(json.RawMessage{}) {
			v.SetBytes(hostileRaw(r))
			return
		}
		switch r.IntN(4) {
		case 0:
			v.SetZero()
			return
		case 1:
			v.Set(reflect.MakeSlice(v.Type(), 0, 0))
			return
		}
		n := 1 + r.IntN(4)
		v.Set(reflect.MakeSlice(v.Type(), n, n))
		for i := range n {
			fill(r, v.Index(i), depth)
		}
	case reflect.Map:
		if r.IntN(5) == 0 {
			v.SetZero()
			return
		}
		v.Set(reflect.MakeMap(v.Type()))
		for range r.IntN(6) {
			k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			fill(r, k, depth)
			fill(r, e, depth)
			v.SetMapIndex(k, e)
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			loc := time.FixedZone("x", 3600*(r.IntN(25)-12))
			v.Set(reflect.ValueOf(time.Unix(r.Int64N(1<<34), r.Int64N(1e9)).In(loc)))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(r, v.Field(i), depth+1)
			}
		}
	}
}

// hostileRaw is a tool definition as PostgreSQL prints jsonb (spaces after : and ,),
// with hostile strings inside and HTML characters left raw, or JSON null.
func hostileRaw(r *rand.Rand) json.RawMessage {
	if r.IntN(6) == 0 {
		return json.RawMessage("null")
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(map[string]any{"config": map[string]any{"note": hostile[r.IntN(len(hostile))], "depth": r.IntN(5), "ratio": 2.50,
		"ids": []int{1, 2}}, hostile[r.IntN(len(hostile))]: []any{nil, true, "x"}})
	raw := strings.NewReplacer(`":`, `": `, `,"`, `, "`).Replace(strings.TrimSpace(b.String()))
	return json.RawMessage("  " + raw + "\n")
}

// On generated agents holding every field, with hostile values, nil and empty lists,
// and tools as PostgreSQL prints them, appendAgent writes what encoding/json writes.
func TestAppendAgentMatchesEncodingJSONOnHostileAgents(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 2026))
	for i := range 3000 {
		a := new(db.Agent)
		fill(r, reflect.ValueOf(a).Elem(), 0)
		a.AgentType = []string{"native", "external"}[r.IntN(2)] // Status depends on these
		a.CardHealth = []string{"", "ok", "error", "pending"}[r.IntN(4)]
		checkAppendAgent(t, fmt.Sprintf("agent %d", i), a, hostile[i%len(hostile)])
	}
}

// A tool definition that is not JSON fails the answer as encoding/json fails it.
func TestAppendAgentRefusesInvalidRawJSON(t *testing.T) {
	a := &db.Agent{Tools: map[string]json.RawMessage{"web_search": json.RawMessage(`{"config": `)}}
	if _, err := appendAgent(nil, a, "org"); err == nil {
		t.Fatal("appendAgent wrote an invalid tool definition")
	}
	if _, err := json.Marshal(toAgentJSON(a, "org")); err == nil {
		t.Fatal("encoding/json wrote an invalid tool definition")
	}
}

// BenchmarkAgentPageJSON: a list page of 50 agents like the bench's (a 1–8 KB prompt,
// 8 tools with config, a few tags), as the API wrote it before (toAgentJSON and
// encoding/json) and now (appendAgentPage into a reused buffer).
func BenchmarkAgentPageJSON(b *testing.B) {
	page := benchPage()
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			out := make([]agentJSON, len(page.Agents))
			for i, a := range page.Agents {
				out[i] = toAgentJSON(a, "org")
			}
			if _, err := json.Marshal(fiber.Map{"agents": out, "total": page.Total, "page": page.Page, "perPage": page.PerPage}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("append", func(b *testing.B) {
		b.ReportAllocs()
		var buf []byte
		for b.Loop() {
			var err error
			if buf, err = appendAgentPage(buf[:0], page, "org", nil); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func benchPage() *db.AgentPage {
	r := rand.New(rand.NewPCG(1, 2))
	page := &db.AgentPage{Page: 1, PerPage: 50, Total: 10000}
	for i := range 50 {
		prompt := strings.Repeat("You are a helpful agent. Answer <briefly> & politely.\n", 20+r.IntN(130))
		desc, model := "An agent that helps with things", "openai:gpt-4o"
		a := &db.Agent{ID: int64(i + 1), UUID: "0f8fad5b-d9cb-469f-a165-70867728950e", Name: fmt.Sprintf("Agent %d", i), Description: &desc,
			Model: &model, SystemPrompt: &prompt, Stage: "released", AgentType: "native", Tools: map[string]json.RawMessage{},
			CreatedAt: time.Now(), UpdatedAt: time.Now(), TagIDs: []int64{3, 9}, Tags: []db.TagRef{{ID: 3, Name: "alpha"}, {ID: 9, Name: "production"}}}
		for j := range 8 {
			a.Tools[fmt.Sprintf("tool_%d", j)] = json.RawMessage(`{"config": {"depth": 2, "sources": ["kb-1", "kb-2"]}, "description": "Searches the web for a query", "parameters": {"type": "object", "properties": {"query": {"type": "string"}}}}`)
		}
		page.Agents = append(page.Agents, a)
	}
	return page
}

// TestAgentPageFlushedIsTheSamePage: a page handed on in chunks (as sendJSONBytes moves
// it into the response body) is byte for byte the page written in one buffer.
func TestAgentPageFlushedIsTheSamePage(t *testing.T) {
	page := benchPage()
	whole, err := appendAgentPage(nil, page, "org", nil)
	if err != nil {
		t.Fatal(err)
	}
	var body []byte
	flushes := 0
	rest, err := appendAgentPage(nil, page, "org", func(b []byte) []byte {
		body = append(body, b...)
		flushes++
		return b[:0]
	})
	if err != nil {
		t.Fatal(err)
	}
	if body = append(body, rest...); !bytes.Equal(body, whole) {
		t.Fatalf("the flushed page differs (%d bytes against %d)", len(body), len(whole))
	}
	if flushes < 2 || len(whole) < 2*answerChunk {
		t.Fatalf("the page (%d bytes) was flushed %d times: the test no longer exercises chunks", len(whole), flushes)
	}
}

// TestSendJSONBytesStreamsChunks: an answer longer than a chunk goes out from its
// chunks, byte for byte the page, with its Content-Length and type; one that fits a
// chunk is the plain body; an error after chunks were handed on sends none of them.
func TestSendJSONBytesStreamsChunks(t *testing.T) {
	page := benchPage()
	whole, err := appendAgentPage(nil, page, "org", nil)
	if err != nil {
		t.Fatal(err)
	}
	app := fiber.New()
	app.Get("/page", func(c *fiber.Ctx) error {
		return sendJSONBytes(c, func(b []byte, flush func([]byte) []byte) ([]byte, error) {
			return appendAgentPage(b, page, "org", flush)
		})
	})
	app.Get("/small", func(c *fiber.Ctx) error {
		return sendJSONBytes(c, func(b []byte, flush func([]byte) []byte) ([]byte, error) {
			return appendAgent(b, page.Agents[0], "org")
		})
	})
	app.Get("/fails", func(c *fiber.Ctx) error {
		return sendJSONBytes(c, func(b []byte, flush func([]byte) []byte) ([]byte, error) {
			b = flush(append(b, whole[:answerChunk+10]...))
			return append(b, "partial"...), fiber.NewError(fiber.StatusTeapot, "failed")
		})
	})
	small, _ := appendAgent(nil, page.Agents[0], "org")
	for _, tc := range []struct {
		path   string
		status int
		want   []byte
	}{{"/page", 200, whole}, {"/small", 200, small}, {"/page", 200, whole}, {"/fails", fiber.StatusTeapot, []byte("failed")}} {
		resp, err := app.Test(httptest.NewRequest("GET", tc.path, nil), -1)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != tc.status || !bytes.Equal(body, tc.want) {
			t.Fatalf("%s: %d, %d bytes; want %d, %d bytes", tc.path, resp.StatusCode, len(body), tc.status, len(tc.want))
		}
		if tc.status == 200 && (resp.ContentLength != int64(len(tc.want)) || resp.Header.Get("Content-Type") != fiber.MIMEApplicationJSON) {
			t.Errorf("%s: Content-Length %d (body %d), Content-Type %q", tc.path, resp.ContentLength, len(body), resp.Header.Get("Content-Type"))
		}
	}
	if len(whole) < 4*answerChunk {
		t.Fatalf("the page (%d bytes) no longer spans chunks", len(whole))
	}
}

// appendAgentPage writes a decoded page as the API wrote it before it wrote each row
// as read (the reference of TestAgentRowsMatchTheDecodedAgents). With flush, what is
// written so far is handed on whenever it passes answerChunk.
func appendAgentPage(b []byte, page *db.AgentPage, orgUUID string, flush func([]byte) []byte) ([]byte, error) {
	b = append(b, `{"agents":[`...)
	for i, a := range page.Agents {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		if b, err = appendAgent(b, a, orgUUID); err != nil {
			return b, err
		}
		if flush != nil && len(b) >= answerChunk {
			b = flush(b)
		}
	}
	return appendPageEnd(b, page), nil
}
