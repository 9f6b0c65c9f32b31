//! The WACZ 1.1.1 side of a package: files *derived* from the manifest and the package's
//! contents. A verifier re-derives them byte for byte, so none of their bytes can change
//! unnoticed.

use serde::{Deserialize, Serialize};

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

/// One page of `pages/pages.jsonl` after its header: a navigation step of the capture, as
/// replay tools list it. Written by the capture, read by the desktop app's timeline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page {
    /// `step-<seq>`: the journal step that loaded the page.
    pub id: String,
    pub url: String,
    /// When the step ended (RFC 3339, UTC).
    pub ts: String,
    #[serde(default)]
    pub title: String,
}

impl Page {
    /// The page's line, newline included.
    pub fn line(&self) -> String {
        serde_json::to_string(self).unwrap_or_default() + "\n"
    }

    /// The pages of a `pages.jsonl` (the header and lines that are no page are skipped).
    pub fn parse_all(text: &str) -> Vec<Page> {
        text.lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }
}

/// The JSON block of one `indexes/index.cdx` line (CDXJ) (`<SURT> <timestamp14> <json>`): where a
/// response or resource of a URL sits in `archive/data.warc`, as pywb and ReplayWeb.page read
/// it. Written by the network archive, read by replay and by watches.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CdxJson {
    pub url: String,
    #[serde(default)]
    pub mime: String,
    /// The HTTP status, as a string (the CDXJ convention; a resource record may have none).
    #[serde(default)]
    pub status: String,
    /// `sha256:` + hex of the payload.
    #[serde(default)]
    pub digest: String,
    #[serde(default)]
    pub filename: String,
    /// Where the record starts in the WARC, and its length, in bytes.
    pub offset: u64,
    pub length: u64,
}

impl CdxJson {
    /// The index line of this record, captured at `timestamp14`, without its newline.
    pub fn line(&self, surt: &str, timestamp14: &str) -> String {
        format!(
            "{surt} {timestamp14} {}",
            serde_json::to_string(self).unwrap_or_default()
        )
    }

    /// The records of an index, in its order, with the timestamp of each (lines that are no
    /// record are skipped: a record needs its URL, offset and length).
    pub fn parse_all(cdxj: &str) -> Vec<(String, CdxJson)> {
        cdxj.lines()
            .filter_map(|l| {
                let mut parts = l.splitn(3, ' ');
                let (_, ts, json) = (parts.next()?, parts.next()?, parts.next()?);
                Some((ts.to_owned(), serde_json::from_str(json).ok()?))
            })
            .collect()
    }
}

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
        "WARC/1.1\r\nWARC-Type: warcinfo\r\nWARC-Record-ID: <urn:uuid:{}>\r\nWARC-Date: {}\r\nWARC-Filename: {}\r\nContent-Type: application/warc-fields\r\nContent-Length: {}\r\n\r\n",
        clean(capture),
        date,
        layout::WARC_NAME,
        body.len()
    );
    let mut out = header.into_bytes();
    out.extend_from_slice(body.as_bytes());
    out.extend_from_slice(b"\r\n\r\n");
    out
}
