-- One research note per (game, expert, research type): two warms at once used to store each note
-- twice (delete-then-insert with no key). Keep the newest of any duplicates, then enforce it.
DELETE FROM expert_research r
USING expert_research newer
WHERE r.game_id = newer.game_id AND r.expert_id = newer.expert_id AND r.research_type = newer.research_type
  AND r.id < newer.id;

CREATE UNIQUE INDEX expert_research_one_per_game_expert ON expert_research (game_id, expert_id, research_type);
