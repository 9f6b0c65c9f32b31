//! Every error of the evidence core explains itself with its own catalogue message (a
//! message without a key would reach the user as an empty line).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use webproof_evidence::canonical;
use webproof_evidence::capture::CaptureError;
use webproof_evidence::container::{ContainerError, Fault};
use webproof_evidence::identity::{Algorithm, KeyError, SecretKey};
use webproof_evidence::journal::JournalError;
use webproof_evidence::package::PackageError;
use webproof_evidence::record::{ChainError, RecordError};
use webproof_message::Explain;

fn key(e: &dyn Explain) -> String {
    e.message().key
}

#[test]
fn each_error_has_its_own_message() {
    let bad_signature = SecretKey::generate(Algorithm::Ed25519)
        .unwrap()
        .public_key()
        .verify(b"signed", &[0; 64])
        .unwrap_err();
    let not_canonical = canonical::to_jcs(&BTreeMap::from([(vec![1u8], 1)])).unwrap_err();
    let cases: [(&dyn Explain, &str); 10] = [
        (&JournalError::LineTooLong { line: 3 }, "err-journal-long"),
        (
            &KeyError::UnknownAlgorithm("rsa".into()),
            "err-key-algorithm",
        ),
        (&bad_signature, "err-bad-signature"),
        (
            &ContainerError {
                start: 0,
                end: 4,
                member: None,
                fault: Fault::TooShort,
            },
            "err-zip-range",
        ),
        (
            &ChainError::Sequence { index: 1, found: 2 },
            "err-chain-sequence",
        ),
        (&RecordError::IntegerTooLarge(1 << 60), "err-integer-large"),
        (&CaptureError::Sealed, "err-capture-sealed"),
        (
            &PackageError::Io {
                path: "p.wacz".into(),
                source: std::io::Error::other("disk"),
            },
            "err-file",
        ),
        (&not_canonical, "err-canonical"),
        (
            &RecordError::Canonical(
                canonical::to_jcs(&BTreeMap::from([(vec![2u8], 2)])).unwrap_err(),
            ),
            "err-canonical",
        ),
    ];
    for (e, want) in cases {
        assert_eq!(key(e), want);
    }
}
