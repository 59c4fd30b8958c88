//! The operator's reports: how full the coming buses are, what came in per
//! day and per route, and how many holds became bookings. Pure functions:
//! rows in, figures out, days counted in the operator's time zone. The page
//! draws them (server-rendered SVG beside a table), the API answers them as
//! JSON and CSV.

use std::collections::BTreeMap;

use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use super::AppError;

/// The longest range a report covers, in days.
pub const MAX_RANGE_DAYS: u64 = 92;
/// How many days ahead the occupancy looks, at most.
pub const MAX_AHEAD_DAYS: u32 = 31;
/// The range a report covers when none is asked for: these many days up
/// to today.
pub const DEFAULT_RANGE_DAYS: u64 = 14;
/// The occupancy's look ahead when none is asked for.
pub const DEFAULT_AHEAD_DAYS: u32 = 7;

/// Local dates, both ends included.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DateRange {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl DateRange {
    /// `from`/`to` as `YYYY-MM-DD` (blank: the default, the last
    /// [`DEFAULT_RANGE_DAYS`] days to `today`).
    pub fn parse(from: Option<&str>, to: Option<&str>, today: NaiveDate) -> Result<Self, AppError> {
        let date = |s: Option<&str>| -> Result<Option<NaiveDate>, AppError> {
            match s.map(str::trim).filter(|s| !s.is_empty()) {
                None => Ok(None),
                Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                    .map(Some)
                    .map_err(|_| AppError::invalid(format!("{s} is not a date (YYYY-MM-DD)."))),
            }
        };
        let to = date(to)?.unwrap_or(today);
        let from = match date(from)? {
            Some(from) => from,
            None => to - Days::new(DEFAULT_RANGE_DAYS - 1),
        };
        if from > to {
            return Err(AppError::invalid("The range ends before it starts."));
        }
        if to - Days::new(MAX_RANGE_DAYS - 1) > from {
            return Err(AppError::invalid(format!(
                "A report covers at most {MAX_RANGE_DAYS} days."
            )));
        }
        Ok(Self { from, to })
    }

    pub fn days(&self) -> impl Iterator<Item = NaiveDate> + use<> {
        let to = self.to;
        self.from.iter_days().take_while(move |d| *d <= to)
    }

    /// The first instant of `from` and of the day after `to`, in `tz`.
    pub fn bounds<Z: TimeZone>(&self, tz: &Z) -> (DateTime<Utc>, DateTime<Utc>) {
        (
            start_of(self.from, tz),
            start_of(self.to + Days::new(1), tz),
        )
    }
}

/// The first instant of a local date (the earliest, should a clock change
/// fall at midnight).
pub fn start_of<Z: TimeZone>(date: NaiveDate, tz: &Z) -> DateTime<Utc> {
    let midnight = date.and_hms_opt(0, 0, 0).expect("midnight exists");
    match tz.from_local_datetime(&midnight).earliest() {
        Some(t) => t.with_timezone(&Utc),
        // Midnight skipped by a clock change: the hour after it.
        None => tz
            .from_local_datetime(&(midnight + chrono::Duration::hours(1)))
            .earliest()
            .map_or_else(|| midnight.and_utc(), |t| t.with_timezone(&Utc)),
    }
}

/// One booking as the report counts it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sale {
    pub booked_at: DateTime<Utc>,
    pub route_from: String,
    pub route_to: String,
    pub seats: u32,
    /// Rupiah paid (the hold's amount to transfer).
    pub amount: i64,
}

/// What came in on one local date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DayTotal {
    pub date: NaiveDate,
    pub bookings: u32,
    pub seats: u32,
    pub revenue: i64,
}

/// What came in on one route.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RouteTotal {
    pub route_from: String,
    pub route_to: String,
    pub bookings: u32,
    pub seats: u32,
    pub revenue: i64,
}

/// Every day of `range` (days without sales too, so a chart has no gaps)
/// with the sales booked on it, in `tz`.
pub fn daily<Z: TimeZone>(range: &DateRange, sales: &[Sale], tz: &Z) -> Vec<DayTotal> {
    let mut days: BTreeMap<NaiveDate, DayTotal> = range
        .days()
        .map(|date| {
            (
                date,
                DayTotal {
                    date,
                    bookings: 0,
                    seats: 0,
                    revenue: 0,
                },
            )
        })
        .collect();
    for sale in sales {
        let date = sale.booked_at.with_timezone(tz).date_naive();
        if let Some(day) = days.get_mut(&date) {
            day.bookings += 1;
            day.seats += sale.seats;
            day.revenue += sale.amount;
        }
    }
    days.into_values().collect()
}

/// The sales per route, the best earning first (then by name).
pub fn by_route(sales: &[Sale]) -> Vec<RouteTotal> {
    let mut routes: BTreeMap<(&str, &str), RouteTotal> = BTreeMap::new();
    for sale in sales {
        let total = routes
            .entry((&sale.route_from, &sale.route_to))
            .or_insert_with(|| RouteTotal {
                route_from: sale.route_from.clone(),
                route_to: sale.route_to.clone(),
                bookings: 0,
                seats: 0,
                revenue: 0,
            });
        total.bookings += 1;
        total.seats += sale.seats;
        total.revenue += sale.amount;
    }
    let mut list: Vec<RouteTotal> = routes.into_values().collect();
    list.sort_by_key(|r| std::cmp::Reverse(r.revenue));
    list
}

/// What became of the holds opened in a range.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Conversion {
    /// Holds opened.
    pub holds: u32,
    /// Of those, holds whose passenger left contact details.
    pub with_contact: u32,
    /// Paid and booked (a booking cancelled later included).
    pub booked: u32,
    /// Contact left, never paid, time ran out.
    pub expired_unpaid: u32,
    /// Time ran out before contact was left.
    pub abandoned: u32,
    /// Released by the passenger or an admin.
    pub released: u32,
    /// Still live, awaiting payment or contact.
    pub live: u32,
}

impl Conversion {
    /// Booked per hundred holds with contact (none: no such hold).
    pub fn booked_percent(&self) -> Option<u32> {
        (self.with_contact > 0)
            .then(|| (self.booked * 100 + self.with_contact / 2) / self.with_contact)
    }
}

/// A count of holds with one outcome, as the database groups them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub status: super::HoldStatus,
    pub with_contact: bool,
    pub count: u32,
}

/// Adds up the outcomes. `status` is the effective one (a HELD hold past
/// its time counts as EXPIRED).
pub fn conversion(outcomes: &[Outcome]) -> Conversion {
    use super::HoldStatus as S;
    let mut c = Conversion::default();
    for o in outcomes {
        c.holds += o.count;
        if o.with_contact {
            c.with_contact += o.count;
        }
        match (o.status, o.with_contact) {
            (S::Booked | S::Cancelled, _) => c.booked += o.count,
            (S::Expired, true) => c.expired_unpaid += o.count,
            (S::Expired, false) => c.abandoned += o.count,
            (S::Released, _) => c.released += o.count,
            (S::Held, _) => c.live += o.count,
        }
    }
    c
}

/// How full one coming trip is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TripFill {
    pub trip_id: i64,
    pub route_from: String,
    pub route_to: String,
    pub depart_at: DateTime<Utc>,
    pub seats_total: u32,
    pub booked: u32,
    /// Held by live holds (not paid yet).
    pub held: u32,
}

impl TripFill {
    /// Booked seats per hundred, rounded.
    pub fn booked_percent(&self) -> u32 {
        percent(self.booked, self.seats_total)
    }

    /// Booked and held seats per hundred, rounded.
    pub fn taken_percent(&self) -> u32 {
        percent(self.booked + self.held, self.seats_total)
    }
}

fn percent(part: u32, whole: u32) -> u32 {
    (part * 100 + whole / 2).checked_div(whole).unwrap_or(0)
}

/// The whole report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Report {
    pub range: DateRange,
    /// Every day of the range.
    pub days: Vec<DayTotal>,
    pub routes: Vec<RouteTotal>,
    pub conversion: Conversion,
    /// How many days ahead `occupancy` looks (from now).
    pub ahead_days: u32,
    /// Active trips departing from now to `ahead_days` ahead, soonest
    /// first.
    pub occupancy: Vec<TripFill>,
}

impl Report {
    pub fn revenue(&self) -> i64 {
        self.days.iter().map(|d| d.revenue).sum()
    }

    pub fn bookings(&self) -> u32 {
        self.days.iter().map(|d| d.bookings).sum()
    }

    pub fn seats(&self) -> u32 {
        self.days.iter().map(|d| d.seats).sum()
    }
}

/// The look ahead asked for (blank: the default), 1 to [`MAX_AHEAD_DAYS`].
pub fn parse_ahead(s: Option<&str>) -> Result<u32, AppError> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(DEFAULT_AHEAD_DAYS),
        Some(s) => s
            .parse::<u32>()
            .ok()
            .filter(|d| (1..=MAX_AHEAD_DAYS).contains(d))
            .ok_or_else(|| {
                AppError::invalid(format!(
                    "Days ahead must be a whole number from 1 to {MAX_AHEAD_DAYS}."
                ))
            }),
    }
}

/// The round step for a chart's axis: 1, 2 or 5 times a power of ten, so
/// that `max` fits in about four steps.
pub fn axis_step(max: i64) -> i64 {
    if max <= 0 {
        return 1;
    }
    let rough = (max + 3) / 4;
    let mut power = 1i64;
    while power * 10 <= rough {
        power *= 10;
    }
    [1, 2, 5, 10]
        .into_iter()
        .map(|m| m * power)
        .find(|step| *step >= rough)
        .unwrap_or(10 * power)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::HoldStatus;
    use chrono::FixedOffset;

    fn wib() -> FixedOffset {
        FixedOffset::east_opt(7 * 3600).unwrap()
    }

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn sale(when: &str, from: &str, seats: u32, amount: i64) -> Sale {
        Sale {
            booked_at: at(when),
            route_from: from.into(),
            route_to: "Bandung".into(),
            seats,
            amount,
        }
    }

    #[test]
    fn a_range_defaults_to_the_last_two_weeks_and_is_bounded() {
        let today = date("2026-12-03");
        let r = DateRange::parse(None, None, today).unwrap();
        assert_eq!((r.from, r.to), (date("2026-11-20"), today));
        assert_eq!(r.days().count(), 14);
        let r = DateRange::parse(Some(" 2026-02-27 "), Some("2026-03-01"), today).unwrap();
        assert_eq!(
            r.days().collect::<Vec<_>>(),
            vec![date("2026-02-27"), date("2026-02-28"), date("2026-03-01")]
        );
        assert!(DateRange::parse(Some("2026-12-04"), Some("2026-12-03"), today).is_err());
        assert!(DateRange::parse(Some("2026-13-01"), None, today).is_err());
        assert!(DateRange::parse(Some("2026-01-01"), Some("2026-04-02"), today).is_ok());
        assert!(DateRange::parse(Some("2026-01-01"), Some("2026-04-03"), today).is_err());
    }

    #[test]
    fn a_range_is_bounded_by_local_midnights() {
        let r =
            DateRange::parse(Some("2026-12-01"), Some("2026-12-02"), date("2026-12-03")).unwrap();
        let (start, end) = r.bounds(&wib());
        assert_eq!(start, at("2026-11-30T17:00:00Z"));
        assert_eq!(end, at("2026-12-02T17:00:00Z"));
    }

    #[test]
    fn sales_fall_on_their_local_day_and_every_day_is_listed() {
        let range =
            DateRange::parse(Some("2026-12-01"), Some("2026-12-03"), date("2026-12-03")).unwrap();
        let sales = [
            // 23:30 WIB on the 1st.
            sale("2026-12-01T16:30:00Z", "Jakarta", 2, 300_417),
            // 00:30 WIB on the 2nd, though still the 1st in UTC.
            sale("2026-12-01T17:30:00Z", "Jakarta", 1, 150_001),
            sale("2026-12-03T02:00:00Z", "Bogor", 1, 90_002),
            // Outside the range.
            sale("2026-12-03T17:00:00Z", "Bogor", 4, 1),
        ];
        let days = daily(&range, &sales, &wib());
        let figures: Vec<_> = days
            .iter()
            .map(|d| (d.bookings, d.seats, d.revenue))
            .collect();
        assert_eq!(
            figures,
            vec![(1, 2, 300_417), (1, 1, 150_001), (1, 1, 90_002)]
        );
    }

    #[test]
    fn routes_are_ranked_by_revenue() {
        let sales = [
            sale("2026-12-01T01:00:00Z", "Bogor", 1, 90_000),
            sale("2026-12-01T02:00:00Z", "Jakarta", 2, 300_000),
            sale("2026-12-01T03:00:00Z", "Bogor", 1, 90_000),
        ];
        let routes = by_route(&sales);
        assert_eq!(routes.len(), 2);
        assert_eq!(
            (routes[0].route_from.as_str(), routes[0].revenue),
            ("Jakarta", 300_000)
        );
        assert_eq!(
            (routes[1].bookings, routes[1].seats, routes[1].revenue),
            (2, 2, 180_000)
        );
    }

    #[test]
    fn holds_add_up_to_a_conversion() {
        let o = |status, with_contact, count| Outcome {
            status,
            with_contact,
            count,
        };
        let c = conversion(&[
            o(HoldStatus::Booked, true, 6),
            o(HoldStatus::Cancelled, true, 1),
            o(HoldStatus::Expired, true, 3),
            o(HoldStatus::Expired, false, 9),
            o(HoldStatus::Released, false, 4),
            o(HoldStatus::Held, true, 2),
        ]);
        assert_eq!(c.holds, 25);
        assert_eq!(c.with_contact, 12);
        assert_eq!(
            (c.booked, c.expired_unpaid, c.abandoned, c.released, c.live),
            (7, 3, 9, 4, 2)
        );
        assert_eq!(c.booked_percent(), Some(58));
        assert_eq!(Conversion::default().booked_percent(), None);
    }

    #[test]
    fn fill_is_rounded_and_safe_on_empty_buses() {
        let fill = TripFill {
            trip_id: 1,
            route_from: "A".into(),
            route_to: "B".into(),
            depart_at: at("2026-12-04T12:00:00Z"),
            seats_total: 30,
            booked: 10,
            held: 1,
        };
        assert_eq!((fill.booked_percent(), fill.taken_percent()), (33, 37));
        assert_eq!(percent(0, 0), 0);
    }

    #[test]
    fn axis_steps_are_round() {
        assert_eq!(axis_step(0), 1);
        assert_eq!(axis_step(3), 1);
        assert_eq!(axis_step(7), 2);
        assert_eq!(axis_step(19), 5);
        assert_eq!(axis_step(40), 10);
        assert_eq!(axis_step(1_250_000), 500_000);
        assert_eq!(axis_step(3_000_417), 1_000_000);
    }

    #[test]
    fn ahead_is_one_to_a_month() {
        assert_eq!(parse_ahead(None), Ok(DEFAULT_AHEAD_DAYS));
        assert_eq!(parse_ahead(Some("14")), Ok(14));
        assert!(parse_ahead(Some("0")).is_err());
        assert!(parse_ahead(Some("32")).is_err());
        assert!(parse_ahead(Some("x")).is_err());
    }
}
