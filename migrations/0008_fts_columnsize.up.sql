-- The full-text index stops storing every name's token count (columnsize = 0).
--
-- entries_fts_docsize held one row per entry, the token count BM25 divides by: 10.1 bytes per
-- entry at 1,000,000 entries (4.6 % of the file; benchmarks/RESULTS.md, "Storage"), and one
-- more b-tree insert per new entry. Ranking is the only reader, and it ranks at most 1000
-- matches (core/find.go, rankWindow): FTS5 now reads those names from entries (external
-- content) and counts their tokens itself. Nothing else changes: the tokenizer, the prefix
-- indexes and the triggers are the same, and 'rebuild' refills the index from entries.
DROP TABLE entries_fts;
CREATE VIRTUAL TABLE entries_fts USING fts5(
    name,
    content = 'entries',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3',
    columnsize = 0
);
INSERT INTO entries_fts (entries_fts) VALUES ('rebuild');
