-- Performance snapshots: the /v1/performance figures with cache and database health, taken at most
-- once per interval per process, for /v1/performance/history and the dashboard. Postgres rather
-- than a Redis list: the history must outlive a cache flush, an eviction or the Redis outage it may
-- be recording. Bounded by the writer, which deletes rows past an age and a count in the same
-- transaction as each insert (a few rows a minute, so the deletes touch little).

CREATE TABLE performance_snapshots (
    id        bigserial PRIMARY KEY,
    taken_at  timestamptz NOT NULL DEFAULT now(),
    source    text NOT NULL,          -- which process: a Lambda log stream, or host:pid locally
    summary   jsonb NOT NULL,         -- the figures the dashboard plots
    snapshot  jsonb NOT NULL,         -- everything collected
    alerts    jsonb NOT NULL DEFAULT '[]'::jsonb
);

CREATE INDEX performance_snapshots_taken_at_idx ON performance_snapshots (taken_at);
