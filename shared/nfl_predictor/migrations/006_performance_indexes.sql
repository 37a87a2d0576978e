-- nflp:no-transaction
-- Built CONCURRENTLY so a deploy never locks writers out of these tables. Each statement runs
-- on its own; the runner drops what a failed run left behind (INVALID indexes) before retrying.

CREATE INDEX CONCURRENTLY IF NOT EXISTS predictions_season_week_type_idx
    ON predictions (season, week, prediction_type);
CREATE INDEX CONCURRENTLY IF NOT EXISTS predictions_created_at_idx ON predictions (created_at);
CREATE INDEX CONCURRENTLY IF NOT EXISTS predictions_expires_at_idx ON predictions (expires_at);
CREATE INDEX CONCURRENTLY IF NOT EXISTS predictions_payload_gin ON predictions USING gin (payload jsonb_path_ops);

CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS api_keys_key_hash_idx ON api_keys (key_hash);
CREATE INDEX CONCURRENTLY IF NOT EXISTS api_keys_user_idx ON api_keys (user_id) WHERE revoked_at IS NULL;
CREATE INDEX CONCURRENTLY IF NOT EXISTS subscriptions_active_user_idx
    ON subscriptions (user_id, expires_at DESC) WHERE status = 'active';
CREATE INDEX CONCURRENTLY IF NOT EXISTS subscriptions_expiring_idx
    ON subscriptions (expires_at) WHERE status = 'active';

CREATE INDEX CONCURRENTLY IF NOT EXISTS expert_research_created_at_idx ON expert_research (created_at);
CREATE INDEX CONCURRENTLY IF NOT EXISTS expert_research_game_idx ON expert_research (game_id, expert_id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS expert_research_metadata_gin ON expert_research USING gin (metadata);
CREATE INDEX CONCURRENTLY IF NOT EXISTS expert_bets_expert_season_idx ON expert_bets (expert_id, season, bet_type);
CREATE INDEX CONCURRENTLY IF NOT EXISTS expert_bets_game_idx ON expert_bets (game_id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS expert_bets_value_gin ON expert_bets USING gin (bet_value);
CREATE INDEX CONCURRENTLY IF NOT EXISTS knowledge_base_created_at_idx ON knowledge_base (created_at);
CREATE INDEX CONCURRENTLY IF NOT EXISTS knowledge_base_metadata_gin ON knowledge_base USING gin (metadata);
CREATE INDEX CONCURRENTLY IF NOT EXISTS news_articles_published_at_idx ON news_articles (published_at);
CREATE INDEX CONCURRENTLY IF NOT EXISTS news_articles_metadata_gin ON news_articles USING gin (metadata);
CREATE INDEX CONCURRENTLY IF NOT EXISTS game_embeddings_season_idx ON game_embeddings (season);
