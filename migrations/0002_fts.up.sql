-- Full-text search over entry names (the seed's "Full-text search - Built-in FTS5 (future)").
--
-- Contentless (content=''): the index stores tokens and positions only, not a second copy of
-- every name; results are joined back to entries by rowid (= entries.id). contentless_delete=1
-- lets a row be deleted by rowid alone (SQLite ≥ 3.43), which the triggers below need.
--
-- unicode61 splits on every character that is not a letter, digit or private-use character,
-- so "IMG_2024-07-01.final.jpg" is the words img, 2024, 07, 01, final, jpg; remove_diacritics 2
-- folds "Photos d'été" to photos, d, ete, so a query for "ete" finds it.
--
-- The triggers on entries are the only writer: every path that inserts, renames or deletes
-- an entry (indexer, API, subtree delete, location removal) keeps the index in sync without
-- knowing it exists. A move changes parent_id and directory paths, never a name, so moving a
-- directory of 100k entries costs the FTS index nothing.
CREATE VIRTUAL TABLE entries_fts USING fts5(
    name,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);

INSERT INTO entries_fts (rowid, name) SELECT id, name FROM entries;

CREATE TRIGGER entries_fts_insert AFTER INSERT ON entries BEGIN
    INSERT INTO entries_fts (rowid, name) VALUES (NEW.id, NEW.name);
END;

CREATE TRIGGER entries_fts_delete AFTER DELETE ON entries BEGIN
    DELETE FROM entries_fts WHERE rowid = OLD.id;
END;

CREATE TRIGGER entries_fts_rename AFTER UPDATE OF name ON entries WHEN NEW.name IS NOT OLD.name BEGIN
    DELETE FROM entries_fts WHERE rowid = OLD.id;
    INSERT INTO entries_fts (rowid, name) VALUES (NEW.id, NEW.name);
END;
