package agents

import (
	"context"
	"strings"
	"testing"

	"agentconsole/views/components"
)

// TestFieldErrorMarkupMatchesTheComponent: the directly written tool rows carry the
// same message element as components.FieldError, which the rest of the page (and the
// inline validation that replaces it) uses.
func TestFieldErrorMarkupMatchesTheComponent(t *testing.T) {
	for _, msg := range []string{"", "Line 1: <b>&\"quoted\"'"} {
		var want, got strings.Builder
		if err := components.FieldError("cfg-x-y-error", msg).Render(context.Background(), &want); err != nil {
			t.Fatal(err)
		}
		h := &components.HTML{W: &got}
		fieldError(h, "cfg-x-y-error", msg)
		if h.Err != nil || got.String() != want.String() {
			t.Errorf("fieldError wrote %q (%v), the component %q", got.String(), h.Err, want.String())
		}
	}
}
