// Package versions renders an agent's history timeline and the diff of two versions.
package versions

import (
	"strconv"
	"strings"

	"agentconsole/views/components"
)

// Row is one version in the timeline.
type Row struct {
	ID, Number           int64
	Source, Author, When string
	Summary              string
	Message              string // why, as the save said ("" when it said nothing)
	Live                 bool
}

// History is the timeline page.
type History struct {
	AgentID          int64
	AgentName        string
	Rows             []Row
	Sources, Authors []string
	Source, Author   string
	CanRestore       bool
	OlderURL         string
	NewerURL         string // on an older page: back towards the newest
	// UnknownSource is a ?source= that is no version source: the page says so and
	// shows every source instead.
	UnknownSource string
	ClearURL      string // the history without filters
}

// Filtered reports a source or author filter in force.
func (h History) Filtered() bool { return h.Source != "" || h.Author != "" }

// Side names one end of a diff.
type Side struct {
	ID, Number           int64
	Source, Author, When string
	Message              string
}

// Word is a run inside a changed prompt line.
type Word struct{ Op, Text string }

// PromptLine is one line of the prompt diff, numbered in the older and newer prompt
// (0 where the line does not exist).
type PromptLine struct {
	Op, Old, New string
	Words        []Word
	OldNo, NewNo int
	Change       bool // the first line of a run of changed lines: a stop for n / p
}

// ToolRow is one changed tool.
type ToolRow struct {
	Name           string
	Schema, Config []components.PathChange
}

// FieldRow is one changed field.
type FieldRow struct{ Field, Before, After string }

// Diff is the diff page.
type Diff struct {
	AgentID        int64
	AgentName      string
	From, To       Side
	Choices        []Choice // versions to pick from
	Fields         []FieldRow
	Prompt         []PromptLine
	PromptSame     bool
	Added, Removed []ToolRow // with the config each tool came or went with
	Changed        []ToolRow
	Unchanged      []string
	Empty          bool
	CanRestore     bool
	// Split shows the prompt side by side (?view=split) rather than unified;
	// IgnoreWhitespace is the server-side option (?ignoreWhitespace=true).
	Split            bool
	IgnoreWhitespace bool
	UnifiedURL       string // this comparison, unified
	SplitURL         string // this comparison, side by side
	WhitespaceURL    string // this comparison with ignore-whitespace toggled
}

// Layouts of the prompt diff (?view=).
const (
	ViewUnified = "unified"
	ViewSplit   = "split"
)

// foldContext is how many unchanged lines stay visible next to a change; a run of
// unchanged lines is folded when more than foldMin lines of it would be hidden.
const (
	foldContext = 3
	foldMin     = 3
)

// Block is a run of prompt lines: shown, or folded behind "Show N unchanged lines".
type Block struct {
	Folded bool
	Lines  []PromptLine
}

// Blocks folds long runs of unchanged lines, keeping foldContext lines beside each
// change, and marks the first line of every run of changes.
func Blocks(lines []PromptLine) []Block {
	var out []Block
	shown := func(ls []PromptLine) {
		if len(ls) == 0 {
			return
		}
		if n := len(out); n > 0 && !out[n-1].Folded {
			out[n-1].Lines = append(out[n-1].Lines, ls...)
			return
		}
		out = append(out, Block{Lines: ls})
	}
	for i := 0; i < len(lines); {
		j := i
		for j < len(lines) && (lines[j].Op == "=") == (lines[i].Op == "=") {
			j++
		}
		run := append([]PromptLine(nil), lines[i:j]...)
		if run[0].Op != "=" {
			run[0].Change = true
			shown(run)
			i = j
			continue
		}
		head, tail := 0, 0
		if i > 0 {
			head = foldContext
		}
		if j < len(lines) {
			tail = foldContext
		}
		if len(run)-head-tail > foldMin {
			shown(run[:head])
			out = append(out, Block{Folded: true, Lines: run[head : len(run)-tail]})
			shown(run[len(run)-tail:])
		} else {
			shown(run)
		}
		i = j
	}
	return out
}

// Cell is one side of a side-by-side row; Op "" is an empty side.
type Cell struct {
	Op    string
	No    int
	Text  string
	Words []Word // a changed line's runs on this side only
}

// SplitRow is one row of the side-by-side prompt diff.
type SplitRow struct {
	Left, Right Cell
	Change      bool
}

// SplitRows lays lines out side by side: a run of removed lines is set beside the run
// of added lines that follows it, row by row; a changed line shows its old words on
// the left and its new words on the right.
func SplitRows(lines []PromptLine) []SplitRow {
	var out []SplitRow
	for i := 0; i < len(lines); {
		l := lines[i]
		switch l.Op {
		case "-":
			j := i
			for j < len(lines) && lines[j].Op == "-" {
				j++
			}
			k := j
			for k < len(lines) && lines[k].Op == "+" {
				k++
			}
			for r := 0; r < max(j-i, k-j); r++ {
				row := SplitRow{Change: r == 0 && l.Change}
				if i+r < j {
					row.Left = Cell{Op: "-", No: lines[i+r].OldNo, Text: lines[i+r].Old}
				}
				if j+r < k {
					row.Right = Cell{Op: "+", No: lines[j+r].NewNo, Text: lines[j+r].New}
				}
				out = append(out, row)
			}
			i = k
			continue
		case "+":
			out = append(out, SplitRow{Right: Cell{Op: "+", No: l.NewNo, Text: l.New}, Change: l.Change})
		case "=":
			out = append(out, SplitRow{Left: Cell{Op: "=", No: l.OldNo, Text: l.Old}, Right: Cell{Op: "=", No: l.NewNo, Text: l.New}})
		default:
			row := SplitRow{Left: Cell{Op: "~", No: l.OldNo, Text: l.Old}, Right: Cell{Op: "~", No: l.NewNo, Text: l.New}, Change: l.Change}
			for _, w := range l.Words {
				if w.Op != "+" {
					row.Left.Words = append(row.Left.Words, w)
				}
				if w.Op != "-" {
					row.Right.Words = append(row.Right.Words, w)
				}
			}
			out = append(out, row)
		}
		i++
	}
	return out
}

// lineNo is a line number for display ("" for none).
func lineNo(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// Snapshot is one version shown whole and read-only.
type Snapshot struct {
	AgentID   int64
	AgentName string
	Version   Side
	Live      bool
	Fields    []FieldRow // Field and After (the value)
	Empty     []string   // fields without a value
	Prompt    []PromptLine
	Tools     []ToolRow // with their config
}

// sourceLabels names each version source (agentspec.VersionSources) for people; the
// filter keeps the JSON names as values.
var sourceLabels = map[string]string{
	"create": "Created", "update": "Edit", "clone": "Clone", "restore": "Restore", "publish": "Publish",
	"tags": "Tags", "import": "Import", "sync": "Sync", "capability": "Capability", "card_refresh": "Card refresh",
	"change_request": "Merged change request",
}

// SourceLabel is a version source in words; a source without a label is shown
// capitalised with spaces, never blank.
func SourceLabel(s string) string {
	if l, ok := sourceLabels[s]; ok {
		return l
	}
	s = strings.ReplaceAll(s, "_", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
