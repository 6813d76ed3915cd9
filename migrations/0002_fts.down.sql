DROP TRIGGER IF EXISTS entries_fts_rename;
DROP TRIGGER IF EXISTS entries_fts_delete;
DROP TRIGGER IF EXISTS entries_fts_insert;
DROP TABLE IF EXISTS entries_fts;
