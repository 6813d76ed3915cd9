-- Rescan digests (docs/schema.md, "0005"): an unchanged directory is recognised without reading
-- its children's rows.
--
-- dir_stats.digest is a 64-bit hash of a directory's listing on disk (each child's name, kind,
-- inode, size, mtime and permissions, plus whether every file of it has a content identity)
-- that the indexer stores after writing the directory, when its rows then match the listing
-- exactly (core/scan_digest.go). It means "the children's rows equal the listing with this
-- hash". The triggers below reset it to NULL on every change to a child that the indexer
-- compares (insert, delete, rename, move, kind, size, inode, permissions, mtime, content),
-- whoever writes it, and so does the bulk insert's catch-up (core/scan_bulk.go): a stale
-- digest can never claim a match. A rescan hashes the listing it reads and, when the hash
-- equals the stored digest, skips the directory's children query and diff.
--
-- The indexer is the only writer of non-NULL values; NULL is always safe (the directory is
-- diffed row by row, as before this migration).
ALTER TABLE dir_stats ADD COLUMN digest INTEGER;

-- 0004's insert and delete triggers, with digest = NULL folded into the parent's row update
-- they already make: a separate trigger would be one more sub-program call per inserted row.
DROP TRIGGER entries_insert;
CREATE TRIGGER entries_insert AFTER INSERT ON entries
WHEN NEW.id < (SELECT coalesce(min(lo), 9223372036854775807) FROM bulk_insert) BEGIN
    INSERT INTO entries_fts (rowid, name) VALUES (NEW.id, NEW.name);
    UPDATE dir_stats SET files = files + (NEW.kind = 0), dirs = dirs + (NEW.kind = 1),
        symlinks = symlinks + (NEW.kind = 2), bytes = bytes + iif(NEW.kind = 0, NEW.size, 0), digest = NULL
    WHERE dir_id = NEW.parent_id;
    UPDATE content_identity SET entry_count = entry_count + 1 WHERE id = NEW.content_id;
    INSERT INTO dir_stats (dir_id) SELECT NEW.id WHERE NEW.kind = 1;
END;

DROP TRIGGER entries_delete;
CREATE TRIGGER entries_delete AFTER DELETE ON entries
WHEN OLD.id < (SELECT coalesce(min(lo), 9223372036854775807) FROM bulk_insert) BEGIN
    INSERT INTO entries_fts (entries_fts, rowid, name) VALUES ('delete', OLD.id, OLD.name);
    UPDATE dir_stats SET files = files - (OLD.kind = 0), dirs = dirs - (OLD.kind = 1),
        symlinks = symlinks - (OLD.kind = 2), bytes = bytes - iif(OLD.kind = 0, OLD.size, 0), digest = NULL
    WHERE dir_id = OLD.parent_id;
    UPDATE content_identity SET entry_count = entry_count - 1 WHERE id = OLD.content_id;
    DELETE FROM dir_stats WHERE dir_id = OLD.id AND OLD.kind = 1;
END;

-- Any update of a compared column: the old and the new parent lose their digest. Not gated by
-- bulk_insert (a first scan updates almost nothing). Not fired by updates of path (an
-- ancestor's move), metadata_id, extension or the times the indexer does not compare
-- (created_at and accessed_at are written only together with a compared column).
CREATE TRIGGER entries_digest_update AFTER UPDATE OF parent_id, name, kind, size, inode, permissions, modified_at, content_id ON entries BEGIN
    UPDATE dir_stats SET digest = NULL WHERE dir_id IN (OLD.parent_id, NEW.parent_id) AND digest IS NOT NULL;
END;
