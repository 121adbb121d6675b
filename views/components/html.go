package components

import (
	"io"
	"strconv"
	"strings"
)

// HTML writes literal markup and escaped values, keeping the first error. The hottest
// markup (the list's filter chips, the editor's tool rows and fields) is written with it
// rather than through templ expressions, which format every value with fmt.Sprint; what
// it writes is what the templ components wrote, byte for byte.
type HTML struct {
	W   io.Writer
	Err error
	num []byte // Int's digits, reused
}

// Lit writes markup as it is.
func (h *HTML) Lit(parts ...string) {
	for _, s := range parts {
		if h.Err == nil {
			_, h.Err = io.WriteString(h.W, s)
		}
	}
}

// Bytes writes markup drawn before, as it is.
func (h *HTML) Bytes(b []byte) {
	if h.Err == nil {
		_, h.Err = h.W.Write(b)
	}
}

// Esc writes a value escaped for HTML text and attribute values, as templ.EscapeString
// (html.EscapeString) does, but as it goes: the escaped copy it would allocate is the
// size of the value, and a prompt is up to 100,000 characters.
func (h *HTML) Esc(s string) {
	for {
		i := strings.IndexAny(s, escaped)
		if i < 0 {
			h.Lit(s)
			return
		}
		h.Lit(s[:i], entities[s[i]])
		s = s[i+1:]
	}
}

// escaped are the bytes html.EscapeString replaces, and entities what it writes.
const escaped = `&'<>"`

var entities = [256]string{'&': "&amp;", '\'': "&#39;", '<': "&lt;", '>': "&gt;", '"': "&#34;"}

// Int writes a number in decimal (nothing in it to escape), without allocating per call.
func (h *HTML) Int(n int64) {
	if h.Err == nil {
		h.num = strconv.AppendInt(h.num[:0], n, 10)
		_, h.Err = h.W.Write(h.num)
	}
}
