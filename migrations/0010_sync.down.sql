-- Reverses 0010_sync. Other devices' entries go with it: without the sync tables nothing
-- could update them again, and 0007's UUIDs cannot name them. Their devices and (now empty)
-- locations stay: dropping a location is a user's decision.
DELETE FROM entries WHERE id >= 1099511627776;
DROP TABLE sync_registers;
DROP TABLE sync_cursors;
DROP TABLE sync_dirs;
DROP TABLE sync_log;
DROP TABLE sync_state;
DROP TRIGGER entries_id_floor;
CREATE TRIGGER entries_id_floor AFTER DELETE ON entries
WHEN OLD.id > coalesce((SELECT max(id) FROM entries), 0) BEGIN
    UPDATE library SET entry_id_floor = OLD.id WHERE entry_id_floor < OLD.id;
END;
ALTER TABLE library DROP COLUMN home_device;
