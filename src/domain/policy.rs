//! The timing rules of a hold (SPEC §1), as pure functions of the time given.
//!
//! - A hold expires `hold` after its first seat; more seats never extend it.
//! - Attaching contact extends it to `contact_hold` from that moment, once:
//!   attaching again does not extend it again.
//! - The passenger may extend once by `hold`, only in the last two minutes.
//! - An admin may extend; nothing lives past `max_hold` after the start.

use chrono::{DateTime, Duration, Utc};

use super::AppError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HoldPolicy {
    pub hold: Duration,
    pub contact_hold: Duration,
    pub max_hold: Duration,
    pub max_seats: u32,
    pub max_active_per_whatsapp: u32,
    /// Live held seats of one trip from one client address (0: no cap).
    pub max_held_seats_per_client: u32,
    /// Unique transfer amounts (see `money`); `None`: off.
    pub unique_codes: Option<super::UniqueCodes>,
}

impl Default for HoldPolicy {
    fn default() -> Self {
        Self {
            hold: Duration::minutes(10),
            contact_hold: Duration::minutes(30),
            max_hold: Duration::minutes(120),
            max_seats: 4,
            max_active_per_whatsapp: 2,
            max_held_seats_per_client: 12,
            unique_codes: Some(super::UniqueCodes::default()),
        }
    }
}

/// The passenger's extension is offered only this close to the end.
pub const EXTEND_WINDOW: Duration = Duration::minutes(2);

impl HoldPolicy {
    fn cap(&self, started: DateTime<Utc>) -> DateTime<Utc> {
        started + self.max_hold
    }

    /// When a hold that starts now ends.
    pub fn initial_expiry(&self, started: DateTime<Utc>) -> DateTime<Utc> {
        (started + self.hold).min(self.cap(started))
    }

    /// The expiry after contact details are attached at `now`. Never
    /// shortens, and only the first attachment extends: correcting a name
    /// or number later keeps the expiry, or attaching again and again would
    /// keep seats held until `max_hold` without anyone paying.
    pub fn contact_expiry(
        &self,
        started: DateTime<Utc>,
        expires: DateTime<Utc>,
        already_attached: bool,
        now: DateTime<Utc>,
    ) -> DateTime<Utc> {
        if already_attached {
            return expires;
        }
        expires.max((now + self.contact_hold).min(self.cap(started)))
    }

    /// Whether the passenger may extend now (used by the page to offer it).
    pub fn passenger_may_extend(
        &self,
        started: DateTime<Utc>,
        expires: DateTime<Utc>,
        already_extended: bool,
        now: DateTime<Utc>,
    ) -> bool {
        self.passenger_extend(started, expires, already_extended, now)
            .is_ok()
    }

    /// The new expiry of the passenger's one extension.
    pub fn passenger_extend(
        &self,
        started: DateTime<Utc>,
        expires: DateTime<Utc>,
        already_extended: bool,
        now: DateTime<Utc>,
    ) -> Result<DateTime<Utc>, AppError> {
        let left = expires - now;
        if already_extended || left <= Duration::zero() || left >= EXTEND_WINDOW {
            return Err(AppError::ExtendNotAllowed);
        }
        let new = (expires + self.hold).min(self.cap(started));
        if new <= expires {
            return Err(AppError::ExtendNotAllowed);
        }
        Ok(new)
    }

    /// The new expiry when an admin extends a live hold by `by`.
    pub fn admin_extend(
        &self,
        started: DateTime<Utc>,
        expires: DateTime<Utc>,
        by: Duration,
        now: DateTime<Utc>,
    ) -> Result<DateTime<Utc>, AppError> {
        if by <= Duration::zero() {
            return Err(AppError::invalid("minutes must be positive."));
        }
        let new = (expires.max(now) + by).min(self.cap(started));
        if new <= expires {
            return Err(AppError::ExtendNotAllowed);
        }
        Ok(new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, 8, 0, 0).unwrap()
    }

    fn min(m: i64) -> Duration {
        Duration::minutes(m)
    }

    #[test]
    fn a_hold_lasts_hold_minutes() {
        let p = HoldPolicy::default();
        assert_eq!(p.initial_expiry(t0()), t0() + min(10));
    }

    #[test]
    fn contact_extends_from_that_moment_and_never_shortens() {
        let p = HoldPolicy::default();
        let exp = p.contact_expiry(t0(), t0() + min(10), false, t0() + min(5));
        assert_eq!(exp, t0() + min(35));
        let p = HoldPolicy {
            contact_hold: min(1),
            ..p
        };
        assert_eq!(
            p.contact_expiry(t0(), t0() + min(10), false, t0() + min(5)),
            t0() + min(10)
        );
    }

    #[test]
    fn attaching_contact_again_does_not_extend_again() {
        let p = HoldPolicy::default();
        let first = p.contact_expiry(t0(), t0() + min(10), false, t0() + min(5));
        // Twenty minutes later the passenger corrects their name.
        let again = p.contact_expiry(t0(), first, true, t0() + min(25));
        assert_eq!(again, first);
    }

    #[test]
    fn passenger_extends_once_only_in_the_last_two_minutes() {
        let p = HoldPolicy::default();
        let exp = t0() + min(10);
        assert_eq!(
            p.passenger_extend(t0(), exp, false, t0() + min(5)),
            Err(AppError::ExtendNotAllowed)
        );
        assert_eq!(
            p.passenger_extend(t0(), exp, false, t0() + min(9)),
            Ok(exp + min(10))
        );
        assert_eq!(
            p.passenger_extend(t0(), exp, true, t0() + min(9)),
            Err(AppError::ExtendNotAllowed)
        );
        assert_eq!(
            p.passenger_extend(t0(), exp, false, t0() + min(10)),
            Err(AppError::ExtendNotAllowed),
            "an expired hold cannot be extended"
        );
    }

    #[test]
    fn nothing_lives_past_max_hold() {
        let p = HoldPolicy::default();
        let exp = t0() + min(119);
        assert_eq!(
            p.passenger_extend(t0(), exp, false, t0() + min(118)),
            Ok(t0() + min(120))
        );
        assert_eq!(
            p.admin_extend(t0(), t0() + min(120), min(30), t0() + min(100)),
            Err(AppError::ExtendNotAllowed)
        );
        assert_eq!(
            p.admin_extend(t0(), t0() + min(30), min(30), t0()),
            Ok(t0() + min(60))
        );
        assert_eq!(
            p.admin_extend(t0(), t0() + min(100), min(60), t0()),
            Ok(t0() + min(120))
        );
        let short = HoldPolicy {
            max_hold: min(5),
            ..p
        };
        assert_eq!(short.initial_expiry(t0()), t0() + min(5));
    }
}
