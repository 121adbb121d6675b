CREATE INDEX agents_tools_keys_idx ON agents USING gin (tools);
