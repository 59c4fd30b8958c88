//! Staff accounts and their sessions.

use super::{Conn, DbResult};

pub async fn count_staff(conn: &mut Conn) -> DbResult<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM staff")
        .fetch_one(conn)
        .await
}

/// Creates the account, or replaces its password when it exists.
pub async fn upsert_staff(
    conn: &mut Conn,
    username: &str,
    password_hash: &str,
    now_ms: i64,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO staff (username, password_hash, created_at) VALUES (?, ?, ?)
         ON CONFLICT (username) DO UPDATE SET password_hash = excluded.password_hash",
    )
    .bind(username)
    .bind(password_hash)
    .bind(now_ms)
    .execute(conn)
    .await
    .map(|_| ())
}
