//! Schedules: an admin says once that a bus leaves Jakarta for Bandung at
//! 19:00 WIB every Monday, Wednesday and Friday, and Kursi makes those
//! trips ahead, every day, for `SCHEDULE_DAYS_AHEAD` days.
//!
//! Why it is built this way:
//! - Which trips a schedule means is a pure function of its rule and the
//!   date (`domain::schedule`); this module only reads schedules, asks that
//!   function, and writes what is missing.
//! - Making trips is idempotent by construction: a trip names its schedule
//!   and local date, and the database keeps one per pair, so making them
//!   twice, or on two instances at once, makes each once.
//! - A trip that any hold ever touched belongs to its passengers: changing a
//!   schedule (a date skipped, a new price) changes only the trips nobody
//!   has held yet.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Timelike, Utc};

use super::admin::{audit_trip, check_price, clean_place};
use super::views::{stops_json, stops_of};
use super::{Actor, Service};
use crate::domain::schedule::{DatePrice, Schedule, Weekdays, parse_time};
use crate::domain::{AppError, BusType, Stop, Stops, WhatsApp};
use crate::storage::road::Changed;
use crate::storage::{self, NewScheduleRow, NewTrip, ScheduleDateRow, ScheduleRow, to_ms};

/// A schedule to add, as an admin or API client sends it.
#[derive(Clone, Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSchedule {
    #[schema(example = "Jakarta")]
    pub route_from: String,
    #[schema(example = "Bandung")]
    pub route_to: String,
    /// Local departure time (DISPLAY_TZ), `HH:MM`.
    #[schema(example = "19:00")]
    pub depart_time: String,
    /// `mon,wed,fri`, `senin, rabu, jumat` or `daily`.
    #[schema(example = "mon,wed,fri")]
    pub days: String,
    pub bus_type: BusType,
    #[schema(example = 150000)]
    pub price: i64,
    #[schema(example = "0812 0000 1111")]
    pub admin_wa: String,
    /// The first local date it runs.
    pub valid_from: NaiveDate,
    /// The last; absent: for good.
    pub valid_until: Option<NaiveDate>,
    /// Boarding and drop-off points of its trips, the first at minute 0;
    /// none (the default) when the bus stops only at the ends.
    #[serde(default)]
    pub stops: Vec<Stop>,
}

/// What a date of a schedule is to be.
#[derive(Clone, Copy, Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DateRule {
    pub date: NaiveDate,
    /// True: no bus that day.
    #[serde(default)]
    pub skipped: bool,
    /// That day's price (a peak day); absent: the usual price.
    pub price: Option<i64>,
}

/// A schedule's fields, checked.
#[derive(Clone)]
struct Checked {
    route_from: String,
    route_to: String,
    depart_minute: i64,
    days: Weekdays,
    bus_type: BusType,
    price: i64,
    admin_wa: WhatsApp,
    valid_from: String,
    valid_until: Option<String>,
    stops: String,
}

impl Checked {
    fn of(input: &NewSchedule) -> Result<Self, AppError> {
        let time = parse_time(&input.depart_time)?;
        if input.valid_until.is_some_and(|u| u < input.valid_from) {
            return Err(AppError::invalid(
                "valid_until must not be before valid_from.",
            ));
        }
        Ok(Self {
            route_from: clean_place(&input.route_from, "route_from")?,
            route_to: clean_place(&input.route_to, "route_to")?,
            depart_minute: i64::from(time.hour() * 60 + time.minute()),
            days: Weekdays::parse(&input.days)?,
            bus_type: input.bus_type,
            price: check_price(input.price)?,
            admin_wa: WhatsApp::parse(&input.admin_wa)?,
            valid_from: input.valid_from.to_string(),
            valid_until: input.valid_until.map(|u| u.to_string()),
            stops: stops_json(&Stops::new(input.stops.clone())?),
        })
    }

    fn row(&self) -> NewScheduleRow<'_> {
        NewScheduleRow {
            route_from: &self.route_from,
            route_to: &self.route_to,
            depart_minute: self.depart_minute,
            days: i64::from(self.days.bits()),
            bus_type: self.bus_type.as_str(),
            price: self.price,
            admin_wa: self.admin_wa.as_str(),
            valid_from: &self.valid_from,
            valid_until: self.valid_until.as_deref(),
            stops: &self.stops,
        }
    }
}

/// What editing a schedule did to its trips departing later.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct ScheduleEdit {
    /// Trips nobody had held that took the new rule (or went off sale).
    pub trips_changed: usize,
    /// Trips with holds or bookings, kept as their passengers bought them.
    pub trips_kept: usize,
    /// Trips made for dates the new rule adds.
    pub trips_made: usize,
}

fn view(row: &ScheduleRow, dates: &[ScheduleDateRow]) -> Result<Schedule, AppError> {
    let corrupt = super::views::corrupt;
    let date = |s: &str, field| s.parse::<NaiveDate>().map_err(|_| corrupt(field));
    let minute =
        u32::try_from(row.depart_minute).map_err(|_| corrupt("schedules.depart_minute"))?;
    Ok(Schedule {
        id: row.id,
        route_from: row.route_from.clone(),
        route_to: row.route_to.clone(),
        depart_time: format!("{:02}:{:02}", minute / 60, minute % 60),
        days: u8::try_from(row.days)
            .ok()
            .and_then(Weekdays::from_bits)
            .ok_or_else(|| corrupt("schedules.days"))?,
        bus_type: BusType::parse(&row.bus_type).map_err(|_| corrupt("schedules.bus_type"))?,
        price: row.price,
        admin_wa: row.admin_wa.clone(),
        valid_from: date(&row.valid_from, "schedules.valid_from")?,
        valid_until: row
            .valid_until
            .as_deref()
            .map(|u| date(u, "schedules.valid_until"))
            .transpose()?,
        is_active: row.is_active,
        stops: stops_of(&row.stops)?,
        skipped: dates
            .iter()
            .filter(|d| d.schedule_id == row.id && d.skipped)
            .map(|d| date(&d.date, "schedule_dates.date"))
            .collect::<Result<_, _>>()?,
        prices: dates
            .iter()
            .filter(|d| d.schedule_id == row.id && !d.skipped)
            .filter_map(|d| d.price.map(|p| (d, p)))
            .map(|(d, price)| {
                Ok(DatePrice {
                    date: date(&d.date, "schedule_dates.date")?,
                    price,
                })
            })
            .collect::<Result<_, AppError>>()?,
    })
}

/// Reads a schedule with its dates (in a write's transaction, or not).
async fn schedule_in(conn: &mut impl storage::Connection, id: i64) -> Result<Schedule, AppError> {
    let row = storage::schedule_by_id(&mut *conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let dates = storage::schedule_dates(&mut *conn, &[id]).await?;
    view(&row, &dates)
}

impl Service {
    /// Every schedule, newest first.
    pub async fn schedules(&self) -> Result<Vec<Schedule>, AppError> {
        let mut conn = self.storage.read().await?;
        let rows = storage::all_schedules(&mut conn).await?;
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let dates = storage::schedule_dates(&mut conn, &ids).await?;
        rows.iter().map(|r| view(r, &dates)).collect()
    }

    /// One schedule with its dates.
    pub async fn schedule(&self, id: i64) -> Result<Schedule, AppError> {
        let mut conn = self.storage.read().await?;
        schedule_in(&mut conn, id).await
    }

    /// Adds a schedule and makes its trips for the `days_ahead` days from
    /// now; answers with it and how many trips were made.
    pub async fn create_schedule(
        &self,
        actor: &Actor,
        input: &NewSchedule,
        days_ahead: u32,
        now: DateTime<Utc>,
    ) -> Result<(Schedule, usize), AppError> {
        let checked = Checked::of(input)?;
        let by = actor.label();
        let id = self
            .write_tx(now, move |tx| {
                Box::pin(async move {
                    let id =
                        storage::insert_schedule(&mut *tx, &checked.row(), &by, to_ms(now)).await?;
                    Ok((id, Changed::nothing()))
                })
            })
            .await?;
        let made = self.make_trips_of(id, days_ahead, now).await?;
        let schedule = self.schedule(id).await?;
        Ok((schedule, made))
    }

    /// Makes the missing trips of every running schedule for the
    /// `days_ahead` days from now (the sweep runs it hourly); answers how
    /// many it made.
    pub async fn make_scheduled_trips(
        &self,
        days_ahead: u32,
        now: DateTime<Utc>,
    ) -> Result<usize, AppError> {
        let mut made = 0;
        for s in self.schedules().await? {
            if s.is_active {
                made += self.make_trips_of(s.id, days_ahead, now).await?;
            }
        }
        Ok(made)
    }

    /// Makes the missing trips of one schedule, in one write.
    async fn make_trips_of(
        &self,
        id: i64,
        days_ahead: u32,
        now: DateTime<Utc>,
    ) -> Result<usize, AppError> {
        let tz = self.tz;
        self.write_tx(now, move |tx| {
            Box::pin(async move {
                let s = schedule_in(tx, id).await?;
                if !s.is_active {
                    return Ok((0, Changed::nothing()));
                }
                let mut made = 0;
                let stops = stops_json(&Stops::new(s.stops.clone())?);
                for d in s.plan().ahead(&tz, now, days_ahead) {
                    let trip = NewTrip {
                        route_from: &s.route_from,
                        route_to: &s.route_to,
                        depart_at: to_ms(d.depart_at),
                        price: d.price,
                        bus_type: s.bus_type,
                        admin_wa: &s.admin_wa,
                        stops: &stops,
                    };
                    let date = d.date.to_string();
                    if let Some(trip_id) =
                        storage::insert_scheduled_trip(&mut *tx, &trip, id, &date, to_ms(now))
                            .await?
                    {
                        let detail = format!("created from schedule {id} for {date}");
                        audit_trip(tx, now, &Actor::System, trip_id, &detail).await?;
                        made += 1;
                    }
                }
                let changed = if made > 0 {
                    Changed::listing()
                } else {
                    Changed::nothing()
                };
                Ok((made, changed))
            })
        })
        .await
    }

    /// Sets what one date of a schedule is (skipped, its own price, or
    /// ordinary again) and applies it to that date's trip if nobody has
    /// held a seat of it yet: a skipped date's trip is taken off sale, a
    /// priced one gets its price. Answers with the schedule.
    pub async fn set_schedule_date(
        &self,
        actor: &Actor,
        id: i64,
        rule: DateRule,
        days_ahead: u32,
        now: DateTime<Utc>,
    ) -> Result<Schedule, AppError> {
        if rule.skipped && rule.price.is_some() {
            return Err(AppError::invalid("A skipped date has no price."));
        }
        let price = rule.price.map(check_price).transpose()?;
        let actor = actor.clone();
        let schedule = self
            .write_tx(now, move |tx| {
                Box::pin(async move {
                    schedule_in(tx, id).await?;
                    let date = rule.date.to_string();
                    storage::set_schedule_date(&mut *tx, id, &date, rule.skipped, price).await?;
                    let s = schedule_in(tx, id).await?;
                    let mut changed = Changed::nothing();
                    let trips = storage::scheduled_trips_after(&mut *tx, id, to_ms(now)).await?;
                    for t in trips
                        .iter()
                        .filter(|t| t.service_date == date && !t.has_holds)
                    {
                        let runs = s.plan().runs_on(rule.date);
                        let price = s.plan().prices.get(&rule.date).copied().unwrap_or(s.price);
                        if storage::set_scheduled_trip(&mut *tx, t.id, runs, price).await? {
                            let detail = if runs {
                                format!("price {price} from schedule {id}")
                            } else {
                                format!("taken off sale: schedule {id} skips {date}")
                            };
                            audit_trip(tx, now, &actor, t.id, &detail).await?;
                            // Its details and seats are read again, and the
                            // trip search with them.
                            changed = changed.and(t.id).and_listing();
                        }
                    }
                    Ok((s, changed))
                })
            })
            .await?;
        // A date made ordinary again may need its trip.
        self.make_trips_of(id, days_ahead, now).await?;
        Ok(schedule)
    }

    /// Changes a schedule's rule (route, time, days, bus, price, admin
    /// number, validity) and carries it to its trips departing later that
    /// nobody has held: each takes the new route, time, price and bus, or
    /// goes off sale when its date no longer runs; dates that now run get
    /// their trips. A trip with holds or bookings keeps what its passengers
    /// bought. Its skipped and priced dates stay.
    pub async fn update_schedule(
        &self,
        actor: &Actor,
        id: i64,
        input: &NewSchedule,
        days_ahead: u32,
        now: DateTime<Utc>,
    ) -> Result<(Schedule, ScheduleEdit), AppError> {
        let checked = Checked::of(input)?;
        let (actor, tz) = (actor.clone(), self.tz);
        let mut edit = self
            .write_tx(now, move |tx| {
                Box::pin(async move {
                    if !storage::update_schedule(&mut *tx, id, &checked.row()).await? {
                        return Err(AppError::NotFound);
                    }
                    let s = schedule_in(tx, id).await?;
                    let plan = s.plan();
                    let stops = stops_json(&Stops::new(s.stops.clone())?);
                    let mut edit = ScheduleEdit::default();
                    let mut changed = Changed::nothing();
                    for t in storage::scheduled_trips_after(&mut *tx, id, to_ms(now)).await? {
                        if t.has_holds {
                            edit.trips_kept += 1;
                            continue;
                        }
                        let date = t
                            .service_date
                            .parse::<NaiveDate>()
                            .map_err(|_| super::views::corrupt("trips.service_date"))?;
                        // Its departure under the new rule, if it still
                        // runs that day and has not left.
                        let departure = plan
                            .departures(&tz, date, date)
                            .into_iter()
                            .next()
                            .filter(|d| d.depart_at > now);
                        let old_bus = BusType::parse(&t.bus_type)
                            .map_err(|_| super::views::corrupt("trips.bus_type"))?;
                        // Its date runs: it takes the rule. It does not: it
                        // goes off sale as it is (an off-sale trip is left
                        // alone).
                        let trip = match &departure {
                            Some(d) => NewTrip {
                                route_from: &s.route_from,
                                route_to: &s.route_to,
                                depart_at: to_ms(d.depart_at),
                                price: d.price,
                                bus_type: s.bus_type,
                                admin_wa: &s.admin_wa,
                                stops: &stops,
                            },
                            None if t.is_active => NewTrip {
                                route_from: &t.route_from,
                                route_to: &t.route_to,
                                depart_at: t.depart_at,
                                price: t.price,
                                bus_type: old_bus,
                                admin_wa: &t.admin_wa,
                                stops: &t.stops,
                            },
                            None => continue,
                        };
                        let on_sale = departure.is_some();
                        let same = t.route_from == trip.route_from
                            && t.route_to == trip.route_to
                            && t.depart_at == trip.depart_at
                            && t.price == trip.price
                            && old_bus == trip.bus_type
                            && t.admin_wa == trip.admin_wa
                            && t.stops == trip.stops
                            && t.is_active == on_sale;
                        if same {
                            continue;
                        }
                        if !storage::update_trip(
                            &mut *tx,
                            t.id,
                            &trip,
                            on_sale,
                            storage::TripsToUpdate::Unheld,
                        )
                        .await?
                        {
                            // Held since it was read: it stays as it is.
                            edit.trips_kept += 1;
                            continue;
                        }
                        if old_bus != trip.bus_type {
                            storage::relayout_seats(&mut *tx, t.id, trip.bus_type).await?;
                        }
                        let detail = if on_sale {
                            format!("edited from schedule {id}")
                        } else {
                            format!("taken off sale: schedule {id} no longer runs on {date}")
                        };
                        audit_trip(tx, now, &actor, t.id, &detail).await?;
                        edit.trips_changed += 1;
                        // Its details and seats are read again, and the
                        // trip search with them.
                        changed = changed.and(t.id).and_listing();
                    }
                    Ok((edit, changed))
                })
            })
            .await?;
        edit.trips_made = self.make_trips_of(id, days_ahead, now).await?;
        let schedule = self.schedule(id).await?;
        Ok((schedule, edit))
    }

    /// Stops a schedule: no more trips are made from it (those made stay on
    /// sale; an admin takes them off one by one if need be).
    pub async fn stop_schedule(&self, id: i64, now: DateTime<Utc>) -> Result<Schedule, AppError> {
        self.write_tx(now, move |tx| {
            Box::pin(async move {
                if !storage::stop_schedule(&mut *tx, id).await? {
                    return Err(AppError::NotFound);
                }
                Ok((schedule_in(tx, id).await?, Changed::nothing()))
            })
        })
        .await
    }

    /// How many trips each schedule has departing after `now` (for the
    /// admin's list).
    pub async fn schedule_trip_counts(
        &self,
        now: DateTime<Utc>,
    ) -> Result<HashMap<i64, usize>, AppError> {
        let mut conn = self.storage.read().await?;
        let mut out = HashMap::new();
        for s in storage::all_schedules(&mut conn).await? {
            let n = storage::scheduled_trips_after(&mut conn, s.id, to_ms(now))
                .await?
                .iter()
                .filter(|t| t.is_active)
                .count();
            out.insert(s.id, n);
        }
        Ok(out)
    }
}
