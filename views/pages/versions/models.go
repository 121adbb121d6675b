// Package versions renders an agent's history timeline and the diff of two versions.
package versions

import (
	"strconv"

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
}

// Side names one end of a diff.
type Side struct {
	ID, Number           int64
	Source, Author, When string
}

// Word is a run inside a changed prompt line.
type Word struct{ Op, Text string }

// PromptLine is one line of the prompt diff.
type PromptLine struct {
	Op, Old, New string
	Words        []Word
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
	Choices        []Row // versions to pick from
	Fields         []FieldRow
	Prompt         []PromptLine
	PromptSame     bool
	Added, Removed []ToolRow // with the config each tool came or went with
	Changed        []ToolRow
	Unchanged      []string
	Empty          bool
	CanRestore     bool
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
