-- Which league a database holds: the synthetic demo league or real nflverse data. One row; every
-- load checks it in its own transaction, so the two are never mixed in one database (a demo game
-- "2025_13_ARI_DET" and a real one would otherwise sit side by side in the same week).
CREATE TABLE IF NOT EXISTS data_source (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    kind text NOT NULL CHECK (kind IN ('demo', 'nflverse')),
    recorded_at timestamptz NOT NULL DEFAULT now()
);

-- A database loaded before this migration: the demo league names every stadium "<TEAM> Stadium".
INSERT INTO data_source (kind)
SELECT CASE WHEN bool_and(stadium = home_team || ' Stadium') THEN 'demo' ELSE 'nflverse' END
FROM games
HAVING count(*) > 0
ON CONFLICT (singleton) DO NOTHING;

-- The nflverse refresh (nfl-predictor update-data, the data function): one row per file it
-- ingested, so a file already loaded is recognised by its hash and skipped.
CREATE TABLE IF NOT EXISTS data_loads (
    kind text NOT NULL,
    sha256 text NOT NULL,
    source text NOT NULL,
    rows integer NOT NULL,
    loaded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, sha256)
);
