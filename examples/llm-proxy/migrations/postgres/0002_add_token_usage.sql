-- Tokens used per request, so that a project's usage can be reported and capped.
-- mig:up
CREATE TABLE token_usage (
    id TEXT PRIMARY KEY,
    token_id TEXT NOT NULL,
    model TEXT NOT NULL,
    prompt_tokens INTEGER NOT NULL DEFAULT 0,
    completion_tokens INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (token_id) REFERENCES tokens(id) ON DELETE CASCADE
);

CREATE INDEX idx_token_usage_token_created ON token_usage(token_id, created_at);

-- mig:down
DROP TABLE token_usage;
