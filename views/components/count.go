package components

import (
	"strconv"
	"strings"
)

// Count is n followed by its noun (or noun phrase) in the right number:
// Count(1, "agent", "agents") is "1 agent", Count(3, "agent holds", "agents hold") is
// "3 agents hold". Every count a page or a flash shows goes through it.
func Count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// WithArticle names a thing the way people say it: "an object", "a string", "an
// admin" (null stays bare).
func WithArticle(word string) string {
	if word == "null" || word == "" {
		return word
	}
	if strings.ContainsRune("aeiou", rune(word[0])) {
		return "an " + word
	}
	return "a " + word
}
