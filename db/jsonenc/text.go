package jsonenc

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// PostgreSQL prints json and jsonb as valid JSON text. These helpers walk such text
// once: values are kept as the exact bytes encoding/json's json.RawMessage would hold,
// and strings are decoded by encoding/json itself whenever they hold an escape or
// anything but valid UTF-8, so what they give is what encoding/json gives (db's
// TestJSONTextAgreesWithEncodingJSON, TestReemitAgreesWithEncodingJSON here).

// ErrText is unexpected JSON text.
var ErrText = errors.New("db: unexpected JSON text")

// space skips JSON whitespace from i.
func space(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\t' || b[i] == '\r') {
		i++
	}
	return i
}

// valueEnd is the end of the JSON value starting at b[i] (no leading whitespace).
func valueEnd(b []byte, i int) (int, error) {
	if i >= len(b) {
		return 0, ErrText
	}
	switch b[i] {
	case '"':
		for j := i + 1; j < len(b); j++ {
			switch b[j] {
			case '\\':
				j++
			case '"':
				return j + 1, nil
			}
		}
		return 0, ErrText
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				end, err := valueEnd(b, j)
				if err != nil {
					return 0, err
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1, nil
				}
			}
		}
		return 0, ErrText
	}
	j := i // a number, true, false or null
	for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && space(b, j) == j {
		j++
	}
	if j == i {
		return 0, ErrText
	}
	return j, nil
}

// plainString is the contents of the JSON string value v when they are its decoded
// value as they stand (no escape, valid UTF-8), or ok false.
func plainString(v []byte) (inner []byte, ok bool, err error) {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return nil, false, ErrText
	}
	inner = v[1 : len(v)-1]
	return inner, bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner), nil
}

// StringValue decodes a JSON string value as encoding/json does.
func StringValue(v []byte) (string, error) {
	inner, ok, err := plainString(v)
	if err != nil || ok {
		return string(inner), err
	}
	var s string
	err = json.Unmarshal(v, &s)
	return s, err
}

// Each calls fn for each member of the object (key and raw value) or element of the
// array (value only) that b holds; open is '{' or '['.
func Each(b []byte, open byte, fn func(key, value []byte) error) error {
	i := space(b, 0)
	if i >= len(b) || b[i] != open {
		return ErrText
	}
	closing := byte('}')
	if open == '[' {
		closing = ']'
	}
	i = space(b, i+1)
	if i < len(b) && b[i] == closing {
		return nil
	}
	for {
		var key []byte
		if open == '{' {
			end, err := valueEnd(b, i)
			if err != nil || b[i] != '"' {
				return ErrText
			}
			key, i = b[i:end], space(b, end)
			if i >= len(b) || b[i] != ':' {
				return ErrText
			}
			i = space(b, i+1)
		}
		end, err := valueEnd(b, i)
		if err != nil {
			return err
		}
		if err := fn(key, b[i:end]); err != nil {
			return err
		}
		i = space(b, end)
		switch {
		case i < len(b) && b[i] == ',':
			i = space(b, i+1)
		case i < len(b) && b[i] == closing:
			if space(b, i+1) != len(b) {
				return ErrText
			}
			return nil
		default:
			return ErrText
		}
	}
}

// IsNull says whether the JSON text is null.
func IsNull(b []byte) bool {
	return bytes.Equal(bytes.TrimSpace(b), []byte("null"))
}

// AppendBytesString is AppendString of s's bytes, without copying them to a string
// first (a system prompt is kilobytes): AppendString only reads s, during the call.
func AppendBytesString(b []byte, s []byte) []byte {
	return AppendString(b, unsafe.String(unsafe.SliceData(s), len(s)))
}

// appendStringValue writes the JSON string value v as encoding/json writes the Go
// string it decodes to.
func appendStringValue(b []byte, v []byte) ([]byte, error) {
	inner, ok, err := plainString(v)
	if err != nil {
		return b, err
	}
	if ok {
		return AppendBytesString(b, inner), nil
	}
	s, err := StringValue(v)
	return AppendString(b, s), err
}

// AppendStringList writes the JSON text of a list of strings as encoding/json writes
// the []string it decodes to, with nil (SQL NULL) and JSON null as [] and a null item
// as "" (what the API's agent answers hold: CopyAgentFields' rule for nil lists).
func AppendStringList(b []byte, raw []byte) ([]byte, error) {
	if raw == nil || IsNull(raw) {
		return append(b, "[]"...), nil
	}
	b = append(b, '[')
	first := true
	err := Each(raw, '[', func(_, value []byte) error {
		if !first {
			b = append(b, ',')
		}
		first = false
		if string(value) == "null" {
			b = append(b, `""`...)
			return nil
		}
		var err error
		b, err = appendStringValue(b, value)
		return err
	})
	if err != nil {
		return b, fmt.Errorf("jsonenc: %w", err)
	}
	return append(b, ']'), nil
}

// member is an object's member: its key decoded (a view of the text when plain) and
// its raw value.
type member struct {
	key   string
	value []byte
}

// AppendObjectAndKeys writes the JSON text of an object as encoding/json writes the
// map[string]json.RawMessage it decodes to (keys sorted, a repeated key's last value,
// values compacted with HTML characters escaped), then between, then the sorted keys
// as a list of strings. nil (SQL NULL) and JSON null are {} and [] (an agent's tools
// and toolNames). raw is PostgreSQL's json or jsonb text, so valid JSON: its members'
// values are compacted without encoding/json's validating scanner (appendValidRaw).
// The keys are views of raw: nothing is kept after the call.
func AppendObjectAndKeys(b []byte, raw []byte, between string) ([]byte, error) {
	var stack [16]member // an agent's tools usually fit: no allocation
	members := stack[:0]
	if raw != nil && !IsNull(raw) {
		err := Each(raw, '{', func(key, value []byte) error {
			inner, ok, err := plainString(key)
			k := unsafe.String(unsafe.SliceData(inner), len(inner))
			if err == nil && !ok {
				k, err = StringValue(key)
			}
			members = append(members, member{k, value})
			return err
		})
		if err != nil {
			return b, fmt.Errorf("jsonenc: %w", err)
		}
	}
	// Stable, so that of a repeated key the last one (the one a map keeps) ends its run.
	slices.SortStableFunc(members, func(x, y member) int { return strings.Compare(x.key, y.key) })
	kept := members[:0]
	for i, m := range members {
		if i+1 == len(members) || members[i+1].key != m.key {
			kept = append(kept, m)
		}
	}
	members = kept
	b = append(b, '{')
	for i, m := range members {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendValidRaw(append(AppendString(b, m.key), ':'), m.value)
	}
	b = append(append(b, '}'), between...)
	b = append(b, '[')
	for i, m := range members {
		if i > 0 {
			b = append(b, ',')
		}
		b = AppendString(b, m.key)
	}
	return append(b, ']'), nil
}

// appendValidRaw is AppendRaw of valid JSON, the same bytes in one pass: whitespace
// outside strings dropped, <, >, & and U+2028/U+2029 escaped (only strings can hold
// them). encoding/json's scanner, which also validates, was a third of the server's
// CPU on a page of heavy agents.
func appendValidRaw(b, raw []byte) []byte {
	const hex = "0123456789abcdef"
	inString := false
	start := 0
	for i := 0; i < len(raw); i++ {
		switch c := raw[i]; {
		case inString && c == '\\':
			i++ // an escape is ASCII: nothing to change in it
		case inString && c == '"':
			inString = false
		case inString && (c == '<' || c == '>' || c == '&'):
			b = append(append(b, raw[start:i]...), '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			start = i + 1
		case inString && c == 0xE2 && i+2 < len(raw) && raw[i+1] == 0x80 && raw[i+2]&^1 == 0xA8:
			b = append(append(b, raw[start:i]...), '\\', 'u', '2', '0', '2', hex[raw[i+2]&0xF])
			i += 2
			start = i + 1
		case inString:
		case c == '"':
			inString = true
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			b = append(b, raw[start:i]...)
			start = i + 1
		}
	}
	return append(b, raw[start:]...)
}
