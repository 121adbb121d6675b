package agents

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"

	"github.com/a-h/templ"

	"agentconsole/views/layout"
)

// EditorBody is the editor's content (what EditorPage puts in the page shell) drawn
// once, with the places of the CSRF token left open: the text between them. The token
// is the only part of the shell's page the content shows, so the same drawing serves
// every person whose editor view model is the same, each with their own token.
type EditorBody struct {
	parts [][]byte
}

// csrfStandIn is drawn where the token goes and then cut out. It is random per process:
// no agent's text can hold it, so every place it is found is the token's.
var csrfStandIn = func() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic("agents: " + err.Error())
	}
	return "csrf-" + hex.EncodeToString(b)
}()

// EditorBodyOf draws e's content (as EditorPage does) for keeping.
func EditorBodyOf(e Editor) (EditorBody, error) {
	var buf bytes.Buffer
	if err := editorBody(layout.Page{CSRF: csrfStandIn}, e).Render(context.Background(), &buf); err != nil {
		return EditorBody{}, err
	}
	return EditorBody{parts: bytes.Split(bytes.Clone(buf.Bytes()), []byte(csrfStandIn))}, nil // one exact-size array
}

// Size is how many bytes the drawing holds.
func (b EditorBody) Size() int {
	n := 0
	for _, p := range b.parts {
		n += len(p)
	}
	return n
}

// EditorPageFrom is EditorPage(p, e) for the e that body was drawn from: the same
// bytes, with p's token in the open places.
func EditorPageFrom(p layout.Page, body EditorBody) templ.Component {
	content := templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		token := templ.EscapeString(p.CSRF) // as components.CSRF writes it
		for i, part := range body.parts {
			if i > 0 {
				if _, err := io.WriteString(w, token); err != nil {
					return err
				}
			}
			if _, err := w.Write(part); err != nil {
				return err
			}
		}
		return nil
	})
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		return layout.Base(p).Render(templ.WithChildren(ctx, content), w)
	})
}
