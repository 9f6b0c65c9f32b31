//! What a supervising notary signs during a live session (docs/supervision.md, "In the
//! evidence"): a statement about the chain as the notary saw it — present from a step on, a
//! checkpoint countersigned, or a refusal with its reason — signed with the notary's key and
//! journaled by the operator's webproof as a `supervision` step. The step carries the
//! statement's exact bytes, the signature and the notary's identity, so anyone can check it
//! against the chain it names; the next steps chain over it, so it cannot be taken out.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::digest::{Digests, Hash32};
use crate::identity::IdentityDoc;
use crate::utc::Utc;

pub const FORMAT: &str = "webproof-supervision";
pub const VERSION: u32 = 1;
/// The longest reason a refusal may give.
pub const MAX_REASON: usize = 2000;

/// What the notary states.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Event {
    /// The notary is present and supervises from here on.
    Present,
    /// The notary saw the steps up to `seq` and countersigns the chain head after it.
    Countersign,
    /// A checkpoint: the notary's webproof was shown the steps up to `seq`, and countersigns
    /// the chain head after it as it arrived (while the session goes on; signed without asking
    /// the person, who is asked at the start and at the end).
    Checkpoint,
    /// The notary refuses to countersign the session, for `reason`.
    Refuse,
}

impl Event {
    pub fn as_str(self) -> &'static str {
        match self {
            Event::Present => "present",
            Event::Countersign => "countersign",
            Event::Checkpoint => "checkpoint",
            Event::Refuse => "refuse",
        }
    }
}

/// The statement the notary signs (RFC 8785 bytes).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Statement {
    pub v: u32,
    pub format: String,
    pub event: Event,
    pub capture: String,
    /// The last step the notary had seen: the statement is about the chain up to it.
    pub seq: u64,
    /// The chain head after step `seq`.
    pub head: Digests,
    /// The notary's key (SHA-256 of its SubjectPublicKeyInfo DER).
    pub notary: Hash32,
    /// The notary's clock when signing (claimed; the chain's time-stamps bound it).
    pub time: Utc,
    /// Why the notary refuses (a refusal only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl Statement {
    /// The canonical bytes the notary signs.
    pub fn to_bytes(&self) -> Result<Vec<u8>, crate::canonical::CanonicalError> {
        crate::canonical::to_jcs(self)
    }
}

/// A statement as the `supervision` step journals it: its bytes, the signature over them, and
/// the notary's identity (and certificate, when enrolled).
#[derive(Clone, Debug, PartialEq)]
pub struct Signed {
    pub bytes: Vec<u8>,
    pub signature: Vec<u8>,
    pub identity: IdentityDoc,
    pub certificate: Option<String>,
}

/// Why a `supervision` step's parameters are not a signed statement.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SupervisionError {
    #[error("the supervision step has no {0}")]
    Missing(&'static str),
    #[error("the supervision step's {field}: {why}")]
    Malformed { field: &'static str, why: String },
}

impl webproof_message::Explain for SupervisionError {
    fn message(&self) -> webproof_message::Message {
        use webproof_message::msg;
        match self {
            SupervisionError::Missing(f) => msg!("err-supervision-missing").arg("field", f),
            SupervisionError::Malformed { field, why } => msg!("err-supervision-malformed")
                .arg("field", field)
                .arg("why", why),
        }
    }
}

impl Signed {
    /// The step's parameters: `event`, `statement` (the bytes as a string: they are UTF-8
    /// JSON), `signature` (hex), `identity` (the document) and `certificate` (PEM) if any.
    pub fn to_params(&self, event: Event) -> Result<Map<String, Value>, SupervisionError> {
        let statement =
            String::from_utf8(self.bytes.clone()).map_err(|e| SupervisionError::Malformed {
                field: "statement",
                why: e.to_string(),
            })?;
        let identity =
            serde_json::to_value(&self.identity).map_err(|e| SupervisionError::Malformed {
                field: "identity",
                why: e.to_string(),
            })?;
        let mut p = Map::new();
        p.insert("event".into(), Value::String(event.as_str().into()));
        p.insert("statement".into(), Value::String(statement));
        p.insert(
            "signature".into(),
            Value::String(hex::encode(&self.signature)),
        );
        p.insert("identity".into(), identity);
        if let Some(c) = &self.certificate {
            p.insert("certificate".into(), Value::String(c.clone()));
        }
        Ok(p)
    }

    /// Reads a `supervision` step's parameters back.
    pub fn from_params(p: &Map<String, Value>) -> Result<Signed, SupervisionError> {
        let text = |field: &'static str| {
            p.get(field)
                .ok_or(SupervisionError::Missing(field))?
                .as_str()
                .ok_or(SupervisionError::Malformed {
                    field,
                    why: "not a string".into(),
                })
        };
        let bytes = text("statement")?.as_bytes().to_vec();
        let signature =
            hex::decode(text("signature")?).map_err(|e| SupervisionError::Malformed {
                field: "signature",
                why: e.to_string(),
            })?;
        let identity = serde_json::from_value(
            p.get("identity")
                .cloned()
                .ok_or(SupervisionError::Missing("identity"))?,
        )
        .map_err(|e| SupervisionError::Malformed {
            field: "identity",
            why: e.to_string(),
        })?;
        let certificate = match p.get("certificate") {
            None => None,
            Some(_) => Some(text("certificate")?.to_owned()),
        };
        Ok(Signed {
            bytes,
            signature,
            identity,
            certificate,
        })
    }

    /// The statement the bytes hold (canonical or not: the verifier judges that).
    pub fn statement(&self) -> Result<Statement, SupervisionError> {
        serde_json::from_slice(&self.bytes).map_err(|e| SupervisionError::Malformed {
            field: "statement",
            why: e.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::{Algorithm, Role, SecretKey};

    #[test]
    fn a_signed_statement_goes_into_step_parameters_and_back_unchanged() {
        let key = SecretKey::generate(Algorithm::Ed25519).unwrap();
        let pk = key.public_key();
        let identity = IdentityDoc {
            v: 1,
            role: Role::Notary,
            name: "王公证".into(),
            organisation: None,
            contact: None,
            id_ref: None,
            algorithm: Algorithm::Ed25519,
            public_key: pk.to_pem().unwrap(),
            fingerprint: pk.fingerprint().unwrap(),
            created: Utc::now(),
        };
        let st = Statement {
            v: VERSION,
            format: FORMAT.into(),
            event: Event::Refuse,
            capture: "c".into(),
            seq: 3,
            head: crate::digest::digest_bytes(b"head"),
            notary: identity.fingerprint,
            time: Utc::now(),
            reason: Some("the page shown is not the one named".into()),
        };
        let bytes = st.to_bytes().unwrap();
        let signed = Signed {
            signature: key.sign(&bytes).unwrap(),
            bytes,
            identity,
            certificate: Some("-----BEGIN CERTIFICATE-----".into()),
        };
        let p = signed.to_params(Event::Refuse).unwrap();
        assert_eq!(p["event"], "refuse");
        let back = Signed::from_params(&p).unwrap();
        assert_eq!(back, signed);
        assert_eq!(back.statement().unwrap(), st);
        for field in ["statement", "signature", "identity"] {
            let mut q = p.clone();
            q.remove(field);
            assert!(
                matches!(Signed::from_params(&q), Err(SupervisionError::Missing(f)) if f == field),
                "{field}"
            );
        }
        let mut q = p.clone();
        q.insert("signature".into(), Value::String("zz".into()));
        assert!(Signed::from_params(&q).is_err());
        let mut q = p;
        q.insert("certificate".into(), Value::Bool(true));
        assert!(Signed::from_params(&q).is_err());
    }
}
