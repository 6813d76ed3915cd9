-- Bulk inserts: a location's first scan writes its rows without the per-row insert triggers
-- and brings entries_fts and the aggregates of 0003 up to date with a few set-based statements
-- before it commits (core/scan_bulk.go). docs/schema.md, "0004".
--
-- Why: on a first metadata scan of /usr (149k entries) the insert triggers cost about 2 of the
-- scan's 5.4 s. FTS5 writes its pending terms to a new segment at every statement savepoint
-- (each multi-row INSERT opens one) and then merges those small segments; the aggregate
-- trigger updates one dir_stats row per inserted entry. The same work done once per
-- transaction, in rowid order, costs about 0.9 s.
--
-- How: while a transaction of the indexer has a row in bulk_insert, entries with
-- id >= lo belong to that transaction's bulk insert. Every trigger below leaves such an entry
-- alone (insert, rename, move, resize, content change, delete): the indexer's catch-up
-- computes their share from their final state. Entries with id < lo are kept by the triggers
-- as before, in the same transaction. The indexer inserts the row after BEGIN and deletes it
-- before COMMIT, so no other connection ever sees a row here, and a crash rolls it back.
-- Every other writer (the API, rescans, other processes) finds the table empty, and the
-- triggers behave exactly as in 0002 and 0003.
CREATE TABLE bulk_insert (
    lo INTEGER NOT NULL
);

DROP TRIGGER entries_fts_insert;
DROP TRIGGER entries_fts_delete;
DROP TRIGGER entries_fts_rename;
DROP TRIGGER entries_agg_insert;
DROP TRIGGER entries_agg_delete;
DROP TRIGGER entries_agg_resize;
DROP TRIGGER entries_agg_move;
DROP TRIGGER entries_agg_content_update;

-- One trigger per insert and per delete for both FTS5 and the aggregates: a trigger costs a
-- sub-program call per row even when its WHEN is false, about 2 µs here (a bulk first scan
-- of /usr: 4.7 s with the two insert triggers of 0002 and 0003 gated, 4.0 s without any).
CREATE TRIGGER entries_insert AFTER INSERT ON entries
WHEN NEW.id < (SELECT coalesce(min(lo), 9223372036854775807) FROM bulk_insert) BEGIN
    INSERT INTO entries_fts (rowid, name) VALUES (NEW.id, NEW.name);
    UPDATE dir_stats SET files = files + (NEW.kind = 0), dirs = dirs + (NEW.kind = 1),
        symlinks = symlinks + (NEW.kind = 2), bytes = bytes + iif(NEW.kind = 0, NEW.size, 0)
    WHERE dir_id = NEW.parent_id;
    UPDATE content_identity SET entry_count = entry_count + 1 WHERE id = NEW.content_id;
    INSERT INTO dir_stats (dir_id) SELECT NEW.id WHERE NEW.kind = 1;
END;

CREATE TRIGGER entries_delete AFTER DELETE ON entries
WHEN OLD.id < (SELECT coalesce(min(lo), 9223372036854775807) FROM bulk_insert) BEGIN
    INSERT INTO entries_fts (entries_fts, rowid, name) VALUES ('delete', OLD.id, OLD.name);
    UPDATE dir_stats SET files = files - (OLD.kind = 0), dirs = dirs - (OLD.kind = 1),
        symlinks = symlinks - (OLD.kind = 2), bytes = bytes - iif(OLD.kind = 0, OLD.size, 0)
    WHERE dir_id = OLD.parent_id;
    UPDATE content_identity SET entry_count = entry_count - 1 WHERE id = OLD.content_id;
    DELETE FROM dir_stats WHERE dir_id = OLD.id AND OLD.kind = 1;
END;

CREATE TRIGGER entries_fts_rename AFTER UPDATE OF name ON entries
WHEN NEW.name IS NOT OLD.name AND OLD.id < (SELECT coalesce(min(lo), 9223372036854775807) FROM bulk_insert) BEGIN
    INSERT INTO entries_fts (entries_fts, rowid, name) VALUES ('delete', OLD.id, OLD.name);
    INSERT INTO entries_fts (rowid, name) VALUES (NEW.id, NEW.name);
END;

CREATE TRIGGER entries_agg_resize AFTER UPDATE OF size ON entries
WHEN NEW.kind = 0 AND OLD.kind = 0 AND NEW.size <> OLD.size AND NEW.parent_id IS OLD.parent_id
 AND OLD.id < (SELECT coalesce(min(lo), 9223372036854775807) FROM bulk_insert) BEGIN
    UPDATE dir_stats SET bytes = bytes + NEW.size - OLD.size WHERE dir_id = NEW.parent_id;
END;

CREATE TRIGGER entries_agg_move AFTER UPDATE OF parent_id, kind, size ON entries
WHEN (NEW.parent_id IS NOT OLD.parent_id OR NEW.kind <> OLD.kind)
 AND OLD.id < (SELECT coalesce(min(lo), 9223372036854775807) FROM bulk_insert) BEGIN
    UPDATE dir_stats SET files = files - (OLD.kind = 0), dirs = dirs - (OLD.kind = 1),
        symlinks = symlinks - (OLD.kind = 2), bytes = bytes - iif(OLD.kind = 0, OLD.size, 0)
    WHERE dir_id = OLD.parent_id;
    UPDATE dir_stats SET files = files + (NEW.kind = 0), dirs = dirs + (NEW.kind = 1),
        symlinks = symlinks + (NEW.kind = 2), bytes = bytes + iif(NEW.kind = 0, NEW.size, 0)
    WHERE dir_id = NEW.parent_id;
    DELETE FROM dir_stats WHERE dir_id = OLD.id AND NEW.kind <> 1;
    INSERT INTO dir_stats (dir_id) SELECT NEW.id WHERE NEW.kind = 1 AND OLD.kind <> 1;
END;

CREATE TRIGGER entries_agg_content_update AFTER UPDATE OF content_id ON entries
WHEN NEW.content_id IS NOT OLD.content_id
 AND OLD.id < (SELECT coalesce(min(lo), 9223372036854775807) FROM bulk_insert) BEGIN
    UPDATE content_identity SET entry_count = entry_count - 1 WHERE id = OLD.content_id;
    UPDATE content_identity SET entry_count = entry_count + 1 WHERE id = NEW.content_id;
END;
