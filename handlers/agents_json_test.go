package handlers

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"agentconsole/db"
)

// Every field of the vocabulary is in the API's answer, and what the API answers can be
// sent back: an agent holding the field's sample value, answered (toAgentJSON), read as
// a save (AgentPatch) and applied, holds the same value. A new entry is covered here
// without a new test; one agentJSON lacks fails.
func TestAPIAnswersEveryAgentField(t *testing.T) {
	jsonNames := map[string]reflect.Type{}
	at := reflect.TypeOf(agentJSON{})
	for i := range at.NumField() {
		name, _, _ := strings.Cut(at.Field(i).Tag.Get("json"), ",")
		jsonNames[name] = at.Field(i).Type
	}
	for _, f := range db.AgentFields {
		want := &db.Agent{Name: "base", Stage: "development", AgentType: "native"}
		if err := json.Unmarshal([]byte(`{"`+f.JSON+`":`+string(f.Sample())+`}`), want); err != nil {
			t.Fatalf("%s: %v", f.JSON, err)
		}
		if want.AgentType == "external" && want.ExternalConfig == nil {
			want.ExternalConfig = &db.ExternalConfig{AgentCardURL: "https://example.com/card.json"}
		}
		if _, ok := jsonNames[f.JSON]; !ok {
			t.Errorf("agentJSON has no field %s", f.JSON)
			continue
		}
		body, _ := json.Marshal(toAgentJSON(want, "org"))
		var p db.AgentPatch
		if err := json.Unmarshal(body, &p); err != nil {
			t.Fatalf("%s: %v", f.JSON, err)
		}
		p.ID, p.PublishedVersionID = db.Opt[int64]{}, db.Opt[int64]{}
		got := &db.Agent{ID: 1, Name: "base", AgentType: "native"}
		if issues := p.Apply(got); len(issues) > 0 {
			t.Fatalf("%s: the API's answer, sent back, is refused: %+v", f.JSON, issues)
		}
		wantJSON, _ := json.Marshal(want)
		gotJSON, _ := json.Marshal(got)
		var w, g map[string]any
		json.Unmarshal(wantJSON, &w)
		json.Unmarshal(gotJSON, &g)
		if !reflect.DeepEqual(w[f.JSON], g[f.JSON]) {
			t.Errorf("%s through the API: sent %v, stored %v", f.JSON, w[f.JSON], g[f.JSON])
		}
	}
}
