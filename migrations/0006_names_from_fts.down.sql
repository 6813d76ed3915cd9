-- Reverses 0006_names_from_fts: the name and extension b-trees of 0001.
CREATE INDEX entries_name ON entries(name);
CREATE INDEX entries_extension ON entries(extension) WHERE extension IS NOT NULL;
