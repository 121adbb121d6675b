package components

import (
	"io"
	"strconv"

	"github.com/a-h/templ"
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

// Esc writes a value escaped for HTML text and attribute values (as templ does).
func (h *HTML) Esc(s string) { h.Lit(templ.EscapeString(s)) }

// Int writes a number in decimal (nothing in it to escape), without allocating per call.
func (h *HTML) Int(n int64) {
	if h.Err == nil {
		h.num = strconv.AppendInt(h.num[:0], n, 10)
		_, h.Err = h.W.Write(h.num)
	}
}
