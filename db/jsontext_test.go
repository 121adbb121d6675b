package db_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"agentconsole/db"
	"agentconsole/db/dbtest"
)

// jsonHostile are strings that JSON escapes, or that encoding/json repairs.
var jsonHostile = []string{"", "plain", "<script>&</script>", "\x01\x1f\x7f", "\b\f\n\r\t\"\\/", "é日本\U0001F600",
	"\u2028\u2029", "a,b}c]d:e", `{"not":"an object"}`, "  spaced  ", "\\u0041"}

// randomJSON is a JSON value of every kind, hostile strings included.
func randomJSON(r *rand.Rand, depth int) any {
	switch k := r.IntN(8); {
	case depth > 3 || k == 0:
		return jsonHostile[r.IntN(len(jsonHostile))]
	case k == 1:
		return []any{nil, true, false, 0, -1.5e300, 12345678901234567}[r.IntN(6)]
	case k < 5:
		m := map[string]any{}
		for range r.IntN(5) {
			m[jsonHostile[r.IntN(len(jsonHostile))]+fmt.Sprint(r.IntN(3))] = randomJSON(r, depth+1)
		}
		return m
	default:
		list := []any{}
		for range r.IntN(4) {
			list = append(list, randomJSON(r, depth+1))
		}
		return list
	}
}

// RawObject and TagsFromJSON (rawObject, tagsFromJSON) read what PostgreSQL prints exactly as encoding/json
// decodes it: documents with every kind of value and hostile keys and strings, sent
// through PostgreSQL as jsonb (its spacing and key order) and as json_agg of
// json_build_object (listTagsExpr's spacing), plus hand-spaced text.
func TestJSONTextAgreesWithEncodingJSON(t *testing.T) {
	t.Parallel()
	s := dbtest.New(t)
	ctx := context.Background()
	r := rand.New(rand.NewPCG(7, 21))
	var docs []string
	for range 300 {
		obj := map[string]any{}
		for range r.IntN(9) {
			obj[jsonHostile[r.IntN(len(jsonHostile))]+fmt.Sprint(r.IntN(4))] = randomJSON(r, 1)
		}
		b, _ := json.Marshal(obj)
		docs = append(docs, string(b))
	}
	docs = append(docs, `{}`, ` { "a" :1 ,"b":[ ] , "a":{"x" : null} } `, "{\n\t\"k\\\"ey\":\"v\\u0000\"\r\n}",
		"{\"bad\xff\xfe\": \"v\xfe\", \"ok\": [\"\xc3\"]}")
	for i, doc := range docs {
		printed := doc
		if i < len(docs)-4 { // the last four are hand-written
			if err := s.DB.QueryRowContext(ctx, "SELECT ?::jsonb::text", doc).Scan(&printed); err != nil {
				t.Fatal(err)
			}
		}
		var want map[string]json.RawMessage
		if err := json.Unmarshal([]byte(printed), &want); err != nil {
			t.Fatal(err)
		}
		got, err := db.RawObject([]byte(printed))
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("%s:\n rawObject %q %v\n encoding/json %q", printed, got, err, want)
		}
	}
	for _, raw := range []string{"null", " null "} {
		if got, err := db.RawObject([]byte(raw)); got != nil || err != nil {
			t.Errorf("db.RawObject(%q) = %v, %v; want nil", raw, got, err)
		}
	}
	for _, bad := range []string{"", "{", `{"a"}`, `{"a":}`, `{"a":1,}`, `{"a":1}x`, `[1]`, `{"a":"x}`, `{"a":[1}`} {
		if _, err := db.RawObject([]byte(bad)); err == nil {
			t.Errorf("db.RawObject(%q) read it", bad)
		}
	}

	for i := range 100 {
		var list []any
		for j := range i % 6 {
			list = append(list, jsonHostile[(i+j)%len(jsonHostile)])
		}
		b, _ := json.Marshal(list) // null, then lists of 1–5 strings
		printed := string(b)
		if err := s.DB.QueryRowContext(ctx, "SELECT ?::jsonb::text", printed).Scan(&printed); err != nil {
			t.Fatal(err)
		}
		checkStringList(t, printed)
	}
	for _, doc := range []string{"[]", " [ ] ", "null", `["a", null, "\u00e9\n"]`, "[\"\xff\"]"} {
		checkStringList(t, doc)
	}
	for _, bad := range []string{`[1]`, `["a",]`, `{"a":"b"}`, `["a"`, `[true]`} {
		if _, err := db.StringList([]byte(bad)); err == nil {
			t.Errorf("StringList(%q) read it", bad)
		}
	}

	var names []string
	for i := range 40 {
		names = append(names, jsonHostile[i%len(jsonHostile)]+jsonHostile[(i*7)%len(jsonHostile)])
	}
	var printed string
	if err := s.DB.QueryRowContext(ctx, `SELECT coalesce(json_agg(json_build_object('id', n.i, 'name', n.name, 'color', 'c' || n.i)), '[]')::text
		FROM unnest(?::text[]) WITH ORDINALITY AS n(name, i)`, fmt.Sprintf("{%s}", quoteArray(names))).Scan(&printed); err != nil {
		t.Fatal(err)
	}
	for _, doc := range []string{printed, "[]", ` [ { "id" : 3 , "name" : "x" , "color" : "" } ] `} {
		var want []struct {
			ID    int64  `json:"id"`
			Name  string `json:"name"`
			Color string `json:"color"`
		}
		if err := json.Unmarshal([]byte(doc), &want); err != nil {
			t.Fatal(err)
		}
		got, err := db.TagsFromJSON([]byte(doc))
		if err != nil || len(got) != len(want) {
			t.Fatalf("%s: %v %v", doc, got, err)
		}
		for i, w := range want {
			if got[i] != (db.TagRef{ID: w.ID, Name: w.Name, Color: w.Color}) {
				t.Errorf("tag %d: %+v, want %+v", i, got[i], w)
			}
		}
	}
}

// quoteArray writes strings as the elements of a PostgreSQL array literal.
func quoteArray(items []string) string {
	out := make([]string, len(items))
	for i, s := range items {
		s = strings.ReplaceAll(s, "\x00", "") // text cannot hold NUL
		out[i] = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
	}
	return strings.Join(out, ",")
}

func checkStringList(t *testing.T, doc string) {
	t.Helper()
	var want []string
	if err := json.Unmarshal([]byte(doc), &want); err != nil {
		t.Fatal(err)
	}
	got, err := db.StringList([]byte(doc))
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("%s: StringList %#v %v, encoding/json %#v", doc, got, err, want)
	}
}
