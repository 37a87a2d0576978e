-- Users, API keys (SHA-256 hashes only: a leaked table reveals no usable key) and subscriptions.

CREATE TABLE users (
    id          bigserial PRIMARY KEY,
    name        text NOT NULL,
    email       text UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_keys (
    id            bigserial PRIMARY KEY,
    user_id       bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key_hash      bytea NOT NULL,
    key_prefix    text NOT NULL,
    name          text NOT NULL,
    scopes        text[] NOT NULL DEFAULT '{read}',
    revoked_at    timestamptz,
    last_used_at  timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (octet_length(key_hash) = 32)
);

CREATE TABLE subscriptions (
    id          bigserial PRIMARY KEY,
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tier        text NOT NULL CHECK (tier IN ('free', 'pro', 'enterprise')),
    status      text NOT NULL CHECK (status IN ('active', 'past_due', 'cancelled', 'expired')),
    starts_at   timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);
