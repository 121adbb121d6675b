package catalog

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestConfigFieldsKinds(t *testing.T) {
	schema := json.RawMessage(`{"type":"object","required":["z"],"properties":{
		"a":{"type":"string"},"n":{"type":"number"},"i":{"type":"integer"},"b":{"type":"boolean"},
		"e":{"enum":["x","y"]},"ne":{"enum":[1,2]},"s":{"type":"array","items":{"type":"string"}},
		"ids":{"type":"array","items":{"type":"integer"}},"o":{"type":"object"},"z":{"type":"string"}}}`)
	got := map[string]string{}
	var order []string
	for _, f := range ConfigFields(schema) {
		got[f.Key] = f.Kind
		order = append(order, f.Key)
	}
	want := map[string]string{"a": KindString, "n": KindNumber, "i": KindInteger, "b": KindBoolean, "e": KindEnum, "ne": KindOther,
		"s": KindStrings, "ids": KindIDs, "o": KindOther, "z": KindString}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("kinds %v, want %v", got, want)
	}
	if order[0] != "z" {
		t.Fatalf("required first: %v", order)
	}
}

func TestConfigFieldFormRoundTrip(t *testing.T) {
	cases := []struct {
		kind, text string
		want       string // JSON of the value; "" when left out
	}{
		{KindString, "warehouse", `"warehouse"`},
		{KindString, "", ""},
		{KindString, "  spaced ", `"  spaced "`},
		{KindInteger, " 30 ", `30`},
		{KindInteger, "abc", `"abc"`}, // the schema refuses it with its own message
		{KindNumber, "1.5", `1.5`},
		{KindNumber, "", ""},
		{KindBoolean, "true", `true`},
		{KindBoolean, "false", `false`},
		{KindBoolean, "", ""},
		{KindEnum, "x", `"x"`},
		{KindStrings, "a.example\r\n\r\n b.example \n", `["a.example","b.example"]`},
		{KindStrings, " \n ", ""},
	}
	for _, c := range cases {
		f := ConfigField{Key: "k", Kind: c.kind}
		v, ok := f.FormValue(c.text)
		got := ""
		if ok {
			b, _ := json.Marshal(v)
			got = string(b)
		}
		if got != c.want {
			t.Errorf("%s %q: %s, want %s", c.kind, c.text, got, c.want)
		}
		if ok && c.kind != KindString && c.kind != KindStrings && c.text != "abc" {
			if back, _ := f.FormValue(f.FormText(v)); !reflect.DeepEqual(back, v) {
				t.Errorf("%s %q: shown as %q reads back as %v", c.kind, c.text, f.FormText(v), back)
			}
		}
	}
	if got := (ConfigField{Kind: KindStrings}).FormText([]any{"a", "b"}); got != "a\nb" {
		t.Errorf("strings shown as %q", got)
	}
}
