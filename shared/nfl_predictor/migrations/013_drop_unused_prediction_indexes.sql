-- nflp:no-transaction
-- The GIN over the whole predictions payload is read by no query (payloads are read whole by game,
-- type and version; nothing filters them with @>, ? or a JSON path), yet every write of a week
-- (16 rows of ~60 KB documents) hashed every path and value of each document into it.
-- pg_stat_user_indexes after a benchmark run of uncached weeks: idx_scan 0.
-- (The HNSW on analysis_embedding stays: every embedding column keeps its cosine index.)
-- Dropped CONCURRENTLY so a deploy never blocks the writers.

DROP INDEX CONCURRENTLY IF EXISTS predictions_payload_gin;
