//! Row types: what queries return, separate from the wire types of `domain`.

use sqlx::FromRow;

/// A trip's own columns (see [`TripRow`] for the seat counts too).
#[derive(Clone, Debug, FromRow)]
pub struct TripInfo {
    pub id: i64,
    pub route_from: String,
    pub route_to: String,
    pub depart_at: i64,
    pub price: i64,
    pub bus_type: String,
    pub admin_wa: String,
    pub is_active: bool,
    /// The stops as JSON (see `domain::Stops`); `[]` for none.
    pub stops: String,
}

/// What a hold request reads before it writes anything (one statement):
/// the trip, the session's live hold, and which of the requested seats are
/// not available.
#[derive(Clone, Debug)]
pub struct HoldContext {
    pub trip: TripInfo,
    pub live_hold_id: Option<i64>,
    pub taken: Vec<String>,
}

/// What [`super::open_hold`] read and did: the hold request's context, the
/// seats the client already holds on the trip (0 when no cap was asked),
/// and the hold it opened with the seats it took, if it opened one.
#[derive(Clone, Debug)]
pub struct HoldOpening {
    pub context: HoldContext,
    pub others_of_client: i64,
    pub opened: Option<(i64, Vec<String>)>,
}

/// [`HoldOpening`] as PostgreSQL's one statement returns it.
#[derive(FromRow)]
pub(super) struct HoldOpeningRow {
    #[sqlx(flatten)]
    pub trip: TripInfo,
    pub live_hold_id: Option<i64>,
    pub taken: Vec<String>,
    pub others: i64,
    pub opened: Option<i64>,
    pub took: Vec<String>,
}

/// What [`super::release_all`] did to the session's live hold: the hold as
/// it was, its seats as they were, the codes it freed, and whether the hold
/// ended.
#[derive(Clone, Debug)]
pub struct Released {
    pub hold: HoldRow,
    pub held: Vec<HeldSeat>,
    pub freed: Vec<String>,
    pub ended: bool,
}

/// [`Released`] as PostgreSQL's one statement returns it.
#[derive(FromRow)]
pub(super) struct ReleasedRow {
    #[sqlx(flatten)]
    pub hold: HoldRow,
    pub held: Vec<String>,
    pub held_names: Vec<Option<String>>,
    pub freed: Vec<String>,
    pub ended: bool,
}

/// One row of the hold context's query: one per requested seat that is
/// taken, or a single row with none.
#[derive(FromRow)]
pub(super) struct HoldContextRow {
    #[sqlx(flatten)]
    pub trip: TripInfo,
    pub live_hold_id: Option<i64>,
    pub taken: Option<String>,
}

/// One row of a hold joined with its seats: one per seat, or a single row
/// without a seat.
#[derive(FromRow)]
pub(super) struct HoldSeatRow {
    #[sqlx(flatten)]
    pub hold: HoldRow,
    pub seat: Option<String>,
    pub seat_name: Option<String>,
}

/// One seat of a hold, with the name given for its passenger (None: the
/// contact person sits there).
#[derive(Clone, Debug, PartialEq, Eq, FromRow)]
pub struct HeldSeat {
    pub code: String,
    pub name: Option<String>,
}

impl HeldSeat {
    /// A seat just taken: nobody named for it yet.
    pub fn unnamed(code: String) -> Self {
        Self { code, name: None }
    }
}

/// A trip with its seat counts.
#[derive(Clone, Debug, FromRow)]
pub struct TripRow {
    #[sqlx(flatten)]
    pub info: TripInfo,
    pub seats_total: i64,
    pub seats_available: i64,
}

#[derive(Clone, Debug, FromRow)]
pub struct SeatRow {
    pub code: String,
    pub seat_row: i64,
    pub seat_col: i64,
    pub deck: i64,
    /// The effective status: a seat of an expired hold reads AVAILABLE.
    pub status: String,
}

/// A hold with the trip fields every view of it needs.
#[derive(Clone, Debug, FromRow)]
pub struct HoldRow {
    pub id: i64,
    pub trip_id: i64,
    pub session_hash: String,
    pub status: String,
    pub started_at: i64,
    pub expires_at: i64,
    pub passenger_extended: bool,
    pub name: Option<String>,
    pub whatsapp: Option<String>,
    pub claim_code: Option<String>,
    pub booking_code: Option<String>,
    pub booked_at: Option<i64>,
    /// Given with contact when unique amounts are on (see `domain::money`).
    pub unique_code: Option<i64>,
    /// Seats × price + `unique_code`, as it was when the code was given.
    pub amount_due: Option<i64>,
    /// Where its passengers get on and off, as chosen at contact (place and
    /// minutes after departure); None on a trip without stops.
    pub board_place: Option<String>,
    pub board_minutes: Option<i64>,
    pub alight_place: Option<String>,
    pub alight_minutes: Option<i64>,
    pub price: i64,
    pub admin_wa: String,
    pub route_from: String,
    pub route_to: String,
    pub depart_at: i64,
    pub bus_type: String,
}

/// Rows read on the SQLite writer's own thread (see `lite`), in the
/// column order of the statements that select them.
impl TripInfo {
    /// [`TripInfo`]'s columns in declaration order, from column `at`.
    pub(super) fn from_lite(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<Self> {
        Ok(Self {
            id: r.get(at)?,
            route_from: r.get(at + 1)?,
            route_to: r.get(at + 2)?,
            depart_at: r.get(at + 3)?,
            price: r.get(at + 4)?,
            bus_type: r.get(at + 5)?,
            admin_wa: r.get(at + 6)?,
            is_active: r.get(at + 7)?,
            stops: r.get(at + 8)?,
        })
    }
}

impl HoldRow {
    /// The columns of `holds::hold_columns!`, from column 0.
    pub(super) fn from_lite(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: r.get(0)?,
            trip_id: r.get(1)?,
            session_hash: r.get(2)?,
            status: r.get(3)?,
            started_at: r.get(4)?,
            expires_at: r.get(5)?,
            passenger_extended: r.get(6)?,
            name: r.get(7)?,
            whatsapp: r.get(8)?,
            claim_code: r.get(9)?,
            booking_code: r.get(10)?,
            booked_at: r.get(11)?,
            unique_code: r.get(12)?,
            amount_due: r.get(13)?,
            board_place: r.get(14)?,
            board_minutes: r.get(15)?,
            alight_place: r.get(16)?,
            alight_minutes: r.get(17)?,
            price: r.get(18)?,
            admin_wa: r.get(19)?,
            route_from: r.get(20)?,
            route_to: r.get(21)?,
            depart_at: r.get(22)?,
            bus_type: r.get(23)?,
        })
    }
}
