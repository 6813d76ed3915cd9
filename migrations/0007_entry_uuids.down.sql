-- Reverses 0007_entry_uuids: entries gets its stored uuid column back, filled with the UUIDs
-- 0007 derived (so an entry keeps its UUID across the downgrade), and the table, its indexes,
-- triggers and view are recreated with 0006's exact text. ALTER TABLE ADD COLUMN would append
-- the column at the end and cannot add a NOT NULL column without a default.
-- Parents may follow their children in id order (a directory moved under a newer one): the
-- runner applies a migration with foreign keys off and checks them all before COMMIT
-- (migrations.go, apply), when every row is back.
DROP VIEW entries_seed;
DROP TRIGGER entries_id_floor;
CREATE TEMP TABLE entries_down AS
SELECT id, unhex(hex((SELECT entry_uuid_base FROM library)) || printf('%012X', id)) AS uuid, location_id, parent_id, name,
       extension, kind, size, inode, permissions, created_at, modified_at, accessed_at, content_id, metadata_id, path
FROM entries;
-- DROP TABLE drops the triggers first: the FTS index and the aggregates are left as they are,
-- and they describe the same rows, which come back with the same ids and names.
DROP TABLE entries;
CREATE TABLE entries (
    id          INTEGER PRIMARY KEY,
    uuid        BLOB    NOT NULL CHECK (length(uuid) = 16),
    location_id INTEGER NOT NULL REFERENCES locations(id) ON DELETE CASCADE,
    parent_id   INTEGER REFERENCES entries(id) ON DELETE CASCADE,
    name        TEXT    NOT NULL CHECK (name <> ''),    -- full name as on disk (bytes kept as they are)
    extension   TEXT,                                   -- lower-cased suffix after the last '.', NULL if none
    kind        INTEGER NOT NULL CHECK (kind IN (0, 1, 2)),  -- 0 file, 1 directory, 2 symlink
    size        INTEGER NOT NULL DEFAULT 0 CHECK (size >= 0),
    inode       INTEGER,
    permissions INTEGER,                                -- st_mode permission bits
    created_at  INTEGER,                                -- birth time where the filesystem reports it
    modified_at INTEGER NOT NULL,
    accessed_at INTEGER,
    content_id  INTEGER REFERENCES content_identity(id),
    metadata_id INTEGER REFERENCES user_metadata(id) ON DELETE SET NULL,
    path        TEXT,                                   -- directories only: path below the location root
    CHECK ((kind = 1) = (path IS NOT NULL)),
    CHECK ((parent_id IS NULL) = (path IS NOT NULL AND path = '')),
    CHECK (kind = 0 OR content_id IS NULL)
);
INSERT INTO entries (id, uuid, location_id, parent_id, name, extension, kind, size, inode, permissions, created_at, modified_at, accessed_at, content_id, metadata_id, path) SELECT id, uuid, location_id, parent_id, name, extension, kind, size, inode, permissions, created_at, modified_at, accessed_at, content_id, metadata_id, path FROM temp.entries_down;
DROP TABLE temp.entries_down;
CREATE UNIQUE INDEX entries_parent_name ON entries(parent_id, name);
CREATE UNIQUE INDEX entries_dir_path ON entries(location_id, path) WHERE path IS NOT NULL;
CREATE INDEX entries_child_dirs ON entries(parent_id, name) WHERE kind = 1;
CREATE INDEX entries_content ON entries(content_id) WHERE content_id IS NOT NULL;
CREATE INDEX entries_metadata ON entries(metadata_id) WHERE metadata_id IS NOT NULL;
CREATE INDEX entries_large ON entries(size) WHERE size >= 1048576;
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
CREATE TRIGGER entries_insert AFTER INSERT ON entries
WHEN NEW.id < (SELECT coalesce(min(lo), 9223372036854775807) FROM bulk_insert) BEGIN
    INSERT INTO entries_fts (rowid, name) VALUES (NEW.id, NEW.name);
    UPDATE dir_stats SET files = files + (NEW.kind = 0), dirs = dirs + (NEW.kind = 1),
        symlinks = symlinks + (NEW.kind = 2), bytes = bytes + iif(NEW.kind = 0, NEW.size, 0), digest = NULL
    WHERE dir_id = NEW.parent_id;
    UPDATE content_identity SET entry_count = entry_count + 1 WHERE id = NEW.content_id;
    INSERT INTO dir_stats (dir_id) SELECT NEW.id WHERE NEW.kind = 1;
END;
CREATE TRIGGER entries_delete AFTER DELETE ON entries
WHEN OLD.id < (SELECT coalesce(min(lo), 9223372036854775807) FROM bulk_insert) BEGIN
    INSERT INTO entries_fts (entries_fts, rowid, name) VALUES ('delete', OLD.id, OLD.name);
    UPDATE dir_stats SET files = files - (OLD.kind = 0), dirs = dirs - (OLD.kind = 1),
        symlinks = symlinks - (OLD.kind = 2), bytes = bytes - iif(OLD.kind = 0, OLD.size, 0), digest = NULL
    WHERE dir_id = OLD.parent_id;
    UPDATE content_identity SET entry_count = entry_count - 1 WHERE id = OLD.content_id;
    DELETE FROM dir_stats WHERE dir_id = OLD.id AND OLD.kind = 1;
END;
CREATE TRIGGER entries_digest_update AFTER UPDATE OF parent_id, name, kind, size, inode, permissions, modified_at, content_id ON entries BEGIN
    UPDATE dir_stats SET digest = NULL WHERE dir_id IN (OLD.parent_id, NEW.parent_id) AND digest IS NOT NULL;
END;
CREATE VIEW entries_seed AS
SELECT e.id, e.uuid, e.location_id,
       coalesce(p.path, '') AS relative_path,
       e.name, e.extension,
       CASE e.kind WHEN 0 THEN 'file' WHEN 1 THEN 'directory' ELSE 'symlink' END AS kind,
       e.metadata_id, e.content_id, e.size, e.permissions, e.inode,
       strftime('%Y-%m-%dT%H:%M:%fZ', e.created_at / 1000.0, 'unixepoch') AS created_at,
       strftime('%Y-%m-%dT%H:%M:%fZ', e.modified_at / 1000.0, 'unixepoch') AS modified_at,
       strftime('%Y-%m-%dT%H:%M:%fZ', e.accessed_at / 1000.0, 'unixepoch') AS accessed_at
FROM entries e LEFT JOIN entries p ON p.id = e.parent_id;
ALTER TABLE library DROP COLUMN entry_id_floor;
ALTER TABLE library DROP COLUMN entry_uuid_base;
