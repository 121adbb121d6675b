package versions

import (
	"context"
	"io"
	"strconv"
	"strings"

	"github.com/a-h/templ"
)

// Choice is one version in the diff's pickers, labelled "v12 · Edit · author".
type Choice struct {
	ID, Number     int64
	Source, Author string
}

// NewChoice is version number of source by author.
func NewChoice(id, number int64, source, author string) Choice {
	return Choice{ID: id, Number: number, Source: source, Author: author}
}

// choiceOptions are the <option>s of the diff's two pickers, drawn once: the pickers
// offer the same 200 versions and differ only in the one selected. Writing them
// option by option, twice, was a fifth of the diff page's server time (CPU profile,
// make bench 5b); they are appended into one buffer, as templ would have written them,
// and each picker writes it with its selection put in.
type choiceOptions struct {
	choices []Choice
	html    []byte
	marks   []int // where each option's `">` (after its value) is in html
}

func newChoiceOptions(choices []Choice) *choiceOptions {
	o := &choiceOptions{choices: choices, marks: make([]int, len(choices)), html: make([]byte, 0, 96*len(choices))}
	b := o.html
	var source, label string // neighbours mostly have the same source: label it once
	for i, c := range choices {
		b = append(b, `<option value="`...)
		b = strconv.AppendInt(b, c.ID, 10)
		o.marks[i] = len(b)
		b = append(b, `">v`...)
		b = strconv.AppendInt(b, c.Number, 10)
		if i == 0 || c.Source != source {
			source, label = c.Source, SourceLabel(c.Source)
		}
		b = append(b, " · "...)
		b = appendEscaped(b, label)
		b = append(b, " · "...)
		b = appendEscaped(b, c.Author)
		b = append(b, `</option>`...)
	}
	o.html = b
	return o
}

// versionOptions writes the options with selected (a version id) selected.
func versionOptions(o *choiceOptions, selected int64) templ.Component {
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		for i, c := range o.choices {
			if c.ID == selected {
				if _, err := w.Write(o.html[:o.marks[i]]); err != nil {
					return err
				}
				if _, err := io.WriteString(w, `" selected>`); err != nil {
					return err
				}
				_, err := w.Write(o.html[o.marks[i]+len(`">`):])
				return err
			}
		}
		_, err := w.Write(o.html)
		return err
	})
}

// appendEscaped appends s escaped as templ.EscapeString (html.EscapeString) does.
func appendEscaped(b []byte, s string) []byte {
	for {
		i := strings.IndexAny(s, `&'<>"`)
		if i < 0 {
			return append(b, s...)
		}
		b = append(b, s[:i]...)
		switch s[i] {
		case '&':
			b = append(b, "&amp;"...)
		case '\'':
			b = append(b, "&#39;"...)
		case '<':
			b = append(b, "&lt;"...)
		case '>':
			b = append(b, "&gt;"...)
		case '"':
			b = append(b, "&#34;"...)
		}
		s = s[i+1:]
	}
}
