-- Entry UUIDs are derived from the library and the entry id instead of stored: 17 bytes per
-- entry (16 and a header byte), 7 % of a 1M-entry library without FTS.
--
-- No index on entries.uuid ever existed (0001: a lookup reads the id out of the UUID), so the
-- stored value only ever confirmed what the id already said. An entry's UUID is now the
-- library's 10-byte base followed by the entry id in 48 bits: a UUIDv8 (RFC 9562 §5.8; the
-- base carries version 8 and the variant) that is the same for the entry's whole life, differs
-- between libraries (64 random bits of the library's UUID) and is read back to the id by
-- taking its last 6 bytes. core/options.go, entryUUIDExpr; docs/schema.md, "0007".
--
-- The base is a generated column, so plain SQL (the view below) renders the same UUIDs the
-- API does: library.uuid's random bytes 10-15, 0x80 (version 8), byte 7, 0x80 (the RFC
-- variant), byte 9. Byte slices and a CAST, not unhex(): SQLite before 3.41 (Debian 12's
-- sqlite3, Python's) cannot VACUUM a database whose generated columns call a function it lacks.
ALTER TABLE library ADD COLUMN entry_uuid_base BLOB GENERATED ALWAYS AS (CAST(
    substr(uuid, 11, 6) || x'80' || substr(uuid, 8, 1) || x'80' || substr(uuid, 10, 1) AS BLOB)) VIRTUAL;

-- A derived UUID names a row id, so a row id must never be given to a second entry: SQLite
-- hands out max(id) + 1, which reuses the ids of the newest entries once they are deleted.
-- entry_id_floor keeps the highest id ever deleted at the top; new ids start above both it
-- and max(id). The trigger runs its UPDATE only when the deleted row was the newest left.
ALTER TABLE library ADD COLUMN entry_id_floor INTEGER NOT NULL DEFAULT 0 CHECK (entry_id_floor >= 0);
UPDATE library SET entry_id_floor = (SELECT coalesce(max(id), 0) FROM entries);
CREATE TRIGGER entries_id_floor AFTER DELETE ON entries
WHEN OLD.id > coalesce((SELECT max(id) FROM entries), 0) BEGIN
    UPDATE library SET entry_id_floor = OLD.id WHERE entry_id_floor < OLD.id;
END;

-- DROP COLUMN rewrites every row without the column; the view names it, so it goes first.
DROP VIEW entries_seed;
ALTER TABLE entries DROP COLUMN uuid;
CREATE VIEW entries_seed AS
SELECT e.id, unhex(hex((SELECT entry_uuid_base FROM library)) || printf('%012X', e.id)) AS uuid, e.location_id,
       coalesce(p.path, '') AS relative_path,
       e.name, e.extension,
       CASE e.kind WHEN 0 THEN 'file' WHEN 1 THEN 'directory' ELSE 'symlink' END AS kind,
       e.metadata_id, e.content_id, e.size, e.permissions, e.inode,
       strftime('%Y-%m-%dT%H:%M:%fZ', e.created_at / 1000.0, 'unixepoch') AS created_at,
       strftime('%Y-%m-%dT%H:%M:%fZ', e.modified_at / 1000.0, 'unixepoch') AS modified_at,
       strftime('%Y-%m-%dT%H:%M:%fZ', e.accessed_at / 1000.0, 'unixepoch') AS accessed_at
FROM entries e LEFT JOIN entries p ON p.id = e.parent_id;
