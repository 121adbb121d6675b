// Package catalog reads the platform's tool catalog: native tools (a description and
// JSON Schema parameters, optionally a JSON Schema for their per-agent config) and
// provider tools ("provider:tool"). Every schema is checked with a JSON Schema library
// (santhosh-tekuri/jsonschema, draft 2020-12) when a catalog is loaded.
package catalog

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Bundled is the catalog that ships with the product.
//
//go:embed catalog.json
var Bundled []byte

// Tool is one catalog entry.
type Tool struct {
	Name         string          `json:"name"`
	Kind         string          `json:"kind"` // native | provider
	Category     string          `json:"category"`
	Description  string          `json:"description"`
	Parameters   json.RawMessage `json:"parameters,omitempty"`
	ConfigSchema json.RawMessage `json:"configSchema,omitempty"`
	Version      string          `json:"version"` // content hash of the definition
}

// Definition is what an agent stores for the tool (seed 001's two shapes):
// {description, parameters} for native tools, {"isProviderTool": true} for provider tools.
func (t *Tool) Definition() json.RawMessage {
	if t.Kind == "provider" {
		return json.RawMessage(`{"isProviderTool":true}`)
	}
	b, _ := json.Marshal(struct {
		Description string          `json:"description"`
		Parameters  json.RawMessage `json:"parameters"`
	}{t.Description, t.Parameters})
	return Canonical(b)
}

// Catalog is a loaded, validated catalog.
type Catalog struct {
	Version string
	Tools   []Tool // sorted by name
}

// file is a catalog file; each tool is decoded on its own so that an error names it.
type file struct {
	CatalogVersion string                     `json:"catalogVersion"`
	Native         map[string]json.RawMessage `json:"native"`
	Provider       map[string]json.RawMessage `json:"provider"`
}

type nativeTool struct {
	Category     string          `json:"category"`
	Description  string          `json:"description"`
	Parameters   json.RawMessage `json:"parameters"`
	ConfigSchema json.RawMessage `json:"configSchema"`
}

type providerTool struct {
	Description string `json:"description"`
}

// Limits of a catalog file: every organisation's editor and tool picker lists the whole
// catalog, so one upload must not make every page heavy.
const (
	MaxTools       = 500      // native and provider tools together
	MaxSchemaBytes = 64 << 10 // JSON Schema per tool: parameters and configSchema together
)

var (
	nativeName   = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)
	providerName = regexp.MustCompile(`^[a-z][a-z0-9-]*:[a-z][a-z0-9_.-]*$`)
)

// Parse reads and checks a catalog file. Every error names the tool and field and
// says what is wrong in words, never with a file path or the library's internals: the
// message is shown to the admin who uploaded the file.
func Parse(data []byte) (*Catalog, error) {
	var f file
	if err := strictDecode(data, &f); err != nil {
		return nil, fmt.Errorf("catalog: not a catalog file: %s", err)
	}
	if strings.TrimSpace(f.CatalogVersion) == "" {
		return nil, fmt.Errorf("catalog: catalogVersion is required")
	}
	if len(f.Native) == 0 {
		return nil, fmt.Errorf("catalog: no native tools")
	}
	if n := len(f.Native) + len(f.Provider); n > MaxTools {
		return nil, fmt.Errorf("catalog: too many tools: %d (at most %d)", n, MaxTools)
	}
	c := &Catalog{Version: f.CatalogVersion}
	for _, name := range sortedKeys(f.Native) {
		if !nativeName.MatchString(name) {
			return nil, fmt.Errorf("catalog: native tool name %q must be lowercase letters, digits and _", name)
		}
		var n nativeTool
		if err := strictDecode(f.Native[name], &n); err != nil {
			return nil, fmt.Errorf("catalog: tool %s: %s", name, err)
		}
		if strings.TrimSpace(n.Description) == "" {
			return nil, fmt.Errorf("catalog: tool %s: description is required", name)
		}
		if size := len(n.Parameters) + len(n.ConfigSchema); size > MaxSchemaBytes {
			return nil, fmt.Errorf("catalog: %s: JSON Schema too large: %d bytes (at most %d KB per tool)", name, size, MaxSchemaBytes>>10)
		}
		if err := checkSchema(n.Parameters, true); err != nil {
			return nil, fmt.Errorf("catalog: tool %s: parameters: %w", name, err)
		}
		if len(n.ConfigSchema) > 0 {
			if err := checkSchema(n.ConfigSchema, true); err != nil {
				return nil, fmt.Errorf("catalog: tool %s: configSchema: %w", name, err)
			}
		}
		t := Tool{Name: name, Kind: "native", Category: n.Category, Description: n.Description, Parameters: Canonical(n.Parameters)}
		if len(n.ConfigSchema) > 0 {
			t.ConfigSchema = Canonical(n.ConfigSchema)
		}
		if t.Category == "" {
			t.Category = "other"
		}
		t.Version = version(t.Definition(), t.ConfigSchema)
		c.Tools = append(c.Tools, t)
	}
	for _, name := range sortedKeys(f.Provider) {
		if !providerName.MatchString(name) {
			return nil, fmt.Errorf("catalog: provider tool name %q must look like provider:tool", name)
		}
		var p providerTool
		if err := strictDecode(f.Provider[name], &p); err != nil {
			return nil, fmt.Errorf("catalog: tool %s: %s", name, err)
		}
		t := Tool{Name: name, Kind: "provider", Category: "provider", Description: p.Description}
		t.Version = version(t.Definition(), []byte(t.Description))
		c.Tools = append(c.Tools, t)
	}
	sort.Slice(c.Tools, func(i, j int) bool { return c.Tools[i].Name < c.Tools[j].Name })
	return c, nil
}

// strictDecode decodes one JSON value refusing unknown fields, with an error in words
// ("unknown field \"x\"", "description must be a string", "not valid JSON at line 3").
func strictDecode(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &syntax):
		line := 1 + bytes.Count(data[:min(int(syntax.Offset), len(data))], []byte("\n"))
		return fmt.Errorf("not valid JSON at line %d (%s)", line, syntax.Error())
	case errors.As(err, &typ):
		if typ.Field == "" {
			return fmt.Errorf("must be a JSON object, not %s", typ.Value)
		}
		return fmt.Errorf("%s must be %s, not %s", typ.Field, jsonTypeOf(typ.Type.Kind().String()), typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return fmt.Errorf("not valid JSON (the file ends too early)")
	}
	return errors.New(strings.TrimPrefix(err.Error(), "json: "))
}

func jsonTypeOf(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "map", "struct":
		return "an object"
	case "slice":
		return "an array"
	}
	return goKind
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// schemaURL names the schema being checked. It is an absolute URL on a reserved name
// (RFC 2606) so that nothing resolves against the server's working directory: a
// relative name became file:///<server path>/schema.json in every error message.
const schemaURL = "https://catalog.invalid/schema.json"

// checkSchema compiles a JSON Schema (which also validates it against the 2020-12
// meta-schema); parameters must describe an object.
func checkSchema(raw json.RawMessage, mustBeObject bool) error {
	if len(raw) == 0 {
		return fmt.Errorf("missing")
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return fmt.Errorf("not valid JSON")
	}
	if mustBeObject {
		m, ok := doc.(map[string]any)
		if !ok || m["type"] != "object" {
			return fmt.Errorf(`must be a JSON Schema with "type": "object"`)
		}
	}
	c := newCompiler()
	if err := c.AddResource(schemaURL, doc); err != nil {
		return fmt.Errorf("invalid JSON Schema")
	}
	if _, err := c.Compile(schemaURL); err != nil {
		return fmt.Errorf("invalid JSON Schema: %s", schemaProblem(err))
	}
	return nil
}

// schemaProblem says in words why a schema does not compile: where in the schema and
// what, from the library's error types (never its raw dump, which names URLs, the
// meta-schema and every branch it tried).
func schemaProblem(err error) string {
	var (
		invalid  *jsonschema.SchemaValidationError
		load     *jsonschema.LoadURLError
		pointer  *jsonschema.JSONPointerNotFoundError
		anchor   *jsonschema.AnchorNotFoundError
		regex    *jsonschema.InvalidRegexError
		unscheme *jsonschema.UnsupportedURLSchemeError
	)
	switch {
	case errors.As(err, &invalid):
		var ve *jsonschema.ValidationError
		if errors.As(invalid.Err, &ve) {
			leaf := ve
			for len(leaf.Causes) > 0 {
				leaf = leaf.Causes[0]
			}
			msg := strings.TrimSpace(leaf.ErrorKind.LocalizedString(english))
			if m := gotWant.FindStringSubmatch(msg); m != nil {
				msg = "must be " + article(m[2]) + ", not " + article(m[1])
			}
			if len(leaf.InstanceLocation) == 0 {
				return msg
			}
			return "at /" + strings.Join(leaf.InstanceLocation, "/") + ": " + msg
		}
		return "it does not follow the JSON Schema 2020-12 rules"
	case errors.As(err, &load) || errors.As(err, &unscheme):
		return "a $ref points outside this schema; only references inside it (#/…) are allowed"
	case errors.As(err, &pointer):
		return "$ref " + refOf(pointer.URL) + " points at nothing in this schema"
	case errors.As(err, &anchor):
		return "$ref " + refOf(anchor.Reference) + " points at nothing in this schema"
	case errors.As(err, &regex):
		return fmt.Sprintf("%q is not a valid regular expression", regex.Regex)
	}
	return "it cannot be compiled" // unknown to us: say so rather than dump the library's text
}

// gotWant is the library's type mismatch ("got string, want array").
var gotWant = regexp.MustCompile(`^got (\w+), want (\w+)$`)

func article(jsonType string) string {
	if strings.ContainsRune("aeiou", rune(jsonType[0])) {
		return "an " + jsonType
	}
	return "a " + jsonType
}

// refOf is the part of a resolved reference the author wrote (#/…).
func refOf(u string) string {
	if i := strings.IndexByte(u, '#'); i >= 0 {
		return `"` + u[i:] + `"`
	}
	return "reference"
}

// ValidateConfig checks a tool's per-agent config against the tool's configSchema.
// It returns the JSON pointer of the first problem and a message, or "" when valid.
func ValidateConfig(configSchema, config json.RawMessage) (pointer, message string) {
	if len(configSchema) == 0 || len(config) == 0 {
		return "", ""
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(configSchema))
	if err != nil {
		return "", ""
	}
	c := newCompiler()
	c.AddResource("config.json", doc)
	sch, err := c.Compile("config.json")
	if err != nil {
		return "", ""
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(config))
	if err != nil {
		return "", "Expected object"
	}
	if err := sch.Validate(inst); err != nil {
		if ve, ok := err.(*jsonschema.ValidationError); ok {
			leaf := ve
			for len(leaf.Causes) > 0 {
				leaf = leaf.Causes[0]
			}
			return "/" + strings.Join(leaf.InstanceLocation, "/"), strings.TrimSpace(leaf.ErrorKind.LocalizedString(english))
		}
		return "", err.Error()
	}
	return "", ""
}

var english = message.NewPrinter(language.English)

// newCompiler is a draft 2020-12 compiler that loads nothing from outside: a "$ref" to
// a file or URL is an error, never a read of the server's disk or the network (the
// library's default loader reads files; a fuzz run found "$ref" hanging on one).
func newCompiler() *jsonschema.Compiler {
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.UseLoader(jsonschema.SchemeURLLoader{})
	return c
}

func version(parts ...[]byte) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write(p)
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// Canonical re-encodes JSON with sorted keys and no spaces, numbers kept exactly;
// anything that is not JSON is returned as it is. The store compares and stores tool
// definitions in this form too.
func Canonical(raw []byte) json.RawMessage {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return raw
	}
	b, err := json.Marshal(v)
	if err != nil {
		return raw
	}
	return b
}
