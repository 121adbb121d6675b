package db

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/uptrace/bun"

	"agentconsole/db/textmerge"
)

// A stale save (its base publishedVersionId is older than the live version) is a
// three-way merge of base (the version the person opened), theirs (the live agent) and
// yours (base with the patch applied). Fields are compared one by one over the
// snapshot's top-level keys, so a field added later is covered without code here;
// tools tool by tool; the system prompt line by line. Only what both sides changed to
// different values conflicts.

// MergeConflict is one path both sides changed to different values.
type MergeConflict struct {
	Path []any // ["description"], ["tools", "web_search"], ["systemPrompt"]
	// The three values as JSON (null when absent). For the system prompt, Yours is
	// your prompt with their changes to other lines merged in.
	Base, Theirs, Yours json.RawMessage
}

// Key is the path as one string ("description", "tools/web_search"), as the console's
// choice fields name it.
func (c MergeConflict) Key() string { return pathKey(c.Path) }

func pathKey(path []any) string {
	parts := make([]string, len(path))
	for i, p := range path {
		parts[i] = fmt.Sprint(p)
	}
	return strings.Join(parts, "/")
}

// SaveOutcome is what a save did, beyond the agent it left.
type SaveOutcome struct {
	Agent *Agent
	// Unchanged: the save changed nothing, so no version was appended.
	Unchanged bool
	// Merged names the fields whose changes by others (MergedFrom, who saved in between)
	// were kept because the save was made from an older version.
	Merged     []string
	MergedFrom []string
}

// bookkeeping keys of a snapshot are not content: never merged, never conflicting.
var bookkeeping = map[string]bool{"id": true, "createdAt": true, "updatedAt": true, "deletedAt": true, "publishedVersionId": true}

// fieldMerge is the result of merging three snapshots.
type fieldMerge struct {
	merged    map[string]json.RawMessage // conflicts resolved to yours
	theirs    []string                   // paths (as keys) where their change was kept
	conflicts []MergeConflict
}

// mergeSnapshots merges the top-level fields of three snapshots.
func mergeSnapshots(base, theirs, yours map[string]json.RawMessage) fieldMerge {
	m := fieldMerge{merged: map[string]json.RawMessage{}}
	for _, k := range unionKeys(base, theirs, yours) {
		if bookkeeping[k] {
			m.merged[k] = theirs[k]
			continue
		}
		b, t, y := base[k], theirs[k], yours[k]
		switch {
		case sameValue(t, y) || sameValue(b, y): // you changed nothing here, or the same
			m.merged[k] = t
			if sameValue(b, y) && !sameValue(b, t) { // their change, not one you made too
				m.theirs = append(m.theirs, k)
			}
		case sameValue(b, t): // only you changed it
			m.merged[k] = y
		case k == "tools":
			m.merged[k] = m.mergeTools(b, t, y)
		case k == "systemPrompt":
			m.merged[k] = m.mergePrompt(b, t, y)
		default:
			m.merged[k] = y
			m.conflicts = append(m.conflicts, MergeConflict{Path: []any{k}, Base: orNull(b), Theirs: orNull(t), Yours: orNull(y)})
		}
	}
	return m
}

// mergeTools merges the tools maps tool by tool: a tool's definition and config are
// one unit, and a tool one side removed and the other left alone is removed.
func (m *fieldMerge) mergeTools(b, t, y json.RawMessage) json.RawMessage {
	var bt, tt, yt map[string]json.RawMessage
	json.Unmarshal(b, &bt)
	json.Unmarshal(t, &tt)
	json.Unmarshal(y, &yt)
	out := map[string]json.RawMessage{}
	theirsKept := false
	for _, name := range unionKeys(bt, tt, yt) {
		bv, tv, yv := bt[name], tt[name], yt[name]
		var v json.RawMessage
		switch {
		case sameValue(tv, yv) || sameValue(bv, yv):
			v = tv
			theirsKept = theirsKept || sameValue(bv, yv) && !sameValue(bv, tv)
		case sameValue(bv, tv):
			v = yv
		default:
			v = yv
			m.conflicts = append(m.conflicts, MergeConflict{Path: []any{"tools", name}, Base: orNull(bv), Theirs: orNull(tv), Yours: orNull(yv)})
		}
		if v != nil {
			out[name] = v
		}
	}
	if theirsKept {
		m.theirs = append(m.theirs, "tools")
	}
	merged, _ := json.Marshal(out)
	return merged
}

// mergePrompt merges the system prompt line by line: disjoint hunks merge, overlapping
// ones conflict (the whole prompt is then the conflicting path).
func (m *fieldMerge) mergePrompt(b, t, y json.RawMessage) json.RawMessage {
	var bs, ts, ys string
	json.Unmarshal(b, &bs)
	json.Unmarshal(t, &ts)
	json.Unmarshal(y, &ys)
	r := textmerge.Merge(bs, ts, ys)
	mine := jsonString(r.Text(true))
	if r.Conflicts() > 0 {
		m.conflicts = append(m.conflicts, MergeConflict{Path: []any{"systemPrompt"}, Base: orNull(b), Theirs: orNull(t), Yours: mine})
	} else {
		m.theirs = append(m.theirs, "systemPrompt")
	}
	return mine
}

func jsonString(s string) json.RawMessage {
	if s == "" {
		return json.RawMessage("null")
	}
	b, _ := json.Marshal(s)
	return b
}

func unionKeys(maps ...map[string]json.RawMessage) []string {
	seen := map[string]bool{}
	var keys []string
	for _, m := range maps {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	sort.Strings(keys)
	return keys
}

// sameValue compares two values of canonical snapshots; absent equals null.
func sameValue(a, b json.RawMessage) bool {
	return bytes.Equal(orNull(a), orNull(b))
}

func orNull(v json.RawMessage) json.RawMessage {
	if len(v) == 0 {
		return json.RawMessage("null")
	}
	return v
}

// snapshotMap is the agent's canonical snapshot cut into its top-level fields.
func snapshotMap(a *Agent) map[string]json.RawMessage {
	var m map[string]json.RawMessage
	json.Unmarshal(snapshot(a), &m)
	return m
}

// cloneAgent copies an agent deeply enough for Apply and refreshTools to change the
// copy only (they replace slices and pointers, and write into the tools map).
func cloneAgent(a *Agent) *Agent {
	c := *a
	c.Tools = make(map[string]json.RawMessage, len(a.Tools))
	for k, v := range a.Tools {
		c.Tools[k] = v
	}
	c.TagIDs = slices.Clone(a.TagIDs)
	return &c
}

// baseVersion reads the version a stale save started from: it must be a version of
// the same agent of the caller's organisation.
func (s *Store) baseVersion(ctx context.Context, tx bun.IDB, live *Agent, versionID int64) (*Agent, int, error) {
	var row struct {
		AgentID  int64           `bun:"agent_id"`
		Number   int             `bun:"number"`
		Snapshot json.RawMessage `bun:"snapshot"`
	}
	err := tx.NewRaw("SELECT v.agent_id, v.number, agent_snapshot(v.fields_ref, v.prompt_ref, v.tools_ref) AS snapshot FROM agent_versions v WHERE v.id = ? AND v.org_id = ?",
		versionID, live.OrgID).Scan(ctx, &row)
	if err != nil && !errors.Is(notFound(err), ErrNotFound) {
		return nil, 0, fmt.Errorf("db: base version %d: %w", versionID, err)
	}
	if err != nil || row.AgentID != live.ID {
		return nil, 0, invalid(Issue{Message: fmt.Sprintf("Version %d is not a version of this agent", versionID), Path: []any{"publishedVersionId"}})
	}
	base := &Agent{}
	if err := json.Unmarshal(row.Snapshot, base); err != nil {
		return nil, 0, fmt.Errorf("db: base version %d: %w", versionID, err)
	}
	base.ID, base.OrgID = live.ID, live.OrgID
	if base.Tools == nil {
		base.Tools = map[string]json.RawMessage{}
	}
	return base, row.Number, nil
}

// mergeStale turns a stale save into the patch to apply to the live agent: base and
// yours are compared with theirs, and only your changes that do not collide with
// theirs are kept. Collisions answer a ConflictError naming each path.
func (s *Store) mergeStale(ctx context.Context, tx bun.Tx, live *Agent, p *AgentPatch) (*AgentPatch, *SaveOutcome, error) {
	base, baseNo, err := s.baseVersion(ctx, tx, live, p.PublishedVersionID.V)
	if err != nil {
		return nil, nil, err
	}
	p = p.withStored(base)
	yours := cloneAgent(base)
	if issues := p.Apply(yours); len(issues) > 0 {
		return nil, nil, validationResult(issues) // refuse what was sent, as a fresh save would
	}
	// Tool definitions come from the catalog on every save: refresh all three sides the
	// same way, so a catalog change nobody made is not taken for an edit.
	theirs := cloneAgent(live)
	for _, side := range []struct {
		a    *Agent
		prev map[string]json.RawMessage
	}{{base, base.Tools}, {theirs, live.Tools}, {yours, base.Tools}} {
		issues, err := refreshTools(ctx, tx, side.a, side.prev)
		if err != nil {
			return nil, nil, err
		}
		if side.a == yours && len(issues) > 0 {
			return nil, nil, validationResult(issues)
		}
	}
	m := mergeSnapshots(snapshotMap(base), snapshotMap(theirs), snapshotMap(yours))
	var authors []string
	if len(m.conflicts) > 0 || len(m.theirs) > 0 {
		if err := tx.NewRaw("SELECT author FROM agent_versions WHERE agent_id = ? AND number > ? GROUP BY author ORDER BY min(number)",
			live.ID, baseNo).Scan(ctx, &authors); err != nil {
			return nil, nil, fmt.Errorf("db: authors since version %d: %w", baseNo, err)
		}
	}
	if len(m.conflicts) > 0 {
		ce := s.conflict(ctx, tx, live).(*ConflictError)
		ce.Conflicts, ce.Authors = m.conflicts, authors
		merged := &Agent{}
		raw, _ := json.Marshal(m.merged)
		json.Unmarshal(raw, merged)
		merged.ID, merged.OrgID, merged.PublishedVersionID, merged.LiveVersion = live.ID, live.OrgID, live.PublishedVersionID, live.LiveVersion
		ce.Merged = merged
		return nil, nil, ce
	}
	// The patch for the live agent holds only what differs from it: your changes.
	theirsMap := snapshotMap(theirs)
	changes := map[string]json.RawMessage{}
	for k, v := range m.merged {
		if !bookkeeping[k] && !sameValue(v, theirsMap[k]) {
			changes[k] = v
		}
	}
	raw, _ := json.Marshal(changes)
	out := &AgentPatch{}
	if err := json.Unmarshal(raw, out); err != nil {
		return nil, nil, fmt.Errorf("db: merged patch: %w", err)
	}
	out.ID = Some(live.ID)
	return out, &SaveOutcome{Merged: m.theirs, MergedFrom: authors}, nil
}

// withStored is the patch with each KeepStored path set back to the stored agent's
// value: the console's "keep theirs" choice after a conflict.
func (p *AgentPatch) withStored(a *Agent) *AgentPatch {
	if len(p.KeepStored) == 0 {
		return p
	}
	c := *p
	c.KeepStored = nil
	pv := reflect.ValueOf(&c).Elem()
	for _, path := range p.KeepStored {
		if len(path) == 2 && path[0] == "tools" {
			name := path[1]
			if !c.Tools.Set || c.Tools.Null {
				continue
			}
			tools := make(map[string]json.RawMessage, len(c.Tools.V))
			for k, v := range c.Tools.V {
				tools[k] = v
			}
			if def, ok := a.Tools[name]; ok {
				tools[name] = def
			} else {
				delete(tools, name)
			}
			c.Tools = Some(tools)
			continue
		}
		if len(path) != 1 {
			continue
		}
		// An unset field keeps the stored value; aliases of the field go too.
		for _, name := range append([]string{path[0]}, fieldAliases[path[0]]...) {
			for i := 0; i < pv.NumField(); i++ {
				if strings.Split(pv.Type().Field(i).Tag.Get("json"), ",")[0] == name {
					pv.Field(i).Set(reflect.Zero(pv.Field(i).Type()))
				}
			}
		}
	}
	return &c
}

// fieldAliases are the patch's other names for a snapshot field (seed 003's).
var fieldAliases = map[string][]string{"model": {"modelAlias"}, "tools": {"toolNames"}}
