DROP TABLE change_request_comments;
DROP TABLE change_request_reviews;
DROP TABLE change_requests;
ALTER TABLE memberships DROP COLUMN can_approve;
DROP TABLE review_policies;
