// Package reviews renders change requests (review before release): the Reviews page,
// a request's page, the header count and the admin's review policy.
package reviews

import (
	"strconv"
	"strings"

	"agentconsole/views/pages/tools"
	"agentconsole/views/pages/versions"
)

// Row is one change request in a list.
type Row struct {
	ID, AgentID                               int64
	Title, AgentName, Author, Status, Updated string
	Approvals, Required                       int
}

// ListPage is the Reviews page.
type ListPage struct {
	Awaiting, Mine, Merged []Row
	CanApprove             bool
}

// Review is one verdict; Stale when the proposal changed after it.
type Review struct {
	Reviewer, Verdict, When string
	Stale                   bool
}

// Comment is one comment; Anchor "" is general.
type Comment struct {
	Author, Anchor, AnchorLabel, Body, When string
	Revision                                int
}

// Anchor is a choice of what a comment points at.
type Anchor struct{ Value, Label string }

// FieldRow is one changed field.
type FieldRow struct{ Key, Label, Before, After string }

// Line is a prompt diff line, numbered as in the proposal (0 for a removed line),
// with the comments on it.
type Line struct {
	versions.PromptLine
	No       int
	Comments []Comment
}

// DiffView is the proposal against one side (its base, or the live agent).
type DiffView struct {
	Caption                 string
	FromNumber              int
	Fields                  []FieldRow
	Prompt                  []Line
	PromptSame, Empty       bool
	Added, Removed, Changed []versions.ToolRow
}

// Attach puts each prompt-line comment under its line.
func (d *DiffView) Attach(comments []Comment) {
	for _, c := range comments {
		n, err := strconv.Atoi(strings.TrimPrefix(c.Anchor, "systemPrompt:"))
		if err != nil || !strings.HasPrefix(c.Anchor, "systemPrompt:") {
			continue
		}
		for i := range d.Prompt {
			if d.Prompt[i].No == n {
				d.Prompt[i].Comments = append(d.Prompt[i].Comments, c)
			}
		}
	}
}

// Detail is a change request's page.
type Detail struct {
	ID, AgentID                                              int64
	AgentName, Title, Message, Author, Status, Kind, Created string
	Revision, Approvals, Required                            int
	Reviews                                                  []Review
	Comments                                                 []Comment
	Anchors                                                  []Anchor
	VsBase, VsLive                                           DiffView
	LiveMoved                                                bool
	MergedVersionID                                          int64
	// MergedBy and SettledAt say who merged it and when it was merged or closed.
	MergedBy, SettledAt                                 string
	OverrideReason                                      string
	CanReview, CanMerge, CanOverride, CanEdit, CanClose bool
	// Fleet-wide requests: a sync's diff is the sync preview it proposed (Stale when the
	// catalog or an affected agent changed since); a card request shows the pending card.
	Sync  *tools.Sync
	Stale bool
	Card  *CardChange
	// MergeBlocked says why Merge is disabled (approvals missing or stale), "" when
	// it is not.
	MergeBlocked string
}

// Merged reports whether the request was merged: its page is then the record of what
// happened, said in the past tense ("Before" / "After", not "Now" / "Proposed").
func (d Detail) Merged() bool { return d.Status == "merged" }

// Closed reports whether the request was closed without merging: nothing changed.
func (d Detail) Closed() bool { return d.Status == "closed" }

// Settled reports whether the request is merged or closed (no longer a proposal).
func (d Detail) Settled() bool { return d.Merged() || d.Closed() }

// CardChange is a pending agent card against the card in force.
type CardChange struct {
	Added, Removed, Changed, Roles []string
	CardHref                       string // the agent's card page (the card in force)
}

// TagChoice is a tag the policy may protect.
type TagChoice struct {
	ID      int64
	Name    string
	Checked bool
}

// Builder is a builder and whether they may approve.
type Builder struct {
	UserID      int64
	Email, Name string
	CanApprove  bool
}

// PolicyForm is the review policy page.
type PolicyForm struct {
	Enabled, ProtectReleased, AllowSelf bool
	SyncUnprotectedNow                  bool // a gated sync changes unprotected agents at once
	Approvals, MaxApprovals             int
	Tags                                []TagChoice
	Builders                            []Builder
	Error                               string
}

// StatusLabel names a status for people.
func StatusLabel(s string) string {
	switch s {
	case "changes_requested":
		return "changes requested"
	}
	return s
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// joinOr lists names, or says there are none.
func joinOr(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// mergeQuestion is the merge confirmation: a sync changes every agent in its preview.
func mergeQuestion(kind string) string {
	if kind == "sync" {
		return "Run this sync? Every agent in the preview gets its new tool schemas, a new version each."
	}
	return "Merge this change into the live agent? It is saved as a new version."
}
