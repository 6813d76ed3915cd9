-- Reverses 0008_fts_layout: the index of 0002 (token counts, 2- and 3-character prefixes), rebuilt from entries.
DROP TABLE entries_fts;
CREATE VIRTUAL TABLE entries_fts USING fts5(
    name,
    content = 'entries',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);
INSERT INTO entries_fts (entries_fts) VALUES ('rebuild');
