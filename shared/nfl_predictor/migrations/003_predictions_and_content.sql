-- Predictions, expert research, betting history, knowledge base and news, each with embeddings.
-- Dimensions: matchup embeddings are 32-d engine feature vectors; text embeddings are 256-d
-- (the offline hashing embedder and Bedrock Titan Text v2 at dimensions=256 both produce that).

CREATE TABLE predictions (
    id                   bigserial PRIMARY KEY,
    season               integer NOT NULL,
    week                 integer NOT NULL,
    game_id              text NOT NULL REFERENCES games (game_id),
    prediction_type      text NOT NULL,
    payload              jsonb NOT NULL,
    prediction_count     integer NOT NULL DEFAULT 0,
    reasoning_text       text,
    analysis_embedding   vector(32),
    reasoning_embedding  vector(256),
    model_version        text NOT NULL,
    created_at           timestamptz NOT NULL DEFAULT now(),
    expires_at           timestamptz,
    UNIQUE (game_id, prediction_type, model_version)
);

-- One matchup vector per historical game, for "similar past games" and the analogs expert.
CREATE TABLE game_embeddings (
    game_id        text PRIMARY KEY REFERENCES games (game_id),
    season         integer NOT NULL,
    model_version  text NOT NULL,
    embedding      vector(32) NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE expert_research (
    id               bigserial PRIMARY KEY,
    expert_id        text NOT NULL,
    research_type    text NOT NULL,
    game_id          text REFERENCES games (game_id),
    content          text NOT NULL,
    metadata         jsonb NOT NULL DEFAULT '{}'::jsonb,
    embedding        vector(256),
    relevance_score  double precision NOT NULL DEFAULT 0.5 CHECK (relevance_score BETWEEN 0 AND 1),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE expert_bets (
    id                  bigserial PRIMARY KEY,
    expert_id           text NOT NULL,
    game_id             text NOT NULL REFERENCES games (game_id),
    season              integer NOT NULL,
    week                integer NOT NULL,
    bet_type            text NOT NULL,
    bet_value           jsonb NOT NULL,
    confidence          double precision NOT NULL CHECK (confidence BETWEEN 0 AND 1),
    reasoning           text,
    reasoning_embedding vector(256),
    outcome             text CHECK (outcome IN ('win', 'loss', 'push', 'graded')),
    error               double precision,
    units               double precision,
    model_version       text,
    created_at          timestamptz NOT NULL DEFAULT now(),
    graded_at           timestamptz,
    UNIQUE (expert_id, game_id, bet_type, model_version)
);

CREATE TABLE knowledge_base (
    id           bigserial PRIMARY KEY,
    category     text NOT NULL,
    title        text NOT NULL,
    content      text NOT NULL,
    source_url   text,
    embedding    vector(256),
    trust_score  integer NOT NULL DEFAULT 5 CHECK (trust_score BETWEEN 0 AND 10),
    metadata     jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE news_articles (
    id            bigserial PRIMARY KEY,
    title         text NOT NULL,
    content       text NOT NULL,
    source        text,
    url           text UNIQUE,
    teams         text[] NOT NULL DEFAULT '{}',
    published_at  timestamptz NOT NULL DEFAULT now(),
    embedding     vector(256),
    metadata      jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- HNSW on every embedding column, cosine distance; m/ef_construction explicit (pgvector defaults
-- 16/64, written out so a change is a reviewed migration, not a silent upgrade).
CREATE INDEX predictions_analysis_embedding_hnsw ON predictions
    USING hnsw (analysis_embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64);
CREATE INDEX predictions_reasoning_embedding_hnsw ON predictions
    USING hnsw (reasoning_embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64);
CREATE INDEX game_embeddings_embedding_hnsw ON game_embeddings
    USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64);
CREATE INDEX expert_research_embedding_hnsw ON expert_research
    USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64);
CREATE INDEX expert_bets_reasoning_embedding_hnsw ON expert_bets
    USING hnsw (reasoning_embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64);
CREATE INDEX knowledge_base_embedding_hnsw ON knowledge_base
    USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64);
CREATE INDEX news_articles_embedding_hnsw ON news_articles
    USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64);
