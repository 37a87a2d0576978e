-- Teams, games, players and per-game stats: the league as nflverse describes it.

CREATE TABLE teams (
    team_abbr     text PRIMARY KEY,
    team_name     text NOT NULL,
    team_nick     text,
    conference    text,
    division      text,
    color         text,
    color2        text,
    updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE games (
    game_id           text PRIMARY KEY,
    season            integer NOT NULL CHECK (season BETWEEN 1920 AND 2100),
    game_type         text NOT NULL CHECK (game_type IN ('REG', 'WC', 'DIV', 'CON', 'SB')),
    week              integer NOT NULL CHECK (week BETWEEN 1 AND 25),
    gameday           date NOT NULL,
    weekday           text,
    gametime          text,
    kickoff           timestamptz,
    away_team         text NOT NULL,
    home_team         text NOT NULL,
    away_score        integer,
    home_score        integer,
    location          text,
    result            integer,
    total             integer,
    overtime          integer,
    away_rest         integer,
    home_rest         integer,
    away_moneyline    integer,
    home_moneyline    integer,
    spread_line       double precision,
    away_spread_odds  integer,
    home_spread_odds  integer,
    total_line        double precision,
    under_odds        integer,
    over_odds         integer,
    div_game          integer,
    roof              text,
    surface           text,
    temp              integer,
    wind              integer,
    away_qb_id        text,
    home_qb_id        text,
    away_qb_name      text,
    home_qb_name      text,
    away_coach        text,
    home_coach        text,
    referee           text,
    stadium_id        text,
    stadium           text,
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CHECK (away_team <> home_team)
);
CREATE INDEX games_season_week_idx ON games (season, week);
CREATE INDEX games_home_team_idx ON games (home_team, season);
CREATE INDEX games_away_team_idx ON games (away_team, season);

CREATE TABLE players (
    player_id       text PRIMARY KEY,
    player_name     text,
    display_name    text,
    position        text,
    position_group  text,
    team            text,
    updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE player_game_stats (
    player_id          text NOT NULL REFERENCES players (player_id),
    season             integer NOT NULL,
    week               integer NOT NULL,
    season_type        text NOT NULL DEFAULT 'REG',
    team               text NOT NULL,
    opponent_team      text,
    completions        double precision,
    attempts           double precision,
    passing_yards      double precision,
    passing_tds        double precision,
    interceptions      double precision,
    sacks              double precision,
    sack_yards         double precision,
    carries            double precision,
    rushing_yards      double precision,
    rushing_tds        double precision,
    receptions         double precision,
    targets            double precision,
    receiving_yards    double precision,
    receiving_tds      double precision,
    fantasy_points     double precision,
    fantasy_points_ppr double precision,
    extra              jsonb NOT NULL DEFAULT '{}'::jsonb,
    PRIMARY KEY (player_id, season, week, season_type)
);
CREATE INDEX player_game_stats_team_idx ON player_game_stats (team, season, week);

CREATE TABLE team_game_stats (
    team           text NOT NULL,
    season         integer NOT NULL,
    week           integer NOT NULL,
    season_type    text NOT NULL DEFAULT 'REG',
    opponent_team  text,
    stats          jsonb NOT NULL,
    PRIMARY KEY (team, season, week, season_type)
);

-- Fitted model parameters (ratings, coefficients, calibration): Lambdas load, never train.
CREATE TABLE model_params (
    model_version  text PRIMARY KEY,
    trained_through_season integer,
    trained_through_week   integer,
    params         jsonb NOT NULL,
    metrics        jsonb NOT NULL DEFAULT '{}'::jsonb,
    is_active      boolean NOT NULL DEFAULT false,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX model_params_one_active_idx ON model_params (is_active) WHERE is_active;
