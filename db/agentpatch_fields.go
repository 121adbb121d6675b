package db

import (
	"reflect"
	"strings"
)

// patchFieldIndex maps each JSON name of AgentPatch to its struct field.
var patchFieldIndex = func() map[string]int {
	out := map[string]int{}
	t := reflect.TypeOf(AgentPatch{})
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			out[name] = i
		}
	}
	return out
}()

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
