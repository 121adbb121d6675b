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
	"fmt"
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
	return canonical(b)
}

// Catalog is a loaded, validated catalog.
type Catalog struct {
	Version string
	Tools   []Tool // sorted by name
}

type file struct {
	CatalogVersion string `json:"catalogVersion"`
	Native         map[string]struct {
		Category     string          `json:"category"`
		Description  string          `json:"description"`
		Parameters   json.RawMessage `json:"parameters"`
		ConfigSchema json.RawMessage `json:"configSchema"`
	} `json:"native"`
	Provider map[string]struct {
		Description string `json:"description"`
	} `json:"provider"`
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

// Parse reads and checks a catalog file. Every error names the tool and field.
func Parse(data []byte) (*Catalog, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f file
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("catalog: not a catalog file: %w", err)
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
	for name, n := range f.Native {
		if !nativeName.MatchString(name) {
			return nil, fmt.Errorf("catalog: native tool name %q must be lowercase letters, digits and _", name)
		}
		if strings.TrimSpace(n.Description) == "" {
			return nil, fmt.Errorf("catalog: %s: description is required", name)
		}
		if size := len(n.Parameters) + len(n.ConfigSchema); size > MaxSchemaBytes {
			return nil, fmt.Errorf("catalog: %s: JSON Schema too large: %d bytes (at most %d KB per tool)", name, size, MaxSchemaBytes>>10)
		}
		if err := checkSchema(n.Parameters, true); err != nil {
			return nil, fmt.Errorf("catalog: %s: parameters: %w", name, err)
		}
		if len(n.ConfigSchema) > 0 {
			if err := checkSchema(n.ConfigSchema, true); err != nil {
				return nil, fmt.Errorf("catalog: %s: configSchema: %w", name, err)
			}
		}
		t := Tool{Name: name, Kind: "native", Category: n.Category, Description: n.Description, Parameters: canonical(n.Parameters)}
		if len(n.ConfigSchema) > 0 {
			t.ConfigSchema = canonical(n.ConfigSchema)
		}
		if t.Category == "" {
			t.Category = "other"
		}
		t.Version = version(t.Definition(), t.ConfigSchema)
		c.Tools = append(c.Tools, t)
	}
	for name, p := range f.Provider {
		if !providerName.MatchString(name) {
			return nil, fmt.Errorf("catalog: provider tool name %q must look like provider:tool", name)
		}
		t := Tool{Name: name, Kind: "provider", Category: "provider", Description: p.Description}
		t.Version = version(t.Definition(), []byte(t.Description))
		c.Tools = append(c.Tools, t)
	}
	sort.Slice(c.Tools, func(i, j int) bool { return c.Tools[i].Name < c.Tools[j].Name })
	return c, nil
}

// checkSchema compiles a JSON Schema (which also validates it against the 2020-12
// meta-schema); parameters must describe an object.
func checkSchema(raw json.RawMessage, mustBeObject bool) error {
	if len(raw) == 0 {
		return fmt.Errorf("missing")
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	if mustBeObject {
		m, ok := doc.(map[string]any)
		if !ok || m["type"] != "object" {
			return fmt.Errorf(`must be a JSON Schema with "type": "object"`)
		}
	}
	c := newCompiler()
	if err := c.AddResource("schema.json", doc); err != nil {
		return err
	}
	if _, err := c.Compile("schema.json"); err != nil {
		return fmt.Errorf("invalid JSON Schema: %w", err)
	}
	return nil
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

// canonical re-encodes JSON with sorted keys and no spaces, numbers kept exactly.
func canonical(raw []byte) json.RawMessage {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return raw
	}
	b, _ := json.Marshal(v)
	return b
}
