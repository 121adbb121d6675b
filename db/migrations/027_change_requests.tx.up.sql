-- Review before release (issue 19): an organisation's policy, the per-member approve
-- flag, and change requests for single agents with their reviews and comments.
CREATE TABLE review_policies (
    org_id              bigint PRIMARY KEY REFERENCES organizations ON DELETE CASCADE,
    enabled             boolean NOT NULL DEFAULT false,
    protect_released    boolean NOT NULL DEFAULT true,
    tag_ids             bigint[] NOT NULL DEFAULT '{}',
    approvals_required  integer NOT NULL DEFAULT 1 CHECK (approvals_required BETWEEN 1 AND 10),
    allow_self_approval boolean NOT NULL DEFAULT false,
    updated_at          timestamptz NOT NULL DEFAULT now()
);

-- Reviewers and admins approve; an admin may grant it to a builder.
ALTER TABLE memberships ADD COLUMN can_approve boolean NOT NULL DEFAULT false;

CREATE TABLE change_requests (
    id                bigserial PRIMARY KEY,
    org_id            bigint NOT NULL REFERENCES organizations ON DELETE CASCADE,
    agent_id          bigint NOT NULL REFERENCES agents ON DELETE CASCADE,
    kind              text NOT NULL CHECK (kind IN ('edit', 'delete', 'restore')),
    title             text NOT NULL,
    message           text NOT NULL DEFAULT '',
    author_user_id    bigint REFERENCES users ON DELETE SET NULL,
    author            text NOT NULL,
    status            text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'approved', 'changes_requested', 'merged', 'closed')),
    base_version_id   bigint REFERENCES agent_versions,
    proposed          jsonb,
    content_hash      text NOT NULL,
    revision          integer NOT NULL DEFAULT 1,
    merged_version_id bigint REFERENCES agent_versions,
    merged_by         text,
    override_reason   text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    closed_at         timestamptz
);
CREATE INDEX change_requests_org_status_idx ON change_requests (org_id, status, updated_at DESC);
CREATE INDEX change_requests_agent_idx ON change_requests (agent_id) WHERE status IN ('open', 'approved', 'changes_requested');

-- A verdict is bound to the content it judged (content_hash): a later edit of the
-- proposal leaves it stale.
CREATE TABLE change_request_reviews (
    id               bigserial PRIMARY KEY,
    org_id           bigint NOT NULL REFERENCES organizations ON DELETE CASCADE,
    request_id       bigint NOT NULL REFERENCES change_requests ON DELETE CASCADE,
    reviewer_user_id bigint REFERENCES users ON DELETE SET NULL,
    reviewer         text NOT NULL,
    verdict          text NOT NULL CHECK (verdict IN ('approved', 'changes_requested')),
    content_hash     text NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX change_request_reviews_request_idx ON change_request_reviews (request_id, id);

-- anchor: '' (general), a field ("description"), a prompt line ("systemPrompt:12") or
-- a tool path ("tools/web_search").
CREATE TABLE change_request_comments (
    id             bigserial PRIMARY KEY,
    org_id         bigint NOT NULL REFERENCES organizations ON DELETE CASCADE,
    request_id     bigint NOT NULL REFERENCES change_requests ON DELETE CASCADE,
    author_user_id bigint REFERENCES users ON DELETE SET NULL,
    author         text NOT NULL,
    anchor         text NOT NULL DEFAULT '',
    body           text NOT NULL,
    revision       integer NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX change_request_comments_request_idx ON change_request_comments (request_id, id);
