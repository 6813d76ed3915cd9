-- Name and extension searches read the full-text index (entries_fts, migration 0002) instead of
-- two more b-trees of every name.
--
-- entries_name (name) and entries_extension (extension) cost 27.7 and 10.8 bytes per entry at
-- 1,000,000 entries (benchmarks/RESULTS.md, "Storage"), a sixth of the library without FTS,
-- and two random-order b-tree inserts per new entry. entries_fts already holds every token of
-- every name with its position:
--   * a glob with a literal prefix ("IMG_20??_*", "README.md") becomes the FTS5 query
--     ^"IMG_20"* — the prefix's tokens at the start of the name, the last one as a prefix — whose
--     matches are a superset of the names that start with it; the glob itself decides;
--   * an extension ("pdf") is the phrase "pdf": a name's extension is its last tokens.
-- Results come in entry id order (the order FTS5 and the table share), as extension searches
-- already did. A glob with no ASCII letter or digit in its literal prefix ("*foo*", "_x*") reads
-- the table. docs/schema.md, "0006"; core/find.go, "Query plans".
DROP INDEX entries_name;
DROP INDEX entries_extension;
