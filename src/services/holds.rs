//! The passenger's operations: hold, release, contact, extend, claim.

use chrono::{DateTime, Utc};
use rand::Rng;

use super::{Actor, Service, SessionKey};
use crate::domain::webhook::WebhookEvent;
use crate::domain::{
    AppError, BusType, ClaimCode, CustomerName, Hold, HoldStatus, SeatCode, SeatNames, StopChoice,
    Stops, WhatsApp,
};
use crate::storage::road::{Changed, Job};
use crate::storage::{self, HeldSeat, NewAudit, WriteTx, to_ms};

/// What a passenger leaves at the contact step.
#[derive(Clone, Copy)]
struct Contact<'a> {
    name: &'a CustomerName,
    whatsapp: &'a WhatsApp,
    seat_names: &'a SeatNames,
    stops: &'a StopChoice,
}

/// Writes one audit row for a hold. (Eight plain arguments read better at
/// the call sites than a struct built for one call.)
#[allow(clippy::too_many_arguments)]
pub(crate) async fn audit(
    tx: &mut WriteTx,
    now: DateTime<Utc>,
    actor: &Actor,
    action: &str,
    trip_id: i64,
    hold_id: i64,
    seats: &[String],
    detail: &str,
) -> Result<(), AppError> {
    storage::insert_audit(
        tx,
        &NewAudit {
            at: to_ms(now),
            actor: &actor.label(),
            action,
            trip_id,
            hold_id: Some(hold_id),
            seats,
            detail,
        },
    )
    .await?;
    Ok(())
}

/// Refuses a hold that took fewer of `wanted` than asked: those it did not
/// take were taken by others first.
fn check_taken(wanted: &[String], taken: &[String]) -> Result<(), AppError> {
    if taken.len() == wanted.len() {
        return Ok(());
    }
    let seats = wanted
        .iter()
        .filter(|c| !taken.contains(c))
        .map(|c| SeatCode::parse(c))
        .collect::<Result<Vec<_>, _>>()?;
    Err(AppError::SeatsUnavailable { seats })
}

/// Requested seats without repeats, in a stable order.
fn distinct(seats: &[SeatCode]) -> Vec<SeatCode> {
    let mut out = seats.to_vec();
    out.sort();
    out.dedup();
    out
}

impl Service {
    /// Holds `seats` of `trip_id` for `session`: all of them or none.
    ///
    /// Seats the session already holds count once; the hold keeps the
    /// expiry it got with its first seat.
    pub async fn hold(
        &self,
        session: &SessionKey,
        trip_id: i64,
        seats: &[SeatCode],
        now: DateTime<Utc>,
    ) -> Result<Hold, AppError> {
        self.hold_from(None, session, trip_id, seats, now).await
    }

    /// [`Service::hold`] for a request from `client` (its address as the
    /// rate limits key it): with `MAX_HELD_SEATS_PER_IP` set, the live
    /// seats of this trip held from one address stay within it, so one
    /// address with many cookie jars cannot hold a whole bus.
    pub async fn hold_from(
        &self,
        client: Option<std::net::IpAddr>,
        session: &SessionKey,
        trip_id: i64,
        seats: &[SeatCode],
        now: DateTime<Utc>,
    ) -> Result<Hold, AppError> {
        let requested = distinct(seats);
        if requested.is_empty() {
            return Err(AppError::invalid("Choose at least one seat."));
        }
        let max = self.policy.max_seats;
        if requested.len() > max as usize {
            return Err(AppError::TooManySeats { max });
        }
        let (this, session) = (self.clone(), session.clone());
        let client = client.map(|ip| crate::limits::client_key(ip).to_string());
        let hold = self
            .write(now, move |job| {
                Box::pin(async move {
                    let hold = this
                        .hold_in(job, client.as_deref(), &session, trip_id, &requested, now)
                        .await?;
                    Ok((hold, Changed::trip(trip_id)))
                })
            })
            .await?;
        crate::metrics::hold_made();
        Ok(hold)
    }

    async fn hold_in(
        &self,
        job: &mut Job,
        client: Option<&str>,
        session: &SessionKey,
        trip_id: i64,
        requested: &[SeatCode],
        now: DateTime<Utc>,
    ) -> Result<Hold, AppError> {
        let max = self.policy.max_seats;
        let now_ms = to_ms(now);
        let codes: Vec<String> = requested.iter().map(|c| c.to_string()).collect();
        let per_client = self.policy.max_held_seats_per_client;
        let client_cap = match client {
            Some(_) => i64::from(per_client),
            None => 0,
        };
        // Most requests open a new hold: one statement reads and, when
        // that allows, opens it (see `storage::open_hold`).
        let opening = storage::NewHold {
            trip_id,
            session_hash: session.hash(),
            client_key: client,
            started_at: now_ms,
            expires_at: to_ms(self.policy.initial_expiry(now)),
        };
        let tried =
            storage::open_hold(job.may_write().await?, &opening, &codes, client_cap).await?;
        if tried.as_ref().is_some_and(|t| t.opened.is_some()) {
            job.wrote();
        }
        let storage::HoldOpening {
            context,
            others_of_client,
            opened,
        } = tried
            .filter(|t| t.context.trip.is_active && t.context.trip.depart_at > now_ms)
            .ok_or(AppError::TripNotFound)?;
        let bus = BusType::parse(&context.trip.bus_type)
            .map_err(|_| super::views::corrupt("trips.bus_type"))?;
        // (Failing rolls this write back: a hold opened is gone.)
        if let Some(bad) = requested.iter().find(|c| bus.position(**c).is_none()) {
            return Err(AppError::invalid(format!("This bus has no seat {bad}.")));
        }
        if let Some((id, taken)) = opened {
            check_taken(&codes, &taken)?;
            let actor = Actor::Session(session.clone());
            audit(
                job.writes().await?,
                now,
                &actor,
                "hold",
                trip_id,
                id,
                &codes,
                "",
            )
            .await?;
            let row =
                storage::new_hold_row(id, session.hash(), now_ms, opening.expires_at, context.trip);
            let held: Vec<HeldSeat> = codes.into_iter().map(HeldSeat::unnamed).collect();
            return self.hold_view_of(&row, &held, now);
        }
        // Not opened. A passenger without a hold: refused on what was read.
        if context.live_hold_id.is_none() {
            if context.taken.is_empty()
                && client_cap > 0
                && others_of_client + codes.len() as i64 > client_cap
            {
                tracing::warn!(
                    client,
                    trip_id,
                    held = others_of_client,
                    "hold refused: network cap"
                );
                return Err(AppError::TooManySeatsFromNetwork { max: per_client });
            }
            let taken = match context.taken.is_empty() {
                // (A seat of the bus the trip lacks: unavailable too.)
                true => &codes,
                false => &context.taken,
            };
            let seats = requested
                .iter()
                .filter(|c| taken.contains(&c.to_string()))
                .copied()
                .collect();
            return Err(AppError::SeatsUnavailable { seats });
        }
        // Seats added to the session's live hold: read with its row lock
        // on PostgreSQL, so in the savepoint.
        let (mut row, current) = storage::live_hold_with_seats(job.locks().await?, session.hash())
            .await?
            .ok_or(AppError::Internal)?;
        if row.trip_id != trip_id {
            return Err(AppError::HoldOnOtherTrip {
                trip_id: row.trip_id,
            });
        }
        let new: Vec<String> = codes
            .into_iter()
            .filter(|c| !current.iter().any(|h| &h.code == c))
            .collect();
        if current.len() + new.len() > max as usize {
            return Err(AppError::TooManySeats { max });
        }
        if let Some(client) = client
            && client_cap > 0
            && !new.is_empty()
        {
            let others =
                storage::live_seats_of_client(job.reads(), trip_id, client, now_ms, row.id).await?;
            if others + (current.len() + new.len()) as i64 > client_cap {
                tracing::warn!(client, trip_id, held = others, "hold refused: network cap");
                return Err(AppError::TooManySeatsFromNetwork { max: per_client });
            }
        }
        if !new.is_empty() {
            let tx = job.writes().await?;
            let taken = storage::take_seats(tx, trip_id, &new, row.id).await?;
            // Failing rolls this write back to its savepoint: the seats
            // taken are free again.
            check_taken(&new, &taken)?;
            let actor = Actor::Session(session.clone());
            audit(tx, now, &actor, "hold", trip_id, row.id, &new, "").await?;
            if row.claim_code.is_some() {
                self.price(tx, &mut row, current.len() + new.len(), true)
                    .await?;
            }
        }
        let mut held = current;
        held.extend(new.into_iter().map(HeldSeat::unnamed));
        self.hold_view_of(&row, &held, now)
    }

    pub(crate) async fn live_view(
        &self,
        tx: &mut WriteTx,
        hold_id: i64,
        now: DateTime<Utc>,
    ) -> Result<Hold, AppError> {
        let row = storage::hold_by_id(tx, hold_id)
            .await?
            .ok_or_else(|| super::views::corrupt("holds.id"))?;
        self.hold_view(tx, &row, now).await
    }

    /// Releases some seats of the session's hold (`None`: all of them). A
    /// hold left without seats ends as RELEASED. Seats the hold does not
    /// own are ignored, so releasing twice is harmless.
    pub async fn release(
        &self,
        session: &SessionKey,
        seats: Option<&[SeatCode]>,
        now: DateTime<Utc>,
    ) -> Result<Hold, AppError> {
        let (this, session, seats) = (
            self.clone(),
            session.clone(),
            seats.map(<[SeatCode]>::to_vec),
        );
        self.write(now, move |job| {
            Box::pin(async move {
                let hold = this.release_in(job, &session, seats, now).await?;
                let changed = Changed::trip(hold.trip_id);
                Ok((hold, changed))
            })
        })
        .await
    }

    async fn release_in(
        &self,
        job: &mut Job,
        session: &SessionKey,
        seats: Option<Vec<SeatCode>>,
        now: DateTime<Utc>,
    ) -> Result<Hold, AppError> {
        let at = to_ms(now);
        let Some(list) = seats else {
            // Every seat: one statement reads and frees them (see
            // `storage::release_all`).
            let tried = storage::release_all(job.may_write().await?, session.hash(), at).await?;
            let released = tried.ok_or(AppError::NoActiveHold)?;
            job.wrote();
            return self.released(job, session, released, now).await;
        };
        // Read with its row lock on PostgreSQL, so in the savepoint.
        let (hold, current) = storage::live_hold_with_seats(job.locks().await?, session.hash())
            .await?
            .ok_or(AppError::NoActiveHold)?;
        // A code that is no seat of this bus is a mistake, as it is when
        // holding (releasing a seat merely not in the hold is harmless).
        let bus =
            BusType::parse(&hold.bus_type).map_err(|_| super::views::corrupt("trips.bus_type"))?;
        if let Some(bad) = list.iter().find(|c| bus.position(**c).is_none()) {
            return Err(AppError::invalid(format!("This bus has no seat {bad}.")));
        }
        let wanted: Vec<String> = distinct(&list)
            .iter()
            .map(|c| c.to_string())
            .filter(|c| current.iter().any(|h| &h.code == c))
            .collect();
        let tx = job.writes().await?;
        let (freed, ended) = if wanted.is_empty() {
            // Nothing of this hold to free; a hold without seats ends.
            let ended =
                current.is_empty() && storage::end_hold(tx, hold.id, "RELEASED", at).await?;
            (Vec::new(), ended)
        } else {
            storage::release_seats(tx, hold.id, &wanted, current.len(), at).await?
        };
        let released = storage::Released {
            hold,
            held: current,
            freed,
            ended,
        };
        self.released(job, session, released, now).await
    }

    /// A release's answer, after its audit row and, for a hold with a
    /// claim code that keeps seats, its new price.
    async fn released(
        &self,
        job: &mut Job,
        session: &SessionKey,
        done: storage::Released,
        now: DateTime<Utc>,
    ) -> Result<Hold, AppError> {
        let storage::Released {
            mut hold,
            held: current,
            freed: released,
            ended,
        } = done;
        let tx = job.writes().await?;
        if !released.is_empty() {
            let actor = Actor::Session(session.clone());
            audit(
                tx,
                now,
                &actor,
                "release",
                hold.trip_id,
                hold.id,
                &released,
                "",
            )
            .await?;
        }
        if ended {
            hold.status = HoldStatus::Released.as_str().to_string();
        }
        let left: Vec<HeldSeat> = current
            .into_iter()
            .filter(|h| !released.contains(&h.code))
            .collect();
        if !ended && !released.is_empty() && hold.claim_code.is_some() {
            self.price(tx, &mut hold, left.len(), false).await?;
        }
        self.hold_view_of(&hold, &left, now)
    }

    /// The session's live hold.
    pub async fn current_hold(
        &self,
        session: &SessionKey,
        now: DateTime<Utc>,
    ) -> Result<Hold, AppError> {
        let mut conn = self.storage.read().await?;
        let row = storage::live_hold_of_session(&mut conn, session.hash())
            .await?
            .filter(|h| h.expires_at > to_ms(now))
            .ok_or(AppError::NoActiveHold)?;
        self.hold_view(&mut conn, &row, now).await
    }

    /// The passenger's one extension, in the last two minutes of the hold.
    pub async fn extend(&self, session: &SessionKey, now: DateTime<Utc>) -> Result<Hold, AppError> {
        let (this, session) = (self.clone(), session.clone());
        self.write(now, move |job| {
            Box::pin(async move {
                let hold = this.extend_in(job.writes().await?, &session, now).await?;
                let changed = Changed::nothing();
                Ok((hold, changed))
            })
        })
        .await
    }

    async fn extend_in(
        &self,
        tx: &mut WriteTx,
        session: &SessionKey,
        now: DateTime<Utc>,
    ) -> Result<Hold, AppError> {
        let hold = storage::live_hold_of_session(tx, session.hash())
            .await?
            .ok_or(AppError::NoActiveHold)?;
        let expires = storage::from_ms(hold.expires_at);
        let started = storage::from_ms(hold.started_at);
        let new = self
            .policy
            .passenger_extend(started, expires, hold.passenger_extended, now)?;
        let actor = Actor::Session(session.clone());
        let view = self.extend_to(tx, &actor, &hold, new, true, now).await?;
        Ok(view)
    }

    /// Moves a live hold's expiry to `new` and records who did it. The
    /// passenger's one extension stays used once used.
    pub(crate) async fn extend_to(
        &self,
        tx: &mut WriteTx,
        actor: &Actor,
        hold: &storage::HoldRow,
        new: DateTime<Utc>,
        by_passenger: bool,
        now: DateTime<Utc>,
    ) -> Result<Hold, AppError> {
        let used = by_passenger || hold.passenger_extended;
        storage::set_expiry(tx, hold.id, to_ms(new), used).await?;
        let detail = format!("until {}", new.to_rfc3339());
        audit(
            tx,
            now,
            actor,
            "extend",
            hold.trip_id,
            hold.id,
            &[],
            &detail,
        )
        .await?;
        self.live_view(tx, hold.id, now).await
    }

    /// Attaches the passenger's name and WhatsApp number: the hold gets a
    /// claim code and lives `contact_hold` from now, so there is time to pay.
    /// The contact person sits in every seat (see
    /// [`Service::attach_contact_for_seats`] for a name per seat).
    pub async fn attach_contact(
        &self,
        session: &SessionKey,
        name: &CustomerName,
        whatsapp: &WhatsApp,
        now: DateTime<Utc>,
    ) -> Result<Hold, AppError> {
        self.attach_contact_for_seats(
            session,
            name,
            whatsapp,
            &SeatNames::none(),
            &StopChoice::default(),
            now,
        )
        .await
    }

    /// [`Service::attach_contact`] with the passenger's name for some or all
    /// seats (a seat left out carries the contact person) and, on a trip
    /// with stops, where they get on and off (the first and last stop when
    /// not chosen). Attaching again names the seats and chooses anew.
    pub async fn attach_contact_for_seats(
        &self,
        session: &SessionKey,
        name: &CustomerName,
        whatsapp: &WhatsApp,
        seat_names: &SeatNames,
        stops: &StopChoice,
        now: DateTime<Utc>,
    ) -> Result<Hold, AppError> {
        let (this, session, name, whatsapp, seat_names, stops) = (
            self.clone(),
            session.clone(),
            name.clone(),
            whatsapp.clone(),
            seat_names.clone(),
            stops.clone(),
        );
        self.write(now, move |job| {
            Box::pin(async move {
                let contact = Contact {
                    name: &name,
                    whatsapp: &whatsapp,
                    seat_names: &seat_names,
                    stops: &stops,
                };
                let hold = this
                    .attach_contact_in(job.writes().await?, &session, contact, now)
                    .await?;
                let changed = Changed::nothing();
                Ok((hold, changed))
            })
        })
        .await
    }

    async fn attach_contact_in(
        &self,
        tx: &mut WriteTx,
        session: &SessionKey,
        contact: Contact<'_>,
        now: DateTime<Utc>,
    ) -> Result<Hold, AppError> {
        let Contact {
            name,
            whatsapp,
            seat_names,
            stops,
        } = contact;
        let hold = storage::live_hold_of_session(tx, session.hash())
            .await?
            .ok_or(AppError::NoActiveHold)?;
        // Where they get on and off, from the trip's stops as they are now.
        let trip_stops = storage::trip_stops(tx, hold.trip_id)
            .await?
            .ok_or_else(|| super::views::corrupt("holds.trip_id"))?;
        let trip_stops = Stops::new(super::views::stops_of(&trip_stops)?)
            .map_err(|_| super::views::corrupt("trips.stops"))?;
        let chosen = trip_stops.choose(stops)?;
        // Who sits where, checked against the seats held before anything
        // is written.
        let mut held = storage::seats_of_hold(tx, hold.id).await?;
        let codes = super::views::parse_held(&held)?
            .into_iter()
            .map(|(code, _)| code)
            .collect::<Vec<_>>();
        let names: Vec<(String, Option<String>)> = seat_names
            .for_seats(&codes)?
            .into_iter()
            .map(|(seat, name)| (seat.to_string(), name.map(|n| n.as_str().to_string())))
            .collect();
        let max = self.policy.max_active_per_whatsapp;
        // Counted, then added to: with other instances writing too, one
        // number's attachments take turns.
        storage::serialize_on(tx, &format!("whatsapp {}", whatsapp.as_str())).await?;
        if storage::count_live_holds_of_whatsapp(tx, whatsapp.as_str(), hold.id).await?
            >= i64::from(max)
        {
            return Err(AppError::TooManyActiveHolds { max });
        }
        let claim = match &hold.claim_code {
            Some(code) => code.clone(),
            None => unused_claim_code(tx).await?,
        };
        let expires = self.policy.contact_expiry(
            storage::from_ms(hold.started_at),
            storage::from_ms(hold.expires_at),
            hold.claim_code.is_some(),
            now,
        );
        // Still live: another instance may have ended it since it was read.
        let seat_names: Vec<&str> = names.iter().filter_map(|(_, n)| n.as_deref()).collect();
        let row = storage::ContactRow {
            name: name.as_str(),
            whatsapp: whatsapp.as_str(),
            seat_names: &seat_names,
            board: chosen.as_ref().map(|(b, _)| b),
            alight: chosen.as_ref().map(|(_, a)| a),
        };
        if !storage::set_contact(tx, hold.id, &row, &claim, to_ms(expires)).await? {
            return Err(AppError::NoActiveHold);
        }
        // Written only when a name is given or one was before.
        if names.iter().any(|(_, n)| n.is_some()) || held.iter().any(|h| h.name.is_some()) {
            storage::set_seat_names(tx, hold.id, &names).await?;
        }
        for seat in &mut held {
            seat.name = names
                .iter()
                .find(|(code, _)| *code == seat.code)
                .and_then(|(_, name)| name.clone());
        }
        // The amount to transfer, unique among the holds awaiting payment.
        let mut priced = hold.clone();
        self.price(tx, &mut priced, held.len(), true).await?;
        let detail = match priced.amount_due {
            Some(amount) => format!("until {}, transfer {amount}", expires.to_rfc3339()),
            None => format!("until {}", expires.to_rfc3339()),
        };
        let actor = Actor::Session(session.clone());
        audit(
            tx,
            now,
            &actor,
            "contact",
            hold.trip_id,
            hold.id,
            &[],
            &detail,
        )
        .await?;
        // The row as this transaction left it: no need to read it again.
        priced.name = Some(name.as_str().to_string());
        priced.whatsapp = Some(whatsapp.as_str().to_string());
        priced.claim_code = Some(claim);
        priced.expires_at = to_ms(expires);
        let (board, alight) = chosen.unzip();
        priced.board_place = board.as_ref().map(|s| s.place.clone());
        priced.board_minutes = board.map(|s| i64::from(s.minutes));
        priced.alight_place = alight.as_ref().map(|s| s.place.clone());
        priced.alight_minutes = alight.map(|s| i64::from(s.minutes));
        super::webhooks::queue_event(tx, WebhookEvent::ContactAttached, &priced, &held, now)
            .await?;
        self.hold_view_of(&priced, &held, now)
    }

    /// Moves the hold with this claim code to `session` ("restore my
    /// session" on another device). The previous browser loses control.
    pub async fn claim(
        &self,
        session: &SessionKey,
        code: &ClaimCode,
        now: DateTime<Utc>,
    ) -> Result<Hold, AppError> {
        let (this, session, code) = (self.clone(), session.clone(), code.clone());
        self.write(now, move |job| {
            Box::pin(async move {
                let hold = this
                    .claim_in(job.writes().await?, &session, &code, now)
                    .await?;
                let changed = Changed::trip(hold.trip_id);
                Ok((hold, changed))
            })
        })
        .await
    }

    async fn claim_in(
        &self,
        tx: &mut WriteTx,
        session: &SessionKey,
        code: &ClaimCode,
        now: DateTime<Utc>,
    ) -> Result<Hold, AppError> {
        let hold = storage::hold_by_claim_code(tx, code.as_str())
            .await?
            .ok_or(AppError::ClaimNotFound)?;
        match super::views::effective_status(&hold, now)? {
            HoldStatus::Held => {}
            HoldStatus::Booked | HoldStatus::Cancelled => return Err(AppError::AlreadyBooked),
            HoldStatus::Expired | HoldStatus::Released => return Err(AppError::HoldExpired),
        }
        if hold.session_hash != session.hash() {
            if let Some(mine) = storage::live_hold_of_session(tx, session.hash()).await? {
                return Err(if mine.trip_id != hold.trip_id {
                    AppError::HoldOnOtherTrip {
                        trip_id: mine.trip_id,
                    }
                } else {
                    AppError::SessionHasHold {
                        trip_id: mine.trip_id,
                    }
                });
            }
            storage::set_session(tx, hold.id, session.hash()).await?;
            let actor = Actor::Session(session.clone());
            audit(tx, now, &actor, "claim", hold.trip_id, hold.id, &[], "").await?;
        }
        let view = self.live_view(tx, hold.id, now).await?;
        Ok(view)
    }
}

impl Service {
    /// Gives a hold with contact, now of `seats` seats, its amount to
    /// transfer: seats × price plus a unique code (see `domain::money`),
    /// kept while its amount stays free. Holds choosing codes take turns
    /// (with several instances, on a lock of the database); the unique
    /// index on awaiting amounts stands behind that. When every code of
    /// the range is taken, a hold that must have one (`required`: contact
    /// being attached, seats added) is refused; one that lost seats keeps
    /// going without a code rather than refuse the release.
    async fn price(
        &self,
        tx: &mut WriteTx,
        row: &mut storage::HoldRow,
        seats: usize,
        required: bool,
    ) -> Result<(), AppError> {
        let Some(codes) = self.policy.unique_codes else {
            return Ok(());
        };
        let base = row.price * seats as i64;
        if seats == 0
            || row
                .unique_code
                .zip(row.amount_due)
                .is_some_and(|(code, amount)| amount == base + code)
        {
            return Ok(());
        }
        storage::serialize_on(tx, "unique amounts").await?;
        let taken = storage::awaiting_amounts_in(tx, codes.amounts(base), row.id).await?;
        let code = match codes.pick(base, row.unique_code, &taken, rand::random()) {
            Some(code) => Some(code),
            None if required => return Err(AppError::PaymentCodesExhausted),
            None => {
                tracing::warn!(
                    hold = row.id,
                    base,
                    "no unique code free; the hold goes on without one"
                );
                None
            }
        };
        let amount = code.map(|c| base + c);
        if !storage::set_amount(tx, row.id, code, amount).await? {
            return Err(AppError::NoActiveHold);
        }
        row.unique_code = code;
        row.amount_due = amount;
        Ok(())
    }
}

/// A fresh claim code no hold has used (40 random bits; a clash is rare, so
/// a few tries always suffice).
async fn unused_claim_code(tx: &mut WriteTx) -> Result<String, AppError> {
    for _ in 0..16 {
        let code = ClaimCode::from_random(rand::rng().random::<u64>());
        if !storage::claim_code_taken(tx, code.as_str()).await? {
            return Ok(code.as_str().to_string());
        }
    }
    tracing::error!("no free claim code after 16 tries");
    Err(AppError::Internal)
}

/// A fresh booking code no hold has used.
pub(crate) async fn unused_booking_code(tx: &mut WriteTx) -> Result<String, AppError> {
    for _ in 0..64 {
        let code = crate::domain::BookingCode::from_random(rand::rng().random::<u64>());
        if !storage::booking_code_taken(tx, code.as_str()).await? {
            return Ok(code.as_str().to_string());
        }
    }
    tracing::error!("no free booking code after 64 tries");
    Err(AppError::Internal)
}
