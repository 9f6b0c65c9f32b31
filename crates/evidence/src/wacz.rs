//! The WACZ 1.1.1 side of a package: files *derived* from the manifest and the package's
//! contents. A verifier re-derives them byte for byte, so none of their bytes can change
//! unnoticed.

use serde::Serialize;

use crate::canonical::{self, CanonicalError};
use crate::digest::Hash32;
use crate::layout;
use crate::manifest::Manifest;

pub const WACZ_VERSION: &str = "1.1.1";

/// One line of `datapackage.json`'s `resources`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Resource {
    pub name: String,
    pub path: String,
    pub hash: String,
    pub bytes: u64,
}

impl Resource {
    pub fn new(path: &str, sha256: Hash32, bytes: u64) -> Self {
        Resource {
            name: path.to_owned(),
            path: path.to_owned(),
            hash: format!("sha256:{sha256}"),
            bytes,
        }
    }
}

#[derive(Serialize)]
struct DataPackage<'a> {
    profile: &'a str,
    wacz_version: &'a str,
    title: String,
    created: String,
    software: String,
    resources: &'a [Resource],
}

/// The title a package gets: the case id if there is one.
pub fn title(m: &Manifest) -> String {
    match &m.case.id {
        Some(id) => format!("webproof evidence: {id}"),
        None => format!("webproof evidence: capture {}", m.capture),
    }
}

/// The exact bytes of `datapackage.json` (RFC 8785) for `manifest` and `resources` (every
/// file but the two datapackage files, sorted by path).
pub fn datapackage(m: &Manifest, resources: &[Resource]) -> Result<Vec<u8>, CanonicalError> {
    canonical::to_jcs(&DataPackage {
        profile: "data-package",
        wacz_version: WACZ_VERSION,
        title: title(m),
        created: m.sealed.to_string(),
        software: format!("{} {}", m.tool.name, m.tool.version),
        resources,
    })
}

#[derive(Serialize)]
struct Digest<'a> {
    path: &'a str,
    hash: String,
}

/// The exact bytes of `datapackage-digest.json` for the given `datapackage.json` bytes.
pub fn datapackage_digest(datapackage: &[u8]) -> Result<Vec<u8>, CanonicalError> {
    canonical::to_jcs(&Digest {
        path: layout::DATAPACKAGE,
        hash: format!("sha256:{}", crate::digest::sha256(datapackage)),
    })
}

/// `pages/pages.jsonl` header line (pages follow, one JSON object per line, from captures).
pub const PAGES_HEADER: &str =
    "{\"format\":\"json-pages-1.0\",\"id\":\"pages\",\"title\":\"All Pages\"}\n";

/// A WARC/1.1 `warcinfo` record describing the capture (the network archive of a browser
/// capture follows it; a file deposit has only this record).
pub fn warcinfo(
    capture: &str,
    case: Option<&str>,
    date: &crate::utc::Utc,
    software: &str,
) -> Vec<u8> {
    let clean = |s: &str| {
        s.chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect::<String>()
    };
    let mut body = format!(
        "software: {}\r\nformat: WARC File Format 1.1\r\nconformsTo: https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/\r\nwebproof-capture: {}\r\n",
        clean(software),
        clean(capture)
    );
    if let Some(c) = case {
        body.push_str(&format!("webproof-case: {}\r\n", clean(c)));
    }
    let header = format!(
        "WARC/1.1\r\nWARC-Type: warcinfo\r\nWARC-Record-ID: <urn:uuid:{}>\r\nWARC-Date: {}\r\nWARC-Filename: data.warc\r\nContent-Type: application/warc-fields\r\nContent-Length: {}\r\n\r\n",
        clean(capture),
        date,
        body.len()
    );
    let mut out = header.into_bytes();
    out.extend_from_slice(body.as_bytes());
    out.extend_from_slice(b"\r\n\r\n");
    out
}
