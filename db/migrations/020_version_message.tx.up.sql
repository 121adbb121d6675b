-- A save may carry a message saying why (an `agents apply --message`, e.g. the git
-- commit): it belongs to the version, not to the agent, and is never part of a snapshot.
ALTER TABLE agent_versions ADD COLUMN message text;
