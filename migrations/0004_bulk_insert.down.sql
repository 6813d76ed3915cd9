-- Reverses 0004_bulk_insert: the triggers of 0002 and 0003 as they were, without bulk_insert.
DROP TRIGGER entries_insert;
DROP TRIGGER entries_delete;
DROP TRIGGER entries_fts_rename;
DROP TRIGGER entries_agg_resize;
DROP TRIGGER entries_agg_move;
DROP TRIGGER entries_agg_content_update;
DROP TABLE bulk_insert;

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

CREATE TRIGGER entries_agg_insert AFTER INSERT ON entries BEGIN
    UPDATE dir_stats SET files = files + (NEW.kind = 0), dirs = dirs + (NEW.kind = 1),
        symlinks = symlinks + (NEW.kind = 2), bytes = bytes + iif(NEW.kind = 0, NEW.size, 0)
    WHERE dir_id = NEW.parent_id;
    UPDATE content_identity SET entry_count = entry_count + 1 WHERE id = NEW.content_id;
    INSERT INTO dir_stats (dir_id) SELECT NEW.id WHERE NEW.kind = 1;
END;

CREATE TRIGGER entries_agg_delete AFTER DELETE ON entries BEGIN
    UPDATE dir_stats SET files = files - (OLD.kind = 0), dirs = dirs - (OLD.kind = 1),
        symlinks = symlinks - (OLD.kind = 2), bytes = bytes - iif(OLD.kind = 0, OLD.size, 0)
    WHERE dir_id = OLD.parent_id;
    UPDATE content_identity SET entry_count = entry_count - 1 WHERE id = OLD.content_id;
    DELETE FROM dir_stats WHERE dir_id = OLD.id AND OLD.kind = 1;
END;

-- A file whose size changed in place: one delta on its directory.
CREATE TRIGGER entries_agg_resize AFTER UPDATE OF size ON entries
WHEN NEW.kind = 0 AND OLD.kind = 0 AND NEW.size <> OLD.size AND NEW.parent_id IS OLD.parent_id BEGIN
    UPDATE dir_stats SET bytes = bytes + NEW.size - OLD.size WHERE dir_id = NEW.parent_id;
END;

-- A move (new parent) or a change of kind: the old contribution leaves the old directory,
-- the new one joins the new directory.
CREATE TRIGGER entries_agg_move AFTER UPDATE OF parent_id, kind, size ON entries
WHEN NEW.parent_id IS NOT OLD.parent_id OR NEW.kind <> OLD.kind BEGIN
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
WHEN NEW.content_id IS NOT OLD.content_id BEGIN
    UPDATE content_identity SET entry_count = entry_count - 1 WHERE id = OLD.content_id;
    UPDATE content_identity SET entry_count = entry_count + 1 WHERE id = NEW.content_id;
END;
