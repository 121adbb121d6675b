package versions

import (
	"bytes"
	"context"
	"io"
	"math/rand"
	"testing"

	"github.com/a-h/templ"

	"agentconsole/views/components"
)

// refVersionOptions is how a picker's options were written before they were drawn
// once for both pickers (option by option, through components.HTML).
func refVersionOptions(choices []Choice, selected int64) templ.Component {
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		out := &components.HTML{W: w}
		for _, c := range choices {
			out.Lit(`<option value="`)
			out.Int(c.ID)
			if c.ID == selected {
				out.Lit(`" selected>`)
			} else {
				out.Lit(`">`)
			}
			out.Lit("v")
			out.Int(c.Number)
			out.Lit(" · ")
			out.Esc(SourceLabel(c.Source))
			out.Lit(" · ")
			out.Esc(c.Author)
			out.Lit(`</option>`)
		}
		return out.Err
	})
}

// TestVersionOptionsAsBefore: both pickers' options, drawn once, are byte for byte what
// each picker wrote before, whichever version is selected (or none), for hostile
// authors and unknown sources too.
func TestVersionOptionsAsBefore(t *testing.T) {
	r := rand.New(rand.NewSource(7))
	sources := []string{"update", "create", "sync", "restore", "merge_request", "", "<b>&'\"", "x_y_z"}
	authors := []string{"builder@demo.test", "a <script>alert('x')</script> & \"q\"", "", "Zoë (token)", ">"}
	for n := range 40 {
		choices := make([]Choice, n)
		for i := range choices {
			choices[i] = NewChoice(int64(r.Intn(1e6)), int64(r.Intn(2000)-5), sources[r.Intn(len(sources))], authors[r.Intn(len(authors))])
		}
		options := newChoiceOptions(choices)
		picks := []int64{-1, 0}
		for _, c := range choices {
			picks = append(picks, c.ID)
		}
		for _, selected := range picks {
			var got, want bytes.Buffer
			if err := versionOptions(options, selected).Render(context.Background(), &got); err != nil {
				t.Fatal(err)
			}
			refVersionOptions(choices, selected).Render(context.Background(), &want)
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				t.Fatalf("%d choices, %d selected:\n got %s\nwant %s", n, selected, got.Bytes(), want.Bytes())
			}
		}
	}
}
