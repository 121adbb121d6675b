package route

import "testing"

func TestPath(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{Path(Agent, int64(42)), "/agents/42"},
		{Path(AgentVersionRestore, int64(7), int64(9)), "/agents/7/versions/9/restore"},
		{Path(AgentSkillRoles, int64(1), "a b/c"), "/agents/1/card/skills/a%20b%2Fc/roles"},
		{Path(Agents), "/agents"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	for _, f := range []func(){func() { Path(Agent) }, func() { Path(Agent, 1, 2) }} {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("a wrong argument count did not panic")
				}
			}()
			f()
		}()
	}
}
