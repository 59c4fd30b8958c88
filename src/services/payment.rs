//! The operator's bank accounts: what the pay step tells a passenger to
//! transfer to. Admins add and retire them; everyone may read them (they
//! are printed on every pay step anyway). At most
//! [`MAX_PAYMENT_ACCOUNTS`] are live, counted under a lock so that two
//! instances adding at once cannot pass the cap together.

use chrono::{DateTime, Utc};

use super::{Actor, Service};
use crate::domain::{AppError, MAX_PAYMENT_ACCOUNTS, NewPaymentAccount, PaymentAccount};
use crate::storage::road::Changed;
use crate::storage::{self, to_ms};

const LOCK: &str = "payment_accounts";

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
}
