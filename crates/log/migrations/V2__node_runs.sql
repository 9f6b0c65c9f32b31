-- The tree's nodes in runs of 32 consecutive hashes per level (as tlog tiles group them),
-- instead of a row per node: an append of 1,000 deposits writes about 70 rows instead of
-- 2,000, and a run (at most 1,024 bytes) stays in its row (no TOAST). A run grows by
-- appending to its bytes until it is full; run r of level l holds the hashes of nodes
-- 32r .. 32r + length/32 - 1 of that level.

CREATE TABLE node_runs (
    level integer NOT NULL,
    run bigint NOT NULL,
    hashes bytea NOT NULL CHECK (length(hashes) BETWEEN 32 AND 1024 AND length(hashes) % 32 = 0),
    PRIMARY KEY (level, run)
);

INSERT INTO node_runs (level, run, hashes)
SELECT level, idx / 32, string_agg(hash, ''::bytea ORDER BY idx)
FROM nodes
GROUP BY level, idx / 32;

DROP TABLE nodes;
