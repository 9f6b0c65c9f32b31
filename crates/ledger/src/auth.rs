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

/// A private label and the salt of its commitment.
pub type Label = (String, [u8; 16]);

/// The label and salt of a label header.
pub fn parse_label_header(v: &str) -> Option<Label> {
    let (l, s) = v.split_once(';')?;
    let l = String::from_utf8(base64::engine::general_purpose::STANDARD.decode(l).ok()?).ok()?;
    let s: [u8; 16] = hex::decode(s).ok()?.try_into().ok()?;
    (l.chars().count() <= 64).then_some((l, s))
}

/// The label header of a `POST /add-batch`: each deposit's label header in the order of the
/// deposits, separated by commas (neither base64 nor hex has one), an empty field where a
/// deposit has no label.
pub fn batch_label_header(labels: &[Option<String>]) -> String {
    labels
        .iter()
        .map(|l| l.as_deref().unwrap_or(""))
        .collect::<Vec<_>>()
        .join(",")
}

/// The labels of a batch's label header, one per deposit (`None` when the header does not
/// name `count` deposits or one of its labels is malformed).
pub fn parse_batch_label_header(v: &str, count: usize) -> Option<Vec<Option<Label>>> {
    let fields: Vec<&str> = v.split(',').collect();
    if fields.len() != count {
        return None;
    }
    fields
        .into_iter()
        .map(|f| {
            if f.is_empty() {
                Some(None)
            } else {
                parse_label_header(f).map(Some)
            }
        })
        .collect()
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
        // A key id is 64 hex digits: not 63, and not 64 of anything else.
        let hex63 = "ab".repeat(32)[..63].to_owned();
        assert_eq!(
            parse_header(&format!("keyid={hex63};time=1;sig=AQ==")),
            None
        );
        let not_hex = "zz".repeat(32);
        assert_eq!(
            parse_header(&format!("keyid={not_hex};time=1;sig=AQ==")),
            None
        );
        assert_eq!(
            parse_header(&format!("keyid={};time=1;sig=AQ==", "AB".repeat(32))),
            Some(("ab".repeat(32), 1, vec![1]))
        );
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

    #[test]
    fn a_batch_names_each_deposits_label_in_order() {
        let salt = [7u8; 16];
        let a = label_header("案件 1", &salt);
        let h = batch_label_header(&[Some(a.clone()), None, Some(label_header("b", &[1; 16]))]);
        let got = parse_batch_label_header(&h, 3).unwrap();
        assert_eq!(got[0], Some(("案件 1".to_owned(), salt)));
        assert_eq!(got[1], None);
        assert_eq!(got[2], Some(("b".to_owned(), [1; 16])));
        // The count must be the deposits', and every field a label or nothing.
        assert_eq!(parse_batch_label_header(&h, 2), None);
        assert_eq!(parse_batch_label_header(&h, 4), None);
        assert_eq!(parse_batch_label_header(&format!("{a},x;00"), 2), None);
        assert_eq!(parse_batch_label_header("", 1), Some(vec![None]));
    }
}
