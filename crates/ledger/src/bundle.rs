//! The alliance trust bundle as written (docs/trust-bundle.md), defined once: the log serves
//! it (`GET /trust-bundle.json`), `dev up` writes it, the verifier reads it
//! (`webproof_verify::bundle`, which checks every entry).

use serde::{Deserialize, Serialize};

/// Value of the bundle's `format` field.
pub const FORMAT: &str = "webproof-trust-bundle";
/// The bundle version written and read.
pub const VERSION: u32 = 1;

/// What a reader trusts of an evidence alliance (docs/trust-bundle.md).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustBundle {
    pub format: String,
    pub v: u32,
    /// Who publishes it (the alliance's name), for people.
    pub alliance: String,
    /// A development alliance (`webproof dev up`): never for court use.
    pub development: bool,
    /// Evidence logs' verifier keys (signed-note form: `name+hash+base64`).
    pub logs: Vec<String>,
    /// Witnesses' verifier keys.
    pub witnesses: Vec<String>,
    /// How many of the witnesses must have cosigned a receipt's checkpoint.
    pub quorum: usize,
    /// Operator CA certificates of the alliance's registration authorities (PEM).
    pub operator_cas: Vec<String>,
    /// Root certificates of the time-stamp authorities the alliance uses (PEM).
    pub tsa_roots: Vec<String>,
}
