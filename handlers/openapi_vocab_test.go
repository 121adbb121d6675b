package handlers

import (
	"fmt"
	"slices"
	"testing"

	"gopkg.in/yaml.v3"

	"agentconsole/db"
	"agentconsole/handlers/openapi"
)

// The API document states each agent field of the vocabulary with the vocabulary's
// limits: a field added to db.AgentFields without its property, or a limit changed in
// one place only, fails here.
func TestOpenAPIAgentInputFollowsTheVocabulary(t *testing.T) {
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]map[string]any `yaml:"properties"`
			} `yaml:"schemas"`
		} `yaml:"components"`
	}
	if err := yaml.Unmarshal(openapi.YAML, &doc); err != nil {
		t.Fatal(err)
	}
	props := doc.Components.Schemas["AgentInput"].Properties
	for _, f := range db.AgentFields {
		p, ok := props[f.JSON]
		if !ok {
			t.Errorf("AgentInput has no property %s", f.JSON)
			continue
		}
		limit := ""
		switch f.Kind {
		case db.KindString, db.KindText:
			limit = "maxLength"
		case db.KindStringList, db.KindIDList:
			limit = "maxItems"
		case db.KindInt:
			limit = "maximum"
		case db.KindEnum:
			enum, _ := p["enum"].([]any)
			for _, o := range f.Options {
				if !slices.Contains(enum, any(o)) {
					t.Errorf("%s: enum %v lacks %q", f.JSON, enum, o)
				}
			}
		}
		if limit != "" && f.Max > 0 && fmt.Sprint(p[limit]) != fmt.Sprint(f.Max) {
			t.Errorf("%s: %s is %v, the validator's limit %d", f.JSON, limit, p[limit], f.Max)
		}
		if f.Kind == db.KindStringList && f.ItemMax > 0 {
			items, _ := p["items"].(map[string]any)
			if fmt.Sprint(items["maxLength"]) != fmt.Sprint(f.ItemMax) {
				t.Errorf("%s: items maxLength is %v, the validator's limit %d", f.JSON, items["maxLength"], f.ItemMax)
			}
		}
		for _, alias := range f.Aliases {
			if _, ok := props[alias]; !ok {
				t.Errorf("AgentInput has no property %s (alias of %s)", alias, f.JSON)
			}
		}
	}
}
