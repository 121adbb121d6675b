// Package cards reads A2A agent cards and compares them. Parsing uses a2a-go's types
// and its compatibility parser (a2acompat/a2av0), which reads both the v1.0 shape
// (supportedInterfaces) and the v0.3 shape (url, protocolVersion, preferredTransport);
// skills are compared by id.
package cards

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/a2aproject/a2a-go/v2/a2a"
	"github.com/a2aproject/a2a-go/v2/a2acompat/a2av0"

	"agentconsole/db/versiondiff"
)

// Parser reads a card body in either shape.
var Parser = a2av0.NewAgentCardParser()

// SpecVersion tells which card shape a body has: "1.0" (supportedInterfaces), else the
// card's protocolVersion (v0.3 and v0.2 cards), else "unknown".
func SpecVersion(body []byte) string {
	var probe struct {
		SupportedInterfaces []json.RawMessage `json:"supportedInterfaces"`
		ProtocolVersion     string            `json:"protocolVersion"`
	}
	json.Unmarshal(body, &probe)
	switch {
	case len(probe.SupportedInterfaces) > 0:
		return "1.0"
	case probe.ProtocolVersion != "":
		return probe.ProtocolVersion
	}
	return "unknown"
}

// Parse reads and checks a card: it must be a JSON object with a name and skills that
// each have a unique, non-empty id.
func Parse(body []byte) (*a2a.AgentCard, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil {
		return nil, fmt.Errorf("malformed JSON: %w", err)
	}
	if _, ok := obj["name"]; !ok {
		return nil, errors.New("not an agent card: no name")
	}
	if _, ok := obj["skills"]; !ok {
		return nil, errors.New("not an agent card: no skills")
	}
	card, err := Parser(body)
	if err != nil {
		return nil, fmt.Errorf("not an agent card: %w", err)
	}
	if strings.TrimSpace(card.Name) == "" {
		return nil, errors.New("not an agent card: empty name")
	}
	seen := map[string]bool{}
	for i, s := range card.Skills {
		if strings.TrimSpace(s.ID) == "" {
			return nil, fmt.Errorf("not an agent card: skill %d has no id", i)
		}
		if seen[s.ID] {
			return nil, fmt.Errorf("not an agent card: skill id %q appears twice", s.ID)
		}
		seen[s.ID] = true
	}
	return card, nil
}

// Normalize is the stored form of a card: its v1.0 JSON.
func Normalize(card *a2a.AgentCard) json.RawMessage {
	b, _ := json.Marshal(card)
	return b
}

// Report is seed 004's changeReport (roles and time are filled by the caller).
type Report struct {
	SkillsAdded      []string `json:"skillsAdded"`
	SkillsRemoved    []string `json:"skillsRemoved"`
	SkillsChanged    []string `json:"skillsChanged"`
	RolesAutoApplied []string `json:"rolesAutoApplied"`
	LastRefresh      string   `json:"lastRefresh"`
	// Pending (review policy on, agent protected): the change is held in change
	// request ChangeRequestID and applied, with RolesAutoApplied, on its approval.
	Pending         bool   `json:"pending,omitempty"`
	ChangeRequestID *int64 `json:"changeRequestId,omitempty"`
}

// Empty reports no skill change.
func (r *Report) Empty() bool {
	return len(r.SkillsAdded)+len(r.SkillsRemoved)+len(r.SkillsChanged) == 0
}

// Compare lists skills added, removed and changed (same id, different name,
// description, tags, examples or modes) between two cards; old may be nil.
func Compare(old, new *a2a.AgentCard) *Report {
	r := &Report{SkillsAdded: []string{}, SkillsRemoved: []string{}, SkillsChanged: []string{}, RolesAutoApplied: []string{}}
	before := map[string]a2a.AgentSkill{}
	if old != nil {
		for _, s := range old.Skills {
			before[s.ID] = s
		}
	}
	after := map[string]bool{}
	for _, s := range new.Skills {
		after[s.ID] = true
		prev, ok := before[s.ID]
		switch {
		case !ok:
			r.SkillsAdded = append(r.SkillsAdded, s.ID)
		case skillChanged(prev, s):
			r.SkillsChanged = append(r.SkillsChanged, s.ID)
		}
	}
	for id := range before {
		if !after[id] {
			r.SkillsRemoved = append(r.SkillsRemoved, id)
		}
	}
	sort.Strings(r.SkillsAdded)
	sort.Strings(r.SkillsRemoved)
	sort.Strings(r.SkillsChanged)
	return r
}

func skillChanged(a, b a2a.AgentSkill) bool {
	return a.Name != b.Name || a.Description != b.Description || !slices.Equal(a.Tags, b.Tags) || !slices.Equal(a.Examples, b.Examples) ||
		!slices.Equal(a.InputModes, b.InputModes) || !slices.Equal(a.OutputModes, b.OutputModes)
}

// OtherChanges lists the JSON paths that differ between two cards outside the skills.
func OtherChanges(old, new json.RawMessage) []versiondiff.PathChange {
	strip := func(raw json.RawMessage) []byte {
		var m map[string]any
		json.Unmarshal(raw, &m)
		delete(m, "skills")
		b, _ := json.Marshal(m)
		return b
	}
	return versiondiff.PathChanges(strip(old), strip(new))
}

// SkillDiff is one skill's before and after, for the diff view.
type SkillDiff struct {
	ID      string
	Change  string // added, removed, changed, same
	Before  *a2a.AgentSkill
	After   *a2a.AgentSkill
	Changes []versiondiff.PathChange
}

// SkillDiffs lines up the skills of two stored cards by id.
func SkillDiffs(old, new json.RawMessage) []SkillDiff {
	var a, b a2a.AgentCard
	json.Unmarshal(old, &a)
	json.Unmarshal(new, &b)
	byID := map[string]*a2a.AgentSkill{}
	for i := range a.Skills {
		byID[a.Skills[i].ID] = &a.Skills[i]
	}
	var out []SkillDiff
	seen := map[string]bool{}
	for i := range b.Skills {
		s := &b.Skills[i]
		seen[s.ID] = true
		d := SkillDiff{ID: s.ID, After: s, Before: byID[s.ID]}
		switch {
		case d.Before == nil:
			d.Change = "added"
		case skillChanged(*d.Before, *s):
			d.Change = "changed"
			ab, _ := json.Marshal(d.Before)
			bb, _ := json.Marshal(s)
			d.Changes = versiondiff.PathChanges(ab, bb)
		default:
			d.Change = "same"
		}
		out = append(out, d)
	}
	for i := range a.Skills {
		if !seen[a.Skills[i].ID] {
			out = append(out, SkillDiff{ID: a.Skills[i].ID, Change: "removed", Before: &a.Skills[i]})
		}
	}
	return out
}
