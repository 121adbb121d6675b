package route

// Routes of review before release (change requests).
const (
	Reviews        = "/reviews"
	Review         = "/reviews/{id}"
	ReviewComment  = "/reviews/{id}/comments"
	ReviewVerdict  = "/reviews/{id}/review"
	ReviewMerge    = "/reviews/{id}/merge"
	ReviewClose    = "/reviews/{id}/close"
	ReviewCount    = "/reviews-count"
	ReviewPolicy   = "/admin/review-policy"
	ReviewApprover = "/admin/review-policy/approvers/{id}"
)
