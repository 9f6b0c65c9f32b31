-- The evidence log on PostgreSQL (webproof-log, src/pg.rs). One row of log_state is the
-- coordination point: a frontend appends under SELECT ... FOR UPDATE of it, so deposits are
-- sequenced by the database, and the tree's nodes are written in the same transaction.
-- Integers are bigint (indices and sizes below 2^63); hashes are 32-byte bytea.

CREATE TABLE log_state (
    id smallint PRIMARY KEY CHECK (id = 1),
    size bigint NOT NULL CHECK (size >= 0)
);
INSERT INTO log_state (id, size) VALUES (1, 0);

-- The deposits, by index.
CREATE TABLE entries (
    idx bigint PRIMARY KEY,
    data bytea NOT NULL
);

-- Complete-subtree hashes of the Merkle tree (webproof_ledger::tree), by level and index.
CREATE TABLE nodes (
    level integer NOT NULL,
    idx bigint NOT NULL,
    hash bytea NOT NULL CHECK (length(hash) = 32),
    PRIMARY KEY (level, idx)
);

-- Lookup key (the deposited chain head) -> index of the first deposit with it.
CREATE TABLE lookup (
    key bytea PRIMARY KEY,
    idx bigint NOT NULL
);

-- Published checkpoints (signed, cosigned notes) by tree size.
CREATE TABLE checkpoints (
    size bigint PRIMARY KEY,
    note text NOT NULL
);

-- The registration authority's records, as JSON bytes; keys compare as bytes ("C").
CREATE TABLE ra (
    key text COLLATE "C" PRIMARY KEY,
    value bytea NOT NULL
);

-- Signed requests accepted, for the replay check: until when each must be refused.
CREATE TABLE seen (
    until bigint NOT NULL,
    digest bytea NOT NULL,
    PRIMARY KEY (until, digest)
);
