-- Scoped API tokens. Only a SHA-256 of each token is kept: the token itself is shown once, at creation.
CREATE TABLE tokens (
    id           TEXT PRIMARY KEY NOT NULL,
    name         TEXT NOT NULL,
    hash         TEXT NOT NULL UNIQUE,
    access       TEXT NOT NULL CHECK (access IN ('read', 'write', 'admin')),
    created_on   TEXT NOT NULL
);
