//! Field encryption for platform tokens (AES-256-GCM, RustCrypto's `aes-gcm`).
//!
//! Each value gets a fresh random 96-bit nonce. The row id and the secret type are bound as
//! associated data, so a ciphertext copied into another row (or relabelled as another
//! type) fails to decrypt. Keys have ids: every row records the key that sealed it, the
//! current key seals, previous keys only open, and `brandgraph secrets rotate` re-seals
//! old rows under the current key.

use std::collections::HashMap;

use aes_gcm::aead::{Aead, Generate, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use secrecy::{ExposeSecret, SecretString};
use uuid::Uuid;

/// The AES-GCM tag length in bytes; stored apart in `encrypted_secrets.auth_tag`.
const TAG_LEN: usize = 16;

/// A sealed value as stored in `encrypted_secrets` (all base64).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    pub key_id: String,
    pub ciphertext: String,
    pub nonce: String,
    pub tag: String,
}

#[derive(Debug)]
pub enum SecretError {
    /// The row names a key this process does not have.
    UnknownKey(String),
    /// Wrong key, tampered data, or a ciphertext that belongs to another row.
    Undecryptable,
    /// Beyond what AES-GCM can encrypt in one message.
    TooLarge,
}

impl std::fmt::Display for SecretError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::UnknownKey(id) => write!(f, "secret sealed with unknown key {id:?}"),
            Self::Undecryptable => f.write_str("secret cannot be decrypted"),
            Self::TooLarge => f.write_str("secret too large to encrypt"),
        }
    }
}

impl std::error::Error for SecretError {}

/// The encryption keys of this process.
pub struct Keyring {
    current_id: String,
    keys: HashMap<String, Aes256Gcm>,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyring")
            .field("current_id", &self.current_id)
            .field("key_ids", &self.keys.keys().collect::<Vec<_>>())
            .finish()
    }
}

fn cipher_from_base64(key: &SecretString) -> anyhow::Result<Aes256Gcm> {
    let bytes = STANDARD
        .decode(key.expose_secret().trim())
        .map_err(|_| anyhow::anyhow!("the secrets key is not base64"))?;
    anyhow::ensure!(
        bytes.len() == 32,
        "the secrets key must be 32 bytes (base64 of 32 random bytes)"
    );
    Aes256Gcm::new_from_slice(&bytes).map_err(|_| anyhow::anyhow!("invalid secrets key"))
}

fn associated_data(row_id: Uuid, secret_type: &str) -> Vec<u8> {
    let mut aad = row_id.as_bytes().to_vec();
    aad.extend_from_slice(secret_type.as_bytes());
    aad
}

impl Keyring {
    /// `current` seals and opens; each of `previous` (`(id, key)`) only opens.
    pub fn new(
        current_id: &str,
        current: &SecretString,
        previous: &[(String, SecretString)],
    ) -> anyhow::Result<Self> {
        let mut keys = HashMap::new();
        for (id, key) in previous {
            keys.insert(id.clone(), cipher_from_base64(key)?);
        }
        keys.insert(current_id.to_string(), cipher_from_base64(current)?);
        Ok(Self {
            current_id: current_id.to_string(),
            keys,
        })
    }

    pub fn current_id(&self) -> &str {
        &self.current_id
    }

    /// Encrypts `plaintext` for the row `row_id` of type `secret_type`.
    pub fn seal(
        &self,
        row_id: Uuid,
        secret_type: &str,
        plaintext: &str,
    ) -> Result<Sealed, SecretError> {
        let cipher = &self.keys[&self.current_id];
        let nonce = Nonce::generate();
        let aad = associated_data(row_id, secret_type);
        let mut out = cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: &aad,
                },
            )
            .map_err(|_| SecretError::TooLarge)?;
        let tag = out.split_off(out.len().saturating_sub(TAG_LEN));
        Ok(Sealed {
            key_id: self.current_id.clone(),
            ciphertext: STANDARD.encode(out),
            nonce: STANDARD.encode(nonce),
            tag: STANDARD.encode(tag),
        })
    }

    /// Decrypts what [`seal`](Self::seal) produced for the same row and type.
    pub fn open(
        &self,
        row_id: Uuid,
        secret_type: &str,
        sealed: &Sealed,
    ) -> Result<SecretString, SecretError> {
        let cipher = self
            .keys
            .get(&sealed.key_id)
            .ok_or_else(|| SecretError::UnknownKey(sealed.key_id.clone()))?;
        let decode = |text: &str| {
            STANDARD
                .decode(text)
                .map_err(|_| SecretError::Undecryptable)
        };
        let nonce_bytes = decode(&sealed.nonce)?;
        let nonce =
            Nonce::try_from(nonce_bytes.as_slice()).map_err(|_| SecretError::Undecryptable)?;
        let mut message = decode(&sealed.ciphertext)?;
        message.extend(decode(&sealed.tag)?);
        let aad = associated_data(row_id, secret_type);
        let plain = cipher
            .decrypt(
                &nonce,
                Payload {
                    msg: &message,
                    aad: &aad,
                },
            )
            .map_err(|_| SecretError::Undecryptable)?;
        String::from_utf8(plain)
            .map(SecretString::from)
            .map_err(|_| SecretError::Undecryptable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> SecretString {
        SecretString::from(STANDARD.encode([byte; 32]))
    }

    #[test]
    fn a_sealed_value_opens_only_for_its_row_and_type() {
        let ring = Keyring::new("k1", &key(1), &[]).unwrap();
        let row = Uuid::new_v4();
        let sealed = ring.seal(row, "access_token", "tok-123").unwrap();
        assert!(!sealed.ciphertext.contains("tok-123"));
        assert_eq!(
            ring.open(row, "access_token", &sealed)
                .unwrap()
                .expose_secret(),
            "tok-123"
        );
        assert!(ring.open(Uuid::new_v4(), "access_token", &sealed).is_err());
        assert!(ring.open(row, "refresh_token", &sealed).is_err());
    }

    #[test]
    fn every_seal_uses_a_fresh_nonce() {
        let ring = Keyring::new("k1", &key(1), &[]).unwrap();
        let row = Uuid::new_v4();
        assert_ne!(
            ring.seal(row, "t", "same").unwrap(),
            ring.seal(row, "t", "same").unwrap()
        );
    }

    #[test]
    fn previous_keys_open_and_the_current_key_seals() {
        let old = Keyring::new("k1", &key(1), &[]).unwrap();
        let row = Uuid::new_v4();
        let sealed = old.seal(row, "t", "v").unwrap();
        let new = Keyring::new("k2", &key(2), &[("k1".into(), key(1))]).unwrap();
        assert_eq!(new.open(row, "t", &sealed).unwrap().expose_secret(), "v");
        assert_eq!(new.seal(row, "t", "v").unwrap().key_id, "k2");
        let without_old = Keyring::new("k2", &key(2), &[]).unwrap();
        assert!(matches!(
            without_old.open(row, "t", &sealed),
            Err(SecretError::UnknownKey(_))
        ));
    }
}
