//! Staff accounts: Argon2id password hashes and the bootstrap account.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::{DateTime, Utc};
use rand::{Rng, RngCore};

use super::Service;
use crate::domain::AppError;
use crate::storage::{self, to_ms};

pub fn hash_password(password: &str) -> Result<String, AppError> {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    let salt = SaltString::encode_b64(&bytes).map_err(|_| AppError::Internal)?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| {
            tracing::error!(error = %e, "password hashing failed");
            AppError::Internal
        })
}

pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

impl Service {
    /// Creates or resets a staff account.
    pub async fn set_staff_password(
        &self,
        username: &str,
        password: &str,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        let username = username.trim();
        if username.is_empty() || username.len() > 64 {
            return Err(AppError::invalid("A username has 1 to 64 characters."));
        }
        if password.chars().count() < 8 {
            return Err(AppError::invalid("A password has at least 8 characters."));
        }
        let hash = hash_password(password)?;
        let mut tx = self.storage.begin().await?;
        storage::upsert_staff(&mut tx, username, &hash, to_ms(now)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// SPEC §4: when no staff account exists, create one from the given
    /// credentials, or with a random password that is returned so the
    /// caller can print it once.
    pub async fn ensure_staff(
        &self,
        username: &str,
        password: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Option<String>, AppError> {
        let mut conn = self.storage.reader().acquire().await?;
        if storage::count_staff(&mut conn).await? > 0 {
            return Ok(None);
        }
        drop(conn);
        match password {
            Some(pw) => {
                self.set_staff_password(username, pw, now).await?;
                Ok(None)
            }
            None => {
                let pw: String = rand::rng()
                    .sample_iter(rand::distr::Alphanumeric)
                    .take(20)
                    .map(char::from)
                    .collect();
                self.set_staff_password(username, &pw, now).await?;
                Ok(Some(pw))
            }
        }
    }
}
