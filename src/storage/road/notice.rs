//! The notification a committed batch sends the other instances on one
//! PostgreSQL database (`NOTIFY kursi_changes`), and its reading.
//!
//! It is sent inside the batch's transaction, so it is delivered when, and
//! only if, the batch commits, and at most once per batch. It names the
//! instance that sent it (which ignores its own: it announced the batch
//! before answering anyone), whether trips were created or edited, and the
//! trips whose seats changed: `"1a2b3c4d L 3,5,8"` (`-` for no listing
//! change). PostgreSQL refuses payloads of 8,000 bytes or more; a batch
//! whose list would not fit sends `"1a2b3c4d *"`, "everything changed".

use std::fmt::Write;

use super::Changed;

/// The channel every instance listens on.
pub const CHANNEL: &str = "kursi_changes";

/// Payloads stay below this (PostgreSQL's limit is 8,000 bytes).
const MAX_PAYLOAD: usize = 7_900;

/// What a notification says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    /// These trips' seats (and maybe the listing) changed.
    Changed { from: u32, changed: Changed },
    /// Too much to list: drop everything held in memory.
    Everything { from: u32 },
}

impl Notice {
    /// The instance that sent it.
    pub fn from(&self) -> u32 {
        match self {
            Notice::Changed { from, .. } | Notice::Everything { from } => *from,
        }
    }
}

/// The payload that tells of `changed`, sent by `instance`.
pub fn encode(instance: u32, changed: &Changed) -> String {
    let mut out = format!(
        "{instance:08x} {}",
        if changed.listing_changed() { 'L' } else { '-' }
    );
    let mut sep = ' ';
    for trip in changed.trips() {
        let _ = write!(out, "{sep}{trip}");
        sep = ',';
        if out.len() > MAX_PAYLOAD {
            return format!("{instance:08x} *");
        }
    }
    out
}

/// Reads a payload; `None` for anything this version did not send.
pub fn decode(payload: &str) -> Option<Notice> {
    let mut parts = payload.split(' ');
    let from = u32::from_str_radix(parts.next().filter(|p| p.len() == 8)?, 16).ok()?;
    let notice = match parts.next()? {
        "*" => Notice::Everything { from },
        flag @ ("L" | "-") => {
            let trips = match parts.next() {
                None => Vec::new(),
                Some(list) => list
                    .split(',')
                    .map(str::parse)
                    .collect::<Result<Vec<i64>, _>>()
                    .ok()?,
            };
            Notice::Changed {
                from,
                changed: Changed::from_parts(trips, flag == "L"),
            }
        }
        _ => return None,
    };
    parts.next().is_none().then_some(notice)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_reads_back_as_it_was_sent() {
        let changed = Changed::trip(3).and(12).and_listing();
        let payload = encode(0x1a2b3c4d, &changed);
        assert_eq!(payload, "1a2b3c4d L 3,12");
        assert_eq!(
            decode(&payload),
            Some(Notice::Changed {
                from: 0x1a2b3c4d,
                changed
            })
        );
        let listing = encode(7, &Changed::listing());
        assert_eq!(listing, "00000007 L");
        assert_eq!(decode(&listing).unwrap().from(), 7);
        assert_eq!(
            decode(&encode(7, &Changed::trip(9))),
            Some(Notice::Changed {
                from: 7,
                changed: Changed::trip(9)
            })
        );
    }

    #[test]
    fn too_many_trips_for_one_payload_say_everything() {
        let mut many = Changed::nothing();
        for trip in 1_000_000..1_002_000 {
            many = many.and(trip);
        }
        let payload = encode(5, &many);
        assert!(payload.len() < 8_000);
        assert_eq!(decode(&payload), Some(Notice::Everything { from: 5 }));
    }

    #[test]
    fn anything_else_is_not_a_notice() {
        for junk in [
            "",
            "1a2b3c4d",
            "1a2b3c4d X 1",
            "1a2b3c4 - 1",
            "1a2b3c4d - 1,x",
            "1a2b3c4d - 1 2",
            "zzzzzzzz - 1",
        ] {
            assert_eq!(decode(junk), None, "{junk:?}");
        }
    }
}
