-- Reverses 0005_scan_digest: 0004's triggers as they were.
DROP TRIGGER entries_digest_update;

DROP TRIGGER entries_delete;
CREATE TRIGGER entries_delete AFTER DELETE ON entries
WHEN OLD.id < (SELECT coalesce(min(lo), 9223372036854775807) FROM bulk_insert) BEGIN
    INSERT INTO entries_fts (entries_fts, rowid, name) VALUES ('delete', OLD.id, OLD.name);
    UPDATE dir_stats SET files = files - (OLD.kind = 0), dirs = dirs - (OLD.kind = 1),
        symlinks = symlinks - (OLD.kind = 2), bytes = bytes - iif(OLD.kind = 0, OLD.size, 0)
    WHERE dir_id = OLD.parent_id;
    UPDATE content_identity SET entry_count = entry_count - 1 WHERE id = OLD.content_id;
    DELETE FROM dir_stats WHERE dir_id = OLD.id AND OLD.kind = 1;
END;

DROP TRIGGER entries_insert;
CREATE TRIGGER entries_insert AFTER INSERT ON entries
WHEN NEW.id < (SELECT coalesce(min(lo), 9223372036854775807) FROM bulk_insert) BEGIN
    INSERT INTO entries_fts (rowid, name) VALUES (NEW.id, NEW.name);
    UPDATE dir_stats SET files = files + (NEW.kind = 0), dirs = dirs + (NEW.kind = 1),
        symlinks = symlinks + (NEW.kind = 2), bytes = bytes + iif(NEW.kind = 0, NEW.size, 0)
    WHERE dir_id = NEW.parent_id;
    UPDATE content_identity SET entry_count = entry_count + 1 WHERE id = NEW.content_id;
    INSERT INTO dir_stats (dir_id) SELECT NEW.id WHERE NEW.kind = 1;
END;

ALTER TABLE dir_stats DROP COLUMN digest;
