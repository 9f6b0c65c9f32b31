//! What the supervision tests share: people with keys.
#![allow(dead_code, clippy::unwrap_used)]

use webproof_evidence::Utc;
use webproof_evidence::identity::{Algorithm, IdentityDoc, Role, SecretKey};

/// A new key of `alg` and the identity document of `name` (of `org`) in `role`.
pub fn person(
    role: Role,
    alg: Algorithm,
    name: &str,
    org: Option<&str>,
) -> (SecretKey, IdentityDoc) {
    let key = SecretKey::generate(alg).unwrap();
    let pk = key.public_key();
    let doc = IdentityDoc {
        v: 1,
        role,
        name: name.into(),
        organisation: org.map(str::to_owned),
        contact: None,
        id_ref: None,
        algorithm: alg,
        public_key: pk.to_pem().unwrap(),
        fingerprint: pk.fingerprint().unwrap(),
        created: Utc::now(),
    };
    (key, doc)
}
