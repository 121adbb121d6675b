package db

import (
	"context"
	"errors"
	"fmt"

	"agentconsole/db/demo"
)

// review turns the demo organisation's review policy on for agents tagged
// "production" and opens one change request (the demo builder's edit of a production
// agent), so a newcomer sees the flow. Last of the steps: the history above is made
// directly. Only an organisation that never set a policy gets it.
func (sd *demoSeeder) review(ctx context.Context) error {
	var set bool
	if err := sd.s.DB.NewRaw("SELECT EXISTS (SELECT 1 FROM review_policies WHERE org_id = ?)", sd.orgID).Scan(ctx, &set); err != nil || set {
		return err
	}
	tagID, ok := sd.tagIDs["production"]
	if !ok {
		return nil
	}
	var agentID int64
	err := sd.s.DB.NewRaw(`SELECT a.id FROM agents a JOIN agent_tags at ON at.agent_id = a.id
		WHERE a.org_id = ? AND at.tag_id = ? AND a.deleted_at IS NULL AND a.agent_type = 'native' ORDER BY a.id LIMIT 1`, sd.orgID, tagID).Scan(ctx, &agentID)
	if err != nil && notFound(err) != ErrNotFound {
		return err
	}
	if _, err := sd.s.SetReviewPolicy(ctx, sd.admin(), ReviewPolicy{Enabled: true, TagIDs: []int64{tagID}, ApprovalsRequired: 1}); err != nil {
		return fmt.Errorf("review policy: %w", err)
	}
	if agentID == 0 {
		return nil
	}
	a, err := sd.s.Agent(ctx, sd.orgID, agentID)
	if err != nil {
		return err
	}
	prompt := "Always answer in the customer's language."
	if a.SystemPrompt != nil {
		prompt = *a.SystemPrompt + "\n" + prompt
	}
	p := &AgentPatch{ID: Some(agentID), SystemPrompt: Some(prompt), ReviewTitle: "Answer in the customer's language",
		Message: Some("Customers write in several languages; the agent should follow them.")}
	_, err = sd.s.SaveAgent(ctx, sd.actors[demo.Builder], p, SourceUpdate)
	var rr *ReviewRequired
	if !errors.As(err, &rr) {
		return fmt.Errorf("demo change request: want a change request, got %v", err)
	}
	return nil
}
