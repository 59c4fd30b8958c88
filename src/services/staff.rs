//! Staff accounts: Argon2id password hashes and the bootstrap account.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, SaltString};
use chrono::{DateTime, Utc};
use rand::{Rng, RngCore};

use super::{Service, SessionKey, Staff, new_token};
use crate::domain::{AppError, StaffRole, StaffUser};
use crate::storage::road::Changed;
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

/// 20 random letters and digits (about 119 bits).
pub fn random_password() -> String {
    rand::rng()
        .sample_iter(rand::distr::Alphanumeric)
        .take(20)
        .map(char::from)
        .collect()
}

/// Whether `password` matches the Argon2 PHC string `phc`, computed in
/// memory the caller keeps: Argon2's ~19 MiB of blocks are reused from one verification to the next instead of being
/// allocated each time. (Freed, they would stay with the allocator of
/// whichever blocking thread ran the verification: a review saw 64
/// concurrent wrong sign-ins leave over 1 GiB that was never given back.)
pub fn verify_password_in(password: &str, phc: &str, blocks: &mut Vec<argon2::Block>) -> bool {
    let mut verify = || -> Option<bool> {
        let hash = PasswordHash::new(phc).ok()?;
        let expected = hash.hash?;
        let params = argon2::Params::try_from(&hash).ok()?;
        let algorithm = argon2::Algorithm::try_from(hash.algorithm).ok()?;
        let version = hash
            .version
            .map(argon2::Version::try_from)
            .transpose()
            .ok()?
            .unwrap_or_default();
        let mut salt = [0u8; 64];
        let salt = hash.salt?.decode_b64(&mut salt).ok()?;
        blocks.resize(params.block_count(), argon2::Block::default());
        let mut out = vec![0u8; expected.len()];
        Argon2::new(algorithm, version, params)
            .hash_password_into_with_memory(password.as_bytes(), salt, &mut out, &mut blocks[..])
            .ok()?;
        Some(subtle::ConstantTimeEq::ct_eq(out.as_slice(), expected.as_bytes()).into())
    };
    verify().unwrap_or(false)
}

impl Service {
    /// Creates or resets a staff account (its password and its role).
    pub async fn set_staff_password(
        &self,
        username: &str,
        password: &str,
        role: StaffRole,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        let username = username.trim();
        if username.is_empty() || username.len() > 64 {
            return Err(AppError::invalid("A username has 1 to 64 characters."));
        }
        if password.chars().count() < 8 {
            return Err(AppError::invalid("A password has at least 8 characters."));
        }
        // Hashed before the write: Argon2 never holds up the writer.
        let hash = hash_password(password)?;
        let username = username.to_string();
        self.write_tx(now, move |tx| {
            Box::pin(async move {
                storage::upsert_staff(&mut *tx, &username, &hash, role.as_str(), to_ms(now))
                    .await?;
                // A new password signs the account out everywhere.
                storage::delete_sessions_of_staff(&mut *tx, &username).await?;
                Ok(((), Changed::nothing()))
            })
        })
        .await
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
        let mut conn = self.storage.read().await?;
        if storage::count_staff(&mut conn).await? > 0 {
            return Ok(None);
        }
        drop(conn);
        let (pw, generated) = match password {
            Some(pw) => (pw.to_string(), false),
            None => (random_password(), true),
        };
        let hash = hash_password(&pw)?;
        let username = username.to_string();
        // Counted again inside the write, in turn with other instances
        // starting at the same moment: only the first creates the account
        // (and only its random password is printed).
        let created = self
            .write_tx(now, move |tx| {
                Box::pin(async move {
                    storage::serialize_on(&mut *tx, "staff bootstrap").await?;
                    if storage::count_staff(&mut *tx).await? > 0 {
                        return Ok((false, Changed::nothing()));
                    }
                    let admin = StaffRole::Admin.as_str();
                    storage::upsert_staff(&mut *tx, &username, &hash, admin, to_ms(now)).await?;
                    Ok((true, Changed::nothing()))
                })
            })
            .await?;
        Ok((created && generated).then_some(pw))
    }
}

/// The memory of the password verifications that may run at once: one
/// buffer of Argon2 blocks per place, allocated on first use and reused,
/// so sign-ins never hold more than `places × 19 MiB`.
#[derive(Debug)]
pub(crate) struct Hashing {
    free: std::sync::Mutex<Vec<Vec<argon2::Block>>>,
}

impl Hashing {
    pub(crate) fn new(places: usize) -> Self {
        Self {
            free: std::sync::Mutex::new(vec![Vec::new(); places.max(1)]),
        }
    }

    /// A place and its memory, or `None` when every place is taken. The
    /// place comes back when the [`HashingPlace`] is dropped, however the
    /// sign-in ends (an error on the way, a panic in the verification).
    fn take(self: &std::sync::Arc<Self>) -> Option<HashingPlace> {
        let blocks = self.free.lock().unwrap_or_else(|e| e.into_inner()).pop()?;
        Some(HashingPlace {
            blocks,
            pool: self.clone(),
        })
    }
}

/// A taken place of [`Hashing`]: its Argon2 memory.
pub(crate) struct HashingPlace {
    blocks: Vec<argon2::Block>,
    pool: std::sync::Arc<Hashing>,
}

impl Drop for HashingPlace {
    fn drop(&mut self) {
        let blocks = std::mem::take(&mut self.blocks);
        self.pool
            .free
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(blocks);
    }
}

impl Service {
    /// The server's key called `name`: made (256 random bits) and stored by the first start that asks, read by every
    /// later one and by every instance on the same database.
    pub async fn server_key(&self, name: &str, now: DateTime<Utc>) -> Result<String, AppError> {
        let name = name.to_string();
        self.write_tx(now, move |tx| {
            Box::pin(async move {
                let key = storage::server_key(&mut *tx, &name, &new_token()).await?;
                Ok((key, Changed::nothing()))
            })
        })
        .await
    }
}

/// A hash to verify against when the username is unknown, so a wrong
/// username costs as long as a wrong password and does not reveal itself.
fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password("decoy password, never valid").unwrap_or_default())
}

impl Service {
    /// Signs a staff member in: checks the password against its Argon2 hash
    /// and starts a session. Returns the new session token (for the cookie;
    /// only its hash is stored) and who signed in.
    ///
    /// At most `PASSWORD_HASH_CONCURRENCY` verifications run at once (each
    /// holds ~19 MiB while it runs, and the allocator keeps what it once
    /// used); a sign-in beyond that is refused at once with `rate_limited`
    /// rather than queued. Failed sign-ins are logged with the username and
    /// the client, never the password, so brute force leaves a trace.
    pub async fn sign_in(
        &self,
        username: &str,
        password: &str,
        client: std::net::IpAddr,
        ttl: chrono::Duration,
        now: DateTime<Utc>,
    ) -> Result<(String, StaffUser), AppError> {
        let username = username.trim();
        // No account name has control characters (and PostgreSQL text
        // cannot even hold a NUL): such a name is malformed, not a lookup.
        if username.is_empty()
            || username.len() > 64
            || username.chars().any(char::is_control)
            || password.len() > 1024
        {
            tracing::warn!(%client, "staff sign-in refused: malformed username or password");
            return Err(AppError::InvalidCredentials);
        }
        let Some(mut place) = self.hashing.take() else {
            tracing::warn!(%client, username, "staff sign-in refused: password hashing busy");
            return Err(AppError::RateLimited { retry_after: 1 });
        };
        let mut conn = self.storage.read().await?;
        let account = storage::staff_by_username(&mut conn, username).await?;
        drop(conn);
        // Argon2 is slow on purpose; keep it off the async workers.
        let (hash, pw) = (
            account
                .as_ref()
                .map_or_else(|| decoy_hash().to_string(), |a| a.password_hash.clone()),
            password.to_string(),
        );
        let ok =
            tokio::task::spawn_blocking(move || verify_password_in(&pw, &hash, &mut place.blocks))
                .await
                .map_err(|_| AppError::Internal)?;
        let account = match account {
            Some(a) if ok => a,
            found => {
                tracing::warn!(
                    %client,
                    username,
                    known_user = found.is_some(),
                    "staff sign-in failed"
                );
                return Err(AppError::InvalidCredentials);
            }
        };
        let token = new_token();
        let key = SessionKey::from_token(&token).ok_or(AppError::Internal)?;
        let staff_id = account.id;
        self.write_tx(now, move |tx| {
            Box::pin(async move {
                storage::purge_staff_sessions(&mut *tx, to_ms(now)).await?;
                let (at, until) = (to_ms(now), to_ms(now + ttl));
                storage::insert_staff_session(&mut *tx, key.hash(), staff_id, at, until).await?;
                Ok(((), Changed::nothing()))
            })
        })
        .await?;
        tracing::info!(username = %account.username, %client, "staff signed in");
        let role =
            StaffRole::parse(&account.role).ok_or_else(|| super::views::corrupt("staff.role"))?;
        Ok((
            token,
            StaffUser {
                username: account.username,
                role,
            },
        ))
    }

    /// The staff member of a live session.
    pub async fn staff_session(
        &self,
        key: &SessionKey,
        now: DateTime<Utc>,
    ) -> Result<Option<Staff>, AppError> {
        let mut conn = self.storage.read().await?;
        storage::staff_of_session(&mut conn, key.hash(), to_ms(now))
            .await?
            .map(|(username, role)| {
                let role =
                    StaffRole::parse(&role).ok_or_else(|| super::views::corrupt("staff.role"))?;
                Ok(Staff::new(username, role))
            })
            .transpose()
    }

    /// Ends a staff session (signing out twice is harmless).
    pub async fn sign_out(&self, key: &SessionKey, now: DateTime<Utc>) -> Result<(), AppError> {
        let key = key.clone();
        self.write_tx(now, move |tx| {
            Box::pin(async move {
                storage::delete_staff_session(&mut *tx, key.hash()).await?;
                Ok(((), Changed::nothing()))
            })
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verifying_in_kept_memory_agrees_and_reuses_it() {
        use argon2::password_hash::PasswordVerifier;
        let phc = hash_password("correct horse battery").unwrap();
        let mut blocks = Vec::new();
        assert!(verify_password_in(
            "correct horse battery",
            &phc,
            &mut blocks
        ));
        let (len, at) = (blocks.len(), blocks.as_ptr());
        assert_eq!(len * argon2::Block::SIZE, 19 * 1024 * 1024, "m = 19 MiB");
        assert!(!verify_password_in("wrong horse", &phc, &mut blocks));
        assert_eq!(
            (blocks.len(), blocks.as_ptr()),
            (len, at),
            "the same memory"
        );
        assert!(!verify_password_in("x", "not a hash", &mut blocks));
        // The same verdict as the argon2 crate's own verification.
        let parsed = PasswordHash::new(&phc).unwrap();
        assert_eq!(
            Argon2::default()
                .verify_password(b"correct horse battery", &parsed)
                .is_ok(),
            verify_password_in("correct horse battery", &phc, &mut blocks)
        );
    }

    #[test]
    fn places_are_taken_and_given_back() {
        let hashing = std::sync::Arc::new(Hashing::new(2));
        let a = hashing.take().unwrap();
        let _b = hashing.take().unwrap();
        assert!(hashing.take().is_none(), "both places taken");
        drop(a);
        assert!(hashing.take().is_some(), "a dropped place comes back");
        // Even when the work holding it panics.
        let c = hashing.take().unwrap();
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
            let _c = c;
            panic!("a verification that panics");
        }));
        assert!(hashing.take().is_some());
    }
}
