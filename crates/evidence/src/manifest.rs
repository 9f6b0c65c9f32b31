//! The manifest: the one document the operator (and notary) sign. It names the capture, the
//! people, the tool, the chain head after every step, and the SHA-256 and SM3 digests of every
//! other file in the package. `evidence/manifest.json` holds its RFC 8785 bytes, and those
//! exact bytes are what the signature files sign.

use serde::{Deserialize, Serialize};

use crate::digest::{Digests, Hash32};
use crate::identity::{Algorithm, Role};
use crate::record::StepKind;
use crate::utc::Utc;

/// Manifest format version.
pub const MANIFEST_VERSION: u32 = 1;
/// Value of the manifest's `format` field.
pub const MANIFEST_FORMAT: &str = "webproof-evidence-package";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub v: u32,
    pub format: String,
    pub capture: String,
    pub case: Case,
    pub tool: Tool,
    /// When the capture was sealed (the seal step's end, capture machine clock).
    pub sealed: Utc,
    pub journal: JournalRef,
    /// Chain head after every step, in order.
    /// (Named `heads`, not `steps`: Frictionless, which WACZ validators run, reads a JSON
    /// resource with a `steps` key as a pipeline descriptor.)
    pub heads: Vec<StepHead>,
    /// Every file in the package except `datapackage.json`, `datapackage-digest.json`, this
    /// manifest and the signature files; sorted by path.
    pub files: Vec<FileEntry>,
    /// Who signs this manifest, and where each signature is.
    pub signers: Vec<Signer>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    pub id: Option<String>,
    pub note: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JournalRef {
    pub path: String,
    pub records: u64,
    /// The final chain head: digests of the last (seal) record.
    pub head: Digests,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepHead {
    pub seq: u64,
    pub kind: StepKind,
    pub head: Digests,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileEntry {
    pub path: String,
    pub size: u64,
    pub sha256: Hash32,
    pub sm3: Hash32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signer {
    pub role: Role,
    pub algorithm: Algorithm,
    /// SHA-256 of the signer's SubjectPublicKeyInfo DER.
    pub fingerprint: Hash32,
    /// The signer's identity document (`identity/<role>.json`).
    pub identity: String,
    /// The signer's public key as PEM (`identity/<role>.pub.pem`), for `openssl pkeyutl`.
    pub public_key: String,
    /// The signature over this manifest's bytes (`signatures/<role>.sig`).
    pub signature: String,
}

impl Manifest {
    pub fn file(&self, path: &str) -> Option<&FileEntry> {
        self.files
            .binary_search_by(|f| f.path.as_str().cmp(path))
            .ok()
            .map(|i| &self.files[i])
    }
}
