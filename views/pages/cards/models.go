// Package cards renders external agents' A2A cards: adding an agent from a card URL,
// the cached card, a refresh's diff, the refresh history and the skill-role rules.
package cards

import (
	"strconv"

	"agentconsole/views/components"
)

// Skill is a skill row of a card.
type Skill struct {
	ID, Name, Description                   string
	Tags, Examples, InputModes, OutputModes []string
	Roles                                   string // comma separated
}

// Interface is one way to reach the agent.
type Interface struct{ URL, Binding, Version string }

// Card is a card as the console shows it.
type Card struct {
	Name, Description, Version, Provider, ProviderURL string
	DocumentationURL, IconURL                         string
	Interfaces                                        []Interface
	Capabilities, SecuritySchemes                     []string
	InputModes, OutputModes                           []string // the card's defaults, for skills that name none
	Skills                                            []Skill
}

// HistoryRow is one refresh.
type HistoryRow struct {
	ID                       int64
	When, By, Outcome, Error string
	Summary                  string
}

// Page is the external agent's card page.
type Page struct {
	AgentID                           int64
	AgentName                         string
	Card                              *Card
	SpecVersion, SourceURL, FetchedAt string
	LastError, NextRefresh            string
	History                           []HistoryRow
	CanRefresh                        bool
	PendingRequest                    int64 // an open change request holding a newer card
}

// SkillDiff is a skill in the refresh diff.
type SkillDiff struct {
	ID, Change, Name, Description string
	Changes                       []components.PathChange
}

// Diff is one refresh shown as a diff.
type Diff struct {
	AgentID                  int64
	AgentName                string
	RefreshID                int64
	When, By, Outcome, Error string
	URL, SpecVersion         string
	Added, Removed, Changed  []string
	Roles                    []string
	Skills                   []SkillDiff
	Other                    []components.PathChange
}

// NewForm is "Add external agent": a URL, then the previewed card and a create form.
type NewForm struct {
	URL, Error, Name, Description string
	CardURL, SpecVersion          string
	Preview                       *Card
}

// Rule is a skill-role rule.
type Rule struct {
	ID           int64
	Match, Roles string
}

// Rules is the admin page of skill-role rules and "refresh all".
type Rules struct {
	Rules        []Rule
	Match, Roles string
	Error        string
	External     int
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
