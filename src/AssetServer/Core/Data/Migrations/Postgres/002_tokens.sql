-- Scoped API tokens. Only a SHA-256 of each token is kept: the token itself is shown once, at creation.
CREATE TABLE tokens (
    id           TEXT PRIMARY KEY NOT NULL,
    name         TEXT NOT NULL,
    hash         TEXT NOT NULL UNIQUE,
    access       TEXT NOT NULL CHECK (access IN ('read', 'write', 'admin')),
    created_on   TEXT NOT NULL
);

-- Moves the generation on at commit (001_files.sql).
CREATE CONSTRAINT TRIGGER tokens_generation AFTER INSERT OR UPDATE OR DELETE ON tokens
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_generation_bump();
