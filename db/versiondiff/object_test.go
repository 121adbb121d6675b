package versiondiff

import (
	"bytes"

	"encoding/json"
	"math/rand"
	"reflect"
	"testing"
)

// FuzzSplitObject: wherever splitObject answers, it answers what encoding/json does;
// and it answers for every valid object of plain keys (else it would save nothing).
func FuzzSplitObject(f *testing.F) {
	for _, s := range []string{`{}`, ` { } `, `{"a":1}`, `{"a" : [1, 2.5e-3, -0, true, false, null, "x\u00e9\n"], "b": {"c": {}}}`, `{"a":1,}`, `{"a":01}`,
		`{"a":1}x`, `{"a\"":1}`, `{"é":1}`, `{"a":"\x"}`, `{"a":"` + "\x01" + `"}`, `{"a":1, "a":2}`, `null`, `[]`, `{"a":-}`, `{"a":1.}`, `{"a":1e}`,
		`{"a":tru}`, `{"a":nulll}`, `{"a":"\u12"}`, `{"a":[1 2]}`, `{"a":{"b" 1}}`, "{\"a\":\"\xff\"}", `{"a":[[[[[]]]]]}`} {
		f.Add([]byte(s))
	}
	r := rand.New(rand.NewSource(5))
	for range 5 {
		f.Add(encode(r, randomSnapshot(r)))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, ok := splitObject(data)
		var want map[string]json.RawMessage
		err := json.Unmarshal(data, &want)
		if ok {
			if err != nil || !reflect.DeepEqual(got, want) && !(len(got) == 0 && len(want) == 0 && want != nil) {
				t.Fatalf("splitObject(%q) = %q, encoding/json: %q (%v)", data, got, want, err)
			}
			return
		}
		if err == nil && want != nil && bytes.IndexByte(data, '\\') < 0 && plainASCII(data) && bytes.Count(data, []byte("{"))+bytes.Count(data, []byte("[")) < maxDepth {
			t.Fatalf("splitObject(%q) declined a valid object of plain keys", data)
		}
	})
}

func plainASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// BenchmarkSplitObject splits the bench's v1000 snapshot (make bench 5b).
func BenchmarkSplitObject(b *testing.B) {
	_, to := benchPair(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := splitObject(to); !ok {
			b.Fatal("declined")
		}
	}
}
