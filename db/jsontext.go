package db

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	"agentconsole/db/jsonenc"
)

// PostgreSQL prints json and jsonb as valid JSON text, and the API list reads 50 rows
// of it per page: each agent's tools (an object of definitions) and tags (an array of
// {id, name, color}). encoding/json decodes them by reflection and checks each document
// twice, which was a quarter of GET /api/agents' server CPU. These helpers walk such
// text once (jsonenc.Each): values are kept as the exact bytes encoding/json's
// json.RawMessage would hold, and strings are decoded by encoding/json itself whenever
// they hold an escape or anything but valid UTF-8, so the results are the same
// (TestJSONTextAgreesWithEncodingJSON).

// rawObject reads a JSON object as map[string]json.RawMessage, as json.Unmarshal does,
// the values sharing one copy of b; JSON null is a nil map.
func rawObject(b []byte) (map[string]json.RawMessage, error) {
	if jsonenc.IsNull(b) {
		return nil, nil
	}
	b = bytes.Clone(b) // b is the driver's buffer, valid only until the next row
	out := map[string]json.RawMessage{}
	err := jsonenc.Each(b, '{', func(key, value []byte) error {
		k, err := jsonenc.StringValue(key)
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
	err := jsonenc.Each(b, '[', func(_, elem []byte) error {
		var t TagRef
		err := jsonenc.Each(elem, '{', func(key, value []byte) error {
			var err error
			switch string(key) {
			case `"id"`:
				t.ID, err = strconv.ParseInt(string(value), 10, 64)
			case `"name"`:
				t.Name, err = jsonenc.StringValue(value)
			case `"color"`:
				t.Color, err = jsonenc.StringValue(value)
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
	if jsonenc.IsNull(b) {
		return nil, nil
	}
	out := []string{}
	err := jsonenc.Each(b, '[', func(_, value []byte) error {
		s := ""
		var err error
		if string(value) != "null" {
			s, err = jsonenc.StringValue(value)
		}
		out = append(out, s)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("db: JSON list of strings: %w", err)
	}
	return out, nil
}
