package catalog

import (
	"strconv"
	"strings"
	"testing"
)

func TestBundledCatalogIsValid(t *testing.T) {
	c, err := Parse(Bundled)
	if err != nil {
		t.Fatal(err)
	}
	native, provider := 0, 0
	for _, tool := range c.Tools {
		if tool.Kind == "native" {
			native++
		} else {
			provider++
		}
		if len(tool.Version) != 12 {
			t.Errorf("%s: version %q", tool.Name, tool.Version)
		}
	}
	if native < 15 || provider < 3 {
		t.Fatalf("%d native, %d provider tools", native, provider)
	}
}

func TestParseRefusesBadSchemas(t *testing.T) {
	cases := map[string]string{
		`{"catalogVersion":"1","native":{"x":{"description":"d","parameters":{"type":"object","properties":{"a":{"type":"strnig"}}}}}}`: "invalid JSON Schema",
		`{"catalogVersion":"1","native":{"x":{"description":"d","parameters":{"type":"array"}}}}`:                                       `"type": "object"`,
		`{"catalogVersion":"1","native":{"Bad Name":{"description":"d","parameters":{"type":"object"}}}}`:                               "lowercase",
		`{"catalogVersion":"1","native":{"x":{"description":"","parameters":{"type":"object"}}}}`:                                       "description",
		`{"native":{"x":{"description":"d","parameters":{"type":"object"}}}}`:                                                           "catalogVersion",
		`{"catalogVersion":"1","native":{"x":{"description":"d","parameters":{"type":"object"}}},"provider":{"nocolon":{}}}`:            "provider:tool",
		`not json`: "not a catalog file",
		`{"catalogVersion":"1","native":{"x":{"description":"d","parameters":{"type":"object","properties":{"a":{"$ref":"/etc/passwd"}}}}}}`: "invalid JSON Schema",
		`{"catalogVersion":"1","native":{"x":{"description":"d","parameters":{"type":"object","$ref":"/dev/zero"}}}}`:                        "invalid JSON Schema",
	}
	for in, want := range cases {
		if _, err := Parse([]byte(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want %q", in, err, want)
		}
	}
}

// TestParseErrorsSayWhatIsWrongInWords: an admin uploading a catalog reads the tool,
// the field and the problem, never the server's file paths or the schema library's dump.
func TestParseErrorsSayWhatIsWrongInWords(t *testing.T) {
	tool := func(def string) string { return `{"catalogVersion":"1","native":{"web_search":` + def + `}}` }
	cases := map[string]string{
		tool(`{"description":"d","parameters":{"type":"object","properties":{"q":{"type":"strin"}}}}`):                                   "tool web_search: parameters: invalid JSON Schema: at /properties/q/type: value must be one of 'array', 'boolean', 'integer', 'null', 'number', 'object', 'string'",
		tool(`{"description":"d","parameters":{"type":"object","required":"q"}}`):                                                        "tool web_search: parameters: invalid JSON Schema: at /required: must be an array, not a string",
		tool(`{"description":"d","parameters":{"type":"object"},"configSchema":{"type":"object","properties":{"a":{"$ref":"#/nope"}}}}`): `tool web_search: configSchema: invalid JSON Schema: $ref "#/nope" points at nothing in this schema`,
		tool(`{"description":"d","parameters":{"type":"object","$ref":"/etc/passwd"}}`):                                                  "tool web_search: parameters: invalid JSON Schema: a $ref points outside this schema; only references inside it (#/…) are allowed",
		tool(`{"description":"d","parameters":{"type":"object"},"extra":1}`):                                                             `tool web_search: unknown field "extra"`,
		tool(`{"description":5,"parameters":{"type":"object"}}`):                                                                         "tool web_search: description must be a string, not number",
		"{\n\"catalogVersion\": \"1\",\n\"native\": {,}}":                                                                                "not a catalog file: not valid JSON at line 3",
	}
	for in, want := range cases {
		_, err := Parse([]byte(in))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s:\n got %v\nwant %q", in, err, want)
			continue
		}
		for _, leak := range []string{"file://", "/work", "jsonschema", "metaschema", "catalog.invalid", "allOf", "json:"} {
			if strings.Contains(err.Error(), leak) {
				t.Errorf("%s: the message shows %q: %v", in, leak, err)
			}
		}
	}
}

func TestValidateConfig(t *testing.T) {
	schema := []byte(`{"type":"object","properties":{"callableAgentIds":{"type":"array","items":{"type":"integer"}}},"additionalProperties":false}`)
	if p, msg := ValidateConfig(schema, []byte(`{"callableAgentIds":[1,2]}`)); msg != "" {
		t.Fatalf("valid config refused: %s %s", p, msg)
	}
	if p, msg := ValidateConfig(schema, []byte(`{"callableAgentIds":["x"]}`)); p != "/callableAgentIds/0" || msg == "" {
		t.Fatalf("bad item: %q %q", p, msg)
	}
	if _, msg := ValidateConfig(schema, []byte(`{"other":1}`)); msg == "" {
		t.Fatal("unknown key accepted")
	}
}

func FuzzParse(f *testing.F) {
	f.Add(string(Bundled))
	f.Add(`{"catalogVersion":"1","native":{"x":{"description":"d","parameters":{"type":"object"}}}}`)
	f.Fuzz(func(t *testing.T, s string) { Parse([]byte(s)) })
}

func TestFieldsFlattensNestedSchemas(t *testing.T) {
	fields := Fields([]byte(`{"type":"object","required":["to"],"properties":{
		"to":{"type":"array","items":{"type":"string","format":"email"},"minItems":1,"description":"Recipients"},
		"opts":{"type":"object","properties":{"mode":{"type":"string","enum":["a","b"]}}}}}`))
	if len(fields) != 3 || fields[0].Path != "to" || !fields[0].Required || fields[0].Type != "string[]" ||
		fields[1].Path != "opts" || fields[2].Path != "opts.mode" || fields[2].Depth != 1 || strings.Join(fields[2].Enum, ",") != "a,b" {
		t.Fatalf("%+v", fields)
	}
}

// TestParseEnforcesSizeLimits: the catalog is shown in every organisation's editor, so
// a file may hold at most MaxTools tools and MaxSchemaBytes of schema per tool; the
// error names the limit.
func TestParseEnforcesSizeLimits(t *testing.T) {
	tool := func(schema string) string { return `{"description":"d","parameters":` + schema + `}` }
	file := func(natives, providers int, schema string) []byte {
		var b strings.Builder
		b.WriteString(`{"catalogVersion":"t","native":{`)
		for i := 0; i < natives; i++ {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString(`"tool_` + strconv.Itoa(i) + `":` + tool(schema))
		}
		b.WriteString(`},"provider":{`)
		for i := 0; i < providers; i++ {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString(`"acme:p` + strconv.Itoa(i) + `":{"description":"p"}`)
		}
		b.WriteString(`}}`)
		return []byte(b.String())
	}
	small := `{"type":"object"}`
	// A schema just over the limit: an object whose description pads it.
	big := `{"type":"object","description":"` + strings.Repeat("x", MaxSchemaBytes) + `"}`
	for _, tc := range []struct {
		name string
		file []byte
		want string // "" = accepted
	}{
		{"500 tools", file(400, 100, small), ""},
		{"501 native tools", file(501, 0, small), "too many tools: 501 (at most 500)"},
		{"501 with providers", file(450, 51, small), "too many tools: 501 (at most 500)"},
		{"a schema of 64 KB", file(1, 0, `{"type":"object","description":"`+strings.Repeat("x", MaxSchemaBytes-40)+`"}`), ""},
		{"a schema over 64 KB", file(1, 0, big), "at most 64 KB per tool"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.file)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("got %v, want an error with %q", err, tc.want)
			}
		})
	}
}
