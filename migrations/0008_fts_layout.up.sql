-- The full-text index trades its per-name token counts for one-character prefixes:
-- columnsize = 0, prefix = '1 2 3'.
--
-- * entries_fts_docsize held one row per entry, the token count BM25 divides by: 10.1 bytes
--   per entry at 1,000,000 entries, and one more b-tree insert per new entry. Ranking is its
--   only reader, and it ranks at most 1000 matches (core/find.go, rankWindow): FTS5 now reads
--   those names from entries (external content) and counts their tokens itself.
-- * Since 0006 a name glob's literal prefix is searched through this index. A one-character
--   last token ("a*", "2*", "IMG_2*") had no prefix index: FTS5 merged the doclists of every
--   term starting with that character before the first row, 24–110 ms at 1M entries. With
--   the 1-character prefix index: 0.1–0.4 ms (SQLite 3.40, same rows), for 10.1 bytes per
--   entry, what the token counts freed.
-- Tokenizer and triggers are unchanged; 'rebuild' refills the index from entries.
-- docs/schema.md, "0008".
DROP TABLE entries_fts;
CREATE VIRTUAL TABLE entries_fts USING fts5(
    name,
    content = 'entries',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 2 3',
    columnsize = 0
);
INSERT INTO entries_fts (entries_fts) VALUES ('rebuild');
