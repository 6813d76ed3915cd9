-- Hard links are one file (docs/schema.md, "0009"): duplicate groups and disk usage count each
-- file once, not each of its names.
--
-- What identifies a file: the stored inode and the device its location belongs to. The schema
-- keeps no st_dev per entry; an inode number is unique per filesystem, and every hard link of a
-- file lives on that file's filesystem, so two entries of one content (hence of one size and
-- sampled hash) with the same inode on one device are one file. Two files of one machine on two
-- filesystems that happen to share an inode number AND a content would be taken for one: the
-- price of not storing st_dev for every entry. An inode of NULL or 0 (a platform without
-- inodes) is a file of its own.
--
-- file_count is content_identity's number of distinct files (entry_count counts names). A
-- duplicate group is a content with file_count > 1; its wasted bytes are
-- size_bytes * (file_count - 1). A content whose names are all links of one inode wastes nothing.
ALTER TABLE content_identity ADD COLUMN file_count INTEGER NOT NULL DEFAULT 0;

-- entries_content gains the inode: "another name of this file?" is then one index search in
-- the triggers below, and counting a group's files reads the index alone.
DROP INDEX entries_content;
CREATE INDEX entries_content ON entries(content_id, inode) WHERE content_id IS NOT NULL;

UPDATE content_identity SET file_count = (
    SELECT count(DISTINCT iif(e.inode > 0, l.device_id || '/' || e.inode, -e.id))
    FROM entries e JOIN locations l ON l.id = e.location_id WHERE e.content_id = content_identity.id);

-- The duplicate groups by wasted bytes, as in 0003, over files instead of names.
DROP INDEX content_dupes;
CREATE INDEX content_dupes ON content_identity (size_bytes * (file_count - 1) DESC, id, size_bytes, file_count, entry_count, kind)
WHERE file_count > 1;

-- Contents with hard links among their names (a handful): what du subtracts is found here.
CREATE INDEX content_linked ON content_identity (id) WHERE entry_count > file_count;

-- Triggers apart from 0004's (one more sub-program call per row, and only files with a content
-- pass the WHEN): they follow the bulk-insert contract of 0004 (entries >= bulk_insert.lo are
-- left to the indexer's catch-up, core/scan_bulk.go), and their "other name" searches look at
-- entries below lo only, so the count they keep is exactly that of those entries.
CREATE TRIGGER entries_links_insert AFTER INSERT ON entries
WHEN NEW.content_id IS NOT NULL AND NEW.id < (SELECT coalesce(min(lo), 9223372036854775807) FROM bulk_insert) BEGIN
    UPDATE content_identity SET file_count = file_count + 1 WHERE id = NEW.content_id
     AND NOT (coalesce(NEW.inode, 0) > 0 AND EXISTS (SELECT 1 FROM entries x
        WHERE x.content_id = NEW.content_id AND x.inode = NEW.inode AND x.id <> NEW.id
          AND x.id < (SELECT coalesce(min(lo), 9223372036854775807) FROM bulk_insert)
          AND x.location_id IN (SELECT l2.id FROM locations l1 JOIN locations l2 ON l2.device_id = l1.device_id WHERE l1.id = NEW.location_id)));
END;

CREATE TRIGGER entries_links_delete AFTER DELETE ON entries
WHEN OLD.content_id IS NOT NULL AND OLD.id < (SELECT coalesce(min(lo), 9223372036854775807) FROM bulk_insert) BEGIN
    UPDATE content_identity SET file_count = file_count - 1 WHERE id = OLD.content_id
     AND NOT (coalesce(OLD.inode, 0) > 0 AND EXISTS (SELECT 1 FROM entries x
        WHERE x.content_id = OLD.content_id AND x.inode = OLD.inode
          AND x.id < (SELECT coalesce(min(lo), 9223372036854775807) FROM bulk_insert)
          AND x.location_id IN (SELECT l2.id FROM locations l1 JOIN locations l2 ON l2.device_id = l1.device_id WHERE l1.id = OLD.location_id)));
END;

CREATE TRIGGER entries_links_update AFTER UPDATE OF content_id, inode ON entries
WHEN (NEW.content_id IS NOT OLD.content_id OR NEW.inode IS NOT OLD.inode)
 AND OLD.id < (SELECT coalesce(min(lo), 9223372036854775807) FROM bulk_insert) BEGIN
    UPDATE content_identity SET file_count = file_count - 1 WHERE id = OLD.content_id
     AND NOT (coalesce(OLD.inode, 0) > 0 AND EXISTS (SELECT 1 FROM entries x
        WHERE x.content_id = OLD.content_id AND x.inode = OLD.inode AND x.id <> NEW.id
          AND x.id < (SELECT coalesce(min(lo), 9223372036854775807) FROM bulk_insert)
          AND x.location_id IN (SELECT l2.id FROM locations l1 JOIN locations l2 ON l2.device_id = l1.device_id WHERE l1.id = OLD.location_id)));
    UPDATE content_identity SET file_count = file_count + 1 WHERE id = NEW.content_id
     AND NOT (coalesce(NEW.inode, 0) > 0 AND EXISTS (SELECT 1 FROM entries x
        WHERE x.content_id = NEW.content_id AND x.inode = NEW.inode AND x.id <> NEW.id
          AND x.id < (SELECT coalesce(min(lo), 9223372036854775807) FROM bulk_insert)
          AND x.location_id IN (SELECT l2.id FROM locations l1 JOIN locations l2 ON l2.device_id = l1.device_id WHERE l1.id = NEW.location_id)));
END;
