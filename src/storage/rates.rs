//! Rate limits every instance shares, on PostgreSQL.
//!
//! N instances behind a load balancer must not give a client N times its
//! quota, so on PostgreSQL the count lives in the database: one UNLOGGED
//! row per kind of request and client (`migrations_postgres/0005`), and one
//! statement per request that reads, decides and writes it (GCRA, the
//! algorithm the in-memory limiter uses too); a refused request reads the
//! row once more to say when to retry. Rows lock one client's count
//! for the length of that statement only; nothing else waits on them.
//!
//! GCRA keeps one time per client, its "theoretical arrival time" (TAT):
//! when its budget would be whole again. A request is allowed when the TAT
//! is at most `burst` ahead of now, and moves it `interval` further (from
//! now, if it lay in the past). A TAT in the past means the same as no row,
//! so [`SharedRates::forget`] may drop those at any time.
//!
//! Times are the instances' own clocks (the `now` they are given), in
//! milliseconds like every stored time; instances on one database are
//! assumed to agree on the time to within a fraction of `interval`.

use sqlx::PgPool;

use super::DbResult;

/// A quota: one request per `interval_ms`, and up to `burst_ms / interval_ms`
/// more at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rate {
    pub interval_ms: i64,
    pub burst_ms: i64,
}

impl Rate {
    /// `n` requests a minute, all of which may come at once (as
    /// `governor::Quota::per_minute` counts them). `None` for 0 (no limit).
    pub fn per_minute(n: u32) -> Option<Self> {
        let n = i64::from(n);
        (n > 0).then(|| {
            let interval_ms = 60_000 / n;
            Self {
                interval_ms: interval_ms.max(1),
                burst_ms: interval_ms.max(1) * (n - 1),
            }
        })
    }
}

/// What counting one request decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Spent {
    Allowed,
    /// Over the quota; the next request is allowed in `wait_ms`.
    Refused {
        wait_ms: i64,
    },
}

/// The shared counters: only a PostgreSQL storage hands one out
/// ([`super::Storage::shared_rates`]), so nothing can count into a table
/// SQLite does not have.
#[derive(Clone, Debug)]
pub struct SharedRates {
    pool: PgPool,
}

impl SharedRates {
    pub(super) fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    /// Counts one request of `kind` from `client` at `now_ms`.
    pub async fn spend(
        &self,
        kind: &str,
        client: &str,
        rate: Rate,
        now_ms: i64,
    ) -> DbResult<Spent> {
        // One statement decides and counts, on the row's latest version
        // and under its lock: concurrent requests on any instance take
        // turns, and only an allowed one moves the time.
        let allowed: Option<i64> = sqlx::query_scalar(
            "INSERT INTO rate_limits AS r (kind, client, tat_ms)
             VALUES ($1, $2, $3 + $4)
             ON CONFLICT (kind, client) DO UPDATE
                 SET tat_ms = GREATEST(r.tat_ms, $3) + $4
                 WHERE r.tat_ms - $3 <= $5
             RETURNING tat_ms",
        )
        .bind(kind)
        .bind(client)
        .bind(now_ms)
        .bind(rate.interval_ms)
        .bind(rate.burst_ms)
        .fetch_optional(&self.pool)
        .await?;
        if allowed.is_some() {
            return Ok(Spent::Allowed);
        }
        // Refused: the row was there, committed, and stays as it was; a
        // new statement sees it (the one above may have begun before it
        // existed) and tells when the next request is allowed.
        let tat: Option<i64> =
            sqlx::query_scalar("SELECT tat_ms FROM rate_limits WHERE kind = $1 AND client = $2")
                .bind(kind)
                .bind(client)
                .fetch_optional(&self.pool)
                .await?;
        Ok(Spent::Refused {
            wait_ms: tat.map_or(0, |tat| tat - now_ms - rate.burst_ms).max(0),
        })
    }

    /// Drops the counts that have run out by `now_ms` (keeps the table
    /// small); answers how many.
    pub async fn forget(&self, now_ms: i64) -> DbResult<u64> {
        sqlx::query("DELETE FROM rate_limits WHERE tat_ms < $1")
            .bind(now_ms)
            .execute(&self.pool)
            .await
            .map(|r| r.rows_affected())
    }
}

#[cfg(test)]
mod tests {
    use super::Rate;

    #[test]
    fn a_minutes_quota_may_all_come_at_once() {
        assert_eq!(Rate::per_minute(0), None);
        assert_eq!(
            Rate::per_minute(30),
            Some(Rate {
                interval_ms: 2_000,
                burst_ms: 58_000
            })
        );
        assert_eq!(
            Rate::per_minute(1),
            Some(Rate {
                interval_ms: 60_000,
                burst_ms: 0
            })
        );
        // More than one a millisecond still counts something.
        assert_eq!(Rate::per_minute(100_000).unwrap().interval_ms, 1);
    }
}
