package versiondiff

import "encoding/json"

// A snapshot is ~10 KB of JSON (the prompt, eight tool definitions with their
// schemas). encoding/json read each byte of it four times to split it into fields and
// the tools into definitions: checkValid over the whole document, the decode that
// skips each value, then both again for the tools; and it copied every value. That was
// two fifths of the diff handler's time (CPU profile of BenchmarkVersionPages/diff).
// splitObject does the same split in one validating pass, without copying.

// fields decodes a JSON object into its members as encoding/json would into a
// map[string]json.RawMessage, with its error; the values are slices of data (the
// caller keeps data unchanged while they are used).
func fields(data []byte) (map[string]json.RawMessage, error) {
	if m, ok := splitObject(data); ok {
		return m, nil
	}
	var m map[string]json.RawMessage
	err := json.Unmarshal(data, &m)
	return m, err
}

// maxDepth bounds splitObject's recursion; deeper documents go to encoding/json.
const maxDepth = 200

// splitObject is json.Unmarshal(data, &m) for m a map[string]json.RawMessage. ok is
// false wherever the result could differ from encoding/json's: data that is not one
// valid JSON object (encoding/json then says why), a key with an escape or a byte
// past ASCII (encoding/json unescapes or replaces those), nesting past maxDepth.
func splitObject(data []byte) (m map[string]json.RawMessage, ok bool) {
	i := skipSpace(data, 0)
	if i == len(data) || data[i] != '{' {
		return nil, false
	}
	m = make(map[string]json.RawMessage, 24)
	if i = skipSpace(data, i+1); i < len(data) && data[i] == '}' {
		return m, skipSpace(data, i+1) == len(data)
	}
	for {
		if i == len(data) || data[i] != '"' {
			return nil, false
		}
		end, ok := stringEnd(data, i)
		if !ok {
			return nil, false
		}
		for _, c := range data[i+1 : end-1] {
			if c == '\\' || c >= 0x80 {
				return nil, false
			}
		}
		key := string(data[i+1 : end-1])
		if i = skipSpace(data, end); i == len(data) || data[i] != ':' {
			return nil, false
		}
		start := skipSpace(data, i+1)
		if end, ok = valueEnd(data, start, 1); !ok {
			return nil, false
		}
		m[key] = data[start:end:end]
		i = skipSpace(data, end)
		switch {
		case i == len(data):
			return nil, false
		case data[i] == ',':
			i = skipSpace(data, i+1)
		case data[i] == '}':
			return m, skipSpace(data, i+1) == len(data)
		default:
			return nil, false
		}
	}
}

func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\n' || data[i] == '\t' || data[i] == '\r') {
		i++
	}
	return i
}

// valueEnd validates the JSON value at data[i] (RFC 8259, as encoding/json's scanner
// reads it) and returns the index just past it.
func valueEnd(data []byte, i, depth int) (int, bool) {
	if i == len(data) || depth > maxDepth {
		return i, false
	}
	switch c := data[i]; {
	case c == '"':
		return stringEnd(data, i)
	case c == '{':
		return containerEnd(data, i, depth, '}', true)
	case c == '[':
		return containerEnd(data, i, depth, ']', false)
	case c == '-' || (c >= '0' && c <= '9'):
		return numberEnd(data, i)
	case c == 't':
		return literalEnd(data, i, "true")
	case c == 'f':
		return literalEnd(data, i, "false")
	case c == 'n':
		return literalEnd(data, i, "null")
	}
	return i, false
}

// containerEnd validates an object (members) or an array from its opening bracket.
func containerEnd(data []byte, i, depth int, closing byte, members bool) (int, bool) {
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == closing {
		return i + 1, true
	}
	for {
		var ok bool
		if members {
			if i == len(data) || data[i] != '"' {
				return i, false
			}
			if i, ok = stringEnd(data, i); !ok {
				return i, false
			}
			if i = skipSpace(data, i); i == len(data) || data[i] != ':' {
				return i, false
			}
			i = skipSpace(data, i+1)
		}
		if i, ok = valueEnd(data, i, depth+1); !ok {
			return i, false
		}
		switch i = skipSpace(data, i); {
		case i == len(data):
			return i, false
		case data[i] == ',':
			i = skipSpace(data, i+1)
		case data[i] == closing:
			return i + 1, true
		default:
			return i, false
		}
	}
}

// stringEnd validates a string from its opening quote: no control character, only
// JSON's escapes (bytes past ASCII are taken as they are, as encoding/json's scanner
// takes them).
func stringEnd(data []byte, i int) (int, bool) {
	for i++; i < len(data); i++ {
		switch c := data[i]; {
		case c == '"':
			return i + 1, true
		case c < 0x20:
			return i, false
		case c == '\\':
			if i++; i == len(data) {
				return i, false
			}
			switch data[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(data) {
					return i, false
				}
				for _, h := range data[i+1 : i+5] {
					if !(h >= '0' && h <= '9' || h >= 'a' && h <= 'f' || h >= 'A' && h <= 'F') {
						return i, false
					}
				}
				i += 4
			default:
				return i, false
			}
		}
	}
	return i, false
}

// numberEnd validates -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?.
func numberEnd(data []byte, i int) (int, bool) {
	digits := func(i int) (int, bool) {
		start := i
		for i < len(data) && data[i] >= '0' && data[i] <= '9' {
			i++
		}
		return i, i > start
	}
	if data[i] == '-' {
		i++
	}
	if i < len(data) && data[i] == '0' {
		i++
	} else if j, ok := digits(i); ok {
		i = j
	} else {
		return i, false
	}
	if i < len(data) && data[i] == '.' {
		j, ok := digits(i + 1)
		if !ok {
			return j, false
		}
		i = j
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		if i++; i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		j, ok := digits(i)
		if !ok {
			return j, false
		}
		i = j
	}
	return i, true
}

func literalEnd(data []byte, i int, lit string) (int, bool) {
	if len(data)-i < len(lit) || string(data[i:i+len(lit)]) != lit {
		return i, false
	}
	return i + len(lit), true
}
