-- Users, roles and credentials (engine/auth). Roles and what each may do live in engine/auth/roles.ts.
-- Note for editors: migrate.ts splits statements at a semicolon that ends a line, so no comment line may
-- end with one.

-- Usernames are stored lower-case (engine/auth/users.ts normalises them), so the plain unique
-- constraint is a case-insensitive one. password_hash is an argon2id PHC string. Lock-out state lives
-- on the row so every engine node sharing the database sees the same count.
CREATE TABLE users (
  id bigserial PRIMARY KEY,
  username text NOT NULL UNIQUE CHECK (username = lower(username)),
  password_hash text NOT NULL,
  role text NOT NULL CHECK (role IN ('admin', 'analyst', 'operator', 'viewer')),
  disabled boolean NOT NULL DEFAULT false,
  failed_logins integer NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
  locked_until timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_login_at timestamptz
);

-- Long-lived API tokens for systems. The token handed out once is sb_<id>_<secret>: id is the public,
-- random lookup key, and only SHA-256(secret) is kept. A fast hash is right here (unlike passwords):
-- the secret is 32 random bytes, so there is nothing to brute-force or look up in a dictionary, and a
-- slow hash would only cost CPU on every API call.
CREATE TABLE api_tokens (
  id text PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name text NOT NULL,
  secret_hash bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz,
  revoked_at timestamptz,
  last_used_at timestamptz
);

CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);

-- Opaque refresh tokens behind the token refresh route, stored hashed like API tokens (same reason).
-- Each is used once: using it revokes it and issues a successor, so presenting a revoked one means a
-- copy leaked (see engine/auth/refresh-tokens.ts).
CREATE TABLE refresh_tokens (
  id text PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  secret_hash bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz
);

CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id) WHERE revoked_at IS NULL;
