package db

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// PostgreSQL prints json and jsonb as valid JSON text, and the API list reads 50 rows
// of it per page: each agent's tools (an object of definitions) and tags (an array of
// {id, name, color}). encoding/json decodes them by reflection and checks each document
// twice, which was a quarter of GET /api/agents' server CPU. These helpers walk such
// text once: values are kept as the exact bytes encoding/json's json.RawMessage would
// hold, and strings are decoded by encoding/json itself whenever they hold an escape or
// anything but valid UTF-8, so the results are the same (TestJSONTextAgreesWithEncodingJSON).

var errJSONText = errors.New("db: unexpected JSON text")

// jsonSpace skips JSON whitespace from i.
func jsonSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\t' || b[i] == '\r') {
		i++
	}
	return i
}

// jsonValueEnd is the end of the JSON value starting at b[i] (no leading whitespace).
func jsonValueEnd(b []byte, i int) (int, error) {
	if i >= len(b) {
		return 0, errJSONText
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
		return 0, errJSONText
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				end, err := jsonValueEnd(b, j)
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
		return 0, errJSONText
	}
	j := i // a number, true, false or null
	for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && jsonSpace(b, j) == j {
		j++
	}
	if j == i {
		return 0, errJSONText
	}
	return j, nil
}

// jsonStringValue decodes a JSON string value as encoding/json does.
func jsonStringValue(v []byte) (string, error) {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return "", errJSONText
	}
	inner := v[1 : len(v)-1]
	if bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
		return string(inner), nil
	}
	var s string
	err := json.Unmarshal(v, &s)
	return s, err
}

// jsonEach calls fn for each member of the object (key and raw value) or element of
// the array (value only) that b holds; open is '{' or '['.
func jsonEach(b []byte, open byte, fn func(key, value []byte) error) error {
	i := jsonSpace(b, 0)
	if i >= len(b) || b[i] != open {
		return errJSONText
	}
	closing := byte('}')
	if open == '[' {
		closing = ']'
	}
	i = jsonSpace(b, i+1)
	if i < len(b) && b[i] == closing {
		return nil
	}
	for {
		var key []byte
		if open == '{' {
			end, err := jsonValueEnd(b, i)
			if err != nil || b[i] != '"' {
				return errJSONText
			}
			key, i = b[i:end], jsonSpace(b, end)
			if i >= len(b) || b[i] != ':' {
				return errJSONText
			}
			i = jsonSpace(b, i+1)
		}
		end, err := jsonValueEnd(b, i)
		if err != nil {
			return err
		}
		if err := fn(key, b[i:end]); err != nil {
			return err
		}
		i = jsonSpace(b, end)
		switch {
		case i < len(b) && b[i] == ',':
			i = jsonSpace(b, i+1)
		case i < len(b) && b[i] == closing:
			if jsonSpace(b, i+1) != len(b) {
				return errJSONText
			}
			return nil
		default:
			return errJSONText
		}
	}
}

// rawObject reads a JSON object as map[string]json.RawMessage, as json.Unmarshal does,
// the values sharing one copy of b; JSON null is a nil map.
func rawObject(b []byte) (map[string]json.RawMessage, error) {
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		return nil, nil
	}
	b = bytes.Clone(b) // b is the driver's buffer, valid only until the next row
	out := map[string]json.RawMessage{}
	err := jsonEach(b, '{', func(key, value []byte) error {
		k, err := jsonStringValue(key)
		out[k] = json.RawMessage(value[:len(value):len(value)])
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("db: JSON object: %w", err)
	}
	return out, nil
}

// tagsFromJSON reads listTagsExpr's [{"id", "name", "color"}, …].
func tagsFromJSON(b []byte) ([]TagRef, error) {
	var tags []TagRef
	err := jsonEach(b, '[', func(_, elem []byte) error {
		var t TagRef
		err := jsonEach(elem, '{', func(key, value []byte) error {
			var err error
			switch string(key) {
			case `"id"`:
				t.ID, err = strconv.ParseInt(string(value), 10, 64)
			case `"name"`:
				t.Name, err = jsonStringValue(value)
			case `"color"`:
				t.Color, err = jsonStringValue(value)
			}
			return err
		})
		tags = append(tags, t)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("db: tags JSON: %w", err)
	}
	return tags, nil
}

// stringList reads a JSON array of strings as json.Unmarshal into a []string does:
// JSON null is a nil list, [] an empty one, a null item "".
func stringList(b []byte) ([]string, error) {
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		return nil, nil
	}
	out := []string{}
	err := jsonEach(b, '[', func(_, value []byte) error {
		s := ""
		var err error
		if string(value) != "null" {
			s, err = jsonStringValue(value)
		}
		out = append(out, s)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("db: JSON list of strings: %w", err)
	}
	return out, nil
}
