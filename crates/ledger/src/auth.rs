//! Signed requests to the evidence log: a client signs, with its webproof identity key
//! (Ed25519 or SM2), the method, path, time and SHA-256 of the body, and sends
//! `Webproof-Signature: keyid=<fingerprint hex>;time=<unix s>;sig=<base64>`. The log knows the
//! key by its fingerprint (an admin, a registrar or an enrolled operator), refuses stale or
//! replayed signatures, and so knows who deposits.

use base64::Engine as _;
use sha2::{Digest, Sha256};

/// The header carrying the signature.
pub const HEADER: &str = "webproof-signature";
/// How far a request's time may be from the log's clock, in seconds.
pub const MAX_SKEW: u64 = 300;

/// The bytes a client signs: bound to the log (its origin, as its checkpoints name it), the
/// method, path, time and body, so a request signed for one log is refused by every other.
pub fn request_message(origin: &str, method: &str, path: &str, time: u64, body: &[u8]) -> Vec<u8> {
    format!(
        "webproof-request/v2\n{origin}\n{method}\n{path}\n{time}\n{}\n",
        hex::encode(Sha256::digest(body))
    )
    .into_bytes()
}

/// The header value.
pub fn header_value(keyid: &str, time: u64, sig: &[u8]) -> String {
    format!(
        "keyid={keyid};time={time};sig={}",
        base64::engine::general_purpose::STANDARD.encode(sig)
    )
}

/// The header carrying a deposit's private label: `<base64 label>;<hex salt>`. The log checks
/// it opens the deposit's `label_commitment` (which the signature covers).
pub const LABEL_HEADER: &str = "webproof-label";

pub fn label_header(label: &str, salt: &[u8; 16]) -> String {
    format!(
        "{};{}",
        base64::engine::general_purpose::STANDARD.encode(label),
        hex::encode(salt)
    )
}

/// The label and salt of a label header.
pub fn parse_label_header(v: &str) -> Option<(String, [u8; 16])> {
    let (l, s) = v.split_once(';')?;
    let l = String::from_utf8(base64::engine::general_purpose::STANDARD.decode(l).ok()?).ok()?;
    let s: [u8; 16] = hex::decode(s).ok()?.try_into().ok()?;
    (l.chars().count() <= 64).then_some((l, s))
}

/// A parsed header: key fingerprint (hex), time, signature.
pub fn parse_header(v: &str) -> Option<(String, u64, Vec<u8>)> {
    let (mut keyid, mut time, mut sig) = (None, None, None);
    for part in v.split(';') {
        let (k, val) = part.trim().split_once('=')?;
        match k {
            "keyid" if val.len() == 64 && val.bytes().all(|b| b.is_ascii_hexdigit()) => {
                keyid = Some(val.to_ascii_lowercase())
            }
            "time" => time = val.parse().ok(),
            "sig" => sig = base64::engine::general_purpose::STANDARD.decode(val).ok(),
            _ => return None,
        }
    }
    Some((keyid?, time?, sig?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_round_trip_and_messages_bind_everything() {
        let h = header_value(&"ab".repeat(32), 17, &[1, 2, 3]);
        assert_eq!(parse_header(&h), Some(("ab".repeat(32), 17, vec![1, 2, 3])));
        assert_eq!(parse_header("keyid=zz;time=1;sig=AQ=="), None);
        assert_eq!(parse_header(&format!("{h};extra=1")), None);
        let m = request_message("log.a/x", "POST", "/add", 17, b"x");
        assert_ne!(
            m,
            request_message("log.a/x", "POST", "/add-batch", 17, b"x")
        );
        assert_ne!(m, request_message("log.b/x", "POST", "/add", 17, b"x"));
        assert_ne!(m, request_message("log.a/x", "POST", "/add", 18, b"x"));
        assert_ne!(m, request_message("log.a/x", "POST", "/add", 17, b"y"));
    }
}
