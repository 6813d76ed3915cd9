-- filedex schema, version 1: every table of the seed's "Core v2" design, laid out for the
-- seed's own goals (space efficiency, query speed, data safety). Every deviation from the
-- seed's DDL is listed with its reason in docs/schema.md; the short form is in comments here.
--
-- Conventions (docs/schema.md, "Conventions"):
--   * times are INTEGER milliseconds since the Unix epoch, UTC (6 bytes instead of 20-30 of ISO text);
--     the API renders them as RFC 3339.
--   * UUIDs are 16-byte BLOBs (UUIDv7 for new rows, so unique indexes grow at their right edge).
--   * booleans are INTEGER 0/1 (SQLite stores 0 and 1 in the record header: zero payload bytes).
--   * no AUTOINCREMENT: it costs a sqlite_sequence write per insert and buys nothing here.

-- The library's own identity (one row). Not in the seed: a library needs a stable UUID of its own
-- for library.info, backups and, later, sync.
CREATE TABLE library (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    uuid        BLOB    NOT NULL CHECK (length(uuid) = 16),
    name        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE devices (
    id                INTEGER PRIMARY KEY,
    uuid              BLOB    NOT NULL UNIQUE CHECK (length(uuid) = 16),
    name              TEXT    NOT NULL,
    os                TEXT    NOT NULL,
    os_version        TEXT,
    hardware_model    TEXT    NOT NULL,
    network_addresses TEXT    CHECK (network_addresses IS NULL OR (json_valid(network_addresses) AND json_type(network_addresses) = 'array')),
    is_online         INTEGER NOT NULL CHECK (is_online IN (0, 1)),
    last_seen_at      INTEGER NOT NULL,
    capabilities      TEXT    CHECK (capabilities IS NULL OR (json_valid(capabilities) AND json_type(capabilities) = 'object')),
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
);
-- The seed's idx_devices_uuid duplicated the UNIQUE constraint's own index; idx_devices_online
-- indexes a boolean of a table with a handful of rows. Both dropped.

CREATE TABLE locations (
    id               INTEGER PRIMARY KEY,
    uuid             BLOB    NOT NULL UNIQUE CHECK (length(uuid) = 16),
    device_id        INTEGER NOT NULL REFERENCES devices(id) ON DELETE RESTRICT,
    path             TEXT    NOT NULL CHECK (path <> ''),
    name             TEXT,
    index_mode       TEXT    NOT NULL CHECK (index_mode IN ('metadata', 'content', 'deep')),
    scan_state       TEXT    NOT NULL DEFAULT 'pending'
                             CHECK (scan_state IN ('pending', 'scanning', 'complete', 'error', 'paused')),
    last_scan_at     INTEGER,
    error_message    TEXT,
    total_file_count INTEGER NOT NULL DEFAULT 0 CHECK (total_file_count >= 0),
    total_byte_size  INTEGER NOT NULL DEFAULT 0 CHECK (total_byte_size >= 0),
    -- Not in the seed: the ignore globs a location was added with (JSON array of strings), so a
    -- rescan sees the same tree as the first scan.
    ignore_globs     TEXT    CHECK (ignore_globs IS NULL OR (json_valid(ignore_globs) AND json_type(ignore_globs) = 'array')),
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    UNIQUE (device_id, path)
);
-- UNIQUE (device_id, path) is the seed's idx_locations_device_path and also serves
-- idx_locations_device (its leading column). idx_locations_scan_state dropped: a handful of rows.

-- Content kinds: a lookup table so entries of content_identity store a 1-byte code, while the
-- names stay queryable from plain SQL. The codes are fixed forever (append only).
CREATE TABLE content_kinds (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
) WITHOUT ROWID;
INSERT INTO content_kinds (id, name) VALUES
    (0, 'unknown'), (1, 'image'), (2, 'video'), (3, 'audio'), (4, 'document'), (5, 'archive'),
    (6, 'code'), (7, 'text'), (8, 'database'), (9, 'book'), (10, 'font'), (11, 'mesh'),
    (12, 'config'), (13, 'encrypted'), (14, 'key'), (15, 'executable'), (16, 'binary'),
    (17, 'spreadsheet'), (18, 'presentation'), (19, 'email'), (20, 'calendar'), (21, 'contact'),
    (22, 'web'), (23, 'shortcut'), (24, 'package'), (25, 'model_entry');

-- One row per distinct content. The primary key IS the cas_id: the 64 bits whose 16 hex digits
-- the seed stores as TEXT, kept as a signed INTEGER. Looking content up by cas_id is then a rowid
-- search and needs no second index (the seed's UNIQUE cas_id column plus idx_content_identity_cas
-- stored the same 16 characters twice more).
CREATE TABLE content_identity (
    id             INTEGER PRIMARY KEY,   -- cas_id as int64; printf('%016x', id) is the seed's text form
    kind           INTEGER NOT NULL DEFAULT 0 REFERENCES content_kinds(id),
    size_bytes     INTEGER NOT NULL CHECK (size_bytes > 0),
    -- Not in the seed: full-content BLAKE3 (deep mode, or `dupes --verify`), 32 bytes. A sampled
    -- cas_id alone never proves two files identical.
    integrity_hash BLOB    CHECK (integrity_hash IS NULL OR length(integrity_hash) = 32),
    media_data     TEXT    CHECK (media_data IS NULL OR (json_valid(media_data) AND json_type(media_data) = 'object')),
    created_at     INTEGER NOT NULL
);
-- idx_content_identity_kind and idx_content_identity_size dropped (12.7 and 12 B per entry at 1M
-- entries): a kind filter reads this table (25 B a row) instead of entries, and duplicate queries
-- group entries, whose own size is at hand.

CREATE TABLE user_metadata (
    id          INTEGER PRIMARY KEY,
    uuid        BLOB    NOT NULL UNIQUE CHECK (length(uuid) = 16),
    notes       TEXT,
    favorite    INTEGER NOT NULL DEFAULT 0 CHECK (favorite IN (0, 1)),
    hidden      INTEGER NOT NULL DEFAULT 0 CHECK (hidden IN (0, 1)),
    custom_data TEXT    CHECK (custom_data IS NULL OR (json_valid(custom_data) AND json_type(custom_data) = 'object')),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
-- Partial indexes: only the few favourite / hidden rows are indexed (the seed indexed every row's boolean).
CREATE INDEX user_metadata_favorite ON user_metadata(id) WHERE favorite = 1;
CREATE INDEX user_metadata_hidden ON user_metadata(id) WHERE hidden = 1;

-- Files, directories and symlinks. Materialized paths, stored once: a directory row carries its
-- own path relative to the location root in `path` (root: ''); every entry points at its
-- directory through parent_id. The seed's per-entry relative_path text (the directory path
-- repeated for every file) becomes a join through parent_id; the view entries_seed renders it.
CREATE TABLE entries (
    id          INTEGER PRIMARY KEY,
    uuid        BLOB    NOT NULL CHECK (length(uuid) = 16),
    location_id INTEGER NOT NULL REFERENCES locations(id) ON DELETE CASCADE,
    parent_id   INTEGER REFERENCES entries(id) ON DELETE CASCADE,
    name        TEXT    NOT NULL CHECK (name <> ''),    -- full name as on disk (bytes kept as they are)
    extension   TEXT,                                   -- lower-cased suffix after the last '.', NULL if none
    kind        INTEGER NOT NULL CHECK (kind IN (0, 1, 2)),  -- 0 file, 1 directory, 2 symlink
    size        INTEGER NOT NULL DEFAULT 0 CHECK (size >= 0),
    inode       INTEGER,
    permissions INTEGER,                                -- st_mode permission bits
    created_at  INTEGER,                                -- birth time where the filesystem reports it
    modified_at INTEGER NOT NULL,
    accessed_at INTEGER,
    content_id  INTEGER REFERENCES content_identity(id),
    metadata_id INTEGER REFERENCES user_metadata(id) ON DELETE SET NULL,
    path        TEXT,                                   -- directories only: path below the location root
    CHECK ((kind = 1) = (path IS NOT NULL)),
    CHECK ((parent_id IS NULL) = (path IS NOT NULL AND path = '')),
    CHECK (kind = 0 OR content_id IS NULL)
);
-- A directory's children in name order; also entry-by-path and the parent_id foreign key's index.
CREATE UNIQUE INDEX entries_parent_name ON entries(parent_id, name);
-- Directory path -> directory, and subtree ranges: path >= 'a/b/' AND path < 'a/b0'.
CREATE UNIQUE INDEX entries_dir_path ON entries(location_id, path) WHERE path IS NOT NULL;
-- Sub-directories of a directory, for "directories first" listings (directories only: small).
CREATE INDEX entries_child_dirs ON entries(parent_id, name) WHERE kind = 1;
-- No index on uuid (25 B per entry): an entry's UUIDv7 carries the entry's id in its last 48 bits
-- (RFC 9562 lets rand_b hold a counter), so a lookup by UUID is a rowid search plus a comparison
-- with the stored value. docs/schema.md, "Entry UUIDs".
-- Name search: exact names and globs with a literal prefix ("IMG_20??_*").
CREATE INDEX entries_name ON entries(name);
CREATE INDEX entries_extension ON entries(extension) WHERE extension IS NOT NULL;
CREATE INDEX entries_content ON entries(content_id) WHERE content_id IS NOT NULL;
CREATE INDEX entries_metadata ON entries(metadata_id) WHERE metadata_id IS NOT NULL;
-- Large files (the seed's "large files by directory", top-N largest): only files of 1 MiB and
-- more are indexed; queries for smaller thresholds are rare and read the table.
CREATE INDEX entries_large ON entries(size) WHERE size >= 1048576;
-- Dropped from the seed: idx_entries_kind (3 values; an index on it is never chosen),
-- idx_entries_location (locations are removed rarely; subtree ranges serve the rest).

CREATE TABLE tags (
    id         INTEGER PRIMARY KEY,
    uuid       BLOB    NOT NULL UNIQUE CHECK (length(uuid) = 16),
    name       TEXT    NOT NULL UNIQUE CHECK (name <> ''),
    color      TEXT    CHECK (color IS NULL OR (length(color) = 7 AND color GLOB '#[0-9A-Fa-f][0-9A-Fa-f][0-9A-Fa-f][0-9A-Fa-f][0-9A-Fa-f][0-9A-Fa-f]')),
    icon       TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE labels (
    id         INTEGER PRIMARY KEY,
    uuid       BLOB    NOT NULL UNIQUE CHECK (length(uuid) = 16),
    name       TEXT    NOT NULL CHECK (name <> '' AND instr(name, '/') = 0),
    color      TEXT    CHECK (color IS NULL OR (length(color) = 7 AND color GLOB '#[0-9A-Fa-f][0-9A-Fa-f][0-9A-Fa-f][0-9A-Fa-f][0-9A-Fa-f][0-9A-Fa-f]')),
    parent_id  INTEGER REFERENCES labels(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CHECK (parent_id IS NULL OR parent_id <> id)
);
-- Sibling names are unique (top-level labels share the parent 0); the index also lists children.
CREATE UNIQUE INDEX labels_parent_name ON labels(coalesce(parent_id, 0), name);
CREATE INDEX labels_parent ON labels(parent_id) WHERE parent_id IS NOT NULL;
-- A label may not become its own ancestor: the hierarchy stays a forest.
CREATE TRIGGER labels_no_cycle BEFORE UPDATE OF parent_id ON labels
WHEN NEW.parent_id IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'label cycle: a label cannot be its own ancestor')
    WHERE EXISTS (
        WITH RECURSIVE up(id) AS (
            SELECT NEW.parent_id
            UNION
            SELECT l.parent_id FROM labels l JOIN up ON l.id = up.id WHERE l.parent_id IS NOT NULL
        )
        SELECT 1 FROM up WHERE id = NEW.id
    );
END;

-- Junction tables: WITHOUT ROWID, the key is the row (the seed's rowid version stored it twice).
CREATE TABLE metadata_tag (
    metadata_id INTEGER NOT NULL REFERENCES user_metadata(id) ON DELETE CASCADE,
    tag_id      INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    PRIMARY KEY (metadata_id, tag_id)
) WITHOUT ROWID;
CREATE INDEX metadata_tag_tag ON metadata_tag(tag_id, metadata_id);

CREATE TABLE metadata_label (
    metadata_id INTEGER NOT NULL REFERENCES user_metadata(id) ON DELETE CASCADE,
    label_id    INTEGER NOT NULL REFERENCES labels(id) ON DELETE CASCADE,
    PRIMARY KEY (metadata_id, label_id)
) WITHOUT ROWID;
CREATE INDEX metadata_label_label ON metadata_label(label_id, metadata_id);

-- Persisted jobs (scans and other long operations): enough to resume after a crash.
CREATE TABLE jobs (
    id          INTEGER PRIMARY KEY,
    uuid        BLOB    NOT NULL UNIQUE CHECK (length(uuid) = 16),
    kind        TEXT    NOT NULL CHECK (kind <> ''),
    status      TEXT    NOT NULL DEFAULT 'queued'
                        CHECK (status IN ('queued', 'running', 'paused', 'completed', 'failed', 'cancelled')),
    location_id INTEGER REFERENCES locations(id) ON DELETE CASCADE,
    params      TEXT    CHECK (params IS NULL OR json_valid(params)),
    progress    TEXT    CHECK (progress IS NULL OR json_valid(progress)),
    checkpoint  BLOB,
    warnings    TEXT    CHECK (warnings IS NULL OR (json_valid(warnings) AND json_type(warnings) = 'array')),
    error       TEXT,
    created_at  INTEGER NOT NULL,
    started_at  INTEGER,
    updated_at  INTEGER NOT NULL,
    finished_at INTEGER
);
CREATE INDEX jobs_active ON jobs(status) WHERE status IN ('queued', 'running', 'paused');
CREATE INDEX jobs_location ON jobs(location_id) WHERE location_id IS NOT NULL;

-- The seed's entries shape, rendered from the compact one, for people reading the database with
-- plain SQL tools: relative_path (the parent directory's path), kind as text, ISO-8601 times.
CREATE VIEW entries_seed AS
SELECT e.id, e.uuid, e.location_id,
       coalesce(p.path, '') AS relative_path,
       e.name, e.extension,
       CASE e.kind WHEN 0 THEN 'file' WHEN 1 THEN 'directory' ELSE 'symlink' END AS kind,
       e.metadata_id, e.content_id, e.size, e.permissions, e.inode,
       strftime('%Y-%m-%dT%H:%M:%fZ', e.created_at / 1000.0, 'unixepoch') AS created_at,
       strftime('%Y-%m-%dT%H:%M:%fZ', e.modified_at / 1000.0, 'unixepoch') AS modified_at,
       strftime('%Y-%m-%dT%H:%M:%fZ', e.accessed_at / 1000.0, 'unixepoch') AS accessed_at
FROM entries e LEFT JOIN entries p ON p.id = e.parent_id;
