//! Boarding and drop-off points.
//!
//! A bus picks passengers up at several terminals and agents along its
//! route and sets them down at others. A trip's stops are those points in
//! order, each with the minutes after departure at which the bus is there;
//! the first is where it departs (minute 0). A trip without stops stops
//! only at its route's two ends, as before stops existed.
//!
//! A hold keeps the points its passenger chose (place and minutes), so a
//! later edit of the trip's stops never changes a ticket, while a later
//! departure moves the times with it (the bus is late everywhere).
//!
//! Admins write stops as lines of local clock times, `21:15 Agen Cileunyi`;
//! [`Stops::parse_lines`] turns them into minutes after departure, across
//! midnight when a time is earlier than the one before.

use chrono::{DateTime, Duration, NaiveTime, Timelike, Utc};
use serde::{Deserialize, Serialize};

use super::AppError;

/// At most this many stops per trip.
pub const MAX_STOPS: usize = 20;
/// The last stop is at most this long after departure (two days).
pub const MAX_SPAN_MINUTES: u32 = 48 * 60;

/// One point where the bus stops to let passengers on or off.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Stop {
    /// A terminal, an agent or a pool, 1–60 characters.
    #[cfg_attr(feature = "ssr", schema(example = "Agen Cileunyi"))]
    pub place: String,
    /// Minutes after the trip's departure that the bus is here; the first
    /// stop is at 0.
    #[cfg_attr(feature = "ssr", schema(example = 135))]
    pub minutes: u32,
}

/// A chosen boarding or drop-off point with its time, as a ticket shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StopAt {
    pub place: String,
    /// When the bus is there: the trip's departure plus the stop's minutes.
    pub at: DateTime<Utc>,
}

impl StopAt {
    pub fn of(stop: &Stop, depart_at: DateTime<Utc>) -> Self {
        Self {
            place: stop.place.clone(),
            at: depart_at + Duration::minutes(i64::from(stop.minutes)),
        }
    }
}

/// Where a passenger asks to get on and off, by place (any case); either
/// left out is the trip's first or last stop.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StopChoice {
    pub board: Option<String>,
    pub alight: Option<String>,
}

/// A trip's stops in order: none, or two to [`MAX_STOPS`], the first at
/// minute 0, never going back in time, each place named once.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stops(Vec<Stop>);

impl Stops {
    /// Checks a list of stops (from the API or the database); places are
    /// trimmed and their inner spaces collapsed.
    pub fn new(list: Vec<Stop>) -> Result<Self, AppError> {
        if list.len() == 1 || list.len() > MAX_STOPS {
            return Err(AppError::invalid(format!(
                "stops must be none, or 2 to {MAX_STOPS} points in order."
            )));
        }
        let mut out: Vec<Stop> = Vec::with_capacity(list.len());
        for stop in list {
            let place = clean_place(&stop.place)?;
            if out.iter().any(|s| same_place(&s.place, &place)) {
                return Err(AppError::invalid(format!(
                    "stop {place:?} is listed twice; each stop is named once."
                )));
            }
            match out.last() {
                None if stop.minutes != 0 => {
                    return Err(AppError::invalid(
                        "the first stop is where the bus departs: its minutes must be 0.",
                    ));
                }
                Some(prev) if stop.minutes < prev.minutes => {
                    return Err(AppError::invalid(format!(
                        "stop {place:?} comes before the stop listed above it; list stops in order."
                    )));
                }
                _ => {}
            }
            if stop.minutes > MAX_SPAN_MINUTES {
                return Err(AppError::invalid(format!(
                    "stop {place:?} is more than {} hours after departure.",
                    MAX_SPAN_MINUTES / 60
                )));
            }
            out.push(Stop {
                place,
                minutes: stop.minutes,
            });
        }
        Ok(Self(out))
    }

    pub fn none() -> Self {
        Self(Vec::new())
    }

    pub fn as_slice(&self) -> &[Stop] {
        &self.0
    }

    pub fn into_vec(self) -> Vec<Stop> {
        self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Reads the admin's lines, `HH:MM Place` (or `HH.MM`), one stop each,
    /// in local time; the first is the departure at `departs`. A time
    /// earlier than the one above it is the next day. Blank lines are
    /// skipped; no lines at all is no stops.
    pub fn parse_lines(text: &str, departs: NaiveTime) -> Result<Self, AppError> {
        let departs = minute_of_day(departs);
        let mut list = Vec::new();
        let mut previous = 0u32;
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let shape = || {
                AppError::invalid(format!(
                    "{line:?}: write a stop as a time and a place, such as 21:15 Agen Cileunyi."
                ))
            };
            let (time, place) = line.split_once(char::is_whitespace).ok_or_else(shape)?;
            // A line that opens with a word has no time at all; one that
            // opens with digits has a time written wrong.
            if !time.starts_with(|c: char| c.is_ascii_digit()) {
                return Err(shape());
            }
            let clock = minute_of_day(super::schedule::parse_time(time)?);
            let mut minutes = (clock + 24 * 60 - departs) % (24 * 60);
            if list.is_empty() && minutes != 0 {
                return Err(AppError::invalid(format!(
                    "the first stop is where the bus departs: its time must be the departure time ({}).",
                    clock_text(departs)
                )));
            }
            while minutes < previous {
                minutes += 24 * 60;
            }
            previous = minutes;
            list.push(Stop {
                place: place.to_string(),
                minutes,
            });
        }
        Self::new(list)
    }

    /// The stops as the admin writes them (see [`Stops::parse_lines`]).
    pub fn to_lines(stops: &[Stop], departs: NaiveTime) -> String {
        let departs = minute_of_day(departs);
        stops
            .iter()
            .map(|s| format!("{} {}", clock_text(departs + s.minutes), s.place))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The passenger's boarding and drop-off points, by place (any case):
    /// the first and the last stop when not given. `None` for a trip
    /// without stops, which has nothing to choose.
    pub fn choose(&self, choice: &StopChoice) -> Result<Option<(Stop, Stop)>, AppError> {
        fn given(s: &Option<String>) -> Option<&str> {
            s.as_deref().map(str::trim).filter(|s| !s.is_empty())
        }
        let (board, alight) = (given(&choice.board), given(&choice.alight));
        if self.0.is_empty() {
            return match board.or(alight) {
                Some(_) => Err(AppError::invalid(
                    "this trip has no stops to choose from; leave board and alight out.",
                )),
                None => Ok(None),
            };
        }
        let find = |place: &str, field: &str| {
            self.0
                .iter()
                .position(|s| same_place(&s.place, place))
                .ok_or_else(|| {
                    AppError::invalid(format!("{field}: this trip does not stop at {place:?}."))
                })
        };
        let b = board.map(|p| find(p, "board")).transpose()?.unwrap_or(0);
        let a = alight
            .map(|p| find(p, "alight"))
            .transpose()?
            .unwrap_or(self.0.len() - 1);
        if b >= a {
            return Err(AppError::invalid(
                "alight must be a stop after the boarding stop.",
            ));
        }
        Ok(Some((self.0[b].clone(), self.0[a].clone())))
    }
}

/// What the trip search compares, per point of a trip, lowercased: its
/// place, and for the first and last point also the route's ends, so a
/// search for "Jakarta" finds a trip from Jakarta whose first stop is
/// "Terminal Kampung Rambutan".
pub fn search_points(route_from: &str, route_to: &str, stops: &[Stop]) -> Vec<String> {
    if stops.is_empty() {
        return vec![route_from.to_lowercase(), route_to.to_lowercase()];
    }
    let last = stops.len() - 1;
    stops
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut key = s.place.to_lowercase();
            if i == 0 {
                key = format!("{key}\n{}", route_from.to_lowercase());
            }
            if i == last {
                key = format!("{key}\n{}", route_to.to_lowercase());
            }
            key
        })
        .collect()
}

/// Whether a trip with these [`search_points`] takes a passenger from a
/// place matching `from` to a later one matching `to` (lowercased parts of
/// names, each optional): where `from` matches first, `to` must come after.
pub fn route_matches(points: &[String], from: Option<&str>, to: Option<&str>) -> bool {
    let Some(last) = points.len().checked_sub(1) else {
        return false;
    };
    let boards = match from {
        None => 0,
        Some(f) => match points[..last].iter().position(|p| p.contains(f)) {
            Some(i) => i,
            None => return false,
        },
    };
    to.is_none_or(|t| points[boards + 1..].iter().any(|p| p.contains(t)))
}

fn clean_place(s: &str) -> Result<String, AppError> {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.is_empty() || s.chars().count() > 60 || s.chars().any(char::is_control) {
        return Err(AppError::invalid(
            "a stop's place must be a name of 1 to 60 characters.",
        ));
    }
    Ok(s)
}

fn same_place(a: &str, b: &str) -> bool {
    let fold = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    fold(a) == fold(b)
}

fn minute_of_day(t: NaiveTime) -> u32 {
    t.hour() * 60 + t.minute()
}

fn clock_text(minute: u32) -> String {
    let m = minute % (24 * 60);
    format!("{:02}:{:02}", m / 60, m % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    fn stop(place: &str, minutes: u32) -> Stop {
        Stop {
            place: place.into(),
            minutes,
        }
    }

    #[test]
    fn lines_become_minutes_after_departure_across_midnight() {
        let text =
            "19:00 Terminal Kampung Rambutan\n\n 21.15  Agen  Cileunyi \n05:30 Terminal Giwangan\n";
        let stops = Stops::parse_lines(text, at(19, 0)).unwrap();
        assert_eq!(
            stops.as_slice(),
            [
                stop("Terminal Kampung Rambutan", 0),
                stop("Agen Cileunyi", 135),
                stop("Terminal Giwangan", 630),
            ]
        );
        assert_eq!(
            Stops::to_lines(stops.as_slice(), at(19, 0)),
            "19:00 Terminal Kampung Rambutan\n21:15 Agen Cileunyi\n05:30 Terminal Giwangan"
        );
        // The same clock time again is a day later, not the same minute.
        let long = Stops::parse_lines("08:00 A\n20:00 B\n08:00 C", at(8, 0)).unwrap();
        assert_eq!(long.as_slice()[2].minutes, 24 * 60);
        assert!(Stops::parse_lines("  \n", at(8, 0)).unwrap().is_empty());
    }

    #[test]
    fn bad_lines_are_refused_with_the_reason() {
        let err = |text: &str| match Stops::parse_lines(text, at(19, 0)) {
            Err(AppError::InvalidRequest { message }) => message,
            other => panic!("{text:?} gave {other:?}"),
        };
        assert!(err("19:30 A\n21:00 B").contains("departure time (19:00)"));
        assert!(err("19:00 A").contains("2 to 20"));
        assert!(err("19:00 A\nAgen B").contains("time and a place"));
        assert!(err("19:00 A\n25:00 B").contains("not a time"));
        assert!(err("19:00 Agen\n20:00 agen").contains("twice"));
        assert!(err(&format!("19:00 A\n20:00 {}", "x".repeat(61))).contains("60"));
        let many: String = (0..21).map(|i| format!("19:{i:02} S{i}\n")).collect();
        assert!(err(&many).contains("2 to 20"));
    }

    #[test]
    fn lists_from_clients_are_checked_too() {
        assert!(Stops::new(vec![]).unwrap().is_empty());
        assert!(Stops::new(vec![stop("A", 5), stop("B", 10)]).is_err());
        assert!(Stops::new(vec![stop("A", 0), stop("B", 10), stop("C", 9)]).is_err());
        assert!(Stops::new(vec![stop("A", 0), stop("B", MAX_SPAN_MINUTES + 1)]).is_err());
        assert!(Stops::new(vec![stop("A", 0), stop("\u{7}", 1)]).is_err());
        let ok = Stops::new(vec![stop("  A  pool ", 0), stop("B", 0)]).unwrap();
        assert_eq!(ok.as_slice()[0].place, "A pool");
    }

    #[test]
    fn a_passenger_chooses_points_in_order() {
        let stops = Stops::new(vec![
            stop("Kampung Rambutan", 0),
            stop("Cileunyi", 135),
            stop("Giwangan", 630),
        ])
        .unwrap();
        let (b, a) = stops
            .choose(&StopChoice {
                board: None,
                alight: None,
            })
            .unwrap()
            .unwrap();
        assert_eq!(
            (b.place.as_str(), a.place.as_str()),
            ("Kampung Rambutan", "Giwangan")
        );
        let (b, a) = stops
            .choose(&StopChoice {
                board: Some(" cileunyi ".into()),
                alight: None,
            })
            .unwrap()
            .unwrap();
        assert_eq!((b.minutes, a.minutes), (135, 630));
        assert!(
            stops
                .choose(&StopChoice {
                    board: Some("Giwangan".into()),
                    alight: None
                })
                .is_err(),
            "nowhere left to go"
        );
        assert!(
            stops
                .choose(&StopChoice {
                    board: Some("Cileunyi".into()),
                    alight: Some("Kampung Rambutan".into())
                })
                .is_err()
        );
        assert!(
            stops
                .choose(&StopChoice {
                    board: Some("Bekasi".into()),
                    alight: None
                })
                .is_err()
        );
        assert_eq!(
            Stops::none()
                .choose(&StopChoice {
                    board: None,
                    alight: Some("".into())
                })
                .unwrap(),
            None
        );
        assert!(
            Stops::none()
                .choose(&StopChoice {
                    board: Some("Bekasi".into()),
                    alight: None
                })
                .is_err()
        );
        let depart = DateTime::parse_from_rfc3339("2026-12-24T12:00:00Z")
            .unwrap()
            .to_utc();
        assert_eq!(
            StopAt::of(&a, depart).at.to_rfc3339(),
            "2026-12-24T22:30:00+00:00"
        );
    }

    #[test]
    fn search_matches_stops_in_order_and_the_route_ends() {
        let stops = [
            stop("Terminal Kampung Rambutan", 0),
            stop("Agen Cileunyi", 135),
            stop("Terminal Giwangan", 630),
        ];
        let points = search_points("Jakarta", "Yogyakarta", &stops);
        let m = |f: Option<&str>, t: Option<&str>| route_matches(&points, f, t);
        assert!(m(None, None));
        assert!(m(Some("jakarta"), Some("yogya")));
        assert!(m(Some("cileunyi"), Some("giwangan")));
        assert!(m(Some("rambutan"), Some("cileunyi")));
        assert!(m(None, Some("cileunyi")));
        assert!(!m(Some("cileunyi"), Some("rambutan")), "backwards");
        assert!(!m(Some("giwangan"), None), "nobody boards at the last stop");
        assert!(
            !m(None, Some("jakarta")),
            "nobody alights where the bus departs"
        );
        assert!(!m(Some("bandung"), None));
        // "terminal" matches the first stop; the destination must follow it.
        assert!(m(Some("terminal"), Some("terminal giwangan")));
        // Without stops, the route's ends are the two points.
        let plain = search_points("Jakarta", "Bandung", &[]);
        assert!(route_matches(&plain, Some("jak"), Some("band")));
        assert!(!route_matches(&plain, Some("band"), None));
        assert!(!route_matches(&plain, Some("jak"), Some("jak")));
    }
}
