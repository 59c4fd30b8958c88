//! Server functions of the admin pages. Every one but sign-in first checks
//! the staff session (`staff()`), so none works for a visitor who is not
//! signed in, whatever the page does.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

use super::TripCard;
use crate::domain::statement::{ColumnMapping, StatementReport};
use crate::domain::{AppError, AuditEvent, Booking, Hold, ManifestEntry, PaymentAccount};

/// A hold in the admin's list, with its trip in words.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AdminHold {
    pub hold: Hold,
    pub trip: Option<TripCard>,
    /// The transfer receipts its passenger sent, oldest first.
    pub receipts: Vec<crate::domain::Receipt>,
}

/// A confirmed payment: the booking and a WhatsApp link to the passenger
/// with the booking code and the ticket link.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Confirmation {
    pub booking: Booking,
    pub whatsapp_url: String,
}

/// A trip's admin page: the trip, its manifest and its audit trail.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TripDetail {
    pub card: TripCard,
    pub passengers: Vec<ManifestEntry>,
    pub audit: Vec<AuditEvent>,
    /// The departure as `YYYY-MM-DDTHH:MM` in the display time zone, for
    /// the edit form's `datetime-local` input.
    pub depart_input: String,
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use super::super::state;
    use crate::domain::AppError;
    use crate::services::Actor;
    use crate::state::AppState;
    use leptos::prelude::*;

    /// The signed-in admin, or `unauthorized` (`admin_only` for a crew
    /// account).
    pub async fn staff() -> Result<(AppState, Actor), AppError> {
        let (s, staff) = signed_in().await?;
        Ok((s, staff.admin()?))
    }

    /// Whoever is signed in, admin or crew, or `unauthorized`.
    pub async fn signed_in() -> Result<(AppState, crate::services::Staff), AppError> {
        let s = state()?;
        let parts = use_context::<http::request::Parts>().ok_or(AppError::Internal)?;
        let key =
            crate::web::staff_key_of(&parts.headers, &s.settings).ok_or(AppError::Unauthorized)?;
        let staff = s
            .service
            .staff_session(&key, s.clock.now())
            .await?
            .ok_or(AppError::Unauthorized)?;
        Ok((s, staff))
    }

    /// This site's origin for links sent to passengers: `PUBLIC_URL`, never
    /// the request's `Host` (which the client chooses).
    pub fn site_origin(s: &AppState) -> String {
        s.settings.public_origin()
    }

    /// A departure typed into a `datetime-local` input, in the display zone.
    pub fn parse_local(
        s: &AppState,
        input: &str,
    ) -> Result<chrono::DateTime<chrono::Utc>, AppError> {
        use chrono::TimeZone;
        let naive = chrono::NaiveDateTime::parse_from_str(input.trim(), "%Y-%m-%dT%H:%M")
            .or_else(|_| chrono::NaiveDateTime::parse_from_str(input.trim(), "%Y-%m-%dT%H:%M:%S"))
            .map_err(|_| AppError::invalid("Enter the departure as a date and a time."))?;
        s.service
            .tz()
            .from_local_datetime(&naive)
            .earliest()
            .map(|t| t.with_timezone(&chrono::Utc))
            .ok_or_else(|| AppError::invalid("This local time does not exist."))
    }

    /// The stops as the trip form's lines, for a trip departing `depart_at`.
    pub fn stops_of(
        s: &AppState,
        lines: &str,
        depart_at: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<crate::domain::Stop>, AppError> {
        let departs = depart_at.with_timezone(&s.service.tz()).time();
        Ok(crate::domain::Stops::parse_lines(lines, departs)?.into_vec())
    }
}

/// Signs a staff member in, then goes to the admin page (a redirect, so
/// the form works without JavaScript too).
#[server(prefix = "/sf", endpoint = "staff_login")]
pub async fn staff_login(username: String, password: String) -> Result<(), AppError> {
    super::with_status(
        async move {
            let s = super::state()?;
            let parts = use_context::<http::request::Parts>().ok_or(AppError::Internal)?;
            s.limits
                .check_request(crate::limits::Limit::Login, &parts, s.clock.now())
                .await?;
            let client = s.limits.client_of(&parts);
            let (token, user) = s
                .service
                .sign_in(
                    &username,
                    &password,
                    client,
                    s.settings.staff_session_ttl,
                    s.clock.now(),
                )
                .await?;
            if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
                resp.insert_header(
                    http::header::SET_COOKIE,
                    crate::web::staff_cookie(&token, &s.settings),
                );
            }
            leptos_axum::redirect(user.role.home());
            Ok(())
        }
        .await,
    )
}

/// Signs out and goes back to the sign-in page.
#[server(prefix = "/sf", endpoint = "staff_logout")]
pub async fn staff_logout() -> Result<(), AppError> {
    let s = super::state()?;
    let parts = use_context::<http::request::Parts>().ok_or(AppError::Internal)?;
    if let Some(key) = crate::web::staff_key_of(&parts.headers, &s.settings) {
        s.service.sign_out(&key, s.clock.now()).await?;
    }
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        resp.insert_header(
            http::header::SET_COOKIE,
            crate::web::staff_cookie("", &s.settings),
        );
    }
    leptos_axum::redirect("/admin/login");
    Ok(())
}

/// The signed-in staff member's name (an admin's or a crew member's).
#[server(prefix = "/sf", endpoint = "staff_me")]
pub async fn staff_me() -> Result<String, AppError> {
    super::with_status(
        async move {
            let (_, staff) = ssr::signed_in().await?;
            Ok(staff.user().username)
        }
        .await,
    )
}

/// Holds with contact details: `status` HELD (default: awaiting payment),
/// or any status with `all`; `q` is a name, a number or a claim code.
#[server(prefix = "/sf", endpoint = "admin_holds")]
pub async fn admin_holds(q: String, status: String) -> Result<Vec<AdminHold>, AppError> {
    super::with_status(
        async move {
            let (s, _) = ssr::staff().await?;
            let now = s.clock.now();
            let filter = crate::services::HoldFilter {
                q: Some(q),
                status: Some(status).filter(|st| !st.is_empty() && st != "ALL"),
                trip_id: None,
            };
            let tz = s.service.tz();
            Ok(s.service
                .admin_holds_with_trips(&filter, now)
                .await?
                .into_iter()
                .map(|(hold, trip, receipts)| AdminHold {
                    trip: Some(super::card(trip, tz)),
                    hold,
                    receipts,
                })
                .collect())
        }
        .await,
    )
}

/// Confirms payment of the hold with this claim code.
#[server(prefix = "/sf", endpoint = "admin_confirm")]
pub async fn admin_confirm(claim_code: String) -> Result<Confirmation, AppError> {
    super::with_status(
        async move {
            let (s, actor) = ssr::staff().await?;
            let code = crate::domain::ClaimCode::lookup(&claim_code)?;
            confirmation(&s, &actor, &code).await
        }
        .await,
    )
}

/// Books the hold and makes the WhatsApp link with its ticket.
#[cfg(feature = "ssr")]
async fn confirmation(
    s: &crate::state::AppState,
    actor: &crate::services::Actor,
    code: &crate::domain::ClaimCode,
) -> Result<Confirmation, AppError> {
    let booking = s.service.book(actor, code, s.clock.now()).await?;
    let ticket = format!(
        "{}/ticket/{}?wa={}",
        ssr::site_origin(s),
        booking.booking_code,
        booking.whatsapp
    );
    let whatsapp_url = crate::services::booking_whatsapp_url(&booking, &ticket, s.service.tz());
    Ok(Confirmation {
        booking,
        whatsapp_url,
    })
}

/// Matches a bank statement export (its text; `mapping` when the admin
/// chose the columns) to the holds. Books nothing.
#[server(prefix = "/sf", endpoint = "admin_match_statement", input = Json)]
pub async fn admin_match_statement(
    csv: String,
    mapping: Option<ColumnMapping>,
) -> Result<StatementReport, AppError> {
    super::with_status(
        async move {
            let (s, _) = ssr::staff().await?;
            s.service
                .match_statement(&csv, mapping, s.clock.now())
                .await
        }
        .await,
    )
}

/// What confirming one hold of many came to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Confirmed {
    pub claim_code: String,
    pub outcome: Result<Confirmation, AppError>,
}

/// Confirms payment of each of these holds (the statement's ready
/// matches, all at once), one booking each, as [`admin_confirm`] would;
/// one failing does not stop the others.
#[server(prefix = "/sf", endpoint = "admin_confirm_many", input = Json)]
pub async fn admin_confirm_many(claim_codes: Vec<String>) -> Result<Vec<Confirmed>, AppError> {
    super::with_status(
        async move {
            let (s, actor) = ssr::staff().await?;
            if claim_codes.len() > crate::services::MAX_STATEMENT_LINES {
                return Err(AppError::invalid("Too many holds at once."));
            }
            let mut out = Vec::with_capacity(claim_codes.len());
            for claim_code in claim_codes {
                let outcome = match crate::domain::ClaimCode::lookup(&claim_code) {
                    Ok(code) => confirmation(&s, &actor, &code).await,
                    Err(e) => Err(e),
                };
                out.push(Confirmed {
                    claim_code,
                    outcome,
                });
            }
            Ok(out)
        }
        .await,
    )
}

/// Extends a live hold by `HOLD_MINUTES`.
#[server(prefix = "/sf", endpoint = "admin_extend")]
pub async fn admin_extend(claim_code: String) -> Result<Hold, AppError> {
    super::with_status(
        async move {
            let (s, actor) = ssr::staff().await?;
            let code = crate::domain::ClaimCode::lookup(&claim_code)?;
            s.service
                .admin_extend(&actor, &code, None, s.clock.now())
                .await
        }
        .await,
    )
}

/// Releases a live hold's seats.
#[server(prefix = "/sf", endpoint = "admin_release")]
pub async fn admin_release(claim_code: String) -> Result<Hold, AppError> {
    super::with_status(
        async move {
            let (s, actor) = ssr::staff().await?;
            let code = crate::domain::ClaimCode::lookup(&claim_code)?;
            s.service.admin_release(&actor, &code, s.clock.now()).await
        }
        .await,
    )
}

/// Cancels a booking (the page asks for confirmation first).
#[server(prefix = "/sf", endpoint = "admin_cancel")]
pub async fn admin_cancel(booking_code: String) -> Result<Booking, AppError> {
    super::with_status(
        async move {
            let (s, actor) = ssr::staff().await?;
            let code = crate::domain::BookingCode::parse(&booking_code)
                .map_err(|_| AppError::BookingNotFound)?;
            s.service.cancel_booking(&actor, &code, s.clock.now()).await
        }
        .await,
    )
}

/// The live bank accounts and QRIS image, for the admin's payment page.
#[server(prefix = "/sf", endpoint = "admin_payment_accounts")]
pub async fn admin_payment_accounts() -> Result<crate::domain::PayTo, AppError> {
    super::with_status(
        async move {
            let (s, _) = ssr::staff().await?;
            Ok(crate::domain::PayTo {
                accounts: s.service.payment_accounts().await?,
                qris: s.service.payment_qris_version().await?,
            })
        }
        .await,
    )
}

/// Adds a bank account; answers with every live account.
#[server(prefix = "/sf", endpoint = "admin_add_payment_account")]
pub async fn admin_add_payment_account(
    bank: String,
    number: String,
    holder: String,
) -> Result<Vec<PaymentAccount>, AppError> {
    super::with_status(
        async move {
            let (s, actor) = ssr::staff().await?;
            let input = crate::domain::NewPaymentAccount {
                bank,
                number,
                holder,
            };
            s.service
                .add_payment_account(&actor, &input, s.clock.now())
                .await
        }
        .await,
    )
}

/// Retires a bank account; answers with the live accounts left.
#[server(prefix = "/sf", endpoint = "admin_retire_payment_account")]
pub async fn admin_retire_payment_account(id: i64) -> Result<Vec<PaymentAccount>, AppError> {
    super::with_status(
        async move {
            let (s, actor) = ssr::staff().await?;
            s.service
                .retire_payment_account(&actor, id, s.clock.now())
                .await
        }
        .await,
    )
}

/// Every trip, for the admin's trip list.
#[server(prefix = "/sf", endpoint = "admin_trips")]
pub async fn admin_trips() -> Result<Vec<TripCard>, AppError> {
    super::with_status(
        async move {
            let (s, _) = ssr::staff().await?;
            let tz = s.service.tz();
            Ok(s.service
                .admin_trips(s.clock.now())
                .await?
                .into_iter()
                .map(|t| super::card(t, tz))
                .collect())
        }
        .await,
    )
}

pub use super::trip_form::{
    AdminCreateTrip, AdminUpdateTrip, admin_create_trip, admin_update_trip,
};

/// Whole rupiah as typed: `150000`, `150.000` or `Rp 150.000`.
pub fn parse_price(input: &str) -> Result<i64, AppError> {
    let digits: String = input.chars().filter(char::is_ascii_digit).collect();
    let stray = input
        .chars()
        .any(|c| !(c.is_ascii_digit() || c == '.' || c == ' ' || c == 'R' || c == 'p'));
    if digits.is_empty() || digits.len() > 12 || stray {
        return Err(AppError::invalid(
            "Enter the price in whole rupiah, such as 150000.",
        ));
    }
    digits
        .parse()
        .map_err(|_| AppError::invalid("Enter the price in whole rupiah, such as 150000."))
}

/// Sets only whether a trip is listed.
#[server(prefix = "/sf", endpoint = "admin_set_active")]
pub async fn admin_set_active(id: i64, active: bool) -> Result<TripCard, AppError> {
    super::with_status(
        async move {
            let (s, actor) = ssr::staff().await?;
            let change = crate::services::TripUpdate {
                is_active: Some(active),
                ..Default::default()
            };
            let trip = s
                .service
                .update_trip(&actor, id, &change, s.clock.now())
                .await?;
            Ok(super::card(trip, s.service.tz()))
        }
        .await,
    )
}

/// A trip with its manifest and audit trail.
#[server(prefix = "/sf", endpoint = "admin_trip")]
pub async fn admin_trip(id: i64) -> Result<TripDetail, AppError> {
    super::with_status(
        async move {
            let (s, _) = ssr::staff().await?;
            let now = s.clock.now();
            let manifest = s.service.manifest(id, now).await?;
            let audit = s.service.trip_audit(id, now).await?;
            let tz = s.service.tz();
            let depart_input = manifest
                .trip
                .depart_at
                .with_timezone(&tz)
                .format("%Y-%m-%dT%H:%M")
                .to_string();
            Ok(TripDetail {
                card: super::card(manifest.trip, tz),
                passengers: manifest.passengers,
                audit,
                depart_input,
            })
        }
        .await,
    )
}

/// A trip's manifest alone, for the trip page to follow boarding live.
#[server(prefix = "/sf", endpoint = "admin_manifest")]
pub async fn admin_manifest(id: i64) -> Result<Vec<ManifestEntry>, AppError> {
    super::with_status(
        async move {
            let (s, _) = ssr::staff().await?;
            Ok(s.service.manifest(id, s.clock.now()).await?.passengers)
        }
        .await,
    )
}

/// The audit trail of the hold with this claim code.
#[server(prefix = "/sf", endpoint = "admin_hold_audit")]
pub async fn admin_hold_audit(claim_code: String) -> Result<Vec<AuditEvent>, AppError> {
    super::with_status(
        async move {
            let (s, _) = ssr::staff().await?;
            let code = crate::domain::ClaimCode::lookup(&claim_code)?;
            s.service.hold_audit(&code).await
        }
        .await,
    )
}

#[cfg(test)]
mod tests {
    use super::parse_price;

    #[test]
    fn prices_are_read_as_people_type_them() {
        assert_eq!(parse_price("150000"), Ok(150_000));
        assert_eq!(parse_price("150.000"), Ok(150_000));
        assert_eq!(parse_price("Rp 150.000"), Ok(150_000));
        for bad in ["", "abc", "-5", "1,5", "150000000000000", "1e5"] {
            assert!(parse_price(bad).is_err(), "{bad}");
        }
    }
}
