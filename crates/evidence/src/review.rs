//! Countersignatures after review (docs/evidence-package.md §6e): a notary who reviewed a
//! sealed package — verified it and looked through its timeline — signs a review statement
//! that names the package's manifest by its SHA-256 and SM3, and RFC 3161 tokens stamp that
//! signature, so the review is shown to have happened by a trusted time. Live supervision is
//! something else (it is in the chain, step by step); a review comes after the seal and cannot
//! change what was signed, so it lives beside the manifest, in `reviews/`:
//!
//! - `NNN.json` — the statement (RFC 8785), for review `NNN` (from 001);
//! - `NNN.sig` — the reviewer's signature over `NNN.json`'s bytes (like `signatures/*.sig`);
//! - `NNN-identity.json`, `NNN.pub.pem`, `NNN.cert.pem` — the reviewer's identity document,
//!   public key and (when enrolled) certificate, like `identity/notary.*`;
//! - `NNN-K.tsq`, `NNN-K.tsr` — request and token of TSA `K` over `NNN.sig`'s bytes.

use serde::{Deserialize, Serialize};

use crate::digest::{Digests, Hash32};
use crate::identity::{Algorithm, Role};
use crate::utc::Utc;

pub const REVIEWS_DIR: &str = "reviews";
pub const FORMAT: &str = "webproof-review";
pub const VERSION: u32 = 1;
/// The most reviews a package may carry (each a few files).
pub const MAX_REVIEWS: u32 = 999;

/// `reviews/NNN.json`: who reviewed which package, what they saw and what they state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Review {
    pub v: u32,
    pub format: String,
    /// The review's number (its file names say the same).
    pub n: u32,
    /// The capture reviewed (the manifest's `capture`).
    pub capture: String,
    /// SHA-256 and SM3 of `evidence/manifest.json`'s bytes: everything sealed, by digest.
    pub manifest: Digests,
    /// The reviewer's role (a notary).
    pub role: Role,
    pub algorithm: Algorithm,
    /// SHA-256 of the reviewer's SubjectPublicKeyInfo DER.
    pub fingerprint: Hash32,
    /// The verdict the reviewer's own verifier gave before signing (`VERIFIED`,
    /// `UNTRUSTED`, …): what the reviewer saw, not what anyone must conclude.
    pub verdict: String,
    /// What the reviewer states, in their words.
    pub statement: String,
    /// When the reviewer's machine says the review was signed (claimed; the tokens prove
    /// "no later than").
    pub reviewed: Utc,
}

pub fn json_path(n: u32) -> String {
    format!("{REVIEWS_DIR}/{n:03}.json")
}

pub fn signature_path(n: u32) -> String {
    format!("{REVIEWS_DIR}/{n:03}.sig")
}

pub fn identity_path(n: u32) -> String {
    format!("{REVIEWS_DIR}/{n:03}-identity.json")
}

pub fn public_key_path(n: u32) -> String {
    format!("{REVIEWS_DIR}/{n:03}.pub.pem")
}

pub fn certificate_path(n: u32) -> String {
    format!("{REVIEWS_DIR}/{n:03}.cert.pem")
}

pub fn token_path(n: u32, k: usize, ext: &str) -> String {
    format!("{REVIEWS_DIR}/{n:03}-{k}.{ext}")
}

/// The parts of a review.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Record,
    Signature,
    Identity,
    PublicKey,
    Certificate,
    Token(usize),
    Request(usize),
}

/// What a file under `reviews/` is: (review number, part), or `None` if the name is not one of
/// the forms above.
pub fn classify(path: &str) -> Option<(u32, Part)> {
    let name = path.strip_prefix("reviews/")?;
    let (num, rest) = name.split_at_checked(3)?;
    if !num.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u32 = num.parse().ok().filter(|n| *n > 0)?;
    let part = match rest {
        ".json" => Part::Record,
        ".sig" => Part::Signature,
        "-identity.json" => Part::Identity,
        ".pub.pem" => Part::PublicKey,
        ".cert.pem" => Part::Certificate,
        _ => {
            let (k, ext) = rest.strip_prefix('-')?.split_once('.')?;
            if k.is_empty() || !k.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let k: usize = k.parse().ok().filter(|k| *k > 0)?;
            match ext {
                "tsr" => Part::Token(k),
                "tsq" => Part::Request(k),
                _ => return None,
            }
        }
    };
    Some((n, part))
}

/// The canonical bytes of a review statement (what the reviewer signs).
pub fn to_bytes(r: &Review) -> Result<Vec<u8>, crate::canonical::CanonicalError> {
    crate::canonical::to_jcs(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_part_is_named_one_way_and_classifies_back() {
        for n in [1, 7, 999] {
            for (path, part) in [
                (json_path(n), Part::Record),
                (signature_path(n), Part::Signature),
                (identity_path(n), Part::Identity),
                (public_key_path(n), Part::PublicKey),
                (certificate_path(n), Part::Certificate),
                (token_path(n, 1, "tsr"), Part::Token(1)),
                (token_path(n, 12, "tsq"), Part::Request(12)),
            ] {
                assert_eq!(classify(&path), Some((n, part)), "{path}");
            }
        }
        assert_eq!(json_path(1), "reviews/001.json");
        assert_eq!(token_path(2, 3, "tsr"), "reviews/002-3.tsr");
        for other in [
            "reviews/000.json",
            "reviews/01.json",
            "reviews/+01.json",
            "reviews/001.txt",
            "reviews/001-0.tsr",
            "reviews/001-+1.tsr",
            "reviews/001-1.pem",
            "reviews/001-.tsr",
            "reviews/notes.txt",
            "renewals/001.json",
        ] {
            assert_eq!(classify(other), None, "{other}");
        }
    }
}
