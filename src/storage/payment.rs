//! The operator's bank accounts (see `domain::payment`). A row is never
//! deleted: retiring it keeps who added and who retired it, and when.

use sqlx::FromRow;

use super::{Connection, DbResult};
use crate::domain::{CheckedAccount, PaymentAccount};

#[derive(FromRow)]
struct AccountRow {
    id: i64,
    bank: String,
    number: String,
    holder: String,
}

/// The accounts not retired, in the order they were added.
pub async fn payment_accounts(conn: &mut impl Connection) -> DbResult<Vec<PaymentAccount>> {
    let rows: Vec<AccountRow> = on!(conn, |conn| {
        sqlx::query_as(
            "SELECT id, bank, number, holder FROM payment_accounts
             WHERE retired_at IS NULL ORDER BY id LIMIT 100",
        )
        .fetch_all(conn)
        .await
    })?;
    Ok(rows
        .into_iter()
        .map(|r| PaymentAccount {
            id: r.id,
            bank: r.bank,
            number: r.number,
            holder: r.holder,
        })
        .collect())
}

pub async fn insert_payment_account(
    conn: &mut impl Connection,
    a: &CheckedAccount,
    added_by: &str,
    now_ms: i64,
) -> DbResult<i64> {
    on!(conn, |conn| {
        sqlx::query_scalar(
            "INSERT INTO payment_accounts (bank, number, holder, added_by, added_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(&a.bank)
        .bind(&a.number)
        .bind(&a.holder)
        .bind(added_by)
        .bind(now_ms)
        .fetch_one(conn)
        .await
    })
}

/// Retires the account; false when there is no such account not retired.
pub async fn retire_payment_account(
    conn: &mut impl Connection,
    id: i64,
    retired_by: &str,
    now_ms: i64,
) -> DbResult<bool> {
    on!(conn, |conn| {
        sqlx::query(
            "UPDATE payment_accounts SET retired_by = $1, retired_at = $2
             WHERE id = $3 AND retired_at IS NULL",
        )
        .bind(retired_by)
        .bind(now_ms)
        .bind(id)
        .execute(conn)
        .await
        .map(|r| r.rows_affected() == 1)
    })
}

/// The live QRIS image.
#[derive(Debug, FromRow)]
pub struct QrisRow {
    pub sha256: String,
    pub kind: String,
    pub image: Vec<u8>,
}

/// The live QRIS image's SHA-256 (its version), if there is one.
pub async fn live_qris_version(conn: &mut impl Connection) -> DbResult<Option<String>> {
    on!(conn, |conn| {
        sqlx::query_scalar(
            "SELECT sha256 FROM payment_qris WHERE retired_at IS NULL ORDER BY id DESC LIMIT 1",
        )
        .fetch_optional(conn)
        .await
    })
}

pub async fn live_qris(conn: &mut impl Connection) -> DbResult<Option<QrisRow>> {
    on!(conn, |conn| {
        sqlx::query_as(
            "SELECT sha256, kind, image FROM payment_qris
             WHERE retired_at IS NULL ORDER BY id DESC LIMIT 1",
        )
        .fetch_optional(conn)
        .await
    })
}

/// Retires the live QRIS image; false when there was none.
pub async fn retire_qris(conn: &mut impl Connection, by: &str, now_ms: i64) -> DbResult<bool> {
    on!(conn, |conn| {
        sqlx::query(
            "UPDATE payment_qris SET retired_by = $1, retired_at = $2 WHERE retired_at IS NULL",
        )
        .bind(by)
        .bind(now_ms)
        .execute(conn)
        .await
        .map(|r| r.rows_affected() > 0)
    })
}

pub async fn insert_qris(
    conn: &mut impl Connection,
    sha256: &str,
    kind: &str,
    image: &[u8],
    by: &str,
    now_ms: i64,
) -> DbResult<()> {
    on!(conn, |conn| {
        sqlx::query(
            "INSERT INTO payment_qris (sha256, kind, image, added_by, added_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(sha256)
        .bind(kind)
        .bind(image)
        .bind(by)
        .bind(now_ms)
        .execute(conn)
        .await
        .map(|_| ())
    })
}
