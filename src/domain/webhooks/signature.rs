//! HMAC-SHA256 signatures of webhook deliveries, verified in constant time.

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Why a delivery was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum Rejection {
    MissingHeaders,
    BadTimestamp,
    Stale,
    BadSignature,
}

impl Rejection {
    pub fn message(&self) -> &'static str {
        match self {
            Self::MissingHeaders => {
                "X-Webhook-Id, X-Webhook-Timestamp and X-Webhook-Signature are required"
            }
            Self::BadTimestamp => "X-Webhook-Timestamp must be Unix seconds",
            Self::Stale => "the delivery's timestamp is outside the allowed window",
            Self::BadSignature => "the signature does not match",
        }
    }
}

fn mac(secret: &[u8], timestamp: &str, body: &[u8]) -> HmacSha256 {
    let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The `X-Webhook-Signature` value for a delivery (what providers compute).
pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let digest = mac(secret, &timestamp.to_string(), body)
        .finalize()
        .into_bytes();
    format!("sha256={}", hex::encode(digest))
}

/// Checks the timestamp against `now` (both Unix seconds) within `tolerance_secs`, then
/// the signature over exactly the bytes received.
pub fn verify(
    secret: &[u8],
    timestamp: &str,
    signature: &str,
    body: &[u8],
    now: i64,
    tolerance_secs: u64,
) -> Result<(), Rejection> {
    let sent: i64 = timestamp
        .trim()
        .parse()
        .map_err(|_| Rejection::BadTimestamp)?;
    if now.abs_diff(sent) > tolerance_secs {
        return Err(Rejection::Stale);
    }
    let hex_digest = signature
        .trim()
        .strip_prefix("sha256=")
        .ok_or(Rejection::BadSignature)?;
    let digest = hex::decode(hex_digest).map_err(|_| Rejection::BadSignature)?;
    mac(secret, timestamp.trim(), body)
        .verify_slice(&digest)
        .map_err(|_| Rejection::BadSignature)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123";

    #[test]
    fn a_signed_delivery_verifies_and_any_change_does_not() {
        let body = br#"{"type":"review.created"}"#;
        let signature = sign(SECRET, 1_000, body);
        assert_eq!(verify(SECRET, "1000", &signature, body, 1_010, 300), Ok(()));
        assert_eq!(
            verify(SECRET, "1000", &signature, b"{}", 1_010, 300),
            Err(Rejection::BadSignature)
        );
        assert_eq!(
            verify(SECRET, "1001", &signature, body, 1_010, 300),
            Err(Rejection::BadSignature)
        );
        assert_eq!(
            verify(
                b"another-secret-entirely",
                "1000",
                &signature,
                body,
                1_010,
                300
            ),
            Err(Rejection::BadSignature)
        );
        assert_eq!(
            verify(SECRET, "1000", &signature, body, 1_400, 300),
            Err(Rejection::Stale)
        );
        assert_eq!(
            verify(SECRET, "soon", &signature, body, 1_000, 300),
            Err(Rejection::BadTimestamp)
        );
        assert_eq!(
            verify(SECRET, "1000", "sha256=zz", body, 1_000, 300),
            Err(Rejection::BadSignature)
        );
    }
}
