-- The seed's indexes on the large tables, created after the bulk load
-- (VACUUM rebuilds every b-tree, so the measured size is the same as if they
-- had existed during the load; only the load is faster).

-- Critical indexes for performance
CREATE INDEX idx_entries_uuid ON entries(uuid);
CREATE INDEX idx_entries_name ON entries(name);
CREATE INDEX idx_entries_kind ON entries(kind);
CREATE INDEX idx_entries_size ON entries(size);
-- FIX 2: the seed indexes (prefix_id, relative_path) but entries has no
-- prefix_id column ("no such column"). The seed's own "Composite indexes"
-- list names entries(location_id, relative_path) for "fast directory
-- hierarchy queries", so that is the index created here.
CREATE INDEX idx_entries_prefix_path ON entries(location_id, relative_path);
CREATE INDEX idx_entries_location ON entries(location_id);
CREATE INDEX idx_entries_content ON entries(content_id);
CREATE INDEX idx_entries_metadata ON entries(metadata_id);

CREATE INDEX idx_user_metadata_uuid ON user_metadata(uuid);
CREATE INDEX idx_user_metadata_favorite ON user_metadata(favorite);
CREATE INDEX idx_user_metadata_hidden ON user_metadata(hidden);

CREATE UNIQUE INDEX idx_content_identity_cas ON content_identity(cas_id);
CREATE INDEX idx_content_identity_kind ON content_identity(kind);
CREATE INDEX idx_content_identity_size ON content_identity(size_bytes);
