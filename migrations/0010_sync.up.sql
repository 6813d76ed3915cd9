-- Sync across devices (docs/sync.md). One database holds every device's entries: another
-- device's entries are ordinary rows of entries, under locations whose device_id is that
-- device, so search, duplicates and usage span devices with the queries they already run.
--
-- Ids of other devices' entries: (devices.id << 40) | the entry's id on its own device. The
-- device's own entries keep ids below 2^40, so nothing about them changes; an entry of
-- another device needs no stored origin id (the low 40 bits are it) and its UUID, built from
-- the library, the device and that id (core/sync_ids.go), is the same on every device.
--
-- library.home_device is the device whose entry UUIDs keep 0007's base unchanged (existing
-- UUIDs stay valid): the first device registered, or, in a library that joined another, the
-- home device of the library it joined. Every other device's base differs from it.
ALTER TABLE library ADD COLUMN home_device BLOB CHECK (home_device IS NULL OR length(home_device) = 16);
UPDATE library SET home_device = (SELECT uuid FROM devices ORDER BY id LIMIT 1);

-- 0007's floor only guards local ids: deleting another device's entry (id >= 2^40) must not
-- lift the next local id into that range.
DROP TRIGGER entries_id_floor;
CREATE TRIGGER entries_id_floor AFTER DELETE ON entries
WHEN OLD.id < 1099511627776 AND OLD.id > coalesce((SELECT max(id) FROM entries WHERE id < 1099511627776), 0) BEGIN
    UPDATE library SET entry_id_floor = OLD.id WHERE entry_id_floor < OLD.id;
END;

-- The sync clock and this device's outbox counters (one row). hlc is a hybrid logical clock:
-- Unix milliseconds << 16 | a counter, never smaller than any clock seen from a peer.
-- log_seq is the newest seq of sync_log; published the newest one a hub acknowledged.
CREATE TABLE sync_state (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    hlc       INTEGER NOT NULL DEFAULT 0,
    log_seq   INTEGER NOT NULL DEFAULT 0,
    published INTEGER NOT NULL DEFAULT 0
);
INSERT INTO sync_state (id) VALUES (1);

-- This device's change log (its outbox). subject is the message's key: a directory's
-- listing ('d.<location uuid>.<dir id>') replaces the older listing of the same directory,
-- as MaxMsgsPerSubject=1 does on the stream; shared-data changes ('o.<seq>') are never
-- replaced. body is the message (JSON). Changes wait here while the device is offline.
CREATE TABLE sync_log (
    seq     INTEGER PRIMARY KEY,
    subject TEXT    NOT NULL UNIQUE,
    body    BLOB    NOT NULL
);

-- What this device last logged of each of its own directories, so a rescan that changed
-- nothing logs nothing: the indexer's rescan digest (dir_stats.digest, NULL when unknown),
-- the directory's place, and the hash of the listing that was logged.
CREATE TABLE sync_dirs (
    dir_id      INTEGER PRIMARY KEY,
    location_id INTEGER NOT NULL,
    parent_id   INTEGER,
    path        TEXT    NOT NULL,
    digest      INTEGER,
    listing     INTEGER NOT NULL
);

-- Where each applier is in each stream. The row is written in the same transaction as the
-- rows a batch applied, so a crash can neither apply a message twice nor skip one.
-- stream: the source device's UUID (text); seq: the source's log seq applied last; js_seq:
-- the JetStream sequence of that message (where an ordered consumer resumes); applied:
-- messages applied from the stream, ever.
CREATE TABLE sync_cursors (
    stream     TEXT    PRIMARY KEY,
    seq        INTEGER NOT NULL,
    js_seq     INTEGER NOT NULL DEFAULT 0,
    applied    INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL
) WITHOUT ROWID;

-- Shared data as last-writer-wins registers: one row per (item, field) holding the winning
-- write. item is a tag's or label's UUID, or an entry's UUID for its metadata and its tag and
-- label memberships (field 'tag:<uuid>' / 'label:<uuid>', value true or false). The winner
-- is the highest (hlc, device). tags, labels, user_metadata, metadata_tag and metadata_label
-- are derived from these rows (core/sync_shared.go), so every device that holds the same
-- registers shows the same shared tables.
CREATE TABLE sync_registers (
    item   BLOB    NOT NULL,
    field  TEXT    NOT NULL,
    hlc    INTEGER NOT NULL,
    device BLOB    NOT NULL,
    value  TEXT,
    PRIMARY KEY (item, field)
) WITHOUT ROWID;
