package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
)

// TagColors is the palette of tag colours (each has an accessible chip style); a tag may
// also have a custom colour as #rrggbb (TagColor).
var TagColors = []string{"slate", "red", "amber", "green", "teal", "blue", "indigo", "purple", "pink"}

// customTagColor is a colour of the tags page's custom picker: #rrggbb.
var customTagColor = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// TagColor checks a tag colour, a palette name or #rrggbb, and normalises it (hex in
// lower case, so two spellings of one colour are one value).
func TagColor(c string) (string, bool) {
	if slices.Contains(TagColors, c) {
		return c, true
	}
	if customTagColor.MatchString(c) {
		return strings.ToLower(c), true
	}
	return "", false
}

// Tag is an organisation's tag with the number of agents carrying it.
type Tag struct {
	ID          int64  `bun:"id" json:"id"`
	Name        string `bun:"name" json:"name"`
	Color       string `bun:"color" json:"color"`
	Description string `bun:"description" json:"description"`
	AgentCount  int    `bun:"agent_count" json:"agentCount"`
}

// TagInput creates or changes a tag; unset fields keep their value.
type TagInput struct {
	Name        Opt[string] `json:"name"`
	Color       Opt[string] `json:"color"`
	Description Opt[string] `json:"description"`
}

func (in *TagInput) validate(creating bool) []Issue {
	var issues []Issue
	if in.Name.Set || creating {
		name := strings.TrimSpace(in.Name.V)
		switch {
		case name == "":
			issues = append(issues, Issue{Message: "Required", Path: []any{"name"}})
		case len(name) > 50:
			issues = append(issues, Issue{Message: "String must contain at most 50 character(s)", Path: []any{"name"}})
		}
		in.Name.V = name
	}
	if in.Color.Has() {
		if c, ok := TagColor(in.Color.V); ok {
			in.Color.V = c
		} else {
			issues = append(issues, Issue{Message: "Invalid colour. Expected '" + strings.Join(TagColors, "' | '") + "' or #rrggbb, received '" + Shorten(in.Color.V) + "'", Path: []any{"color"}})
		}
	}
	if in.Description.Has() && len(in.Description.V) > 500 {
		issues = append(issues, Issue{Message: "String must contain at most 500 character(s)", Path: []any{"description"}})
	}
	return issues
}

// errDuplicateTag is the cause of the refusal of a tag name already in use.
var errDuplicateTag = errors.New("db: duplicate tag name")

func duplicateTag(name string) *ValidationError {
	e := refusal(fmt.Sprintf("Tag %q already exists", name), "name")
	e.cause = errDuplicateTag
	return e
}

// TagsAfter lists the ids of the organisation's tags that follow tag id in the order
// the console lists tags (lower(name), id, as Tags), nearest first: a tag added in
// place (the editor's "add tag") goes before the first of them on the page, where a
// reload shows it. At most 500 (far enough to find one on any page).
func (s *Store) TagsAfter(ctx context.Context, orgID, id int64) ([]int64, error) {
	ids := []int64{}
	err := s.DB.NewRaw(`SELECT n.id FROM tags t JOIN tags n ON n.org_id = t.org_id AND (lower(n.name), n.id) > (lower(t.name), t.id)
		WHERE t.org_id = ? AND t.id = ? ORDER BY lower(n.name), n.id LIMIT 500`, orgID, id).Scan(ctx, &ids)
	if err != nil {
		return nil, fmt.Errorf("db: tags after %d: %w", id, err)
	}
	return ids, nil
}

// TagsWithCounts lists the organisation's tags with how many live agents carry each.
func (s *Store) TagsWithCounts(ctx context.Context, orgID int64) ([]Tag, error) {
	tags := []Tag{}
	err := s.DB.NewRaw(`SELECT t.id, t.name, t.color, t.description,
			(SELECT count(*) FROM agent_tags at JOIN agents a ON a.id = at.agent_id AND a.deleted_at IS NULL WHERE at.tag_id = t.id) AS agent_count
		FROM tags t WHERE t.org_id = ? ORDER BY lower(t.name), t.id`, orgID).Scan(ctx, &tags)
	if err != nil {
		return nil, fmt.Errorf("db: tags of org %d: %w", orgID, err)
	}
	return tags, nil
}

// TagByID reads one tag of the organisation with its count.
func (s *Store) TagByID(ctx context.Context, orgID, id int64) (*Tag, error) {
	t := new(Tag)
	err := s.DB.NewRaw(`SELECT t.id, t.name, t.color, t.description,
			(SELECT count(*) FROM agent_tags at JOIN agents a ON a.id = at.agent_id AND a.deleted_at IS NULL WHERE at.tag_id = t.id) AS agent_count
		FROM tags t WHERE t.org_id = ? AND t.id = ?`, orgID, id).Scan(ctx, t)
	if err != nil {
		return nil, fmt.Errorf("db: tag %d: %w", id, notFound(err))
	}
	return t, nil
}

// SaveTag creates (id 0) or updates a tag. Names are unique per organisation, ignoring case.
func (s *Store) SaveTag(ctx context.Context, actor *Actor, id int64, in TagInput) (*Tag, error) {
	creating := id == 0
	if issues := in.validate(creating); len(issues) > 0 {
		return nil, invalid(issues...)
	}
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if id == 0 {
			color := "slate"
			if in.Color.Has() {
				color = in.Color.V
			}
			err = tx.NewRaw("INSERT INTO tags (org_id, name, color, description) VALUES (?, ?, ?, ?) RETURNING id",
				actor.OrgID, in.Name.V, color, in.Description.V).Scan(ctx, &id)
		} else {
			q := tx.NewUpdate().Table("tags").Where("id = ? AND org_id = ?", id, actor.OrgID).Returning("id")
			if in.Name.Set {
				q = q.Set("name = ?", in.Name.V)
			}
			if in.Color.Has() {
				q = q.Set("color = ?", in.Color.V)
			}
			if in.Description.Set {
				q = q.Set("description = ?", in.Description.V)
			}
			if !in.Name.Set && !in.Color.Has() && !in.Description.Set {
				q = q.Set("name = name")
			}
			err = q.Scan(ctx, &id)
			err = notFound(err)
		}
		if isUniqueViolation(err, "tags_org_name_key") {
			return duplicateTag(in.Name.V)
		}
		if err != nil {
			return err
		}
		action := "tag.updated"
		if creating {
			action = "tag.created"
		}
		return s.Audit(ctx, tx, actor, action, "tag", id, in.Name.V)
	})
	if err != nil {
		return nil, err
	}
	return s.TagByID(ctx, actor.OrgID, id)
}

// DeleteTag removes a tag and takes it off every agent, appending a version to each
// agent that carried it, in one transaction.
func (s *Store) DeleteTag(ctx context.Context, actor *Actor, id int64) (changed int, err error) {
	err = s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var name string
		if err := tx.NewRaw("SELECT name FROM tags WHERE id = ? AND org_id = ? FOR UPDATE", id, actor.OrgID).Scan(ctx, &name); err != nil {
			return fmt.Errorf("db: delete tag %d: %w", id, notFound(err))
		}
		var agentIDs []int64
		if err := tx.NewRaw("SELECT a.id FROM agents a JOIN agent_tags at ON at.agent_id = a.id WHERE at.tag_id = ? ORDER BY a.id FOR UPDATE OF a", id).Scan(ctx, &agentIDs); err != nil {
			return err
		}
		if err := s.refuseTagDeletion(ctx, tx, actor.OrgID, id, name, agentIDs); err != nil {
			return err
		}
		if _, err := tx.NewRaw("DELETE FROM agent_tags WHERE tag_id = ?", id).Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewRaw("DELETE FROM tags WHERE id = ?", id).Exec(ctx); err != nil {
			return err
		}
		if err := s.appendTagVersions(ctx, tx, actor, agentIDs, "removed tag "+name); err != nil {
			return err
		}
		changed = len(agentIDs)
		return s.Audit(ctx, tx, actor, "tag.deleted", "tag", id, fmt.Sprintf("%s (removed from %s)", name, count(changed, "agent", "agents")))
	})
	return changed, err
}

// refuseTagDeletion keeps the review policy whole: a tag the enabled policy names may
// not be deleted (that would lift the protection of its agents without review: the
// admin takes it out of the policy first), nor one whose removal would change other
// protected agents. A disabled policy merely forgets the tag.
func (s *Store) refuseTagDeletion(ctx context.Context, tx bun.Tx, orgID, id int64, name string, agentIDs []int64) error {
	pol, err := s.reviewPolicy(ctx, tx, orgID)
	if err != nil {
		return err
	}
	if !pol.Enabled {
		_, err := tx.NewRaw("UPDATE review_policies SET tag_ids = array_remove(tag_ids, ?) WHERE org_id = ?", id, orgID).Exec(ctx)
		return err
	}
	if slices.Contains(pol.TagIDs, id) {
		return &ReviewStateError{Message: fmt.Sprintf("Tag “%s” protects agents under the review policy: take it out of the policy first (Admin → Review policy), then delete it.", Shorten(name))}
	}
	return s.refuseProtectedChange(ctx, tx, orgID, agentIDs, protectedChange{
		Instead: "take the tag off {them} one by one from the editor (each change proposes a change request), then delete it"})
}

// MaxBulkAgents is how many agents one bulk tagging may name.
const MaxBulkAgents = 1000

// BulkTag adds (or removes) one tag on many agents of the organisation: set-based
// statements, one version per agent that actually changed, one audit entry.
func (s *Store) BulkTag(ctx context.Context, actor *Actor, tagID int64, agentIDs []int64, remove bool) (changed int, err error) {
	if len(agentIDs) > MaxBulkAgents {
		return 0, invalid(Issue{Message: tooMany(MaxBulkAgents), Path: []any{"agentIds"}})
	}
	agentIDs = dedupe(agentIDs)
	err = s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var name string
		if err := tx.NewRaw("SELECT name FROM tags WHERE id = ? AND org_id = ?", tagID, actor.OrgID).Scan(ctx, &name); err != nil {
			return fmt.Errorf("db: bulk tag %d: %w", tagID, notFound(err))
		}
		// Lock the agents first, as SaveAgent does, so versions never race.
		var owned []int64
		if err := tx.NewRaw("SELECT id FROM agents WHERE org_id = ? AND deleted_at IS NULL AND id = ANY(?) ORDER BY id FOR UPDATE",
			actor.OrgID, pgdialect.Array(agentIDs)).Scan(ctx, &owned); err != nil {
			return err
		}
		if len(owned) != len(agentIDs) {
			return invalid(Issue{Message: "Some agents do not belong to this organization", Path: []any{"agentIds"}})
		}
		added := tagID
		if remove {
			added = 0
		}
		if err := s.refuseProtected(ctx, tx, actor.OrgID, owned, "tag", added); err != nil {
			return err
		}
		var changedIDs []int64
		var q string
		if remove {
			q = "DELETE FROM agent_tags WHERE tag_id = ? AND agent_id = ANY(?) RETURNING agent_id"
		} else {
			q = "INSERT INTO agent_tags (agent_id, tag_id) SELECT unnest(?1::bigint[]), ?0 ON CONFLICT DO NOTHING RETURNING agent_id"
		}
		if err := tx.NewRaw(q, tagID, pgdialect.Array(agentIDs)).Scan(ctx, &changedIDs); err != nil {
			return err
		}
		verb := "added tag "
		if remove {
			verb = "removed tag "
		}
		if err := s.appendTagVersions(ctx, tx, actor, changedIDs, verb+name); err != nil {
			return err
		}
		changed = len(changedIDs)
		return s.Audit(ctx, tx, actor, "tag.bulk_"+map[bool]string{true: "removed", false: "assigned"}[remove], "tag", tagID,
			fmt.Sprintf("%s%s on %d of %s", verb, name, changed, count(len(agentIDs), "selected agent", "selected agents")))
	})
	return changed, err
}

// FindOrCreateTag returns the organisation's tag of that name (any case), creating it
// when missing: the editor's inline "add tag".
func (s *Store) FindOrCreateTag(ctx context.Context, actor *Actor, name string) (tag *Tag, created bool, err error) {
	in := TagInput{Name: Some(name)}
	if issues := in.validate(true); len(issues) > 0 {
		return nil, false, invalid(issues...)
	}
	var id int64
	err = s.DB.NewRaw("SELECT id FROM tags WHERE org_id = ? AND lower(name) = lower(?)", actor.OrgID, in.Name.V).Scan(ctx, &id)
	if err == nil {
		tag, err = s.TagByID(ctx, actor.OrgID, id)
		return tag, false, err
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, false, err // the database failed: creating a tag now could duplicate one
	}
	tag, err = s.SaveTag(ctx, actor, 0, in)
	if errors.Is(err, errDuplicateTag) { // created concurrently
		return s.FindOrCreateTag(ctx, actor, name)
	}
	return tag, err == nil, err
}
