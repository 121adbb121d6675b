package jsonenc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
)

// hostile are strings that JSON escapes, or that encoding/json repairs or sorts oddly.
var hostile = []string{"", "plain", "<script>&</script>", "\x01\x1f\x7f", "\b\f\n\r\t\"\\/", "é日本\U0001F600",
	"\u2028\u2029", "a,b}c]d:e", `{"not":"an object"}`, "  spaced  ", "\\u0041", "bad\xff\xfe", "\xed\xa0\x80", "Z", "a", "aa", "\ufffd"}

// spaced prints JSON as PostgreSQL prints jsonb (a space after : and ,) or with odd
// whitespace of its own, with HTML characters and U+2028/2029 raw and, for some keys
// and strings, escapes encoding/json would not write.
func spaced(r *rand.Rand, v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
	s := strings.TrimSpace(b.String())
	switch r.IntN(3) {
	case 0:
		s = strings.NewReplacer(`":`, `": `, `,"`, `, "`).Replace(s)
	case 1:
		s = " \n" + strings.NewReplacer(`":`, `" : `, `,"`, " ,\r\n\t\"").Replace(s) + " " // spaces only where a string could be
	}
	return strings.ReplaceAll(s, "a", `\u0061`) // an escaped letter inside keys and strings
}

// The reference: what the API wrote from decoded values.
func wantObjectAndKeys(t *testing.T, raw string) []byte {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		t.Fatal(err)
	}
	names := []string{}
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	if m == nil {
		m = map[string]json.RawMessage{}
	}
	obj, _ := json.Marshal(m)
	list, _ := json.Marshal(names)
	return append(append(obj, `,"names":`...), list...)
}

// AppendObjectAndKeys and AppendStringList write PostgreSQL's JSON text as
// encoding/json writes what it decodes to: keys sorted (by their decoded strings, a
// repeated key's last value), hostile keys and strings, values compacted and escaped.
func TestReemitAgreesWithEncodingJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 39))
	docs := []string{"null", " null ", "{}", ` { "b" :1 ,"a":[ ] , "b":{"x" : "<"} } `, `{"\u0062": 1, "b": 2, "a\u0000": 3, "a": 4}`,
		"{\"k\xff\": \"v\xfe\", \"ok\": [\"\xc3\"]}", `{"a": "\ud800", "\u2028": "\u2029"}`}
	for range 2000 {
		obj := map[string]any{}
		for range r.IntN(10) {
			obj[hostile[r.IntN(len(hostile))]+fmt.Sprint(r.IntN(3))] = map[string]any{"config": hostile[r.IntN(len(hostile))],
				"n": []any{nil, true, 1.5e300, 12345678901234567, "x"}[r.IntN(5)], "list": []string{hostile[r.IntN(len(hostile))]}}
		}
		docs = append(docs, spaced(r, obj))
	}
	for _, doc := range docs {
		got, err := AppendObjectAndKeys([]byte("prefix"), []byte(doc), `,"names":`)
		if err != nil {
			t.Fatalf("%q: %v", doc, err)
		}
		if want := wantObjectAndKeys(t, doc); !bytes.Equal(got[len("prefix"):], want) {
			t.Fatalf("%q:\n got  %q\n want %q", doc, got[len("prefix"):], want)
		}
	}
	if got, _ := AppendObjectAndKeys(nil, nil, ","); string(got) != "{},[]" {
		t.Errorf("SQL NULL tools: %s", got)
	}

	lists := []string{"null", "[]", " [ ] ", `["a", null, "\u00e9\n"]`, "[\"\xff\"]", `["\ud800\udc00", "\ud800"]`}
	for range 1000 {
		var list []any
		for range r.IntN(6) {
			if r.IntN(8) == 0 {
				list = append(list, nil)
			} else {
				list = append(list, hostile[r.IntN(len(hostile))])
			}
		}
		lists = append(lists, spaced(r, list))
	}
	for _, doc := range lists {
		var decoded []string
		if err := json.Unmarshal([]byte(doc), &decoded); err != nil {
			t.Fatal(err)
		}
		if decoded == nil {
			decoded = []string{} // the API's rule for nil lists
		}
		want, _ := json.Marshal(decoded)
		got, err := AppendStringList(nil, []byte(doc))
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%q:\n got  %q %v\n want %q", doc, got, err, want)
		}
	}
	if got, _ := AppendStringList(nil, nil); string(got) != "[]" {
		t.Errorf("SQL NULL list: %s", got)
	}
	for _, bad := range []string{"", "{", `{"a"}`, `{"a":}`, `{"a":1,}`, `{"a":1}x`, `[1]`, `{"a":"x}`, `{"a":[1}`} { // nested values are PostgreSQL's: not validated again
		if _, err := AppendObjectAndKeys(nil, []byte(bad), ","); err == nil {
			t.Errorf("AppendObjectAndKeys(%q) wrote it", bad)
		}
	}
	for _, bad := range []string{"", `[1]`, `["a",]`, `{"a":"b"}`, `["a"`, `[true]`} {
		if _, err := AppendStringList(nil, []byte(bad)); err == nil {
			t.Errorf("AppendStringList(%q) wrote it", bad)
		}
	}
}

// appendValidRaw writes valid JSON as AppendRaw (encoding/json's Compact and HTML
// escaping) writes it: every kind of value, hostile strings (escaped quotes and
// backslashes before HTML characters, U+2028/2029, split multi-byte runes), any spacing.
func TestAppendValidRawIsAppendRaw(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 9))
	var value func(depth int) any
	value = func(depth int) any {
		switch k := r.IntN(7); {
		case depth > 3 || k == 0:
			return hostile[r.IntN(len(hostile))] + `\"<&>` + hostile[r.IntN(len(hostile))]
		case k == 1:
			return []any{nil, true, 0, -1.5e300, 12345678901234567, 0.1}[r.IntN(6)] // no false: spaced escapes every a
		case k < 4:
			m := map[string]any{}
			for range r.IntN(5) {
				m[hostile[r.IntN(len(hostile))]+"<"] = value(depth + 1)
			}
			return m
		default:
			list := []any{}
			for range r.IntN(4) {
				list = append(list, value(depth+1))
			}
			return list
		}
	}
	docs := []string{`"\u2028"`, "\"\u2028\u2029\"", ` [ "\\", "<", "\\<" , {"\"" : "&"} ] `, "\"\xe2\x80\"", `1`, ` null `}
	for range 3000 {
		docs = append(docs, spaced(r, value(0)))
	}
	for _, doc := range docs {
		want, err := AppendRaw([]byte("x"), []byte(doc))
		if err != nil {
			t.Fatalf("%q: %v", doc, err)
		}
		if got := appendValidRaw([]byte("x"), []byte(doc)); !bytes.Equal(got, want) {
			t.Fatalf("%q:\n got  %q\n want %q", doc, got, want)
		}
	}
}
