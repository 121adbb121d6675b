package db

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// sampleAgent is a valid agent whose field f holds its sample value.
func sampleAgent(t *testing.T, f AgentField) *Agent {
	t.Helper()
	a := &Agent{Name: "base", Stage: "development", AgentType: "native"}
	if f.JSON == "externalConfig" {
		a.AgentType = "external"
	}
	if err := json.Unmarshal([]byte(`{"`+f.JSON+`":`+string(f.Sample())+`}`), a); err != nil {
		t.Fatalf("%s: sample: %v", f.JSON, err)
	}
	if a.AgentType == "external" && a.ExternalConfig == nil { // an external agent needs its card
		ext, _ := AgentFieldByJSON("externalConfig")
		json.Unmarshal([]byte(ext.Example), &a.ExternalConfig)
	}
	return a
}

// applied is what Apply makes of the patch on an agent holding only what a save needs.
func applied(t *testing.T, f AgentField, p *AgentPatch, want *Agent) *Agent {
	t.Helper()
	got := &Agent{ID: 1, Name: "base", AgentType: "native"}
	if issues := p.Apply(got); len(issues) > 0 {
		t.Fatalf("%s: Apply refused its sample: %+v", f.JSON, issues)
	}
	return got
}

func sameField(t *testing.T, how string, f AgentField, got, want *Agent) {
	t.Helper()
	g, w := agentValue(got, f.JSON).Interface(), agentValue(want, f.JSON).Interface()
	gj, _ := json.Marshal(g)
	wj, _ := json.Marshal(w)
	if string(gj) != string(wj) {
		t.Errorf("%s through %s: got %s, want %s", f.JSON, how, gj, wj)
	}
}

// Every field of the vocabulary round-trips through the API's JSON and Apply, the
// editor's form mapping, export and import, and has a diff label: a new entry is
// covered here without a new test.
func TestAgentFieldsRoundTrip(t *testing.T) {
	for _, f := range AgentFields {
		t.Run(f.JSON, func(t *testing.T) {
			want := sampleAgent(t, f)
			// API: the agent's JSON read back as a patch and applied.
			body, _ := json.Marshal(want)
			var p AgentPatch
			if err := json.Unmarshal(body, &p); err != nil {
				t.Fatal(err)
			}
			p.ID, p.PublishedVersionID = Opt[int64]{}, Opt[int64]{}
			sameField(t, "the API", f, applied(t, f, &p, want), want)

			// The editor's form: its values set on an empty patch.
			if values, ok := f.FormValues(want); ok {
				var fp AgentPatch
				if !f.SetFromForm(&fp, values) {
					t.Fatalf("FormValues gave %q but SetFromForm refused it", values)
				}
				fp.AgentType, fp.ExternalConfig = p.AgentType, p.ExternalConfig
				sameField(t, "the form", f, applied(t, f, &fp, want), want)
			} else if f.Form != "" {
				t.Errorf("form field %q has no form mapping for its kind", f.Form)
			}

			// Export and import (fields copied as they are).
			if f.Export == ExportCopy {
				var doc ExportAgent
				exportCopy(want, &doc)
				var ip AgentPatch
				importCopy(&doc, &ip)
				sameField(t, "export and import", f, applied(t, f, &ip, want), want)
			}

			// Diff labels and summaries name it by its label.
			if f.Label == "" || FieldLabelOf(f.JSON) != f.Label || LabelSummary("changed "+f.JSON) != "changed "+f.Label {
				t.Errorf("label of %s: %q", f.JSON, FieldLabelOf(f.JSON))
			}
			for _, alias := range f.Aliases {
				if FieldLabelOf(alias) != f.Label {
					t.Errorf("alias %s is labelled %q", alias, FieldLabelOf(alias))
				}
			}
		})
	}
}

// Every content field of the agent's JSON is in the vocabulary (and every entry is a
// field of Agent, AgentPatch and, when copied, ExportAgent with the same type), so a
// field added to the model without an entry fails here.
func TestAgentFieldsCoverTheModel(t *testing.T) {
	notContent := map[string]bool{"id": true, "publishedVersionId": true, "createdAt": true, "updatedAt": true, "deletedAt": true}
	declared := map[string]bool{}
	for _, f := range AgentFields {
		if declared[f.JSON] {
			t.Errorf("%s is declared twice", f.JSON)
		}
		declared[f.JSON] = true
		if _, ok := agentFieldIndex[f.JSON]; !ok {
			t.Errorf("%s is not a field of Agent", f.JSON)
		}
		if _, ok := patchFieldIndex[f.JSON]; !ok {
			t.Errorf("%s is not a field of AgentPatch", f.JSON)
		}
		for _, alias := range f.Aliases {
			if _, ok := patchFieldIndex[alias]; !ok {
				t.Errorf("alias %s is not a field of AgentPatch", alias)
			}
		}
		if f.Export == ExportCopy {
			i, ok := exportFieldIndex[f.JSON]
			if !ok {
				t.Errorf("%s is exported as is but ExportAgent has no such field", f.JSON)
			} else if et, at := reflect.TypeOf(ExportAgent{}).Field(i).Type, agentValue(&Agent{}, f.JSON).Type(); et != at {
				t.Errorf("%s: ExportAgent holds %v, Agent %v", f.JSON, et, at)
			}
		}
		if f.Kind == KindEnum && len(f.Options) == 0 || (f.Kind == KindString || f.Kind == KindText) && f.Max == 0 && f.apply == nil {
			t.Errorf("%s: its kind needs options or a limit", f.JSON)
		}
	}
	for name := range agentFieldIndex {
		if !declared[name] && !notContent[name] {
			t.Errorf("Agent's %s is not in AgentFields", name)
		}
	}
}

// A value over a field's limit is refused with the field's path, whichever way it comes.
func TestAgentFieldLimits(t *testing.T) {
	for _, f := range AgentFields {
		if f.Max == 0 || f.apply != nil && f.Kind != KindStringList {
			continue
		}
		var body string
		switch f.Kind {
		case KindString, KindText:
			body = `"` + strings.Repeat("x", f.Max+1) + `"`
		case KindInt:
			b, _ := json.Marshal(int64(f.Max) + 1)
			body = string(b)
		case KindStringList, KindIDList:
			items := make([]string, f.Max+1)
			for i := range items {
				items[i] = "1"
				if f.Kind == KindStringList {
					items[i] = `"x"`
				}
			}
			body = "[" + strings.Join(items, ",") + "]"
		default:
			continue
		}
		var p AgentPatch
		if err := json.Unmarshal([]byte(`{"`+f.JSON+`":`+body+`}`), &p); err != nil {
			continue // not representable (an int over the Go int range)
		}
		issues := p.Apply(&Agent{ID: 1, Name: "n"})
		if len(issues) == 0 || issues[0].Path[0] != f.JSON {
			t.Errorf("%s over its limit %d: %+v", f.JSON, f.Max, issues)
		}
	}
}
