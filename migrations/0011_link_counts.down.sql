-- Reverses 0011_link_counts.
DROP TRIGGER entries_nlink_digest;
DROP INDEX entries_nlink;
ALTER TABLE entries DROP COLUMN nlink;
