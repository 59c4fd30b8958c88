//! Proof of payment: a passenger sends the receipt of the transfer with the
//! hold; the admin sees it beside the hold and confirms without asking.
//!
//! Why it is built this way:
//! - The file is judged and cleaned before anything is stored
//!   (`domain::receipt::clean`), on a blocking thread, at most
//!   [`CLEANING_AT_ONCE`] at a time: decoding a large photo takes a core
//!   and tens of MB for a moment, and a burst of uploads must not take the
//!   server's threads or memory from the seat map.
//! - Whether the hold takes a receipt is checked before cleaning (a
//!   refusal costs no decoding) and again inside the write that records it
//!   (the hold may have ended, or been claimed on another phone, since).
//! - The bytes go to disk (`storage::ReceiptFiles`), named by their
//!   SHA-256, before the row is committed; the write road then carries a
//!   row of a few dozen bytes, never the megabytes, so a receipt never slows
//!   a booking.
//! - Only admins read a file back ([`Service::receipt_file`] takes the
//!   admin [`Actor`]); its id is not a secret, the authentication is.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

use super::views::{corrupt, effective_status};
use super::{Actor, Service, SessionKey};
use crate::domain::receipt::{Cleaned, MAX_SIDE, RECEIPTS_PER_HOLD, may_take_receipt};
use crate::domain::{AppError, ClaimCode, Receipt, ReceiptKind};
use crate::storage::road::Changed;
use crate::storage::{self, ReceiptFiles, ReceiptRow, from_ms, to_ms};

/// Receipts cleaned at once (each may hold a decoded photo in memory).
pub const CLEANING_AT_ONCE: usize = 2;

/// Where receipts are kept and how many are cleaned at once.
#[derive(Debug)]
pub(crate) struct Receipts {
    pub files: ReceiptFiles,
    cleaning: Semaphore,
}

impl Receipts {
    pub fn new(files: ReceiptFiles) -> Arc<Self> {
        Arc::new(Self {
            files,
            cleaning: Semaphore::new(CLEANING_AT_ONCE),
        })
    }

    /// A folder of its own under the system's temporary folder (a service
    /// made without `with_receipts_dir`, as in tests).
    pub fn temporary() -> Arc<Self> {
        let dir =
            std::env::temp_dir().join(format!("kursi-receipts-{:016x}", rand::random::<u64>()));
        Self::new(ReceiptFiles::new(dir))
    }
}

/// A receipt's file, for an admin.
#[derive(Debug)]
pub struct ReceiptFile {
    pub kind: ReceiptKind,
    pub bytes: Vec<u8>,
    /// A download name: `bukti-<claim code>-<id>.<ext>`.
    pub name: String,
}

fn view(row: &ReceiptRow) -> Result<Receipt, AppError> {
    Ok(Receipt {
        id: row.id,
        kind: ReceiptKind::parse(&row.kind).ok_or_else(|| corrupt("receipts.kind"))?,
        bytes: row.bytes,
        uploaded_at: from_ms(row.uploaded_at),
    })
}

fn disk_failed(e: std::io::Error) -> AppError {
    tracing::error!(error = %e, "receipt file operation failed");
    AppError::Internal
}

impl Service {
    /// Keeps receipt files under `dir` (`RECEIPTS_DIR`).
    pub fn with_receipts_dir(mut self, dir: impl Into<std::path::PathBuf>) -> Self {
        self.receipts = Receipts::new(ReceiptFiles::new(dir));
        self
    }

    /// Where this service keeps receipt files.
    pub fn receipts_dir(&self) -> &std::path::Path {
        self.receipts.files.dir()
    }

    /// Takes the receipt `sent` for the session's hold awaiting payment:
    /// cleans it, stores it, keeps the hold's newest
    /// [`RECEIPTS_PER_HOLD`].
    pub async fn upload_receipt(
        &self,
        session: &SessionKey,
        sent: bytes::Bytes,
        now: DateTime<Utc>,
    ) -> Result<Receipt, AppError> {
        let hold_id = self.hold_taking_receipts(session, now).await?;
        let cleaned = self.clean_upload(sent, MAX_SIDE).await?;
        let sha = hex::encode(Sha256::digest(&cleaned.bytes));
        let (kind, size) = (cleaned.kind, cleaned.bytes.len() as i64);
        self.receipts
            .files
            .put(hold_id, &sha, kind.extension(), cleaned.bytes)
            .await
            .map_err(disk_failed)?;
        let session = session.clone();
        let (row, unused) = self
            .write_tx(now, move |tx| {
                Box::pin(async move {
                    let hold = storage::hold_by_id(tx, hold_id)
                        .await?
                        .filter(|h| h.session_hash == session.hash())
                        .ok_or(AppError::NoActiveHold)?;
                    may_take_receipt(effective_status(&hold, now)?, hold.claim_code.is_some())?;
                    let id =
                        storage::insert_receipt(tx, hold_id, &sha, kind.as_str(), size, to_ms(now))
                            .await?;
                    let unused =
                        storage::trim_receipts(tx, hold_id, RECEIPTS_PER_HOLD as i64).await?;
                    let row = ReceiptRow {
                        id,
                        hold_id,
                        sha256: sha,
                        kind: kind.as_str().to_string(),
                        bytes: size,
                        uploaded_at: to_ms(now),
                    };
                    Ok(((row, unused), Changed::nothing()))
                })
            })
            .await?;
        for old in unused {
            let ext = ReceiptKind::parse(&old.kind).map_or("bin", ReceiptKind::extension);
            if let Err(e) = self.receipts.files.remove(hold_id, &old.sha256, ext).await {
                tracing::warn!(error = %e, hold_id, "could not remove a replaced receipt file");
            }
        }
        crate::metrics::receipt_received();
        view(&row)
    }

    /// Judges and cleans an uploaded file (`domain::receipt::clean_to`) on
    /// a blocking thread, waiting for one of the [`CLEANING_AT_ONCE`]
    /// places.
    pub(crate) async fn clean_upload(
        &self,
        sent: bytes::Bytes,
        max_side: u32,
    ) -> Result<Cleaned, AppError> {
        let _turn = self
            .receipts
            .cleaning
            .acquire()
            .await
            .map_err(|_| AppError::Internal)?;
        tokio::task::spawn_blocking(move || crate::domain::receipt::clean_to(&sent, max_side))
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "cleaning an upload panicked");
                AppError::Internal
            })?
    }

    /// The id of the session's hold, when it takes a receipt now; else why
    /// not (a read).
    async fn hold_taking_receipts(
        &self,
        session: &SessionKey,
        now: DateTime<Utc>,
    ) -> Result<i64, AppError> {
        let mut conn = self.storage.read().await?;
        let hold = match storage::live_hold_of_session(&mut conn, session.hash()).await? {
            Some(h) => h,
            None => storage::latest_hold_of_session(&mut conn, session.hash())
                .await?
                .ok_or(AppError::NoActiveHold)?,
        };
        may_take_receipt(effective_status(&hold, now)?, hold.claim_code.is_some())?;
        Ok(hold.id)
    }

    /// The receipts the session's hold has (the passenger's page shows
    /// how many were sent).
    pub async fn my_receipts(&self, session: &SessionKey) -> Result<Vec<Receipt>, AppError> {
        let mut conn = self.storage.read().await?;
        let Some(hold) = storage::live_hold_of_session(&mut conn, session.hash()).await? else {
            return Ok(Vec::new());
        };
        storage::receipts_of_holds(&mut conn, &[hold.id])
            .await?
            .iter()
            .map(view)
            .collect()
    }

    /// The receipts of the hold with this claim code, for an admin.
    pub async fn hold_receipts(&self, code: &ClaimCode) -> Result<Vec<Receipt>, AppError> {
        let mut conn = self.storage.read().await?;
        let hold = storage::hold_by_claim_code(&mut conn, &code.to_string())
            .await?
            .ok_or(AppError::ClaimNotFound)?;
        storage::receipts_of_holds(&mut conn, &[hold.id])
            .await?
            .iter()
            .map(view)
            .collect()
    }

    /// The receipts of many holds (by hold id), for the admin's board.
    pub(crate) async fn receipts_by_hold(
        &self,
        hold_ids: &[i64],
    ) -> Result<std::collections::HashMap<i64, Vec<Receipt>>, AppError> {
        let mut out: std::collections::HashMap<i64, Vec<Receipt>> = Default::default();
        let mut conn = self.storage.read().await?;
        for chunk in hold_ids.chunks(500) {
            for row in storage::receipts_of_holds(&mut conn, chunk).await? {
                out.entry(row.hold_id).or_default().push(view(&row)?);
            }
        }
        Ok(out)
    }

    /// A receipt's file, for an admin only.
    pub async fn receipt_file(&self, actor: &Actor, id: i64) -> Result<ReceiptFile, AppError> {
        if matches!(actor, Actor::Session(_) | Actor::System) {
            return Err(AppError::Unauthorized);
        }
        let mut conn = self.storage.read().await?;
        let row = storage::receipt_by_id(&mut conn, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let hold = storage::hold_by_id(&mut conn, row.hold_id)
            .await?
            .ok_or_else(|| corrupt("receipts.hold_id"))?;
        drop(conn);
        let kind = ReceiptKind::parse(&row.kind).ok_or_else(|| corrupt("receipts.kind"))?;
        let bytes = match self
            .receipts
            .files
            .read(row.hold_id, &row.sha256, kind.extension())
            .await
        {
            Ok(b) => b,
            // Its row and file are removed together after departure; a row
            // without its file is a folder someone emptied by hand.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                tracing::warn!(receipt = id, "a receipt's file is missing");
                return Err(AppError::NotFound);
            }
            Err(e) => return Err(disk_failed(e)),
        };
        let code = hold.claim_code.unwrap_or_else(|| "hold".into());
        Ok(ReceiptFile {
            kind,
            bytes,
            name: format!("bukti-{code}-{id}.{}", kind.extension()),
        })
    }

    /// Removes the receipts (rows, then files) of holds whose trip departed
    /// more than `keep_days` ago, and any folder of such a hold left without
    /// rows. Returns how many rows it removed. Run by the sweep.
    pub async fn prune_receipts(
        &self,
        keep_days: u32,
        now: DateTime<Utc>,
    ) -> Result<u64, AppError> {
        let before = to_ms(now - Duration::days(keep_days.into()));
        let removed = self
            .write_tx(now, move |tx| {
                Box::pin(async move {
                    let n = storage::delete_receipts_departed_before(tx, before).await?;
                    Ok((n, Changed::nothing()))
                })
            })
            .await?;
        let folders = self.receipts.files.holds().await.map_err(disk_failed)?;
        let mut conn = self.storage.read().await?;
        let mut gone = Vec::new();
        for chunk in folders.chunks(500) {
            gone.extend(storage::holds_departed_before(&mut conn, chunk, before).await?);
        }
        drop(conn);
        for hold_id in gone {
            self.receipts
                .files
                .remove_hold(hold_id)
                .await
                .map_err(disk_failed)?;
        }
        Ok(removed)
    }
}
