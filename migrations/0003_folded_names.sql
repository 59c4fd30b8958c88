-- Case-insensitive name search that works beyond ASCII.
--
-- SQLite's lower() and LIKE fold only ASCII letters, so "łukasz" would not
-- find "Łukasz". The application stores each name once more, folded with
-- Unicode rules (Rust's to_lowercase), and searches that column with a
-- pattern folded the same way. Portable: no collation or extension needed.
ALTER TABLE holds ADD COLUMN name_folded TEXT;

-- Existing rows: ASCII folding is the best SQL alone can do.
UPDATE holds SET name_folded = lower(name) WHERE name IS NOT NULL;
