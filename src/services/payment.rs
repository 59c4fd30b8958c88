//! The operator's bank accounts and QRIS code: what the pay step tells a
//! passenger to pay to. Admins add and retire them; everyone may read them
//! (they are printed on every pay step anyway). At most
//! [`MAX_PAYMENT_ACCOUNTS`] are live, counted under a lock so that two
//! instances adding at once cannot pass the cap together; a QRIS image is
//! cleaned like a receipt (`domain::receipt::clean_to`) and replaced under
//! a lock too, so exactly one is live.

use chrono::{DateTime, Utc};

use sha2::{Digest, Sha256};

use super::{Actor, Service};
use crate::domain::{
    AppError, MAX_PAYMENT_ACCOUNTS, NewPaymentAccount, PaymentAccount, ReceiptKind,
};
use crate::storage::road::Changed;
use crate::storage::{self, to_ms};

const LOCK: &str = "payment_accounts";
const QRIS_LOCK: &str = "payment_qris";

/// A QRIS image is scaled to at most this many pixels a side: a phone
/// scans it easily, and every pay step loads it.
pub const QRIS_MAX_SIDE: u32 = 1200;

/// The live QRIS image, as the pay step serves it.
#[derive(Debug)]
pub struct QrisImage {
    /// Its SHA-256: the version in its URL.
    pub version: String,
    pub kind: ReceiptKind,
    pub bytes: Vec<u8>,
}

impl Service {
    /// The live accounts, in the order they were added.
    pub async fn payment_accounts(&self) -> Result<Vec<PaymentAccount>, AppError> {
        Ok(storage::payment_accounts(&mut self.storage.read().await?).await?)
    }

    /// Adds an account and answers with every live account.
    pub async fn add_payment_account(
        &self,
        actor: &Actor,
        input: &NewPaymentAccount,
        now: DateTime<Utc>,
    ) -> Result<Vec<PaymentAccount>, AppError> {
        let account = input.check()?;
        let by = actor.label();
        self.write_tx(now, move |tx| {
            Box::pin(async move {
                storage::serialize_on(&mut *tx, LOCK).await?;
                let mut all = storage::payment_accounts(&mut *tx).await?;
                if all.len() >= MAX_PAYMENT_ACCOUNTS {
                    return Err(AppError::invalid(format!(
                        "At most {MAX_PAYMENT_ACCOUNTS} accounts are shown; retire one first."
                    )));
                }
                let id =
                    storage::insert_payment_account(&mut *tx, &account, &by, to_ms(now)).await?;
                // The newest id comes last in the list's order: no second read.
                all.push(PaymentAccount {
                    id,
                    bank: account.bank.clone(),
                    number: account.number.clone(),
                    holder: account.holder.clone(),
                });
                Ok((all, Changed::nothing()))
            })
        })
        .await
    }

    /// Retires an account (it is no longer shown) and answers with the live
    /// accounts left. An unknown or already retired account is `not_found`.
    pub async fn retire_payment_account(
        &self,
        actor: &Actor,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<Vec<PaymentAccount>, AppError> {
        let by = actor.label();
        self.write_tx(now, move |tx| {
            Box::pin(async move {
                if !storage::retire_payment_account(&mut *tx, id, &by, to_ms(now)).await? {
                    return Err(AppError::NotFound);
                }
                let all = storage::payment_accounts(&mut *tx).await?;
                Ok((all, Changed::nothing()))
            })
        })
        .await
    }

    /// The live QRIS image's version, if the operator has one (the pay
    /// step links it by this).
    pub async fn payment_qris_version(&self) -> Result<Option<String>, AppError> {
        Ok(storage::live_qris_version(&mut self.storage.read().await?).await?)
    }

    /// The live QRIS image.
    pub async fn payment_qris(&self) -> Result<Option<QrisImage>, AppError> {
        let Some(row) = storage::live_qris(&mut self.storage.read().await?).await? else {
            return Ok(None);
        };
        Ok(Some(QrisImage {
            kind: ReceiptKind::parse(&row.kind)
                .ok_or_else(|| super::views::corrupt("payment_qris.kind"))?,
            version: row.sha256,
            bytes: row.image,
        }))
    }

    /// Makes `sent` (a JPEG, PNG or WebP image; cleaned and scaled to
    /// [`QRIS_MAX_SIDE`]) the live QRIS image, retiring the one before.
    /// Answers with its version.
    pub async fn set_payment_qris(
        &self,
        actor: &Actor,
        sent: bytes::Bytes,
        now: DateTime<Utc>,
    ) -> Result<String, AppError> {
        let cleaned = self.clean_upload(sent, QRIS_MAX_SIDE).await?;
        if !cleaned.kind.is_image() {
            return Err(AppError::UnsupportedFile);
        }
        let version = hex::encode(Sha256::digest(&cleaned.bytes));
        let (by, kind, image) = (
            actor.label(),
            cleaned.kind,
            std::sync::Arc::new(cleaned.bytes),
        );
        let answer = version.clone();
        self.write_tx(now, move |tx| {
            Box::pin(async move {
                storage::serialize_on(&mut *tx, QRIS_LOCK).await?;
                storage::retire_qris(&mut *tx, &by, to_ms(now)).await?;
                storage::insert_qris(&mut *tx, &version, kind.as_str(), &image, &by, to_ms(now))
                    .await?;
                Ok(((), Changed::nothing()))
            })
        })
        .await?;
        Ok(answer)
    }

    /// Stops showing the QRIS image; `not_found` when none is shown.
    pub async fn retire_payment_qris(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        let by = actor.label();
        self.write_tx(now, move |tx| {
            Box::pin(async move {
                storage::serialize_on(&mut *tx, QRIS_LOCK).await?;
                if !storage::retire_qris(&mut *tx, &by, to_ms(now)).await? {
                    return Err(AppError::NotFound);
                }
                Ok(((), Changed::nothing()))
            })
        })
        .await
    }
}
