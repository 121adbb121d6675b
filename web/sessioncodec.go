package web

import (
	"encoding/binary"
	"errors"

	"github.com/gorilla/securecookie"
)

// sessionSerializer is the session cookie's payload format, under securecookie's HMAC and
// AES (it only ever sees bytes this server's keys signed). gob, securecookie's default,
// builds a fresh encoder or decoder with its type descriptors on every call: that was
// about 8% of the server's CPU and a tenth of its allocations on every page. The console
// stores few shapes (the CSRF token and session id as strings, gorilla's flashes as a list
// of strings), so those are written as a version header and length-prefixed strings:
//
//	0x00 0x01 | uvarint entries | per entry: uvarint len, key | 's' uvarint len, string
//	                                                          | 'l' uvarint n, n × (uvarint len, string)
//
// A gob stream never starts with 0x00 (its first byte is a non-zero message length), so
// cookies written before this format (gob) are still read, and a value of any other shape
// is still written as gob rather than refused.
type sessionSerializer struct{}

const (
	compactMagic = 0x00
	compactV1    = 0x01
	tagString    = 's'
	tagList      = 'l'
)

var errCompactSession = errors.New("session: malformed compact value")

// Serialize writes src (gorilla passes the session's Values map) in the compact format,
// or as gob when it holds a shape the format does not know.
func (sessionSerializer) Serialize(src any) ([]byte, error) {
	values, ok := src.(map[any]any)
	if !ok {
		return securecookie.GobEncoder{}.Serialize(src)
	}
	b := make([]byte, 0, 128)
	b = append(b, compactMagic, compactV1)
	b = binary.AppendUvarint(b, uint64(len(values)))
	for k, v := range values {
		key, ok := k.(string)
		if !ok {
			return securecookie.GobEncoder{}.Serialize(src)
		}
		b = appendString(b, key)
		switch v := v.(type) {
		case string:
			b = appendString(append(b, tagString), v)
		case []any:
			b = append(b, tagList)
			b = binary.AppendUvarint(b, uint64(len(v)))
			for _, item := range v {
				s, ok := item.(string)
				if !ok {
					return securecookie.GobEncoder{}.Serialize(src)
				}
				b = appendString(b, s)
			}
		default:
			return securecookie.GobEncoder{}.Serialize(src)
		}
	}
	return b, nil
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// Deserialize reads either format into dst (gorilla passes &session.Values). A compact
// value replaces the map only when it is read whole, so a malformed one leaves nothing
// half-filled behind.
func (sessionSerializer) Deserialize(src []byte, dst any) error {
	if len(src) == 0 || src[0] != compactMagic {
		return securecookie.GobEncoder{}.Deserialize(src, dst)
	}
	out, ok := dst.(*map[any]any)
	if !ok {
		return errCompactSession
	}
	var buf [4]entry
	entries, err := decodeCompact(src, buf[:0])
	if err != nil {
		return err
	}
	values := *out
	if len(values) != 0 || values == nil {
		values = make(map[any]any, len(entries))
	}
	for _, e := range entries {
		values[e.key] = e.value
	}
	*out = values
	return nil
}

type entry struct{ key, value any }

// knownKeys are the keys the console stores, boxed once: a key read from a cookie is
// one of these rather than a new string and interface on every request.
var knownKeys = []any{"csrf", "sid", "_flash"}

func decodeCompact(src []byte, entries []entry) ([]entry, error) {
	if len(src) < 2 || src[1] != compactV1 {
		return nil, errCompactSession
	}
	r := compactReader{b: src[2:], ok: true}
	n := r.length()
	for i := 0; i < n && r.ok; i++ {
		e := entry{key: r.key()}
		switch r.tag() {
		case tagString:
			e.value = r.str()
		case tagList:
			list := make([]any, r.length())
			for j := range list {
				list[j] = r.str()
			}
			e.value = list
		default:
			r.ok = false
		}
		entries = append(entries, e)
	}
	if !r.ok || len(r.b) != 0 {
		return nil, errCompactSession
	}
	return entries, nil
}

// compactReader reads the compact format; the first short or malformed read clears ok
// and every later read returns zero values, so decodeCompact checks once at the end.
type compactReader struct {
	b  []byte
	ok bool
}

func (r *compactReader) uvarint() uint64 {
	if !r.ok {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.ok = false
		return 0
	}
	r.b = r.b[n:]
	return v
}

// length reads a number of items; each takes at least one byte, so more than the bytes
// left is malformed (and never allocates a huge map or slice).
func (r *compactReader) length() int {
	v := r.uvarint()
	if v > uint64(len(r.b)) {
		r.ok = false
		return 0
	}
	return int(v)
}

func (r *compactReader) tag() byte {
	if !r.ok || len(r.b) == 0 {
		r.ok = false
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

// key reads a string, as one of knownKeys when it is one.
func (r *compactReader) key() any {
	n := r.uvarint()
	if !r.ok || n > uint64(len(r.b)) {
		r.ok = false
		return ""
	}
	k := r.b[:n]
	r.b = r.b[n:]
	for _, known := range knownKeys {
		if string(k) == known.(string) {
			return known
		}
	}
	return string(k)
}

func (r *compactReader) str() string {
	n := r.uvarint()
	if !r.ok || n > uint64(len(r.b)) {
		r.ok = false
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}
