DROP TABLE IF EXISTS agent_skill_roles, skill_role_rules, card_refreshes, agent_cards;
