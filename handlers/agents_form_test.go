package handlers

import (
	"slices"
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

// Every agent field the editor posts survives the editor's Form: set into it and read
// back the same (checkbox lists excepted: read from the posted values as they are).
func TestEveryVocabularyFormFieldRoundTripsThroughTheForm(t *testing.T) {
	for _, fd := range db.AgentFields {
		if fd.Form == "" {
			continue
		}
		values := []string{"value of " + fd.Form}
		switch fd.Kind {
		case db.KindStringList:
			values = []string{"first", "second"}
		case db.KindBool:
			values = []string{"on"}
		}
		var f agents.Form
		f.Set(fd.Form, values)
		got, ok := f.Values(fd.Form)
		if !ok {
			if fd.Kind != db.KindIDList {
				t.Errorf("%s: the editor's Form does not hold it", fd.Form)
			}
			continue
		}
		if !slices.Equal(got, values) {
			t.Errorf("%s: set %q, read back %q", fd.Form, values, got)
		}
	}
}
