package handlers

import (
	"testing"

	"agentconsole/db"
	"agentconsole/views/pages/agents"
)

// Every editor field names an agent field: saving only what the person changed
// (withoutUntouched) leaves fields out of the patch by that name.
func TestEveryFormFieldIsAPatchField(t *testing.T) {
	for _, ff := range agents.FormFields {
		p := &db.AgentPatch{Name: db.Some("x"), Description: db.Some("y")}
		if !p.Unset(ff.Name) {
			t.Errorf("form field %q is not an AgentPatch field", ff.Name)
		}
	}
	p := &db.AgentPatch{Name: db.Some("x"), Description: db.Some("y")}
	p.Unset("name")
	if p.Name.Set || !p.Description.Set {
		t.Fatalf("Unset(name) left %+v", p)
	}
}
