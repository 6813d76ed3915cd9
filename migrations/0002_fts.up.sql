-- Full-text search over entry names (the seed's "Full-text search - Built-in FTS5 (future)").
--
-- External content (content='entries'): the index stores tokens and positions only, not a
-- second copy of every name; FTS5 reads names from entries by rowid (= entries.id) when it
-- needs them (integrity checks, 'rebuild'). A contentless table with contentless_delete=1 was
-- tried first: PRAGMA integrity_check then reported "fts5: corruption found reading blob" as
-- soon as a row had been deleted (its tombstone pages), which would make `filedex check`
-- cry wolf after every rescan.
--
-- unicode61 splits on every character that is not a letter, digit or private-use character,
-- so "IMG_2024-07-01.final.jpg" is the words img, 2024, 07, 01, final, jpg; remove_diacritics 2
-- folds "Photos d'été" to photos, d, ete, so a query for "ete" finds it.
--
-- The triggers on entries are the only writers: every path that inserts, renames or deletes
-- an entry (indexer, API, subtree delete, location removal) keeps the index in sync without
-- knowing it exists. A move changes parent_id and directory paths, never a name, so moving a
-- directory of 100k entries costs the FTS index nothing. The 'delete' command must be given
-- the exact old name, which the triggers have (OLD.name).
--
-- prefix = '2 3': FTS5 also indexes every token's first 2 and 3 characters, so a prefix query
-- (`rep*`) reads one doclist instead of merging every matching term's. Measured with the
-- 100k-entry bench library: `rep*` 7.0–7.4 ms → 2.6–2.75 ms (no change at 10k); the index
-- grows from 25 to 42 B/entry, and a first metadata scan of /usr spends 0.4–0.65 s more
-- user CPU (+9–14 %). docs/schema.md, "entries_fts". (Edited in place before any release:
-- no library outside tests had this migration applied.)
CREATE VIRTUAL TABLE entries_fts USING fts5(
    name,
    content = 'entries',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);

INSERT INTO entries_fts (entries_fts) VALUES ('rebuild');

CREATE TRIGGER entries_fts_insert AFTER INSERT ON entries BEGIN
    INSERT INTO entries_fts (rowid, name) VALUES (NEW.id, NEW.name);
END;

CREATE TRIGGER entries_fts_delete AFTER DELETE ON entries BEGIN
    INSERT INTO entries_fts (entries_fts, rowid, name) VALUES ('delete', OLD.id, OLD.name);
END;

CREATE TRIGGER entries_fts_rename AFTER UPDATE OF name ON entries WHEN NEW.name IS NOT OLD.name BEGIN
    INSERT INTO entries_fts (entries_fts, rowid, name) VALUES ('delete', OLD.id, OLD.name);
    INSERT INTO entries_fts (rowid, name) VALUES (NEW.id, NEW.name);
END;
