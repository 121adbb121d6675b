package components

import (
	"strings"
	"testing"

	"github.com/a-h/templ"
)

// TestHTMLEscWritesWhatTemplWrites: Esc escapes as it writes, byte for byte what
// templ.EscapeString returns.
func TestHTMLEscWritesWhatTemplWrites(t *testing.T) {
	for _, s := range []string{"", "plain", "&", `<a href="x">it's & "that"</a>`, "<<>>", "é ü 日本 \x00 \r\n", "trailing&", "&leading", strings.Repeat("a'b", 100)} {
		var b strings.Builder
		h := &HTML{W: &b}
		h.Esc(s)
		if want := templ.EscapeString(s); h.Err != nil || b.String() != want {
			t.Errorf("Esc(%q) wrote %q (%v), templ %q", s, b.String(), h.Err, want)
		}
	}
}

// FuzzHTMLEsc: the same, for any string.
func FuzzHTMLEsc(f *testing.F) {
	f.Add(`<a href="x">it's & "that"</a>`)
	f.Fuzz(func(t *testing.T, s string) {
		var b strings.Builder
		h := &HTML{W: &b}
		h.Esc(s)
		if want := templ.EscapeString(s); b.String() != want {
			t.Errorf("Esc(%q) wrote %q, templ %q", s, b.String(), want)
		}
	})
}
