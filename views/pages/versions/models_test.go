package versions

import (
	"fmt"
	"strings"
	"testing"

	"agentconsole/db/agentspec"
)

func lines(ops string) []PromptLine {
	var out []PromptLine
	o, n := 0, 0
	for _, op := range ops {
		l := PromptLine{Op: string(op)}
		if op != '+' {
			o++
			l.OldNo, l.Old = o, fmt.Sprint("old ", o)
		}
		if op != '-' {
			n++
			l.NewNo, l.New = n, fmt.Sprint("new ", n)
		}
		out = append(out, l)
	}
	return out
}

func TestBlocksFoldLongUnchangedRuns(t *testing.T) {
	shape := func(bs []Block) string {
		var parts []string
		for _, b := range bs {
			s := ""
			for _, l := range b.Lines {
				if l.Change {
					s += "*"
				}
				s += l.Op
			}
			if b.Folded {
				s = "[" + s + "]"
			}
			parts = append(parts, s)
		}
		return strings.Join(parts, " ")
	}
	for _, c := range []struct{ ops, want string }{
		{"==========~", "[=======] ===*~"},                             // 3 kept before the change, the rest folded
		{"======-+=", "======*-+="},                                    // 3 would hide: not worth a fold
		{"-==========+", "*-=== [====] ===*+"},                         // context on both sides
		{"=-" + strings.Repeat("=", 20), "=*-=== [=================]"}, // tail without a change after it
		{"==", "=="},
	} {
		if got := shape(Blocks(lines(c.ops))); got != c.want {
			t.Errorf("%s: %s, want %s", c.ops, got, c.want)
		}
	}
}

func TestSplitRowsSetRemovalsBesideAdditions(t *testing.T) {
	ls := Blocks(lines("=--+~+"))[0].Lines
	var got []string
	for _, r := range SplitRows(ls) {
		got = append(got, fmt.Sprintf("%s%d|%s%d", r.Left.Op, r.Left.No, r.Right.Op, r.Right.No))
	}
	if strings.Join(got, " ") != "=1|=1 -2|+2 -3|0 ~4|~3 0|+4" {
		t.Fatalf("rows: %v", got)
	}
}

// TestEverySourceHasWords: the history filter shows words, not JSON names, for every
// version source; an unknown one is still readable.
func TestEverySourceHasWords(t *testing.T) {
	for _, s := range agentspec.VersionSources {
		if _, ok := sourceLabels[s]; !ok {
			t.Errorf("version source %q has no label", s)
		}
	}
	if got := SourceLabel("bulk_publish"); got != "Bulk publish" {
		t.Errorf("fallback: %q", got)
	}
}
