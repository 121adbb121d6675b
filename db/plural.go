package db

import "strconv"

// count is n followed by its noun in the right number: count(1, "agent", "agents") is
// "1 agent". Audit summaries and version summaries written here go through it, as the
// console's counts go through components.Count ("removed from 1 agents" read badly).
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
