-- Maintained aggregates (docs/schema.md, "0003"): subtree statistics, disk usage and duplicate
-- groups read a few rows per directory or per duplicated content instead of every entry.
--
-- The triggers below are the only writers of these aggregates, as for entries_fts: the
-- indexer, the API, subtree deletes and location removal keep them in sync without knowing
-- they exist. Library.Check recounts them (invariants dir_stats and content_entry_count).

-- One row per directory entry: counts of its DIRECT children and the sum of its direct files'
-- sizes. A subtree's totals are the sum of these rows over the directories of the subtree (one
-- entries_dir_path range, then a rowid search here per directory: ~5 % of the entries).
-- No foreign key: the triggers create and delete the row with its directory, also while
-- foreign keys are off (the migration runner switches them off); Check verifies it.
CREATE TABLE dir_stats (
    dir_id   INTEGER PRIMARY KEY,            -- entries.id of a directory (kind 1)
    files    INTEGER NOT NULL DEFAULT 0,     -- direct children of kind 0
    dirs     INTEGER NOT NULL DEFAULT 0,     -- direct children of kind 1
    symlinks INTEGER NOT NULL DEFAULT 0,     -- direct children of kind 2
    bytes    INTEGER NOT NULL DEFAULT 0      -- sum of the sizes of the direct files
);

INSERT INTO dir_stats (dir_id, files, dirs, symlinks, bytes)
SELECT d.id,
       (SELECT count(*) FROM entries c WHERE c.parent_id = d.id AND c.kind = 0),
       (SELECT count(*) FROM entries c WHERE c.parent_id = d.id AND c.kind = 1),
       (SELECT count(*) FROM entries c WHERE c.parent_id = d.id AND c.kind = 2),
       (SELECT coalesce(sum(c.size), 0) FROM entries c WHERE c.parent_id = d.id AND c.kind = 0)
FROM entries d WHERE d.kind = 1;

-- How many entries carry each content: a duplicate group is a content with entry_count > 1.
ALTER TABLE content_identity ADD COLUMN entry_count INTEGER NOT NULL DEFAULT 0;

UPDATE content_identity SET entry_count = (SELECT count(*) FROM entries e WHERE e.content_id = content_identity.id);

-- Duplicate contents only (a few percent of content_identity), in wasted-bytes order
-- (largest first; the cas_id breaks ties in ascending order as the API promises). Covering:
-- the page, the totals and the size and kind filters read the index alone, never the table.
CREATE INDEX content_dupes ON content_identity (size_bytes * (entry_count - 1) DESC, id, size_bytes, entry_count, kind)
WHERE entry_count > 1;

-- Triggers: one statement per touched aggregate row; WHEN clauses skip the updates that change
-- nothing (the indexer's UPDATE lists size and content_id for every changed file). Insert and
-- delete are one trigger each: every trigger is a sub-program call per row even when its WHEN
-- is false, and a statement whose key is NULL (content_id of a directory) or whose WHERE is
-- false costs less than a call.
CREATE TRIGGER entries_agg_insert AFTER INSERT ON entries BEGIN
    UPDATE dir_stats SET files = files + (NEW.kind = 0), dirs = dirs + (NEW.kind = 1),
        symlinks = symlinks + (NEW.kind = 2), bytes = bytes + iif(NEW.kind = 0, NEW.size, 0)
    WHERE dir_id = NEW.parent_id;
    UPDATE content_identity SET entry_count = entry_count + 1 WHERE id = NEW.content_id;
    INSERT INTO dir_stats (dir_id) SELECT NEW.id WHERE NEW.kind = 1;
END;

CREATE TRIGGER entries_agg_delete AFTER DELETE ON entries BEGIN
    UPDATE dir_stats SET files = files - (OLD.kind = 0), dirs = dirs - (OLD.kind = 1),
        symlinks = symlinks - (OLD.kind = 2), bytes = bytes - iif(OLD.kind = 0, OLD.size, 0)
    WHERE dir_id = OLD.parent_id;
    UPDATE content_identity SET entry_count = entry_count - 1 WHERE id = OLD.content_id;
    DELETE FROM dir_stats WHERE dir_id = OLD.id AND OLD.kind = 1;
END;

-- A file whose size changed in place: one delta on its directory.
CREATE TRIGGER entries_agg_resize AFTER UPDATE OF size ON entries
WHEN NEW.kind = 0 AND OLD.kind = 0 AND NEW.size <> OLD.size AND NEW.parent_id IS OLD.parent_id BEGIN
    UPDATE dir_stats SET bytes = bytes + NEW.size - OLD.size WHERE dir_id = NEW.parent_id;
END;

-- A move (new parent) or a change of kind: the old contribution leaves the old directory,
-- the new one joins the new directory.
CREATE TRIGGER entries_agg_move AFTER UPDATE OF parent_id, kind, size ON entries
WHEN NEW.parent_id IS NOT OLD.parent_id OR NEW.kind <> OLD.kind BEGIN
    UPDATE dir_stats SET files = files - (OLD.kind = 0), dirs = dirs - (OLD.kind = 1),
        symlinks = symlinks - (OLD.kind = 2), bytes = bytes - iif(OLD.kind = 0, OLD.size, 0)
    WHERE dir_id = OLD.parent_id;
    UPDATE dir_stats SET files = files + (NEW.kind = 0), dirs = dirs + (NEW.kind = 1),
        symlinks = symlinks + (NEW.kind = 2), bytes = bytes + iif(NEW.kind = 0, NEW.size, 0)
    WHERE dir_id = NEW.parent_id;
    DELETE FROM dir_stats WHERE dir_id = OLD.id AND NEW.kind <> 1;
    INSERT INTO dir_stats (dir_id) SELECT NEW.id WHERE NEW.kind = 1 AND OLD.kind <> 1;
END;

CREATE TRIGGER entries_agg_content_update AFTER UPDATE OF content_id ON entries
WHEN NEW.content_id IS NOT OLD.content_id BEGIN
    UPDATE content_identity SET entry_count = entry_count - 1 WHERE id = OLD.content_id;
    UPDATE content_identity SET entry_count = entry_count + 1 WHERE id = NEW.content_id;
END;
