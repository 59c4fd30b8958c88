-- PostgreSQL's twin of migrations/0003_folded_names.sql.
ALTER TABLE holds ADD COLUMN name_folded TEXT;
UPDATE holds SET name_folded = lower(name) WHERE name IS NOT NULL;
