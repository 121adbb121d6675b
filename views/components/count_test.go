package components

import "testing"

func TestCountAndAll(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{Count(0, "agent", "agents"), "0 agents"},
		{Count(1, "agent", "agents"), "1 agent"},
		{Count(2, "agent holds", "agents hold"), "2 agents hold"},
	} {
		if c.got != c.want {
			t.Errorf("%q, want %q", c.got, c.want)
		}
	}
}
