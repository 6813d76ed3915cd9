-- Reverses 0003_aggregates.
DROP TRIGGER entries_agg_content_update;
DROP TRIGGER entries_agg_move;
DROP TRIGGER entries_agg_resize;
DROP TRIGGER entries_agg_delete;
DROP TRIGGER entries_agg_insert;
DROP INDEX content_dupes;
ALTER TABLE content_identity DROP COLUMN entry_count;
DROP TABLE dir_stats;
