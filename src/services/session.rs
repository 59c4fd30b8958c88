//! Browser sessions of passengers: the `seat_hold_token` cookie.
//!
//! The token is 256 random bits from a CSPRNG, hex-encoded. Only its SHA-256
//! is stored and compared, so the database never holds a usable token.

use rand::RngCore;
use sha2::{Digest, Sha256};

/// A fresh token for the hold cookie.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The stored identity of a session: the hash of its token.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionKey(String);

impl SessionKey {
    /// Accepts only tokens of the shape Kursi issues; anything else (a
    /// truncated, forged or empty cookie) is no session at all.
    pub fn from_token(token: &str) -> Option<Self> {
        let ok = token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit());
        ok.then(|| {
            Self(hex::encode(Sha256::digest(
                token.to_ascii_lowercase().as_bytes(),
            )))
        })
    }

    pub fn hash(&self) -> &str {
        &self.0
    }

    /// A short, non-secret prefix for the audit log.
    pub fn short(&self) -> &str {
        &self.0[..12]
    }
}

impl std::fmt::Debug for SessionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SessionKey({}…)", self.short())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_hash_to_keys() {
        let a = new_token();
        let b = new_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        let key = SessionKey::from_token(&a).unwrap();
        assert_ne!(key.hash(), a, "the token itself is never the key");
        assert_eq!(SessionKey::from_token(&a).unwrap(), key);
    }

    #[test]
    fn forged_or_truncated_tokens_are_no_session() {
        assert!(SessionKey::from_token("").is_none());
        assert!(SessionKey::from_token("abc").is_none());
        assert!(SessionKey::from_token(&"z".repeat(64)).is_none());
        assert!(SessionKey::from_token(&new_token()[..63]).is_none());
    }
}
