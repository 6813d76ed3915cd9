-- Link counts (docs/schema.md, "0011"): du counts a file once, however many names it has, in
-- every location mode. 0009 found a file's further names through its content identity, which
-- a metadata-mode location has none of; the link count the scan's stat already returns tells
-- the same without one.
--
-- entries.nlink is a file's hard-link count as the last scan that could see it saw it, stored
-- only when above 1; NULL for a file with one name, for anything but a file, and where link
-- counts cannot be seen (the portable walker; rows written before this migration until their
-- directory is rescanned). So a file with one name costs nothing beyond the column's header
-- byte, and a scan that cannot see link counts never overwrites a value that one could see.
ALTER TABLE entries ADD COLUMN nlink INTEGER;

-- The names with further links (a handful: 24 of 126,670 files in /usr here): du reads them here, per
-- location, in inode order, with what it sums.
CREATE INDEX entries_nlink ON entries(location_id, inode, parent_id, size) WHERE nlink > 1;

-- The indexer compares nlink (core/scan_batch.go apply) and hashes it into the rescan digest
-- (0005): a change to it resets the parent's digest, whoever makes it.
CREATE TRIGGER entries_nlink_digest AFTER UPDATE OF nlink ON entries
WHEN NEW.nlink IS NOT OLD.nlink BEGIN
    UPDATE dir_stats SET digest = NULL WHERE dir_id IN (OLD.parent_id, NEW.parent_id) AND digest IS NOT NULL;
END;
