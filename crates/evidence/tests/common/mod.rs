//! Helpers shared by the evidence core's integration tests.

#![allow(dead_code)]

use webproof_evidence::Utc;
use webproof_evidence::capture::{SealInput, SignerKey};
use webproof_evidence::identity::{Algorithm, IdentityDoc, Role, SecretKey};
use webproof_evidence::journal::NewStep;
use webproof_evidence::record::StepKind;

/// A note step saying `text`, now.
pub fn note(text: &str) -> NewStep {
    let mut params = serde_json::Map::new();
    params.insert("text".into(), text.into());
    NewStep::instant(StepKind::Note, params)
}

/// The identity document of Ed25519 `key` in `role`, named Zhang San.
pub fn identity(role: Role, key: &SecretKey) -> IdentityDoc {
    let pk = key.public_key();
    IdentityDoc {
        v: 1,
        role,
        name: "Zhang San".into(),
        organisation: None,
        contact: None,
        id_ref: None,
        algorithm: Algorithm::Ed25519,
        public_key: pk.to_pem().expect("a PEM public key"),
        fingerprint: pk.fingerprint().expect("a fingerprint"),
        created: Utc::now(),
    }
}

/// What sealing by the operator `key` with `identity`, no certificate, no notary, for the
/// case `case_id` (if any) asks.
pub fn operator_seal<'a>(
    key: &'a SecretKey,
    identity: &'a IdentityDoc,
    case_id: Option<&str>,
) -> SealInput<'a> {
    SealInput {
        case: webproof_evidence::manifest::Case {
            id: case_id.map(str::to_owned),
            note: None,
        },
        tool_version: "test".into(),
        operator: SignerKey {
            key,
            identity,
            certificate: None,
        },
        notary: None,
    }
}
