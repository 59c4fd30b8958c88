//! The admin's schedules page: its schedules, and what it does to them.
//! Every action answers with the schedules as they now are.

// The schedule form posts one field per day of the week; the server
// function's client stub has one argument per field.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::AppError;
use crate::domain::schedule::Schedule;

/// A schedule and how many of its trips are on sale ahead.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleLine {
    pub schedule: Schedule,
    pub trips_ahead: usize,
}

/// What `/admin/schedules` shows; `made` after adding a schedule: how many
/// trips it made at once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchedulesView {
    pub schedules: Vec<ScheduleLine>,
    pub made: Option<usize>,
    /// After an edit: what it did to the schedule's trips.
    pub edited: Option<EditSummary>,
}

/// What editing a schedule did to its later trips.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditSummary {
    pub changed: usize,
    pub kept: usize,
    pub made: usize,
}

#[cfg(feature = "ssr")]
async fn view(s: &crate::state::AppState, made: Option<usize>) -> Result<SchedulesView, AppError> {
    let counts = s.service.schedule_trip_counts(s.clock.now()).await?;
    Ok(SchedulesView {
        schedules: s
            .service
            .schedules()
            .await?
            .into_iter()
            .map(|schedule| ScheduleLine {
                trips_ahead: counts.get(&schedule.id).copied().unwrap_or(0),
                schedule,
            })
            .collect(),
        made,
        edited: None,
    })
}

#[server(prefix = "/sf", endpoint = "admin_schedules")]
pub async fn admin_schedules() -> Result<SchedulesView, AppError> {
    super::with_status(
        async move {
            let (s, _) = super::admin::ssr::staff().await?;
            view(&s, None).await
        }
        .await,
    )
}

/// Adds a schedule (no `id`: the add form) or changes one (its edit
/// form, the same fields with the schedule's `id`): one checkbox per day of
/// the week (`mon` … `sun`, present when ticked). A change moves the
/// schedule's later trips nobody has held.
#[server(prefix = "/sf", endpoint = "admin_save_schedule")]
pub async fn admin_save_schedule(
    id: Option<i64>,
    route_from: String,
    route_to: String,
    depart_time: String,
    bus_type: String,
    price: String,
    admin_wa: String,
    valid_from: String,
    valid_until: String,
    mon: Option<String>,
    tue: Option<String>,
    wed: Option<String>,
    thu: Option<String>,
    fri: Option<String>,
    sat: Option<String>,
    sun: Option<String>,
    stops: Option<String>,
) -> Result<SchedulesView, AppError> {
    super::with_status(
        async move {
            let (s, actor) = super::admin::ssr::staff().await?;
            let input = ssr::schedule_of(ScheduleForm {
                route_from,
                route_to,
                depart_time,
                bus_type,
                price,
                admin_wa,
                valid_from,
                valid_until,
                days: [mon, tue, wed, thu, fri, sat, sun],
                stops: stops.unwrap_or_default(),
            })?;
            let (ahead, now) = (s.settings.schedule_days_ahead, s.clock.now());
            let Some(id) = id else {
                let (_, made) = s
                    .service
                    .create_schedule(&actor, &input, ahead, now)
                    .await?;
                return view(&s, Some(made)).await;
            };
            let (_, edit) = s
                .service
                .update_schedule(&actor, id, &input, ahead, now)
                .await?;
            let mut v = view(&s, None).await?;
            v.edited = Some(EditSummary {
                changed: edit.trips_changed,
                kept: edit.trips_kept,
                made: edit.trips_made,
            });
            Ok(v)
        }
        .await,
    )
}

/// The fields of the add and edit forms, as posted.
#[cfg(feature = "ssr")]
struct ScheduleForm {
    route_from: String,
    route_to: String,
    depart_time: String,
    bus_type: String,
    price: String,
    admin_wa: String,
    valid_from: String,
    valid_until: String,
    /// Monday first: present when ticked.
    days: [Option<String>; 7],
    /// `HH:MM Place` lines (`domain::Stops::parse_lines`).
    stops: String,
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::ScheduleForm;
    use crate::domain::AppError;

    /// A schedule as the forms post it: a checkbox per day, the price as
    /// typed, dates as `YYYY-MM-DD`.
    pub(super) fn schedule_of(f: ScheduleForm) -> Result<crate::services::NewSchedule, AppError> {
        const NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
        let days: Vec<&str> = NAMES
            .iter()
            .zip(&f.days)
            .filter(|(_, v)| v.is_some())
            .map(|(d, _)| *d)
            .collect();
        let date = |text: &str, field: &str| {
            text.trim()
                .parse::<chrono::NaiveDate>()
                .map_err(|_| AppError::invalid(format!("Enter {field} as a date.")))
        };
        let departs = crate::domain::schedule::parse_time(&f.depart_time)?;
        let stops = crate::domain::Stops::parse_lines(&f.stops, departs)?.into_vec();
        Ok(crate::services::NewSchedule {
            stops,
            route_from: f.route_from,
            route_to: f.route_to,
            depart_time: f.depart_time,
            days: days.join(","),
            bus_type: crate::domain::BusType::parse(&f.bus_type)?,
            price: super::super::admin::parse_price(&f.price)?,
            admin_wa: f.admin_wa,
            valid_from: date(&f.valid_from, "the first day")?,
            valid_until: match f.valid_until.trim() {
                "" => None,
                until => Some(date(until, "the last day")?),
            },
        })
    }
}

/// Skips a date (`what` = `skip`), gives it a price (`price`), or makes it
/// ordinary again (`normal`).
#[server(prefix = "/sf", endpoint = "admin_schedule_date")]
pub async fn admin_schedule_date(
    id: i64,
    date: String,
    what: String,
    price: String,
) -> Result<SchedulesView, AppError> {
    super::with_status(
        async move {
            let (s, actor) = super::admin::ssr::staff().await?;
            let date = date
                .trim()
                .parse::<chrono::NaiveDate>()
                .map_err(|_| AppError::invalid("Choose a date."))?;
            let rule = match what.as_str() {
                "skip" => crate::services::DateRule {
                    date,
                    skipped: true,
                    price: None,
                },
                "price" => crate::services::DateRule {
                    date,
                    skipped: false,
                    price: Some(super::admin::parse_price(&price)?),
                },
                _ => crate::services::DateRule {
                    date,
                    skipped: false,
                    price: None,
                },
            };
            let ahead = s.settings.schedule_days_ahead;
            s.service
                .set_schedule_date(&actor, id, rule, ahead, s.clock.now())
                .await?;
            view(&s, None).await
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "admin_stop_schedule")]
pub async fn admin_stop_schedule(id: i64) -> Result<SchedulesView, AppError> {
    super::with_status(
        async move {
            let (s, _) = super::admin::ssr::staff().await?;
            s.service.stop_schedule(id, s.clock.now()).await?;
            view(&s, None).await
        }
        .await,
    )
}
