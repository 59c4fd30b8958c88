//! The two migration trees, `migrations/` (SQLite) and
//! `migrations_postgres/` (PostgreSQL), must build the same schema: the
//! same tables, columns (and which may be NULL), primary keys, named
//! constraints and indexes. Code tells a violated constraint by its name,
//! so a name missing on one database would be an `internal` error there.
//!
//! PostgreSQL's UNLOGGED tables are left out: they hold what SQLite keeps
//! in the process's memory (the shared rate limits), not data, and have no
//! twin on SQLite.
//!
//! The PostgreSQL side runs on the server at `KURSI_TEST_PG`
//! (default `postgres://postgres@127.0.0.1:5432/postgres`), in a database
//! of its own that the test creates and drops.

#![cfg(feature = "ssr")]

use std::collections::{BTreeMap, BTreeSet};

use sqlx::{Connection, Executor, Row};

#[derive(Debug, Default, PartialEq, Eq)]
struct Schema {
    /// table -> column -> nullable
    columns: BTreeMap<String, BTreeMap<String, bool>>,
    /// table -> primary key columns
    primary_keys: BTreeMap<String, BTreeSet<String>>,
    /// Named CHECK, UNIQUE and FOREIGN KEY constraints.
    constraints: BTreeSet<String>,
    /// Indexes created by name (not those behind a constraint).
    indexes: BTreeSet<String>,
}

/// SQLite keeps 0/1 flags in INTEGER columns with a `*_bool` CHECK;
/// PostgreSQL has BOOLEAN, so those checks exist on one side only.
fn comparable(name: &str) -> bool {
    !name.ends_with("_bool") && !name.ends_with("_pk")
}

async fn sqlite_schema() -> Schema {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("schema.db").display());
    let storage = kursi::storage::Storage::open(&url).await.unwrap();
    let pool = &sqlx::SqlitePool::connect(&url).await.unwrap();
    let mut schema = Schema::default();
    let tables = sqlx::query(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table'
         AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for t in tables {
        let (table, sql): (String, String) = (t.get(0), t.get(1));
        let cols = sqlx::query("SELECT name, \"notnull\", pk FROM pragma_table_info(?)")
            .bind(&table)
            .fetch_all(pool)
            .await
            .unwrap();
        for c in cols {
            let (name, notnull, pk): (String, i64, i64) = (c.get(0), c.get(1), c.get(2));
            // A PRIMARY KEY column is NOT NULL on both (SQLite's rowid alias
            // does not say so).
            let nullable = notnull == 0 && pk == 0;
            schema
                .columns
                .entry(table.clone())
                .or_default()
                .insert(name.clone(), nullable);
            if pk > 0 {
                schema
                    .primary_keys
                    .entry(table.clone())
                    .or_default()
                    .insert(name);
            }
        }
        for part in sql.split("CONSTRAINT ").skip(1) {
            let name: String = part
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if comparable(&name) {
                schema.constraints.insert(name);
            }
        }
    }
    let indexes = sqlx::query_scalar::<_, String>(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    schema.indexes.extend(indexes);
    storage.close().await;
    schema
}

async fn postgres_schema() -> Schema {
    let admin_url = std::env::var("KURSI_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let db = format!("kursi_schema_{}", rand::random::<u32>());
    let mut admin = sqlx::PgConnection::connect(&admin_url)
        .await
        .expect("PostgreSQL on 127.0.0.1:5432 (see README)");
    admin
        .execute(format!("CREATE DATABASE {db}").as_str())
        .await
        .unwrap();
    let url = match admin_url.rsplit_once('/') {
        Some((base, _)) => format!("{base}/{db}"),
        None => unreachable!(),
    };
    let schema = {
        let pool = sqlx::PgPool::connect(&url).await.unwrap();
        sqlx::migrate!("./migrations_postgres")
            .run(&pool)
            .await
            .unwrap();
        let mut schema = Schema::default();
        let cols = sqlx::query(
            "SELECT table_name::text, column_name::text, is_nullable = 'YES'
             FROM information_schema.columns
             WHERE table_schema = 'public' AND table_name <> '_sqlx_migrations'
               AND table_name::text NOT IN (SELECT relname::text FROM pg_class WHERE relpersistence = 'u')",
        )
        .fetch_all(&pool)
        .await
        .unwrap();
        for c in cols {
            let (table, name, nullable): (String, String, bool) = (c.get(0), c.get(1), c.get(2));
            schema
                .columns
                .entry(table)
                .or_default()
                .insert(name, nullable);
        }
        let keys = sqlx::query(
            "SELECT c.conrelid::regclass::text, a.attname::text
             FROM pg_constraint c
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
             WHERE c.contype = 'p' AND c.connamespace = 'public'::regnamespace
               AND c.conrelid::regclass::text <> '_sqlx_migrations'
               AND (SELECT relpersistence FROM pg_class WHERE oid = c.conrelid) <> 'u'",
        )
        .fetch_all(&pool)
        .await
        .unwrap();
        for k in keys {
            let (table, column): (String, String) = (k.get(0), k.get(1));
            schema.primary_keys.entry(table).or_default().insert(column);
        }
        let names = sqlx::query_scalar::<_, String>(
            "SELECT conname::text FROM pg_constraint
             WHERE contype IN ('c', 'u', 'f') AND connamespace = 'public'::regnamespace",
        )
        .fetch_all(&pool)
        .await
        .unwrap();
        schema
            .constraints
            .extend(names.into_iter().filter(|n| comparable(n)));
        let indexes = sqlx::query_scalar::<_, String>(
            "SELECT i.indexname::text FROM pg_indexes i
             WHERE i.schemaname = 'public' AND i.tablename <> '_sqlx_migrations'
               AND i.tablename::text NOT IN (SELECT relname::text FROM pg_class WHERE relpersistence = 'u')
               AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                               WHERE c.conname = i.indexname AND c.contype IN ('p', 'u'))",
        )
        .fetch_all(&pool)
        .await
        .unwrap();
        schema.indexes.extend(indexes);
        pool.close().await;
        schema
    };
    admin
        .execute(format!("DROP DATABASE {db} WITH (FORCE)").as_str())
        .await
        .unwrap();
    schema
}

#[tokio::test]
async fn both_migration_trees_build_the_same_schema() {
    let sqlite = sqlite_schema().await;
    let postgres = postgres_schema().await;
    assert!(sqlite.columns.contains_key("holds") && !sqlite.constraints.is_empty());
    assert_eq!(sqlite.columns, postgres.columns, "tables and columns");
    assert_eq!(sqlite.primary_keys, postgres.primary_keys, "primary keys");
    assert_eq!(sqlite.constraints, postgres.constraints, "constraint names");
    assert_eq!(sqlite.indexes, postgres.indexes, "index names");
}

#[tokio::test]
async fn the_audit_log_is_append_only_on_postgresql_too() {
    let admin_url = std::env::var("KURSI_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let db = format!("kursi_audit_{}", rand::random::<u32>());
    let mut admin = sqlx::PgConnection::connect(&admin_url).await.unwrap();
    admin
        .execute(format!("CREATE DATABASE {db}").as_str())
        .await
        .unwrap();
    let url = format!("{}/{db}", admin_url.rsplit_once('/').unwrap().0);
    {
        let pool = sqlx::PgPool::connect(&url).await.unwrap();
        sqlx::migrate!("./migrations_postgres")
            .run(&pool)
            .await
            .unwrap();
        pool.execute(
            "INSERT INTO trips (route_from, route_to, depart_at, price, bus_type, admin_wa, created_at)
             VALUES ('Jakarta', 'Bandung', 1, 1, 'ECONOMY', '62', 0);
             INSERT INTO audit_log (at, actor, action, trip_id) VALUES (0, 'system', 'trip', 1);",
        )
        .await
        .unwrap();
        for edit in [
            "UPDATE audit_log SET actor = 'someone else'",
            "DELETE FROM audit_log",
            "TRUNCATE audit_log",
        ] {
            let err = pool.execute(edit).await.expect_err(edit).to_string();
            assert!(err.contains("append-only"), "{edit}: {err}");
        }
        let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(rows, 1);
        pool.close().await;
    }
    admin
        .execute(format!("DROP DATABASE {db} WITH (FORCE)").as_str())
        .await
        .unwrap();
}

/// Migration 0014 rebuilds SQLite's audit log (to let it record boarding):
/// the rows written before stay, `board` is accepted, and the table is as
/// append-only as before.
#[tokio::test]
async fn the_rebuilt_audit_log_keeps_its_rows_and_stays_append_only_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("audit.db").display()
    );
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    let mut before = sqlx::migrate!("./migrations");
    before.migrations = before
        .migrations
        .iter()
        .filter(|m| m.version < 14)
        .cloned()
        .collect::<Vec<_>>()
        .into();
    before.run(&pool).await.unwrap();
    pool.execute(
        "INSERT INTO trips (route_from, route_to, depart_at, price, bus_type, admin_wa, created_at)
         VALUES ('Jakarta', 'Bandung', 1, 1, 'ECONOMY', '62', 0);
         INSERT INTO audit_log (at, actor, action, trip_id, detail) VALUES (7, 'system', 'trip', 1, 'made');",
    )
    .await
    .unwrap();
    assert!(
        pool.execute(
            "INSERT INTO audit_log (at, actor, action, trip_id) VALUES (8, 'crew:joko', 'board', 1)"
        )
        .await
        .is_err(),
        "before 0014 there is no boarding"
    );
    sqlx::migrate!("./migrations").run(&pool).await.unwrap();
    pool.execute(
        "INSERT INTO audit_log (at, actor, action, trip_id) VALUES (8, 'crew:joko', 'board', 1)",
    )
    .await
    .unwrap();
    let rows: Vec<(i64, String, String)> =
        sqlx::query_as("SELECT at, action, detail FROM audit_log ORDER BY id")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(
        rows,
        vec![
            (7, "trip".into(), "made".into()),
            (8, "board".into(), String::new())
        ]
    );
    for edit in [
        "UPDATE audit_log SET actor = 'someone else'",
        "DELETE FROM audit_log",
    ] {
        let err = pool.execute(edit).await.expect_err(edit).to_string();
        assert!(err.contains("append-only"), "{edit}: {err}");
    }
    pool.close().await;
}
