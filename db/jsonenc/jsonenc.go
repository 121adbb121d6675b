// Package jsonenc writes JSON text exactly as encoding/json does (its default HTML
// escaping included), for answers written by hand instead of by reflection. It lives
// outside handlers because Tailwind scans handlers' Go files for class names, and
// slice expressions such as s[a:b] read to it as arbitrary-property classes.
package jsonenc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// AppendRaw appends raw JSON as encoding/json writes a json.RawMessage: null when nil,
// otherwise validated and compacted, <, >, &, U+2028 and U+2029 escaped.
func AppendRaw(b []byte, raw json.RawMessage) ([]byte, error) {
	if raw == nil {
		return append(b, "null"...), nil
	}
	start := len(b)
	buf := bytes.NewBuffer(b)
	if err := json.Compact(buf, raw); err != nil {
		return b, fmt.Errorf("jsonenc: %w", err)
	}
	b = buf.Bytes()
	if !needsHTMLEscape(b[start:]) {
		return b, nil
	}
	escaped := bytes.NewBuffer(make([]byte, 0, len(b)-start+16))
	json.HTMLEscape(escaped, b[start:])
	return append(b[:start], escaped.Bytes()...), nil
}

func needsHTMLEscape(s []byte) bool {
	return bytes.ContainsAny(s, "<>&") || bytes.Contains(s, []byte("\u2028")) || bytes.Contains(s, []byte("\u2029"))
}

// jsonSafe are the ASCII bytes a JSON string carries as they are (encoding/json's
// htmlSafeSet): not controls, quotes, backslashes or HTML's <, > and &.
var jsonSafe = func() (safe [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		safe[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return safe
}()

// AppendString is encoding/json's string encoder with HTML escaping (its default):
// the same escapes, byte for byte (Go's encode.go, appendString).
func AppendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if jsonSafe[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(append(b, s[start:i]...), `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(append(b, s[start:i]...), '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	return append(append(b, s[start:]...), '"')
}
