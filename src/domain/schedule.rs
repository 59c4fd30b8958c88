//! Schedules: the routes an operator runs every week, from which Kursi
//! makes the trips ahead, so that nobody types the same departure in every
//! day.
//!
//! A schedule says when a bus leaves in the operator's local time (WIB by
//! default: `19:00` every Monday, Wednesday and Friday), from which date,
//! until which date, at what price, and which dates are skipped or priced
//! apart (Lebaran, Christmas). What trips it means for a range of dates is
//! a pure function here ([`SchedulePlan::departures`]); making them exactly
//! once is the database's (one trip per schedule and date, a unique key).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use serde::{Deserialize, Serialize};

use super::{AppError, BusType};

/// The days of the week a schedule runs on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Weekdays(u8);

/// Monday first, as Indonesian calendars print the week.
const WEEK: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

/// Each day's names as people type them: English, then Indonesian.
const NAMES: [[&str; 4]; 7] = [
    ["mon", "monday", "sen", "senin"],
    ["tue", "tuesday", "sel", "selasa"],
    ["wed", "wednesday", "rab", "rabu"],
    ["thu", "thursday", "kam", "kamis"],
    ["fri", "friday", "jum", "jumat"],
    ["sat", "saturday", "sab", "sabtu"],
    ["sun", "sunday", "min", "minggu"],
];

impl Weekdays {
    pub const EVERY_DAY: Weekdays = Weekdays(0x7f);

    pub fn of(days: &[Weekday]) -> Self {
        Weekdays(
            days.iter()
                .fold(0, |bits, d| bits | 1 << d.num_days_from_monday()),
        )
    }

    pub fn contains(self, day: Weekday) -> bool {
        self.0 & (1 << day.num_days_from_monday()) != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn days(self) -> impl Iterator<Item = Weekday> {
        WEEK.into_iter().filter(move |d| self.contains(*d))
    }

    /// As stored: bit 0 Monday … bit 6 Sunday.
    pub fn bits(self) -> u8 {
        self.0
    }

    pub fn from_bits(bits: u8) -> Option<Self> {
        (bits != 0 && bits <= 0x7f).then_some(Weekdays(bits))
    }

    /// Reads `mon,wed,fri`, `Senin, Rabu, Jumat`, `daily` or
    /// `setiap hari`; at least one day.
    pub fn parse(text: &str) -> Result<Self, AppError> {
        let text = text.trim().to_lowercase();
        if matches!(
            text.as_str(),
            "daily" | "every day" | "setiap hari" | "tiap hari"
        ) {
            return Ok(Self::EVERY_DAY);
        }
        let mut days = Weekdays(0);
        for word in text
            .split([',', ' ', ';', '/'])
            .map(|w| w.trim_matches('.'))
            .filter(|w| !w.is_empty())
        {
            let Some(i) = NAMES.iter().position(|names| names.contains(&word)) else {
                return Err(AppError::invalid(format!(
                    "{word:?} is not a day of the week (use mon…sun or senin…minggu)."
                )));
            };
            days.0 |= 1 << i;
        }
        if days.is_empty() {
            return Err(AppError::invalid("Choose at least one day of the week."));
        }
        Ok(days)
    }
}

impl std::fmt::Display for Weekdays {
    /// `mon,wed,fri`: what [`Weekdays::parse`] reads back.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = WEEK
            .iter()
            .enumerate()
            .filter(|(_, d)| self.contains(**d))
            .map(|(i, _)| NAMES[i][0])
            .collect();
        f.write_str(&names.join(","))
    }
}

impl TryFrom<String> for Weekdays {
    type Error = String;

    fn try_from(s: String) -> Result<Self, String> {
        Weekdays::parse(&s).map_err(|e| e.message())
    }
}

impl From<Weekdays> for String {
    fn from(w: Weekdays) -> String {
        w.to_string()
    }
}

/// The rule of a schedule: when its buses leave and at what price.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchedulePlan {
    /// Departure in the operator's local time.
    pub depart_time: NaiveTime,
    pub days: Weekdays,
    /// The first and last local dates it runs (`until` open: for good).
    pub from: NaiveDate,
    pub until: Option<NaiveDate>,
    /// The usual price, whole rupiah.
    pub price: i64,
    /// Dates it does not run (a holiday, a bus in the workshop).
    pub skipped: BTreeSet<NaiveDate>,
    /// Prices of particular dates (peak days).
    pub prices: BTreeMap<NaiveDate, i64>,
}

/// One departure a schedule means.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Departure {
    /// Its local date: with the schedule, what names it (one trip per
    /// schedule and date).
    pub date: NaiveDate,
    pub depart_at: DateTime<Utc>,
    pub price: i64,
}

/// The most days ahead trips are made for.
pub const MAX_HORIZON_DAYS: u32 = 120;

impl SchedulePlan {
    /// Whether it runs on the local date `date`.
    pub fn runs_on(&self, date: NaiveDate) -> bool {
        date >= self.from
            && self.until.is_none_or(|u| date <= u)
            && self.days.contains(date.weekday())
            && !self.skipped.contains(&date)
    }

    /// The departures on the local dates `first` through `last` in `tz`,
    /// in order. A local time that does not exist on a date (a daylight
    /// saving gap, in zones that have one) leaves at the first minute that
    /// does.
    pub fn departures<Z: TimeZone>(
        &self,
        tz: &Z,
        first: NaiveDate,
        last: NaiveDate,
    ) -> Vec<Departure> {
        let mut out = Vec::new();
        let mut date = first.max(self.from);
        while date <= last {
            if self.runs_on(date) {
                let local = date.and_time(self.depart_time);
                let at = (0..=180)
                    .find_map(|m| {
                        tz.from_local_datetime(&(local + Duration::minutes(m)))
                            .earliest()
                    })
                    .map(|t| t.with_timezone(&Utc));
                if let Some(depart_at) = at {
                    out.push(Departure {
                        date,
                        depart_at,
                        price: self.prices.get(&date).copied().unwrap_or(self.price),
                    });
                }
            }
            let Some(next) = date.succ_opt() else { break };
            date = next;
        }
        out
    }

    /// What it means from `now` for `horizon_days`: the departures on the
    /// local dates today through today + `horizon_days`, leaving after
    /// `now` (a bus gone this morning is not made again).
    pub fn ahead<Z: TimeZone>(
        &self,
        tz: &Z,
        now: DateTime<Utc>,
        horizon_days: u32,
    ) -> Vec<Departure> {
        let today = now.with_timezone(tz).date_naive();
        let last = today + Duration::days(horizon_days.min(MAX_HORIZON_DAYS).into());
        self.departures(tz, today, last)
            .into_iter()
            .filter(|d| d.depart_at > now)
            .collect()
    }
}

/// A schedule as admins and API clients see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Schedule {
    pub id: i64,
    pub route_from: String,
    pub route_to: String,
    /// Local departure time (DISPLAY_TZ), `HH:MM`.
    #[cfg_attr(feature = "ssr", schema(example = "19:00"))]
    pub depart_time: String,
    /// The days it runs, `mon,wed,fri`.
    #[cfg_attr(feature = "ssr", schema(value_type = String, example = "mon,wed,fri"))]
    pub days: Weekdays,
    pub bus_type: BusType,
    pub price: i64,
    pub admin_wa: String,
    /// The first and last local dates it runs (`valid_until` null: for good).
    pub valid_from: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    /// False once stopped: no more trips are made from it.
    pub is_active: bool,
    /// Dates it does not run.
    pub skipped: Vec<NaiveDate>,
    /// Dates with a price of their own.
    pub prices: Vec<DatePrice>,
    /// The stops every trip made from it has (see `Stop`).
    #[serde(default)]
    pub stops: Vec<super::Stop>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DatePrice {
    pub date: NaiveDate,
    pub price: i64,
}

impl Schedule {
    /// Its rule, for [`SchedulePlan::departures`].
    pub fn plan(&self) -> SchedulePlan {
        SchedulePlan {
            depart_time: parse_time(&self.depart_time).unwrap_or_default(),
            days: self.days,
            from: self.valid_from,
            until: self.valid_until,
            price: self.price,
            skipped: self.skipped.iter().copied().collect(),
            prices: self.prices.iter().map(|p| (p.date, p.price)).collect(),
        }
    }
}

/// Reads a local time of day, `19:00` or `7.30` (as Indonesians often write
/// it).
pub fn parse_time(text: &str) -> Result<NaiveTime, AppError> {
    let t = text.trim().replace('.', ":");
    NaiveTime::parse_from_str(&t, "%H:%M").map_err(|_| {
        AppError::invalid(format!(
            "{text:?} is not a time of day (HH:MM, such as 19:00)."
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::FixedOffset;

    /// WIB, Western Indonesia Time: UTC+7 all year.
    fn wib() -> FixedOffset {
        FixedOffset::east_opt(7 * 3600).unwrap()
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn plan(days: &str) -> SchedulePlan {
        SchedulePlan {
            depart_time: NaiveTime::from_hms_opt(19, 0, 0).unwrap(),
            days: Weekdays::parse(days).unwrap(),
            from: d("2027-01-01"),
            until: None,
            price: 150_000,
            skipped: BTreeSet::new(),
            prices: BTreeMap::new(),
        }
    }

    #[test]
    fn times_of_day_read_with_a_colon_or_a_dot() {
        assert_eq!(
            parse_time("19:00").unwrap(),
            NaiveTime::from_hms_opt(19, 0, 0).unwrap()
        );
        assert_eq!(
            parse_time(" 7.30 ").unwrap(),
            NaiveTime::from_hms_opt(7, 30, 0).unwrap()
        );
        for bad in ["", "25:00", "19", "sore", "19:60"] {
            assert!(parse_time(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn days_read_in_english_and_indonesian() {
        let mwf = Weekdays::of(&[Weekday::Mon, Weekday::Wed, Weekday::Fri]);
        assert_eq!(Weekdays::parse("mon,wed,fri").unwrap(), mwf);
        assert_eq!(Weekdays::parse("Senin, Rabu, Jumat").unwrap(), mwf);
        assert_eq!(Weekdays::parse(" rab / jum ; sen ").unwrap(), mwf);
        assert_eq!(Weekdays::parse("Setiap hari").unwrap(), Weekdays::EVERY_DAY);
        assert_eq!(mwf.to_string(), "mon,wed,fri");
        assert_eq!(Weekdays::parse(&mwf.to_string()).unwrap(), mwf);
        assert_eq!(Weekdays::from_bits(mwf.bits()), Some(mwf));
        assert_eq!(Weekdays::from_bits(0), None);
        assert_eq!(Weekdays::from_bits(0x80), None);
        for bad in ["", "  ,", "someday", "mon,funday"] {
            assert!(Weekdays::parse(bad).is_err(), "{bad:?}");
        }
        let json = serde_json::to_string(&mwf).unwrap();
        assert_eq!(json, "\"mon,wed,fri\"");
        assert_eq!(serde_json::from_str::<Weekdays>(&json).unwrap(), mwf);
        assert!(serde_json::from_str::<Weekdays>("\"x\"").is_err());
    }

    #[test]
    fn a_wib_evening_departure_is_noon_utc_on_the_days_it_runs() {
        // 2027-01-04 is a Monday.
        let got = plan("mon,wed,fri").departures(&wib(), d("2027-01-04"), d("2027-01-10"));
        let dates: Vec<String> = got.iter().map(|x| x.date.to_string()).collect();
        assert_eq!(dates, ["2027-01-04", "2027-01-06", "2027-01-08"]);
        assert_eq!(got[0].depart_at.to_rfc3339(), "2027-01-04T12:00:00+00:00");
        assert!(got.iter().all(|x| x.price == 150_000));
    }

    #[test]
    fn an_early_morning_departure_is_the_evening_before_in_utc() {
        let mut p = plan("daily");
        p.depart_time = NaiveTime::from_hms_opt(5, 30, 0).unwrap();
        let got = p.departures(&wib(), d("2027-03-01"), d("2027-03-01"));
        // Its date stays the local date.
        assert_eq!(got[0].date, d("2027-03-01"));
        assert_eq!(got[0].depart_at.to_rfc3339(), "2027-02-28T22:30:00+00:00");
    }

    #[test]
    fn month_ends_and_leap_days_are_ordinary_dates() {
        let got = plan("daily").departures(&wib(), d("2028-02-27"), d("2028-03-02"));
        let dates: Vec<String> = got.iter().map(|x| x.date.to_string()).collect();
        assert_eq!(
            dates,
            [
                "2028-02-27",
                "2028-02-28",
                "2028-02-29",
                "2028-03-01",
                "2028-03-02"
            ]
        );
        let got = plan("daily").departures(&wib(), d("2027-12-30"), d("2028-01-02"));
        assert_eq!(got.len(), 4);
        assert_eq!(got[2].date, d("2028-01-01"));
    }

    #[test]
    fn validity_skipped_dates_and_peak_prices() {
        let mut p = plan("daily");
        p.from = d("2027-03-29");
        p.until = Some(d("2027-04-04"));
        p.skipped.insert(d("2027-03-31"));
        p.prices.insert(d("2027-04-01"), 250_000);
        let got = p.departures(&wib(), d("2027-03-01"), d("2027-05-01"));
        let dates: Vec<String> = got.iter().map(|x| x.date.to_string()).collect();
        assert_eq!(
            dates,
            [
                "2027-03-29",
                "2027-03-30",
                "2027-04-01",
                "2027-04-02",
                "2027-04-03",
                "2027-04-04"
            ]
        );
        assert_eq!(got[2].price, 250_000);
        assert_eq!(got[3].price, 150_000);
        assert!(!p.runs_on(d("2027-03-31")));
        assert!(!p.runs_on(d("2027-04-05")));
    }

    #[test]
    fn ahead_starts_today_and_leaves_out_buses_already_gone() {
        let p = plan("daily");
        // 20:00 WIB on 2027-01-10: today's 19:00 bus has left.
        let now = wib()
            .with_ymd_and_hms(2027, 1, 10, 20, 0, 0)
            .unwrap()
            .with_timezone(&Utc);
        let got = p.ahead(&wib(), now, 3);
        let dates: Vec<String> = got.iter().map(|x| x.date.to_string()).collect();
        assert_eq!(dates, ["2027-01-11", "2027-01-12", "2027-01-13"]);
        // At 18:59 it has not.
        let got = p.ahead(&wib(), now - Duration::minutes(61), 3);
        assert_eq!(got[0].date, d("2027-01-10"));
        // The horizon is bounded.
        assert_eq!(
            p.ahead(&wib(), now, 10_000).len(),
            MAX_HORIZON_DAYS as usize
        );
    }

    #[test]
    fn a_time_lost_to_daylight_saving_leaves_at_the_next_minute_that_exists() {
        // Zones of Indonesia have none, but DISPLAY_TZ may be any zone.
        let berlin = chrono_tz::Europe::Berlin;
        let mut p = plan("daily");
        p.depart_time = NaiveTime::from_hms_opt(2, 30, 0).unwrap();
        let got = p.departures(&berlin, d("2027-03-28"), d("2027-03-28"));
        assert_eq!(got[0].depart_at.to_rfc3339(), "2027-03-28T01:00:00+00:00");
    }
}
