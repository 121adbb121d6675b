package db

import (
	"reflect"
)

// patchFieldIndex maps each JSON name of AgentPatch to its struct field.
var patchFieldIndex = jsonFieldIndex(reflect.TypeOf(AgentPatch{}))

// IsPatchField reports whether an agent body may carry a field of that JSON name.
func IsPatchField(name string) bool {
	_, ok := patchFieldIndex[name]
	return ok
}

// Unset leaves the field with that JSON name out of the patch (as if it had not been
// sent); it reports whether the patch has such a field.
func (p *AgentPatch) Unset(field string) bool {
	i, ok := patchFieldIndex[field]
	if ok {
		f := reflect.ValueOf(p).Elem().Field(i)
		f.Set(reflect.Zero(f.Type()))
	}
	return ok
}
