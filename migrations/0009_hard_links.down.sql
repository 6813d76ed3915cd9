-- Reverses 0009_hard_links: 0003's content_dupes and 0001's entries_content as they were.
DROP TRIGGER entries_links_update;
DROP TRIGGER entries_links_delete;
DROP TRIGGER entries_links_insert;
DROP INDEX content_linked;
DROP INDEX content_dupes;
CREATE INDEX content_dupes ON content_identity (size_bytes * (entry_count - 1) DESC, id, size_bytes, entry_count, kind)
WHERE entry_count > 1;
DROP INDEX entries_content;
CREATE INDEX entries_content ON entries(content_id) WHERE content_id IS NOT NULL;
ALTER TABLE content_identity DROP COLUMN file_count;
