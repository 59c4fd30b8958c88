//! Staff accounts and their sessions.

use super::{Connection, DbResult};

pub async fn count_staff(conn: &mut impl Connection) -> DbResult<i64> {
    on!(conn, |conn| {
        sqlx::query_scalar("SELECT COUNT(*) FROM staff")
            .fetch_one(conn)
            .await
    })
}

/// Creates the account, or replaces its password and role when it exists.
pub async fn upsert_staff(
    conn: &mut impl Connection,
    username: &str,
    password_hash: &str,
    role: &str,
    now_ms: i64,
) -> DbResult<()> {
    on!(conn, |conn| {
        sqlx::query(
            "INSERT INTO staff (username, password_hash, role, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (username) DO UPDATE SET password_hash = excluded.password_hash, role = excluded.role",
        )
        .bind(username)
        .bind(password_hash)
        .bind(role)
        .bind(now_ms)
        .execute(conn)
        .await
        .map(|_| ())
    })
}

/// A staff account as sign-in needs it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct StaffRow {
    pub id: i64,
    pub username: String,
    pub password_hash: String,
    pub role: String,
}

pub async fn staff_by_username(
    conn: &mut impl Connection,
    username: &str,
) -> DbResult<Option<StaffRow>> {
    on!(conn, |conn| {
        sqlx::query_as("SELECT id, username, password_hash, role FROM staff WHERE username = $1")
            .bind(username)
            .fetch_optional(conn)
            .await
    })
}

pub async fn insert_staff_session(
    conn: &mut impl Connection,
    token_hash: &str,
    staff_id: i64,
    now_ms: i64,
    expires_ms: i64,
) -> DbResult<()> {
    on!(conn, |conn| {
        sqlx::query(
        "INSERT INTO staff_sessions (token_hash, staff_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(token_hash)
    .bind(staff_id)
    .bind(now_ms)
    .bind(expires_ms)
    .execute(conn)
    .await
    .map(|_| ())
    })
}

/// The username and role of a live staff session.
pub async fn staff_of_session(
    conn: &mut impl Connection,
    token_hash: &str,
    now_ms: i64,
) -> DbResult<Option<(String, String)>> {
    on!(conn, |conn| {
        sqlx::query_as(
            "SELECT s.username, s.role FROM staff_sessions ss JOIN staff s ON s.id = ss.staff_id
         WHERE ss.token_hash = $1 AND ss.expires_at > $2",
        )
        .bind(token_hash)
        .bind(now_ms)
        .fetch_optional(conn)
        .await
    })
}

pub async fn delete_staff_session(conn: &mut impl Connection, token_hash: &str) -> DbResult<()> {
    on!(conn, |conn| {
        sqlx::query("DELETE FROM staff_sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(conn)
            .await
            .map(|_| ())
    })
}

/// Signs a staff member out everywhere (after a password reset).
pub async fn delete_sessions_of_staff(conn: &mut impl Connection, username: &str) -> DbResult<()> {
    on!(conn, |conn| {
        sqlx::query(
        "DELETE FROM staff_sessions WHERE staff_id IN (SELECT id FROM staff WHERE username = $1)",
    )
    .bind(username)
    .execute(conn)
    .await
    .map(|_| ())
    })
}

/// Forgets staff sessions that have run out.
pub async fn purge_staff_sessions(conn: &mut impl Connection, now_ms: i64) -> DbResult<u64> {
    on!(conn, |conn| {
        sqlx::query("DELETE FROM staff_sessions WHERE expires_at <= $1")
            .bind(now_ms)
            .execute(conn)
            .await
            .map(|r| r.rows_affected())
    })
}

/// The server's key called `name`: `fresh` is stored the first time and
/// whatever is stored is returned (several instances starting at once all
/// get the first one written).
pub async fn server_key(conn: &mut impl Connection, name: &str, fresh: &str) -> DbResult<String> {
    on!(conn, |conn| {
        sqlx::query(
            "INSERT INTO server_keys (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(fresh)
        .execute(&mut *conn)
        .await?;
        sqlx::query_scalar("SELECT value FROM server_keys WHERE name = $1")
            .bind(name)
            .fetch_one(conn)
            .await
    })
}
