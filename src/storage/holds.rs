//! Holds and the seats they own.
//!
//! Every function that changes a seat is a conditional UPDATE whose rows
//! affected tell whether it happened; callers run them inside one write
//! transaction and roll back when a step fails, so a hold is all-or-nothing.

use sqlx::{Database, Encode, QueryBuilder, Type};

use super::lite;
use super::rows::{HeldSeat, HoldContextRow, HoldOpeningRow, HoldSeatRow, ReleasedRow};
use super::{
    Connection, DbResult, HoldContext, HoldOpening, HoldRow, Released, TripInfo, like_pattern,
};
use crate::domain::Stop;

/// The columns of a [`HoldRow`]: a hold with its trip's price, route, admin
/// and bus type (aliases `h` and `t`).
macro_rules! hold_columns {
    () => {
        "h.id, h.trip_id, h.session_hash, h.status, h.started_at, h.expires_at,
         h.passenger_extended, h.name, h.whatsapp, h.claim_code, h.booking_code, h.booked_at,
         h.unique_code, h.amount_due, h.board_place, h.board_minutes, h.alight_place,
         h.alight_minutes, t.price, t.admin_wa, t.route_from, t.route_to, t.depart_at, t.bus_type"
    };
}

const HOLD_SELECT: &str = concat!(
    "SELECT ",
    hold_columns!(),
    " FROM holds h JOIN trips t ON t.id = h.trip_id"
);

/// The same plus each of the hold's seats (`seat`), one row per seat: a
/// hold and its seats in one statement.
const HOLD_WITH_SEATS_SELECT: &str = concat!(
    "SELECT ",
    hold_columns!(),
    ", hs.code AS seat, hs.passenger_name AS seat_name
     FROM holds h JOIN trips t ON t.id = h.trip_id
     LEFT JOIN hold_seats hs ON hs.hold_id = h.id"
);

/// `sql` (a query of [`HOLD_SELECT`] for one hold) as a write reads it: on
/// PostgreSQL with the hold's row lock, so what the write decides from the
/// hold stays true until it commits, whatever other instances do (a second
/// confirm of the same claim waits, or runs again, and then sees BOOKED).
/// SQLite's write transaction is the only writer anyway.
fn for_write(conn: &mut impl Connection, sql: String) -> String {
    if conn.writes() && conn.is_postgres() {
        sql + " FOR UPDATE OF h"
    } else {
        sql
    }
}

/// A live hold that passed its expiry and must now be released.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct DueHold {
    pub id: i64,
    pub trip_id: i64,
    pub expires_at: i64,
}

/// Live holds whose time is up at `now_ms`, oldest first, at most `limit`.
/// On PostgreSQL they are locked, and holds another instance is expiring
/// right now are skipped (it writes their audit rows).
pub async fn due_holds(
    conn: &mut impl Connection,
    now_ms: i64,
    limit: i64,
) -> DbResult<Vec<DueHold>> {
    macro_rules! due {
        () => {
            "SELECT id, trip_id, expires_at FROM holds
             WHERE status = 'HELD' AND expires_at <= $1 ORDER BY expires_at, id LIMIT $2"
        };
    }
    if let Some(c) = conn.lite().await? {
        return lite::query(c, due!(), &[&now_ms, &limit], |r| {
            Ok(DueHold {
                id: r.get(0)?,
                trip_id: r.get(1)?,
                expires_at: r.get(2)?,
            })
        });
    }
    match conn.raw() {
        super::Raw::Sqlite(c) => {
            sqlx::query_as(due!())
                .bind(now_ms)
                .bind(limit)
                .fetch_all(c)
                .await
        }
        super::Raw::Postgres(c) => {
            sqlx::query_as(concat!(due!(), " FOR UPDATE SKIP LOCKED"))
                .bind(now_ms)
                .bind(limit)
                .fetch_all(c)
                .await
        }
    }
}

/// When the next live hold expires after `now_ms`, if any hold is live.
pub async fn next_expiry(conn: &mut impl Connection, now_ms: i64) -> DbResult<Option<i64>> {
    on!(conn, |conn| {
        sqlx::query_scalar(
            "SELECT MIN(expires_at) FROM holds WHERE status = 'HELD' AND expires_at > $1",
        )
        .bind(now_ms)
        .fetch_one(conn)
        .await
    })
}

/// Frees every seat a hold owns in HOLD state; returns their codes.
pub async fn free_held_seats(conn: &mut impl Connection, hold_id: i64) -> DbResult<Vec<String>> {
    const SQL: &str = "UPDATE seats SET status = 'AVAILABLE', hold_id = NULL
         WHERE hold_id = $1 AND status = 'HOLD' RETURNING code";
    if let Some(c) = conn.lite().await? {
        return lite::query(c, SQL, &[&hold_id], |r| r.get(0));
    }
    on!(conn, |conn| {
        sqlx::query_scalar(SQL).bind(hold_id).fetch_all(conn).await
    })
}

/// Moves a hold from HELD to `status`; false when it was not HELD.
pub async fn end_hold(
    conn: &mut impl Connection,
    hold_id: i64,
    status: &str,
    at: i64,
) -> DbResult<bool> {
    const SQL: &str =
        "UPDATE holds SET status = $1, ended_at = $2 WHERE id = $3 AND status = 'HELD'";
    if let Some(c) = conn.lite().await? {
        return lite::execute(c, SQL, &[&status, &at, &hold_id]).map(|n| n == 1);
    }
    on!(conn, |conn| {
        let done = sqlx::query(SQL)
            .bind(status)
            .bind(at)
            .bind(hold_id)
            .execute(conn)
            .await?;
        Ok(done.rows_affected() == 1)
    })
}

/// The session's HELD hold, if any (callers expire due holds first).
pub async fn live_hold_of_session(
    conn: &mut impl Connection,
    session_hash: &str,
) -> DbResult<Option<HoldRow>> {
    let sql = for_write(
        conn,
        format!("{HOLD_SELECT} WHERE h.session_hash = $1 AND h.status = 'HELD'"),
    );
    on!(conn, |conn| {
        sqlx::query_as(&sql)
            .bind(session_hash)
            .fetch_optional(conn)
            .await
    })
}

/// The session's newest hold, whatever its status (to tell a passenger
/// whose hold ended how it ended).
pub async fn latest_hold_of_session(
    conn: &mut impl Connection,
    session_hash: &str,
) -> DbResult<Option<HoldRow>> {
    let sql = format!("{HOLD_SELECT} WHERE h.session_hash = $1 ORDER BY h.id DESC LIMIT 1");
    on!(conn, |conn| {
        sqlx::query_as(&sql)
            .bind(session_hash)
            .fetch_optional(conn)
            .await
    })
}

/// PostgreSQL: locks the session's live hold, in a statement of its own;
/// false when it has none. A statement that locks a row and reads others
/// reads them as they were when it began, before it waited for the lock:
/// seats another instance added to the hold and committed meanwhile would
/// be missing from what it read, and a release would end the hold with
/// them still taken by it (seats nobody could hold again). The statements
/// after this one see every change committed before the lock was granted,
/// and no other write changes the hold's seats until this one commits
/// (each locks the hold first).
async fn lock_live_hold(c: &mut sqlx::PgConnection, session_hash: &str) -> DbResult<bool> {
    let locked: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM holds WHERE session_hash = $1 AND status = 'HELD' FOR UPDATE",
    )
    .bind(session_hash)
    .fetch_optional(c)
    .await?;
    Ok(locked.is_some())
}

/// The session's HELD hold with its seats: one statement, after the lock
/// of [`lock_live_hold`] on PostgreSQL's write road.
pub async fn live_hold_with_seats(
    conn: &mut impl Connection,
    session_hash: &str,
) -> DbResult<Option<(HoldRow, Vec<HeldSeat>)>> {
    if conn.writes()
        && let Some(super::Raw::Postgres(c)) = conn.is_postgres().then(|| conn.raw())
        && !lock_live_hold(c, session_hash).await?
    {
        return Ok(None);
    }
    let sql = for_write(
        conn,
        format!(
            "{HOLD_WITH_SEATS_SELECT} WHERE h.session_hash = $1 AND h.status = 'HELD' ORDER BY hs.code"
        ),
    );
    if let Some(c) = conn.lite().await? {
        let rows = lite::query(c, &sql, &[&session_hash], |r| {
            let seat: Option<String> = r.get(24)?;
            let name: Option<String> = r.get(25)?;
            Ok((HoldRow::from_lite(r)?, seat, name))
        })?;
        let seats = rows
            .iter()
            .filter_map(|(_, code, name)| {
                code.clone().map(|code| HeldSeat {
                    code,
                    name: name.clone(),
                })
            })
            .collect();
        return Ok(rows.into_iter().next().map(|(hold, _, _)| (hold, seats)));
    }
    on!(conn, |conn| {
        let rows: Vec<HoldSeatRow> = sqlx::query_as(&sql)
            .bind(session_hash)
            .fetch_all(conn)
            .await?;
        let seats = rows
            .iter()
            .filter_map(|r| {
                r.seat.clone().map(|code| HeldSeat {
                    code,
                    name: r.seat_name.clone(),
                })
            })
            .collect();
        Ok(rows.into_iter().next().map(|r| (r.hold, seats)))
    })
}

pub async fn hold_by_id(conn: &mut impl Connection, id: i64) -> DbResult<Option<HoldRow>> {
    let sql = for_write(conn, format!("{HOLD_SELECT} WHERE h.id = $1"));
    on!(conn, |conn| {
        sqlx::query_as(&sql).bind(id).fetch_optional(conn).await
    })
}

pub async fn hold_by_claim_code(
    conn: &mut impl Connection,
    claim_code: &str,
) -> DbResult<Option<HoldRow>> {
    let sql = for_write(conn, format!("{HOLD_SELECT} WHERE h.claim_code = $1"));
    on!(conn, |conn| {
        sqlx::query_as(&sql)
            .bind(claim_code)
            .fetch_optional(conn)
            .await
    })
}

pub async fn hold_by_booking_code(
    conn: &mut impl Connection,
    code: &str,
) -> DbResult<Option<HoldRow>> {
    let sql = for_write(conn, format!("{HOLD_SELECT} WHERE h.booking_code = $1"));
    on!(conn, |conn| {
        sqlx::query_as(&sql).bind(code).fetch_optional(conn).await
    })
}

/// The filter of the admin's hold list.
#[derive(Clone, Debug, Default)]
pub struct HoldQuery {
    /// Part of the name, or a claim code in canonical form.
    pub text: Option<String>,
    pub claim_code: Option<String>,
    /// An amount to transfer the text may be (`Rp 300.417`).
    pub amount: Option<i64>,
    /// Only holds in this stored status.
    pub status: Option<String>,
    /// With `status = HELD`: only those still live at this time (ms).
    pub live_at: Option<i64>,
    pub trip_id: Option<i64>,
}

/// Holds with contact details (the ones an admin can act on), newest first.
pub async fn search_holds(conn: &mut impl Connection, q: &HoldQuery) -> DbResult<Vec<HoldRow>> {
    on!(conn, |conn| {
        let sql = format!(
        "{HOLD_SELECT}
         WHERE h.claim_code IS NOT NULL
           AND ($1 IS NULL OR h.name_folded LIKE $1 ESCAPE '\\' OR h.claim_code = $2 OR h.whatsapp LIKE $1 ESCAPE '\\' OR h.amount_due = $6)
           AND ($3 IS NULL OR h.status = $3)
           AND ($4 IS NULL OR h.expires_at > $4)
           AND ($5 IS NULL OR h.trip_id = $5)
         ORDER BY h.started_at DESC, h.id DESC
         LIMIT 500"
    );
        sqlx::query_as(&sql)
            .bind(q.text.as_deref().map(like_pattern))
            .bind(q.claim_code.as_deref())
            .bind(q.status.as_deref())
            .bind(q.live_at)
            .bind(q.trip_id)
            .bind(q.amount)
            .fetch_all(conn)
            .await
    })
}

/// Holds whose amount to transfer is one of `amounts` and that a
/// transfer may still concern: awaiting payment, expired, or booked, on a
/// trip departing after `since` (ms). For matching a bank statement.
pub async fn holds_with_amounts(
    conn: &mut impl Connection,
    amounts: &[i64],
    since: i64,
) -> DbResult<Vec<HoldRow>> {
    on!(conn, |conn| {
        if amounts.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = QueryBuilder::new(HOLD_SELECT);
        q.push(" WHERE h.status IN ('HELD', 'EXPIRED', 'BOOKED') AND t.depart_at > ");
        q.push_bind(since);
        q.push(" AND h.amount_due IN (");
        let mut list = q.separated(", ");
        for amount in amounts {
            list.push_bind(*amount);
        }
        q.push(") ORDER BY h.started_at, h.id LIMIT 5000");
        q.build_query_as().fetch_all(conn).await
    })
}

/// The seats of a hold: for a live hold the ones it owns now; for an ended
/// one the ones it had when it ended.
pub async fn seats_of_hold(conn: &mut impl Connection, hold_id: i64) -> DbResult<Vec<HeldSeat>> {
    on!(conn, |conn| {
        sqlx::query_as(
            "SELECT code, passenger_name AS name FROM hold_seats WHERE hold_id = $1 ORDER BY code",
        )
        .bind(hold_id)
        .fetch_all(conn)
        .await
    })
}

/// The codes of [`seats_of_hold`].
pub async fn seat_codes_of_hold(conn: &mut impl Connection, hold_id: i64) -> DbResult<Vec<String>> {
    on!(conn, |conn| {
        sqlx::query_scalar("SELECT code FROM hold_seats WHERE hold_id = $1 ORDER BY code")
            .bind(hold_id)
            .fetch_all(conn)
            .await
    })
}

/// The seats of many holds at once (as [`seats_of_hold`] reads one):
/// `(hold id, seat)` pairs.
pub async fn seats_of_holds(
    conn: &mut impl Connection,
    ids: &[i64],
) -> DbResult<Vec<(i64, HeldSeat)>> {
    let rows: Vec<(i64, String, Option<String>)> = on!(conn, |conn| {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = QueryBuilder::new(
            "SELECT hold_id, code, passenger_name FROM hold_seats WHERE hold_id IN (",
        );
        let mut list = q.separated(", ");
        for id in ids {
            list.push_bind(*id);
        }
        q.push(") ORDER BY hold_id, code");
        q.build_query_as().fetch_all(conn).await
    })?;
    Ok(rows
        .into_iter()
        .map(|(hold, code, name)| (hold, HeldSeat { code, name }))
        .collect())
}

/// Gives each seat of a hold its passenger's name (None: the contact
/// person's). Seats not listed keep theirs.
pub async fn set_seat_names(
    conn: &mut impl Connection,
    hold_id: i64,
    names: &[(String, Option<String>)],
) -> DbResult<()> {
    for (code, name) in names {
        on!(conn, |conn| {
            sqlx::query(
                "UPDATE hold_seats SET passenger_name = $3 WHERE hold_id = $1 AND code = $2",
            )
            .bind(hold_id)
            .bind(code)
            .bind(name.as_deref())
            .execute(conn)
            .await
            .map(|_| ())
        })?;
    }
    Ok(())
}

/// A hold about to be opened (see [`open_hold`]).
#[derive(Clone, Copy, Debug)]
pub struct NewHold<'a> {
    pub trip_id: i64,
    pub session_hash: &'a str,
    /// The client's address as the limits key it, for the per-address cap.
    pub client_key: Option<&'a str>,
    pub started_at: i64,
    pub expires_at: i64,
}

/// A hold request's read and, when that allows, its write: reads what
/// [`hold_context`] reads (and, with a `client_cap` above 0, the seats
/// `hold.client_key` holds live on the trip), and opens the hold with every
/// seat of `codes` only when the trip is active and departs after the
/// hold's start, the session has no live hold, every code is an AVAILABLE
/// seat of the trip and the client holds at most `client_cap` seats of the
/// trip with them. Otherwise it changes nothing. `None` when there is no
/// such trip.
///
/// On PostgreSQL this is one statement, one round trip: what passengers
/// do most (a seat on a new hold) is the hot path of a contended trip.
/// A seat another instance took meanwhile is not taken (the caller rolls
/// the write back unless it took them all). On SQLite it is the same
/// steps, each a call into the same process.
pub async fn open_hold(
    conn: &mut impl Connection,
    hold: &NewHold<'_>,
    codes: &[String],
    client_cap: i64,
) -> DbResult<Option<HoldOpening>> {
    // (`is_postgres` first: on SQLite's write road `raw` hands the
    // connection back to sqlx's thread, which the steps would take again.)
    if let Some(super::Raw::Postgres(c)) = conn.is_postgres().then(|| conn.raw()) {
        let row: Option<HoldOpeningRow> = sqlx::query_as(
            "WITH t AS (
                 SELECT id, route_from, route_to, depart_at, price, bus_type, admin_wa, is_active,
                        stops
                 FROM trips WHERE id = $1),
             live AS (SELECT id FROM holds WHERE status = 'HELD' AND session_hash = $2),
             asked AS (
                 SELECT code, status FROM seats WHERE trip_id = $1 AND code = ANY($6)),
             mine AS (
                 SELECT COUNT(*) AS n FROM seats s JOIN holds h ON h.id = s.hold_id
                 WHERE $7 > 0 AND h.trip_id = $1 AND h.client_key = $3 AND h.status = 'HELD'
                   AND h.expires_at > $4 AND s.status = 'HOLD'),
             h AS (
                 INSERT INTO holds (trip_id, session_hash, client_key, status, started_at,
                                    expires_at)
                 SELECT $1, $2, $3, 'HELD', $4, $5 FROM t
                 WHERE t.is_active AND t.depart_at > $4
                   AND NOT EXISTS (SELECT 1 FROM live)
                   AND (SELECT COUNT(*) FROM asked WHERE status = 'AVAILABLE')
                       = cardinality($6)
                   AND ($7 = 0 OR (SELECT n FROM mine) + cardinality($6) <= $7)
                 RETURNING id),
             s AS (
                 UPDATE seats SET status = 'HOLD', hold_id = h.id FROM h
                 WHERE seats.status = 'AVAILABLE' AND seats.trip_id = $1
                   AND seats.code = ANY($6)
                 RETURNING seats.code),
             hs AS (INSERT INTO hold_seats (hold_id, code) SELECT h.id, s.code FROM h, s)
             SELECT t.*, (SELECT id FROM live) AS live_hold_id,
                    ARRAY(SELECT code FROM asked WHERE status <> 'AVAILABLE') AS taken,
                    (SELECT n FROM mine) AS others, (SELECT id FROM h) AS opened,
                    ARRAY(SELECT code FROM s) AS took
             FROM t",
        )
        .bind(hold.trip_id)
        .bind(hold.session_hash)
        .bind(hold.client_key)
        .bind(hold.started_at)
        .bind(hold.expires_at)
        .bind(codes)
        .bind(client_cap)
        .fetch_optional(c)
        .await?;
        return Ok(row.map(|r| HoldOpening {
            context: HoldContext {
                trip: r.trip,
                live_hold_id: r.live_hold_id,
                taken: r.taken,
            },
            others_of_client: r.others,
            opened: r.opened.map(|id| (id, r.took)),
        }));
    }
    open_hold_in_steps(conn, hold, codes, client_cap).await
}

/// [`open_hold`] as separate statements (SQLite).
async fn open_hold_in_steps(
    conn: &mut impl Connection,
    hold: &NewHold<'_>,
    codes: &[String],
    client_cap: i64,
) -> DbResult<Option<HoldOpening>> {
    let Some(context) = hold_context(conn, hold.trip_id, hold.session_hash, codes).await? else {
        return Ok(None);
    };
    let others_of_client = match hold.client_key {
        Some(client) if client_cap > 0 => {
            live_seats_of_client(conn, hold.trip_id, client, hold.started_at, 0).await?
        }
        _ => 0,
    };
    let allowed = context.trip.is_active
        && context.trip.depart_at > hold.started_at
        && context.live_hold_id.is_none()
        && context.taken.is_empty()
        && (client_cap == 0 || others_of_client + codes.len() as i64 <= client_cap);
    let opened = match allowed {
        true => Some(insert_hold_with_seats(conn, hold, codes).await?),
        false => None,
    };
    Ok(Some(HoldOpening {
        context,
        others_of_client,
        opened,
    }))
}

/// Opens a hold and gives it every seat of `codes` that is AVAILABLE (as
/// [`take_seats`]): its id and the codes it took.
async fn insert_hold_with_seats(
    conn: &mut impl Connection,
    hold: &NewHold<'_>,
    codes: &[String],
) -> DbResult<(i64, Vec<String>)> {
    const SQL: &str =
        "INSERT INTO holds (trip_id, session_hash, client_key, status, started_at, expires_at)
         VALUES ($1, $2, $3, 'HELD', $4, $5) RETURNING id";
    // (What the lite path borrows must be gone before the next await.)
    let lite_id = match conn.lite().await? {
        Some(c) => {
            let (trip, session, client) = (hold.trip_id, hold.session_hash, hold.client_key);
            let params: [&dyn rusqlite::ToSql; 5] =
                [&trip, &session, &client, &hold.started_at, &hold.expires_at];
            let ids: Vec<i64> = lite::query(c, SQL, &params, |r| r.get(0))?;
            Some(ids.first().copied().ok_or(sqlx::Error::RowNotFound)?)
        }
        None => None,
    };
    let id = match lite_id {
        Some(id) => id,
        None => on!(conn, |conn| {
            sqlx::query_scalar(SQL)
                .bind(hold.trip_id)
                .bind(hold.session_hash)
                .bind(hold.client_key)
                .bind(hold.started_at)
                .bind(hold.expires_at)
                .fetch_one(conn)
                .await
        })?,
    };
    let taken = take_seats(conn, hold.trip_id, codes, id).await?;
    Ok((id, taken))
}

/// Seats of `trip_id` held now by live holds that client `client_key` made,
/// other than hold `except`.
pub async fn live_seats_of_client(
    conn: &mut impl Connection,
    trip_id: i64,
    client_key: &str,
    now_ms: i64,
    except: i64,
) -> DbResult<i64> {
    const SQL: &str = "SELECT COUNT(*) FROM seats s JOIN holds h ON h.id = s.hold_id
         WHERE h.trip_id = $1 AND h.client_key = $2 AND h.status = 'HELD'
           AND h.expires_at > $3 AND h.id <> $4 AND s.status = 'HOLD'";
    if let Some(c) = conn.lite().await? {
        let rows = lite::query(c, SQL, &[&trip_id, &client_key, &now_ms, &except], |r| {
            r.get(0)
        })?;
        return Ok(rows.into_iter().next().unwrap_or(0));
    }
    on!(conn, |conn| {
        sqlx::query_scalar(SQL)
            .bind(trip_id)
            .bind(client_key)
            .bind(now_ms)
            .bind(except)
            .fetch_one(conn)
            .await
    })
}

/// Gives an AVAILABLE seat to a hold; false when the seat is not available.
pub async fn take_seat(
    conn: &mut impl Connection,
    trip_id: i64,
    code: &str,
    hold_id: i64,
    status: &str,
) -> DbResult<bool> {
    on!(conn, |conn| {
        let done = sqlx::query(
        "UPDATE seats SET status = $1, hold_id = $2 WHERE trip_id = $3 AND code = $4 AND status = 'AVAILABLE'",
    )
    .bind(status)
    .bind(hold_id)
    .bind(trip_id)
    .bind(code)
    .execute(&mut *conn)
    .await?;
        Ok(done.rows_affected() == 1)
    })
}

/// The row of a hold [`insert_hold`] just created, without reading it back.
pub fn new_hold_row(
    id: i64,
    session_hash: &str,
    started_at: i64,
    expires_at: i64,
    trip: TripInfo,
) -> HoldRow {
    HoldRow {
        id,
        trip_id: trip.id,
        session_hash: session_hash.to_string(),
        status: "HELD".to_string(),
        started_at,
        expires_at,
        passenger_extended: false,
        name: None,
        whatsapp: None,
        claim_code: None,
        booking_code: None,
        booked_at: None,
        unique_code: None,
        amount_due: None,
        board_place: None,
        board_minutes: None,
        alight_place: None,
        alight_minutes: None,
        price: trip.price,
        admin_wa: trip.admin_wa,
        route_from: trip.route_from,
        route_to: trip.route_to,
        depart_at: trip.depart_at,
        bus_type: trip.bus_type,
    }
}

/// [`release_seats`]' two statements on the SQLite writer's thread.
fn lite_release(c: &rusqlite::Connection, hold_id: i64, codes: &[String]) -> DbResult<Vec<String>> {
    let freed: Vec<String> = lite::query(
        c,
        "UPDATE seats SET status = 'AVAILABLE', hold_id = NULL
             WHERE status = 'HOLD' AND hold_id = $1
               AND code IN (SELECT value FROM json_each($2)) RETURNING code",
        &[&hold_id, &json_list(codes)],
        |r| r.get(0),
    )?;
    if !freed.is_empty() {
        lite::execute(
            c,
            "DELETE FROM hold_seats
                 WHERE hold_id = $1 AND code IN (SELECT value FROM json_each($2))",
            &[&hold_id, &json_list(&freed)],
        )?;
    }
    Ok(freed)
}

/// `codes` as a JSON array, one parameter for SQLite's `json_each` (the
/// statements of the SQLite writer's own thread, see `lite`).
fn json_list(codes: &[String]) -> String {
    serde_json::to_string(codes).unwrap_or_else(|_| "[]".into())
}

/// Appends `codes` as bound parameters, comma-separated (an `IN (…)` list).
fn push_codes<'a, DB: Database>(q: &mut QueryBuilder<'a, DB>, codes: &'a [String])
where
    &'a String: Encode<'a, DB> + Type<DB>,
{
    let mut list = q.separated(", ");
    for code in codes {
        list.push_bind(code);
    }
}

/// The trip, the session's live hold and which of `codes` are not
/// AVAILABLE on it, in one statement; `None` when there is no such trip.
pub async fn hold_context(
    conn: &mut impl Connection,
    trip_id: i64,
    session_hash: &str,
    codes: &[String],
) -> DbResult<Option<HoldContext>> {
    if let Some(c) = conn.lite().await? {
        // The same statement, with the codes as one JSON array.
        const SQL: &str = "SELECT t.id, t.route_from, t.route_to, t.depart_at, t.price, t.bus_type,
                t.admin_wa, t.is_active, t.stops,
                (SELECT h.id FROM holds h WHERE h.status = 'HELD' AND h.session_hash = $1)
                    AS live_hold_id, s.code AS taken
             FROM trips t LEFT JOIN seats s
               ON s.trip_id = t.id AND s.status <> 'AVAILABLE'
                  AND s.code IN (SELECT value FROM json_each($2))
             WHERE t.id = $3";
        let rows = lite::query(c, SQL, &[&session_hash, &json_list(codes), &trip_id], |r| {
            Ok((
                TripInfo::from_lite(r, 0)?,
                r.get::<_, Option<i64>>(9)?,
                r.get(10)?,
            ))
        })?;
        let taken = rows
            .iter()
            .filter_map(|(_, _, t): &(_, _, Option<String>)| t.clone())
            .collect();
        return Ok(rows
            .into_iter()
            .next()
            .map(|(trip, live_hold_id, _)| HoldContext {
                trip,
                live_hold_id,
                taken,
            }));
    }
    on!(conn, |conn| {
        let mut q = QueryBuilder::new(
            "SELECT t.id, t.route_from, t.route_to, t.depart_at, t.price, t.bus_type, t.admin_wa,
                t.is_active, t.stops,
                (SELECT h.id FROM holds h WHERE h.status = 'HELD' AND h.session_hash = ",
        );
        q.push_bind(session_hash).push(
            ") AS live_hold_id, s.code AS taken
         FROM trips t LEFT JOIN seats s
           ON s.trip_id = t.id AND s.status <> 'AVAILABLE' AND s.code IN (",
        );
        push_codes(&mut q, codes);
        q.push(") WHERE t.id = ").push_bind(trip_id);
        let rows: Vec<HoldContextRow> = q.build_query_as().fetch_all(conn).await?;
        let taken = rows.iter().filter_map(|r| r.taken.clone()).collect();
        Ok(rows.into_iter().next().map(|r| HoldContext {
            trip: r.trip,
            live_hold_id: r.live_hold_id,
            taken,
        }))
    })
}

/// Takes every seat of `codes` that is AVAILABLE on the trip for the hold
/// and records that the hold owns them; returns the codes it took (one
/// statement on PostgreSQL, two on SQLite).
pub async fn take_seats(
    conn: &mut impl Connection,
    trip_id: i64,
    codes: &[String],
    hold_id: i64,
) -> DbResult<Vec<String>> {
    if let Some(c) = conn.lite().await? {
        let taken: Vec<String> = lite::query(
            c,
            "UPDATE seats SET status = 'HOLD', hold_id = $1
             WHERE status = 'AVAILABLE' AND trip_id = $2
               AND code IN (SELECT value FROM json_each($3)) RETURNING code",
            &[&hold_id, &trip_id, &json_list(codes)],
            |r| r.get(0),
        )?;
        if !taken.is_empty() {
            lite::execute(
                c,
                "INSERT INTO hold_seats (hold_id, code) SELECT $1, value FROM json_each($2)",
                &[&hold_id, &json_list(&taken)],
            )?;
        }
        return Ok(taken);
    }
    if let super::Raw::Postgres(c) = conn.raw() {
        return sqlx::query_scalar(
            "WITH s AS (
                 UPDATE seats SET status = 'HOLD', hold_id = $1
                 WHERE status = 'AVAILABLE' AND trip_id = $2 AND code = ANY($3) RETURNING code),
             hs AS (INSERT INTO hold_seats (hold_id, code) SELECT $1, code FROM s)
             SELECT code FROM s",
        )
        .bind(hold_id)
        .bind(trip_id)
        .bind(codes)
        .fetch_all(c)
        .await;
    }
    on!(conn, |conn| {
        let mut q = QueryBuilder::new("UPDATE seats SET status = 'HOLD', hold_id = ");
        q.push_bind(hold_id)
            .push(" WHERE status = 'AVAILABLE' AND trip_id = ")
            .push_bind(trip_id)
            .push(" AND code IN (");
        push_codes(&mut q, codes);
        q.push(") RETURNING code");
        let taken: Vec<String> = q.build_query_scalar().fetch_all(&mut *conn).await?;
        if !taken.is_empty() {
            let mut q = QueryBuilder::new("INSERT INTO hold_seats (hold_id, code) ");
            q.push_values(&taken, |mut row, code| {
                row.push_bind(hold_id).push_bind(code);
            });
            q.build().execute(conn).await?;
        }
        Ok(taken)
    })
}

/// Frees the seats of `codes` that the live hold owns and, when that
/// leaves none of the `held` seats it had, ends it as RELEASED at `at`.
/// Returns the codes it freed and whether the hold ended. One statement
/// on PostgreSQL; on SQLite two or three.
pub async fn release_seats(
    conn: &mut impl Connection,
    hold_id: i64,
    codes: &[String],
    held: usize,
    at: i64,
) -> DbResult<(Vec<String>, bool)> {
    let lite_freed = match conn.lite().await? {
        Some(c) => Some(lite_release(c, hold_id, codes)?),
        None => None,
    };
    if let Some(freed) = lite_freed {
        let ended = freed.len() == held && end_hold(conn, hold_id, "RELEASED", at).await?;
        return Ok((freed, ended));
    }
    if let super::Raw::Postgres(c) = conn.raw() {
        return sqlx::query_as(
            "WITH s AS (
                 UPDATE seats SET status = 'AVAILABLE', hold_id = NULL
                 WHERE status = 'HOLD' AND hold_id = $1 AND code = ANY($2) RETURNING code),
             d AS (DELETE FROM hold_seats WHERE hold_id = $1 AND code IN (SELECT code FROM s)),
             e AS (
                 UPDATE holds SET status = 'RELEASED', ended_at = $3
                 WHERE id = $1 AND status = 'HELD' AND (SELECT COUNT(*) FROM s) = $4
                 RETURNING id)
             SELECT ARRAY(SELECT code FROM s), EXISTS (SELECT 1 FROM e)",
        )
        .bind(hold_id)
        .bind(codes)
        .bind(at)
        .bind(held as i64)
        .fetch_one(c)
        .await;
    }
    let freed = on!(conn, |conn| {
        let mut q = QueryBuilder::new(
            "UPDATE seats SET status = 'AVAILABLE', hold_id = NULL WHERE status = 'HOLD' AND hold_id = ",
        );
        q.push_bind(hold_id).push(" AND code IN (");
        push_codes(&mut q, codes);
        q.push(") RETURNING code");
        let freed: Vec<String> = q.build_query_scalar().fetch_all(&mut *conn).await?;
        if !freed.is_empty() {
            let mut q = QueryBuilder::new("DELETE FROM hold_seats WHERE hold_id = ");
            q.push_bind(hold_id).push(" AND code IN (");
            push_codes(&mut q, &freed);
            q.push(")");
            q.build().execute(conn).await?;
        }
        DbResult::Ok(freed)
    })?;
    let ended = freed.len() == held && end_hold(conn, hold_id, "RELEASED", at).await?;
    Ok((freed, ended))
}

/// Frees every seat of the session's live hold and ends it as RELEASED at
/// `at` (as [`live_hold_with_seats`], then [`release_seats`] with all of
/// them); `None` when the session has no live hold, and then it changes
/// nothing. On PostgreSQL two statements: the lock ([`lock_live_hold`]),
/// then one that reads the seats, frees them and ends the hold.
pub async fn release_all(
    conn: &mut impl Connection,
    session_hash: &str,
    at: i64,
) -> DbResult<Option<Released>> {
    // (`is_postgres` first, as in `open_hold`.)
    if let Some(super::Raw::Postgres(c)) = conn.is_postgres().then(|| conn.raw()) {
        if !lock_live_hold(c, session_hash).await? {
            return Ok(None);
        }
        let row: Option<ReleasedRow> = sqlx::query_as(concat!(
            "WITH l AS (
                 SELECT id, trip_id FROM holds WHERE session_hash = $1 AND status = 'HELD'
                 FOR UPDATE),
             held AS (
                 SELECT hs.code, hs.passenger_name FROM hold_seats hs, l WHERE hs.hold_id = l.id),
             s AS (
                 UPDATE seats SET status = 'AVAILABLE', hold_id = NULL FROM l
                 WHERE seats.trip_id = l.trip_id AND seats.hold_id = l.id
                   AND seats.status = 'HOLD' AND seats.code IN (SELECT code FROM held)
                 RETURNING seats.code),
             d AS (
                 DELETE FROM hold_seats USING l
                 WHERE hold_seats.hold_id = l.id AND hold_seats.code IN (SELECT code FROM s)),
             e AS (
                 UPDATE holds SET status = 'RELEASED', ended_at = $2 FROM l
                 WHERE holds.id = l.id
                   AND (SELECT COUNT(*) FROM s) = (SELECT COUNT(*) FROM held)
                 RETURNING holds.id)
             SELECT ",
            hold_columns!(),
            ",
                 ARRAY(SELECT code FROM held ORDER BY code) AS held,
                 ARRAY(SELECT passenger_name FROM held ORDER BY code) AS held_names,
                 ARRAY(SELECT code FROM s) AS freed, EXISTS (SELECT 1 FROM e) AS ended
             FROM l JOIN holds h ON h.id = l.id JOIN trips t ON t.id = h.trip_id"
        ))
        .bind(session_hash)
        .bind(at)
        .fetch_optional(c)
        .await?;
        return Ok(row.map(|r| Released {
            hold: r.hold,
            held: r
                .held
                .into_iter()
                .zip(r.held_names)
                .map(|(code, name)| HeldSeat { code, name })
                .collect(),
            freed: r.freed,
            ended: r.ended,
        }));
    }
    let Some((hold, held)) = live_hold_with_seats(conn, session_hash).await? else {
        return Ok(None);
    };
    let codes: Vec<String> = held.iter().map(|h| h.code.clone()).collect();
    let (freed, ended) = match codes.is_empty() {
        // A hold without seats just ends.
        true => (Vec::new(), end_hold(conn, hold.id, "RELEASED", at).await?),
        false => release_seats(conn, hold.id, &codes, held.len(), at).await?,
    };
    Ok(Some(Released {
        hold,
        held,
        freed,
        ended,
    }))
}

/// Attaches contact details to a live hold; false when it is not live.
pub async fn set_contact(
    conn: &mut impl Connection,
    hold_id: i64,
    contact: &ContactRow<'_>,
    claim_code: &str,
    expires_at: i64,
) -> DbResult<bool> {
    // The admin's search finds a hold by any of its names: the contact's
    // and each seat's own, folded, a line each.
    let folded = std::iter::once(contact.name)
        .chain(contact.seat_names.iter().copied())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join("\n");
    let (name, whatsapp) = (contact.name, contact.whatsapp);
    on!(conn, |conn| {
        sqlx::query(
        "UPDATE holds SET name = $1, name_folded = $2, whatsapp = $3, claim_code = $4, expires_at = $5,
                          board_place = $7, board_minutes = $8, alight_place = $9, alight_minutes = $10
         WHERE id = $6 AND status = 'HELD'",
    )
    .bind(name)
    .bind(&folded)
    .bind(whatsapp)
    .bind(claim_code)
    .bind(expires_at)
    .bind(hold_id)
    .bind(contact.board.map(|s| s.place.as_str()))
    .bind(contact.board.map(|s| i64::from(s.minutes)))
    .bind(contact.alight.map(|s| s.place.as_str()))
    .bind(contact.alight.map(|s| i64::from(s.minutes)))
    .execute(conn)
    .await
    .map(|r| r.rows_affected() == 1)
    })
}

/// The contact details a hold is given.
#[derive(Clone, Copy, Debug)]
pub struct ContactRow<'a> {
    pub name: &'a str,
    pub whatsapp: &'a str,
    /// The names given for its seats (the contact person's not repeated).
    pub seat_names: &'a [&'a str],
    /// Where its passengers get on and off (None on a trip without stops).
    pub board: Option<&'a Stop>,
    pub alight: Option<&'a Stop>,
}

/// The amounts to transfer of the holds awaiting payment that lie in
/// `amounts`, other than hold `except`'s (for choosing a unique code).
pub async fn awaiting_amounts_in(
    conn: &mut impl Connection,
    amounts: std::ops::RangeInclusive<i64>,
    except: i64,
) -> DbResult<Vec<i64>> {
    on!(conn, |conn| {
        sqlx::query_scalar(
            "SELECT amount_due FROM holds
             WHERE status = 'HELD' AND amount_due BETWEEN $1 AND $2 AND id <> $3",
        )
        .bind(*amounts.start())
        .bind(*amounts.end())
        .bind(except)
        .fetch_all(conn)
        .await
    })
}

/// Gives a live hold its unique code and amount to transfer (or takes
/// them away: `None`).
pub async fn set_amount(
    conn: &mut impl Connection,
    hold_id: i64,
    unique_code: Option<i64>,
    amount_due: Option<i64>,
) -> DbResult<bool> {
    on!(conn, |conn| {
        sqlx::query(
            "UPDATE holds SET unique_code = $1, amount_due = $2 WHERE id = $3 AND status = 'HELD'",
        )
        .bind(unique_code)
        .bind(amount_due)
        .bind(hold_id)
        .execute(conn)
        .await
        .map(|r| r.rows_affected() == 1)
    })
}

pub async fn set_expiry(
    conn: &mut impl Connection,
    hold_id: i64,
    expires_at: i64,
    passenger_extended: bool,
) -> DbResult<()> {
    on!(conn, |conn| {
        sqlx::query(
        "UPDATE holds SET expires_at = $1, passenger_extended = $2 WHERE id = $3 AND status = 'HELD'",
    )
    .bind(expires_at)
    .bind(passenger_extended)
    .bind(hold_id)
    .execute(conn)
    .await
    .map(|_| ())
    })
}

pub async fn set_session(
    conn: &mut impl Connection,
    hold_id: i64,
    session_hash: &str,
) -> DbResult<()> {
    on!(conn, |conn| {
        sqlx::query("UPDATE holds SET session_hash = $1 WHERE id = $2")
            .bind(session_hash)
            .bind(hold_id)
            .execute(conn)
            .await
            .map(|_| ())
    })
}

/// Live holds of a WhatsApp number other than `except` (the per-number cap).
pub async fn count_live_holds_of_whatsapp(
    conn: &mut impl Connection,
    whatsapp: &str,
    except: i64,
) -> DbResult<i64> {
    on!(conn, |conn| {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM holds WHERE whatsapp = $1 AND status = 'HELD' AND id <> $2",
        )
        .bind(whatsapp)
        .bind(except)
        .fetch_one(conn)
        .await
    })
}

pub async fn claim_code_taken(conn: &mut impl Connection, code: &str) -> DbResult<bool> {
    on!(conn, |conn| {
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM holds WHERE claim_code = $1)")
            .bind(code)
            .fetch_one(conn)
            .await
    })
}

pub async fn booking_code_taken(conn: &mut impl Connection, code: &str) -> DbResult<bool> {
    on!(conn, |conn| {
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM holds WHERE booking_code = $1)")
            .bind(code)
            .fetch_one(conn)
            .await
    })
}

/// Turns a live hold's HOLD seats into BOOKED; returns how many changed.
pub async fn book_held_seats(conn: &mut impl Connection, hold_id: i64) -> DbResult<u64> {
    on!(conn, |conn| {
        sqlx::query("UPDATE seats SET status = 'BOOKED' WHERE hold_id = $1 AND status = 'HOLD'")
            .bind(hold_id)
            .execute(conn)
            .await
            .map(|r| r.rows_affected())
    })
}

/// Marks a hold BOOKED with its code (from HELD or, for a late payment, EXPIRED).
pub async fn mark_booked(
    conn: &mut impl Connection,
    hold_id: i64,
    booking_code: &str,
    at: i64,
) -> DbResult<()> {
    on!(conn, |conn| {
        sqlx::query(
            "UPDATE holds SET status = 'BOOKED', booking_code = $1, booked_at = $2, ended_at = $3
         WHERE id = $4 AND status IN ('HELD', 'EXPIRED')",
        )
        .bind(booking_code)
        .bind(at)
        .bind(at)
        .bind(hold_id)
        .execute(conn)
        .await
        .map(|_| ())
    })
}

/// Frees a booking's seats and marks it CANCELLED; returns the seat codes.
pub async fn cancel_booking(
    conn: &mut impl Connection,
    hold_id: i64,
    at: i64,
) -> DbResult<Vec<String>> {
    on!(conn, |conn| {
        let seats: Vec<String> = sqlx::query_scalar(
        "UPDATE seats SET status = 'AVAILABLE', hold_id = NULL WHERE hold_id = $1 AND status = 'BOOKED' RETURNING code",
    )
    .bind(hold_id)
    .fetch_all(&mut *conn)
    .await?;
        sqlx::query(
        "UPDATE holds SET status = 'CANCELLED', ended_at = $1 WHERE id = $2 AND status = 'BOOKED'",
    )
    .bind(at)
    .bind(hold_id)
    .execute(conn)
    .await?;
        Ok(seats)
    })
}

/// Booked seats of a trip with their passengers, for the manifest.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ManifestRow {
    pub code: String,
    pub seat_row: i64,
    pub seat_col: i64,
    /// The contact person.
    pub name: Option<String>,
    /// The name given for this seat, if any.
    pub seat_name: Option<String>,
    pub whatsapp: Option<String>,
    pub booking_code: Option<String>,
    pub claim_code: Option<String>,
    pub status: String,
    pub boarded_at: Option<i64>,
    pub board_place: Option<String>,
    pub board_minutes: Option<i64>,
    pub alight_place: Option<String>,
    pub alight_minutes: Option<i64>,
}

/// Booked seats, and seats of live holds with contact details (payment
/// pending), in seat order.
pub async fn manifest(
    conn: &mut impl Connection,
    trip_id: i64,
    now_ms: i64,
) -> DbResult<Vec<ManifestRow>> {
    on!(conn, |conn| {
        sqlx::query_as(
        "SELECT s.code, s.seat_row, s.seat_col, h.name, hs.passenger_name AS seat_name, h.whatsapp,
                h.booking_code, h.claim_code, s.status, hs.boarded_at,
                h.board_place, h.board_minutes, h.alight_place, h.alight_minutes
         FROM seats s JOIN holds h ON h.id = s.hold_id
         LEFT JOIN hold_seats hs ON hs.hold_id = h.id AND hs.code = s.code
         WHERE s.trip_id = $1
           AND (s.status = 'BOOKED'
                OR (s.status = 'HOLD' AND h.expires_at > $2 AND h.claim_code IS NOT NULL))
         ORDER BY s.seat_row, s.seat_col",
    )
    .bind(trip_id)
    .bind(now_ms)
    .fetch_all(conn)
    .await
    })
}

/// Every seat's stored (not effective) owner, for consistency checks.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct StoredSeat {
    pub trip_id: i64,
    pub code: String,
    pub status: String,
    pub hold_id: Option<i64>,
}

pub async fn stored_seats(conn: &mut impl Connection) -> DbResult<Vec<StoredSeat>> {
    on!(conn, |conn| {
        sqlx::query_as("SELECT trip_id, code, status, hold_id FROM seats ORDER BY trip_id, code")
            .fetch_all(conn)
            .await
    })
}

/// A seat of a live hold (status HELD, not yet past its expiry at the time
/// given), for consistency checks.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct LiveHoldSeat {
    pub trip_id: i64,
    pub hold_id: i64,
    pub code: String,
}

pub async fn live_hold_seats(
    conn: &mut impl Connection,
    now_ms: i64,
) -> DbResult<Vec<LiveHoldSeat>> {
    on!(conn, |conn| {
        sqlx::query_as(
        "SELECT h.trip_id, h.id AS hold_id, hs.code FROM hold_seats hs JOIN holds h ON h.id = hs.hold_id
         WHERE h.status = 'HELD' AND h.expires_at > $1 ORDER BY h.trip_id, hs.code",
    )
    .bind(now_ms)
    .fetch_all(conn)
    .await
    })
}

/// A hold's id and stored status, for consistency checks.
pub async fn hold_statuses(conn: &mut impl Connection) -> DbResult<Vec<(i64, String)>> {
    on!(conn, |conn| {
        sqlx::query_as("SELECT id, status FROM holds ORDER BY id")
            .fetch_all(conn)
            .await
    })
}

/// When the next live hold of a trip runs out (its seats then read as free).
pub async fn next_hold_expiry(
    conn: &mut impl Connection,
    trip_id: i64,
    now_ms: i64,
) -> DbResult<Option<i64>> {
    on!(conn, |conn| {
        sqlx::query_scalar(
        "SELECT MIN(expires_at) FROM holds WHERE trip_id = $1 AND status = 'HELD' AND expires_at > $2",
    )
    .bind(trip_id)
    .bind(now_ms)
    .fetch_one(conn)
    .await
    })
}
