-- Reverses 0003_aggregates.
DROP TRIGGER entries_agg_content_update;
DROP TRIGGER entries_agg_content_delete;
DROP TRIGGER entries_agg_content_insert;
DROP TRIGGER entries_agg_move;
DROP TRIGGER entries_agg_resize;
DROP TRIGGER entries_agg_delete_dir;
DROP TRIGGER entries_agg_delete;
DROP TRIGGER entries_agg_insert_dir;
DROP TRIGGER entries_agg_insert;
DROP INDEX content_dupes;
ALTER TABLE content_identity DROP COLUMN entry_count;
DROP TABLE dir_stats;
