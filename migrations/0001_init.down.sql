-- Reverses 0001_init: drops every object it created, dependents first.
DROP VIEW entries_seed;
DROP TABLE jobs;
DROP TABLE metadata_label;
DROP TABLE metadata_tag;
DROP TRIGGER labels_no_cycle;
DROP TABLE labels;
DROP TABLE tags;
DROP TABLE entries;
DROP TABLE user_metadata;
DROP TABLE content_identity;
DROP TABLE content_kinds;
DROP TABLE locations;
DROP TABLE devices;
DROP TABLE library;
