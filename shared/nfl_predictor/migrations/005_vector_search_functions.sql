-- Similarity search functions. Each orders by distance with a LIMIT inside (so the HNSW index
-- is used) and applies the similarity threshold outside. Filters are parameters, never SQL text.

CREATE OR REPLACE FUNCTION search_knowledge_base(
    query_embedding vector(256),
    match_threshold double precision DEFAULT 0.3,
    match_count integer DEFAULT 10,
    filter_category text DEFAULT NULL,
    min_trust_score integer DEFAULT 0
) RETURNS TABLE (id bigint, title text, content text, category text, source_url text,
                 trust_score integer, similarity double precision)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT c.id, c.title, c.content, c.category, c.source_url, c.trust_score, c.similarity
    FROM (
        SELECT kb.id, kb.title, kb.content, kb.category, kb.source_url, kb.trust_score,
               1 - (kb.embedding <=> query_embedding) AS similarity
        FROM knowledge_base kb
        WHERE kb.embedding IS NOT NULL
          AND (filter_category IS NULL OR kb.category = filter_category)
          AND kb.trust_score >= min_trust_score
        ORDER BY kb.embedding <=> query_embedding
        LIMIT least(greatest(match_count, 1), 100)
    ) c
    WHERE c.similarity >= match_threshold
    ORDER BY c.similarity DESC
$$;

CREATE OR REPLACE FUNCTION search_expert_research(
    query_embedding vector(256),
    match_threshold double precision DEFAULT 0.3,
    match_count integer DEFAULT 10,
    filter_expert_id text DEFAULT NULL,
    filter_research_type text DEFAULT NULL,
    filter_game_id text DEFAULT NULL
) RETURNS TABLE (id bigint, expert_id text, research_type text, game_id text, content text,
                 metadata jsonb, relevance_score double precision, similarity double precision)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT c.id, c.expert_id, c.research_type, c.game_id, c.content, c.metadata, c.relevance_score, c.similarity
    FROM (
        SELECT r.id, r.expert_id, r.research_type, r.game_id, r.content, r.metadata, r.relevance_score,
               1 - (r.embedding <=> query_embedding) AS similarity
        FROM expert_research r
        WHERE r.embedding IS NOT NULL
          AND (filter_expert_id IS NULL OR r.expert_id = filter_expert_id)
          AND (filter_research_type IS NULL OR r.research_type = filter_research_type)
          AND (filter_game_id IS NULL OR r.game_id = filter_game_id)
        ORDER BY r.embedding <=> query_embedding
        LIMIT least(greatest(match_count, 1), 100)
    ) c
    WHERE c.similarity >= match_threshold
    ORDER BY c.similarity DESC
$$;

CREATE OR REPLACE FUNCTION search_similar_bets(
    query_embedding vector(256),
    match_threshold double precision DEFAULT 0.3,
    match_count integer DEFAULT 10,
    filter_expert_id text DEFAULT NULL,
    filter_bet_type text DEFAULT NULL,
    graded_only boolean DEFAULT false
) RETURNS TABLE (id bigint, expert_id text, game_id text, bet_type text, bet_value jsonb,
                 confidence double precision, reasoning text, outcome text, units double precision,
                 similarity double precision)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT c.id, c.expert_id, c.game_id, c.bet_type, c.bet_value, c.confidence, c.reasoning, c.outcome,
           c.units, c.similarity
    FROM (
        SELECT b.id, b.expert_id, b.game_id, b.bet_type, b.bet_value, b.confidence, b.reasoning, b.outcome,
               b.units, 1 - (b.reasoning_embedding <=> query_embedding) AS similarity
        FROM expert_bets b
        WHERE b.reasoning_embedding IS NOT NULL
          AND (filter_expert_id IS NULL OR b.expert_id = filter_expert_id)
          AND (filter_bet_type IS NULL OR b.bet_type = filter_bet_type)
          AND (NOT graded_only OR b.outcome IS NOT NULL)
        ORDER BY b.reasoning_embedding <=> query_embedding
        LIMIT least(greatest(match_count, 1), 100)
    ) c
    WHERE c.similarity >= match_threshold
    ORDER BY c.similarity DESC
$$;

CREATE OR REPLACE FUNCTION search_prediction_analysis(
    query_embedding vector(256),
    match_threshold double precision DEFAULT 0.3,
    match_count integer DEFAULT 10,
    filter_season integer DEFAULT NULL,
    filter_prediction_type text DEFAULT NULL
) RETURNS TABLE (id bigint, game_id text, season integer, week integer, prediction_type text,
                 reasoning_text text, model_version text, similarity double precision)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT c.id, c.game_id, c.season, c.week, c.prediction_type, c.reasoning_text, c.model_version, c.similarity
    FROM (
        SELECT p.id, p.game_id, p.season, p.week, p.prediction_type, p.reasoning_text, p.model_version,
               1 - (p.reasoning_embedding <=> query_embedding) AS similarity
        FROM predictions p
        WHERE p.reasoning_embedding IS NOT NULL
          AND (filter_season IS NULL OR p.season = filter_season)
          AND (filter_prediction_type IS NULL OR p.prediction_type = filter_prediction_type)
        ORDER BY p.reasoning_embedding <=> query_embedding
        LIMIT least(greatest(match_count, 1), 100)
    ) c
    WHERE c.similarity >= match_threshold
    ORDER BY c.similarity DESC
$$;

-- Nearest past matchups by engine feature vector, with their outcomes.
CREATE OR REPLACE FUNCTION search_similar_matchups(
    query_embedding vector(32),
    match_count integer DEFAULT 10,
    exclude_game_id text DEFAULT NULL,
    before_gameday date DEFAULT NULL
) RETURNS TABLE (game_id text, season integer, week integer, home_team text, away_team text,
                 home_score integer, away_score integer, spread_line double precision,
                 total_line double precision, similarity double precision)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT g.game_id, g.season, g.week, g.home_team, g.away_team, g.home_score, g.away_score,
           g.spread_line, g.total_line, c.similarity
    FROM (
        SELECT e.game_id, 1 - (e.embedding <=> query_embedding) AS similarity
        FROM game_embeddings e
        WHERE exclude_game_id IS NULL OR e.game_id <> exclude_game_id
        ORDER BY e.embedding <=> query_embedding
        LIMIT least(greatest(match_count, 1), 100) * CASE WHEN before_gameday IS NULL THEN 1 ELSE 4 END
    ) c
    JOIN games g ON g.game_id = c.game_id
    WHERE g.home_score IS NOT NULL
      AND (before_gameday IS NULL OR g.gameday < before_gameday)
    ORDER BY c.similarity DESC
    LIMIT least(greatest(match_count, 1), 100)
$$;

-- One ranked list across every text source.
CREATE OR REPLACE FUNCTION search_all_content(
    query_embedding vector(256),
    match_threshold double precision DEFAULT 0.3,
    match_count integer DEFAULT 10,
    sources text[] DEFAULT ARRAY['knowledge_base', 'expert_research', 'news', 'predictions']
) RETURNS TABLE (source text, id bigint, title text, content text, similarity double precision)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT * FROM (
        SELECT 'knowledge_base'::text, k.id, k.title, k.content, k.similarity
        FROM search_knowledge_base(query_embedding, match_threshold, match_count) k
        WHERE 'knowledge_base' = ANY (sources)
        UNION ALL
        SELECT 'expert_research'::text, r.id, r.expert_id || ' · ' || r.research_type, r.content, r.similarity
        FROM search_expert_research(query_embedding, match_threshold, match_count) r
        WHERE 'expert_research' = ANY (sources)
        UNION ALL
        SELECT 'news'::text, n.id, n.title, n.content, n.similarity
        FROM (
            SELECT a.id, a.title, a.content, 1 - (a.embedding <=> query_embedding) AS similarity
            FROM news_articles a
            WHERE a.embedding IS NOT NULL
            ORDER BY a.embedding <=> query_embedding
            LIMIT least(greatest(match_count, 1), 100)
        ) n
        WHERE 'news' = ANY (sources) AND n.similarity >= match_threshold
        UNION ALL
        SELECT 'predictions'::text, p.id, p.game_id || ' ' || p.prediction_type, p.reasoning_text, p.similarity
        FROM search_prediction_analysis(query_embedding, match_threshold, match_count) p
        WHERE 'predictions' = ANY (sources)
    ) everything (source, id, title, content, similarity)
    ORDER BY similarity DESC
    LIMIT least(greatest(match_count, 1), 100)
$$;
