package handlers

import (
	"encoding/json"
	"io"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"agentconsole/db"
	"agentconsole/db/jsonenc"
)

// The agent is the API's biggest answer (a list page is 50 of them with their prompts
// and tools), and encoding/json writing agentJSON by reflection, after toAgentJSON's
// copy, was a third of GET /api/agents' server CPU. appendAgent writes the same bytes
// straight from the agent: agentJSON's fields in its order, strings escaped as
// encoding/json escapes them (HTML characters, U+2028/2029, invalid UTF-8 as U+FFFD),
// tools compacted and keys sorted as encoding/json does with a map. agentJSON stays the
// schema: the TestAppendAgentMatchesEncodingJSON tests compare the two on the demo seed's agents
// and on agents holding every field with hostile values, so a field added to agentJSON
// and not here fails it.

// appendAgent appends the agent as json.Marshal(toAgentJSON(a, orgUUID)) writes it.
func appendAgent(b []byte, a *db.Agent, orgUUID string) ([]byte, error) {
	return appendAgentFields(b, a, nil, orgUUID)
}

// appendAgentRow appends an agent of the API's list as it is read (db.AgentRow: the
// prompt, tools and string lists as PostgreSQL's text), as appendAgent writes the
// agent those decode to (TestAgentRowsMatchTheDecodedAgents).
func appendAgentRow(b []byte, r *db.AgentRow, orgUUID string) ([]byte, error) {
	return appendAgentFields(b, &r.Agent, r, orgUUID)
}

// appendAgentFields writes the agent's fields up to its integrations, from raw's text
// where raw is given, then the rest (appendAgentRest).
func appendAgentFields(b []byte, a *db.Agent, raw *db.AgentRow, orgUUID string) ([]byte, error) {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, a.ID, 10)
	b = appendKeyString(b, `,"uuid":`, a.UUID)
	b = appendKeyString(b, `,"organizationId":`, orgUUID)
	b = appendKeyString(b, `,"name":`, a.Name)
	b = appendKeyStringPtr(b, `,"description":`, a.Description)
	b = appendKeyStringPtr(b, `,"logoUrl":`, a.LogoURL)
	b = appendKeyStringPtr(b, `,"icon":`, a.LogoURL)
	b = append(b, `,"conversationStarters":`...)
	var err error
	if raw == nil {
		b = appendStrings(b, a.ConversationStarters)
	} else if b, err = jsonenc.AppendStringList(b, raw.StartersJSON); err != nil {
		return b, err
	}
	b = appendKeyStringPtr(b, `,"model":`, a.Model)
	b = appendKeyStringPtr(b, `,"modelAlias":`, a.Model)
	b = append(b, `,"maxToolRoundtrips":`...)
	if a.MaxToolRoundtrips == nil {
		b = append(b, "null"...)
	} else {
		b = strconv.AppendInt(b, int64(*a.MaxToolRoundtrips), 10)
	}
	switch {
	case raw == nil:
		b = appendKeyStringPtr(b, `,"systemPrompt":`, a.SystemPrompt)
		b, err = appendTools(append(b, `,"tools":`...), a.Tools)
	case raw.PromptText == nil:
		b, err = jsonenc.AppendObjectAndKeys(append(b, `,"systemPrompt":null,"tools":`...), raw.ToolsJSON, `,"toolNames":`)
	default:
		b = jsonenc.AppendBytesString(append(b, `,"systemPrompt":`...), raw.PromptText)
		b, err = jsonenc.AppendObjectAndKeys(append(b, `,"tools":`...), raw.ToolsJSON, `,"toolNames":`)
	}
	if err != nil {
		return b, err
	}
	b = append(b, `,"integrations":`...)
	if raw == nil {
		b = appendStrings(b, a.Integrations)
	} else if b, err = jsonenc.AppendStringList(b, raw.IntegrationsJSON); err != nil {
		return b, err
	}
	return appendAgentRest(b, a), nil
}

// appendAgentRest writes the agent's fields from mcpServers on, and closes it.
func appendAgentRest(b []byte, a *db.Agent) []byte {
	b = appendInts(append(b, `,"mcpServers":`...), a.MCPServers)
	b = appendKeyString(b, `,"stage":`, a.Stage)
	b = strconv.AppendBool(append(b, `,"showInChat":`...), a.ShowInChat)
	b = appendKeyStringPtr(b, `,"emailSlug":`, a.EmailSlug)
	b = appendInts(append(b, `,"tagIds":`...), a.TagIDs)
	b = append(b, `,"tags":[`...)
	for i, t := range a.Tags {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(append(b, `{"id":`...), t.ID, 10)
		b = append(appendKeyString(b, `,"name":`, t.Name), '}')
	}
	b = appendKeyStringPtr(append(b, ']'), `,"planningMode":`, a.PlanningMode)
	b = appendContextDocs(append(b, `,"contextDocs":`...), a.ContextDocs)
	b = appendKeyString(b, `,"agentType":`, a.AgentType)
	b = appendExternalConfig(append(b, `,"externalConfig":`...), a.ExternalConfig)
	b = appendInputs(append(b, `,"inputs":`...), a.Inputs)
	b = appendKeyStringPtr(b, `,"tinesStoryImportId":`, a.TinesStoryImportID)
	b = appendKeyString(b, `,"status":`, a.Status())
	b = append(b, `,"publishedVersionId":`...)
	if a.PublishedVersionID == nil {
		b = append(b, "null"...)
	} else {
		b = strconv.AppendInt(b, *a.PublishedVersionID, 10)
	}
	b = appendSeedTime(append(b, `,"createdAt":`...), a.CreatedAt)
	b = appendSeedTime(append(b, `,"updatedAt":`...), a.UpdatedAt)
	b = append(b, `,"deletedAt":`...)
	if a.DeletedAt == nil {
		b = append(b, "null"...)
	} else {
		b = appendSeedTime(b, *a.DeletedAt)
	}
	return append(b, '}')
}

// appendSeedTime writes a time as seedTime does.
func appendSeedTime(b []byte, t time.Time) []byte {
	return append(t.UTC().AppendFormat(append(b, '"'), seedTimeLayout), '"')
}

func appendKeyString(b []byte, key, s string) []byte {
	return jsonenc.AppendString(append(b, key...), s)
}

func appendKeyStringPtr(b []byte, key string, s *string) []byte {
	b = append(b, key...)
	if s == nil {
		return append(b, "null"...)
	}
	return jsonenc.AppendString(b, *s)
}

// appendStrings writes a list of strings; nil is [] (CopyAgentFields' rule).
func appendStrings(b []byte, list []string) []byte {
	b = append(b, '[')
	for i, s := range list {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonenc.AppendString(b, s)
	}
	return append(b, ']')
}

func appendInts(b []byte, list []int64) []byte {
	b = append(b, '[')
	for i, n := range list {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, n, 10)
	}
	return append(b, ']')
}

// appendTools writes the tools by name, each definition compacted with HTML characters
// escaped (what encoding/json does with a json.RawMessage), then toolNames.
func appendTools(b []byte, tools map[string]json.RawMessage) ([]byte, error) {
	var stack [16]string // an agent's tools usually fit: no allocation
	names := stack[:0]
	for name := range tools {
		names = append(names, name)
	}
	slices.Sort(names)
	b = append(b, '{')
	for i, name := range names {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(jsonenc.AppendString(b, name), ':')
		var err error
		if b, err = jsonenc.AppendRaw(b, tools[name]); err != nil {
			return b, err
		}
	}
	b = append(b, `},"toolNames":`...)
	return appendStrings(b, names), nil
}

func appendContextDocs(b []byte, docs []db.ContextDoc) []byte {
	b = append(b, '[')
	for i, d := range docs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendKeyString(b, `{"provider":`, d.Provider)
		b = appendKeyString(b, `,"id":`, d.ID)
		if d.Name != "" {
			b = appendKeyString(b, `,"name":`, d.Name)
		}
		if d.MimeType != "" {
			b = appendKeyString(b, `,"mimeType":`, d.MimeType)
		}
		b = append(b, '}')
	}
	return append(b, ']')
}

func appendExternalConfig(b []byte, c *db.ExternalConfig) []byte {
	if c == nil {
		return append(b, "null"...)
	}
	sep := byte('{')
	if c.AgentCardURL != "" {
		b = appendKeyString(append(b, sep), `"agentCardUrl":`, c.AgentCardURL)
		sep = ','
	}
	if c.EndpointURL != "" {
		b = appendKeyString(append(b, sep), `"endpointUrl":`, c.EndpointURL)
		sep = ','
	}
	if c.RefreshIntervalMinutes != 0 {
		b = strconv.AppendInt(append(append(b, sep), `"refreshIntervalMinutes":`...), int64(c.RefreshIntervalMinutes), 10)
		sep = ','
	}
	if sep == '{' {
		b = append(b, '{')
	}
	return append(b, '}')
}

func appendInputs(b []byte, inputs []db.AgentInput) []byte {
	b = append(b, '[')
	for i, in := range inputs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendKeyString(b, `{"type":`, in.Type)
		b = appendKeyString(b, `,"name":`, in.Name)
		b = appendKeyString(b, `,"description":`, in.Description)
		b = append(strconv.AppendBool(append(b, `,"required":`...), in.Required), '}')
	}
	return append(b, ']')
}

// answerBuffers keeps the chunks answers are appended into between requests: a chunk
// of an answer, never a whole list page (see sendJSONBytes).
var answerBuffers = sync.Pool{New: func() any { return new([]byte) }}

// sendJSONBytes answers with JSON that fill appends, with the headers c.JSON sets. fill
// may hand what it has so far to flush, which keeps it as a chunk of the answer and
// gives fill a fresh one. An answer that fits one chunk is the response body; a longer
// one (a list page of heavy agents, a few hundred KB to megabytes, up to
// MAX_REQUESTS_IN_FLIGHT of them at once) is written to the connection from its chunks
// (answerChunks), with its Content-Length: never copied into fasthttp's body buffer,
// which grew by copying to the whole page (garbage a few times its size per request)
// and kept a page-sized buffer per pooled body (most of the heap under heavy pages).
func sendJSONBytes(c *fiber.Ctx, fill func(b []byte, flush func([]byte) []byte) ([]byte, error)) error {
	resp := c.Response()
	resp.ResetBody()
	out := &answerChunks{}
	cur := answerBuffers.Get().(*[]byte)
	b, err := fill((*cur)[:0], func(b []byte) []byte {
		*cur = b
		out.chunks, out.size = append(out.chunks, cur), out.size+len(b)
		cur = answerBuffers.Get().(*[]byte)
		return (*cur)[:0]
	})
	*cur = b
	out.chunks, out.size = append(out.chunks, cur), out.size+len(b)
	switch {
	case err != nil:
		out.Close()
		resp.ResetBody()
		return err
	case len(out.chunks) == 1:
		resp.AppendBody(b)
		out.Close()
	default:
		resp.SetBodyStream(out, out.size) // fasthttp closes it once written (or reset)
	}
	resp.Header.SetContentType(fiber.MIMEApplicationJSON)
	return nil
}

// answerChunk is how much of an answer fill gathers before it flushes.
const answerChunk = 32 << 10

// answerChunks is an answer held as chunks, read once by fasthttp as the response's
// body stream; Close gives the chunks back to answerBuffers.
type answerChunks struct {
	chunks []*[]byte
	size   int
	next   int // the chunk Read is in, and how far
	off    int
}

func (a *answerChunks) Read(p []byte) (int, error) {
	for a.next < len(a.chunks) {
		chunk := *a.chunks[a.next]
		if a.off < len(chunk) {
			n := copy(p, chunk[a.off:])
			a.off += n
			return n, nil
		}
		a.next, a.off = a.next+1, 0
	}
	return 0, io.EOF
}

// WriteTo writes the chunks as they are (io.Copy prefers it to Read).
func (a *answerChunks) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for a.next < len(a.chunks) {
		n, err := w.Write((*a.chunks[a.next])[a.off:])
		total += int64(n)
		if err != nil {
			a.off += n
			return total, err
		}
		a.next, a.off = a.next+1, 0
	}
	return total, nil
}

// Close gives the chunks back, but not a rare giant one (an agent bigger than a chunk).
func (a *answerChunks) Close() error {
	for _, chunk := range a.chunks {
		if cap(*chunk) <= answerChunk*4 {
			*chunk = (*chunk)[:0]
			answerBuffers.Put(chunk)
		}
	}
	a.chunks, a.next, a.off = nil, 0, 0
	return nil
}
