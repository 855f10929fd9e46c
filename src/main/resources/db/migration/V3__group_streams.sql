-- Durable groups: a group's stream lives beside the uids' streams, keyed by '#' and the group's name
-- ('#' is not a name character, so a group's key never equals a uid). Names are at most 128 characters,
-- so keys take one more. Widening a VARCHAR rewrites no rows.
ALTER TABLE herald_stream ALTER COLUMN uid SET DATA TYPE VARCHAR(129);
ALTER TABLE herald_message ALTER COLUMN uid SET DATA TYPE VARCHAR(129);
