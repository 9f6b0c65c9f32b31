//! Canonical JSON: RFC 8785 (JSON Canonicalization Scheme). Every signed or hashed JSON
//! document webproof writes is the JCS form of its value, so anyone can re-derive the bytes.
//! webproof's own documents contain no floating-point numbers, and every integer in them is
//! below 2^53, where JCS numbers are exact.

use serde::Serialize;
use webproof_message::{Explain, Message, msg};

/// The value could not be put in canonical form (a non-finite number, a map with non-string
/// keys, or an integer that JSON numbers cannot hold exactly).
#[derive(Debug, thiserror::Error)]
#[error("cannot encode as canonical JSON (RFC 8785): {0}")]
pub struct CanonicalError(#[source] serde_json::Error);

/// Largest integer a JCS number holds exactly (2^53 - 1).
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// The RFC 8785 bytes of `value`.
pub fn to_jcs<T: Serialize>(value: &T) -> Result<Vec<u8>, CanonicalError> {
    serde_json_canonicalizer::to_vec(value).map_err(CanonicalError)
}

/// Whether `bytes` are exactly the canonical form of the JSON value they hold.
pub fn is_canonical(bytes: &[u8]) -> bool {
    match serde_json::from_slice::<serde_json::Value>(bytes) {
        Ok(v) => to_jcs(&v).is_ok_and(|c| c == bytes),
        Err(_) => false,
    }
}

impl Explain for CanonicalError {
    fn message(&self) -> Message {
        msg!("err-canonical").arg("detail", &self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_keys_by_utf16_and_strips_whitespace() {
        let v: serde_json::Value = serde_json::from_str(
            r#"{ "b": 1, "a": [true, null, "x"], "\u20ac": 2, "\ud83d\ude00": 3, "\r": 4 }"#,
        )
        .unwrap();
        let out = String::from_utf8(to_jcs(&v).unwrap()).unwrap();
        // RFC 8785 3.2.3: keys sorted by UTF-16 code units, so U+20AC sorts before the
        // surrogate pair D83D DE00.
        assert_eq!(
            out,
            "{\"\\r\":4,\"a\":[true,null,\"x\"],\"b\":1,\"€\":2,\"😀\":3}"
        );
        assert!(is_canonical(out.as_bytes()));
        assert!(!is_canonical(b"{\"b\":1, \"a\":2}"));
    }
}
