package components

import "io"

// HTML writes literal markup and escaped values, keeping the first error. The hottest
// markup (the list's filter chips, the editor's tool rows and fields) is written with it
// rather than through templ expressions, which format every value with fmt.Sprint; what
// it writes is what the templ components wrote, byte for byte.
type HTML struct {
	W   io.Writer
	Err error
}

// Lit writes markup as it is.
func (h *HTML) Lit(parts ...string) {
	for _, s := range parts {
		if h.Err == nil {
			_, h.Err = io.WriteString(h.W, s)
		}
	}
}

// Esc writes a value escaped for HTML text and attribute values, as templ.EscapeString
// (html.EscapeString) does, but as it goes: the escaped copy it would allocate is the
// size of the value, and a prompt is up to 100,000 characters.
func (h *HTML) Esc(s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		var entity string
		switch s[i] {
		case '&':
			entity = "&amp;"
		case '\'':
			entity = "&#39;"
		case '<':
			entity = "&lt;"
		case '>':
			entity = "&gt;"
		case '"':
			entity = "&#34;"
		default:
			continue
		}
		h.Lit(s[last:i], entity)
		last = i + 1
	}
	h.Lit(s[last:])
}
